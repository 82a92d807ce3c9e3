package trustly

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// rpc is one JSON-RPC call.
type rpc struct {
	method string
	uuid   string
	// data is params.Data without Username and Password, which the Client adds.
	data map[string]any
	// write marks calls that change state at Trustly; a lost answer makes their outcome
	// unknown rather than merely unavailable.
	write bool
	// person names the request's person field for error fields ("Payer", ...).
	person string
}

// fullData returns the signed data: the call's data with the credentials.
func (c *Client) fullData(r *rpc) map[string]any {
	d := make(map[string]any, len(r.data)+2)
	for k, v := range r.data {
		d[k] = v
	}
	d["Username"] = c.s.username
	d["Password"] = c.s.password.Reveal()
	return d
}

// attempt is the outcome of one HTTP exchange.
type attempt struct {
	body     []byte
	x        transport.Exchange // what the exchange shows, for transport.Classify
	redirect error              // a redirect answer's error (transport.Redirected)
}

// call sends r once and returns the verified result. A signed Trustly error becomes a
// *provider.Error with the mapped code; a duplicate MessageID (637) is the caller's to
// resolve by repeating the earlier call with its own idempotency key.
func (c *Client) call(ctx context.Context, r *rpc) (*wire.Result, error) {
	if c.closed.Load() {
		return nil, &provider.Error{Code: provider.InvalidRequest, Message: errClosed.Error()}
	}
	data := c.fullData(r)
	body, err := wire.EncodeRequest(c.s.key, r.method, r.uuid, data)
	if err != nil {
		// The wire errors name the path of the bad value, never its content.
		return nil, &provider.Error{Code: provider.Internal, Message: "encoding the " + r.method + " request", Err: err}
	}
	return c.exchange(ctx, r, body)
}

// exchange posts body once and returns the verified result, or an error saying whether
// Trustly may have processed the request (transport.Classify decides). Repeats are the
// Gateway's retry policy's: an identical request with the same UUID is answered with the
// first result.
func (c *Client) exchange(ctx context.Context, r *rpc, body []byte) (*wire.Result, error) {
	a, err := c.post(ctx, body)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, c.giveUp(ctx, r, transport.Classify(a.x) == transport.MaybeProcessed, a.x.Status, err)
	}
	if a.redirect != nil {
		return nil, a.redirect
	}
	res, err := wire.DecodeResponse(a.body, c.s.trustlyPub, r.method, r.uuid, wire.WithMaxBodySize(transport.MaxResponseBytes))
	if err != nil {
		return nil, c.answerError(ctx, r, a.x, err)
	}
	return res, nil
}

// answerError maps an answer to r that did not decode into a verified result; x is the
// exchange that brought it.
func (c *Client) answerError(ctx context.Context, r *rpc, x transport.Exchange, err error) error {
	var (
		rpcErr *wire.RPCError
		mm     *wire.MismatchError
	)
	if errors.As(err, &rpcErr) && rpcErr.Signed {
		return rpcError(rpcErr, x.Status, r.person)
	}
	// An answer in Trustly's form that does not verify (an unsigned error, a bad
	// signature, an answer to another request) says nothing, its HTTP status included. A
	// body that is not a Trustly answer at all comes from a proxy or an overloaded
	// server, and its status speaks: 503 and 429 say the request was not processed.
	x.Unauthentic = !errors.Is(err, wire.ErrMalformed)
	o := transport.Classify(x)
	switch {
	case errors.As(err, &rpcErr):
		return c.giveUp(ctx, r, o == transport.MaybeProcessed, x.Status, err)
	case errors.Is(err, wire.ErrMalformed) && (o == transport.NotProcessed || o == transport.MaybeProcessed):
		return c.giveUp(ctx, r, o == transport.MaybeProcessed, x.Status, fmt.Errorf("HTTP %d without a Trustly answer", x.Status))
	case errors.Is(err, wire.ErrBadSignature):
		return c.untrusted(r, x.Status, "the "+r.method+" response signature does not verify with the "+c.s.publicKeyName()+"; check Environment (and TrustlyPublicKey)", err)
	case errors.As(err, &mm):
		return c.untrusted(r, x.Status, "the response answers another request (its "+mm.Field+" differs)", err)
	}
	return c.untrusted(r, x.Status, "cannot understand Trustly's answer to "+r.method, err)
}

// untrusted reports an answer that arrived but cannot be trusted: a bad signature, an
// answer to another request, or a body that is not a Trustly answer. Trustly received the
// request and may have acted on it, so for a write the outcome is unknown: repeating it
// with a new idempotency key could act twice. For a read it is an internal error.
func (c *Client) untrusted(r *rpc, status int, what string, cause error) error {
	if r.write {
		return &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: status, Err: cause,
			Message: what + "; Trustly received " + r.method + " and may have processed it: repeat it only with the same idempotency key"}
	}
	return &provider.Error{Code: provider.Internal, HTTPStatus: status, Err: cause, Message: what}
}

// giveUp reports a call that got no trustworthy answer. An unsigned Trustly error keeps its
// code and message in ProviderCode and Message, though nothing authenticates them.
func (c *Client) giveUp(ctx context.Context, r *rpc, maybeProcessed bool, status int, cause error) error {
	var pe *provider.Error
	switch {
	case r.write && maybeProcessed:
		pe = &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: status, Err: cause,
			Message: "Trustly may or may not have processed " + r.method + "; call again with the same idempotency key to get its result"}
	case ctx.Err() != nil && !maybeProcessed:
		return ctx.Err()
	default:
		pe = &provider.Error{Code: provider.ProviderUnavailable, HTTPStatus: status, Err: cause,
			Message: "Trustly did not answer " + r.method}
	}
	var rpcErr *wire.RPCError
	if errors.As(cause, &rpcErr) && !rpcErr.Signed {
		pe.ProviderCode = strconv.Itoa(rpcErr.Code)
		msg := rpcErr.Message
		if msg == "" {
			msg = wire.CodeName(rpcErr.Code)
		}
		pe.Message += " (last answer: unsigned error " + pe.ProviderCode + " " + msg + ")"
	}
	return pe
}

// post sends one request and reads the answer. The attempt tells what the exchange
// showed, whatever the error.
func (c *Client) post(ctx context.Context, body []byte) (attempt, error) {
	tctx, sent := transport.TraceSent(ctx)
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, c.s.endpoint, bytes.NewReader(body))
	if err != nil {
		return attempt{}, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.s.httpClient.Do(req)
	if err != nil {
		return attempt{x: transport.Exchange{Written: sent.Load()}}, scrubURLError(err)
	}
	defer resp.Body.Close()
	x := transport.Exchange{Written: true, Status: resp.StatusCode}
	if transport.Classify(x) == transport.Redirected {
		return attempt{x: x, redirect: redirectError(resp)}, nil
	}
	b, err := transport.ReadResponse(resp, 0)
	if err != nil {
		x.BodyErr = err
		return attempt{x: x}, err
	}
	return attempt{body: b, x: x}, nil
}

// redirectError reports a 3xx answer (transport.Redirected). The client follows no
// redirect (transport.NoRedirects), so Trustly did not process the request at the URL it
// was sent to: the base URL is wrong, and the caller must fix the configuration.
func redirectError(resp *http.Response) error {
	return &provider.Error{Code: provider.InvalidRequest, HTTPStatus: resp.StatusCode,
		Message: "Trustly " + transport.RedirectMessage(resp)}
}

// scrubURLError keeps the cause of a *url.Error; the URL holds no secret, but the
// operation and URL add nothing the caller needs.
func scrubURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}
