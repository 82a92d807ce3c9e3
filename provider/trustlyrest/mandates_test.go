package trustlyrest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

func (e *env) mandateReq(ref string) paybridge.MandateRequest {
	return paybridge.MandateRequest{Payer: trustlyrestsim.TestPayer, Currency: usd("1.00").Currency(), MaxAmount: usd("50.00"),
		MerchantReference: ref, Description: "monthly plan", ReturnURL: "https://shop.example/return"}
}

// approvedMandate creates a mandate and has the payer approve it.
func (e *env) approvedMandate(ref string) *paybridge.Mandate {
	e.t.Helper()
	ctx := context.Background()
	m, err := e.gw.CreateMandate(ctx, e.mandateReq(ref))
	if err != nil {
		e.t.Fatal(err)
	}
	if m.Status != provider.MandateRequiresAction || m.RedirectURL == "" || !m.MaxAmount.Equal(usd("50.00")) {
		e.t.Fatalf("CreateMandate = %+v", m)
	}
	if err := e.user.Approve(ctx, m.RedirectURL); err != nil {
		e.t.Fatal(err)
	}
	ev := e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.MandateActive && ev.MandateID == m.ID })
	if ev.MerchantReference != ref {
		e.t.Errorf("mandate event reference %q, want %q", ev.MerchantReference, ref)
	}
	got, err := e.gw.GetMandate(ctx, m.ID)
	if err != nil || got.Status != provider.MandateActive || !got.MaxAmount.Equal(usd("50.00")) || got.MerchantReference != ref {
		e.t.Fatalf("GetMandate after approval = %+v, %v", got, err)
	}
	return got
}

func TestMandateChargeAndCancel(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	m := e.approvedMandate("plan-1")
	req := paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("19.99"), MerchantReference: "invoice-1", IdempotencyKey: "charge-1"}
	p, err := e.gw.Charge(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if p.MandateID != m.ID || !p.Amount.Equal(usd("19.99")) || p.ID == m.ID {
		t.Fatalf("Charge = %+v", p)
	}
	var tx *trustlyrest.Transaction
	if !p.As(&tx) || tx.Type != 3 || tx.PaymentType != 3 {
		t.Fatalf("charge's Transaction = %+v", tx)
	}
	again, err := e.gw.Charge(ctx, req)
	if err != nil || again.ID != p.ID {
		t.Fatalf("repeated charge = %+v, %v", again, err)
	}
	got := e.waitPayment(p.ID, provider.PaymentSucceeded)
	if got.MandateID != m.ID {
		t.Errorf("GetPayment of a charge = %+v, want MandateID %s", got, m.ID)
	}
	ev := e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.PaymentSucceeded && ev.PaymentID == p.ID })
	if ev.MandateID != m.ID || ev.MerchantReference != "invoice-1" {
		t.Errorf("charge event = %+v", ev)
	}
	// Beyond MaxAmount is refused before anything is sent; so is a description, which
	// Trustly's capture has no place for.
	if _, err := e.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("50.01"), MerchantReference: "too-much"}); codeOf(err) != paybridge.CodeInvalidRequest ||
		!strings.Contains(err.Error(), "MaxAmount") {
		t.Fatalf("charge beyond MaxAmount = %v", err)
	}
	if _, err := e.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("1.00"), MerchantReference: "d", Description: "x"}); codeOf(err) != paybridge.CodeInvalidRequest ||
		!strings.Contains(err.Error(), "Description") {
		t.Fatalf("charge with a description = %v", err)
	}
	// A charge is refunded like a payment.
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("5.00")})
	if err != nil || !r.Amount.Equal(usd("5.00")) {
		t.Fatalf("refund of a charge = %+v, %v", r, err)
	}
	if got, err := e.gw.GetRefund(ctx, r.ID); err != nil || got.PaymentID != p.ID {
		t.Fatalf("GetRefund of a charge's refund = %+v, %v; want PaymentID %s", got, err, p.ID)
	}
	rev := e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.RefundSucceeded && ev.RefundID == r.ID })
	if rev.PaymentID != p.ID {
		t.Errorf("refund event names payment %q, want the charge %s", rev.PaymentID, p.ID)
	}
	c, err := e.gw.CancelMandate(ctx, paybridge.CancelMandateRequest{MandateID: m.ID})
	if err != nil || c.Status != provider.MandateCanceled || c.ID != m.ID {
		t.Fatalf("CancelMandate = %+v, %v", c, err)
	}
	e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.MandateCanceled && ev.MandateID == m.ID })
	if _, err := e.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("1.00"), MerchantReference: "after-cancel"}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("charge of a canceled mandate = %v", err)
	}
	// Mandates and payments are kept apart.
	if _, err := e.gw.GetPayment(ctx, m.ID); codeOf(err) != paybridge.CodeNotFound {
		t.Errorf("GetPayment(mandate) = %v", err)
	}
	if _, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: m.ID, Amount: usd("1.00")}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Errorf("Capture(mandate) = %v", err)
	}
}

func TestChargeRefusedBeforeApproval(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	m, err := e.gw.CreateMandate(ctx, e.mandateReq("plan-pending"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("1.00"), MerchantReference: "early"}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("charge of a mandate not approved = %v", err)
	}
	if err := e.user.Decline(ctx, m.RedirectURL); err != nil {
		t.Fatal(err)
	}
	e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.MandateFailed && ev.MandateID == m.ID })
	if got, err := e.gw.GetMandate(ctx, m.ID); err != nil || got.Status != provider.MandateFailed {
		t.Fatalf("declined mandate = %+v, %v", got, err)
	}
}

func TestChargeLostAnswerIsNotChargedTwice(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	m := e.approvedMandate("plan-lost")
	req := paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("7.00"), MerchantReference: "inv-lost", IdempotencyKey: "charge-lost"}
	e.sim.DropNextWrite(1)
	if _, err := e.gw.Charge(ctx, req); codeOf(err) != paybridge.CodeUnknownOutcome {
		t.Fatalf("charge with a lost answer = %v", err)
	}
	p, err := e.gw.Charge(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(capturesOf(t, e, m.ID)); n != 1 {
		t.Fatalf("%d charges after a lost answer and a repeat, want 1 (%+v)", n, p)
	}
}

func TestMandateHookReachesRecurrence(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	req := e.mandateReq("plan-sched")
	req.BeforeSend = func(as func(any) bool) error {
		var r *trustlyrest.Recurrence
		if !as(&r) || r.StartDate == 0 || r.RecurringAmount != "50.00" {
			t.Errorf("hook's recurrence = %+v", r)
			return nil
		}
		// Signed fields: the simulator checks the signature covers them.
		r.Frequency, r.FrequencyUnit, r.FrequencyUnitType = 1, 1, "Month"
		return nil
	}
	m, err := e.gw.CreateMandate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var tx *trustlyrest.Transaction
	if !m.As(&tx) || tx.PaymentType != 3 {
		t.Fatalf("Mandate.As = %+v", tx)
	}
}
