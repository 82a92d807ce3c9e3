package paybridge

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// ownEvent lets a verified event through only when it concerns a call this merchant made
// through a Gateway sharing the journal, and agrees with what was recorded for it.
//
// Providers may sign every merchant's notifications with one key (Trustly JSON-RPC does),
// so a valid signature says nothing about whose order an event concerns. The event is
// matched by the provider's id of the object, or — while that id is not yet recorded, as
// when a notification overtakes the answer to the call — by the reference the call sent.
// Its amount must equal the recorded one. A refund event may also concern a payment of
// ours refunded outside paybridge (in the provider's portal). Events of the kinds no call
// through the Gateway makes (standing orders, identity verifications, bank data, Other)
// pass: the adapter confirms those with the provider, using the merchant's own
// credentials, before it returns them.
// Once matched, the provider's id is recorded, which settles a call whose answer was lost.
func (g *Gateway) ownEvent(ctx context.Context, e *notify.Event) error {
	var op provider.Operation
	var pid string
	switch e.Kind {
	case notify.PaymentPending, notify.PaymentAuthorized, notify.PaymentSucceeded, notify.PaymentFailed, notify.PaymentCanceled,
		notify.PaymentReversed, notify.PaymentIdentified, notify.PaymentDisputed:
		op, pid = provider.OpPay, e.PaymentID
	case notify.RefundSucceeded, notify.RefundFailed:
		op, pid = provider.OpRefund, e.RefundID
	case notify.PayoutSucceeded, notify.PayoutFailed, notify.PayoutRequested:
		op, pid = provider.OpPayout, e.PayoutID
	case notify.AccountVerified, notify.AccountFailed:
		op, pid = provider.OpVerifyAccount, e.VerificationID
	case notify.CaptureSucceeded, notify.CaptureFailed:
		op, pid = provider.OpCapture, e.CaptureID
	case notify.MandatePending, notify.MandateActive, notify.MandateFailed, notify.MandateCanceled:
		op, pid = provider.OpCreateMandate, e.MandateID
	default:
		return nil
	}
	ops := []provider.Operation{op}
	if op == provider.OpPay {
		ops = append(ops, provider.OpCharge) // a charge under a mandate creates a payment
	}
	parent := "" // the payment a refund or capture event says it acts on
	if op == provider.OpRefund || op == provider.OpCapture {
		parent = e.PaymentID
	}
	entry, found, err := g.findCall(ctx, ops, pid, e.MerchantReference, parent, e.Amount)
	if err != nil {
		return err
	}
	if !found && (op == provider.OpRefund || op == provider.OpCapture) && e.PaymentID != "" {
		// A refund or capture of a payment of ours whose own call is not found: made
		// outside paybridge, or its notification overtook the call's answer.
		return g.ownPaymentChild(ctx, e, op)
	}
	if !found {
		return fmt.Errorf("%w: no %s with id %q or reference %q was made by this merchant", notify.ErrNotOurs, op, pid, e.MerchantReference)
	}
	amount, attach := e.Amount, pid != "" && entry.ProviderID == ""
	if !amount.IsValid() && entry.Amount.IsValid() && entry.ProviderID == "" && pid != "" {
		// Matched by reference alone, and the event names no amount: read the object's.
		amount, err = g.amountOf(ctx, provider.Operation(entry.Op), pid)
		switch {
		case err != nil && provider.CodeOf(err) == provider.NotSupported && !movesMoney(e.Kind):
			// The provider cannot be asked, and the event reports that nothing moved (a
			// payment abandoned, a payout that failed): deliver it, but do not take its
			// unproved id for the call's.
			amount, attach = money.Amount{}, false
		case err != nil:
			return fmt.Errorf("%w: reading %s %q to check its amount: %w", notify.ErrRetryLater, op, pid, err)
		}
	}
	if amount.IsValid() && entry.Amount.IsValid() && !amount.Equal(entry.Amount) {
		return fmt.Errorf("%w: the provider reports %s for %s %q, which was made for %s", notify.ErrNotOurs, amount, op, pid, entry.Amount)
	}
	if attach {
		switch err := g.journal.Attach(ctx, entry.ID, pid); {
		case errors.Is(err, journal.ErrConflict):
			// Another id was recorded for the call, or this one for another call, since the
			// look-up: delivered again, the event is matched against what was recorded.
			return fmt.Errorf("%w: %s %q was recorded meanwhile as another call's, or the call matched by reference %q as another object's",
				notify.ErrRetryLater, op, pid, e.MerchantReference)
		case err != nil:
			return err
		}
	}
	return nil
}

// movesMoney reports whether an event of kind k says money moved (or was authorized to).
func movesMoney(k notify.Kind) bool {
	switch k {
	case notify.PaymentAuthorized, notify.PaymentSucceeded, notify.RefundSucceeded, notify.PayoutSucceeded, notify.CaptureSucceeded:
		return true
	}
	return false
}

// amountOf reads the amount of the provider's object pid of kind op.
func (g *Gateway) amountOf(ctx context.Context, op provider.Operation, pid string) (money.Amount, error) {
	switch op {
	case provider.OpPay, provider.OpCharge:
		p, err := g.p.GetPayment(ctx, pid)
		if err != nil {
			return money.Amount{}, err
		}
		return p.Amount, nil
	case provider.OpRefund:
		if rf, ok := g.p.(provider.Refunder); ok {
			r, err := rf.GetRefund(ctx, pid)
			if err != nil {
				return money.Amount{}, err
			}
			return r.Amount, nil
		}
	case provider.OpPayout:
		if po, ok := g.p.(provider.Payouter); ok {
			p, err := po.GetPayout(ctx, pid)
			if err != nil {
				return money.Amount{}, err
			}
			return p.Amount, nil
		}
	case provider.OpCapture:
		if cp, ok := g.p.(provider.Capturer); ok {
			c, err := cp.GetCapture(ctx, pid)
			if err != nil {
				return money.Amount{}, err
			}
			return c.Amount, nil
		}
	}
	return money.Amount{}, errors.New("the adapter cannot read it")
}

// ownPaymentChild accepts a refund or capture (op) event for a payment of ours that no
// recorded call of that kind matches: one made outside paybridge (in the provider's
// portal), or one whose notification arrived before its call's answer was recorded, when
// the call sent no reference of its own. Its amount must be within the payment's.
func (g *Gateway) ownPaymentChild(ctx context.Context, e *notify.Event, op provider.Operation) error {
	pay, found, err := g.findCall(ctx, []provider.Operation{provider.OpPay, provider.OpCharge}, e.PaymentID, "", "", money.Amount{})
	if err != nil {
		return err
	}
	if !found || pay.ProviderID != e.PaymentID {
		return fmt.Errorf("%w: a %s of payment %q, which this merchant did not make", notify.ErrNotOurs, op, e.PaymentID)
	}
	if e.Amount.IsValid() && pay.Amount.IsValid() {
		if c, err := e.Amount.Cmp(pay.Amount); err != nil || c > 0 {
			return fmt.Errorf("%w: a %s of %s reported for payment %q of %s", notify.ErrNotOurs, op, e.Amount, e.PaymentID, pay.Amount)
		}
	}
	return nil
}

// findCall finds the recorded call of one of the kinds ops by the provider's id of its
// object, or, among calls whose provider id is not known yet, by the reference it sent:
// the newest one the provider did not refuse (a refused call created nothing) whose
// amount is the event's, when the event names one.
func (g *Gateway) findCall(ctx context.Context, ops []provider.Operation, pid, ref, parent string, amount money.Amount) (journal.Entry, bool, error) {
	// A call recorded as acting on one object (a refund's payment) is not the one an event
	// about another object's refund reports, whatever its reference.
	otherParent := func(e journal.Entry) bool { return parent != "" && e.Parent != "" && e.Parent != parent }
	if pid != "" {
		e, err := g.journal.FindByProviderID(ctx, g.scope, pid)
		switch {
		case err == nil:
			return e, slices.Contains(ops, provider.Operation(e.Op)) && !otherParent(e), nil
		case !errors.Is(err, journal.ErrNotFound):
			return journal.Entry{}, false, err
		}
	}
	if ref == "" {
		return journal.Entry{}, false, nil
	}
	entries, err := g.journal.FindByReference(ctx, g.scope, ref)
	if err != nil {
		return journal.Entry{}, false, err
	}
	for _, e := range entries {
		// An entry whose provider id is pid was recorded after the look-up by id above
		// (the call's answer arrived meanwhile, possibly in another process): it matches.
		if !slices.Contains(ops, provider.Operation(e.Op)) || e.State == journal.Failed || otherParent(e) ||
			amount.IsValid() && e.Amount.IsValid() && !amount.Equal(e.Amount) {
			continue
		}
		if e.ProviderID == "" || pid == "" || e.ProviderID == pid {
			return e, true, nil
		}
	}
	return journal.Entry{}, false, nil
}
