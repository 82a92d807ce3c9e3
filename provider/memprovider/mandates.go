package memprovider

import (
	"context"
	"maps"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// mandate is a mandate as the Backend keeps it.
type mandate struct {
	m         provider.Mandate
	notifyURL string
	detail    MandateDetail
}

// result returns a copy of the mandate for a caller, with its Detail.
func (md *mandate) result() *provider.Mandate {
	out := md.m
	out.Detail = md.detail.clone()
	return &out
}

// CreateMandate implements provider.MandateManager. The mandate waits for the payer at
// its RedirectURL (MandateRequiresAction, "awaiting_payer"); the EndUser approves it
// (MandateActive, "active", with a mandate.active notification), declines it
// (MandateFailed, "declined_by_bank", mandate.failed) or abandons it (MandateCanceled,
// "abandoned", mandate.canceled).
func (p *Client) CreateMandate(ctx context.Context, req *provider.MandateRequest) (*provider.Mandate, error) {
	v, err := p.createMandate(ctx, req)
	return answer(p.b, v, err)
}

func (p *Client) createMandate(ctx context.Context, req *provider.MandateRequest) (*provider.Mandate, error) {
	if err := p.send(ctx, req.BeforeSend); err != nil {
		return nil, err
	}
	if req.Payer.ID == "" {
		return nil, provider.FieldError("Payer.ID", "is required")
	}
	if !req.MaxAmount.IsZero() && req.MaxAmount.Currency() != req.Currency {
		return nil, provider.FieldError("MaxAmount", "must be in the mandate's currency")
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.newID("md")
	fp := fingerprint(req.Payer.ID, req.Currency.String(), req.MaxAmount.String(), req.MerchantReference, req.ReturnURL)
	if prior, err := b.rememberLocked("mandate", req.IdempotencyKey, fp, id); err != nil {
		return nil, err
	} else if prior != "" {
		return b.mandates[prior].result(), nil
	}
	md := &mandate{
		m: provider.Mandate{ID: id, Provider: Name, Status: provider.MandateRequiresAction, ProviderStatus: "awaiting_payer",
			RedirectURL: HostedBase + "/mandate/" + id, Currency: req.Currency, MaxAmount: req.MaxAmount,
			MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey, CreatedAt: b.now()},
		notifyURL: req.NotificationURL,
		detail:    MandateDetail{Description: req.Description, Payer: req.Payer},
	}
	md.detail.Payer.Address = cloneAddress(req.Payer.Address)
	b.mandates[id] = md
	return md.result(), nil
}

// GetMandate implements provider.MandateManager.
func (p *Client) GetMandate(ctx context.Context, id string) (*provider.Mandate, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	return read(p.b, p.b.mandates, "mandate", id, (*mandate).result)
}

// Charge implements provider.MandateManager. The charge is a payment (Payment.MandateID
// set) that is PaymentPending ("charge_pending", with a payment.pending notification)
// until the payer's bank pays it, WithChargeDelay later: then PaymentSucceeded ("paid",
// payment.succeeded), booked as a movement. Both notifications carry the MandateID. The
// request's BeforeSend hook reaches a **PaymentOptions, kept in the payment's
// PaymentDetail (its PageTitle is refused: a charge has no page).
func (p *Client) Charge(ctx context.Context, req *provider.ChargeRequest) (*provider.Payment, error) {
	v, err := p.charge(ctx, req)
	return answer(p.b, v, err)
}

func (p *Client) charge(ctx context.Context, req *provider.ChargeRequest) (*provider.Payment, error) {
	opts := &PaymentOptions{}
	if err := p.send(ctx, req.BeforeSend, opts); err != nil {
		return nil, err
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if opts.PageTitle != "" {
		return nil, provider.FieldError("PaymentOptions.PageTitle", "has no page to show on: a charge is made without the payer")
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	md, ok := b.mandates[req.MandateID]
	if !ok {
		return nil, notFound("mandate", req.MandateID)
	}
	id := b.newID("pay")
	fp := fingerprint(req.MandateID, req.Amount.String(), req.MerchantReference)
	if prior, err := b.rememberLocked("charge", req.IdempotencyKey, fp, id); err != nil {
		return nil, err
	} else if prior != "" {
		return b.payments[prior].result(), nil
	}
	fail := func(field, pcode, msg string) error {
		delete(b.idem, "charge\x00"+req.IdempotencyKey)
		return &provider.Error{Code: provider.InvalidRequest, ProviderCode: pcode, Message: msg, Field: field, HTTPStatus: 400}
	}
	if md.m.Status != provider.MandateActive {
		return nil, fail("MandateID", "mandate_not_active", "only active mandates can be charged; this one is "+string(md.m.Status))
	}
	if req.Amount.Currency() != md.m.Currency {
		return nil, fail("Amount", "currency_mismatch", "the charge's currency differs from the mandate's")
	}
	if !md.m.MaxAmount.IsZero() {
		if c, _ := req.Amount.Cmp(md.m.MaxAmount); c > 0 {
			return nil, fail("Amount", "amount_exceeds_mandate", "the charge exceeds the mandate's limit of "+md.m.MaxAmount.String())
		}
	}
	now := b.now()
	pm := &payment{
		p: provider.Payment{ID: id, Provider: Name, Status: provider.PaymentPending, ProviderStatus: "charge_pending",
			Amount: req.Amount, Refunded: money.FromMinorCurrency(0, req.Amount.Currency()), MandateID: md.m.ID,
			MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey, CreatedAt: now, UpdatedAt: now},
		notifyURL: req.NotificationURL,
		detail: PaymentDetail{Options: *opts, Description: req.Description, Metadata: maps.Clone(req.Metadata),
			Payer: md.detail.Payer},
	}
	pm.detail.Payer.Address = cloneAddress(md.detail.Payer.Address)
	if pm.notifyURL == "" {
		pm.notifyURL = md.notifyURL
	}
	b.payments[id] = pm
	md.detail.ChargeIDs = append(md.detail.ChargeIDs, id)
	b.movements.Add(1)
	b.notifyLocked(pm.notifyURL, notify.Event{Kind: notify.PaymentPending, PaymentID: id, MandateID: md.m.ID,
		MerchantReference: req.MerchantReference, Amount: req.Amount, ProviderStatus: pm.p.ProviderStatus})
	b.wg.Add(1)
	go b.settleCharge(id)
	return pm.result(), nil
}

// settleCharge has the payer's bank pay a pending charge after the Backend's charge
// delay.
func (b *Backend) settleCharge(id string) {
	defer b.wg.Done()
	select {
	case <-b.ctx.Done():
		return
	case <-time.After(b.chargeWait):
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	pm := b.payments[id]
	if pm.p.Status != provider.PaymentPending {
		return
	}
	pm.p.Status, pm.p.ProviderStatus, pm.p.UpdatedAt = provider.PaymentSucceeded, "paid", b.now()
	cur := pm.p.Amount.Currency()
	bal, _ := b.balanceLocked(cur).Add(pm.p.Amount)
	b.balance[cur] = bal
	b.bookLocked(provider.LedgerPayment, "charge", pm.p.Amount, id, pm.p.MerchantReference)
	b.notifyLocked(pm.notifyURL, notify.Event{Kind: notify.PaymentSucceeded, PaymentID: id, MandateID: pm.p.MandateID,
		MerchantReference: pm.p.MerchantReference, Amount: pm.p.Amount, ProviderStatus: pm.p.ProviderStatus})
}

// CancelMandate implements provider.MandateManager: later charges are refused, charges
// already made go on. A mandate waiting for the payer is withdrawn (its page no longer
// works); one already canceled is returned as it is; a failed one is refused.
func (p *Client) CancelMandate(ctx context.Context, req *provider.CancelMandateRequest) (*provider.Mandate, error) {
	v, err := p.cancelMandate(ctx, req)
	return answer(p.b, v, err)
}

func (p *Client) cancelMandate(ctx context.Context, req *provider.CancelMandateRequest) (*provider.Mandate, error) {
	if err := p.send(ctx, req.BeforeSend); err != nil {
		return nil, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	md, ok := b.mandates[req.MandateID]
	if !ok {
		return nil, notFound("mandate", req.MandateID)
	}
	if prior, err := b.rememberLocked("cancel_mandate", req.IdempotencyKey, fingerprint(req.MandateID), md.m.ID); err != nil {
		return nil, err
	} else if prior != "" {
		return md.result(), nil
	}
	switch md.m.Status {
	case provider.MandateCanceled:
		return md.result(), nil
	case provider.MandateFailed:
		delete(b.idem, "cancel_mandate\x00"+req.IdempotencyKey)
		return nil, &provider.Error{Code: provider.InvalidRequest, ProviderCode: "mandate_failed",
			Message: "the mandate failed; there is nothing to cancel", Field: "MandateID", HTTPStatus: 400}
	}
	md.m.Status, md.m.ProviderStatus, md.m.RedirectURL = provider.MandateCanceled, "canceled_by_merchant", ""
	b.notifyLocked(md.notifyURL, notify.Event{Kind: notify.MandateCanceled, MandateID: md.m.ID,
		MerchantReference: md.m.MerchantReference, ProviderStatus: md.m.ProviderStatus})
	return md.result(), nil
}

// actOnMandateLocked is the EndUser's answer on a mandate's page; b.mu must be held.
func (b *Backend) actOnMandateLocked(md *mandate, action string) {
	ev := notify.Event{MandateID: md.m.ID, MerchantReference: md.m.MerchantReference}
	switch action {
	case "approve":
		md.m.Status, md.m.ProviderStatus, ev.Kind = provider.MandateActive, "active", notify.MandateActive
	case "decline":
		md.m.Status, md.m.ProviderStatus, ev.Kind = provider.MandateFailed, "declined_by_bank", notify.MandateFailed
	default:
		md.m.Status, md.m.ProviderStatus, ev.Kind = provider.MandateCanceled, "abandoned", notify.MandateCanceled
	}
	md.m.RedirectURL = ""
	ev.ProviderStatus = md.m.ProviderStatus
	b.notifyLocked(md.notifyURL, ev)
}
