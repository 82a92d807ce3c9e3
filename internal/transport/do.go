package transport

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"go.opentelemetry.io/otel/trace"

	"github.com/paybridge/paybridge/provider"
)

// Response is a whole answer to a request Do sent.
type Response struct {
	// Status is the answer's HTTP status.
	Status int
	// Header is the answer's header.
	Header http.Header
	// Body is the whole body.
	Body []byte
}

// CorrelationID returns the answer's correlation or request id, for errors.
func (r *Response) CorrelationID() string { return CorrelationID(r.Header) }

// Do sends req once with c, records whether the request was written to a connection, and
// reads the answer's whole body, at most limit bytes (MaxResponseBytes when limit <= 0).
// who names the provider in error messages ("Trustist"). Build req with
// http.NewRequestWithContext: its context is the caller's. c should follow no redirect
// (Client); Do refuses the redirect answers it returns.
//
// It is the one place that decides whether a request that got no usable answer may have
// been processed, and it decides alike for reads and writes: whether to repeat a call is
// the Gateway's retry policy's choice, not the adapter's. It returns a *Response for every
// whole answer other than a redirect, whatever its status: the adapter reads the
// provider's error from the body, and passes what it made of it through Refusal.
// Otherwise the error is exactly one of:
//
//   - the context's error, as it is, when the caller's context ended before anything was
//     written;
//   - a *provider.Error with Code ProviderUnavailable when the request provably was not
//     processed: nothing was written (the dial or the TLS handshake failed), or the
//     answer's status says it was refused before processing (503; 429 is RateLimited)
//     and its body broke off (see Classify);
//   - Code UnknownOutcome when it may have been processed: it was written and no whole
//     answer came back (the connection failed, a timeout, the context ended, the body
//     broke off or exceeds limit), or the answer is a 303 See Other, which can point at
//     the result of a processed request (RFC 9110 §15.4.4);
//   - Code InvalidRequest for any other redirect: the request was not processed at the
//     URL it was sent to, and the base URL is wrong (see RedirectError).
//
// No error carries a credential: the request's URL is dropped from net/http's errors
// (ScrubURLError), a redirect's Location loses its user info and query, and headers are
// never quoted.
//
// When req's context holds a span (a Gateway call's), Do traces the attempt as a child
// span with that span's tracer provider, from sending to the end of the body: the method,
// the server's host and port, the answer's status and request id and the error's code —
// no path, query, header or body. The request id goes on the parent span too.
func Do(c *http.Client, req *http.Request, who string, limit int64) (r *Response, err error) {
	ctx, span := startAttempt(req.Context(), req)
	var resp *http.Response
	defer func() { endAttempt(trace.SpanFromContext(req.Context()), span, resp, err) }()
	ctx, release := bound(ctx, c)
	defer release()
	resp, err = open(ctx, c, req, who)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := ReadResponse(resp, limit)
	if err != nil {
		return nil, BodyFailure(req.Context(), who, resp, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode == http.StatusSeeOther {
		return nil, &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: resp.StatusCode,
			CorrelationID: CorrelationID(resp.Header), Message: who + " " + RedirectMessage(resp) + mayHave}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// Open is Do for an answer read as a stream (a report of millions of rows): it sends req
// once and classifies every failure before the body as Do does, and returns the answer
// with its body unread for every status but a redirect. The caller closes the body, and
// passes a failure to read it through BodyFailure. Its span, like Do's, ends when the
// answer's header has arrived.
func Open(c *http.Client, req *http.Request, who string) (resp *http.Response, err error) {
	ctx, span := startAttempt(req.Context(), req)
	defer func() { endAttempt(trace.SpanFromContext(req.Context()), span, resp, err) }()
	return open(ctx, c, req, who)
}

// open is Open without the span, sending req with ctx (req's own, or the attempt span's).
func open(ctx context.Context, c *http.Client, req *http.Request, who string) (*http.Response, error) {
	if err := ctx.Err(); err != nil {
		// net/http gives up on it before asking for a connection, which the trace would
		// take for a transport that reports nothing.
		return nil, failure(req.Context(), who, Exchange{}, "", err)
	}
	var s sent
	resp, err := c.Do(req.WithContext(s.traceOn(ctx)))
	if err != nil {
		// The caller's context, not ctx: ctx may end sooner, at the attempt's end
		// (WithAttemptEnd), which leaves nothing sent but the caller still waiting.
		return nil, failure(req.Context(), who, Exchange{Written: s.Load()}, "", err)
	}
	if Classify(Exchange{Written: true, Status: resp.StatusCode}) == Redirected {
		resp.Body.Close()
		return nil, RedirectError(who, resp)
	}
	return resp, nil
}

// BodyFailure classifies err, a failure to read the body of resp, the answer Open
// returned for a request sent with ctx: the request was written, and no whole answer came
// back.
func BodyFailure(ctx context.Context, who string, resp *http.Response, err error) error {
	return failure(ctx, who, Exchange{Written: true, Status: resp.StatusCode, BodyErr: err}, CorrelationID(resp.Header), err)
}

// mayHave ends the message of an UnknownOutcome error.
const mayHave = "; the request may have been processed"

// failure classifies a request that got no whole answer: x says what was written and what
// status, if any, arrived.
func failure(ctx context.Context, who string, x Exchange, corr string, err error) error {
	err = ScrubURLError(err)
	e := &provider.Error{HTTPStatus: x.Status, CorrelationID: corr, Err: err}
	switch {
	case !x.Written && ctx.Err() != nil:
		return ctx.Err()
	case !x.Written:
		e.Code, e.Message = provider.ProviderUnavailable, who+" could not be reached"
		if errors.Is(err, context.DeadlineExceeded) {
			e.Message += " in the time the attempt had"
		}
	case Classify(x) == NotProcessed:
		e.Code, e.Message = provider.ProviderUnavailable, who+" refused the request before processing it, and its answer broke off"
		if x.Status == http.StatusTooManyRequests {
			e.Code = provider.RateLimited
		}
	case x.Status == 0:
		e.Code, e.Message = provider.UnknownOutcome, "the request reached "+who+" but no answer arrived"+mayHave
	default:
		e.Code, e.Message = provider.UnknownOutcome, "the answer from "+who+" could not be read whole"+mayHave
	}
	return e
}

// Refusal applies the same rule to e, what an adapter made of a whole error answer with
// the given status (its code, the provider's message). It returns e, made UnknownOutcome
// when the request may have been processed after all: the status does not rule that out
// (a 5xx other than 503; see Classify), or e says the provider failed while processing
// the request (ProviderUnavailable) under a status other than 429 or 503, the two that
// say it was refused unprocessed.
//
// An answer the provider authenticated that names its own error (a signed Trustly
// JSON-RPC error) says what happened whatever its status, and is not passed here.
func Refusal(status int, e *provider.Error) *provider.Error {
	switch Classify(Exchange{Written: true, Status: status}) {
	case NotProcessed:
		return e
	case Answered:
		if e.Code != provider.ProviderUnavailable {
			return e
		}
	}
	e.Code = provider.UnknownOutcome
	if e.Message == "" {
		e.Message = "HTTP " + strconv.Itoa(status)
	}
	e.Message += mayHave
	return e
}

// Unverified reports a whole answer that is not the provider's authenticated answer
// where one was due (an unsigned error in place of a signed one): it says nothing, its
// status included (Classify's Unauthentic), and the request may have been processed, for
// a read as for a write.
func Unverified(status int, what string, cause error) *provider.Error {
	return &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: status, Err: cause, Message: what + mayHave}
}

// Unusable reports a whole answer the adapter cannot use: its signature or MAC does not
// verify with the configured key, it answers another request, or its content cannot be
// read. The provider received the request, so a write may have been processed and is
// UnknownOutcome. A read is Internal: a repeat meets the same configuration error or
// fault (a key of the wrong environment, an answer this code cannot read).
func Unusable(write bool, status int, corr, what string, cause error) *provider.Error {
	if write {
		return &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: status, CorrelationID: corr, Err: cause, Message: what + mayHave}
	}
	return &provider.Error{Code: provider.Internal, HTTPStatus: status, CorrelationID: corr, Err: cause, Message: what}
}

// RedirectError reports a 3xx answer from who (Classify's Redirected). The client follows
// no redirect (NoRedirects), so the request was not processed at the URL it was sent to:
// the base URL is wrong, and the caller must fix the configuration.
func RedirectError(who string, resp *http.Response) *provider.Error {
	return &provider.Error{Code: provider.InvalidRequest, HTTPStatus: resp.StatusCode, CorrelationID: CorrelationID(resp.Header),
		Message: who + " " + RedirectMessage(resp)}
}

// ScrubURLError returns the cause of a *url.Error, without the operation and the URL,
// which add nothing the caller needs and would quote the request's query.
func ScrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// correlationKeys are the headers in which providers return a correlation or request id,
// in net/http's canonical form: Trustist's CorrelationId, and the common ones.
var correlationKeys = [...]string{"Correlationid", "X-Correlation-Id", "X-Request-Id"}

// CorrelationID returns the first correlation or request id h carries, or "".
func CorrelationID(h http.Header) string {
	for _, k := range correlationKeys {
		if v := h[k]; len(v) > 0 && v[0] != "" {
			return v[0]
		}
	}
	return ""
}
