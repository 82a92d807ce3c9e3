package chaostest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// recorder is a testing.TB that keeps errors instead of failing the test, and turns
// FailNow into a panic that the caller recovers.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

type failNow struct{}

func (r *recorder) Helper() {}

func (r *recorder) Error(args ...any) { r.add(fmt.Sprint(args...)) }

func (r *recorder) Errorf(format string, args ...any) { r.add(fmt.Sprintf(format, args...)) }

func (r *recorder) Fatalf(format string, args ...any) {
	r.add(fmt.Sprintf(format, args...))
	panic(failNow{})
}

func (r *recorder) FailNow() { panic(failNow{}) }

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, s)
}

// run calls f with a recorder and reports whether f stopped with FailNow.
func run(t *testing.T, f func(tb testing.TB)) (rec *recorder, stopped bool) {
	rec = &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(failNow); !ok {
				panic(p)
			}
			stopped = true
		}
	}()
	f(rec)
	return rec, false
}

var gbp = money.MustCurrency("GBP")

func TestReconcile(t *testing.T) {
	want := map[string]money.Amount{"a": Amount(gbp, 1), "b": Amount(gbp, 2), "c": Amount(gbp, 3), "d": Amount(gbp, 4)}
	got := []Applied{
		{"a", Amount(gbp, 1)},
		{"b", Amount(gbp, 2)}, {"b", Amount(gbp, 2)}, // twice
		{"c", Amount(gbp, 9)}, // wrong amount
		{"e", Amount(gbp, 5)}, // nobody asked; d never applied
	}
	rec, _ := run(t, func(tb testing.TB) {
		r := Reconcile(tb, want, got)
		if r.Duplicates != 1 || r.Lost != 1 || r.WrongAmount != 1 || r.Unexpected != 1 {
			t.Errorf("reconciliation %+v, want one of each mismatch", r)
		}
	})
	joined := strings.Join(rec.errors, "\n")
	for _, s := range []string{"key b: applied 2 times", "key d: never applied", "key c: applied", `key "e"`, "in total"} {
		if !strings.Contains(joined, s) {
			t.Errorf("no error mentions %q:\n%s", s, joined)
		}
	}

	rec, _ = run(t, func(tb testing.TB) {
		r := Reconcile(tb, want, []Applied{{"a", Amount(gbp, 1)}, {"b", Amount(gbp, 2)}, {"c", Amount(gbp, 3)}, {"d", Amount(gbp, 4)}})
		if r.Duplicates+r.Lost+r.WrongAmount+r.Unexpected != 0 || !r.Want.Equal(r.Got) {
			t.Errorf("a matching ledger reconciled as %+v", r)
		}
	})
	if len(rec.errors) > 0 {
		t.Errorf("a matching ledger gave errors: %v", rec.errors)
	}
}

func TestRunRepeatsUntilSuccess(t *testing.T) {
	var calls [20]atomic.Int32
	unknown := &paybridge.Error{Code: paybridge.CodeUnknownOutcome, IdempotencyKey: "k"}
	rec, stopped := run(t, func(tb testing.TB) {
		st := Run(tb, 20, Options{Workers: 4, Backoff: 1}, func(_ context.Context, i int) (string, error) {
			switch n := calls[i].Add(1); {
			case i%2 == 0 && n == 1:
				return "k", unknown
			case i%5 == 0 && n <= 2:
				return "k", ErrPending
			}
			return "k", nil
		})
		if st.Operations != 20 || st.Retries != 10 || st.Polls != 6 || st.Codes[paybridge.CodeUnknownOutcome] != 10 {
			t.Errorf("stats %+v", st)
		}
	})
	if stopped || len(rec.errors) > 0 {
		t.Fatalf("stopped %v, errors %v", stopped, rec.errors)
	}
}

func TestRunStopsOnErrorsARepeatMustNotCure(t *testing.T) {
	for name, err := range map[string]error{
		"declined":            &paybridge.Error{Code: paybridge.CodeDeclined, IdempotencyKey: "k"},
		"unknown without key": &paybridge.Error{Code: paybridge.CodeUnknownOutcome},
		"unknown, other key":  &paybridge.Error{Code: paybridge.CodeUnknownOutcome, IdempotencyKey: "other"},
		"internal":            &provider.Error{Code: provider.Internal},
	} {
		rec, stopped := run(t, func(tb testing.TB) {
			Run(tb, 3, Options{Backoff: 1}, func(_ context.Context, i int) (string, error) {
				if i == 1 {
					return "k", err
				}
				return "k", nil
			})
		})
		if !stopped || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "operation 1") {
			t.Errorf("%s: stopped %v, errors %v", name, stopped, rec.errors)
		}
	}
	// Allowed codes are repeated.
	var n atomic.Int32
	_, stopped := run(t, func(tb testing.TB) {
		Run(tb, 1, Options{Allowed: []paybridge.Code{paybridge.CodeInternal}, Backoff: 1}, func(context.Context, int) (string, error) {
			if n.Add(1) < 3 {
				return "k", errors.Join(&provider.Error{Code: provider.Internal})
			}
			return "k", nil
		})
	})
	if stopped || n.Load() != 3 {
		t.Fatalf("an allowed code: stopped %v after %d calls", stopped, n.Load())
	}
}

func TestSeed(t *testing.T) {
	t.Setenv(SeedEnv, "")
	if s := Seed(t); s != CISeed {
		t.Fatalf("seed %d without %s, want %d", s, SeedEnv, CISeed)
	}
	t.Setenv(SeedEnv, "42")
	if s := Seed(t); s != 42 {
		t.Fatalf("seed %d, want 42", s)
	}
	t.Setenv(SeedEnv, "forty-two")
	if _, stopped := run(t, func(tb testing.TB) { Seed(tb) }); !stopped {
		t.Fatal("a seed that is not a number was accepted")
	}
}

func TestMixesAreThirtyPercent(t *testing.T) {
	for name, total := range map[string]float64{"SignedAnswers": SignedAnswers.Total(), "AuthenticatedAnswers": AuthenticatedAnswers.Total(),
		"PlainAnswers": PlainAnswers.Total(), "Deliveries": Deliveries.Total()} {
		if total < 0.3-1e-9 || total > 0.3+1e-9 {
			t.Errorf("%s adds up to %v, want 0.30", name, total)
		}
	}
	if DelayBy <= ClientTimeout {
		t.Errorf("DelayBy %v does not exceed ClientTimeout %v", DelayBy, ClientTimeout)
	}
}
