package trustlyrest_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// TestRefusedCaptureAgainstTheSimulator: the payer approves, and Trustly refuses the
// automatic capture for lack of funds (331). The application hears payment.failed once;
// the authorization is voided at Trustly, so no capture is ever made of it — the
// Authorize notification delivered again, and every later GetPayment, read it canceled.
func TestRefusedCaptureAgainstTheSimulator(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	e.sim.RefuseNextCapture(331)
	p, err := e.gw.Pay(ctx, e.payReq("10.00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	e.waitEvent(func(ev notify.Event) bool { return ev.PaymentID == p.ID && ev.Kind == notify.PaymentFailed })
	if st := e.sim.Status(p.ID); st != 13 {
		t.Fatalf("the authorization's status at Trustly after the refusal: %d; want 13 (Voided)", st)
	}
	if _, err := e.sim.SendNotification(p.ID, "Authorize"); err != nil { // delivered again
		t.Fatal(err)
	}
	got := e.waitPayment(p.ID, provider.PaymentCanceled)
	for _, m := range e.sim.Movements() {
		if m.ParentID == p.ID && m.Kind == "Capture" {
			t.Fatalf("a capture was made of the failed payment: %+v (payment %s)", m, got.ProviderStatus)
		}
	}
}
