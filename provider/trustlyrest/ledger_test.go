package trustlyrest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// ledger reads the Gateway's ledger between from and to into a map by ProviderID.
func ledger(t *testing.T, e *env, from, to time.Time) (map[string]*paybridge.LedgerEntry, []*paybridge.LedgerEntry) {
	t.Helper()
	byID := map[string]*paybridge.LedgerEntry{}
	var all []*paybridge.LedgerEntry
	for le, err := range e.gw.Ledger(context.Background(), paybridge.LedgerRequest{From: from, To: to}) {
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := byID[le.ProviderID]; dup {
			t.Fatalf("entry %s listed twice", le.ProviderID)
		}
		byID[le.ProviderID] = le
		all = append(all, le)
	}
	return byID, all
}

func TestLedgerListsWhatMovedMoney(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	from := time.Now().Add(-time.Second)
	auto := e.paid("10.00", provider.PaymentSucceeded)
	manual := e.authorized("30.00")
	capture, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: manual.ID, Amount: usd("12.00"), MerchantReference: "cap-ref"})
	if err != nil {
		t.Fatal(err)
	}
	testWaitCapture(t, e, capture.ID, provider.CaptureSucceeded)
	m := e.approvedMandate("plan-ledger")
	charge, err := e.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: usd("4.50"), MerchantReference: "inv-ledger"})
	if err != nil {
		t.Fatal(err)
	}
	e.waitPayment(charge.ID, provider.PaymentSucceeded)
	refund, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: auto.ID, Amount: usd("2.00"), MerchantReference: "rf-ledger"})
	if err != nil {
		t.Fatal(err)
	}
	e.waitFor("the refund to settle", func() bool {
		r, err := e.gw.GetRefund(ctx, refund.ID)
		return err == nil && r.Status == provider.RefundSucceeded
	})
	// An authorization still waiting for its capture moved nothing.
	waiting := e.authorized("8.00")

	byID, _ := ledger(t, e, from, time.Now().Add(time.Second))
	want := []struct {
		id, ref string
		kind    paybridge.LedgerKind
		amount  string
	}{
		{auto.ID, auto.MerchantReference, paybridge.LedgerPayment, "10.00"}, // the adapter's own capture, under the Pay's id
		{capture.ID, "cap-ref", paybridge.LedgerPayment, "12.00"},
		{charge.ID, "inv-ledger", paybridge.LedgerPayment, "4.50"},
		{refund.ID, "rf-ledger", paybridge.LedgerRefund, "-2.00"},
	}
	for _, w := range want {
		got := byID[w.id]
		if got == nil {
			t.Errorf("no ledger entry for %s (%s)", w.id, w.kind)
			continue
		}
		if got.Kind != w.kind || !got.Amount.Equal(usd(w.amount)) || got.Reference != w.ref || got.Time.IsZero() {
			t.Errorf("entry %s = %+v, want %s %s ref %q", w.id, got, w.kind, w.amount, w.ref)
		}
	}
	if len(byID) != len(want) {
		t.Errorf("%d entries, want %d: %v", len(byID), len(want), byID)
	}
	for _, id := range []string{manual.ID, waiting.ID, m.ID} {
		if byID[id] != nil {
			t.Errorf("an authorization (%s) is in the ledger", id)
		}
	}
}

func TestLedgerPagesTimeRangeAndPlantedDiscrepancies(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	early, err := e.sim.BookWithoutCall(usd("1.00"), "before-the-range")
	if err != nil {
		t.Fatal(err)
	}
	// Separate the range from the early booking by a clock tick of Trustly's millisecond
	// timestamps.
	from := time.Now().Add(2 * time.Millisecond)
	for time.Now().Before(from) {
		time.Sleep(time.Millisecond)
	}
	const n = 130 // more than one page of 100
	ids := map[string]bool{}
	for i := range n {
		id, err := e.sim.BookWithoutCall(usd(fmt.Sprintf("%d.00", i+1)), fmt.Sprintf("booked-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = true
	}
	var rebooked string
	for id := range ids {
		rebooked = id
		break
	}
	if err := e.sim.Rebook(rebooked, usd("999.99")); err != nil {
		t.Fatal(err)
	}
	before := e.sim.Requests()
	byID, all := ledger(t, e, from, time.Now().Add(time.Second))
	if got := e.sim.Requests() - before; got != 2 {
		t.Errorf("the ledger of %d entries took %d requests, want 2 pages", n, got)
	}
	if byID[early] != nil {
		t.Error("an entry before From is listed")
	}
	for id := range ids {
		if byID[id] == nil {
			t.Errorf("booked capture %s is missing", id)
		}
	}
	if len(all) != n {
		t.Errorf("%d entries, want %d", len(all), n)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Time.Before(all[i-1].Time) {
			t.Fatalf("entries out of order at %d", i)
		}
	}
	if !byID[rebooked].Amount.Equal(usd("999.99")) {
		t.Errorf("rebooked entry = %+v, want 999.99", byID[rebooked])
	}
	// The ledger is read as the caller iterates: stopping early reads no further page.
	before = e.sim.Requests()
	for range e.gw.Ledger(ctx, paybridge.LedgerRequest{From: from, To: time.Now().Add(time.Second)}) {
		break
	}
	if got := e.sim.Requests() - before; got != 1 {
		t.Errorf("stopping after one entry made %d requests, want 1", got)
	}
}
