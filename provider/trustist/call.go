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
	"strings"

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

// correlationKey is CorrelationHeader in net/http's canonical form, the key of
// http.Header; looked up directly, it is not canonicalised again for every answer.
var correlationKey = http.CanonicalHeaderKey(CorrelationHeader)

func firstValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

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
	// write marks a request that may change state at Trustist: when the answer is lost
	// after it was sent, its outcome is unknown.
	write bool
	// what names the object for NotFound messages ("payment", "customer").
	what string
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

// send performs c with Hawk authentication. It retries once, with a synchronised clock,
// when Trustist answers 401 with an authenticated stale-timestamp reply; any other
// failure is returned as a *provider.Error (or a context error when the caller gave up
// before anything was sent).
func (p *Client) send(ctx context.Context, c call) (*reply, error) {
	cred, err := p.credential(c.scope)
	if err != nil {
		return nil, err
	}
	// Built once: the Hawk MAC and the request are both made from this URL.
	u, err := p.requestURL(c.path, c.query)
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "building the request URL", Err: err}
	}
	resentRead := false
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		opts := hawk.RequestOptions{Clock: &p.clock}
		if c.body != nil {
			opts.ContentType, opts.Payload, opts.HasPayload = jsonType, c.body, true
		}
		auth, artifacts, err := hawk.RequestHeaderURL(cred, c.method, u, opts)
		if err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "signing the request", Err: err}
		}
		tctx, sent := transport.TraceSent(ctx)
		resp, err := p.client.Do(newRequest(tctx, c.method, u, auth, c.body))
		if err != nil {
			return nil, p.networkError(ctx, c, sent.Load(), err)
		}
		b, rerr := transport.ReadResponse(resp, p.maxBody)
		_ = resp.Body.Close()
		corr := firstValue(resp.Header[correlationKey])
		x := transport.Exchange{Written: true, Status: resp.StatusCode, BodyErr: rerr}
		if rerr == nil && resp.StatusCode == http.StatusUnauthorized && attempt > 0 {
			if _, ok := staleTimestamp(resp.Header); ok {
				return nil, &provider.Error{Code: provider.Unauthenticated, HTTPStatus: resp.StatusCode, CorrelationID: corr,
					Message: "Trustist refused the request's timestamp again right after this client synchronised its clock " +
						"with the server time; the local clock is drifting or jumping (check NTP), or requests take longer " +
						"than the server's allowed skew to arrive"}
			}
		}
		if rerr == nil && resp.StatusCode == http.StatusUnauthorized && !c.write && !resentRead && replayedNonce(resp.Header) {
			// net/http repeats an idempotent request by itself when a reused connection
			// closes before the answer arrives, with the same Authorization header; the
			// server refuses the copy's nonce as a replay. The read was answered but the
			// answer lost: read again, with a fresh nonce.
			resentRead = true
			continue
		}
		if rerr == nil && resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			if wa, ok := staleTimestamp(resp.Header); ok {
				if err := p.clock.Sync(cred, wa); err != nil {
					return nil, &provider.Error{Code: provider.Unauthenticated, HTTPStatus: resp.StatusCode, CorrelationID: corr,
						Message: "Trustist refused the request's timestamp and its reply with the server time did not authenticate", Err: err}
				}
				continue // the request was refused before processing; resend with the server's time
			}
		}
		var unauthentic error
		if rerr == nil {
			sa := resp.Header.Get("Server-Authorization")
			switch {
			case p.requireSA && signedStatus(resp.StatusCode):
				// The header, and its hash of the body, are required.
				unauthentic = hawk.VerifyResponse(cred, artifacts, sa, resp.Header.Get("Content-Type"), nonNil(b))
			case sa != "":
				unauthentic = verifyResponse(cred, artifacts, sa, resp.Header.Get("Content-Type"), b)
			}
			x.Unauthentic = unauthentic != nil
		}
		switch transport.Classify(x) {
		case transport.Answered:
			if resp.StatusCode < 300 {
				return &reply{status: resp.StatusCode, body: b, correlationID: corr}, nil
			}
		case transport.Redirected:
			return nil, redirectError(resp, corr)
		case transport.MaybeProcessed:
			switch {
			case x.Unauthentic:
				what := "the response's Server-Authorization header does not authenticate it"
				if errors.Is(unauthentic, hawk.ErrNoServerAuthorization) {
					what = "the response carries no Server-Authorization header, which Config.RequireServerAuthorization requires"
				} else if errors.Is(unauthentic, hawk.ErrMissingResponseHash) {
					what = "the response's Server-Authorization header covers no body hash, which Config.RequireServerAuthorization requires"
				}
				return nil, uncertain(c, x, corr, what, fmt.Errorf("%w: %w", errUnverified, unauthentic))
			case rerr != nil:
				return nil, readError(ctx, c, x, corr)
			case resp.StatusCode == http.StatusSeeOther:
				return nil, uncertain(c, x, corr, "Trustist "+transport.RedirectMessage(resp), nil)
			}
		}
		return nil, p.statusError(c, cred, x, b, corr)
	}
}

// requestURL returns the URL of a call: the base URL with path (escaped) and query
// appended. A path without escapes is appended to the parsed base URL as it is, which is
// what parsing the joined string would give (TestRequestURLMatchesParse); one with
// escapes is parsed.
func (p *Client) requestURL(path string, query url.Values) (*url.URL, error) {
	if strings.IndexByte(path, '%') >= 0 || strings.ContainsAny(path, "?#") {
		target := p.base.String() + path
		if len(query) > 0 {
			target += "?" + query.Encode()
		}
		return url.Parse(target)
	}
	u := *p.base
	u.Path += path
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return &u, nil
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

// newRequest builds the request from the parsed URL, with its headers set under their
// canonical names, rather than through http.NewRequest, which would parse the URL again.
func newRequest(ctx context.Context, method string, u *url.URL, auth string, body []byte) *http.Request {
	req := (&http.Request{
		Method: method, URL: u, Host: u.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Authorization": {auth}, "Accept": jsonValues},
	}).WithContext(ctx)
	if body != nil {
		req.Header["Content-Type"] = jsonValues
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return req
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

// networkError classifies a failure to obtain an answer.
func (p *Client) networkError(ctx context.Context, c call, sent bool, err error) error {
	if c.write && transport.Classify(transport.Exchange{Written: sent}) == transport.MaybeProcessed {
		return &provider.Error{Code: provider.UnknownOutcome,
			Message: "the request reached Trustist but no answer arrived; it may have taken effect", Err: err}
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return &provider.Error{Code: provider.ProviderUnavailable, Message: "Trustist could not be reached", Err: err}
}

// uncertain reports an answer after which a write may have taken effect (Classify's
// MaybeProcessed): UnknownOutcome for a write, Internal for a read, whose answer cannot
// be used but which may be made again.
func uncertain(c call, x transport.Exchange, corr, what string, cause error) error {
	if c.write {
		return &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: x.Status, CorrelationID: corr, Err: cause,
			Message: what + "; the request may have taken effect"}
	}
	return &provider.Error{Code: provider.Internal, HTTPStatus: x.Status, CorrelationID: corr, Message: what, Err: cause}
}

// readError classifies a failure to read an answer's body (Classify's MaybeProcessed).
// A read whose body broke off is unavailable, and may be made again; one too large to
// read is Internal.
func readError(ctx context.Context, c call, x transport.Exchange, corr string) error {
	if c.write || errors.Is(x.BodyErr, transport.ErrResponseTooLarge) {
		return uncertain(c, x, corr, "reading Trustist's answer", x.BodyErr)
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return &provider.Error{Code: provider.ProviderUnavailable, HTTPStatus: x.Status, CorrelationID: corr,
		Message: "reading Trustist's answer", Err: x.BodyErr}
}

// redirectError reports a 3xx answer (Classify's Redirected). The client follows no
// redirect (transport.NoRedirects), so Trustist did not process the request at the URL it
// was sent to: the base URL is wrong, and the caller must fix the configuration.
func redirectError(resp *http.Response, corr string) error {
	return &provider.Error{Code: provider.InvalidRequest, HTTPStatus: resp.StatusCode, CorrelationID: corr,
		Message: "Trustist " + transport.RedirectMessage(resp)}
}

// statusError maps a non-2xx answer to a *provider.Error; x is the exchange as Classify
// saw it.
func (p *Client) statusError(c call, cred hawk.Credentials, x transport.Exchange, body []byte, corr string) error {
	status := x.Status
	detail := parseErrorBody(body)
	e := &provider.Error{HTTPStatus: status, CorrelationID: corr, ProviderCode: detail.code, Field: detail.field, Message: detail.message}
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
		if c.scope == tenantKey {
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
	if c.write && transport.Classify(x) == transport.MaybeProcessed {
		// A 500 can follow a row already written, and a proxy's 502 or 504 a request that
		// reached the API behind it: the write may have taken effect. Only a 503 says it
		// was refused before processing (see transport.Classify).
		e.Code = provider.UnknownOutcome
		prefix("the request may have taken effect")
	}
	return e
}
