package memprovider

import (
	"context"
	"errors"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// EndUser acts on the Backend's hosted pages as a buyer or account holder would. It
// implements the conformance suite's EndUser.
type EndUser struct{ b *Backend }

// EndUser returns an EndUser for the Backend's hosted pages.
func (b *Backend) EndUser() *EndUser { return &EndUser{b: b} }

// ErrPageNotActive is returned when a hosted page has already been completed.
var ErrPageNotActive = errors.New("memprovider: the hosted page is no longer active")

// ErrUnknownPage is returned for a URL that is not one of the Backend's hosted pages.
var ErrUnknownPage = errors.New("memprovider: not a hosted page of this backend")

// Approve pays a payment (authorizes one made with CaptureManual), approves a mandate,
// confirms an account verification, or chooses the account of an interactive payout, at
// redirectURL. An interactive verification confirms the test account
// GB33BUKB20201555555555; an interactive payout is then paid.
func (e *EndUser) Approve(ctx context.Context, redirectURL string) error {
	return e.act(ctx, redirectURL, "approve")
}

// Decline refuses the payment, mandate, verification or interactive payout at
// redirectURL, as a bank would.
func (e *EndUser) Decline(ctx context.Context, redirectURL string) error {
	return e.act(ctx, redirectURL, "decline")
}

// Abandon leaves the page at redirectURL without finishing.
func (e *EndUser) Abandon(ctx context.Context, redirectURL string) error {
	return e.act(ctx, redirectURL, "abandon")
}

func (e *EndUser) act(ctx context.Context, redirectURL, action string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := e.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if id, ok := hostedID(redirectURL, "pay"); ok {
		pm, ok := b.payments[id]
		if !ok {
			return ErrUnknownPage
		}
		if pm.p.Status != provider.PaymentRequiresAction {
			return ErrPageNotActive
		}
		ev := notify.Event{PaymentID: id, MerchantReference: pm.p.MerchantReference, Amount: pm.p.Amount}
		switch action {
		case "approve":
			if pm.manual { // authorized only: Capture takes the money
				pm.p.Status, pm.p.ProviderStatus, ev.Kind = provider.PaymentAuthorized, "authorized", notify.PaymentAuthorized
				pm.detail.AuthorizedAt = b.now()
				break
			}
			pm.p.Status, pm.p.ProviderStatus, ev.Kind = provider.PaymentSucceeded, "paid", notify.PaymentSucceeded
			bal, _ := b.balanceLocked(pm.p.Amount.Currency()).Add(pm.p.Amount)
			b.balance[pm.p.Amount.Currency()] = bal
			b.bookLocked(provider.LedgerPayment, "payment", pm.p.Amount, pm.p.ID, pm.p.MerchantReference)
		case "decline":
			pm.p.Status, pm.p.ProviderStatus, ev.Kind = provider.PaymentDeclined, "declined_by_bank", notify.PaymentFailed
		default:
			pm.p.Status, pm.p.ProviderStatus, ev.Kind = provider.PaymentCanceled, "abandoned", notify.PaymentCanceled
		}
		pm.p.RedirectURL = ""
		pm.p.UpdatedAt = b.now()
		ev.ProviderStatus = pm.p.ProviderStatus
		b.notifyLocked(pm.notifyURL, ev)
		return nil
	}
	if id, ok := hostedID(redirectURL, "mandate"); ok {
		md, ok := b.mandates[id]
		if !ok {
			return ErrUnknownPage
		}
		if md.m.Status != provider.MandateRequiresAction {
			return ErrPageNotActive
		}
		b.actOnMandateLocked(md, action)
		return nil
	}
	if id, ok := hostedID(redirectURL, "payout"); ok {
		po, ok := b.payouts[id]
		if !ok {
			return ErrUnknownPage
		}
		if _, waiting := b.payoutPages[id]; !waiting {
			return ErrPageNotActive
		}
		b.actOnPayoutLocked(po, action)
		return nil
	}
	if id, ok := hostedID(redirectURL, "verify"); ok {
		v, ok := b.verifs[id]
		if !ok {
			return ErrUnknownPage
		}
		if v.v.Status != provider.VerificationRequiresAction {
			return ErrPageNotActive
		}
		ev := notify.Event{}
		switch action {
		case "approve":
			settleVerification(v, provider.BankAccount{IBAN: "GB33BUKB20201555555555"})
			ev.Kind = notify.AccountVerified
		case "decline":
			v.v.Status, v.v.ProviderStatus, v.v.RedirectURL = provider.VerificationFailed, "declined_by_bank", ""
			ev.Kind = notify.AccountFailed
		default:
			v.v.Status, v.v.ProviderStatus, v.v.RedirectURL = provider.VerificationFailed, "abandoned", ""
			ev.Kind = notify.AccountFailed
		}
		ev.AccountID, ev.VerificationID, ev.ProviderStatus = v.v.AccountID, v.v.ID, v.v.ProviderStatus
		b.notifyLocked(v.notifyURL, ev)
		return nil
	}
	return ErrUnknownPage
}
