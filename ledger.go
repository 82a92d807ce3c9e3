package paybridge

import (
	"context"
	"iter"

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
		ctx, start := g.open(ctx, op)
		err = g.finish(ctx, op, "", start, err)
		return func(yield func(*LedgerEntry, error) bool) { yield(nil, err) }
	}
	if err := g.begin(op, provider.OpLedger, ""); err != nil {
		return fail(err)
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
		return fail(g.invalid(op, "", fields...))
	}
	// The call, and its span, begin when the caller starts iterating: the adapter
	// reads the pages then, with the span's context.
	return func(yield func(*LedgerEntry, error) bool) {
		ctx, start := g.open(ctx, op)
		for e, err := range g.p.(provider.Ledgerer).Ledger(ctx, &req) {
			if err != nil {
				yield(nil, g.finish(ctx, op, "", start, err))
				return
			}
			if !yield(e, nil) {
				_ = g.finish(ctx, op, "", start, nil)
				return
			}
		}
		_ = g.finish(ctx, op, "", start, nil)
	}
}
