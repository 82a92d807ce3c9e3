package trustlyrest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/secret"
)

// Name is the adapter's name, used in results, events and errors.
const Name = "trustlyrest"

// Client is the Trustly REST adapter. It implements provider.Provider and the optional
// Refunder, Payouter, AccountVerifier, CustomerManager and notify.Verifier interfaces, and
// adds Trustly-specific calls (Capture, VerifyRedirect, Transactions). Reach it from a
// Gateway with
//
//	var c *trustlyrest.Client
//	gw.As(&c)
//
// A Client is safe for concurrent use. It keeps no state about calls or orders between
// calls: idempotency is the Gateway's operations journal, and everything else is read from
// Trustly (see the package documentation). Use it through a Gateway: a Client called
// directly does not recognise a repeated call. A Client prints and logs as its access id,
// merchant id and base URL, never its access key.
type Client struct {
	// All state sits behind one pointer: see secret.Opaque.
	*core
}

type core struct {
	base       *url.URL
	accessID   string
	accessKey  secret.Value
	merchantID string
	alg        signing.Algorithm
	signer     *signing.FieldSigner // the establish requestSignature, with keyed HMAC states reused
	hc         *http.Client
	capture    CaptureMode
	currencies []money.Currency
	retries    int
	auth       authHeader // the Authorization header's values, shared by every request

	notifyBudget time.Duration // bound on the API work VerifyNotification does
	settle       time.Duration // see Config.SettlePeriod
}

var (
	_ provider.Provider        = (*Client)(nil)
	_ provider.Refunder        = (*Client)(nil)
	_ provider.Payouter        = (*Client)(nil)
	_ provider.AccountVerifier = (*Client)(nil)
	_ provider.CustomerManager = (*Client)(nil)
	_ provider.Resolver        = (*Client)(nil)
	_ provider.Accounted       = (*Client)(nil)
	_ notify.Verifier          = (*Client)(nil)
)

// New returns a Client for cfg, or an InvalidRequest *provider.Error naming the bad field.
func New(cfg Config) (*Client, error) {
	base, err := cfg.check()
	if err != nil {
		return nil, err
	}
	alg, _ := cfg.SignatureAlgorithm.internal()
	signer, err := signing.NewFieldSigner(cfg.AccessKey.Bytes(), alg)
	if err != nil {
		return nil, provider.FieldError("AccessKey", "cannot sign requests: %v", err)
	}
	curs := cfg.Currencies
	if len(curs) == 0 {
		curs = DefaultCurrencies()
	}
	retries := cfg.ReadRetries
	switch {
	case retries == 0:
		retries = 2
	case retries < 0:
		retries = 0
	}
	return &Client{&core{
		base: base, accessID: cfg.AccessID, accessKey: cfg.AccessKey, merchantID: cfg.MerchantID,
		alg: alg, signer: signer, hc: transport.Client(cfg.HTTPClient), capture: cfg.Capture, currencies: curs, retries: retries,
		auth:         authHeader{signing.BasicAuthorization(cfg.AccessID, cfg.AccessKey.Bytes())},
		notifyBudget: notificationBudget,
		settle:       cmp.Or(cfg.SettlePeriod, DefaultSettlePeriod),
	}}, nil
}

// describe is what a Client prints as.
func (c Client) describe() secret.Opaque {
	if c.core == nil {
		return secret.Describe("trustlyrest.Client")
	}
	return secret.Describe("trustlyrest.Client", "accessId", c.accessID, "merchantId", c.merchantID,
		"base", c.base.String())
}

// String describes the Client without its credentials.
func (c Client) String() string { return c.describe().String() }

// GoString describes the Client without its credentials.
func (c Client) GoString() string { return c.describe().GoString() }

// Format prints the Client without its credentials, whatever the verb.
func (c Client) Format(f fmt.State, verb rune) { c.describe().Format(f, verb) }

// LogValue implements slog.LogValuer: the Client without its credentials.
// A nil *Client logs as <nil>.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.AnyValue(nil)
	}
	return c.describe().LogValue()
}

// authHeader is the Authorization header's values: the Basic credentials alone. They carry
// the accessKey (base64 is not encryption), so they print as [redacted].
type authHeader []string

// String returns "[redacted]".
func (authHeader) String() string { return "[redacted]" }

// GoString returns "[redacted]".
func (authHeader) GoString() string { return "[redacted]" }

// Format prints "[redacted]" whatever the verb.
func (authHeader) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// The header values every request shares: net/http reads a request's header and never
// writes to its values.
var (
	jsonValues = []string{"application/json"}
	formValues = []string{"application/x-www-form-urlencoded"}
)

// Name implements provider.Provider.
func (c *Client) Name() string { return Name }

// Capabilities implements provider.Provider. Everything is supported; refunds may be partial
// and repeated, payouts go to accounts verified interactively (see the package
// documentation).
func (c *Client) Capabilities() provider.Capabilities {
	return provider.Capabilities{
		Operations: provider.AllOperations,
		Currencies: append([]money.Currency(nil), c.currencies...),
		Notes: map[provider.Operation]string{
			provider.OpPayout: "payouts are deposits under a Disbursement authorization: verify the account interactively (VerifyAccount without Account) and pay out to the AccountID it returns",
		},
	}
}

// As implements provider.Provider; it sets a **Client target.
func (c *Client) As(target any) bool {
	if t, ok := target.(**Client); ok {
		*t = c
		return true
	}
	return false
}

// Close implements provider.Provider: it releases idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// body is a request body: JSON, already written JSON, or form-encoded.
type body struct {
	json    any
	rawJSON []byte
	form    signing.Form
}

func jsonBody(v any) *body          { return &body{json: v} }
func formBody(f signing.Form) *body { return &body{form: f} }

// call sends one request and returns the answer's body. Reads are repeated after transport
// failures and 5xx answers up to c.retries times; writes never are. Error answers — any
// {"errors":[...]} body, whatever the HTTP status, and any non-2xx status — become
// *provider.Error values.
func (c *Client) call(ctx context.Context, method, path, rawQuery string, b *body, kind lookupKind) ([]byte, error) {
	write := method != http.MethodGet
	wait := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		out, err := c.once(ctx, method, path, rawQuery, b, write, kind)
		if err == nil || write || attempt >= c.retries || !isCode(err, provider.ProviderUnavailable) {
			return out, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
		wait *= 4
	}
}

func (c *Client) once(ctx context.Context, method, path, rawQuery string, b *body, write bool, kind lookupKind) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Each request gets its own URL, so that a transport breaking http.RoundTripper's
	// rule by changing it cannot redirect later requests.
	u := new(url.URL)
	*u = *c.base
	u.Path += path
	u.RawQuery = rawQuery
	var raw []byte
	var contentType []string
	if b != nil {
		switch {
		case b.rawJSON != nil:
			raw, contentType = b.rawJSON, jsonValues
		case b.json != nil:
			var err error
			if raw, err = json.Marshal(b.json); err != nil {
				return nil, &provider.Error{Code: provider.Internal, Message: "encoding the request", Err: err}
			}
			contentType = jsonValues
		default:
			raw, contentType = []byte(signing.EncodeForm(b.form)), formValues
		}
	}
	// A request counts as sent once the transport has begun writing it to a connection:
	// before that Trustly cannot have acted on it.
	ctx, sent := transport.TraceSent(ctx)
	// The request is built from the parsed base URL rather than from a string that
	// http.NewRequest would parse again; the headers are set under their canonical names.
	req := (&http.Request{
		Method: method, URL: u, Host: u.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Authorization": c.auth, "Accept": jsonValues},
	}).WithContext(ctx)
	if b != nil {
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	}
	if contentType != nil {
		req.Header["Content-Type"] = contentType
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, transportError(ctx, transport.Exchange{Written: sent.Load()}, err, write)
	}
	defer resp.Body.Close()
	x := transport.Exchange{Written: true, Status: resp.StatusCode}
	if transport.Classify(x) == transport.Redirected {
		return nil, redirectError(resp)
	}
	answer, err := transport.ReadResponse(resp, 0)
	if err != nil {
		x.BodyErr = err
		return nil, transportError(ctx, x, err, write)
	}
	var pe *provider.Error
	if details, ok := parseErrorBody(answer); ok {
		pe = errorFor(&APIError{HTTPStatus: resp.StatusCode, Errors: details}, kind)
	} else if resp.StatusCode < 200 || resp.StatusCode > 299 {
		pe = errorFor(&APIError{HTTPStatus: resp.StatusCode, Message: parseMessageBody(answer)}, kind)
	} else {
		return answer, nil
	}
	if write {
		return nil, writeError(pe, transport.Classify(x))
	}
	return nil, pe
}

// getTransaction fetches one transaction; an unknown id is NotFound.
func (c *Client) getTransaction(ctx context.Context, id string) (*wireTransaction, error) {
	if !validID(id) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "no Trustly transaction has this id (transaction ids are numeric)"}
	}
	raw, err := c.call(ctx, http.MethodGet, "/transactions/"+id, "", nil, isLookup)
	if err != nil {
		return nil, err
	}
	return decodeTransaction(raw)
}

// postTransaction sends an action on a transaction and returns the transaction it created
// or changed. An answer that cannot be read is an unknown outcome: Trustly took the action.
func (c *Client) postTransaction(ctx context.Context, path string, f signing.Form) (*wireTransaction, error) {
	raw, err := c.call(ctx, http.MethodPost, path, "", formBody(f), isAction)
	if err != nil {
		return nil, err
	}
	t, err := decodeTransaction(raw)
	if err != nil {
		return nil, unreadableAnswer(err)
	}
	return t, nil
}

// validID reports whether s looks like a Trustly id: digits only, at most 15
// (https://amer.developers.trustly.com/openapi.json).
// Anything else cannot name a Trustly object and is never put in a URL path.
func validID(s string) bool { return isDigits(s) && len(s) <= 15 }

// asProviderError returns the *provider.Error in err's chain, or nil.
func asProviderError(err error) *provider.Error {
	var pe *provider.Error
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
