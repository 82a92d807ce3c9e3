package trustlyrest_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// TestManualCaptureInAnotherProcessNeedsTheKeptToken: when Trustly's transactions do not
// carry the splitToken, a process that did not see the Authorize notification cannot
// capture on its own. It must say so with an error a retry does not cure, and capture with
// the token the application kept from the notification.
func TestManualCaptureInAnotherProcessNeedsTheKeptToken(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{WithholdSplitToken: true}, func(c *trustlyrest.Config) { c.Capture = trustlyrest.CaptureManual })
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payReq("12.00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	ev := e.waitEvent(func(ev notify.Event) bool { return ev.PaymentID == p.ID && ev.Kind == notify.PaymentAuthorized })

	other, err := trustlyrest.New(func() trustlyrest.Config { c := e.sim.Config(); c.Capture = trustlyrest.CaptureManual; return c }())
	if err != nil {
		t.Fatal(err)
	}
	req := &provider.CaptureRequest{PaymentID: p.ID, Amount: p.Amount, IdempotencyKey: "cap-token"}
	_, err = other.Capture(ctx, req)
	if err == nil || provider.CodeOf(err).Retryable() {
		t.Fatalf("capture without a known split token = %v, want an error a retry does not cure", err)
	}
	token, err := trustlyrest.SplitToken(ev.Raw)
	if err != nil || token == "" {
		t.Fatalf("SplitToken(event) = %q, %v", token, err)
	}
	req.BeforeSend = func(as func(any) bool) error {
		var o *trustlyrest.TransactionOptions
		if !as(&o) {
			t.Error("the capture's hook reaches no *TransactionOptions")
			return nil
		}
		o.SplitToken = token
		return nil
	}
	got, err := other.Capture(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != provider.CapturePending && got.Status != provider.CaptureSucceeded {
		t.Fatalf("capture is %s (%s)", got.Status, got.ProviderStatus)
	}
	if pay, err := other.GetPayment(ctx, p.ID); err != nil || !pay.Captured.Equal(p.Amount) {
		t.Fatalf("payment after the capture: %+v, %v", pay, err)
	}
}
