package paybridge

import (
	"context"

	"github.com/paybridge/paybridge/provider"
)

// CreateMandate asks a payer to approve, once, that you may charge their account later
// without them. Send the payer to the result's RedirectURL while its Status is
// MandateRequiresAction; the mandate can be charged once it is MandateActive (a
// notification or GetMandate says when). Calling it again with the same IdempotencyKey
// returns the same mandate.
func (g *Gateway) CreateMandate(ctx context.Context, req MandateRequest) (m *Mandate, err error) {
	const op = "CreateMandate"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	if err := g.begin(op, provider.OpCreateMandate, req.IdempotencyKey); err != nil {
		return nil, err
	}
	fields := g.checkRequest(&req)
	if req.Currency.IsZero() {
		fields = append(fields, FieldError{Field: "Currency", Problem: "is required"})
	}
	if req.Payer.ID == "" {
		fields = append(fields, FieldError{Field: "Payer.ID", Problem: "is required: the mandate is tied to your id for the payer"})
	}
	if req.MaxAmount.IsValid() {
		// A MaxAmount of 0.00 was set: it is refused, not read as the zero Amount's "no cap".
		fields = append(fields, checkAmount("MaxAmount", req.MaxAmount)...)
		if req.MaxAmount.Currency() != req.Currency {
			fields = append(fields, FieldError{Field: "MaxAmount", Problem: "must be in the mandate's Currency"})
		}
	}
	if len(fields) > 0 {
		return nil, g.invalid(op, req.IdempotencyKey, fields...)
	}
	if err := g.checkCurrency(op, req.IdempotencyKey, req.Currency); err != nil {
		return nil, err
	}
	if req.CancelURL == "" {
		req.CancelURL = req.ReturnURL
	}
	mm := g.p.(provider.MandateManager)
	return write(ctx, g, start, writeCall[Mandate]{op: op, need: provider.OpCreateMandate, key: req.IdempotencyKey, req: &req,
		send:  func(ctx context.Context) (*Mandate, error) { return mm.CreateMandate(g.withCalls(ctx), &req) },
		facts: func(m *Mandate) written { return written{id: m.ID, provider: &m.Provider, key: &m.IdempotencyKey} },
		get:   g.mandateGetter(),
	})
}

// mandateGetter returns the adapter's GetMandate where the provider offers it, to settle
// an uncertain call.
func (g *Gateway) mandateGetter() func(context.Context, string) (*Mandate, error) {
	if !g.caps.Supports(provider.OpGetMandate) {
		return nil
	}
	mm := g.p.(provider.MandateManager)
	return func(ctx context.Context, id string) (*Mandate, error) { return mm.GetMandate(g.withCalls(ctx), id) }
}

// withCalls offers the adapter the Gateway's record of calls (provider.CallsFrom) for a
// mandate operation: a provider may name the account to charge only in a notification
// (Trustly JSON-RPC's account notification), which the adapter records as a mark while
// verifying it and reads back here.
func (g *Gateway) withCalls(ctx context.Context) context.Context {
	return provider.WithCalls(ctx, calls{g})
}

// GetMandate returns a mandate's current state.
func (g *Gateway) GetMandate(ctx context.Context, id string) (m *Mandate, err error) {
	const op = "GetMandate"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	return fetch(ctx, g, start, op, provider.OpGetMandate, id,
		func() (*Mandate, error) { return g.p.(provider.MandateManager).GetMandate(g.withCalls(ctx), id) },
		func(m *Mandate) *string { return &m.Provider })
}

// Charge collects money under an active mandate, without the payer. The result is a
// Payment, usually PaymentPending, that GetPayment and payment notifications follow like
// any other. Charging a mandate that is not active returns an InvalidRequest error.
// Calling Charge again with the same IdempotencyKey never charges twice.
func (g *Gateway) Charge(ctx context.Context, req ChargeRequest) (p *Payment, err error) {
	const op = "Charge"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	if err := g.checkWrite(op, provider.OpCharge, req.IdempotencyKey, req.Amount, &req); err != nil {
		return nil, err
	}
	mm := g.p.(provider.MandateManager)
	return write(ctx, g, start, writeCall[Payment]{op: op, need: provider.OpCharge, key: req.IdempotencyKey, amount: req.Amount, req: &req,
		send:  func(ctx context.Context) (*Payment, error) { return mm.Charge(g.withCalls(ctx), &req) },
		facts: func(p *Payment) written { return written{p.ID, p.Amount, &p.Provider, &p.IdempotencyKey} },
		get:   g.p.GetPayment,
	})
}

// CancelMandate cancels a mandate so that later charges are refused, and returns it,
// MandateCanceled. Charges already accepted go on. Calling it again with the same
// IdempotencyKey returns the same answer.
func (g *Gateway) CancelMandate(ctx context.Context, req CancelMandateRequest) (m *Mandate, err error) {
	const op = "CancelMandate"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	if err := g.checkCall(op, provider.OpCancelMandate, req.IdempotencyKey, &req); err != nil {
		return nil, err
	}
	mm := g.p.(provider.MandateManager)
	return write(ctx, g, start, writeCall[Mandate]{op: op, need: provider.OpCancelMandate, key: req.IdempotencyKey, req: &req, onParent: true,
		send:  func(ctx context.Context) (*Mandate, error) { return mm.CancelMandate(g.withCalls(ctx), &req) },
		facts: func(m *Mandate) written { return written{id: m.ID, provider: &m.Provider} },
		get:   g.mandateGetter(),
	})
}
