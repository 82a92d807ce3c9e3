// Package chaostest runs the adapters' chaos tests: a pool of workers sends money-moving
// calls with fixed idempotency keys through a Gateway while a simulator injects seeded
// faults, repeats every call that did not succeed with the same key until all succeed,
// and then reconciles the simulator's ledger with what was asked for. It also serves a
// Gateway's notification handler and keeps what the application saw.
package chaostest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
)

// SeedEnv names the environment variable that picks the seed of a chaos run, as a
// decimal integer; without it the runs use CISeed.
const SeedEnv = "PAYBRIDGE_CHAOS_SEED"

// CISeed is the seed of a run without SeedEnv.
const CISeed int64 = 1

// Seed returns the seed of this run and logs it with the way to replay it.
func Seed(t testing.TB) int64 {
	t.Helper()
	seed := CISeed
	if v := os.Getenv(SeedEnv); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q is not a decimal integer", SeedEnv, v)
		}
		seed = n
	}
	t.Logf("chaos seed %d (replay with %s=%d go test -race -run '^%s$')", seed, SeedEnv, seed, t.Name())
	return seed
}

// The fault mixes of the chaos tests: 30% of API requests meet a fault.
var (
	// SignedAnswers is the mix for a protocol that signs its answers (Trustly JSON-RPC).
	SignedAnswers = simkit.FaultRates{Fail: 0.08, Drop: 0.08, Delay: 0.03, Malformed: 0.04, Unsigned: 0.03, BadSignature: 0.04}
	// AuthenticatedAnswers is the mix for a protocol whose answers may carry a MAC that
	// is checked when present (Trustist's Hawk Server-Authorization): a wrong MAC but
	// no missing one, which the protocol allows.
	AuthenticatedAnswers = simkit.FaultRates{Fail: 0.08, Drop: 0.08, Delay: 0.03, Malformed: 0.05, BadSignature: 0.06}
	// PlainAnswers is the mix for a protocol whose answers are not signed (Trustly REST).
	PlainAnswers = simkit.FaultRates{Fail: 0.10, Drop: 0.10, Delay: 0.03, Malformed: 0.07}
	// Deliveries is the mix of notification delivery faults: 30% of attempts are
	// dropped, duplicated, reordered or delayed.
	Deliveries = simkit.DeliveryRates{Drop: 0.10, Duplicate: 0.08, Reorder: 0.08, Delay: 0.04, MaxDelay: 30 * time.Millisecond}
)

// ClientTimeout is the HTTP client timeout of the chaos tests' adapters: generous beside
// what an answer takes on a busy machine under the race detector, so that an ordinary
// answer is not cut off. DelayBy is the hold of a delayed answer: longer, so that a
// delayed answer is an answer lost after the provider processed the request.
const (
	ClientTimeout = 2 * time.Second
	DelayBy       = 2 * ClientTimeout
)

// Stall is how long a run, or a wait, goes on without progress before it fails the test:
// runs are bounded by progress, not by their length, so that a busy machine makes them
// slower but does not fail them.
const Stall = 2 * time.Minute

// maxBackoff bounds the wait between repeats of an operation after errors. A Trustly REST
// refund whose answer was lost stays an unknown outcome until its settling period has
// passed, and each repeat before then costs a look-up that cannot prove it absent; a
// worker that repeats every 50ms sent some 30 requests per refund, and a busy machine
// spent its time on them.
const maxBackoff = 500 * time.Millisecond

// AttemptTimeout bounds one call of a Run. A call it cuts off is an unknown outcome, and
// the operation is made again with its key, as a worker would.
const AttemptTimeout = time.Minute

// Ops returns n, the number of operations of a chaos test, or a tenth of it (at least 1)
// under -short.
func Ops(n int) int {
	if testing.Short() {
		return max(n/10, 1)
	}
	return n
}

// Retry is the Gateway retry policy of the chaos tests: a few quick attempts, so that
// both the Gateway's repeats and the caller's own (with the same key) are exercised.
var Retry = paybridge.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}

// ErrPending is what a Run's call returns for an operation that worked but has not
// reached the state it waits for: the call is made again later, as a poll, not a retry.
var ErrPending = errors.New("chaostest: not there yet")

// Stats count the calls a Run made.
type Stats struct {
	// Operations is how many operations ran; each succeeded once.
	Operations int
	// Calls is how many Gateway calls were made, first calls included.
	Calls int64
	// Retries is how many calls repeated an operation, with its key, after an error.
	Retries int64
	// Polls is how many calls repeated an operation after ErrPending.
	Polls int64
	// Codes counts the errors by code.
	Codes map[paybridge.Code]int64
	// CutOff counts the calls that Options.AttemptTimeout ended, each then repeated with
	// its key like an unknown outcome; Codes does not count them.
	CutOff int64
}

// codes lists the error counts by code, e.g. "provider_unavailable:3,unknown_outcome:12".
func (s Stats) codes() string {
	var parts []string
	for c, n := range s.Codes {
		parts = append(parts, c.String()+":"+strconv.FormatInt(n, 10))
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// Options configure a Run.
type Options struct {
	// Workers is how many goroutines call at once (default 64: a delayed answer holds
	// its worker for ClientTimeout, and the others keep the simulator busy meanwhile).
	Workers int
	// Allowed are the error codes after which an operation is repeated; any other error
	// fails the test. UnknownOutcome, ProviderUnavailable and RateLimited are always
	// allowed.
	Allowed []paybridge.Code
	// Backoff is the wait before an operation is repeated after an error (default 5ms,
	// doubling to maxBackoff), and between polls after ErrPending.
	Backoff time.Duration
	// Stall fails the run when no operation completes for this long (default the
	// package's Stall). However long the whole run takes, it fails only then.
	Stall time.Duration
	// AttemptTimeout bounds each call (default the package's AttemptTimeout).
	AttemptTimeout time.Duration
}

// Run performs operations 0 to n-1 on a pool of workers. call makes one attempt of
// operation i and returns its idempotency key and error; each operation is repeated,
// with the same key, until call returns nil. An UnknownOutcome error must carry the key
// (a *paybridge.Error with IdempotencyKey set to it); an error with a code outside
// Options.Allowed ends that operation. A call that its attempt's deadline
// (Options.AttemptTimeout) ends with the context's error is an unknown outcome too. Run
// is bounded by progress: it gives up only when no operation has completed for
// Options.Stall. It stops the test (FailNow) when an operation did not succeed; call it
// from the test's goroutine.
func Run(t testing.TB, n int, o Options, call func(ctx context.Context, i int) (key string, err error)) Stats {
	t.Helper()
	if o.Workers <= 0 {
		o.Workers = 64
	}
	if o.Backoff <= 0 {
		o.Backoff = 5 * time.Millisecond
	}
	if o.Stall <= 0 {
		o.Stall = Stall
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = AttemptTimeout
	}
	allowed := append([]paybridge.Code{paybridge.CodeUnknownOutcome, paybridge.CodeProviderUnavailable, paybridge.CodeRateLimited}, o.Allowed...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		calls, retries, polls, cutOff atomic.Int64
		mu                            sync.Mutex
		codes                         = map[paybridge.Code]int64{}
		failures, open                []string
		next                          atomic.Int64
		wg                            sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	w := newWatchdog(o.Stall, cancel)
	defer w.stop()
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				wait := o.Backoff
				var last error
				for afterError := false; ; {
					if ctx.Err() != nil {
						mu.Lock()
						if len(open) < 20 {
							open = append(open, fmt.Sprintf("operation %d (last error: %v)", i, last))
						}
						mu.Unlock()
						return
					}
					if afterError {
						retries.Add(1)
					}
					calls.Add(1)
					actx, acancel := context.WithTimeout(ctx, o.AttemptTimeout)
					key, err := call(actx, i)
					ended := actx.Err()
					acancel()
					if err == nil {
						w.progress()
						break
					}
					if ctx.Err() != nil {
						last = err // the run is stopping: the error is the stop's
						continue
					}
					if errors.Is(err, ErrPending) {
						polls.Add(1)
						afterError, last = false, err
						_ = simkit.Sleep(ctx, o.Backoff)
						continue
					}
					afterError, last = true, err
					code := paybridge.CodeOf(err)
					if code == paybridge.CodeUnknown && ended != nil && errors.Is(err, ended) {
						// Cut off by the attempt's deadline: the outcome is unknown, and
						// the operation is made again with its key.
						cutOff.Add(1)
						_ = simkit.Sleep(ctx, wait)
						wait = min(2*wait, maxBackoff)
						continue
					}
					mu.Lock()
					codes[code]++
					mu.Unlock()
					if !slices.Contains(allowed, code) {
						fail("operation %d (key %s): %v (code %s), which a repeat must not be needed to cure", i, key, err, code)
						break
					}
					var pe *paybridge.Error
					if code == paybridge.CodeUnknownOutcome && (!errors.As(err, &pe) || pe.IdempotencyKey != key) {
						fail("operation %d: an unknown outcome without its idempotency key %q: %v", i, key, err)
						break
					}
					_ = simkit.Sleep(ctx, wait)
					wait = min(2*wait, maxBackoff)
				}
			}
		}()
	}
	wg.Wait()
	w.stop()
	if w.stalled() {
		inFlight := "none in progress"
		if len(open) > 0 {
			inFlight = "stopped in progress: " + strings.Join(open, "; ")
		}
		t.Errorf("no operation completed for %v: %d of %d done, %s", o.Stall, w.count(), n, inFlight)
	}
	for _, f := range failures {
		t.Error(f)
	}
	if len(failures) > 0 || w.stalled() {
		t.FailNow()
	}
	return Stats{Operations: n, Calls: calls.Load(), Retries: retries.Load(), Polls: polls.Load(), Codes: codes, CutOff: cutOff.Load()}
}

// watchdog calls stop when progress has not been called for a stall.
type watchdog struct {
	start  time.Time
	last   atomic.Int64 // time.Since(start) at the last progress
	done   atomic.Int64 // calls of progress
	fired  atomic.Bool
	quit   chan struct{}
	exited chan struct{}
}

func newWatchdog(stall time.Duration, stop func()) *watchdog {
	w := &watchdog{start: time.Now(), quit: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(w.exited)
		tick := time.NewTicker(max(min(stall/20, time.Second), time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-w.quit:
				return
			case <-tick.C:
				if time.Since(w.start)-time.Duration(w.last.Load()) >= stall {
					w.fired.Store(true)
					stop()
					return
				}
			}
		}
	}()
	return w
}

// progress records that an operation completed.
func (w *watchdog) progress() {
	w.done.Add(1)
	w.last.Store(int64(time.Since(w.start)))
}

func (w *watchdog) count() int64 { return w.done.Load() }

func (w *watchdog) stalled() bool { return w.fired.Load() }

// stop ends the watchdog and waits until it has.
func (w *watchdog) stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.exited
}

// Applied is one money movement in a simulator's ledger: the key of the operation it
// belongs to and its amount.
type Applied struct {
	Key    string
	Amount money.Amount
}

// Reconciliation is the comparison of a simulator's ledger with the operations asked for.
type Reconciliation struct {
	// Duplicates counts the keys applied more than once; Lost the keys never applied;
	// WrongAmount the keys applied once with another amount; Unexpected the movements
	// of keys nobody asked for.
	Duplicates, Lost, WrongAmount, Unexpected int
	// Want and Got are the totals asked for and applied.
	Want, Got money.Amount
}

// Reconcile compares the movements a simulator applied with the operations asked for
// (key → amount), reports each mismatch as a test error, and checks that the totals are
// equal to the last unit.
func Reconcile(t testing.TB, want map[string]money.Amount, got []Applied) Reconciliation {
	t.Helper()
	var r Reconciliation
	byKey := map[string][]money.Amount{}
	for _, a := range got {
		byKey[a.Key] = append(byKey[a.Key], a.Amount)
	}
	var report []string
	note := func(format string, args ...any) {
		if len(report) < 20 {
			report = append(report, fmt.Sprintf(format, args...))
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := want[k]
		r.Want = add(t, r.Want, w)
		switch as := byKey[k]; {
		case len(as) == 0:
			r.Lost++
			note("key %s: never applied (want %s)", k, w)
		case len(as) > 1:
			r.Duplicates++
			note("key %s: applied %d times: %v (want %s once)", k, len(as), as, w)
		case !as[0].Equal(w):
			r.WrongAmount++
			note("key %s: applied %s, want %s", k, as[0], w)
		}
	}
	for _, a := range got {
		r.Got = add(t, r.Got, a.Amount)
		if _, ok := want[a.Key]; !ok {
			r.Unexpected++
			note("movement of %s for key %q, which no operation asked for", a.Amount, a.Key)
		}
	}
	for _, s := range report {
		t.Error(s)
	}
	if !r.Want.Equal(r.Got) {
		t.Errorf("the ledger moved %s in total, want %s", r.Got, r.Want)
	}
	return r
}

func add(t testing.TB, sum, a money.Amount) money.Amount {
	t.Helper()
	if !sum.IsValid() {
		return a
	}
	out, err := sum.Add(a)
	if err != nil {
		t.Fatalf("adding %s to %s: %v", a, sum, err)
	}
	return out
}

// Result is one chaos test's figures, as docs/reliability.md tabulates them.
type Result struct {
	Adapter, Operation string
	Seed               int64
	// Rate is the combined request fault rate.
	Rate   float64
	Stats  Stats
	Faults simkit.FaultCounts
	Reconciliation
}

// Log writes the result as one line of key=value pairs.
func Log(t testing.TB, r Result) {
	t.Helper()
	f := r.Faults
	t.Logf("chaos result: adapter=%s operation=%s operations=%d fault_rate=%.2f seed=%d calls=%d retries=%d polls=%d cut_off=%d duplicates=%d lost=%d "+
		"requests=%d faults=fail:%d,drop:%d,delay:%d,malformed:%d,unsigned:%d,bad-signature:%d errors=%s total=%s",
		r.Adapter, r.Operation, r.Stats.Operations, r.Rate, r.Seed, r.Stats.Calls, r.Stats.Retries, r.Stats.Polls, r.Stats.CutOff, r.Duplicates, r.Lost,
		f.Requests, f.Fail, f.Drop, f.Delay, f.Malformed, f.Unsigned, f.BadSignature, r.Stats.codes(), r.Got)
}

// WaitFor polls cond every few milliseconds until it holds, and fails the test with what
// when it does not within timeout. For a wait that tracks work being done, Await bounds
// the wait by progress instead.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Await polls check every few milliseconds until it reports done, and fails the test
// with what when the progress it reports (a count of the work done so far, such as the
// objects already in their final state) has not changed for Stall. However long the
// wait, it fails only when it stops getting anywhere.
func Await(t testing.TB, what string, check func() (done bool, progress int)) {
	t.Helper()
	await(t, Stall, what, check)
}

func await(t testing.TB, stall time.Duration, what string, check func() (done bool, progress int)) {
	t.Helper()
	// Checks that read a simulator hold its lock: poll often, but spend at most about a
	// tenth of the time checking.
	checked := func() (done bool, progress int, pause time.Duration) {
		start := time.Now()
		done, progress = check()
		return done, progress, min(max(5*time.Millisecond, 10*time.Since(start)), time.Second)
	}
	done, last, pause := checked()
	since := time.Now()
	for !done {
		time.Sleep(pause)
		var p int
		done, p, pause = checked()
		switch {
		case done:
		case p != last:
			last, since = p, time.Now()
		case time.Since(since) >= stall:
			t.Fatalf("no progress for %v (stuck at %d): %s", stall, last, what)
		}
	}
}

// Count returns how many of xs satisfy ok, and whether all do: a check for Await.
func Count[T any](xs []T, ok func(T) bool) (all bool, n int) {
	for _, x := range xs {
		if ok(x) {
			n++
		}
	}
	return n == len(xs), n
}

// Amount returns a distinct amount for operation i in currency cur: from 1.00 upwards in
// steps that vary in the minor units, so that sums check every digit.
func Amount(cur money.Currency, i int) money.Amount {
	return money.FromMinorCurrency(int64(100+(i*7919)%9900), cur)
}

// Payments runs Run over n payments "order-<i>" with keys "pay-<i>" and amounts
// Amount(cur, i), through pay, and returns what each reference should have been paid,
// the payment id each operation was given, and the run's figures.
func Payments(t testing.TB, n int, cur money.Currency, pay func(ctx context.Context, ref, key string, amount money.Amount) (id string, err error)) (want map[string]money.Amount, ids []string, st Stats) {
	t.Helper()
	want = make(map[string]money.Amount, n)
	ids = make([]string, n)
	for i := range n {
		want[fmt.Sprintf("order-%d", i)] = Amount(cur, i)
	}
	st = Run(t, n, Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("pay-%d", i)
		id, err := pay(ctx, fmt.Sprintf("order-%d", i), key, Amount(cur, i))
		if err == nil {
			ids[i] = id
		}
		return key, err
	})
	return want, ids, st
}

// Every runs fn every interval in its own goroutine until stop is called, as the
// reconciliation jobs the tests run beside their callers do; stop waits for a run in
// progress to end.
func Every(interval time.Duration, fn func()) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				fn()
			}
		}
	}()
	return func() { close(quit); <-done }
}

// SettleAfter is how long after an uncertain call was sent a reconciliation trusts that a
// reference the simulator holds nothing for was never applied: far past ClientTimeout (a
// simulator processes a request when it reads it; its faults delay answers, not requests).
const SettleAfter = 15 * ClientTimeout

// ForgetNeverApplied is the reconciliation an operator runs for a provider that cannot be
// asked by reference (Trustist): each call of ids the journal holds as uncertain with no
// provider id, sent more than SettleAfter ago, whose reference applied does not hold, was
// never applied, and is forgotten, so that the next call with its key sends it afresh.
// Nothing else settles such a call: no object at the provider means no notification.
func ForgetNeverApplied(t testing.TB, j journal.Journal, ids []journal.ID, applied map[string]bool) {
	ctx := context.Background()
	for _, id := range ids {
		en, err := j.Get(ctx, id)
		if err != nil || en.State != journal.Uncertain || en.ProviderID != "" || applied[en.Reference] ||
			time.Since(en.SentAt) < SettleAfter {
			continue
		}
		if err := j.Forget(ctx, id); err == nil {
			t.Logf("reconcile: %s %s (%s) was never applied: forgotten, to be sent afresh", id.Op, id.Key, en.Reference)
		}
	}
}
