package paybridge

import (
	"context"
	"iter"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// Ledger returns the movements on the merchant's account at the provider between
// req.From (included) and req.To (excluded), for reconciliation with the Gateway's
// journal (see the reconcile command of cmd/paybridge). It reads page by page as the
// caller iterates; an error ends the sequence, and a request the Gateway refuses
// (NotSupported, a bad time range) is the sequence's only element.
func (g *Gateway) Ledger(ctx context.Context, req LedgerRequest) iter.Seq2[*LedgerEntry, error] {
	const op = "Ledger"
	fail := func(err error) iter.Seq2[*LedgerEntry, error] {
		return func(yield func(*LedgerEntry, error) bool) { yield(nil, err) }
	}
	start := time.Now()
	if err := g.begin(op, provider.OpLedger, ""); err != nil {
		return fail(g.finish(ctx, op, "", start, err))
	}
	var fields []FieldError
	if req.From.IsZero() {
		fields = append(fields, FieldError{Field: "From", Problem: "is required"})
	}
	if req.To.IsZero() {
		fields = append(fields, FieldError{Field: "To", Problem: "is required"})
	} else if !req.To.After(req.From) {
		fields = append(fields, FieldError{Field: "To", Problem: "must be after From"})
	}
	if len(fields) > 0 {
		return fail(g.finish(ctx, op, "", start, g.invalid(op, "", fields...)))
	}
	entries := g.p.(provider.Ledgerer).Ledger(ctx, &req)
	return func(yield func(*LedgerEntry, error) bool) {
		for e, err := range entries {
			if err != nil {
				yield(nil, g.finish(ctx, op, "", start, err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		_ = g.finish(ctx, op, "", start, nil)
	}
}
