package provider

import (
	"context"
	"iter"
	"time"

	"github.com/paybridge/paybridge/money"
)

// LedgerRequest selects the entries of a provider's ledger for reconciliation.
type LedgerRequest struct {
	// From and To bound the entries' times: From <= Time < To. Both are required.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Currency, when set, keeps only entries in that currency.
	Currency money.Currency `json:"currency,omitzero"`
}

// LedgerKind says what moved money in a ledger entry.
type LedgerKind string

// Ledger entry kinds.
const (
	// LedgerPayment: a pay-in (a payment, a capture of one, or a charge under a mandate).
	LedgerPayment LedgerKind = "payment"
	// LedgerRefund: money returned to a payer.
	LedgerRefund LedgerKind = "refund"
	// LedgerPayout: money sent to an account.
	LedgerPayout LedgerKind = "payout"
	// LedgerFee: the provider's fee, on its own row.
	LedgerFee LedgerKind = "fee"
	// LedgerOther: any other movement (a settlement to the merchant's bank, a reversal,
	// an adjustment); ProviderKind says which.
	LedgerOther LedgerKind = "other"
)

// LedgerEntry is one movement on the provider's books.
type LedgerEntry struct {
	Kind LedgerKind `json:"kind"`
	// ProviderKind is the provider's own name for the movement, unmapped.
	ProviderKind string `json:"providerKind,omitempty"`
	// Amount is signed as it changes the merchant's balance: pay-ins positive; refunds,
	// payouts and fees negative.
	Amount money.Amount `json:"amount"`
	// Fee is the provider's fee on this movement when the provider reports it beside the
	// amount (zero Amount when unknown or on a row of its own, LedgerFee).
	Fee money.Amount `json:"fee,omitzero"`
	// ProviderID is the provider's id of the object (payment, refund, payout), as the
	// Gateway's calls returned it.
	ProviderID string `json:"providerId,omitempty"`
	// Reference is the merchant reference the call sent, when the provider reports it.
	Reference string `json:"reference,omitempty"`
	// Time is when the movement was booked.
	Time time.Time `json:"time"`
}

// Ledgerer is implemented by providers that list the movements on the merchant's account,
// for reconciliation.
type Ledgerer interface {
	// Ledger returns the entries between req.From and req.To, oldest first as far as the
	// provider orders them, reading page by page as the caller iterates. An error ends the
	// sequence.
	Ledger(ctx context.Context, req *LedgerRequest) iter.Seq2[*LedgerEntry, error]
}
