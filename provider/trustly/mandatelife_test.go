package trustly_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
)

// TestMandateOutlivesTheJournalsRetention: a direct-debit mandate is charged for years,
// and Trustly has no call that reads one: what the Gateway's journal recorded of it — the
// CreateMandate call and what its notifications said — is all there is. The journal drops
// settled calls after its retention; a mandate's record must stay, or the next month's
// charge is refused as of an unknown mandate.
func TestMandateOutlivesTheJournalsRetention(t *testing.T) {
	e := newEnv(t)
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	e.journal = journal.NewMemory(journal.WithClock(clock), journal.WithRetention(time.Hour))
	e.restart(t)
	ctx := context.Background()
	m := e.activeMandate(t, "mandate-long")
	if _, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-month-1")); err != nil {
		t.Fatal(err)
	}
	ahead.Store(int64(24 * time.Hour)) // past the retention: settled calls are dropped
	if _, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-month-2")); err != nil {
		t.Fatalf("the next month's charge: %v", err)
	}
	got, err := e.gw.GetMandate(ctx, m.ID)
	if err != nil || got.Status != paybridge.MandateActive || got.MerchantReference != "mandate-long" {
		t.Fatalf("GetMandate past the retention = %+v, %v; want the active mandate", got, err)
	}
}
