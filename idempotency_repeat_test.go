package paybridge_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// testClock is a clock the journal and a fake adapter's look-ups share.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// settling is a Resolver that, like Trustly REST's, finds nothing for an attempt and
// counts "not found" as "never applied" only once settle has passed since Attempt.SentAt:
// before that a request may still be on its way to the provider.
func settling(clock *testClock, settle time.Duration) func(provider.Attempt) (any, error) {
	return func(a provider.Attempt) (any, error) {
		if clock.Now().Sub(a.SentAt) < settle {
			return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "nothing found yet; the request may still land"}
		}
		return nil, provider.ErrNotApplied
	}
}

// A request the Gateway repeats within one call (after a 503) is a request that may land:
// the journal must say when it was sent, or a later look-up measures its settling period
// from the first attempt and takes the repeat, still on its way, for never sent.
func TestRepeatWithinACallRecordsWhenItWasSent(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	const settle = 2 * time.Minute
	var sends []time.Time
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	f.pay = func(*provider.PaymentRequest) (*provider.Payment, error) {
		sends = append(sends, clock.Now())
		if len(sends) == 1 {
			return nil, &provider.Error{Code: provider.ProviderUnavailable, Message: "503: not processed"}
		}
		// The repeat reached the provider; its answer never came back.
		return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "the answer was lost"}
	}
	r := &resolving{fake: f, resolve: settling(clock, settle)}
	retry := paybridge.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond,
		// The provider stays unavailable for a while (a long Retry-After, a policy without
		// MaxElapsed): the repeat goes out 10 minutes after the first attempt.
		OnRetry: func(int, time.Duration, error) { clock.Advance(10 * time.Minute) }}
	j := journal.NewMemory(journal.WithClock(clock.Now))
	gw := paybridge.New(r, paybridge.WithJournal(j), paybridge.WithRetry(retry))
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("first Pay: %v; want ErrUnknownOutcome", err)
	}
	if len(sends) != 2 {
		t.Fatalf("%d requests sent; want the 503 and the repeat", len(sends))
	}

	// A minute after the repeat was sent, well inside its settling period, the call is
	// repeated with its key: nothing may be sent.
	clock.Advance(time.Minute)
	f.pay = func(r *provider.PaymentRequest) (*provider.Payment, error) {
		sends = append(sends, clock.Now())
		return okPayment(r)
	}
	_, err := paybridge.New(r, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry)).Pay(ctx, keyed("k1"))
	if len(r.attempts) != 1 {
		t.Fatalf("Resolve called %d times; want once", len(r.attempts))
	}
	if a := r.attempts[0]; !a.SentAt.Equal(sends[1]) || a.Attempts != 2 {
		t.Errorf("Resolve saw SentAt %v and %d attempts; want the repeat's time %v and 2", a.SentAt, a.Attempts, sends[1])
	}
	if len(sends) != 2 || !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("a repeat a minute after a request that may still land: %v, %d requests in all; "+
			"want ErrUnknownOutcome and nothing sent", err, len(sends))
	}
}

// A caller whose lease ran out while it waited to repeat a request, and whose entry
// another caller has taken over since, must not send: the other caller proved the first
// attempt absent and sent the request itself.
func TestRepeatAfterTheClaimWasTakenOverSendsNothing(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	const lease, settle = time.Minute, 30 * time.Second
	j := journal.NewMemory(journal.WithClock(clock.Now))
	var mu sync.Mutex
	applied := 0
	f := &fake{caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	first := true
	f.pay = func(r *provider.PaymentRequest) (*provider.Payment, error) {
		mu.Lock()
		defer mu.Unlock()
		if first {
			first = false
			return nil, &provider.Error{Code: provider.ProviderUnavailable, Message: "503: not processed"}
		}
		applied++
		return okPayment(r)
	}
	other := paybridge.New(&resolving{fake: f, resolve: settling(clock, settle)}, paybridge.WithJournal(j),
		paybridge.WithLease(lease), paybridge.WithRetry(paybridge.NoRetry))
	var otherErr error
	retry := paybridge.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond,
		OnRetry: func(int, time.Duration, error) {
			// While this caller waits, its lease passes and another instance repeats the
			// call: it takes the entry over, proves the 503'd attempt absent, and pays.
			clock.Advance(2 * lease)
			_, otherErr = other.Pay(ctx, keyed("k1"))
		}}
	gw := paybridge.New(&resolving{fake: f, resolve: settling(clock, settle)}, paybridge.WithJournal(j),
		paybridge.WithLease(lease), paybridge.WithRetry(retry))
	_, err := gw.Pay(ctx, keyed("k1"))
	if otherErr != nil {
		t.Fatalf("the other instance's Pay: %v", otherErr)
	}
	if applied != 1 {
		t.Fatalf("the key paid %d times; want once (the first caller's Pay returned %v)", applied, err)
	}
	if err == nil || errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("the first caller's Pay: %v; want an error saying that nothing more was sent", err)
	}
}

// hanging is an adapter whose Pay sends its request through internal/transport, as every
// adapter does, to a provider that reads it and never answers, with an HTTP client
// without a timeout (http.DefaultClient is a common choice).
type hanging struct {
	fake
	url string
	hc  *http.Client
}

func (h *hanging) Pay(ctx context.Context, _ *provider.PaymentRequest) (*provider.Payment, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, strings.NewReader(`{"amount":"10.00"}`))
	if err != nil {
		return nil, err
	}
	_, err = transport.Do(h.hc, req, "the provider", 0)
	return nil, err
}

// An attempt must end while the claim it was sent under is still held, however the
// adapter's HTTP client is configured: otherwise another instance takes the entry over
// while the request is still awaiting its answer and, when its look-up finds nothing,
// sends it again. The request is cut off before the lease ends and the call recorded
// uncertain by the caller that sent it.
func TestAnAttemptEndsBeforeItsLease(t *testing.T) {
	const lease = 300 * time.Millisecond
	stop := make(chan struct{})
	received := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		received <- struct{}{}
		select { // no answer until the client gives up or the test ends
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)
	h := &hanging{fake: fake{caps: provider.Capabilities{Currencies: []money.Currency{money.MustCurrency("GBP")}}},
		url: srv.URL, hc: &http.Client{}}
	j := journal.NewMemory()
	gw := paybridge.New(h, paybridge.WithJournal(j), paybridge.WithLease(lease), paybridge.WithRetry(paybridge.NoRetry))
	// The caller's own deadline, far beyond the lease, only ends the test if the request
	// is not cut off.
	ctx, cancel := context.WithTimeout(context.Background(), 20*lease)
	defer cancel()
	_, err := gw.Pay(ctx, keyed("hang-1"))
	<-received
	if ctx.Err() != nil {
		t.Fatal("the request outlived the lease: only the caller's own deadline ended it")
	}
	if !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Pay: %v; want ErrUnknownOutcome", err)
	}
	e, gerr := j.Get(context.Background(), journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: "hang-1"})
	if gerr != nil || e.State != journal.Uncertain {
		t.Fatalf("journal entry %+v, %v; want it recorded uncertain by the caller that sent it", e, gerr)
	}
}

// lateAnswers is a journal whose answers to Claim (or Sent) reach the caller late: a
// database slow to answer, or a process paused once its statement ran. The claim is made
// at once; the caller learns of it only when the test lets the answer go.
type lateAnswers struct {
	*journal.Memory
	lateSent bool               // Sent answers late, Claim at once; otherwise the reverse
	made     chan journal.Entry // the entry claimed, as the late call is made
	answer   chan struct{}      // closed to let the late answer reach the caller
	entry    journal.Entry
}

func (j *lateAnswers) Claim(ctx context.Context, e journal.Entry, lease time.Duration) (journal.Claim, error) {
	c, err := j.Memory.Claim(ctx, e, lease)
	j.entry = e
	if !j.lateSent {
		j.made <- e
		<-j.answer
	}
	return c, err
}

func (j *lateAnswers) Sent(ctx context.Context, id journal.ID, token string, lease time.Duration) error {
	err := j.Memory.Sent(ctx, id, token, lease)
	if j.lateSent {
		j.made <- j.entry
		<-j.answer
	}
	return err
}

// refusedOrHanging is hanging whose provider may answer 503 (refused before processing).
type refusedOrHanging struct{ hanging }

func (h *refusedOrHanging) Pay(ctx context.Context, r *provider.PaymentRequest) (*provider.Payment, error) {
	if _, err := h.hanging.Pay(ctx, r); err != nil {
		return nil, err
	}
	return nil, &provider.Error{Code: provider.ProviderUnavailable, HTTPStatus: http.StatusServiceUnavailable, Message: "refused unprocessed"}
}

// A claim (or its renewal before a repeat) whose answer reaches the caller after most of
// its lease has passed leaves the caller too little of it to send under: another instance
// may take the entry over once the lease ends, prove the request absent and send it. The
// attempt's requests must end by nine tenths of the lease after the claim was asked for,
// not after its answer arrived; a caller that learns of its claim after the lease ended
// sends nothing.
func TestAClaimAnsweredLateSendsNothingAfterItsLease(t *testing.T) {
	for _, lateSent := range []bool{false, true} {
		name := "claim answered late"
		if lateSent {
			name = "renewal before a repeat answered late"
		}
		t.Run(name, func(t *testing.T) {
			const lease = 200 * time.Millisecond
			var requests atomic.Int64
			stop := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if requests.Add(1) == 1 && lateSent {
					w.WriteHeader(http.StatusServiceUnavailable) // refused unprocessed: repeated
					return
				}
				select { // no answer until the client gives up or the test ends
				case <-r.Context().Done():
				case <-stop:
				}
			}))
			defer srv.Close()
			defer close(stop)
			h := &refusedOrHanging{hanging{fake: fake{caps: provider.Capabilities{Currencies: []money.Currency{money.MustCurrency("GBP")}}},
				url: srv.URL, hc: &http.Client{}}}
			j := &lateAnswers{Memory: journal.NewMemory(), lateSent: lateSent, made: make(chan journal.Entry, 1), answer: make(chan struct{})}
			retry := paybridge.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}
			gw := paybridge.New(h, paybridge.WithJournal(j), paybridge.WithLease(lease), paybridge.WithRetry(retry))
			sentBefore := int64(0)
			if lateSent {
				sentBefore = 1 // the 503'd first attempt
			}
			done := make(chan error, 1)
			go func() {
				_, err := gw.Pay(t.Context(), keyed("late-1"))
				done <- err
			}()
			e := <-j.made
			// Another instance takes the entry over once the lease has passed; it would
			// then prove the request absent and send it itself.
			for {
				c, err := j.Memory.Claim(t.Context(), e, time.Hour)
				if err == nil && c.Held {
					break
				}
				if !errors.Is(err, journal.ErrBusy) {
					t.Fatalf("taking the entry over: %+v, %v", c, err)
				}
				time.Sleep(lease / 10)
			}
			close(j.answer)
			err := <-done
			if n := requests.Load(); n != sentBefore {
				t.Fatalf("the first caller sent %d requests after its claim was taken over (Pay: %v); want none", n-sentBefore, err)
			}
			if !errors.Is(err, paybridge.ErrProviderUnavailable) {
				t.Fatalf("Pay: %v; want ErrProviderUnavailable: nothing was sent", err)
			}
		})
	}
}

// A repeat of a call whose earlier attempt may have been applied, refused because its
// reference was used, may have met the earlier attempt's own reference: a provider that
// answers a repeat with its first result only while it remembers the request, or that
// checks the reference before the repeat, refuses the call's own payout so. The call
// stays uncertain; recorded as refused, the application would learn that nothing was
// paid and pay again under a new key.
func TestRepeatRefusedAsDuplicateStaysUncertain(t *testing.T) {
	used := &provider.Error{Code: provider.Duplicate, Field: "MerchantReference", Message: "the reference was used",
		Err: provider.ErrNotApplied}
	lostThenUsed := func(calls *int) func(*provider.PaymentRequest) (*provider.Payment, error) {
		return func(*provider.PaymentRequest) (*provider.Payment, error) {
			if *calls++; *calls == 1 {
				return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "the answer was lost"}
			}
			return nil, used
		}
	}
	caps := provider.Capabilities{RepeatableWrites: []provider.Operation{provider.OpPay},
		Unavailable: []provider.Operation{provider.OpGetPayment}}
	for _, tc := range []struct {
		name  string
		retry paybridge.RetryPolicy
		calls int // Pay calls with the key
	}{
		{"repeated within the call", paybridge.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}, 1},
		{"repeated by a later call", paybridge.NoRetry, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent := 0
			j := journal.NewMemory()
			gw := paybridge.New(&fake{pay: lostThenUsed(&sent), caps: caps}, paybridge.WithJournal(j), paybridge.WithRetry(tc.retry))
			var err error
			for range tc.calls {
				_, err = gw.Pay(t.Context(), keyed("dup-1"))
			}
			if sent != 2 {
				t.Fatalf("%d requests sent; want the lost one and its repeat", sent)
			}
			if !errors.Is(err, paybridge.ErrUnknownOutcome) {
				t.Fatalf("Pay: %v; want ErrUnknownOutcome: the first attempt may have been applied", err)
			}
			e, gerr := j.Get(t.Context(), journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: "dup-1"})
			if gerr != nil || e.State != journal.Uncertain {
				t.Fatalf("journal entry %+v, %v; want it uncertain", e, gerr)
			}
		})
	}
}
