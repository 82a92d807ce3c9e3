package memprovider

import (
	"context"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// Capture implements provider.Capturer. A payment made with CaptureManual is
// PaymentAuthorized once the payer approves; each capture takes part of it (ProviderStatus
// "partially_captured", still PaymentAuthorized, Payment.Captured the sum so far) until
// the whole amount is captured (PaymentSucceeded, "captured"). Each capture books a
// movement and sends capture.succeeded, and the last one payment.succeeded.
func (p *Client) Capture(ctx context.Context, req *provider.CaptureRequest) (*provider.Capture, error) {
	v, err := p.capture(ctx, req)
	return answer(p.b, v, err)
}

func (p *Client) capture(ctx context.Context, req *provider.CaptureRequest) (*provider.Capture, error) {
	if err := p.send(ctx, req.BeforeSend); err != nil {
		return nil, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	pm, ok := b.payments[req.PaymentID]
	if !ok {
		return nil, notFound("payment", req.PaymentID)
	}
	id := b.newID("cap")
	fp := fingerprint(req.PaymentID, req.Amount.String())
	if prior, err := b.rememberLocked("capture", req.IdempotencyKey, fp, id); err != nil {
		return nil, err
	} else if prior != "" {
		c := *b.captures[prior]
		return &c, nil
	}
	fail := func(field, pcode, msg string) error {
		delete(b.idem, "capture\x00"+req.IdempotencyKey)
		return &provider.Error{Code: provider.InvalidRequest, ProviderCode: pcode, Message: msg, Field: field, HTTPStatus: 400}
	}
	switch {
	case !pm.manual:
		return nil, fail("PaymentID", "not_manual_capture", "the payment was not made with manual capture; its money is taken when the payer approves")
	case pm.p.Status != provider.PaymentAuthorized:
		return nil, fail("PaymentID", "payment_not_authorized", "only authorized payments can be captured; this one is "+string(pm.p.Status))
	case req.Amount.Currency() != pm.p.Amount.Currency():
		return nil, fail("Amount", "currency_mismatch", "the capture's currency differs from the payment's")
	}
	after, err := pm.p.Captured.Add(req.Amount)
	if err != nil {
		return nil, fail("Amount", "amount_invalid", err.Error())
	}
	if c, _ := after.Cmp(pm.p.Amount); c > 0 {
		left, _ := pm.p.Amount.Sub(pm.p.Captured)
		return nil, fail("Amount", "amount_exceeds_authorized", "capture of "+req.Amount.String()+" exceeds the "+left.String()+" left to capture")
	}
	now := b.now()
	pm.p.Captured, pm.p.UpdatedAt = after, now
	pm.p.ProviderStatus = "partially_captured"
	cur := req.Amount.Currency()
	bal, _ := b.balanceLocked(cur).Add(req.Amount)
	b.balance[cur] = bal
	c := &provider.Capture{ID: id, Provider: Name, PaymentID: pm.p.ID, Status: provider.CaptureSucceeded,
		ProviderStatus: "captured", Amount: req.Amount, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: now}
	b.captures[id] = c
	pm.detail.CaptureIDs = append(pm.detail.CaptureIDs, id)
	b.movements.Add(1)
	b.bookLocked(provider.LedgerPayment, "capture", req.Amount, id, req.MerchantReference)
	b.notifyLocked(pm.notifyURL, notify.Event{Kind: notify.CaptureSucceeded, PaymentID: pm.p.ID, CaptureID: id,
		MerchantReference: req.MerchantReference, Amount: req.Amount, ProviderStatus: c.ProviderStatus})
	if after.Equal(pm.p.Amount) {
		pm.p.Status, pm.p.ProviderStatus = provider.PaymentSucceeded, "captured"
		b.notifyLocked(pm.notifyURL, notify.Event{Kind: notify.PaymentSucceeded, PaymentID: pm.p.ID,
			MerchantReference: pm.p.MerchantReference, Amount: pm.p.Amount, ProviderStatus: pm.p.ProviderStatus})
	}
	out := *c
	return &out, nil
}

// GetCapture implements provider.Capturer.
func (p *Client) GetCapture(ctx context.Context, id string) (*provider.Capture, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	return lookup(p.b, p.b.captures, "capture", id)
}

// Void implements provider.Capturer: the authorization of a payment made with
// CaptureManual is released and the payment becomes PaymentCanceled ("voided"), with a
// payment.canceled notification. A payment captured in part keeps what was captured
// (Payment.Captured, refundable); one captured in full is PaymentSucceeded and cannot be
// voided.
func (p *Client) Void(ctx context.Context, req *provider.VoidRequest) (*provider.Payment, error) {
	v, err := p.void(ctx, req)
	return answer(p.b, v, err)
}

func (p *Client) void(ctx context.Context, req *provider.VoidRequest) (*provider.Payment, error) {
	if err := p.send(ctx, req.BeforeSend); err != nil {
		return nil, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	pm, ok := b.payments[req.PaymentID]
	if !ok {
		return nil, notFound("payment", req.PaymentID)
	}
	if prior, err := b.rememberLocked("void", req.IdempotencyKey, fingerprint(req.PaymentID), pm.p.ID); err != nil {
		return nil, err
	} else if prior != "" {
		return pm.result(), nil
	}
	if !pm.manual || pm.p.Status != provider.PaymentAuthorized {
		delete(b.idem, "void\x00"+req.IdempotencyKey)
		msg := "only authorized payments can be voided; this one is " + string(pm.p.Status)
		if !pm.manual {
			msg = "the payment was not made with manual capture; refund it instead"
		}
		return nil, &provider.Error{Code: provider.InvalidRequest, ProviderCode: "payment_not_voidable", Message: msg,
			Field: "PaymentID", HTTPStatus: 400}
	}
	pm.p.Status, pm.p.ProviderStatus, pm.p.UpdatedAt = provider.PaymentCanceled, "voided", b.now()
	pm.detail.VoidReason = req.Reason
	b.notifyLocked(pm.notifyURL, notify.Event{Kind: notify.PaymentCanceled, PaymentID: pm.p.ID,
		MerchantReference: pm.p.MerchantReference, Amount: pm.p.Amount, ProviderStatus: pm.p.ProviderStatus})
	return pm.result(), nil
}
