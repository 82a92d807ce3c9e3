package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/paybridge/paybridge/provider"
)

// tracerName is the instrumentation scope of the attempt spans.
const tracerName = "github.com/paybridge/paybridge/internal/transport"

// clientSpan is the attempt spans' option, made once.
var clientSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// startAttempt starts the span of one HTTP attempt as a child of the span in ctx, with
// that span's tracer provider: the Gateway call's, so that every adapter's attempts are
// traced without the adapter doing anything, and nothing is traced for a request made
// outside a traced call. The span carries the method and the server's host and port —
// never the URL's path or query, which can name accounts and people, nor a header or a
// body.
func startAttempt(ctx context.Context, req *http.Request) (context.Context, trace.Span) {
	ctx, span := trace.SpanFromContext(ctx).TracerProvider().Tracer(tracerName).Start(ctx, req.Method, clientSpan...)
	if span.IsRecording() {
		span.SetAttributes(semconv.HTTPRequestMethodKey.String(req.Method))
		host, port := req.URL.Hostname(), req.URL.Port()
		span.SetAttributes(semconv.ServerAddress(host))
		if p, err := strconv.Atoi(port); err == nil {
			span.SetAttributes(semconv.ServerPort(p))
		} else if req.URL.Scheme == "https" {
			span.SetAttributes(semconv.ServerPort(443))
		} else if req.URL.Scheme == "http" {
			span.SetAttributes(semconv.ServerPort(80))
		}
	}
	return ctx, span
}

// attrRequestID is the provider's request or correlation id of an answer.
const attrRequestID = attribute.Key("paybridge.provider.request_id")

// endAttempt ends an attempt's span with the answer's status and request id, when one
// came, and the code of err, the attempt's error. The request id goes on parent too (the
// call's span), so that a call that succeeded names the provider's request that made
// it: the last attempt's.
func endAttempt(parent, span trace.Span, resp *http.Response, err error) {
	if resp != nil && parent.IsRecording() {
		if id := CorrelationID(resp.Header); id != "" {
			parent.SetAttributes(attrRequestID.String(id))
		}
	}
	if span.IsRecording() {
		if resp != nil {
			span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
			if id := CorrelationID(resp.Header); id != "" {
				span.SetAttributes(attrRequestID.String(id))
			}
		}
		if err != nil {
			typ := attemptErrorType(err)
			span.SetAttributes(semconv.ErrorTypeKey.String(typ))
			span.SetStatus(codes.Error, typ)
		} else if resp != nil && resp.StatusCode >= 400 {
			typ := strconv.Itoa(resp.StatusCode)
			span.SetAttributes(semconv.ErrorTypeKey.String(typ))
			span.SetStatus(codes.Error, typ)
		}
	}
	span.End()
}

// attemptErrorType names an attempt's failure without its text, which may quote a host
// or a provider's message: the paybridge code, a timeout, or the context's end.
func attemptErrorType(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	if c := provider.CodeOf(err); c != provider.Unknown {
		return c.String()
	}
	return "_OTHER"
}
