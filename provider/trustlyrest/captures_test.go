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

// authorized makes a payment with CaptureManual and has the payer approve it.
func (e *env) authorized(amount string) *paybridge.Payment {
	e.t.Helper()
	ctx := context.Background()
	req := e.payReq(amount)
	req.Capture = paybridge.CaptureManual
	p, err := e.gw.Pay(ctx, req)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.user.Approve(ctx, p.RedirectURL); err != nil {
		e.t.Fatal(err)
	}
	return e.waitPayment(p.ID, provider.PaymentAuthorized)
}

func TestCapturePartialAndMultiple(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	p := e.authorized("30.00")
	if p.MerchantReference == "" || strings.Contains(p.MerchantReference, ".m") {
		t.Errorf("payment reference %q: the manual suffix leaked", p.MerchantReference)
	}
	c1, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("10.00"), MerchantReference: "part-1"})
	if err != nil {
		t.Fatal(err)
	}
	if c1.PaymentID != p.ID || !c1.Amount.Equal(usd("10.00")) || c1.MerchantReference != "part-1" {
		t.Fatalf("first capture = %+v", c1)
	}
	var tx *trustlyrest.Transaction
	if !c1.As(&tx) || tx.ID != c1.ID || tx.Type != 3 {
		t.Fatalf("Capture.As(*Transaction) = %+v", tx)
	}
	c2, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("15.00")})
	if err != nil {
		t.Fatal(err)
	}
	// 5.00 is left: more is refused before anything is sent (the payment and its captures
	// are read; the captures' notifications, read back meanwhile, make requests too, so
	// the test counts what moved money rather than requests).
	before := len(e.sim.Movements())
	_, err = e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("5.01")})
	if codeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), "5.00") {
		t.Fatalf("capture beyond what is left = %v", err)
	}
	if moved := len(e.sim.Movements()) - before; moved != 0 {
		t.Errorf("the refused capture made %d movements, want none", moved)
	}
	// Trustly's minimum applies to each capture.
	if _, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("0.98")}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("capture of 0.98 = %v", err)
	}
	for _, c := range []*paybridge.Capture{c1, c2} {
		testWaitCapture(t, e, c.ID, provider.CaptureSucceeded)
	}
	got := e.waitPayment(p.ID, provider.PaymentSucceeded)
	if !got.Captured.Equal(usd("25.00")) {
		t.Errorf("payment captured %v, want 25.00", got.Captured)
	}
	// capture.succeeded events name each capture.
	for _, c := range []*paybridge.Capture{c1, c2} {
		ev := e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.CaptureSucceeded && ev.CaptureID == c.ID })
		if ev.PaymentID != p.ID {
			t.Errorf("capture event %+v names payment %q, want %q", ev, ev.PaymentID, p.ID)
		}
	}
	// Refunds: by the payment's id only while it has one capture; by the capture's id
	// within what the capture took.
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("1.00")}); codeOf(err) != paybridge.CodeInvalidRequest ||
		!strings.Contains(err.Error(), "2 captures") {
		t.Fatalf("refund of a payment with two captures by its id = %v", err)
	}
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: c1.ID, Amount: usd("10.01")}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("refund beyond a capture = %v", err)
	}
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: c1.ID, Amount: usd("10.00")})
	if err != nil || !r.Amount.Equal(usd("10.00")) {
		t.Fatalf("refund of a capture = %+v, %v", r, err)
	}
}

func testWaitCapture(t *testing.T, e *env, id string, want provider.CaptureStatus) {
	t.Helper()
	e.waitFor("capture "+id+" to be "+string(want), func() bool {
		c, err := e.gw.GetCapture(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status == want
	})
}

func TestCaptureIdempotentAndLostAnswer(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	p := e.authorized("20.00")
	req := paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("20.00"), IdempotencyKey: "cap-same"}
	first, err := e.gw.Capture(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.gw.Capture(ctx, req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("repeated capture = %+v, %v; want %s", again, err, first.ID)
	}
	// A capture whose answer was lost is settled by its reference, not sent again.
	q := e.authorized("12.00")
	lost := paybridge.CaptureRequest{PaymentID: q.ID, Amount: usd("12.00"), IdempotencyKey: "cap-lost"}
	e.sim.DropNextWrite(1)
	if _, err := e.gw.Capture(ctx, lost); codeOf(err) != paybridge.CodeUnknownOutcome {
		t.Fatalf("capture with a lost answer = %v, want UnknownOutcome", err)
	}
	got, err := e.gw.Capture(ctx, lost)
	if err != nil {
		t.Fatalf("capture repeated after a lost answer: %v", err)
	}
	if n := len(capturesOf(t, e, q.ID)); n != 1 {
		t.Fatalf("%d captures after a lost answer and a repeat, want 1 (got %+v)", n, got)
	}
}

func TestVoid(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	p := e.authorized("40.00")
	v, err := e.gw.Void(ctx, paybridge.VoidRequest{PaymentID: p.ID, Reason: "order canceled"})
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != p.ID || v.Status != provider.PaymentCanceled || !strings.Contains(v.ProviderStatus, "13 Voided") {
		t.Fatalf("Void = %+v", v)
	}
	if st := e.sim.Status(p.ID); st != 13 {
		t.Fatalf("authorization status %d, want 13 Voided", st)
	}
	// A voided payment is not captured, nor voided again.
	if _, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("1.00")}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("capture after void = %v", err)
	}
	if _, err := e.gw.Void(ctx, paybridge.VoidRequest{PaymentID: p.ID}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("second void = %v", err)
	}
	// A payment captured in full cannot be voided.
	q := e.authorized("5.00")
	if _, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: q.ID, Amount: usd("5.00")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.gw.Void(ctx, paybridge.VoidRequest{PaymentID: q.ID}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("void of a payment captured in full = %v", err)
	}
	// An automatically captured payment is not captured by hand.
	auto := e.paid("3.00", provider.PaymentSucceeded)
	if _, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: auto.ID, Amount: usd("1.00")}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("capture of an automatic payment = %v", err)
	}
}

func TestPayHookAndDetail(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	req := e.payReq("9.00")
	reached := false
	req.BeforeSend = func(as func(any) bool) error {
		var o *trustlyrest.EstablishOptions
		if !as(&o) {
			return nil
		}
		reached = true
		if o.Metadata.Lang != "en_US" {
			t.Errorf("hook sees lang %q, want the payer's en_US", o.Metadata.Lang)
		}
		// displayAmount is signed: the simulator refuses a signature that misses it.
		o.DisplayAmount, o.Metadata.IntegrationContext = "9.00", "InAppBrowser"
		return nil
	}
	p, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !reached {
		t.Fatal("the Pay hook reached no *EstablishOptions")
	}
	var tx *trustlyrest.Transaction
	if !p.As(&tx) || tx.ID != p.ID || tx.Type != 1 || tx.PaymentType != 2 {
		t.Fatalf("Payment.As(*Transaction) = %+v", tx)
	}
	req = e.payReq("9.00")
	req.BeforeSend = func(func(any) bool) error { return context.Canceled }
	before := e.sim.Requests()
	if _, err := e.gw.Pay(ctx, req); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("Pay with a refusing hook = %v", err)
	}
	if e.sim.Requests() != before {
		t.Error("a Pay its hook refused was sent")
	}
}

func TestRequestFieldsRefusedByName(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	req := e.payReq("9.00")
	req.Metadata = map[string]string{"order": "7"}
	if _, err := e.gw.Pay(ctx, req); codeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), "Metadata") {
		t.Fatalf("Pay with Metadata = %v", err)
	}
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: "1", Amount: usd("1.00"), Reason: "r"}); codeOf(err) != paybridge.CodeInvalidRequest ||
		!strings.Contains(err.Error(), "Reason") {
		t.Fatalf("Refund with Reason = %v", err)
	}
	if _, err := e.gw.Payout(ctx, paybridge.PayoutRequest{AccountID: "1", Amount: usd("1.00"), Payee: trustlyrestsim.TestPayer, MerchantReference: "x", Description: "d"}); codeOf(err) != paybridge.CodeInvalidRequest ||
		!strings.Contains(err.Error(), "Description") || !strings.Contains(err.Error(), "Payee.Address") {
		t.Fatalf("Payout with Description and Payee.Address = %v", err)
	}
	// What establish data carries goes through.
	req = e.payReq("9.00")
	req.Payer.DateOfBirth, req.Payer.NationalID = "1990-01-01", "123-45-6789"
	if _, err := e.gw.Pay(ctx, req); err != nil {
		t.Fatalf("Pay with date of birth and national id: %v", err)
	}
}
