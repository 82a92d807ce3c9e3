package trustlyrest

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/money"
)

// maxPageSize is the largest page asked for. count defaults to 25 and goes up to 100 by the
// current reference (https://amer.developers.trustly.com/payments/reference/intro), but an
// older page caps it at 25, so larger pages are never relied on
// (https://amer.developers.trustly.com/payments/docs/reference-pagination-filtering).
const (
	defaultPageSize = 25
	maxPageSize     = 25
)

// Transaction is a Trustly transaction as the adapter reads it. It is also the Detail of
// the adapter's results (Payment, Capture, Refund, Payout, Mandate, AccountVerification),
// reached through their As methods with a **Transaction target.
type Transaction struct {
	// ID is the transactionId.
	ID string
	// Type is the numeric transactionType (1 Authorize, 2 Pay, 3 Capture, 4 Refund,
	// 6 Deposit, ...).
	Type int
	// PaymentType is the numeric payment type of the transaction's payment (2 Deferred,
	// 4 Disbursement, ...), or -1.
	PaymentType int
	// OriginalTransactionID is the parent transaction (the authorization of a capture, the
	// capture of a refund).
	OriginalTransactionID string
	// MerchantReference is the transaction's merchantReference as sent to Trustly.
	MerchantReference string
	// Status is the numeric status and StatusMessage Trustly's text for it.
	Status        int
	StatusMessage string
	// Amount is the transaction's amount; Refunded what has been refunded from it; Fee
	// Trustly's fee on it, when the transaction carries one (zero Amount otherwise).
	Amount   money.Amount
	Refunded money.Amount
	Fee      money.Amount
	// CreatedAt and UpdatedAt are Trustly's timestamps.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TransactionFilter selects transactions with GET /transactions. Empty fields do not filter.
type TransactionFilter struct {
	// OriginalTransactionID selects the children of a transaction.
	OriginalTransactionID string
	// PaymentMerchantReference selects the transactions of the payment established with this
	// merchantReference (Trustly's payment.merchantReference filter).
	PaymentMerchantReference string
	// Types selects transaction types.
	Types []int
	// PageSize is the count per request (default and most 25: one of Trustly's pages caps
	// count at 25; see maxPageSize).
	PageSize int
}

// Transactions iterates over the transactions matching f, fetching pages with count and
// startIndex until a page comes back short (Trustly reports no total). A transaction
// listed on two pages is yielded once, and a full page that brings no transaction not
// listed before (from a server that ignores startIndex) is an Internal error, never read
// again and again. The iteration stops at the first error, which it yields.
func (c *Client) Transactions(ctx context.Context, f TransactionFilter) iter.Seq2[*Transaction, error] {
	return func(yield func(*Transaction, error) bool) {
		for t, err := range c.transactions(ctx, f) {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(exportTransaction(t), nil) {
				return
			}
		}
	}
}

func exportTransaction(t *wireTransaction) *Transaction {
	out := &Transaction{
		ID: t.id(), Type: int(t.TransactionType), PaymentType: t.paymentType(),
		OriginalTransactionID: string(t.OriginalTransactionID), MerchantReference: t.reference(),
		Status: int(t.Status), StatusMessage: t.StatusMessage,
		CreatedAt: t.CreatedAt.Time(), UpdatedAt: t.UpdatedAt.Time(),
	}
	out.Amount, _ = t.amount(money.Currency{})
	if t.Refunded != "" {
		out.Refunded, _ = parseAmount(string(t.Refunded), t.currency(), money.Currency{})
	}
	if t.Fee != "" {
		out.Fee, _ = parseAmount(string(t.Fee), t.currency(), money.Currency{})
	}
	return out
}

// transactions pages through GET /transactions, in Trustly's order, until a page comes
// back shorter than the count asked for. A transaction listed twice is read once.
func (c *Client) transactions(ctx context.Context, f TransactionFilter) iter.Seq2[*wireTransaction, error] {
	return func(yield func(*wireTransaction, error) bool) {
		size := pageSize(f.PageSize, maxPageSize)
		q := url.Values{}
		if f.OriginalTransactionID != "" {
			q.Set("originalTransactionId", f.OriginalTransactionID)
		}
		if f.PaymentMerchantReference != "" {
			q.Set("payment.merchantReference", f.PaymentMerchantReference)
		}
		for _, t := range f.Types {
			q.Add("transactionType", strconv.Itoa(t))
		}
		q.Set("count", strconv.Itoa(size))
		fetch := func(ctx context.Context, start int) ([]*wireTransaction, bool, error) {
			raw, err := c.getPage(ctx, "/transactions", q, start)
			if err != nil {
				return nil, false, err
			}
			page, err := decodeList[wireTransaction](raw, "transactions", "transaction")
			return page, len(page) >= size, err
		}
		keep := func(t *wireTransaction) (*wireTransaction, bool, error) { return t, true, nil }
		pageList(ctx, "transactions", fetch, (*wireTransaction).id, keep)(yield)
	}
}

// findChild returns the child of parent with the given type and merchantReference, or nil.
// It uses only documented filters (originalTransactionId, transactionType) and matches the
// reference itself. With anyRef, a child with another reference that was not voided or
// canceled is returned when none has ref.
func (c *Client) findChild(ctx context.Context, parent string, typ int, ref string, anyRef bool) (*wireTransaction, error) {
	var fallback *wireTransaction
	for t, err := range c.transactions(ctx, TransactionFilter{OriginalTransactionID: parent, Types: []int{typ}}) {
		if err != nil {
			return nil, err
		}
		if int(t.TransactionType) != typ || string(t.OriginalTransactionID) != parent {
			continue // a server that ignores a filter must not mislead us
		}
		if ref != "" && t.MerchantReference == ref {
			return t, nil
		}
		if anyRef && fallback == nil && int(t.Status) != statusVoided && int(t.Status) != statusCanceled {
			fallback = t
		}
	}
	return fallback, nil
}
