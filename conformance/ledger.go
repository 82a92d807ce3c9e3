package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
)

// ledgerSlack widens the ledger scenario's time range on both sides, for a provider whose
// clock is not this machine's.
const ledgerSlack = 10 * time.Minute

// wantEntry is a movement the ledger scenario made and looks for.
type wantEntry struct {
	what string
	kind paybridge.LedgerKind
	id   string
	// parent is the payment a refund may be booked under instead of its own id, as
	// providers whose refunds have no id of their own book it (Trustly JSON-RPC).
	parent string
	// amount is signed as LedgerEntry.Amount is.
	amount money.Amount
}

func ledgerScenario(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpLedger)
	from := time.Now().Add(-ledgerSlack)
	var want []wantEntry
	p := s.paidPayment(ctx, t, "6.40")
	want = append(want, wantEntry{what: "the payment", kind: paybridge.LedgerPayment, id: p.ID, amount: p.Amount})
	if s.caps.Supports(paybridge.OpRefund) {
		value := "6.40"
		if s.caps.Supports(paybridge.OpPartialRefund) {
			value = "2.15"
		}
		r := s.refund(ctx, t, p.ID, value, "")
		want = append(want, wantEntry{what: "the refund", kind: paybridge.LedgerRefund, id: r.ID, parent: p.ID, amount: s.amount(t, "-"+value)})
	}
	to := time.Now().Add(ledgerSlack)
	req := paybridge.LedgerRequest{From: from, To: to, Currency: s.h.Currency}

	// A provider may book a movement a little after it happens: read the ledger again
	// until every movement is there.
	var missing []wantEntry
	err := s.poll(ctx, func() (bool, error) {
		found := map[string]*paybridge.LedgerEntry{}
		n := 0
		for e, err := range s.gw.Ledger(ctx, req) {
			if err != nil {
				return false, err
			}
			n++
			if e.Time.Before(req.From) || !e.Time.Before(req.To) {
				return false, fmt.Errorf("ledger entry %s at %v is outside [%v, %v)", e.ProviderID, e.Time, req.From, req.To)
			}
			if e.Amount.Currency() != s.h.Currency {
				return false, fmt.Errorf("ledger entry %s is in %s, asked for %s only", e.ProviderID, e.Amount.Currency(), s.h.Currency)
			}
			for _, w := range want {
				if e.Kind == w.kind && (e.ProviderID == w.id || w.parent != "" && e.ProviderID == w.parent) {
					found[w.id] = e
				}
			}
		}
		missing = missing[:0]
		for _, w := range want {
			e := found[w.id]
			switch {
			case e == nil:
				missing = append(missing, w)
			case !e.Amount.Equal(w.amount):
				return false, fmt.Errorf("the ledger books %s (%s) as %v, want %v", w.what, w.id, e.Amount, w.amount)
			}
		}
		t.Logf("%d ledger entries read, %d of the run's %d movements missing", n, len(missing), len(want))
		return len(missing) == 0, nil
	})
	must(t, s, "reading the ledger", err)

	// A range in which nothing happened yields nothing.
	empty := paybridge.LedgerRequest{From: time.Date(2001, 2, 3, 4, 0, 0, 0, time.UTC), To: time.Date(2001, 2, 3, 5, 0, 0, 0, time.UTC)}
	var held []*paybridge.LedgerEntry
	for e, err := range s.gw.Ledger(ctx, empty) {
		if err != nil {
			must(t, s, "Ledger of an empty range", err)
		}
		held = append(held, e)
	}
	if len(held) > 0 {
		t.Fatalf("the ledger of a range in 2001 holds %d entries, the first %+v", len(held), held[0])
	}

	// A range that ends before it starts is refused before anything is sent.
	var errs []error
	sent := s.sentNothing(ctx, func() {
		errs = errs[:0]
		for _, err := range s.gw.Ledger(ctx, paybridge.LedgerRequest{From: to, To: from}) {
			errs = append(errs, err)
		}
	})
	if len(errs) != 1 {
		t.Fatalf("a backwards ledger range yielded %d elements, want its one error", len(errs))
	}
	expectFields(t, s, errs[0], "To")
	if sent != 0 {
		t.Fatalf("a backwards ledger range sent %d requests to the provider", sent)
	}
}
