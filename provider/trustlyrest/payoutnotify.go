package trustlyrest

import (
	"context"
	"fmt"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// fillDisbursement maps a notification about a Disbursement authorization, read back from
// Trustly with the merchant's credentials (the notification's merchantReference is not
// trusted: re-encoding a separator merges fields without breaking the signature).
//
// The authorization of an interactive payout (see isPayoutAuthorization) is the payout's:
// its events carry PayoutID. Authorized, the adapter deposits the payout's amount (see
// depositPayout) before the notification is passed on, as notify.Other; failed, denied,
// expired, canceled or voided, it is payout.failed — unless its deposit exists, which then
// decides the payout: notify.Other. Any other Disbursement authorization
// is a verification VerifyAccount made (account.verified, account.failed).
func (c *Client) fillDisbursement(ctx context.Context, w *webhook, ev *notify.Event) error {
	auth, err := c.getTransaction(ctx, w.objectID)
	if err != nil {
		return fmt.Errorf("trustlyrest: reading the notification's authorization: %w", err)
	}
	if !isPayoutAuthorization(auth) {
		ev.AccountID, ev.VerificationID = w.objectID, w.objectID
		return nil
	}
	amount, err := auth.amount(money.Currency{})
	if err != nil {
		return fmt.Errorf("trustlyrest: reading the payout's authorization: %w", err)
	}
	ev.PayoutID, ev.Amount, ev.MerchantReference = auth.id(), amount, callerReference(auth.reference())
	switch statusOf(w.status).verify {
	case provider.VerificationFailed:
		// Once its deposit exists the deposit decides, as in payoutOfAuth: an authorization
		// voided or expired after the deposit was made does not undo money paid out, and
		// the deposit's own notifications report the payout.
		dep, err := c.findChild(ctx, auth.id(), typeDeposit, depositReference(auth.reference()), false)
		if err != nil {
			return fmt.Errorf("trustlyrest: looking for the payout's deposit: %w", err)
		}
		if dep != nil {
			ev.Kind = notify.Other
			ev.ProviderStatus += "; deposit " + dep.id() + " " + rawStatus(int(dep.Status), dep.StatusMessage) + " decides the payout"
			return nil
		}
		ev.Kind = notify.PayoutFailed
		return nil
	case provider.VerificationVerified:
	default:
		ev.Kind = notify.Other
		return nil
	}
	ev.Kind, ev.AccountID = notify.Other, auth.id()
	if int(auth.Status) != statusAuthorized {
		// Moved on since (voided, say): its own notification says so.
		ev.ProviderStatus += "; the authorization is now " + rawStatus(int(auth.Status), auth.StatusMessage)
		return nil
	}
	want, ours, err := recordedPayout(ctx, auth)
	if err != nil {
		// The journal's failure, not the notification's: Trustly is to deliver it again.
		return fmt.Errorf("trustlyrest: reading the Gateway's record of the payout: %w: %w", notify.ErrRetryLater, err)
	}
	if !ours || (want.IsValid() && !want.Equal(amount)) {
		// Made with this merchant's credentials but by no Payout call the Gateway
		// recorded, or for another amount than the call's: nothing is deposited, and
		// the event names no payout of ours.
		ev.PayoutID = ""
		ev.ProviderStatus += "; no Payout call of this amount recorded for this authorization: no deposit made"
		return nil
	}
	dep, err := c.depositPayout(ctx, auth, w.splitToken, want)
	switch {
	case err == nil:
		ev.ProviderStatus += "; deposit " + dep.id() + " " + rawStatus(int(dep.Status), dep.StatusMessage)
		return nil
	case provider.CodeOf(err).Retryable() || ctx.Err() != nil:
		return fmt.Errorf("trustlyrest: depositing payout %s after its authorization: %w", auth.id(), err)
	case !isRefusal(err):
		return fmt.Errorf("trustlyrest: depositing payout %s after its authorization: %w: %w", auth.id(), notify.ErrRetryLater, err)
	}
	// Trustly refused the deposit for good: void the authorization, so that GetPayout
	// reads the payout canceled too, and report it failed.
	if _, cerr := c.voidAuthorization(ctx, auth, signing.Form{{Key: "message", Value: "payout deposit refused"}}); cerr != nil {
		return fmt.Errorf("trustlyrest: voiding payout %s after Trustly refused its deposit (%w): %w: %w", auth.id(), err, notify.ErrRetryLater, cerr)
	}
	ev.Kind = notify.PayoutFailed
	ev.ProviderStatus += "; deposit refused: " + strings.TrimSpace(err.Error())
	return nil
}

// recordedPayout returns the amount the Gateway recorded for the Payout call that
// established auth, and whether one did. Without the Gateway's record (the adapter used on
// its own, provider.CallsFrom nil) the authorization's merchantReference, which only
// Payout sends, is the proof, and want is the zero Amount.
func recordedPayout(ctx context.Context, auth *wireTransaction) (want money.Amount, ours bool, err error) {
	calls := provider.CallsFrom(ctx)
	if calls == nil {
		return money.Amount{}, true, nil
	}
	made := func(cl provider.Call) bool {
		return cl.Op == provider.OpPayout && InteractivePayoutReference(cl.Reference, cl.Key) == auth.reference() &&
			(cl.ProviderID == "" || cl.ProviderID == auth.id())
	}
	if cl, ok, err := calls.ByProviderID(ctx, auth.id()); err != nil {
		return money.Amount{}, false, err
	} else if ok {
		return cl.Amount, made(cl), nil
	}
	// The Payout's answer is not recorded yet: the call that sent the reference.
	found, err := calls.ByReference(ctx, callerReference(auth.reference()))
	if err != nil {
		return money.Amount{}, false, err
	}
	for _, cl := range found {
		if made(cl) {
			return cl.Amount, true, nil
		}
	}
	return money.Amount{}, false, nil
}

// fillPayoutDeposit maps a notification about the deposit of an interactive payout, read
// back from Trustly: the event names the payout by its authorization's id (PayoutID and
// AccountID), with the deposit's amount. A deposit that is not one reads as any deposit.
func (c *Client) fillPayoutDeposit(ctx context.Context, w *webhook, ev *notify.Event) error {
	t, err := c.getTransaction(ctx, w.objectID)
	if err != nil {
		return fmt.Errorf("trustlyrest: reading the notification's deposit: %w", err)
	}
	parent := string(t.OriginalTransactionID)
	if !validID(parent) {
		return fmt.Errorf("%w: transaction %s has no parent", ErrMalformedNotification, quoteShort(w.objectID))
	}
	ev.AccountID = parent
	if !isPayoutDeposit(t) {
		ev.PayoutID = w.objectID
		return nil
	}
	ev.PayoutID, ev.MerchantReference = parent, callerReference(t.reference())
	if a, err := t.amount(money.Currency{}); err == nil {
		ev.Amount = a
	}
	return nil
}
