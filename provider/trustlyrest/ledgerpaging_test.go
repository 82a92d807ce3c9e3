package trustlyrest_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// A capture that becomes Processed while the ledger is read must neither make a row of an
// earlier page repeat nor make another row be skipped: every transaction booked before
// the read is listed once, and the capture at most once (its page was read while it was
// still pending).
func TestLedgerStatusChangeDuringReadListsEachRowOnce(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{SettleDelay: -1}, nil)
	ctx := context.Background()
	start := time.Now().Add(-time.Minute)
	p := e.authorized("30.00")
	cp, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("10.00")})
	if err != nil {
		t.Fatal(err)
	}
	const booked = 150 // more than a page
	want := map[string]bool{}
	for i := range booked {
		id, err := e.sim.BookWithoutCall(usd("1.00"), "b"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		want[id] = true
	}
	seen := map[string]int{}
	n := 0
	for row, err := range e.client.Ledger(ctx, &provider.LedgerRequest{From: start, To: time.Now().Add(time.Minute)}) {
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			// The pending capture is processed after the first row was read.
			if err := e.sim.Settle(cp.ID, 3); err != nil {
				t.Fatal(err)
			}
		}
		n++
		seen[row.ProviderID]++
	}
	for id, k := range seen {
		if k > 1 {
			t.Errorf("ledger listed %s %d times", id, k)
		}
		if !want[id] && id != cp.ID {
			t.Errorf("ledger listed %s, which no booking made", id)
		}
	}
	for id := range want {
		if seen[id] == 0 {
			t.Errorf("ledger skipped %s (rows %d, distinct %d, want %d)", id, n, len(seen), len(want))
		}
	}
}
