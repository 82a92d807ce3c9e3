package trustly

import (
	"bytes"
	"context"
	"errors"
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
	// write marks calls that change state at Trustly; an answer that cannot be trusted
	// makes their outcome unknown (transport.Unusable).
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

// request builds the signed HTTP request of r, with ctx as its context.
func (c *Client) request(ctx context.Context, r *rpc) (*http.Request, error) {
	if c.closed.Load() {
		return nil, &provider.Error{Code: provider.InvalidRequest, Message: errClosed.Error()}
	}
	body, err := wire.EncodeRequest(c.s.key, r.method, r.uuid, c.fullData(r))
	if err != nil {
		// The wire errors name the path of the bad value, never its content.
		return nil, &provider.Error{Code: provider.Internal, Message: "encoding the " + r.method + " request", Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.s.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "building the " + r.method + " request", Err: err}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// call sends r once, through transport.Do, which decides whether a request that got no
// answer may have been processed, and returns the verified result. A signed Trustly error
// becomes a *provider.Error with the mapped code; a duplicate MessageID (637) is the
// caller's to resolve by repeating the earlier call with its own idempotency key. Repeats
// are the Gateway's retry policy's: an identical request with the same UUID is answered
// with the first result.
func (c *Client) call(ctx context.Context, r *rpc) (*wire.Result, error) {
	if id, ok := r.data["MessageID"].(string); ok && blank(id) {
		// Every MessageID the adapter sends is the request's MerchantReference (or derived
		// from its idempotency key); Trustly's Java client refuses a blank one (@NotBlank).
		return nil, provider.FieldError("MerchantReference", "must not be blank: it is the %s's MessageID", r.method)
	}
	req, err := c.request(ctx, r)
	if err != nil {
		return nil, err
	}
	resp, err := transport.Do(c.s.httpClient, req, "Trustly", 0)
	if err != nil {
		return nil, err
	}
	res, err := wire.DecodeResponse(resp.Body, c.s.trustlyPub, r.method, r.uuid, wire.WithMaxBodySize(transport.MaxResponseBytes))
	if err != nil {
		return nil, c.answerError(ctx, r, transport.Exchange{Written: true, Status: resp.Status}, err)
	}
	return res, nil
}

// answerError maps an answer to r that did not decode into a verified result; x is the
// exchange that brought it. A signed Trustly error says what happened, whatever the HTTP
// status. An unsigned error says nothing, its status included (transport.Unverified). A
// body that is not a Trustly answer at all comes from a proxy or an overloaded server,
// and a status that speaks says what happened (transport.Refusal: 503 and 429 say the
// request was not processed, another 5xx that it may have been). Any other answer —
// malformed under a 2xx or 4xx, a bad signature, an answer to another request — cannot be
// used (transport.Unusable).
func (c *Client) answerError(_ context.Context, r *rpc, x transport.Exchange, err error) error {
	var (
		rpcErr *wire.RPCError
		mm     *wire.MismatchError
	)
	o := transport.Classify(x)
	switch {
	case errors.As(err, &rpcErr) && rpcErr.Signed:
		return rpcError(rpcErr, x.Status, r.person)
	case errors.As(err, &rpcErr):
		// The unsigned error keeps its code and message, though nothing authenticates them.
		msg := rpcErr.Message
		if msg == "" {
			msg = wire.CodeName(rpcErr.Code)
		}
		pe := transport.Unverified(x.Status, "Trustly answered "+r.method+" with an unsigned error ("+strconv.Itoa(rpcErr.Code)+" "+msg+")", err)
		pe.ProviderCode = strconv.Itoa(rpcErr.Code)
		return pe
	case errors.Is(err, wire.ErrMalformed) && o != transport.Answered:
		return transport.Refusal(x.Status, &provider.Error{Code: provider.ProviderUnavailable, HTTPStatus: x.Status, Err: err,
			Message: "HTTP " + strconv.Itoa(x.Status) + " without a Trustly answer to " + r.method})
	case errors.Is(err, wire.ErrBadSignature):
		return transport.Unusable(r.write, x.Status, "", "the "+r.method+" response signature does not verify with the "+c.s.publicKeyName()+"; check Environment (and TrustlyPublicKey)", err)
	case errors.As(err, &mm):
		return transport.Unusable(r.write, x.Status, "", "the response answers another request (its "+mm.Field+" differs)", err)
	}
	return transport.Unusable(r.write, x.Status, "", "cannot understand Trustly's answer to "+r.method, err)
}
