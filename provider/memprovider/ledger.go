package memprovider

import (
	"context"
	"iter"
	"sort"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// ledgerRow is one entry of the Backend's books.
type ledgerRow struct {
	seq     int64
	e       provider.LedgerEntry
	dropped bool
}

// after reports whether r sorts after the position (t, seq).
func (r *ledgerRow) after(t time.Time, seq int64) bool {
	return r.e.Time.After(t) || r.e.Time.Equal(t) && r.seq > seq
}

// bookLocked books a movement at the Backend's time; b.mu must be held. Amount is
// signed as it changes the merchant's balance.
func (b *Backend) bookLocked(kind provider.LedgerKind, providerKind string, amount money.Amount, id, ref string) {
	b.insertLocked(provider.LedgerEntry{Kind: kind, ProviderKind: providerKind, Amount: amount,
		ProviderID: id, Reference: ref, Time: b.now()})
}

// insertLocked keeps the books ordered by time, then by booking order.
func (b *Backend) insertLocked(e provider.LedgerEntry) {
	row := &ledgerRow{seq: b.seq.Add(1), e: e}
	i := sort.Search(len(b.ledger), func(i int) bool { return b.ledger[i].e.Time.After(e.Time) })
	b.ledger = append(b.ledger, nil)
	copy(b.ledger[i+1:], b.ledger[i:])
	b.ledger[i] = row
}

// negate returns -a.
func negate(a money.Amount) money.Amount { return money.FromMinorCurrency(-a.Minor(), a.Currency()) }

// BookExternal books e as a movement no call made (a correction, a movement the merchant
// did not ask for), for reconciliation tests: the Ledger then holds an entry the
// Gateway's journal has no call for. A zero e.Time books it now.
func (b *Backend) BookExternal(e provider.LedgerEntry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = b.now()
	}
	b.insertLocked(e)
}

// DropBooked removes the oldest entry booked for the provider id (a payment's, capture's,
// refund's or payout's) from the Ledger, as if the provider had lost it, and reports
// whether there was one. The movement itself (balance, payment state) stays.
func (b *Backend) DropBooked(providerID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.ledger {
		if !r.dropped && r.e.ProviderID == providerID {
			r.dropped = true
			return true
		}
	}
	return false
}

// AlterBooked changes the amount of the oldest entry booked for the provider id to
// amount (signed as LedgerEntry.Amount is), and reports whether there was one: a ledger
// that disagrees with the call that moved the money.
func (b *Backend) AlterBooked(providerID string, amount money.Amount) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.ledger {
		if !r.dropped && r.e.ProviderID == providerID {
			r.e.Amount = amount
			return true
		}
	}
	return false
}

// Ledger implements provider.Ledgerer. Every movement is booked when it happens: a
// payment when it succeeds (a payment made with CaptureManual by its captures instead,
// ProviderID the capture's id, ProviderKind "capture"), a charge under a mandate when its
// payment succeeds (ProviderKind "charge"), refunds and payouts (negative) when made.
// mem charges no fee. The entries come oldest first, one page (WithLedgerPageSize) per
// request to the Backend, as the caller iterates.
func (p *Client) Ledger(ctx context.Context, req *provider.LedgerRequest) iter.Seq2[*provider.LedgerEntry, error] {
	return func(yield func(*provider.LedgerEntry, error) bool) {
		var at time.Time // the position after which the next page starts
		seq := int64(-1)
		for {
			page, more, err := p.ledgerPage(ctx, req, at, seq)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, r := range page {
				e := r.e
				if !yield(&e, nil) {
					return
				}
				at, seq = r.e.Time, r.seq
			}
			if !more {
				return
			}
		}
	}
}

// ledgerPage reads one page: the entries of req after (at, seq), and whether more follow.
func (p *Client) ledgerPage(ctx context.Context, req *provider.LedgerRequest, at time.Time, seq int64) ([]ledgerRow, bool, error) {
	if err := p.call(ctx); err != nil {
		return nil, false, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	var page []ledgerRow
	for _, r := range b.ledger {
		if r.dropped || r.e.Time.Before(req.From) || !r.e.Time.Before(req.To) || !r.after(at, seq) ||
			!req.Currency.IsZero() && r.e.Amount.Currency() != req.Currency {
			continue
		}
		if len(page) == b.ledgerPage {
			return page, true, nil
		}
		page = append(page, *r)
	}
	return page, false, nil
}
