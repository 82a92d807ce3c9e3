package notify_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/paybridge/paybridge/notify"
)

// namedVerifier is a plainVerifier that names its provider, as adapters do.
type namedVerifier struct{ plainVerifier }

func (namedVerifier) Name() string { return "plain" }

// Each notification is one span and one count, by result; a notification that fails
// verification is attributed to the verifier's provider.
func TestHandlerTelemetryByResult(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	h := notify.NewHandler(namedVerifier{}, func(_ context.Context, e notify.Event) error {
		if e.ID == "fails" {
			return errors.New("database down")
		}
		return nil
	}, notify.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))),
		notify.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))),
		notify.WithMatcher(func(_ context.Context, e *notify.Event) error {
			if e.ID == "foreign" {
				return notify.ErrNotOurs
			}
			return nil
		}))
	for _, body := range []string{"ok:n1", "ok:n1", "forged", "ok:fails", "ok:foreign", "later"} {
		post(h, http.MethodPost, body)
	}
	want := []string{"verified", "duplicate", "rejected", "callback_failed", "not_ours", "retry_later"}
	spans := rec.Ended()
	if len(spans) != len(want) {
		t.Fatalf("%d spans, want %d", len(spans), len(want))
	}
	for i, s := range spans {
		got := map[string]string{}
		for _, kv := range s.Attributes() {
			got[string(kv.Key)] = kv.Value.String()
		}
		if s.Name() != "paybridge.notification" || got["paybridge.notification.result"] != want[i] || got["paybridge.provider"] != "plain" {
			t.Errorf("span %d: %s %v, want result %s of provider plain", i, s.Name(), got, want[i])
		}
		failed := want[i] == "rejected" || want[i] == "callback_failed"
		if (s.Status().Code == codes.Error) != failed {
			t.Errorf("span %d (%s): status %v", i, want[i], s.Status().Code)
		}
		if i != 2 && i != 5 && got["paybridge.notification.kind"] != string(notify.PaymentSucceeded) {
			t.Errorf("span %d: kind %q", i, got["paybridge.notification.kind"])
		}
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counted := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "paybridge.notifications" {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				v, _ := dp.Attributes.Value("paybridge.notification.result")
				counted[v.AsString()] += dp.Value
			}
		}
	}
	for _, r := range want {
		if counted[r] != 1 {
			t.Errorf("paybridge.notifications{result=%s} = %d, want 1 (all: %v)", r, counted[r], counted)
		}
	}
}
