package trustlyrest_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// A full refund of a capture made with Capture that is still pending is made as a cancel.
// The Refund it returns has an id of its own: the capture's id already names the Capture
// call in the journal, which keeps one call per provider id, so the refund must not reuse
// it. GetRefund reads that id back.
func TestVoidAsRefundHasItsOwnID(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{SettleDelay: -1}, nil)
	ctx := context.Background()
	p := e.authorized("30.00")
	cp, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("30.00")})
	if err != nil {
		t.Fatal(err)
	}
	rq := paybridge.RefundRequest{PaymentID: cp.ID, Amount: usd("30.00"), IdempotencyKey: "refund-void"}
	r, err := e.gw.Refund(ctx, rq)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == cp.ID || r.ID != trustlyrest.VoidRefundID(cp.ID) || r.Status != paybridge.RefundSucceeded || !r.Amount.Equal(usd("30.00")) {
		t.Fatalf("refund of the pending capture %s = %+v; want a succeeded void with id %s", cp.ID, r, trustlyrest.VoidRefundID(cp.ID))
	}
	if st := e.sim.Status(cp.ID); st != 13 {
		t.Fatalf("capture status %d, want 13 Voided", st)
	}
	j, scope := e.gw.Journal(), e.gw.JournalScope()
	ent, err := j.Get(ctx, journal.ID{Scope: scope, Op: string(paybridge.OpRefund), Key: rq.IdempotencyKey})
	if err != nil || ent.State != journal.Settled || ent.ProviderID != r.ID {
		t.Fatalf("the refund's journal entry = %+v, %v; want settled under %s", ent, err, r.ID)
	}
	byCapture, err := j.FindByProviderID(ctx, scope, cp.ID)
	if err != nil || byCapture.Op != string(paybridge.OpCapture) {
		t.Errorf("FindByProviderID(%s) = %+v, %v; want the Capture call", cp.ID, byCapture, err)
	}
	// A repeat is answered from the journal, at once.
	again, err := e.gw.Refund(ctx, rq)
	if err != nil || again.ID != r.ID {
		t.Fatalf("repeated refund = %+v, %v; want %s", again, err, r.ID)
	}
	got, err := e.gw.GetRefund(ctx, r.ID)
	if err != nil || got.ID != r.ID || got.Status != paybridge.RefundSucceeded || !got.Amount.Equal(usd("30.00")) {
		t.Fatalf("GetRefund(%s) = %+v, %v", r.ID, got, err)
	}
	if _, err := e.gw.GetRefund(ctx, trustlyrest.VoidRefundID(p.ID)); provider.CodeOf(err) != provider.NotFound {
		t.Errorf("GetRefund of the void id of a transaction that is no voided capture = %v, want NotFound", err)
	}
}
