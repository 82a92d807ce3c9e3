package trustlyrest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// countChildren counts parent's children of one transaction type, as Trustly lists them.
func countChildren(t *testing.T, e *env, parent string, typ int) (n int) {
	t.Helper()
	for _, err := range e.client.Transactions(context.Background(), trustlyrest.TransactionFilter{OriginalTransactionID: parent, Types: []int{typ}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// captureOf returns the id of a payment's capture.
func captureOf(t *testing.T, e *env, paymentID string) string {
	t.Helper()
	for tx, err := range e.client.Transactions(context.Background(), trustlyrest.TransactionFilter{OriginalTransactionID: paymentID, Types: []int{3}}) {
		if err != nil {
			t.Fatal(err)
		}
		return tx.ID
	}
	t.Fatalf("payment %s has no capture", paymentID)
	return ""
}

// verifiedAccount verifies an account interactively and returns its AccountID.
func verifiedAccount(t *testing.T, e *env, key string) string {
	t.Helper()
	ctx := context.Background()
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer, ReturnURL: "https://shop.example/v", IdempotencyKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// TestRefundInAnotherCurrencyIsRefusedBeforeSending: Trustly's refund body has no currency,
// so a USD refund of a CAD payment would move CAD.
func TestRefundInAnotherCurrencyIsRefusedBeforeSending(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	req := e.payReq("20.00")
	req.Amount = money.MustNew("20.00", "CAD")
	p, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	e.waitPayment(p.ID, provider.PaymentSucceeded)
	capID := captureOf(t, e, p.ID)
	_, err = e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("7.00"), IdempotencyKey: "usd-on-cad"})
	var pe *provider.Error
	if !errorsAs(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != "Amount" {
		t.Errorf("refund of USD on a CAD payment = %v, want InvalidRequest on Amount", err)
	}
	if n := countChildren(t, e, capID, 4); n != 0 {
		t.Errorf("a refund in the wrong currency was sent anyway: %d refunds exist", n)
	}
}

// TestPayoutInAnotherCurrencyIsRefusedBeforeSending: the deposit's currency is the
// authorization's; a payout in another one must not be sent.
func TestPayoutInAnotherCurrencyIsRefusedBeforeSending(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	account := verifiedAccount(t, e, "v-cur") // a USD authorization
	_, err := e.gw.Payout(context.Background(), paybridge.PayoutRequest{Amount: money.MustNew("5.00", "CAD"), AccountID: account,
		Payee: testPayee, MerchantReference: "w-cad", IdempotencyKey: "po-cad"})
	var pe *provider.Error
	if !errorsAs(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != "Amount" {
		t.Errorf("CAD payout to a USD authorization = %v, want InvalidRequest on Amount", err)
	}
	if n := countChildren(t, e, account, 6); n != 0 {
		t.Errorf("a deposit in the wrong currency was sent anyway: %d deposits exist", n)
	}
}

// TestVerifyAccountRepeatedInAnotherProcess: a second process repeating an interactive
// VerifyAccount after the account was authorized gets error 210 from Trustly; the adapter
// resolves it to the first verification.
func TestVerifyAccountRepeatedInAnotherProcess(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	req := paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer, ReturnURL: "https://shop.example/v", IdempotencyKey: "v-restart"}
	v, err := e.gw.VerifyAccount(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	fresh, err := trustlyrest.New(e.sim.Config())
	if err != nil {
		t.Fatal(err)
	}
	again, err := paybridge.New(fresh).VerifyAccount(ctx, req)
	if err != nil || again.ID != v.ID || again.AccountID != v.ID || again.Status != paybridge.VerificationVerified {
		t.Errorf("repeated VerifyAccount in a new process = %+v, %v; want verified verification %s", again, err, v.ID)
	}
}

// TestVoidedCaptureIsOnlyTheVoidingRefunds: a full refund of a capture not yet processed
// voids it. Repeating that refund returns the void from the journal; a refund with another
// key must not be told it succeeded, since it moved nothing. Whether a voided capture was a
// call's refund is read from Trustly's data alone, and the simulator, like Trustly's
// documentation, does not keep the cancel's merchantReference on the capture: a process
// without the journal's record of the void cannot prove it, so it refuses — it never
// refunds again.
func TestVoidedCaptureIsOnlyTheVoidingRefunds(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{SettleDelay: -1}, nil)
	p := e.paid("30.00", provider.PaymentPending) // captured; the capture stays pending
	capID := captureOf(t, e, p.ID)
	ctx := context.Background()
	// A long cancel message with accented letters, set through the hook: Trustly takes at
	// most 40 characters.
	reason := "a" + strings.Repeat("é", 44)
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("30.00"), IdempotencyKey: "void-a",
		BeforeSend: func(as func(any) bool) error {
			var o *trustlyrest.TransactionOptions
			if !as(&o) {
				return errors.New("no *TransactionOptions")
			}
			o.Message = reason
			return nil
		}}
	first, err := e.gw.Refund(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != trustlyrest.VoidRefundID(capID) || first.Status != paybridge.RefundSucceeded {
		t.Fatalf("full refund of a pending capture = %+v, want the capture %s voided", first, capID)
	}
	if st := e.sim.Status(capID); st != 13 {
		t.Fatalf("capture status %d, want 13 Voided", st)
	}
	again, err := e.gw.Refund(ctx, req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("repeated refund = %+v, %v; want the void again", again, err)
	}
	other, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("30.00"), IdempotencyKey: "void-b"})
	if err == nil {
		t.Fatalf("a refund with another key was reported as %+v although the capture was already voided", other)
	}
	if codeOf(err) != provider.InvalidRequest {
		t.Fatalf("refund with another key after the void = %v, want InvalidRequest", err)
	}
	elsewhere, err := trustlyrest.New(e.sim.Config())
	if err != nil {
		t.Fatal(err)
	}
	if r, err := paybridge.New(elsewhere).Refund(ctx, req); codeOf(err) != provider.InvalidRequest {
		t.Fatalf("the void's refund repeated by a process with its own journal = %+v, %v; want InvalidRequest", r, err)
	}
	if n := refunds(e); n != 0 {
		t.Fatalf("%d refunds at Trustly after a void; want none", n)
	}
}

// TestLostCancelStaysUncertain: when the answer to the cancel that voids a capture is lost,
// Trustly's data shows the capture voided but not by which call, so the refund stays
// UnknownOutcome — however often it is repeated — and nothing is refunded.
func TestLostCancelStaysUncertain(t *testing.T) {
	// Only the cancel's answer is lost: a capture the notification handler or a status
	// read may still send must not take the loss instead.
	lose := &loseCancelReply{next: http.DefaultTransport}
	e := newEnv(t, trustlyrestsim.Options{SettleDelay: -1}, func(c *trustlyrest.Config) {
		c.SettlePeriod = time.Nanosecond
		c.HTTPClient = &http.Client{Transport: lose}
	})
	p := e.paid("30.00", provider.PaymentPending)
	capID := captureOf(t, e, p.ID)
	ctx := context.Background()
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("30.00"), IdempotencyKey: "void-lost"}
	lose.armed.Store(true)
	if _, err := e.gw.Refund(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("refund whose cancel answer was lost = %v, want ErrUnknownOutcome", err)
	}
	if st := e.sim.Status(capID); st != 13 {
		t.Fatalf("capture status %d, want 13 Voided: the cancel was applied", st)
	}
	for i := range 2 {
		if r, err := e.gw.Refund(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
			t.Fatalf("repeat %d = %+v, %v; want ErrUnknownOutcome", i+1, r, err)
		}
	}
	if n := refunds(e); n != 0 {
		t.Fatalf("%d refunds at Trustly; want none", n)
	}
}

// loseCancelReply delivers the first POST to a .../cancel path after it is armed, then
// drops Trustly's answer, as a connection lost on the way back would.
type loseCancelReply struct {
	next  http.RoundTripper
	armed atomic.Bool
}

func (l *loseCancelReply) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/cancel") && l.armed.CompareAndSwap(true, false) {
		resp.Body.Close()
		return nil, io.ErrUnexpectedEOF
	}
	return resp, err
}
