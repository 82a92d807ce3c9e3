package paybridge_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// scripted answers Pay with the errors in its script, then succeeds.
func scripted(repeatable bool, script ...error) (*fake, *atomic.Int64, *paybridge.Gateway) {
	var calls atomic.Int64
	f := &fake{caps: provider.Capabilities{}}
	if repeatable {
		f.caps.RepeatableWrites = []provider.Operation{provider.OpPay}
	}
	f.pay = func(r *provider.PaymentRequest) (*provider.Payment, error) {
		n := calls.Add(1)
		if int(n) <= len(script) {
			return nil, script[n-1]
		}
		return okPayment(r)
	}
	fast := paybridge.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}
	return f, &calls, paybridge.New(f, paybridge.WithRetry(fast))
}

var (
	unavailable = &provider.Error{Code: provider.ProviderUnavailable, Message: "connection refused"}
	unknown     = &provider.Error{Code: provider.UnknownOutcome, Message: "reply lost"}
	declined    = &provider.Error{Code: provider.Declined, Message: "no"}
)

func TestRetryCuresUnavailable(t *testing.T) {
	_, calls, gw := scripted(false, unavailable, unavailable)
	if _, err := gw.Pay(context.Background(), validRequest()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d attempts, want 3", calls.Load())
	}
}

func TestUnknownOutcomeRetriedOnlyWhenRepeatable(t *testing.T) {
	_, calls, gw := scripted(false, unknown)
	req := validRequest()
	req.IdempotencyKey = "k-unknown"
	_, err := gw.Pay(context.Background(), req)
	var pe *paybridge.Error
	if !errors.Is(err, paybridge.ErrUnknownOutcome) || !errors.As(err, &pe) || pe.IdempotencyKey != "k-unknown" {
		t.Fatalf("err = %v, want UnknownOutcome carrying the key", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("a write that may have happened was repeated %d times", calls.Load()-1)
	}
	_, calls, gw = scripted(true, unknown)
	if _, err := gw.Pay(context.Background(), validRequest()); err != nil || calls.Load() != 2 {
		t.Fatalf("repeatable write: %v after %d attempts, want success after 2", err, calls.Load())
	}
}

func TestFinalErrorsAreNotRetried(t *testing.T) {
	_, calls, gw := scripted(true, declined)
	if _, err := gw.Pay(context.Background(), validRequest()); !errors.Is(err, paybridge.ErrDeclined) || calls.Load() != 1 {
		t.Fatalf("%v after %d attempts", err, calls.Load())
	}
}

func TestRetryStopsAtMaxAttempts(t *testing.T) {
	_, calls, gw := scripted(true, unavailable, unavailable, unavailable, unavailable, unavailable)
	if _, err := gw.Pay(context.Background(), validRequest()); !errors.Is(err, paybridge.ErrProviderUnavailable) || calls.Load() != 4 {
		t.Fatalf("%v after %d attempts, want ProviderUnavailable after 4", err, calls.Load())
	}
}

func TestRetryAfterHonouredAndBoundedByMaxElapsed(t *testing.T) {
	limited := &provider.Error{Code: provider.RateLimited, RetryAfter: 30 * time.Millisecond}
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	var times []time.Time
	f.pay = func(r *provider.PaymentRequest) (*provider.Payment, error) {
		times = append(times, time.Now())
		if len(times) == 1 {
			return nil, limited
		}
		return okPayment(r)
	}
	gw := paybridge.New(f, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if _, err := gw.Pay(context.Background(), validRequest()); err != nil {
		t.Fatal(err)
	}
	if gap := times[1].Sub(times[0]); gap < 30*time.Millisecond {
		t.Fatalf("retried after %v, before the provider's Retry-After of 30ms", gap)
	}
	// A Retry-After beyond MaxElapsed ends the call instead of waiting: neither for the
	// hour nor until MaxElapsed, which is longer than testwait.Limit.
	var limitedCalls atomic.Int64
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) {
		limitedCalls.Add(1)
		return nil, &provider.Error{Code: provider.RateLimited, RetryAfter: time.Hour}
	}
	gw = paybridge.New(f, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 3, MaxElapsed: 5 * testwait.Limit}))
	var err error
	testwait.Returns(t, "a call whose Retry-After ends past MaxElapsed", func() { _, err = gw.Pay(context.Background(), validRequest()) })
	if !errors.Is(err, paybridge.ErrRateLimited) || limitedCalls.Load() != 1 {
		t.Fatalf("%v after %d attempts, want RateLimited after 1", err, limitedCalls.Load())
	}
}

func TestRetryWaitEndsWithContext(t *testing.T) {
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	var calls atomic.Int64
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) { calls.Add(1); return nil, unavailable }
	// The lease outlasts the wait, which a write's wait never passes.
	gw := paybridge.New(f, paybridge.WithLease(2*time.Hour),
		paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Hour, MaxDelay: time.Hour}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var err error
	// Waiting out the backoff would take far longer than testwait.Limit.
	testwait.Returns(t, "a call whose context ends during an hour-long backoff", func() { _, err = gw.Pay(ctx, validRequest()) })
	if !errors.Is(err, paybridge.ErrProviderUnavailable) || calls.Load() != 1 {
		t.Fatalf("%v after %d attempts; the wait must end with the context", err, calls.Load())
	}
}

func TestLookupsRetryUnknownOutcomeButNotNotFound(t *testing.T) {
	f := &fake{caps: provider.Capabilities{}}
	gw := paybridge.New(f, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}))
	_, err := gw.GetPayment(context.Background(), "p1")
	if !errors.Is(err, paybridge.ErrNotFound) || f.calls.Load() != 1 {
		t.Fatalf("NotFound is final: %v after %d calls", err, f.calls.Load())
	}
	var n atomic.Int64
	f.get = func(id string) (*provider.Payment, error) {
		if n.Add(1) == 1 {
			return nil, unknown // a read is always safe to repeat
		}
		return &provider.Payment{ID: id}, nil
	}
	if p, err := gw.GetPayment(context.Background(), "p2"); err != nil || p.ID != "p2" || n.Load() != 2 {
		t.Fatalf("GetPayment after a lost reply: %v, %d attempts", err, n.Load())
	}
}

func TestDefaultPolicyRetries(t *testing.T) {
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) {
		if f.calls.Load() < 3 {
			return nil, unavailable
		}
		return &provider.Payment{ID: "p1", Status: provider.PaymentPending, Amount: money.MustNew("10.00", "GBP")}, nil
	}
	gw := paybridge.New(f)
	if _, err := gw.Pay(context.Background(), validRequest()); err != nil || f.calls.Load() != 3 {
		t.Fatalf("%v after %d attempts, want success on the third", err, f.calls.Load())
	}
}

// DefaultRetryPolicy is what the README and its documentation promise: up to 4 attempts,
// waits with full jitter from at most 100ms doubling, and no wait that would end past 30
// seconds from the start of the call.
func TestDefaultPolicyBounds(t *testing.T) {
	type wait struct {
		attempt int
		d       time.Duration
	}
	// withWaits is the default policy, recording each wait it announces; cancel, when set,
	// ends the call's context there instead of waiting.
	withWaits := func(waits *[]wait, cancel context.CancelFunc) paybridge.RetryPolicy {
		p := paybridge.DefaultRetryPolicy
		p.OnRetry = func(attempt int, d time.Duration, _ error) {
			*waits = append(*waits, wait{attempt, d})
			if cancel != nil {
				cancel()
			}
		}
		return p
	}

	// A provider that never answers gets 4 attempts, with 3 waits of at most 100, 200 and
	// 400ms between them.
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) { return nil, unavailable }
	var waits []wait
	gw := paybridge.New(f, paybridge.WithRetry(withWaits(&waits, nil)))
	if _, err := gw.Pay(t.Context(), validRequest()); !errors.Is(err, paybridge.ErrProviderUnavailable) || f.calls.Load() != 4 {
		t.Fatalf("%v after %d attempts, want ErrProviderUnavailable after 4", err, f.calls.Load())
	}
	if len(waits) != 3 {
		t.Fatalf("waits %v, want 3", waits)
	}
	for i, w := range waits {
		if bound := 100 * time.Millisecond << i; w.attempt != i+1 || w.d < 0 || w.d > bound {
			t.Errorf("wait after attempt %d: %v, want at most %v", w.attempt, w.d, bound)
		}
	}

	// A Retry-After that ends within 30 seconds is waited for (the test ends the wait by
	// its context); one that ends after them ends the call with the provider's answer.
	for _, c := range []struct {
		after time.Duration
		waits bool
	}{{25 * time.Second, true}, {35 * time.Second, false}} {
		f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
		f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) {
			return nil, &provider.Error{Code: provider.RateLimited, RetryAfter: c.after}
		}
		ctx, cancel := context.WithCancel(t.Context())
		var waits []wait
		gw := paybridge.New(f, paybridge.WithRetry(withWaits(&waits, cancel)))
		var err error
		testwait.Returns(t, "a rate-limited Pay", func() { _, err = gw.Pay(ctx, validRequest()) })
		cancel()
		if c.waits {
			if len(waits) != 1 || waits[0].d != c.after || f.calls.Load() != 1 {
				t.Errorf("Retry-After %v: waits %v after %d attempts, want one wait of %v", c.after, waits, f.calls.Load(), c.after)
			}
			continue
		}
		if len(waits) != 0 || !errors.Is(err, paybridge.ErrRateLimited) || f.calls.Load() != 1 {
			t.Errorf("Retry-After %v: %v after %d attempts and waits %v, want ErrRateLimited after 1 and no wait",
				c.after, err, f.calls.Load(), waits)
		}
	}
}

func TestNoRetryMakesOneAttempt(t *testing.T) {
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) { return nil, unavailable }
	gw := paybridge.New(f, paybridge.WithRetry(paybridge.NoRetry))
	if _, err := gw.Pay(context.Background(), validRequest()); !errors.Is(err, paybridge.ErrProviderUnavailable) || f.calls.Load() != 1 {
		t.Fatalf("%v after %d attempts", err, f.calls.Load())
	}
}

// TestMaxElapsedCountsTheWholeCall: time spent waiting for another call with the same
// idempotency key counts against MaxElapsed, as the policy says: "the whole call". The
// waiting call gives up without sending anything, with an error that says to call again.
func TestMaxElapsedCountsTheWholeCall(t *testing.T) {
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	release := make(chan struct{})
	var calls atomic.Int64
	f.pay = func(r *provider.PaymentRequest) (*provider.Payment, error) {
		calls.Add(1)
		<-release // the first call holds the key
		return okPayment(r)
	}
	gw := paybridge.New(f, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 3, MaxElapsed: 300 * time.Millisecond,
		BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	req := validRequest()
	req.IdempotencyKey = "held"
	done := make(chan error, 1)
	go func() { _, err := gw.Pay(context.Background(), req); done <- err }()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// The first call is held until the second has given up, however slow the machine.
	_, err := gw.Pay(context.Background(), req)
	close(release)
	if !errors.Is(err, paybridge.ErrProviderUnavailable) || calls.Load() != 1 {
		t.Fatalf("%v after %d provider calls; want ErrProviderUnavailable and nothing sent", err, calls.Load())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Once the first call has settled, a repeat returns its payment without sending.
	if _, err := gw.Pay(context.Background(), req); err != nil || calls.Load() != 1 {
		t.Fatalf("repeat after the first settled: %v, %d provider calls", err, calls.Load())
	}
}

// A repeatable write whose first attempt may have been applied stays uncertain when a
// later attempt is refused unprocessed: the journal keeps the call (its notifications are
// still ours), the caller learns the outcome is unknown, and a repeat with another request
// under the key is refused.
func TestRetryAfterUncertainAttemptStaysUncertain(t *testing.T) {
	ctx := context.Background()
	f, calls, _ := scripted(true, unknown, unavailable)
	j := journal.NewMemory()
	gw := paybridge.New(f, paybridge.WithJournal(j),
		paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	req := validRequest()
	req.IdempotencyKey = "k-uncertain-then-503"
	_, err := gw.Pay(ctx, req)
	if !errors.Is(err, paybridge.ErrUnknownOutcome) || calls.Load() != 2 {
		t.Fatalf("Pay: %v after %d attempts; want ErrUnknownOutcome after 2", err, calls.Load())
	}
	e, err := j.Get(ctx, journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: req.IdempotencyKey})
	if err != nil || e.State != journal.Uncertain {
		t.Fatalf("journal entry: %+v, %v; want it kept as uncertain", e, err)
	}
	other := req
	other.Description = "another request"
	if _, err := gw.Pay(ctx, other); !errors.Is(err, paybridge.ErrDuplicate) {
		t.Fatalf("another request under the key: %v; want ErrDuplicate", err)
	}
}

// retryHook records the calls of RetryPolicy.OnRetry.
type retryHook struct {
	attempts []int
	waits    []time.Duration
	errs     []error
}

func (h *retryHook) on(attempt int, wait time.Duration, err error) {
	h.attempts = append(h.attempts, attempt)
	h.waits = append(h.waits, wait)
	h.errs = append(h.errs, err)
}

// TestOnRetryReportsEachWait: OnRetry is called before each wait with the number of the
// attempt that failed, the wait that follows (here the provider's Retry-After, which
// exceeds the back-off) and that attempt's error, and the next attempt comes no sooner
// than the wait reported.
func TestOnRetryReportsEachWait(t *testing.T) {
	script := []error{
		&provider.Error{Code: provider.RateLimited, RetryAfter: 5 * time.Millisecond, Message: "first"},
		&provider.Error{Code: provider.RateLimited, RetryAfter: 7 * time.Millisecond, Message: "second"},
	}
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	var times []time.Time
	f.pay = func(r *provider.PaymentRequest) (*provider.Payment, error) {
		times = append(times, time.Now())
		if n := len(times); n <= len(script) {
			return nil, script[n-1]
		}
		return okPayment(r)
	}
	var h retryHook
	gw := paybridge.New(f, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond,
		MaxDelay: time.Millisecond, OnRetry: h.on}))
	if _, err := gw.Pay(context.Background(), validRequest()); err != nil {
		t.Fatal(err)
	}
	if len(times) != 3 || len(h.attempts) != 2 || h.attempts[0] != 1 || h.attempts[1] != 2 {
		t.Fatalf("%d attempts, OnRetry attempts %v; want 3 attempts and OnRetry after attempts 1 and 2", len(times), h.attempts)
	}
	for i, want := range []time.Duration{5 * time.Millisecond, 7 * time.Millisecond} {
		if h.waits[i] != want {
			t.Errorf("OnRetry after attempt %d: wait %v, want the Retry-After %v", i+1, h.waits[i], want)
		}
		if gap := times[i+1].Sub(times[i]); gap < h.waits[i] {
			t.Errorf("attempt %d came %v after attempt %d, before the reported wait of %v", i+2, gap, i+1, h.waits[i])
		}
		if h.errs[i] != script[i] {
			t.Errorf("OnRetry after attempt %d: error %v, want %v", i+1, h.errs[i], script[i])
		}
	}

	// Back-off waits are reported as drawn: within BaseDelay·2^(attempt-1), capped at MaxDelay.
	sf, calls, _ := scripted(false, unavailable, unavailable, unavailable)
	h = retryHook{}
	gw = paybridge.New(sf, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond,
		MaxDelay: 3 * time.Millisecond, OnRetry: h.on}))
	if _, err := gw.Pay(context.Background(), validRequest()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 4 || len(h.attempts) != 3 {
		t.Fatalf("%d attempts, OnRetry called %d times; want 4 and 3", calls.Load(), len(h.attempts))
	}
	for i, bound := range []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond} {
		if h.attempts[i] != i+1 || h.waits[i] < 0 || h.waits[i] > bound || !errors.Is(h.errs[i], paybridge.ErrProviderUnavailable) {
			t.Errorf("OnRetry call %d: attempt %d, wait %v (bound %v), error %v", i+1, h.attempts[i], h.waits[i], bound, h.errs[i])
		}
	}
}

// TestOnRetryNotCalledWithoutRetry: no call of OnRetry when nothing is repeated — a
// success, an error a repeat cannot cure, a write of unknown outcome that is not
// repeatable, a single-attempt policy, a wait that would pass MaxElapsed — nor after the
// last attempt.
func TestOnRetryNotCalledWithoutRetry(t *testing.T) {
	for _, c := range []struct {
		name     string
		script   []error
		attempts int
		policy   paybridge.RetryPolicy
	}{
		{"success", nil, 1, paybridge.RetryPolicy{MaxAttempts: 4}},
		{"declined", []error{declined}, 1, paybridge.RetryPolicy{MaxAttempts: 4}},
		{"unknown outcome", []error{unknown}, 1, paybridge.RetryPolicy{MaxAttempts: 4}},
		{"single attempt", []error{unavailable}, 1, paybridge.RetryPolicy{MaxAttempts: 1}},
		{"past MaxElapsed", []error{&provider.Error{Code: provider.RateLimited, RetryAfter: time.Hour}}, 1,
			paybridge.RetryPolicy{MaxAttempts: 4, MaxElapsed: time.Minute}},
		{"last attempt", []error{unavailable, unavailable}, 2, paybridge.RetryPolicy{MaxAttempts: 2}},
	} {
		f, calls, _ := scripted(false, c.script...)
		var h retryHook
		p := c.policy
		p.BaseDelay, p.MaxDelay, p.OnRetry = time.Millisecond, time.Millisecond, h.on
		_, _ = paybridge.New(f, paybridge.WithRetry(p)).Pay(context.Background(), validRequest())
		if calls.Load() != int64(c.attempts) || len(h.attempts) != c.attempts-1 {
			t.Errorf("%s: %d attempts, OnRetry after attempts %v; want %d attempts and OnRetry before each repeat only",
				c.name, calls.Load(), h.attempts, c.attempts)
		}
	}
}

// TestOnRetryWaitStillEndsWithContext: the context ends the wait that follows OnRetry.
func TestOnRetryWaitStillEndsWithContext(t *testing.T) {
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	var calls atomic.Int64
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) { calls.Add(1); return nil, unavailable }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Waiting out the backoff would take far longer than testwait.Limit; the hook cancels
	// the context, which then ends the wait that follows it.
	var h retryHook
	onRetry := func(attempt int, wait time.Duration, err error) { h.on(attempt, wait, err); cancel() }
	gw := paybridge.New(f, paybridge.WithLease(2*time.Hour),
		paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Hour, MaxDelay: time.Hour, OnRetry: onRetry}))
	var err error
	testwait.Returns(t, "a call whose context ends during an hour-long backoff", func() { _, err = gw.Pay(ctx, validRequest()) })
	if !errors.Is(err, paybridge.ErrProviderUnavailable) || calls.Load() != 1 || len(h.attempts) != 1 || h.attempts[0] != 1 {
		t.Fatalf("%v after %d attempts, OnRetry after attempts %v; the wait must end with the context", err, calls.Load(), h.attempts)
	}
}

// A repeatable write left uncertain by an earlier call stays uncertain when the repeat a
// later call makes is refused unprocessed: nothing proved the earlier attempt absent, so
// the caller learns the outcome is unknown, not that the provider merely failed to process
// the call.
func TestResumedUncertainRefusedRepeatStaysUncertain(t *testing.T) {
	ctx := context.Background()
	for _, refusal := range []error{unavailable, &provider.Error{Code: provider.RateLimited, Message: "slow down"},
		&provider.Error{Code: provider.InvalidRequest, Message: "refused"}} {
		f, calls, _ := scripted(true, unknown, refusal)
		j := journal.NewMemory()
		gw := paybridge.New(f, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
		req := validRequest()
		req.IdempotencyKey = "k-resumed-" + provider.CodeOf(refusal).String()
		if _, err := gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
			t.Fatalf("first call: %v; want ErrUnknownOutcome", err)
		}
		_, err := gw.Pay(ctx, req)
		if !errors.Is(err, paybridge.ErrUnknownOutcome) || calls.Load() != 2 {
			t.Errorf("repeat refused with %v: %v after %d attempts; want ErrUnknownOutcome after 2", refusal, err, calls.Load())
		}
		e, err := j.Get(ctx, journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: req.IdempotencyKey})
		if err != nil || e.State != journal.Uncertain {
			t.Errorf("journal entry: %+v, %v; want it kept as uncertain", e, err)
		}
	}
}

// A context that ends during an attempt ends the call: even a wait of nothing before the
// repeat makes no further attempt, and records none in the journal.
func TestNoRepeatAfterTheContextEnded(t *testing.T) {
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	var calls atomic.Int64
	var cancel context.CancelFunc
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) {
		calls.Add(1)
		cancel()
		return nil, unavailable
	}
	gw := paybridge.New(f, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 2, MaxDelay: time.Nanosecond}))
	// The wait is at most a nanosecond, so an expired timer and the ended context race:
	// repeat the call to catch a repeat that the race let through.
	for i := range 20 {
		ctx, stop := context.WithCancel(context.Background())
		cancel = stop
		calls.Store(0)
		req := validRequest()
		req.IdempotencyKey = "k-ended-" + strconv.Itoa(i)
		_, err := gw.Pay(ctx, req)
		stop()
		if !errors.Is(err, paybridge.ErrProviderUnavailable) || calls.Load() != 1 {
			t.Fatalf("%v after %d attempts; want ProviderUnavailable after 1: the context ended", err, calls.Load())
		}
	}
}

// sentFails is a journal whose Sent fails while down is set, as one whose database went
// away between a claim and the attempt would.
type sentFails struct {
	journal.Journal
	down atomic.Bool
}

func (j *sentFails) Sent(ctx context.Context, id journal.ID, token string, lease time.Duration) error {
	if j.down.Load() {
		return errors.New("connection refused")
	}
	return j.Journal.Sent(ctx, id, token, lease)
}

// A repeatable write resumed as uncertain whose repeat cannot be journaled sends nothing,
// returns the earlier attempt's uncertainty (nothing proved it absent), and ends its claim,
// so that the next call with the key is not kept waiting for the lease.
func TestResumedUncertainUnjournaledRepeat(t *testing.T) {
	ctx := context.Background()
	f, calls, _ := scripted(true, unknown)
	j := &sentFails{Journal: journal.NewMemory()}
	gw := paybridge.New(f, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	req := validRequest()
	req.IdempotencyKey = "k-resumed-unjournaled"
	if _, err := gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("first call: %v; want ErrUnknownOutcome", err)
	}
	j.down.Store(true)
	if _, err := gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) || calls.Load() != 1 {
		t.Fatalf("repeat that could not be journaled: %v after %d attempts; want ErrUnknownOutcome after 1", err, calls.Load())
	}
	e, err := j.Get(ctx, journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: req.IdempotencyKey})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := j.Claim(ctx, e, time.Minute); err != nil || !c.Held || c.Entry.State != journal.Uncertain {
		t.Fatalf("claim after the failed repeat: %+v, %v; want the uncertain entry free to claim", c, err)
	}
}

// A write's wait for a repeat never outlasts the claim on its journal entry: another call
// with the key would take the entry over as uncertain, though nothing was processed. A
// Retry-After beyond the lease ends the call with the refusal, and frees the key.
func TestWriteWaitStaysWithinTheLease(t *testing.T) {
	ctx := context.Background()
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	var calls atomic.Int64
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) {
		calls.Add(1)
		return nil, &provider.Error{Code: provider.RateLimited, RetryAfter: time.Hour, Message: "come back in an hour"}
	}
	j := journal.NewMemory()
	gw := paybridge.New(f, paybridge.WithJournal(j), paybridge.WithLease(time.Minute),
		paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	req := validRequest()
	req.IdempotencyKey = "k-long-retry-after"
	var err error
	// Waiting out the Retry-After would take far longer than testwait.Limit.
	testwait.Returns(t, "a write whose Retry-After passes its lease", func() { _, err = gw.Pay(ctx, req) })
	if !errors.Is(err, paybridge.ErrRateLimited) || calls.Load() != 1 {
		t.Fatalf("%v after %d attempts; want RateLimited after 1", err, calls.Load())
	}
	if e, err := j.Get(ctx, journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: req.IdempotencyKey}); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("journal entry %+v, %v; want none: nothing was processed", e, err)
	}
}
