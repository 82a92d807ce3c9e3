package trustlyrest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

func jsonBody(v any) *body { return &body{json: v} }

func formBody(f signing.Form) *body { return &body{form: f} }

// call sends one request, once, through transport.Do, which decides whether a request
// that got no usable answer may have been processed; repeats are the Gateway's. Error
// answers — any {"errors":[...]} body, whatever the HTTP status, and any non-2xx status —
// become *provider.Error values, through transport.Refusal.
func (c *Client) call(ctx context.Context, method, path, rawQuery string, b *body, kind lookupKind) ([]byte, error) {
	var rd io.Reader
	var contentType []string
	if b != nil {
		var raw []byte
		switch {
		case b.json != nil:
			var err error
			if raw, err = json.Marshal(b.json); err != nil {
				return nil, &provider.Error{Code: provider.Internal, Message: "encoding the request", Err: err}
			}
			contentType = jsonValues
		default:
			raw, contentType = []byte(signing.EncodeForm(b.form)), formValues
		}
		rd = bytes.NewReader(raw)
	}
	target := c.baseURL + path
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "building the request", Err: err}
	}
	req.Header["Authorization"], req.Header["Accept"] = c.auth, jsonValues
	if contentType != nil {
		req.Header["Content-Type"] = contentType
	}
	resp, err := transport.Do(c.hc, req, "Trustly", 0)
	if err != nil {
		return nil, err
	}
	if details, ok := parseErrorBody(resp.Body); ok {
		return nil, transport.Refusal(resp.Status, errorFor(&APIError{HTTPStatus: resp.Status, Errors: details}, kind))
	}
	if resp.Status > 299 {
		return nil, transport.Refusal(resp.Status, errorFor(&APIError{HTTPStatus: resp.Status, Message: parseMessageBody(resp.Body)}, kind))
	}
	return resp.Body, nil
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
