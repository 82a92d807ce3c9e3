package conformance_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// keyJournal is a journal that remembers every idempotency key claimed in it, so that
// the telemetry can be searched for them.
type keyJournal struct {
	journal.Journal
	keys *keySet
}

type keySet struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (k *keySet) add(key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[key] = true
}

func (k *keySet) list() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for key := range k.keys {
		out = append(out, key)
	}
	return out
}

func (j keyJournal) Claim(ctx context.Context, e journal.Entry, lease time.Duration) (journal.Claim, error) {
	j.keys.add(e.Key)
	return j.Journal.Claim(ctx, e, lease)
}

// TestTelemetryOfTheWholeSuite runs the whole suite against each embedded simulator with
// an in-memory span recorder and metric reader, and fails if any credential, idempotency
// key, full account number, e-mail address or name the suite used appears in a span's
// name, attribute, event or status, or in a metric's attributes. It also checks that
// every adapter's calls are traced with a child span per HTTP attempt and counted.
func TestTelemetryOfTheWholeSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite three times")
	}
	sims := []struct {
		name    string
		harness func() (conformance.Harness, func(), error)
	}{
		{"trustly", trustlysim.ConformanceHarness},
		{"trustlyrest", trustlyrestsim.ConformanceHarness},
		{"trustist", trustistsim.ConformanceHarness},
	}
	for _, sim := range sims {
		t.Run(sim.name, func(t *testing.T) {
			h, cleanup, err := sim.harness()
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			keys := &keySet{keys: map[string]bool{}}
			newJournal := h.NewJournal
			h.NewJournal = func(t conformance.T) journal.Journal {
				j := journal.Journal(journal.NewMemory())
				if newJournal != nil {
					j = newJournal(t)
				}
				return keyJournal{Journal: j, keys: keys}
			}
			h.GatewayOptions = append(h.GatewayOptions, paybridge.WithTracerProvider(tp), paybridge.WithMeterProvider(mp),
				paybridge.WithJournal(keyJournal{Journal: journal.NewMemory(), keys: keys}))

			results := conformance.Run(context.Background(), h, nil)
			passed := 0
			for _, r := range results {
				switch r.Status {
				case conformance.Failed:
					t.Errorf("scenario %s failed with telemetry on: %s", r.Scenario, r.Message)
				case conformance.Passed:
					passed++
				}
			}
			if passed == 0 {
				t.Fatal("no scenario passed")
			}

			private := privateStrings(h, keys.list())
			spans := rec.Ended()
			for _, s := range spans {
				check := func(where, v string) {
					for _, p := range private {
						if strings.Contains(v, p) {
							t.Errorf("span %q %s carries %q", s.Name(), where, p)
						}
					}
				}
				check("name", s.Name())
				check("status", s.Status().Description)
				for _, kv := range s.Attributes() {
					check("attribute "+string(kv.Key), kv.Value.String())
				}
				for _, ev := range s.Events() {
					check("event", ev.Name)
					for _, kv := range ev.Attributes {
						check("event attribute "+string(kv.Key), kv.Value.String())
					}
				}
			}
			var rm metricdata.ResourceMetrics
			if err := reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					for _, set := range metricAttributeSets(m) {
						for _, kv := range set.ToSlice() {
							for _, p := range private {
								if strings.Contains(kv.Value.String(), p) {
									t.Errorf("metric %s attribute %s carries %q", m.Name, kv.Key, p)
								}
							}
						}
					}
				}
			}

			checkStructure(t, sim.name, spans)
			checkCounted(t, sim.name, rm)
		})
	}
}

// privateStrings is what must never leave in telemetry: the harness's credentials, the
// people and accounts the suite sends, and every idempotency key used.
func privateStrings(h conformance.Harness, keys []string) []string {
	out := append([]string(nil), h.Secrets...)
	person := func(p paybridge.Person) {
		out = append(out, p.FirstName, p.LastName, p.Email, p.Phone, p.NationalID, p.DateOfBirth)
		if p.FirstName != "" && p.LastName != "" {
			out = append(out, p.FirstName+" "+p.LastName)
		}
		if a := p.Address; a != nil {
			out = append(out, a.Line1, a.Line2, a.PostalCode)
		}
	}
	account := func(a paybridge.BankAccount) {
		out = append(out, a.HolderName, a.IBAN, a.AccountNumber)
	}
	person(h.Payer)
	account(h.Account)
	account(h.RejectedAccount)
	// The people and accounts the scenarios make up themselves (scenarios.go).
	out = append(out, "Ada", "Lovelace", "ada@example.com", "augusta@example.com", "x@example.com", "GB33BUKB20201555555555")
	out = append(out, keys...)
	var kept []string
	for _, s := range out {
		if len(s) >= 3 { // shorter strings (a country, an initial) match by chance and identify no one
			kept = append(kept, s)
		}
	}
	return kept
}

func metricAttributeSets(m metricdata.Metrics) []attribute.Set {
	var out []attribute.Set
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Sum[float64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Gauge[int64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	default:
		panic(fmt.Sprintf("metric %s of unexpected type %T", m.Name, m.Data))
	}
	return out
}

// checkStructure checks that every HTTP attempt span is the child of a Gateway call's or
// a notification's span, that the provider's calls made attempts, and that each call span
// names the provider, operation and outcome.
func checkStructure(t *testing.T, name string, spans []sdktrace.ReadOnlySpan) {
	t.Helper()
	byID := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID().String()] = s
	}
	attempts, withParent, calls, notifications := 0, 0, 0, 0
	for _, s := range spans {
		switch {
		case s.Name() == "paybridge.notification":
			notifications++
		case strings.HasPrefix(s.Name(), "paybridge."):
			calls++
			for _, k := range []string{"paybridge.provider", "paybridge.operation", "paybridge.outcome"} {
				if v, ok := attr(s, k); !ok || v == "" {
					t.Errorf("call span %s lacks %s", s.Name(), k)
				}
			}
			if v, _ := attr(s, "paybridge.provider"); v != name {
				t.Errorf("call span %s provider %q, want %q", s.Name(), v, name)
			}
		case s.Name() == http.MethodGet || s.Name() == http.MethodPost || s.Name() == http.MethodPut ||
			s.Name() == http.MethodPatch || s.Name() == http.MethodDelete:
			attempts++
			parent, ok := byID[s.Parent().SpanID().String()]
			if !ok || !strings.HasPrefix(parent.Name(), "paybridge.") {
				t.Errorf("attempt span %s has no Gateway call or notification span as parent", s.Name())
				continue
			}
			withParent++
		default:
			t.Errorf("unexpected span %q", s.Name())
		}
	}
	if calls == 0 || attempts == 0 || notifications == 0 {
		t.Errorf("%d call spans, %d attempt spans, %d notification spans: want some of each", calls, attempts, notifications)
	}
	t.Logf("%s: %d call spans, %d attempt spans (%d with a parent), %d notification spans", name, calls, attempts, withParent, notifications)
}

// checkCounted checks that the provider's calls and notifications were counted.
func checkCounted(t *testing.T, name string, rm metricdata.ResourceMetrics) {
	t.Helper()
	seen := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					if v, _ := dp.Attributes.Value("paybridge.provider"); v.AsString() == name {
						seen[m.Name] += dp.Value
					}
				}
			}
		}
	}
	for _, m := range []string{"paybridge.calls", "paybridge.journal.claims", "paybridge.notifications"} {
		if seen[m] == 0 {
			t.Errorf("%s: nothing counted in %s", name, m)
		}
	}
}

func attr(s sdktrace.ReadOnlySpan, key string) (string, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.String(), true
		}
	}
	return "", false
}
