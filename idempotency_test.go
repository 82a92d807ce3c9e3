package paybridge_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// resolving is a fake whose adapter settles uncertain attempts with resolve.
type resolving struct {
	*fake
	resolve  func(a provider.Attempt) (any, error)
	attempts []provider.Attempt
}

func (r *resolving) Resolve(_ context.Context, a provider.Attempt, _ any) (any, error) {
	r.attempts = append(r.attempts, a)
	return r.resolve(a)
}

// account names the merchant account, so Gateways for two accounts share a journal.
type account struct {
	*fake
	id string
}

func (a account) Account() string { return a.id }

func lost(*provider.PaymentRequest) (*provider.Payment, error) {
	return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "the answer was lost"}
}

func keyed(key string) paybridge.PaymentRequest {
	r := validRequest()
	r.IdempotencyKey = key
	return r
}

// A Pay whose answer was lost is never sent again, from this Gateway or a new one on the
// same journal (a restart), when the adapter has no way to settle it.
func TestUncertainPayIsNeverResent(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	f := &fake{pay: lost, caps: provider.Capabilities{}}
	gw := paybridge.New(f, paybridge.WithJournal(j))
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("first Pay: %v; want ErrUnknownOutcome", err)
	}
	f.pay = okPayment
	for _, g := range []*paybridge.Gateway{gw, paybridge.New(f, paybridge.WithJournal(j))} {
		_, err := g.Pay(ctx, keyed("k1"))
		if !errors.Is(err, paybridge.ErrUnknownOutcome) {
			t.Fatalf("repeat: %v; want ErrUnknownOutcome", err)
		}
		var pe *paybridge.Error
		if !errors.As(err, &pe) || pe.IdempotencyKey != "k1" || !strings.Contains(err.Error(), "nothing was sent") {
			t.Fatalf("repeat's error %q should carry the key and say that nothing was sent", err)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("the provider was called %d times; want once", n)
	}
}

// A verified notification (or an operator) that records the provider's id settles an
// uncertain call: the next repeat reads the object and returns it.
func TestUncertainPaySettlesByProviderID(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	f := &fake{pay: lost, caps: provider.Capabilities{},
		get: func(id string) (*provider.Payment, error) {
			return &provider.Payment{ID: id, Status: provider.PaymentSucceeded, Amount: money.MustNew("10.00", "GBP")}, nil
		}}
	gw := paybridge.New(f, paybridge.WithJournal(j))
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatal(err)
	}
	id := journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: "k1"}
	if err := j.Attach(ctx, id, "p-77"); err != nil {
		t.Fatal(err)
	}
	p, err := gw.Pay(ctx, keyed("k1"))
	if err != nil || p.ID != "p-77" {
		t.Fatalf("repeat after the provider id was learnt: %+v, %v; want payment p-77", p, err)
	}
	if e, _ := j.Get(ctx, id); e.State != journal.Settled {
		t.Fatalf("entry is %s; want settled", e.State)
	}
	if f.calls.Load() != 2 { // the lost Pay, the GetPayment
		t.Fatalf("%d provider calls; want the first Pay and one GetPayment", f.calls.Load())
	}
}

// An adapter's Resolver settles an uncertain call from the provider, or proves it absent,
// after which the Gateway sends it again.
func TestResolverSettlesOrProvesAbsent(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		resolve   func(provider.Attempt) (any, error)
		wantErr   error
		wantCalls int64
	}{
		{"found", func(a provider.Attempt) (any, error) {
			return &provider.Payment{ID: "p-found", Amount: money.MustNew("10.00", "GBP")}, nil
		}, nil, 1},
		{"absent", func(provider.Attempt) (any, error) { return nil, provider.ErrNotApplied }, nil, 2},
		{"not yet", func(provider.Attempt) (any, error) {
			return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "too early to tell"}
		}, paybridge.ErrUnknownOutcome, 1},
		{"look-up failed", func(provider.Attempt) (any, error) {
			return nil, &provider.Error{Code: provider.Internal, Message: "unreadable transactions list"}
		}, paybridge.ErrUnknownOutcome, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{pay: lost, caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
			r := &resolving{fake: f, resolve: tc.resolve}
			gw := paybridge.New(r, paybridge.WithRetry(paybridge.NoRetry))
			if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
				t.Fatal(err)
			}
			f.pay = okPayment
			p, err := gw.Pay(ctx, keyed("k1"))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("repeat: %v; want %v", err, tc.wantErr)
				}
			} else if err != nil || p == nil {
				t.Fatalf("repeat: %v", err)
			}
			if f.calls.Load() != tc.wantCalls {
				t.Fatalf("%d Pay calls; want %d", f.calls.Load(), tc.wantCalls)
			}
			if len(r.attempts) != 1 || r.attempts[0].Key != "k1" || r.attempts[0].Reference != "order-1" || r.attempts[0].SentAt.IsZero() {
				t.Fatalf("Resolve got %+v; want one attempt with the key, reference and time", r.attempts)
			}
		})
	}
}

// What a failed attempt leaves behind: a decline is final and returned to a repeat without
// sending; an attempt the provider provably did not process is forgotten, so a repeat sends.
func TestFailedAttemptsInTheJournal(t *testing.T) {
	ctx := context.Background()
	declined := func(*provider.PaymentRequest) (*provider.Payment, error) {
		return nil, &provider.Error{Code: provider.Declined, Message: "the bank said no", ProviderCode: "D1"}
	}
	f, gw := newFake(declined)
	f.pay = declined
	if _, err := gw.Pay(ctx, keyed("k-declined")); !errors.Is(err, paybridge.ErrDeclined) {
		t.Fatal(err)
	}
	f.pay = okPayment
	_, err := gw.Pay(ctx, keyed("k-declined"))
	if !errors.Is(err, paybridge.ErrDeclined) || !strings.Contains(err.Error(), "the bank said no") || f.calls.Load() != 1 {
		t.Fatalf("repeat of a declined Pay: %v after %d calls; want the decline, nothing sent", err, f.calls.Load())
	}

	unavailable := func(*provider.PaymentRequest) (*provider.Payment, error) {
		return nil, &provider.Error{Code: provider.ProviderUnavailable, Message: "503"}
	}
	f2 := &fake{pay: unavailable, caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	gw2 := paybridge.New(f2, paybridge.WithRetry(paybridge.NoRetry))
	if _, err := gw2.Pay(ctx, keyed("k-503")); !errors.Is(err, paybridge.ErrProviderUnavailable) {
		t.Fatal(err)
	}
	f2.pay = okPayment
	if _, err := gw2.Pay(ctx, keyed("k-503")); err != nil || f2.calls.Load() != 2 {
		t.Fatalf("repeat after a 503: %v after %d calls; want it sent again", err, f2.calls.Load())
	}
}

// A key reused for another request is refused, by any Gateway on the journal.
func TestKeyReusedForAnotherRequest(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	f, _ := newFake(okPayment)
	a, b := paybridge.New(f, paybridge.WithJournal(j)), paybridge.New(f, paybridge.WithJournal(j))
	if _, err := a.Pay(ctx, keyed("k1")); err != nil {
		t.Fatal(err)
	}
	other := keyed("k1")
	other.Amount = money.MustNew("10.01", "GBP")
	_, err := b.Pay(ctx, other)
	if !errors.Is(err, paybridge.ErrDuplicate) || f.calls.Load() != 1 {
		t.Fatalf("key reused with another amount: %v after %d calls; want ErrDuplicate, nothing sent", err, f.calls.Load())
	}
	if got, err := b.Pay(ctx, keyed("k1")); err != nil || got.ID != "p1" || f.calls.Load() != 1 {
		t.Fatalf("the same request on the other Gateway: %+v, %v; want the recorded payment", got, err)
	}
}

// Gateways for two merchant accounts keep their keys apart in one journal.
func TestAccountsDoNotShareKeys(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	f, _ := newFake(okPayment)
	a := paybridge.New(account{f, "merchant-a"}, paybridge.WithJournal(j))
	b := paybridge.New(account{f, "merchant-b"}, paybridge.WithJournal(j))
	if a.JournalScope() == b.JournalScope() {
		t.Fatalf("both accounts have scope %q", a.JournalScope())
	}
	other := keyed("k1")
	other.Amount = money.MustNew("99.00", "GBP")
	if _, err := a.Pay(ctx, keyed("k1")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Pay(ctx, other); err != nil || f.calls.Load() != 2 {
		t.Fatalf("the same key for another account: %v after %d calls; want its own payment", err, f.calls.Load())
	}
}

// failingJournal refuses every claim, as a journal whose database is down would.
type failingJournal struct{ journal.Journal }

func (failingJournal) Claim(context.Context, journal.Entry, time.Duration) (journal.Claim, error) {
	return journal.Claim{}, errors.New("connection refused")
}

// When the journal cannot be reached nothing is sent, and the error says a repeat is safe.
func TestJournalUnavailableSendsNothing(t *testing.T) {
	f, _ := newFake(okPayment)
	gw := paybridge.New(f, paybridge.WithJournal(failingJournal{journal.NewMemory()}), paybridge.WithRetry(paybridge.NoRetry))
	_, err := gw.Pay(context.Background(), keyed("k1"))
	if !errors.Is(err, paybridge.ErrProviderUnavailable) || f.calls.Load() != 0 {
		t.Fatalf("%v after %d calls; want ErrProviderUnavailable and nothing sent", err, f.calls.Load())
	}
}

// A Pay's answer that echoes another amount is not taken as settled: the call stays
// uncertain, so a repeat does not return it as if it were right.
func TestWrongAnswerLeavesCallUncertain(t *testing.T) {
	ctx := context.Background()
	f, gw := newFake(func(r *provider.PaymentRequest) (*provider.Payment, error) {
		return &provider.Payment{ID: "p1", Amount: money.MustNew("100.00", "GBP")}, nil
	})
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrInternal) {
		t.Fatalf("Pay answered with another amount: %v; want ErrInternal", err)
	}
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) || f.calls.Load() != 1 {
		t.Fatalf("repeat: %v after %d calls; want ErrUnknownOutcome, nothing sent", err, f.calls.Load())
	}
}

// An UnknownOutcome error that names the object the write created (ObjectID) lets the
// repeat settle by reading it, without waiting for a notification.
func TestUncertainWithObjectIDSettlesOnRepeat(t *testing.T) {
	ctx := context.Background()
	f := &fake{caps: provider.Capabilities{},
		pay: func(*provider.PaymentRequest) (*provider.Payment, error) {
			return nil, &provider.Error{Code: provider.UnknownOutcome, ObjectID: "p-9", Message: "created, read-back failed"}
		},
		get: func(id string) (*provider.Payment, error) {
			return &provider.Payment{ID: id, Status: provider.PaymentPending, RedirectURL: "https://pay.example/p-9",
				Amount: money.MustNew("10.00", "GBP")}, nil
		}}
	gw := paybridge.New(f)
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatal(err)
	}
	p, err := gw.Pay(ctx, keyed("k1"))
	if err != nil || p.ID != "p-9" || p.Status != paybridge.PaymentRequiresAction {
		t.Fatalf("repeat: %+v, %v; want payment p-9 to send the payer to", p, err)
	}
	if f.calls.Load() != 2 {
		t.Fatalf("%d provider calls; want the Pay and one GetPayment", f.calls.Load())
	}
}

// An operator who learnt the outcome elsewhere settles an uncertain call with
// Journal().Settle; the next repeat returns what was recorded, without sending.
func TestOperatorSettlesAnUncertainCall(t *testing.T) {
	ctx := context.Background()
	f := &fake{pay: lost, caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	gw := paybridge.New(f)
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatal(err)
	}
	id := journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: "k1"}
	result := []byte(`{"id":"p-op","provider":"fake","status":"succeeded","amount":{"value":"10.00","currency":"GBP"}}`)
	if err := gw.Journal().Settle(ctx, id, journal.Outcome{State: journal.Settled, Result: result, ProviderID: "p-op"}); err != nil {
		t.Fatal(err)
	}
	p, err := gw.Pay(ctx, keyed("k1"))
	if err != nil || p.ID != "p-op" || p.Status != paybridge.PaymentSucceeded || f.calls.Load() != 1 {
		t.Fatalf("repeat after the operator settled it: %+v, %v, %d provider calls", p, err, f.calls.Load())
	}
}

// An operator who finds nothing at the provider for an uncertain call's reference forgets
// it: the next call with the key sends the request afresh, once.
func TestOperatorForgetsAnUncertainCall(t *testing.T) {
	ctx := context.Background()
	f := &fake{pay: lost, caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	gw := paybridge.New(f)
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatal(err)
	}
	f.pay = okPayment
	if _, err := gw.Pay(ctx, keyed("k1")); !errors.Is(err, paybridge.ErrUnknownOutcome) || f.calls.Load() != 1 {
		t.Fatalf("repeat before the operator acted: %v after %d provider calls; want ErrUnknownOutcome, nothing sent", err, f.calls.Load())
	}
	id := journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: "k1"}
	if err := gw.Journal().Forget(ctx, id); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if p, err := gw.Pay(ctx, keyed("k1")); err != nil || p.ID == "" {
			t.Fatalf("repeat after the operator forgot it: %+v, %v", p, err)
		}
	}
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("the provider was called %d times; want twice (the lost attempt and one afresh)", n)
	}
}

// An uncertain call whose provider id is known was applied: the provider holds its object.
// When reading that object fails, a Resolver that finds nothing by reference contradicts
// the id, and the Gateway does not send the call again.
func TestKnownProviderIDIsNeverResent(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	f := &fake{pay: lost, get: func(string) (*provider.Payment, error) {
		return nil, &provider.Error{Code: provider.ProviderUnavailable, Message: "try later"}
	}}
	r := &resolving{fake: f, resolve: func(provider.Attempt) (any, error) { return nil, provider.ErrNotApplied }}
	gw := paybridge.New(r, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	if _, err := gw.Pay(ctx, keyed("k-known")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatal(err)
	}
	// A verified notification named the payment the lost attempt created.
	id := journal.ID{Scope: gw.JournalScope(), Op: string(provider.OpPay), Key: "k-known"}
	if err := j.Attach(ctx, id, "p-made"); err != nil {
		t.Fatal(err)
	}
	f.pay = okPayment
	before := f.calls.Load()
	if _, err := gw.Pay(ctx, keyed("k-known")); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("repeat: %v; want ErrUnknownOutcome", err)
	}
	if n := f.calls.Load() - before; n != 1 {
		t.Fatalf("%d provider calls on the repeat; want the one read of the payment, and no Pay", n)
	}
}
