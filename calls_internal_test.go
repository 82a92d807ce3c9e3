package paybridge

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// TestCallsMarkFirstValueWins: a mark keeps the first value recorded under its name and
// key, on every Gateway sharing the journal, and a redelivery marking the same value again
// learns it is the first.
func TestCallsMarkFirstValueWins(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	a, b := calls{New(payOnly{}, WithJournal(j))}, calls{New(payOnly{}, WithJournal(j))}
	if v, err := a.Marked(ctx, "credited", "o-1"); err != nil || v != "" {
		t.Fatalf("Marked before any mark: %q, %v", v, err)
	}
	if v, err := a.Mark(ctx, "credited", "o-1", "n-1"); err != nil || v != "n-1" {
		t.Fatalf("first Mark: %q, %v", v, err)
	}
	if v, err := b.Mark(ctx, "credited", "o-1", "n-2"); err != nil || v != "n-1" {
		t.Fatalf("another instance's later Mark: %q, %v; want n-1", v, err)
	}
	if v, err := b.Mark(ctx, "credited", "o-1", "n-1"); err != nil || v != "n-1" {
		t.Fatalf("the same Mark again: %q, %v", v, err)
	}
	if v, err := b.Marked(ctx, "credited", "o-1"); err != nil || v != "n-1" {
		t.Fatalf("Marked: %q, %v", v, err)
	}
	if v, err := a.Mark(ctx, "pending", "o-1", "n-3"); err != nil || v != "n-3" {
		t.Fatalf("a mark of another name: %q, %v", v, err)
	}
	if _, err := a.Mark(ctx, "credited", "o-2", ""); err == nil {
		t.Fatal("a mark with an empty value was accepted")
	}
}

// TestCallsFindRecordedCalls: the adapter's view of the journal finds calls by provider id,
// by reference, and a payment's refunds oldest first, and never shows a mark as a call.
func TestCallsFindRecordedCalls(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	j := journal.NewMemory(journal.WithClock(func() time.Time { return now }))
	g := New(payOnly{}, WithJournal(j))
	c := calls{g}
	eur := func(s string) money.Amount { return money.MustNew(s, "EUR") }
	record := func(op provider.Operation, key, ref, parent, pid string, amount money.Amount) {
		t.Helper()
		id := journal.ID{Scope: g.JournalScope(), Op: string(op), Key: key}
		cl, err := j.Claim(ctx, journal.Entry{ID: id, Fingerprint: "f-" + key, Reference: ref, Parent: parent, Amount: amount}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if pid != "" {
			if err := j.Record(ctx, id, cl.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`), ProviderID: pid}); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(time.Second)
	}
	record(provider.OpPay, "pay-1", "order-1", "", "100", eur("50.00"))
	record(provider.OpRefund, "refund-b", "", "100", "r-b", eur("10.00"))
	record(provider.OpRefund, "refund-a", "", "100", "", eur("5.00")) // its answer not recorded yet
	record(provider.OpRefund, "refund-other", "", "200", "r-o", eur("1.00"))
	if _, err := c.Mark(ctx, "credited", "100", "n-1"); err != nil {
		t.Fatal(err)
	}

	pay, ok, err := c.ByProviderID(ctx, "100")
	if err != nil || !ok || pay.Op != provider.OpPay || pay.Key != "pay-1" || pay.Reference != "order-1" || !pay.Settled || !pay.Amount.Equal(eur("50.00")) {
		t.Fatalf("ByProviderID(100): %+v, %v, %v", pay, ok, err)
	}
	if _, ok, err := c.ByProviderID(ctx, "nothing"); ok || err != nil {
		t.Fatalf("ByProviderID of an unknown id: %v, %v", ok, err)
	}
	if found, err := c.ByReference(ctx, "order-1"); err != nil || len(found) != 1 || found[0].Key != "pay-1" {
		t.Fatalf("ByReference: %+v, %v", found, err)
	}
	refunds, err := c.Children(ctx, "100", provider.OpRefund)
	if err != nil || len(refunds) != 2 || refunds[0].Key != "refund-b" || refunds[1].Key != "refund-a" ||
		refunds[1].Settled || refunds[0].Parent != "100" {
		t.Fatalf("Refunds(100): %+v, %v; want refund-b then refund-a", refunds, err)
	}
	if none, err := c.Children(ctx, "300", provider.OpRefund); err != nil || len(none) != 0 {
		t.Fatalf("Refunds of a payment without any: %+v, %v", none, err)
	}
}
