package trustist

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
)

// keyScope says which configured key signs a call.
type keyScope int

const (
	merchantKey keyScope = iota
	tenantKey
)

func (s keyScope) String() string {
	if s == tenantKey {
		return "tenant key"
	}
	return "merchant key"
}

// CorrelationHeader is the response header in which Trustist returns its correlation id.
const CorrelationHeader = "CorrelationId"

const jsonType = "application/json"

// jsonValues is jsonType as a header's values, shared by every request: net/http reads a
// request's header and never writes to its values.
var jsonValues = []string{jsonType}

// call describes one API request.
type call struct {
	scope  keyScope
	method string
	// path is the escaped path below the base URL, e.g. "/v1/payments/abc".
	path  string
	query url.Values
	// body is the exact JSON sent, or nil for none.
	body []byte
	// write marks a request that may change state at Trustist: an answer that cannot be
	// trusted leaves its outcome unknown (transport.Unusable).
	write bool
	// what names the object for NotFound messages ("payment", "customer").
	what string
	// permission is the tenant-key permission the endpoint needs, when known: a 403 then
	// names it (see PermissionError).
	permission string
}

// reply is a 2xx answer.
type reply struct {
	status        int
	body          []byte
	correlationID string
}

// credential returns the key for scope, or an error naming the missing key.
func (p *Client) credential(s keyScope) (hawk.Credentials, error) {
	if s == tenantKey {
		if !p.hasTenant {
			return hawk.Credentials{}, errNoTenant()
		}
		return p.tenant, nil
	}
	return p.merchant, nil
}

// errNoTenant is returned, before anything is sent, by calls that need the tenant key
// when none was configured. PermissionDenied matches what Trustist itself answers (403)
// when a merchant key calls these endpoints.
func errNoTenant() error {
	return &provider.Error{Code: provider.PermissionDenied,
		Message: "this call needs a Trustist tenant key (Config.Tenant, or PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and " +
			"PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY), and none is configured; merchant keys are refused on customer, " +
			"onboarding and bank-account endpoints"}
}

// marshal encodes v as the exact bytes to send.
func marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "encoding the request", Err: err}
	}
	return b, nil
}

// send performs c with Hawk authentication, through transport.Do, which decides whether a
// request that got no usable answer may have been processed. It resends once, with a
// synchronised clock, when Trustist answers 401 with an authenticated stale-timestamp
// reply; any other failure is returned as a *provider.Error (or a context error when the
// caller gave up before anything was sent).
func (p *Client) send(ctx context.Context, c call) (*reply, error) {
	cred, err := p.credential(c.scope)
	if err != nil {
		return nil, err
	}
	target := p.base + c.path
	if len(c.query) > 0 {
		target += "?" + c.query.Encode()
	}
	resentRead := false
	for attempt := 0; ; attempt++ {
		req, err := newRequest(ctx, c.method, target, c.body)
		if err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "building the request", Err: err}
		}
		opts := hawk.RequestOptions{Clock: &p.clock}
		if c.body != nil {
			opts.ContentType, opts.Payload, opts.HasPayload = jsonType, c.body, true
		}
		// The MAC covers the URL the request is sent to.
		auth, artifacts, err := hawk.RequestHeaderURL(cred, c.method, req.URL, opts)
		if err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "signing the request", Err: err}
		}
		req.Header["Authorization"] = []string{auth}
		resp, err := transport.Do(p.client, req, "Trustist", p.maxBody)
		if err != nil {
			return nil, err
		}
		corr := resp.CorrelationID()
		if resp.Status == http.StatusUnauthorized {
			if _, ok := staleTimestamp(resp.Header); ok && attempt > 0 {
				return nil, &provider.Error{Code: provider.Unauthenticated, HTTPStatus: resp.Status, CorrelationID: corr,
					Message: "Trustist refused the request's timestamp again right after this client synchronised its clock " +
						"with the server time; the local clock is drifting or jumping (check NTP), or requests take longer " +
						"than the server's allowed skew to arrive"}
			}
			if !c.write && !resentRead && replayedNonce(resp.Header) {
				// net/http repeats an idempotent request by itself when a reused connection
				// closes before the answer arrives, with the same Authorization header; the
				// server refuses the copy's nonce as a replay. The read was answered but the
				// answer lost: read again, with a fresh nonce.
				resentRead = true
				continue
			}
			if wa, ok := staleTimestamp(resp.Header); ok && attempt == 0 {
				if err := p.clock.Sync(cred, wa); err != nil {
					return nil, &provider.Error{Code: provider.Unauthenticated, HTTPStatus: resp.Status, CorrelationID: corr,
						Message: "Trustist refused the request's timestamp and its reply with the server time did not authenticate", Err: err}
				}
				continue // the request was refused before processing; resend with the server's time
			}
		}
		var unauthentic error
		sa := resp.Header.Get("Server-Authorization")
		switch {
		case p.requireSA && signedStatus(resp.Status):
			// The header, and its hash of the body, are required.
			unauthentic = hawk.VerifyResponse(cred, artifacts, sa, resp.Header.Get("Content-Type"), nonNil(resp.Body))
		case sa != "":
			unauthentic = verifyResponse(cred, artifacts, sa, resp.Header.Get("Content-Type"), resp.Body)
		}
		if unauthentic != nil {
			what := "the response's Server-Authorization header does not authenticate it"
			if errors.Is(unauthentic, hawk.ErrNoServerAuthorization) {
				what = "the response carries no Server-Authorization header, which Config.RequireServerAuthorization requires"
			} else if errors.Is(unauthentic, hawk.ErrMissingResponseHash) {
				what = "the response's Server-Authorization header covers no body hash, which Config.RequireServerAuthorization requires"
			}
			return nil, transport.Unusable(c.write, resp.Status, corr, what, fmt.Errorf("%w: %w", errUnverified, unauthentic))
		}
		if resp.Status < 300 {
			return &reply{status: resp.Status, body: resp.Body, correlationID: corr}, nil
		}
		return nil, p.statusError(c, cred, resp.Status, resp.Body, corr)
	}
}

// replayedNonce reports whether a 401 answer refuses the request's nonce as already used
// (WWW-Authenticate: Hawk error="Invalid nonce", as Hawk servers answer a replay).
func replayedNonce(h http.Header) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		if attrs, err := hawk.ParseHeader(v, hawk.WWWAuthenticate); err == nil && attrs["error"] == "Invalid nonce" {
			return true
		}
	}
	return false
}

// newRequest builds the request, but for its Authorization, with its headers set under
// their canonical names.
func newRequest(ctx context.Context, method, target string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, err
	}
	req.Header["Accept"] = jsonValues
	if body != nil {
		req.Header["Content-Type"] = jsonValues
	}
	return req, nil
}

// errUnverified marks the error of an answer whose Server-Authorization is missing (when
// required) or does not verify.
var errUnverified = errors.New("trustist: the answer is not authenticated by its Server-Authorization header")

// signedStatus reports whether an answer with this status must carry a
// Server-Authorization when Config.RequireServerAuthorization is set: every answer to
// an authenticated request, which is any status below 500 except 401 (the request was
// not authenticated, so there is nothing to sign with) and 429 (refused before
// processing, which transport.Classify trusts whatever the body). A 5xx other than 503 is
// already an answer after which a write may have taken effect, and a 503 is trusted as
// a refusal before processing by the same rule, so neither needs it.
func signedStatus(status int) bool {
	return status < 500 && status != http.StatusUnauthorized && status != http.StatusTooManyRequests
}

// nonNil returns b, or an empty body for nil, so that hawk.VerifyResponse checks the
// payload hash of an empty answer too.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// verifyResponse checks a Server-Authorization header, covering the body when the server
// included a payload hash.
func verifyResponse(cred hawk.Credentials, req hawk.Artifacts, header, contentType string, body []byte) error {
	attrs, err := hawk.ParseHeader(header, hawk.ServerAuthorization)
	if err != nil {
		return err
	}
	var payload []byte
	if _, ok := attrs["hash"]; ok {
		payload = body
		if payload == nil {
			payload = []byte{}
		}
	}
	return hawk.VerifyResponse(cred, req, header, contentType, payload)
}

// staleTimestamp returns the WWW-Authenticate value that carries a server time, if any.
func staleTimestamp(h http.Header) (string, bool) {
	for _, v := range h.Values("WWW-Authenticate") {
		if attrs, err := hawk.ParseHeader(v, hawk.WWWAuthenticate); err == nil {
			if _, ok := attrs["ts"]; ok {
				return v, true
			}
		}
	}
	return "", false
}

// statusError maps a whole non-2xx answer to a *provider.Error, through transport.Refusal.
func (p *Client) statusError(c call, cred hawk.Credentials, status int, body []byte, corr string) error {
	detail := parseErrorBody(body)
	e := &provider.Error{HTTPStatus: status, CorrelationID: corr, ProviderCode: detail.code, Field: detail.field, Message: detail.message}
	if detail.code == CodeMissingPersonData {
		e.Err = missingPersonData(body)
	}
	prefix := func(s string) {
		if e.Message == "" {
			e.Message = s
		} else {
			e.Message = s + ": " + e.Message
		}
	}
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		e.Code = provider.InvalidRequest
		if e.Message == "" {
			e.Message = "Trustist refused the request"
		}
	case status == http.StatusUnauthorized:
		e.Code = provider.Unauthenticated
		prefix(fmt.Sprintf("Trustist refused the %s with Hawk id %q; check the key pair and the environment", c.scope, cred.ID))
	case status == http.StatusForbidden:
		e.Code = provider.PermissionDenied
		if c.permission != "" {
			prefix(fmt.Sprintf("Trustist refused the %s (Hawk id %q) for this call, which needs the %s permission; "+
				"ask Trustist support to grant it to the key", c.scope, cred.ID, c.permission))
			e.Err = &PermissionError{Permission: c.permission}
		} else if c.scope == tenantKey {
			prefix(fmt.Sprintf("Trustist refused the key configured as tenant key (Hawk id %q): customer, onboarding and "+
				"bank-account calls need a tenant key with the matching permission (create_customer, "+
				"create_onboard_session) from Trustist support; merchant keys are refused here", cred.ID))
		} else {
			prefix(fmt.Sprintf("Trustist refused the merchant key (Hawk id %q) for this call", cred.ID))
		}
	case status == http.StatusNotFound:
		e.Code = provider.NotFound
		what := c.what
		if what == "" {
			what = "object"
		}
		prefix("Trustist knows no such " + what)
	case status == http.StatusConflict:
		e.Code = provider.Duplicate
		prefix("Trustist reports a conflict")
	case status == http.StatusTooManyRequests:
		e.Code = provider.RateLimited
		prefix("Trustist is rate limiting these requests")
	case status >= 500:
		e.Code = provider.ProviderUnavailable
		prefix("Trustist could not process the request")
	default:
		e.Code = provider.InvalidRequest
		prefix("Trustist refused the request")
	}
	// A 500 can follow a row already written, and a proxy's 502 or 504 a request that
	// reached the API behind it: the request may have taken effect. Only a 503 says it
	// was refused before processing.
	return transport.Refusal(status, e)
}
