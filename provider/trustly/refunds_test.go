package trustly_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
)

// eventsOf returns the events about orderID after the first skip of them.
func eventsOf(evs []notify.Event, orderID string, skip int) []notify.Event {
	var out []notify.Event
	for _, ev := range evs {
		if ev.PaymentID == orderID || ev.PayoutID == orderID {
			out = append(out, ev)
		}
	}
	if len(out) < skip {
		return nil
	}
	return out[skip:]
}

func (e *env) nthEvent(t *testing.T, orderID string, n int) notify.Event {
	t.Helper()
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(eventsOf(evs, orderID, 0)) >= n })
	return eventsOf(evs, orderID, 0)[n-1]
}

// TestRefundOutcomesAreTiedToTheirRefund: Trustly reports a failed refund with a credit
// and a confirmed one with a payoutconfirmation, both on the deposit's order. Neither may
// read as the payment succeeding, and each names the refund it concerns.
func TestRefundOutcomesAreTiedToTheirRefund(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-rf")
	r1, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR")})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("2.00", "EUR")})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.FailRefund(p.ID); err != nil { // the 5.00 refund
		t.Fatal(err)
	}
	ev := e.nthEvent(t, p.ID, 2)
	if ev.Kind != notify.RefundFailed || ev.RefundID != r1.ID || ev.PaymentID != p.ID || !ev.Amount.Equal(money.MustNew("5.00", "EUR")) {
		t.Fatalf("failed refund: %s %s %s %v", ev.Kind, ev.RefundID, ev.PaymentID, ev.Amount)
	}
	if err := e.sim.ConfirmRefund(p.ID); err != nil { // the 2.00 refund
		t.Fatal(err)
	}
	ev = e.nthEvent(t, p.ID, 3)
	if ev.Kind != notify.RefundSucceeded || ev.RefundID != r2.ID || ev.PaymentID != p.ID {
		t.Fatalf("confirmed refund: %s %s %s", ev.Kind, ev.RefundID, ev.PaymentID)
	}
}

// TestFailedRefundAfterRestart: the process that handles the failure notification did not
// make the deposit, only the refund; the journal tells it the deposit was credited.
func TestFailedRefundAfterRestart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-rs")
	e.restart(t)
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR")})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.FailRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, p.ID, 2); ev.Kind != notify.RefundFailed || ev.RefundID != r.ID {
		t.Fatalf("failed refund after a restart: %s %s", ev.Kind, ev.RefundID)
	}
}

// TestFailedPayoutIsNeverAPayment: a payout's failure is a credit on the payout's order.
// A Gateway whose journal recorded the payout (the one that made it, or one started later
// on the same journal) reports payout.failed; one whose journal has no record of the order
// never passes the notification to the application, and acknowledges it.
func TestFailedPayoutIsNeverAPayment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	holder := paybridge.Person{ID: "u-p", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"}
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder, Account: paybridge.BankAccount{IBAN: "SE4550000000058398257466"}})
	if err != nil {
		t.Fatal(err)
	}
	payout := func(ref string) *paybridge.Payout {
		po, err := e.gw.Payout(ctx, paybridge.PayoutRequest{Amount: money.MustNew("3.00", "EUR"), AccountID: v.AccountID, Payee: holder,
			MerchantReference: ref, Description: "Refund shop", NotificationURL: e.notifyURL()})
		if err != nil {
			t.Fatal(err)
		}
		if ev := e.nthEvent(t, po.ID, 1); ev.Kind != notify.PayoutSucceeded {
			t.Fatalf("payout confirmation: %s", ev.Kind)
		}
		return po
	}
	po := payout("po-f1")
	if err := e.sim.FailPayout(po.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, po.ID, 2); ev.Kind != notify.PayoutFailed || ev.PayoutID != po.ID {
		t.Fatalf("failed payout: %s %s", ev.Kind, ev.PayoutID)
	}
	po = payout("po-f2")
	e.restart(t)
	if err := e.sim.FailPayout(po.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, po.ID, 2); ev.Kind != notify.PayoutFailed || ev.PayoutID != po.ID {
		t.Fatalf("failed payout after a restart on the same journal: %s %s", ev.Kind, ev.PayoutID)
	}
	po = payout("po-f3")
	e.restartWith(t, journal.NewMemory())
	if err := e.sim.FailPayout(po.ID); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the failed payout's credit to be acknowledged", func() bool {
		for _, d := range e.sim.Deliveries() {
			if d.ObjectID == po.ID && d.Event == "credit" && d.Acknowledged {
				return true
			}
		}
		return false
	})
	for _, ev := range e.waitEvents(t, func([]notify.Event) bool { return true }) {
		if ev.MerchantReference == "po-f3" && ev.ProviderEvent == "credit" {
			t.Fatalf("a failed payout of an order the journal does not know reached the application as %s", ev.Kind)
		}
	}
}

// TestRefundOfAPendingDepositIsQueued: Trustly accepts a refund of a deposit that is not
// settled yet and queues it; the deposit's credit that follows is still the payment's.
func TestRefundOfAPendingDepositIsQueued(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payment("order-pq"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().ApproveDelayed(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, p.ID, 1); ev.Kind != notify.PaymentPending {
		t.Fatalf("first event %s", ev.Kind)
	}
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("4.00", "EUR")})
	if err != nil {
		t.Fatalf("refund of a pending deposit: %v", err)
	}
	if err := e.sim.Settle(p.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, p.ID, 2); ev.Kind != notify.PaymentSucceeded {
		t.Fatalf("the deposit's credit read as %s", ev.Kind)
	}
	if err := e.sim.ConfirmRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, p.ID, 3); ev.Kind != notify.RefundSucceeded || ev.RefundID != r.ID {
		t.Fatalf("refund confirmation: %s %s", ev.Kind, ev.RefundID)
	}
}
