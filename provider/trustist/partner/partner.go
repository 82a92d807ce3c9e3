// Package partner is a client for the TrustistTransfer Partner API, with which a
// platform onboards merchants: it invites them (choosing the payment types they may
// take) and, once an invitation is accepted, obtains the merchant's API keys to configure
// the trustist adapter with.
//
// Authentication is OAuth 2.0 client credentials: POST {base}/token with client_id,
// client_secret and grant_type=client_credentials in the form body (not HTTP Basic), as
// the Partner API expects; the bearer token is cached and fetched again shortly before it
// expires (RefreshMargin, default 60 s) or when the API refuses it.
//
// Base URLs: sandbox https://partnersapi-sandbox.trustist.com, production
// https://partnersapi.trustist.com.
//
// Only the opening of the Partner API page is published: invitations list / get / create
// (with paymentTypes "cards" and "openbanking"; open banking is always on) and the
// invitation's merchant keys. Other invitation members and the shape of the merchant-keys
// answer are not published; the client keeps each invitation's raw JSON, passes extra
// request members through CreateInvitationRequest.Fields, and reads the keys answer
// defensively ([I] inferences are marked in the code).
//
// The partnersim package simulates the Partner API on loopback, invitation page included,
// and can register each merchant that accepts with a Trustist simulator, so the whole
// onboarding — invite, accept, read the keys, pay with them — runs in tests.
package partner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/paybridge/paybridge/internal/pairs"
	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Environment selects the Partner API.
type Environment string

// The environments; the zero Environment means Sandbox.
const (
	Sandbox    Environment = "sandbox"
	Production Environment = "production"
)

// Base URLs of the Partner API.
const (
	SandboxBaseURL    = "https://partnersapi-sandbox.trustist.com"
	ProductionBaseURL = "https://partnersapi.trustist.com"
)

// DefaultRefreshMargin is how long before its expiry a cached token is replaced.
const DefaultRefreshMargin = 60 * time.Second

// Config configures a Client.
type Config struct {
	// Environment is Sandbox (the default) or Production.
	Environment Environment
	// BaseURL overrides the environment's base URL (https; http for loopback hosts only).
	BaseURL string
	// ClientID and ClientSecret are the partner's OAuth client credentials.
	ClientID     string
	ClientSecret secret.Value
	// HTTPClient sends every request, token requests included (default: 30-second
	// timeout). The Client uses a copy of it that follows no redirect (the client itself
	// is left unchanged): a redirect answer is an InvalidRequest error naming its
	// Location, since following it would send the client secret or the access token to a
	// URL the configuration never named.
	HTTPClient *http.Client
	// RefreshMargin is how long before expiry a token is replaced (default 60 s).
	RefreshMargin time.Duration
	// Now is the clock token expiry is judged by (default time.Now).
	Now func() time.Time
}

// Client calls the Partner API. It is safe for concurrent use.
type Client struct {
	*core          // the state, credentials and token included
	secret.Printed // the client id and base URL
}

type core struct {
	base     string
	clientID string
	// secret stays a secret.Value: the clientcredentials.Config that needs it in clear is
	// built per token fetch.
	secret secret.Value
	http   *http.Client
	margin time.Duration
	now    func() time.Time

	sem     chan struct{} // one token fetch at a time
	tok     atomic.Pointer[oauth2.Token]
	fetches atomic.Int64
}

// New returns a Client for cfg. It sends nothing.
func New(cfg Config) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		switch cfg.Environment {
		case "", Sandbox:
			raw = SandboxBaseURL
		case Production:
			raw = ProductionBaseURL
		default:
			return nil, provider.FieldError("Environment", "must be %q or %q", Sandbox, Production)
		}
	}
	u, err := transport.BaseURL(raw)
	if err != nil {
		return nil, provider.FieldError("BaseURL", "%v", err)
	}
	if cfg.ClientID == "" {
		return nil, provider.FieldError("ClientID", "is required")
	}
	if cfg.ClientSecret.IsZero() {
		return nil, provider.FieldError("ClientSecret", "is required")
	}
	c := &Client{&core{base: u.String(), http: transport.Client(cfg.HTTPClient), margin: cfg.RefreshMargin, now: cfg.Now, sem: make(chan struct{}, 1)},
		secret.PrintAs("partner.Client", "clientId", cfg.ClientID, "base", u.String())}
	if c.margin <= 0 {
		c.margin = DefaultRefreshMargin
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.clientID, c.secret = cfg.ClientID, cfg.ClientSecret
	return c, nil
}

// credentials returns the token request configuration. The credentials go in the form
// body, as the Partner API expects.
func (c *Client) credentials() *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:     c.clientID,
		ClientSecret: c.secret.Reveal(),
		TokenURL:     c.base + "/token",
		AuthStyle:    oauth2.AuthStyleInParams,
	}
}

// TokenFetches returns how many tokens the Client has fetched, for monitoring.
func (c *Client) TokenFetches() int64 { return c.fetches.Load() }

// valid reports whether t can still be used.
func (c *Client) valid(t *oauth2.Token) bool {
	return t != nil && t.AccessToken != "" && (t.Expiry.IsZero() || c.now().Add(c.margin).Before(t.Expiry))
}

// token returns a cached token, or fetches one. stale, when not nil, is a token the API
// just refused: it is not reused.
func (c *Client) token(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error) {
	if t := c.tok.Load(); t != stale && c.valid(t) {
		return t, nil
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	if t := c.tok.Load(); t != stale && c.valid(t) {
		return t, nil // fetched by another caller meanwhile
	}
	t, err := c.credentials().Token(context.WithValue(ctx, oauth2.HTTPClient, c.http))
	if err != nil {
		return nil, tokenError(ctx, err)
	}
	c.fetches.Add(1)
	c.tok.Store(t)
	return t, nil
}

// tokenError maps a failed token request. The oauth2 error text can quote the token
// endpoint's body, so only the RFC 6749 code and description are kept.
func tokenError(ctx context.Context, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return &provider.Error{Code: provider.ProviderUnavailable, Message: "the Partner API token endpoint could not be reached"}
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	if status != 0 && transport.Classify(transport.Exchange{Written: true, Status: status}) == transport.Redirected {
		return transport.RedirectError("the Partner API token endpoint", re.Response)
	}
	e := &provider.Error{HTTPStatus: status, ProviderCode: re.ErrorCode, Message: "the Partner API refused the client credentials"}
	if re.ErrorDescription != "" {
		e.Message += ": " + clip(re.ErrorDescription)
	}
	switch {
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client" || status == http.StatusUnauthorized:
		e.Code = provider.Unauthenticated
	case status == http.StatusForbidden:
		e.Code = provider.PermissionDenied
	case status == http.StatusTooManyRequests:
		e.Code, e.Message = provider.RateLimited, "the Partner API token endpoint is rate limiting"
	case status >= 500:
		e.Code, e.Message = provider.ProviderUnavailable, "the Partner API token endpoint failed"
	case status == http.StatusBadRequest && re.ErrorCode == "":
		e.Code = provider.Unauthenticated
	default:
		e.Code = provider.InvalidRequest
	}
	return e
}

// do sends an API request with a bearer token, through transport.Do, which decides
// whether a request that got no usable answer may have been processed; a 401 drops the
// token and sends once more with a new one.
func (c *Client) do(ctx context.Context, method, path string, body []byte, write bool, what string, out any) error {
	var stale *oauth2.Token
	for attempt := 0; ; attempt++ {
		tok, err := c.token(ctx, stale)
		if err != nil {
			return err
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
		if err != nil {
			return &provider.Error{Code: provider.Internal, Message: "building the request", Err: err}
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := transport.Do(c.http, req, "the Partner API", 0)
		if err != nil {
			return err
		}
		if resp.Status == http.StatusUnauthorized && attempt == 0 {
			stale = tok // a revoked or expired token; fetch another and try once more
			continue
		}
		corr := resp.CorrelationID()
		if resp.Status > 299 {
			return transport.Refusal(resp.Status, statusError(resp.Status, resp.Body, corr, what))
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return transport.Unusable(write, resp.Status, corr, "the Partner API's answer could not be understood", err)
		}
		return nil
	}
}

func statusError(status int, body []byte, corr, what string) *provider.Error {
	e := &provider.Error{HTTPStatus: status, CorrelationID: corr, Message: errorMessage(body)}
	def := ""
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		e.Code, def = provider.InvalidRequest, "the Partner API refused the request"
	case status == http.StatusUnauthorized:
		e.Code, def = provider.Unauthenticated, "the Partner API refused the access token"
	case status == http.StatusForbidden:
		e.Code, def = provider.PermissionDenied, "the partner is not allowed to do this"
	case status == http.StatusNotFound:
		e.Code, def = provider.NotFound, "the Partner API knows no such "+what
	case status == http.StatusConflict:
		e.Code, def = provider.Duplicate, "the Partner API reports a conflict"
	case status == http.StatusTooManyRequests:
		e.Code, def = provider.RateLimited, "the Partner API is rate limiting"
	case status >= 500:
		e.Code, def = provider.ProviderUnavailable, "the Partner API could not process the request"
	default:
		e.Code, def = provider.InvalidRequest, "the Partner API refused the request"
	}
	if e.Message == "" {
		e.Message = def
	}
	return e
}

// errorMessage reads message, error, title, detail or error_description from an error
// body, defensively.
func errorMessage(body []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return ""
	}
	var parts []string
	for _, k := range []string{"title", "message", "detail", "error_description", "error"} {
		for key, raw := range obj {
			var s string
			if strings.EqualFold(key, k) && json.Unmarshal(raw, &s) == nil && s != "" {
				parts = append(parts, s)
			}
		}
	}
	return clip(strings.Join(parts, "; "))
}

func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// PaymentType is a payment method a merchant may take.
type PaymentType string

// The payment types of an invitation.
const (
	// Cards enables card payments; leave it out to hide cards for the merchant.
	Cards PaymentType = "cards"
	// OpenBanking enables bank payments; it is always on, whether listed or not.
	OpenBanking PaymentType = "openbanking"
)

// Invitation is an invitation for a client to become a Trustist merchant. It prints and
// logs as its id, status and payment types only. Invitations returns a slice, which
// slog's JSON handler encodes with encoding/json, Raw included: log the invitations one
// by one rather than the slice.
type Invitation struct {
	// ID identifies the invitation.
	ID string
	// Status is the invitation's status, e.g. "sent".
	Status string
	// PaymentTypes are the payment types offered, when the answer lists them.
	PaymentTypes []PaymentType
	// Raw is the invitation's JSON as received, with the members not published.
	Raw json.RawMessage
}

// describe is how an Invitation prints: Raw can carry the invited owner's e-mail
// address and name ([I] the members beside id and status are not published), so it is
// left out.
func (inv Invitation) describe() secret.Opaque {
	return secret.Describe("partner.Invitation", "id", inv.ID, "status", inv.Status, "paymentTypes", typesText(inv.PaymentTypes))
}

// typesText joins the payment types with commas.
func typesText(ts []PaymentType) string {
	types := make([]string, len(ts))
	for i, t := range ts {
		types[i] = string(t)
	}
	return strings.Join(types, ",")
}

// String shows the invitation's id, status and payment types only.
func (inv Invitation) String() string { return inv.describe().String() }

// GoString shows the invitation's id, status and payment types only.
func (inv Invitation) GoString() string { return inv.describe().GoString() }

// Format prints the invitation's id, status and payment types only, whatever the verb.
func (inv Invitation) Format(f fmt.State, verb rune) { inv.describe().Format(f, verb) }

// LogValue logs the invitation's id, status and payment types only, also when it is
// logged by value.
func (inv Invitation) LogValue() slog.Value { return inv.describe().LogValue() }

// UnmarshalJSON reads an invitation and keeps its raw JSON.
func (inv *Invitation) UnmarshalJSON(b []byte) error {
	var w struct {
		ID           string        `json:"id"`
		Status       string        `json:"status"`
		PaymentTypes []PaymentType `json:"paymentTypes"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*inv = Invitation{ID: w.ID, Status: w.Status, PaymentTypes: w.PaymentTypes, Raw: append(json.RawMessage(nil), b...)}
	return nil
}

// CreateInvitationRequest asks for a new invitation: the request body the Partner API
// guide shows, {"email": ..., "name": ..., "paymentTypes": [...]}.
//
// The e-mail address and the name are the invited client's personal data: a
// CreateInvitationRequest prints and logs as its payment types and "[redacted]" for each
// of the two that is set, under every fmt verb and in log/slog.
type CreateInvitationRequest struct {
	// Email is the invited client's e-mail address, where the invitation goes. Required.
	Email string
	// Name is the invited client's name. Required.
	Name string
	// PaymentTypes lists the payment types to offer: Cards to offer card payments too.
	// OpenBanking is always sent, listed or not: the API treats it as mandatory.
	PaymentTypes []PaymentType
}

// describe is how a CreateInvitationRequest prints: never the e-mail address or name.
func (r CreateInvitationRequest) describe() secret.Opaque {
	d := pairs.Redacted(nil, "email", r.Email, "name", r.Name)
	return secret.Describe("partner.CreateInvitationRequest", append(d, "paymentTypes", typesText(r.PaymentTypes))...)
}

// String shows the request's payment types only.
func (r CreateInvitationRequest) String() string { return r.describe().String() }

// GoString shows the request's payment types only.
func (r CreateInvitationRequest) GoString() string { return r.describe().GoString() }

// Format prints the request's payment types only, whatever the verb.
func (r CreateInvitationRequest) Format(f fmt.State, verb rune) { r.describe().Format(f, verb) }

// LogValue logs the request's payment types only, also when it is logged by value.
func (r CreateInvitationRequest) LogValue() slog.Value { return r.describe().LogValue() }

// invitationBody is the body of POST /invitations.
type invitationBody struct {
	Email        string        `json:"email"`
	Name         string        `json:"name"`
	PaymentTypes []PaymentType `json:"paymentTypes"`
}

// Invitations lists the partner's invitations (GET /invitations).
func (c *Client) Invitations(ctx context.Context) ([]Invitation, error) {
	var out []Invitation
	if err := c.do(ctx, http.MethodGet, "/invitations", nil, false, "invitation", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Invitation returns one invitation (GET /invitations/{id}).
func (c *Client) Invitation(ctx context.Context, id string) (*Invitation, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var out Invitation
	if err := c.do(ctx, http.MethodGet, "/invitations/"+url.PathEscape(id), nil, false, "invitation", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateInvitation creates an invitation (POST /invitations). The API takes no
// idempotency key: when the answer is lost the error is UnknownOutcome; list the
// invitations before creating another.
func (c *Client) CreateInvitation(ctx context.Context, req CreateInvitationRequest) (*Invitation, error) {
	if a, err := mail.ParseAddress(req.Email); err != nil || a.Address != req.Email {
		return nil, provider.FieldError("Email", "must be an e-mail address")
	}
	if strings.TrimSpace(req.Name) == "" || len(req.Name) > 200 {
		return nil, provider.FieldError("Name", "is required (at most 200 characters)")
	}
	types := []PaymentType{OpenBanking}
	for _, t := range req.PaymentTypes {
		switch {
		case t != Cards && t != OpenBanking:
			return nil, provider.FieldError("PaymentTypes", "has %q; use cards or openbanking", string(t))
		case !slices.Contains(types, t):
			types = append(types, t)
		}
	}
	body, err := json.Marshal(invitationBody{Email: req.Email, Name: req.Name, PaymentTypes: types})
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "encoding the invitation", Err: err}
	}
	var out Invitation
	if err := c.do(ctx, http.MethodPost, "/invitations", body, true, "invitation", &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "the Partner API's answer carries no invitation id"}
	}
	return &out, nil
}

// MerchantKey is an API key of an invited merchant: the Hawk id (public key) and Hawk
// key (private key) that configure the trustist adapter.
type MerchantKey struct {
	// HawkID is the merchant's API key, the documented "apiKey" (the public half).
	HawkID string
	// HawkKey is the private half when the answer carries it, and zero otherwise: the
	// merchant then copies it from TrustistTransfer, which shows it once when the key is
	// made. [I] The documented answer shows only apiKey, eliding the other members.
	HawkKey secret.Value
}

// MerchantKeys returns the API keys of the merchant that accepted an invitation (GET
// /invitations/{id}/merchant/keys). The documented answer is {"items": [{"apiKey": ...,
// ...}]} (the Partner API guide, step 5); an array of such items, or one item, is read
// too. The public half is apiKey ([I] also publicKey, hawkId, keyId or clientId), the
// private half privateKey, hawkKey, secret, secretKey or key where an item carries one. A
// generic "id" member is not taken as the Hawk id — it may name the key record rather
// than the key [I] — so an answer whose only id is "id" is refused with an Internal error
// rather than yielding a key that would fail later at the Trustist API.
func (c *Client) MerchantKeys(ctx context.Context, invitationID string) ([]MerchantKey, error) {
	if err := checkID(invitationID); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := c.do(ctx, http.MethodGet, "/invitations/"+url.PathEscape(invitationID)+"/merchant/keys", nil, false, "invitation", &raw); err != nil {
		return nil, err
	}
	var objs []map[string]json.RawMessage
	if json.Unmarshal(raw, &objs) != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "the merchant keys answer is neither an object nor an array"}
		}
		objs = []map[string]json.RawMessage{one}
		for k, v := range one { // {"items": [...]}, as documented, or {"keys": [...]}
			if strings.EqualFold(k, "items") || strings.EqualFold(k, "keys") {
				var inner []map[string]json.RawMessage
				if json.Unmarshal(v, &inner) == nil {
					objs = inner
				}
			}
		}
	}
	var out []MerchantKey
	for _, o := range objs {
		id := member(o, "apiKey", "publicKey", "hawkId", "keyId", "clientId")
		if id == "" {
			continue
		}
		k := MerchantKey{HawkID: id}
		if key := member(o, "privateKey", "hawkKey", "secret", "secretKey", "key"); key != "" {
			k.HawkKey = secret.New(key)
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, &provider.Error{Code: provider.Internal, Message: "the merchant keys answer holds no API key (apiKey, or a public key under publicKey, hawkId, keyId or clientId)"}
	}
	return out, nil
}

// member returns the first string member among names, matched case-insensitively.
func member(o map[string]json.RawMessage, names ...string) string {
	for _, n := range names {
		for k, v := range o {
			var s string
			if strings.EqualFold(k, n) && json.Unmarshal(v, &s) == nil && s != "" {
				return s
			}
		}
	}
	return ""
}

func checkID(id string) error {
	if id == "" || len(id) > 256 || strings.ContainsAny(id, "/?# ") {
		return provider.FieldError("id", "must be 1 to 256 characters without / ? # or spaces")
	}
	return nil
}
