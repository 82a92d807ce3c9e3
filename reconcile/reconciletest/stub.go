// Package reconciletest gives tests of reconciliation a provider whose books the test
// writes: Stub makes payments, refunds and payouts without moving anything, reports the
// statuses the test sets, and lists the ledger entries the test books.
package reconciletest

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"sync"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// Name is the Stub's provider name.
const Name = "ledgerstub"

// Stub is a provider.Provider, Refunder, Payouter and Ledgerer kept in memory. It is safe
// for concurrent use.
type Stub struct {
	mu       sync.Mutex
	n        int
	payments map[string]*provider.Payment
	refunds  map[string]*provider.Refund
	payouts  map[string]*provider.Payout
	ledger   []provider.LedgerEntry
	// uncertain holds the merchant references whose Pay answers UnknownOutcome.
	uncertain map[string]bool
	// failAfter, when positive, makes Ledger fail after that many entries (see
	// FailLedgerAfter).
	failAfter int
	// noLedger makes the ledger Unavailable (see NewWithoutLedger).
	noLedger bool
}

// NewWithoutLedger returns an empty Stub whose provider lists no books: its Capabilities
// declare OpLedger unavailable, as for a provider without a listing.
func NewWithoutLedger() *Stub {
	s := New()
	s.noLedger = true
	return s
}

// New returns an empty Stub.
func New() *Stub {
	return &Stub{payments: map[string]*provider.Payment{}, refunds: map[string]*provider.Refund{},
		payouts: map[string]*provider.Payout{}, uncertain: map[string]bool{}}
}

// Opener returns a URLOpener for paybridge.Register that opens s for any URL.
func (s *Stub) Opener() func(context.Context, *url.URL) (provider.Provider, error) {
	return func(context.Context, *url.URL) (provider.Provider, error) { return s, nil }
}

var (
	_ provider.Refunder = (*Stub)(nil)
	_ provider.Payouter = (*Stub)(nil)
	_ provider.Ledgerer = (*Stub)(nil)
)

// Name implements provider.Provider.
func (s *Stub) Name() string { return Name }

// Capabilities implements provider.Provider: partial and repeated refunds.
func (s *Stub) Capabilities() provider.Capabilities {
	c := provider.Capabilities{PartialRefunds: true, MultipleRefunds: true}
	if s.noLedger {
		c.Unavailable = []provider.Operation{provider.OpLedger}
		c.Notes = map[provider.Operation]string{provider.OpLedger: "this provider publishes no listing of its books"}
	}
	return c
}

// As implements provider.Provider; it sets a **Stub target.
func (s *Stub) As(target any) bool { return provider.SetAs(target, s) }

// Close implements provider.Provider.
func (s *Stub) Close() error { return nil }

func (s *Stub) id(prefix string) string {
	s.n++
	return fmt.Sprintf("%s-%d", prefix, s.n)
}

// Pay implements provider.Provider: a payment awaiting the payer, or UnknownOutcome for a
// reference given to FailPay (the payment is created all the same).
func (s *Stub) Pay(_ context.Context, req *provider.PaymentRequest) (*provider.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &provider.Payment{ID: s.id("pay"), Provider: Name, Status: provider.PaymentRequiresAction, Amount: req.Amount,
		Refunded: money.FromMinorCurrency(0, req.Amount.Currency()), MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, RedirectURL: "https://pay.example/" + req.MerchantReference}
	s.payments[p.ID] = p
	if s.uncertain[req.MerchantReference] {
		return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "the answer was lost"}
	}
	c := *p
	return &c, nil
}

// GetPayment implements provider.Provider.
func (s *Stub) GetPayment(_ context.Context, id string) (*provider.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return nil, &provider.Error{Code: provider.NotFound, Message: "no payment " + id}
	}
	c := *p
	return &c, nil
}

// Refund implements provider.Refunder: a refund that succeeded.
func (s *Stub) Refund(_ context.Context, req *provider.RefundRequest) (*provider.Refund, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.payments[req.PaymentID] == nil {
		return nil, &provider.Error{Code: provider.NotFound, Message: "no payment " + req.PaymentID}
	}
	r := &provider.Refund{ID: s.id("refund"), Provider: Name, PaymentID: req.PaymentID, Status: provider.RefundSucceeded,
		Amount: req.Amount, MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey}
	s.refunds[r.ID] = r
	c := *r
	return &c, nil
}

// GetRefund implements provider.Refunder.
func (s *Stub) GetRefund(_ context.Context, id string) (*provider.Refund, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.refunds[id]
	if r == nil {
		return nil, &provider.Error{Code: provider.NotFound, Message: "no refund " + id}
	}
	c := *r
	return &c, nil
}

// Payout implements provider.Payouter: a payout that succeeded.
func (s *Stub) Payout(_ context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &provider.Payout{ID: s.id("payout"), Provider: Name, Status: provider.PayoutSucceeded, Amount: req.Amount,
		AccountID: req.AccountID, MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey}
	s.payouts[p.ID] = p
	c := *p
	return &c, nil
}

// GetPayout implements provider.Payouter.
func (s *Stub) GetPayout(_ context.Context, id string) (*provider.Payout, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payouts[id]
	if p == nil {
		return nil, &provider.Error{Code: provider.NotFound, Message: "no payout " + id}
	}
	c := *p
	return &c, nil
}

// SetPaymentStatus sets the status GetPayment reports for payment id.
func (s *Stub) SetPaymentStatus(id string, st provider.PaymentStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.payments[id]; p != nil {
		p.Status = st
	}
}

// FailPay makes Pay for merchant reference ref answer UnknownOutcome.
func (s *Stub) FailPay(ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uncertain[ref] = true
}

// Book adds entries to the ledger.
func (s *Stub) Book(es ...provider.LedgerEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ledger = append(s.ledger, es...)
}

// FailLedgerAfter makes Ledger end with a ProviderUnavailable error after n entries.
func (s *Stub) FailLedgerAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAfter = n
}

// Ledger implements provider.Ledgerer: the booked entries with From <= Time < To (and
// the currency asked for), oldest first.
func (s *Stub) Ledger(ctx context.Context, req *provider.LedgerRequest) iter.Seq2[*provider.LedgerEntry, error] {
	s.mu.Lock()
	var out []provider.LedgerEntry
	for _, e := range s.ledger {
		if !e.Time.Before(req.From) && e.Time.Before(req.To) && (req.Currency.IsZero() || e.Amount.Currency() == req.Currency) {
			out = append(out, e)
		}
	}
	failAfter := s.failAfter
	s.mu.Unlock()
	slices.SortStableFunc(out, func(a, b provider.LedgerEntry) int { return a.Time.Compare(b.Time) })
	return func(yield func(*provider.LedgerEntry, error) bool) {
		for i := range out {
			if failAfter > 0 && i == failAfter {
				yield(nil, &provider.Error{Code: provider.ProviderUnavailable, Message: "the listing broke off"})
				return
			}
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			if !yield(&out[i], nil) {
				return
			}
		}
	}
}
