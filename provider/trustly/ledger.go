package trustly

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// Ledger implements provider.Ledgerer over AccountLedger
// (https://eu.developers.trustly.com/doc/reference/accountledger), streamed as
// AccountLedger streams it: the rows wait in the report spool until the signature over
// the whole answer has verified, and are then handed out one at a time, never all in
// memory.
//
// AccountLedger selects whole dates, its ToDate excluded, and lists only settled
// transactions. Trustly does not say in which time zone the dates are counted (its
// datestamps carry an offset, +01 in its examples) [I], so the request asks for the day
// before req.From through the day after req.To, and the entries are kept by their
// datestamp: req.From <= Time < req.To.
//
// Each row becomes an entry: ProviderID is the orderid (a deposit's, a charge's, a
// payout's; a refund's row carries its deposit's orderid), Reference the messageid,
// Amount as Trustly signs it (pay-ins positive; refunds, payouts and fees negative). Kind
// comes from the accountname and the transactiontype, which Trustly documents as free
// text [I]: an accountname starting TRANSACTION_FEE_ is a fee (on its own row, with the
// orderid of the order it was charged for); otherwise a transactiontype naming a refund
// is LedgerRefund, a payout or withdrawal LedgerPayout, a deposit or charge
// LedgerPayment, and anything else LedgerOther. ProviderKind is the fee row's
// accountname, else the transactiontype.
func (c *Client) Ledger(ctx context.Context, req *provider.LedgerRequest) iter.Seq2[*provider.LedgerEntry, error] {
	return func(yield func(*provider.LedgerEntry, error) bool) {
		if !req.To.After(req.From) {
			yield(nil, provider.FieldError("To", "must be after From"))
			return
		}
		const day = 24 * time.Hour
		from := req.From.UTC().Truncate(day).Add(-day)
		to := req.To.UTC().Truncate(day).Add(2 * day)
		cur := ""
		if !req.Currency.IsZero() {
			cur = req.Currency.String()
		}
		for row, err := range c.AccountLedger(ctx, from, to, cur) {
			if err != nil {
				yield(nil, err)
				return
			}
			e, err := ledgerEntry(&row)
			if err != nil {
				yield(nil, err)
				return
			}
			if e.Time.Before(req.From) || !e.Time.Before(req.To) {
				continue
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// ledgerEntry reads one AccountLedger row.
func ledgerEntry(r *LedgerEntry) (*provider.LedgerEntry, error) {
	at := parseTimestamp(r.Datestamp)
	if at.IsZero() {
		return nil, &provider.Error{Code: provider.Internal, Message: "Trustly's AccountLedger row of order " + r.OrderID +
			" has a datestamp this adapter cannot read"}
	}
	cur, err := money.ParseCurrency(r.Currency)
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "Trustly's AccountLedger row of order " + r.OrderID +
			" has an unknown currency", Err: err}
	}
	amount, err := money.FromDecimal(r.Amount, cur)
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "Trustly's AccountLedger row of order " + r.OrderID +
			" has an amount finer than its currency's minor unit", Err: err}
	}
	kind, providerKind := ledgerKind(r.AccountName, r.TransactionType)
	return &provider.LedgerEntry{Kind: kind, ProviderKind: providerKind, Amount: amount, ProviderID: r.OrderID,
		Reference: r.MessageID, Time: at}, nil
}

// ledgerKind maps an AccountLedger row's accountname and transactiontype to a kind.
func ledgerKind(accountName, transactionType string) (provider.LedgerKind, string) {
	if strings.HasPrefix(strings.ToUpper(accountName), "TRANSACTION_FEE_") {
		return provider.LedgerFee, accountName
	}
	t := strings.ToLower(transactionType)
	switch {
	case strings.Contains(t, "refund"):
		return provider.LedgerRefund, transactionType
	case strings.Contains(t, "payout"), strings.Contains(t, "withdraw"):
		return provider.LedgerPayout, transactionType
	case strings.Contains(t, "deposit"), strings.Contains(t, "charge"):
		return provider.LedgerPayment, transactionType
	}
	return provider.LedgerOther, transactionType
}
