package trustlyrest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

func jsonBody(v any) *body { return &body{json: v} }

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
