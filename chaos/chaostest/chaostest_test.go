package chaostest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
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

func TestRunIsBoundedByProgressNotTime(t *testing.T) {
	// 1 worker, 12 operations of 20ms: the run takes several times its Stall, but an
	// operation completes well within it every time.
	const stall = 80 * time.Millisecond
	start := time.Now()
	rec, stopped := run(t, func(tb testing.TB) {
		Run(tb, 12, Options{Workers: 1, Stall: stall}, func(ctx context.Context, _ int) (string, error) {
			return "k", simkit.Sleep(ctx, 20*time.Millisecond)
		})
	})
	if stopped || len(rec.errors) > 0 {
		t.Fatalf("a slow run that kept completing operations: stopped %v, errors %v", stopped, rec.errors)
	}
	if took := time.Since(start); took < 2*stall {
		t.Fatalf("the run took %v, not longer than its stall %v as the test means", took, stall)
	}
}

func TestRunStopsWhenNothingCompletes(t *testing.T) {
	// Operation 3 never succeeds; the others do. The run stops a Stall after the last
	// completion and names the operation still open with its last error.
	unknown := &paybridge.Error{Code: paybridge.CodeUnknownOutcome, IdempotencyKey: "k3"}
	rec, stopped := run(t, func(tb testing.TB) {
		Run(tb, 6, Options{Workers: 2, Backoff: time.Millisecond, Stall: 100 * time.Millisecond}, func(_ context.Context, i int) (string, error) {
			if i == 3 {
				return "k3", unknown
			}
			return fmt.Sprint("k", i), nil
		})
	})
	if !stopped || len(rec.errors) != 1 {
		t.Fatalf("stopped %v, errors %v", stopped, rec.errors)
	}
	for _, s := range []string{"no operation completed for 100ms", "5 of 6 done", "operation 3 (last error: ", unknown.Error()} {
		if !strings.Contains(rec.errors[0], s) {
			t.Errorf("the error does not say %q: %s", s, rec.errors[0])
		}
	}
}

func TestRunRepeatsACallItsAttemptDeadlineCutOff(t *testing.T) {
	var n atomic.Int32
	rec, stopped := run(t, func(tb testing.TB) {
		st := Run(tb, 1, Options{Backoff: 1, AttemptTimeout: 20 * time.Millisecond}, func(ctx context.Context, _ int) (string, error) {
			if n.Add(1) == 1 {
				<-ctx.Done() // a call that hangs until the harness gives up on it
				return "k", fmt.Errorf("reading the answer: %w", ctx.Err())
			}
			return "k", nil
		})
		if st.CutOff != 1 || st.Retries != 1 || len(st.Codes) != 0 {
			t.Errorf("stats %+v, want one call cut off and repeated", st)
		}
	})
	if stopped || len(rec.errors) > 0 || n.Load() != 2 {
		t.Fatalf("stopped %v after %d calls, errors %v", stopped, n.Load(), rec.errors)
	}
	// A deadline that is not the attempt's is an error the adapter should have classified.
	rec, stopped = run(t, func(tb testing.TB) {
		Run(tb, 1, Options{Backoff: 1}, func(context.Context, int) (string, error) {
			return "k", fmt.Errorf("some client's own deadline: %w", context.DeadlineExceeded)
		})
	})
	if !stopped || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "code unknown") {
		t.Fatalf("a context error while the attempt's context is live: stopped %v, errors %v", stopped, rec.errors)
	}
}

func TestAwait(t *testing.T) {
	// Progress every 20ms for several stalls: the wait succeeds.
	const stall = 80 * time.Millisecond
	start := time.Now()
	rec, stopped := run(t, func(tb testing.TB) {
		await(tb, stall, "ten steps", func() (bool, int) {
			n := int(time.Since(start) / (20 * time.Millisecond))
			return n >= 10, n
		})
	})
	if stopped || len(rec.errors) > 0 {
		t.Fatalf("a wait that kept progressing: stopped %v, errors %v", stopped, rec.errors)
	}
	// Stuck at 3 of 4: it fails once the stall has passed.
	rec, stopped = run(t, func(tb testing.TB) {
		await(tb, stall, "four objects settled", func() (bool, int) {
			return Count([]bool{true, true, false, true}, func(b bool) bool { return b })
		})
	})
	if !stopped || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "stuck at 3") || !strings.Contains(rec.errors[0], "four objects settled") {
		t.Fatalf("a stuck wait: stopped %v, errors %v", stopped, rec.errors)
	}
}

func TestReached(t *testing.T) {
	r := &Receiver{states: map[string]notify.Kind{"payment/a": notify.PaymentAuthorized, "payment/b": notify.PaymentSucceeded,
		"payment/c": notify.PaymentCanceled}}
	rec, _ := run(t, func(tb testing.TB) {
		for obj, want := range map[string]error{"payment/a": ErrPending, "payment/none": ErrPending, "payment/b": nil, "payment/c": nil} {
			if got := r.Reached(tb, obj, notify.PaymentSucceeded); got != want {
				t.Errorf("Reached(%s) = %v, want %v", obj, got, want)
			}
		}
	})
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], `payment/c: the application holds "payment.canceled"`) {
		t.Fatalf("errors %v, want one for payment/c, which ended otherwise", rec.errors)
	}
	if !r.Final("payment/c") || r.Final("payment/a") {
		t.Fatal("Final does not tell a canceled payment from an authorized one")
	}
}

func TestOps(t *testing.T) {
	want := 2000
	if testing.Short() {
		want = 200
	}
	if got := Ops(2000); got != want {
		t.Errorf("Ops(2000) = %d, want %d (short %v)", got, want, testing.Short())
	}
	if got := Ops(1); got != 1 {
		t.Errorf("Ops(1) = %d, want 1", got)
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

// TestEvery: fn runs repeatedly until stop, and not once stop has returned, even when
// stop is called during a run.
func TestEvery(t *testing.T) {
	var runs atomic.Int32
	ran := make(chan struct{}, 16)
	release := make(chan struct{})
	stop := Every(time.Millisecond, func() {
		if runs.Add(1) == 3 {
			ran <- struct{}{}
			<-release // the third run is in progress when stop is called
			return
		}
		ran <- struct{}{}
	})
	for range 3 {
		<-ran
	}
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("stop returned while a run was in progress")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-stopped
	n := runs.Load()
	time.Sleep(10 * time.Millisecond)
	if runs.Load() != n || n < 3 {
		t.Fatalf("%d runs by stop, %d after; want at least 3, and no run after stop", n, runs.Load())
	}
}

// TestForgetNeverApplied: only an uncertain call with no provider id, sent more than
// SettleAfter ago, whose reference the provider holds nothing for, is forgotten.
func TestForgetNeverApplied(t *testing.T) {
	ctx := context.Background()
	sentAt := time.Now().Add(-SettleAfter - time.Second)
	clock := sentAt
	j := journal.NewMemory(journal.WithClock(func() time.Time { return clock }))
	uncertain := func(key, ref, pid string) journal.ID {
		id := journal.ID{Scope: "s", Op: "pay", Key: key}
		c, err := j.Claim(ctx, journal.Entry{ID: id, Fingerprint: key, Reference: ref}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Record(ctx, id, c.Token, journal.Outcome{State: journal.Uncertain, ProviderID: pid}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	never := uncertain("never", "order-1", "")
	known := uncertain("known", "order-2", "pay-2")
	applied := uncertain("applied", "order-3", "")
	clock = time.Now()
	recent := uncertain("recent", "order-4", "")
	ForgetNeverApplied(t, j, []journal.ID{never, known, applied, recent}, map[string]bool{"order-3": true})
	for id, kept := range map[journal.ID]bool{never: false, known: true, applied: true, recent: true} {
		if _, err := j.Get(ctx, id); (err == nil) != kept {
			t.Errorf("%s: Get error %v, want kept %v", id.Key, err, kept)
		}
	}
}
