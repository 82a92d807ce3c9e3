package paybridge

import (
	"context"

	"github.com/paybridge/paybridge/provider"
)

// Capture takes money from a payment made with Capture set to CaptureManual once the
// payer has authorized it (PaymentAuthorized): its whole amount, or part of it where
// Capabilities supports OpPartialCapture, more than once where it supports
// OpMultipleCaptures. A capture beyond what remains authorized, or of a payment that is
// not authorized, returns an InvalidRequest error. Calling Capture again with the same
// IdempotencyKey never captures twice.
func (g *Gateway) Capture(ctx context.Context, req CaptureRequest) (c *Capture, err error) {
	const op = "Capture"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	if err := g.checkWrite(op, provider.OpCapture, req.IdempotencyKey, req.Amount, &req); err != nil {
		return nil, err
	}
	cp := g.p.(provider.Capturer)
	return write(ctx, g, start, writeCall[Capture]{op: op, need: provider.OpCapture, key: req.IdempotencyKey, amount: req.Amount, req: &req,
		send:  func(ctx context.Context) (*Capture, error) { return cp.Capture(ctx, &req) },
		facts: func(c *Capture) written { return written{c.ID, c.Amount, &c.Provider, &c.IdempotencyKey} },
		get:   cp.GetCapture,
	})
}

// GetCapture returns a capture by the ID Capture returned.
func (g *Gateway) GetCapture(ctx context.Context, id string) (c *Capture, err error) {
	const op = "GetCapture"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	return fetch(ctx, g, start, op, provider.OpGetCapture, id,
		func() (*Capture, error) { return g.p.(provider.Capturer).GetCapture(ctx, id) },
		func(c *Capture) *string { return &c.Provider })
}

// Void releases the authorization of a payment made with CaptureManual that has not been
// captured in full, and returns the payment, PaymentCanceled; it can no longer be
// captured. Calling Void again with the same IdempotencyKey returns the same answer.
func (g *Gateway) Void(ctx context.Context, req VoidRequest) (p *Payment, err error) {
	const op = "Void"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	if err := g.checkCall(op, provider.OpVoid, req.IdempotencyKey, &req); err != nil {
		return nil, err
	}
	cp := g.p.(provider.Capturer)
	return write(ctx, g, start, writeCall[Payment]{op: op, need: provider.OpVoid, key: req.IdempotencyKey, req: &req, onParent: true,
		send:  func(ctx context.Context) (*Payment, error) { return cp.Void(ctx, &req) },
		facts: func(p *Payment) written { return written{id: p.ID, provider: &p.Provider} },
		get:   g.p.GetPayment,
	})
}
