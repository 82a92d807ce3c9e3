package paybridge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// payOnly is an adapter that is never called: the test drives the journal itself.
type payOnly struct{}

func (payOnly) Name() string                        { return "payonly" }
func (payOnly) Capabilities() provider.Capabilities { return provider.Capabilities{} }
func (payOnly) As(any) bool                         { return false }
func (payOnly) Close() error                        { return nil }
func (payOnly) Pay(context.Context, *provider.PaymentRequest) (*provider.Payment, error) {
	return nil, &provider.Error{Code: provider.Internal, Message: "not called"}
}
func (payOnly) GetPayment(context.Context, string) (*provider.Payment, error) {
	return nil, &provider.Error{Code: provider.NotFound, Message: "not called"}
}

// recordedMeanwhile is a journal in which the call's outcome, with its provider id, is
// recorded just after the first look-up by provider id found nothing: what happens when the
// answer to a call reaches another process while its notification is being matched.
type recordedMeanwhile struct {
	*journal.Memory
	id    journal.ID
	token string
	pid   string
	done  bool
}

func (j *recordedMeanwhile) FindByProviderID(ctx context.Context, scope, pid string) (journal.Entry, error) {
	e, err := j.Memory.FindByProviderID(ctx, scope, pid)
	if !j.done {
		j.done = true
		if rerr := j.Record(ctx, j.id, j.token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`), ProviderID: j.pid}); rerr != nil {
			return e, rerr
		}
	}
	return e, err
}

// TestEventMatchesCallRecordedDuringTheMatch: a notification whose call gets its provider
// id recorded between the look-up by id and the look-up by reference is still the
// merchant's. It was once acknowledged as foreign and never reached the application.
func TestEventMatchesCallRecordedDuringTheMatch(t *testing.T) {
	ctx := context.Background()
	amount := money.MustNew("12.34", "USD")
	j := &recordedMeanwhile{Memory: journal.NewMemory(), pid: "po-1"}
	g := New(payOnly{}, WithJournal(j))
	j.id = journal.ID{Scope: g.JournalScope(), Op: string(provider.OpPayout), Key: "payout-key-1"}
	c, err := j.Claim(ctx, journal.Entry{ID: j.id, Fingerprint: "f", Reference: "payout-1", Amount: amount}, time.Minute)
	if err != nil || !c.Held {
		t.Fatalf("Claim: %+v, %v", c, err)
	}
	j.token = c.Token
	e := notify.Event{ID: "ev-1", Kind: notify.PayoutSucceeded, PayoutID: "po-1", MerchantReference: "payout-1", Amount: amount}
	if err := g.ownEvent(ctx, &e); err != nil {
		t.Fatalf("the payout's notification was not matched: %v", err)
	}
	if !j.done {
		t.Fatal("the journal's outcome was never recorded during the match: the test proves nothing")
	}
	other := notify.Event{ID: "ev-2", Kind: notify.PayoutSucceeded, PayoutID: "po-2", MerchantReference: "payout-1", Amount: amount}
	if err := g.ownEvent(ctx, &other); err == nil {
		t.Fatal("a notification for another payout with the same reference was matched to the call")
	}
}

// Capture, charge and mandate notifications reach the application only when they concern
// a call of that kind this merchant made, with the amount it recorded.
func TestCaptureChargeAndMandateEventsMatched(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	g := New(payOnly{}, WithJournal(j))
	gbp := func(v string) money.Amount { return money.MustNew(v, "GBP") }
	record := func(op provider.Operation, key, ref, pid string, amount money.Amount) {
		t.Helper()
		id := journal.ID{Scope: g.JournalScope(), Op: string(op), Key: key}
		c, err := j.Claim(ctx, journal.Entry{ID: id, Fingerprint: "f", Reference: ref, Amount: amount}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Record(ctx, id, c.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`), ProviderID: pid}); err != nil {
			t.Fatal(err)
		}
	}
	record(provider.OpCapture, "k-cap", "cap-ref", "cap-1", gbp("4.00"))
	record(provider.OpCapture, "k-cap2", "cap-ref-2", "", gbp("2.00")) // its answer was lost
	record(provider.OpCharge, "k-charge", "charge-ref", "pay-9", gbp("3.00"))
	record(provider.OpCreateMandate, "k-mandate", "mandate-ref", "m-1", money.Amount{})
	record(provider.OpPayout, "k-payout", "payout-ref", "po-1", gbp("7.00"))

	for _, tc := range []struct {
		name string
		ev   notify.Event
		ours bool
	}{
		{"capture by id", notify.Event{Kind: notify.CaptureSucceeded, CaptureID: "cap-1", Amount: gbp("4.00")}, true},
		{"capture of another amount", notify.Event{Kind: notify.CaptureSucceeded, CaptureID: "cap-1", Amount: gbp("5.00")}, false},
		{"capture by reference", notify.Event{Kind: notify.CaptureFailed, CaptureID: "cap-2", MerchantReference: "cap-ref-2", Amount: gbp("2.00")}, true},
		{"unknown capture", notify.Event{Kind: notify.CaptureSucceeded, CaptureID: "cap-7", Amount: gbp("4.00")}, false},
		// A capture's notification may overtake the answer to its call, which sent no
		// reference: a capture of a payment of ours, within its amount, is ours.
		{"capture of our payment ahead of its answer", notify.Event{Kind: notify.CaptureSucceeded, CaptureID: "cap-9", PaymentID: "pay-9", Amount: gbp("2.00")}, true},
		{"capture beyond our payment's amount", notify.Event{Kind: notify.CaptureSucceeded, CaptureID: "cap-9", PaymentID: "pay-9", Amount: gbp("5.00")}, false},
		{"capture of a payment not ours", notify.Event{Kind: notify.CaptureSucceeded, CaptureID: "cap-9", PaymentID: "pay-x", Amount: gbp("2.00")}, false},
		{"a capture's id as a payment", notify.Event{Kind: notify.PaymentSucceeded, PaymentID: "cap-1", Amount: gbp("4.00")}, false},
		{"charged payment", notify.Event{Kind: notify.PaymentSucceeded, PaymentID: "pay-9", MandateID: "m-1", Amount: gbp("3.00")}, true},
		{"reversed charged payment", notify.Event{Kind: notify.PaymentReversed, PaymentID: "pay-9", Amount: gbp("3.00")}, true},
		{"reversal of a payment not ours", notify.Event{Kind: notify.PaymentReversed, PaymentID: "pay-77", Amount: gbp("3.00")}, false},
		// Providers that wait for a decision ask it of the merchant whose order it is.
		{"payer identified on our payment", notify.Event{Kind: notify.PaymentIdentified, PaymentID: "pay-9"}, true},
		{"payer identified on a payment not ours", notify.Event{Kind: notify.PaymentIdentified, PaymentID: "pay-77", MerchantReference: "theirs"}, false},
		{"dispute of a payment not ours", notify.Event{Kind: notify.PaymentDisputed, PaymentID: "pay-77", Amount: gbp("3.00")}, false},
		{"payee chose the account of our payout", notify.Event{Kind: notify.PayoutRequested, PayoutID: "po-1", Amount: gbp("7.00")}, true},
		{"payee chose an account for another amount", notify.Event{Kind: notify.PayoutRequested, PayoutID: "po-1", Amount: gbp("70.00")}, false},
		{"payout request not ours", notify.Event{Kind: notify.PayoutRequested, PayoutID: "po-2", MerchantReference: "theirs", Amount: gbp("7.00")}, false},
		{"mandate", notify.Event{Kind: notify.MandateActive, MandateID: "m-1"}, true},
		{"another merchant's mandate", notify.Event{Kind: notify.MandateActive, MandateID: "m-2", MerchantReference: "theirs"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev
			err := g.ownEvent(ctx, &ev)
			if tc.ours && err != nil {
				t.Fatalf("not matched: %v", err)
			}
			if !tc.ours && !errors.Is(err, notify.ErrNotOurs) {
				t.Fatalf("ownEvent = %v; want ErrNotOurs", err)
			}
		})
	}
	if e, err := j.FindByProviderID(ctx, g.JournalScope(), "cap-2"); err != nil || e.Reference != "cap-ref-2" {
		t.Fatalf("the capture matched by reference did not get its id: %+v, %v", e, err)
	}
}

// A refund event names the payment it refunds. Matched to a refund call by its reference
// alone, it is that call's only when the call refunded the same payment: another
// merchant's refund of another payment, sent with a copied reference and amount, is not
// ours.
func TestRefundEventOfAnotherPaymentIsNotOurs(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	g := New(payOnly{}, WithJournal(j))
	amount := money.MustNew("2.00", "EUR")
	id := journal.ID{Scope: g.JournalScope(), Op: string(provider.OpRefund), Key: "k-refund"}
	if _, err := j.Claim(ctx, journal.Entry{ID: id, Fingerprint: "f", Reference: "refund-ref", Parent: "pay-1", Amount: amount}, time.Minute); err != nil {
		t.Fatal(err)
	}
	theirs := notify.Event{Kind: notify.RefundSucceeded, PaymentID: "pay-2", MerchantReference: "refund-ref", Amount: amount}
	if err := g.ownEvent(ctx, &theirs); !errors.Is(err, notify.ErrNotOurs) {
		t.Fatalf("a refund of another payment with our refund's reference: %v; want ErrNotOurs", err)
	}
	ours := notify.Event{Kind: notify.RefundSucceeded, RefundID: "re-1", PaymentID: "pay-1", MerchantReference: "refund-ref", Amount: amount}
	if err := g.ownEvent(ctx, &ours); err != nil {
		t.Fatalf("our refund's event: %v", err)
	}
	// Its id is now recorded; an event naming it for another payment is refused too.
	again := notify.Event{Kind: notify.RefundSucceeded, RefundID: "re-1", PaymentID: "pay-2", Amount: amount}
	if err := g.ownEvent(ctx, &again); !errors.Is(err, notify.ErrNotOurs) {
		t.Fatalf("our refund's id named for another payment: %v; want ErrNotOurs", err)
	}
}

// answeredAfterLookUp is a journal in which the call's outcome, with its provider id, is
// recorded just after the look-up by reference found the call without one: the call's
// answer reaching another process while a notification about another object with its
// reference is being matched.
type answeredAfterLookUp struct {
	*journal.Memory
	id    journal.ID
	token string
	pid   string
	done  bool
}

func (j *answeredAfterLookUp) FindByReference(ctx context.Context, scope, ref string) ([]journal.Entry, error) {
	es, err := j.Memory.FindByReference(ctx, scope, ref)
	if !j.done {
		j.done = true
		if rerr := j.Record(ctx, j.id, j.token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`), ProviderID: j.pid}); rerr != nil {
			return es, rerr
		}
	}
	return es, err
}

// An event matched to a call by its reference, whose provider id the journal then refuses
// to record because the call's answer recorded another one meanwhile, is not that call's:
// it was once delivered all the same.
func TestEventWhoseIDTheJournalRefusesIsNotDelivered(t *testing.T) {
	ctx := context.Background()
	amount := money.MustNew("12.34", "USD")
	j := &answeredAfterLookUp{Memory: journal.NewMemory(), pid: "pay-1"}
	g := New(payOnly{}, WithJournal(j))
	j.id = journal.ID{Scope: g.JournalScope(), Op: string(provider.OpPay), Key: "pay-key-1"}
	c, err := j.Claim(ctx, journal.Entry{ID: j.id, Fingerprint: "f", Reference: "order-1", Amount: amount}, time.Minute)
	if err != nil || !c.Held {
		t.Fatalf("Claim: %+v, %v", c, err)
	}
	j.token = c.Token
	other := notify.Event{ID: "ev-2", Kind: notify.PaymentSucceeded, PaymentID: "pay-2", MerchantReference: "order-1", Amount: amount}
	err = g.ownEvent(ctx, &other)
	if !j.done {
		t.Fatal("the call's answer was never recorded during the match: the test proves nothing")
	}
	if err == nil {
		t.Fatal("an event about another payment with the call's reference was delivered though the call's answer named pay-1")
	}
	// Delivered again, it is read against the recorded answer: not ours.
	if err := g.ownEvent(ctx, &other); !errors.Is(err, notify.ErrNotOurs) {
		t.Fatalf("the event delivered again: %v; want ErrNotOurs", err)
	}
}
