package transport

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// An attempt is traced as a child of the span in its context, with that span's tracer
// provider, carrying neither the URL's path and query nor a header; without a span in
// the context nothing is traced.
func TestAttemptSpan(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-7")
		w.WriteHeader(http.StatusConflict)
	}))
	defer srv.Close()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))

	if _, err := Do(srv.Client(), post(t, context.Background(), srv.URL+"/v1/accounts/GB29NWBK60161331926819?email=ada@example.com"), "the stub", 0); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Ended()); n != 0 {
		t.Fatalf("%d spans for a request made outside a traced call", n)
	}

	ctx, parent := tp.Tracer("test").Start(context.Background(), "call")
	if _, err := Do(srv.Client(), post(t, ctx, srv.URL+"/v1/accounts/GB29NWBK60161331926819?email=ada@example.com"), "the stub", 0); err != nil {
		t.Fatal(err)
	}
	// Nothing listens on a port just closed: the attempt fails before anything is sent.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/"
	l.Close()
	if _, err := Do(http.DefaultClient, post(t, ctx, closed), "the stub", 0); err == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	parent.End()

	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want the call and its 2 attempts", len(spans))
	}
	answered, refused := spans[0], spans[1]
	for _, s := range []sdktrace.ReadOnlySpan{answered, refused} {
		if s.Name() != http.MethodPost || s.SpanKind() != trace.SpanKindClient || s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("attempt span %q kind %v is not a client child of the call", s.Name(), s.SpanKind())
		}
		for _, kv := range s.Attributes() {
			if v := kv.Value.String(); strings.Contains(v, "accounts") || strings.Contains(v, "GB29") || strings.Contains(v, "ada@") ||
				strings.Contains(v, "c2VjcmV0") {
				t.Errorf("attempt span attribute %s = %q carries the URL's path, query or a header", kv.Key, v)
			}
		}
	}
	attrs := func(s sdktrace.ReadOnlySpan) map[string]string {
		m := map[string]string{}
		for _, kv := range s.Attributes() {
			m[string(kv.Key)] = kv.Value.String()
		}
		return m
	}
	if a := attrs(answered); a["http.response.status_code"] != "409" || a["error.type"] != "409" ||
		a["paybridge.provider.request_id"] != "req-7" || a["server.address"] != "127.0.0.1" || a["http.request.method"] != "POST" {
		t.Errorf("answered attempt's attributes %v", a)
	}
	if a := attrs(refused); a["error.type"] != "provider_unavailable" || a["http.response.status_code"] != "" {
		t.Errorf("refused attempt's attributes %v", a)
	}
	if refused.Status().Code != codes.Error || refused.Status().Description != "provider_unavailable" {
		t.Errorf("refused attempt's status %v %q", refused.Status().Code, refused.Status().Description)
	}
	if a := attrs(spans[2]); a["paybridge.provider.request_id"] != "req-7" {
		t.Errorf("the call's span lacks its answer's request id: %v", a)
	}
}
