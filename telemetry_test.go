package paybridge_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// httpFake is an adapter whose Pay posts to a loopback server through transport.Do, as
// the real adapters do, and reads the answer's status as the outcome: 201 a payment, 503
// a refusal before processing, 402 a decline.
type httpFake struct {
	url    string
	client *http.Client
}

func (f *httpFake) Name() string { return "httpfake" }
func (f *httpFake) Capabilities() provider.Capabilities {
	return provider.Capabilities{Currencies: []money.Currency{money.MustCurrency("GBP")}, RequestFields: provider.RequestFieldNames}
}
func (f *httpFake) As(any) bool  { return false }
func (f *httpFake) Close() error { return nil }
func (f *httpFake) GetPayment(ctx context.Context, id string) (*provider.Payment, error) {
	return nil, &provider.Error{Code: provider.NotFound, Message: "no such payment"}
}
func (f *httpFake) Pay(ctx context.Context, r *provider.PaymentRequest) (*provider.Payment, error) {
	body, _ := json.Marshal(map[string]string{"amount": r.Amount.String()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url+"/payments?email=ada@example.com", strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	resp, err := transport.Do(f.client, req, "the fake", 0)
	if err != nil {
		return nil, err
	}
	switch resp.Status {
	case http.StatusCreated:
		return &provider.Payment{ID: "pay-1", Status: provider.PaymentRequiresAction, Amount: r.Amount}, nil
	case http.StatusPaymentRequired:
		return nil, transport.Refusal(resp.Status, &provider.Error{Code: provider.Declined, Message: "declined",
			CorrelationID: resp.CorrelationID()})
	}
	return nil, transport.Refusal(resp.Status, &provider.Error{Code: provider.ProviderUnavailable, Message: "unavailable",
		CorrelationID: resp.CorrelationID()})
}

// telemetryGateway returns a Gateway over an httpFake whose server answers each request
// with the next of statuses (the last one repeated), with an in-memory span recorder and
// metric reader.
func telemetryGateway(t *testing.T, statuses ...int) (*paybridge.Gateway, *tracetest.SpanRecorder, *sdkmetric.ManualReader) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(statuses)-1)
		w.Header().Set("X-Request-Id", "req-"+string(rune('a'+i)))
		w.WriteHeader(statuses[i])
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	gw := paybridge.New(&httpFake{url: srv.URL, client: srv.Client()}, paybridge.WithTracerProvider(tp), paybridge.WithMeterProvider(mp),
		paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	return gw, rec, reader
}

func spanAttr(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func spansNamed(rec *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// A call is one span with a child per HTTP attempt; the call's span says how many
// attempts were made and carries the key's hash, never the key.
func TestTelemetryCallSpanHasAChildPerAttempt(t *testing.T) {
	gw, rec, reader := telemetryGateway(t, http.StatusServiceUnavailable, http.StatusCreated)
	req := validRequest()
	req.IdempotencyKey = "order-1-ada@example.com"
	if _, err := gw.Pay(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	calls := spansNamed(rec, "paybridge.Pay")
	if len(calls) != 1 {
		t.Fatalf("%d paybridge.Pay spans, want 1", len(calls))
	}
	call := calls[0]
	attempts := spansNamed(rec, http.MethodPost)
	if len(attempts) != 2 {
		t.Fatalf("%d attempt spans, want 2 (a 503, then a 201)", len(attempts))
	}
	for i, a := range attempts {
		if a.Parent().SpanID() != call.SpanContext().SpanID() || a.SpanContext().TraceID() != call.SpanContext().TraceID() {
			t.Errorf("attempt %d is not a child of the call's span", i+1)
		}
		if a.SpanKind() != trace.SpanKindClient {
			t.Errorf("attempt %d kind %v, want client", i+1, a.SpanKind())
		}
		for _, kv := range a.Attributes() {
			if strings.Contains(kv.Value.String(), "/payments") || strings.Contains(kv.Value.String(), "ada@") {
				t.Errorf("attempt span attribute %s = %q carries the URL's path or query", kv.Key, kv.Value.String())
			}
		}
	}
	if v, _ := spanAttr(attempts[0], "http.response.status_code"); v.AsInt64() != 503 {
		t.Errorf("first attempt's status attribute %v, want 503", v.String())
	}
	if v, _ := spanAttr(attempts[1], "paybridge.provider.request_id"); v.AsString() != "req-b" {
		t.Errorf("second attempt's request id %q, want req-b", v.String())
	}
	want := map[string]string{"paybridge.operation": "Pay", "paybridge.provider": "httpfake", "paybridge.outcome": "ok", "paybridge.attempts": "2",
		"paybridge.provider.request_id": "req-b"} // the last attempt's
	for k, v := range want {
		if got, ok := spanAttr(call, k); !ok || got.String() != v {
			t.Errorf("call span %s = %q, want %q", k, got.String(), v)
		}
	}
	sum := sha256.Sum256([]byte(req.IdempotencyKey))
	if got, _ := spanAttr(call, "paybridge.idempotency_key.sha256"); got.AsString() != hex.EncodeToString(sum[:]) {
		t.Errorf("key hash attribute %q, want the key's SHA-256", got.String())
	}
	for _, s := range rec.Ended() {
		for _, kv := range s.Attributes() {
			if strings.Contains(kv.Value.String(), req.IdempotencyKey) {
				t.Errorf("span %s attribute %s carries the idempotency key", s.Name(), kv.Key)
			}
		}
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if n := counterValue(rm, "paybridge.calls", "paybridge.outcome", "ok"); n != 1 {
		t.Errorf("paybridge.calls{outcome=ok} = %d, want 1", n)
	}
	if n := counterValue(rm, "paybridge.retries", "paybridge.error.code", "provider_unavailable"); n != 1 {
		t.Errorf("paybridge.retries{error.code=provider_unavailable} = %d, want 1", n)
	}
	if n := counterValue(rm, "paybridge.journal.claims", "paybridge.journal.claim", "held"); n != 1 {
		t.Errorf("paybridge.journal.claims{claim=held} = %d, want 1", n)
	}
	if n := histogramCount(rm, "paybridge.call.duration", "paybridge.operation", "Pay"); n != 1 {
		t.Errorf("paybridge.call.duration{operation=Pay} count = %d, want 1", n)
	}
}

// A failed call's span and metrics carry its outcome code, and its status says error
// without the error's text.
func TestTelemetryFailureCarriesOutcomeCode(t *testing.T) {
	gw, rec, reader := telemetryGateway(t, http.StatusPaymentRequired)
	_, err := gw.Pay(context.Background(), validRequest())
	if !errors.Is(err, paybridge.ErrDeclined) {
		t.Fatalf("err = %v, want declined", err)
	}
	call := spansNamed(rec, "paybridge.Pay")
	if len(call) != 1 {
		t.Fatalf("%d paybridge.Pay spans, want 1", len(call))
	}
	if v, _ := spanAttr(call[0], "paybridge.outcome"); v.AsString() != "declined" {
		t.Errorf("outcome %q, want declined", v.String())
	}
	if v, _ := spanAttr(call[0], "paybridge.provider.request_id"); v.AsString() != "req-a" {
		t.Errorf("request id %q, want the answer's req-a", v.String())
	}
	if st := call[0].Status(); st.Code != codes.Error || st.Description != "declined" {
		t.Errorf("status %v %q, want Error \"declined\"", st.Code, st.Description)
	}
	attempts := spansNamed(rec, http.MethodPost)
	if len(attempts) != 1 {
		t.Fatalf("%d attempts, want 1: a decline is not repeated", len(attempts))
	}
	if v, _ := spanAttr(attempts[0], "error.type"); v.AsString() != "402" {
		t.Errorf("attempt error.type %q, want 402", v.String())
	}

	// The same key with another request: a conflict, counted.
	req := validRequest()
	req.IdempotencyKey = "k-conflict"
	if _, err := gw.Pay(context.Background(), req); err == nil {
		t.Fatal("a declined Pay succeeded")
	}
	req.Amount = money.MustNew("11.00", "GBP")
	if _, err := gw.Pay(context.Background(), req); !errors.Is(err, paybridge.ErrDuplicate) {
		t.Fatalf("err = %v, want duplicate", err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if n := counterValue(rm, "paybridge.calls", "paybridge.outcome", "declined"); n != 2 {
		t.Errorf("paybridge.calls{outcome=declined} = %d, want 2", n)
	}
	if n := counterValue(rm, "paybridge.calls", "paybridge.outcome", "duplicate"); n != 1 {
		t.Errorf("paybridge.calls{outcome=duplicate} = %d, want 1", n)
	}
	if n := counterValue(rm, "paybridge.journal.conflicts", "paybridge.operation", "Pay"); n != 1 {
		t.Errorf("paybridge.journal.conflicts = %d, want 1", n)
	}
}

// A call whose outcome is unknown is counted as an uncertain journal entry.
func TestTelemetryUncertainCounted(t *testing.T) {
	gw, _, reader := telemetryGateway(t, http.StatusBadGateway)
	if _, err := gw.Pay(context.Background(), validRequest()); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("err = %v, want unknown outcome", err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if n := counterValue(rm, "paybridge.journal.uncertain", "paybridge.operation", "Pay"); n != 1 {
		t.Errorf("paybridge.journal.uncertain = %d, want 1", n)
	}
}

// counterValue sums the int64 sum metric name's points whose attribute key is value.
func counterValue(rm metricdata.ResourceMetrics, name, key, value string) int64 {
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					if v, ok := dp.Attributes.Value(attribute.Key(key)); ok && v.String() == value {
						n += dp.Value
					}
				}
			}
		}
	}
	return n
}

// histogramCount sums the counts of the float64 histogram name's points whose attribute
// key is value.
func histogramCount(rm metricdata.ResourceMetrics, name, key, value string) uint64 {
	var n uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok {
				for _, dp := range h.DataPoints {
					if v, ok := dp.Attributes.Value(attribute.Key(key)); ok && v.String() == value {
						n += dp.Count
					}
				}
			}
		}
	}
	return n
}
