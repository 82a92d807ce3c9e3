package main

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/paybridge/paybridge/money"
)

// Status is where an order stands, as the shop sees it.
type Status string

// Order statuses. Only verified notifications move an order to Authorized, Paid, Failed,
// Canceled or Refunded; the buyer's return from the provider's page changes nothing.
const (
	// StatusNew: the order exists; the payment has not been started yet.
	StatusNew Status = "new"
	// StatusRetry: starting the payment failed in a way a repeat can cure (the provider
	// was unavailable, or its answer was lost). Trying again reuses the order's key.
	StatusRetry Status = "retry"
	// StatusAwaitingPayment: the buyer was sent to the provider's page.
	StatusAwaitingPayment Status = "awaiting_payment"
	// StatusPending: the buyer finished at the bank; the bank has not confirmed yet.
	StatusPending Status = "pending"
	// StatusAuthorized: the bank authorized the payment; the money is not captured yet.
	StatusAuthorized Status = "authorized"
	// StatusPaid: the provider confirmed the money.
	StatusPaid Status = "paid"
	// StatusFailed: the payment was declined or failed.
	StatusFailed Status = "failed"
	// StatusCanceled: the buyer left the provider's page without paying.
	StatusCanceled Status = "canceled"
	// StatusRefundRequested: the provider accepted the refund and has not confirmed it yet.
	StatusRefundRequested Status = "refund_requested"
	// StatusRefunded: the provider confirmed the refund.
	StatusRefunded Status = "refunded"
)

// waiting reports whether the order waits for news from the provider, so that its page
// refreshes itself.
func (s Status) waiting() bool {
	switch s {
	case StatusAwaitingPayment, StatusPending, StatusAuthorized, StatusRefundRequested:
		return true
	}
	return false
}

// beforePayment reports whether the payment's outcome is still open.
func (s Status) beforePayment() bool {
	switch s {
	case StatusNew, StatusRetry, StatusAwaitingPayment, StatusPending, StatusAuthorized:
		return true
	}
	return false
}

// Order is one purchase. The idempotency keys are chosen when the order is created (and
// when a refund is first asked for) and kept with it, so every repeat of a call after a
// timeout, a lost answer or a double click carries the same key and cannot pay or refund
// twice.
type Order struct {
	ID        string
	Product   Product
	Amount    money.Amount
	Provider  string // the payment method's name
	Buyer     Buyer
	CreatedAt time.Time

	Status Status
	// Note explains the last problem to the buyer ("" when there is none).
	Note string

	// PayKey is the idempotency key of the order's Pay call.
	PayKey      string
	PaymentID   string
	RedirectURL string

	// RefundKey is the idempotency key of the refund being asked for; it is set before the
	// first Refund call and cleared only when the provider reports that refund failed.
	RefundKey string
	// Refunds counts the refund attempts, to make each new RefundKey distinct.
	Refunds  int
	RefundID string

	// Events lists the verified notifications applied to the order, newest last.
	Events []string
}

// Buyer is what the checkout form asks for.
type Buyer struct {
	FirstName, LastName, Email, Phone, Country string
}

// Orders is the shop's order book. It lives in memory here; a real shop keeps orders —
// and with them the idempotency keys — in its database, written before each provider
// call. It is safe for concurrent use.
type Orders struct {
	mu        sync.Mutex
	byID      map[string]*Order
	byPayment map[string]string // provider + "/" + payment id -> order id
}

// NewOrders returns an empty order book.
func NewOrders() *Orders {
	return &Orders{byID: map[string]*Order{}, byPayment: map[string]string{}}
}

// Create stores a new order with a fresh random id and its Pay idempotency key.
func (s *Orders) Create(p Product, amount money.Amount, method string, b Buyer) Order {
	id := newID()
	o := &Order{ID: id, Product: p, Amount: amount, Provider: method, Buyer: b, CreatedAt: time.Now(),
		Status: StatusNew, PayKey: "pay-" + id}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[id] = o
	return *o
}

// Get returns a copy of the order.
func (s *Orders) Get(id string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byID[id]
	if !ok {
		return Order{}, false
	}
	return o.clone(), true
}

// Delete forgets an order that never reached a provider.
func (s *Orders) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// Update runs fn on the order under the book's lock and returns the updated copy. fn
// must not block.
func (s *Orders) Update(id string, fn func(o *Order)) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byID[id]
	if !ok {
		return Order{}, false
	}
	fn(o)
	if o.PaymentID != "" {
		s.byPayment[o.Provider+"/"+o.PaymentID] = o.ID
	}
	return o.clone(), true
}

// FindID returns the id of the order a notification concerns: by the provider's payment
// id, or else by the merchant reference, which is the order id.
func (s *Orders) FindID(method, paymentID, reference string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.byPayment[method+"/"+paymentID]; ok && paymentID != "" {
		return id, true
	}
	if o, ok := s.byID[reference]; ok && o.Provider == method {
		return o.ID, true
	}
	return "", false
}

func (o *Order) clone() Order {
	c := *o
	c.Events = append([]string(nil), o.Events...)
	return c
}

// newID returns 16 random bytes as hex: order ids appear in URLs, so they must not be
// guessable.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
