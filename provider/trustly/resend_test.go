package trustly_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly"
)

// A Charge whose answer is lost is resent with the same UUID. A BeforeSend hook that
// decides otherwise on the repeat changes the request, and Trustly answers 688: that
// proves the first attempt reached Trustly, and here it was applied, so the call must stay
// uncertain and never be journaled as refused.
func TestChargeResentWithOtherContentStaysUncertain(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.activeMandate(t, "mandate-688")
	req := e.chargeRequest(m.ID, "charge-688")
	n := 0
	req.BeforeSend = func(as func(any) bool) error {
		var a *trustly.Attributes
		if as(&a) {
			n++
			(*a)["ExternalReference"] = "attempt-" + strconv.Itoa(n)
		}
		return nil
	}
	before := len(e.sim.Movements())
	e.sim.GarbleNextReplies(1, 502) // processed, answer lost
	_, err := e.gw.Charge(ctx, req)
	if n < 2 {
		t.Fatalf("the hook ran %d times; the Gateway did not repeat the Charge", n)
	}
	if len(e.sim.Movements()) != before+1 {
		t.Fatalf("%d movements booked, want the first attempt's 1", len(e.sim.Movements())-before)
	}
	if paybridge.CodeOf(err) != provider.UnknownOutcome {
		t.Errorf("Charge: %v (code %v), want unknown_outcome", err, paybridge.CodeOf(err))
	}
	if errors.Is(err, provider.ErrNotApplied) || errors.Is(err, paybridge.ErrDuplicate) {
		t.Errorf("Charge reported as certainly refused: %v", err)
	}
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.ProviderCode != "688" {
		t.Errorf("Charge: %v, want Trustly's 688", err)
	}
	ent, err := e.gw.Journal().Get(ctx, journal.ID{Scope: e.gw.JournalScope(), Op: string(paybridge.OpCharge), Key: req.IdempotencyKey})
	if err != nil {
		t.Fatal(err)
	}
	if ent.State == journal.Failed || ent.State == journal.Settled {
		t.Errorf("journal entry %s, want it left uncertain", ent.State)
	}
}

// A deterministic hook makes the repeat byte-identical, and Trustly answers it with the
// first result: the Charge whose answer was lost succeeds, once.
func TestChargeResentIdenticallyLearnsItsResult(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.activeMandate(t, "mandate-same")
	req := e.chargeRequest(m.ID, "charge-same")
	n := 0
	req.BeforeSend = func(as func(any) bool) error {
		var a *trustly.Attributes
		if as(&a) {
			n++
			(*a)["ExternalReference"] = "fixed"
		}
		return nil
	}
	before := len(e.sim.Movements())
	e.sim.GarbleNextReplies(1, 502)
	c, err := e.gw.Charge(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 || c.ID == "" {
		t.Fatalf("hook ran %d times, charge %+v; want a repeat that returns the order", n, c)
	}
	if got := len(e.sim.Movements()) - before; got != 1 {
		t.Fatalf("%d movements booked, want 1", got)
	}
}
