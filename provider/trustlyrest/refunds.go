package trustlyrest

import (
	"context"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// maxCancelMessage is the longest cancel message Trustly takes (the cancel operation of
// https://amer.developers.trustly.com/openapi.json).
const maxCancelMessage = 40

// Refund implements provider.Refunder with POST /transactions/{captureId}/refund. PaymentID
// is the payment's id from Pay, and the refund is taken from its capture; or the ID of a
// capture (Capture) or of a charge (Charge), refunded within what it took. A payment made
// with CaptureManual is refunded by its ID only while it has one capture; with several,
// name the capture. Partial and repeated refunds are allowed up to the captured amount.
// The BeforeSend hook reaches a *TransactionOptions; Refund.As a *Transaction.
//
// While the capture is not yet processed (status 0 or 1), Trustly's documentation advises a
// cancel instead: a refund of the whole captured amount is then made as POST
// /transactions/{captureId}/cancel, which voids the capture (status 13), and the Refund's ID
// is the capture's transactionId followed by "-void" (see VoidRefundID), an id of its own:
// the capture's transactionId is already the ID of the Capture (or Charge) call that made
// it, and the Gateway's journal keeps one call per provider id. GetRefund reads that form.
// If the cancel is refused, the adapter refunds. Reason
// becomes the cancel's message, cut to Trustly's 40 characters (never inside a character).
//
// Idempotency is the Gateway's journal: it answers a repeated call, serialises concurrent
// calls with one key, and settles a call whose answer was lost through Resolve. Trustly
// does not dedupe refunds (https://amer.developers.trustly.com/payments/docs/idempotency),
// so the adapter adds what protects a repeat that
// reaches it without the journal's record — another process with its own journal, or a
// journal that lost the entry: the refund's merchantReference is derived from the
// idempotency key (see the package documentation) and, before anything is sent, the
// capture's refunds are looked up by it; a refund found is returned instead of refunding
// twice. Two such calls at the same moment can both miss each other's refund and both
// refund: only a journal shared by every process (package journal/pgjournal) closes that
// window. A refund sent without an answer returns UnknownOutcome and is not looked up
// again here; the Gateway settles it.
//
// A capture already voided is this call's refund only when Trustly's data says so: when
// the capture carries the refund's merchantReference ([I] Trustly may keep the cancel's
// merchantReference on the transaction; its documentation does not say). Otherwise the
// call is refused — nothing is left to refund — or, when Resolve asks after a cancel whose
// answer was lost, the outcome stays unknown; it is never refunded again.
//
// Trustly's refund request carries no currency: the money moves in the payment's. A refund
// in another currency is refused before anything is sent.
func (c *Client) Refund(ctx context.Context, req *provider.RefundRequest) (*provider.Refund, error) {
	return c.refund(ctx, req, false)
}

// refund makes the refund req asks for. With lookOnly set it sends nothing: it returns the
// refund (or void) an earlier attempt with req's idempotency key made, errNoPrior when
// Trustly shows none, or UnknownOutcome when Trustly's data cannot tell.
func (c *Client) refund(ctx context.Context, req *provider.RefundRequest, lookOnly bool) (*provider.Refund, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	if len(req.Metadata) > 0 {
		return nil, provider.FieldError("Metadata", "has no place in a Trustly refund")
	}
	if !validID(req.PaymentID) {
		return nil, &provider.Error{Code: provider.NotFound, Field: "PaymentID", Message: "no Trustly payment has this id (ids are numeric)"}
	}
	auth, err := c.getTransaction(ctx, req.PaymentID)
	if err != nil {
		return nil, err
	}
	target, err := c.refundTarget(ctx, auth)
	if err != nil {
		return nil, err
	}
	captured, err := target.amount(currencyOf(auth))
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading the capture", Err: err}
	}
	if captured.Currency() != req.Amount.Currency() {
		return nil, provider.FieldError("Amount", "currency %s differs from the payment's %s; Trustly refunds in the payment's currency",
			req.Amount.Currency(), captured.Currency())
	}
	ref := reference("refund", req.MerchantReference, req.IdempotencyKey)
	if prior, err := c.findChild(ctx, target.id(), typeRefund, ref, false); err != nil {
		return nil, err
	} else if prior != nil {
		return c.refundFrom(prior, req.PaymentID, req, true)
	}
	st := int(target.Status)
	if st == statusVoided {
		whole := req.Amount.Equal(captured)
		switch {
		case whole && target.MerchantReference == ref:
			return c.voidAsRefund(target, req.PaymentID, req), nil
		case whole && lookOnly:
			// An earlier attempt may have been the cancel that voided it; Trustly's data
			// does not say whose cancel it was.
			return nil, &provider.Error{Code: provider.UnknownOutcome,
				Message: "the payment's capture is voided and Trustly does not show which call voided it; " +
					"check the capture in Trustly's portal and settle the call in the Gateway's journal"}
		}
		return nil, provider.FieldError("PaymentID", "the payment's capture is voided and Trustly does not show it was this call's "+
			"refund; nothing is left to refund")
	}
	if lookOnly {
		return nil, errNoPrior
	}
	if (st == statusNew || st == statusPending) && req.Amount.Equal(captured) {
		f, err := actionForm(req.BeforeSend, signing.Form{{Key: "merchantReference", Value: ref}},
			&TransactionOptions{Message: cutRunes(req.Reason, maxCancelMessage)})
		if err != nil {
			return nil, err
		}
		voided, err := c.postTransaction(ctx, "/transactions/"+target.id()+"/cancel", f)
		switch {
		case err == nil && int(voided.Status) == statusVoided:
			return c.voidAsRefund(voided, req.PaymentID, req), nil
		case err == nil:
			// Not voided: fall through to a refund, as the documentation advises.
		case !cancelRefused(err):
			// The cancel may have voided the capture (or the context ended): a refund
			// now could return the money twice, and its refusal would hide the void.
			return nil, err
		}
	}
	left, err := captured.Sub(refundedOf(target, captured))
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading the capture's refunded amount", Err: err}
	}
	if cmp, err := req.Amount.Cmp(left); err != nil || cmp > 0 {
		return nil, provider.FieldError("Amount", "exceeds the %s left to refund", left)
	}
	f, err := actionForm(req.BeforeSend, signing.Form{
		{Key: "amount", Value: req.Amount.Fixed()},
		{Key: "merchantReference", Value: ref},
	}, &TransactionOptions{})
	if err != nil {
		return nil, err
	}
	// An answer that was lost is not looked up here (see Refund): the Gateway settles it.
	refund, _, err := c.postChild(ctx, childPost{parent: target.id(), typ: typeRefund, ref: ref, recover: recoverNone}, f)
	if err != nil {
		return nil, err
	}
	return c.refundFrom(refund, req.PaymentID, req, false)
}

// cancelRefused reports whether err says Trustly refused a cancel, so that the capture
// stands and may be refunded instead.
func cancelRefused(err error) bool {
	switch provider.CodeOf(err) {
	case provider.InvalidRequest, provider.Unauthenticated, provider.PermissionDenied, provider.NotFound,
		provider.NotSupported, provider.Declined, provider.InsufficientFunds:
		return true
	}
	return false
}

// refundTarget returns the transaction a refund of the payment t is taken from: an
// Instant Pay itself; a capture named by its own id (a capture of a payment made with
// CaptureManual, or a charge under a mandate); the only capture of an authorization. An
// authorization made with CaptureManual that has several captures must be refunded by
// naming the capture: each capture is refunded within what it took.
func (c *Client) refundTarget(ctx context.Context, t *wireTransaction) (*wireTransaction, error) {
	switch {
	case int(t.TransactionType) == typeCapture:
		return t, nil
	case !isPaymentAuthorization(t):
		return nil, &provider.Error{Code: provider.NotFound, Field: "PaymentID", Message: "the transaction is not a payment's authorization or capture"}
	case int(t.TransactionType) == typePay:
		return t, nil
	case isManual(t):
		captures, err := c.children(ctx, t.id(), typeCapture)
		if err != nil {
			return nil, err
		}
		var found []*wireTransaction
		for _, cp := range captures {
			if live(cp) {
				found = append(found, cp)
			}
		}
		switch len(found) {
		case 0:
			return nil, provider.FieldError("PaymentID", "the payment has not been captured; there is nothing to refund")
		case 1:
			return found[0], nil
		}
		return nil, provider.FieldError("PaymentID", "the payment has %d captures: name the capture to refund by its ID", len(found))
	}
	target, err := c.findChild(ctx, t.id(), typeCapture, captureReference(t.reference()), true)
	if err != nil {
		return nil, err
	}
	if target == nil {
		return nil, provider.FieldError("PaymentID", "the payment has not been captured; there is nothing to refund")
	}
	return target, nil
}

// currencyOf returns the currency a transaction names (or its payment names), or the zero
// currency when it names none or an unknown one.
func currencyOf(t *wireTransaction) money.Currency {
	cur, err := money.ParseCurrency(t.currency())
	if err != nil {
		return money.Currency{}
	}
	return cur
}

// cutRunes returns s cut to at most n characters, never inside one.
func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

func reusedKey() error {
	return &provider.Error{Code: provider.Duplicate, Message: "the idempotency key was used before with a different request"}
}

// askedAmount reads the transaction's amount, in the currency of asked when there is no
// currency in the answer (what names the transaction in the error). For a repeated call
// the amount must equal asked, otherwise the idempotency key was reused.
func (t *wireTransaction) askedAmount(asked *money.Amount, repeated bool, what string) (money.Amount, error) {
	var cur money.Currency
	if asked != nil {
		cur = asked.Currency()
	}
	amount, err := t.amount(cur)
	if err != nil {
		return amount, &provider.Error{Code: provider.Internal, Message: "reading the " + what, Err: err}
	}
	if repeated && asked != nil && !amount.Equal(*asked) {
		return amount, reusedKey()
	}
	return amount, nil
}

// refundFrom builds the neutral refund from a refund transaction. When it was found by
// reference for a repeated call, its amount must be the one asked for.
func (c *Client) refundFrom(t *wireTransaction, paymentID string, req *provider.RefundRequest, repeated bool) (*provider.Refund, error) {
	var asked *money.Amount
	if req != nil {
		asked = &req.Amount
	}
	amount, err := t.askedAmount(asked, repeated, "refund")
	if err != nil {
		return nil, err
	}
	st := int(t.Status)
	r := &provider.Refund{
		ID: t.id(), Provider: Name, PaymentID: paymentID, Status: statusOf(st).refund,
		ProviderStatus: rawStatus(st, t.StatusMessage), Amount: amount,
		MerchantReference: callerReference(t.reference()), CreatedAt: t.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: exportTransaction(t)},
	}
	if req != nil {
		r.MerchantReference, r.IdempotencyKey = req.MerchantReference, req.IdempotencyKey
	}
	return r, nil
}

// voidRefundSuffix ends the ID of a refund made by voiding a capture (see Refund).
const voidRefundSuffix = "-void"

// VoidRefundID returns the Refund.ID of a refund made by voiding the capture with the
// given transactionId: the capture's id followed by "-void".
func VoidRefundID(captureID string) string { return captureID + voidRefundSuffix }

// voidAsRefund reports a voided capture as a refund of its whole amount: no money was taken.
// Its ID is VoidRefundID of the capture's.
func (c *Client) voidAsRefund(capture *wireTransaction, paymentID string, req *provider.RefundRequest) *provider.Refund {
	var cur money.Currency
	if req != nil {
		cur = req.Amount.Currency()
	}
	amount, _ := capture.amount(cur)
	r := &provider.Refund{
		ID: VoidRefundID(capture.id()), Provider: Name, PaymentID: paymentID, Status: provider.RefundSucceeded,
		ProviderStatus: "capture " + rawStatus(int(capture.Status), capture.StatusMessage), Amount: amount,
		CreatedAt: capture.UpdatedAt.Time(), Detailed: provider.Detailed{Detail: exportTransaction(capture)},
	}
	if req != nil {
		r.MerchantReference, r.IdempotencyKey = req.MerchantReference, req.IdempotencyKey
	}
	return r
}

// GetRefund implements provider.Refunder. id is a refund's transactionId, or the
// VoidRefundID of a capture voided in place of a refund.
func (c *Client) GetRefund(ctx context.Context, id string) (*provider.Refund, error) {
	captureID, void := strings.CutSuffix(id, voidRefundSuffix)
	if void {
		if !validID(captureID) {
			return nil, &provider.Error{Code: provider.NotFound, Message: "no Trustly refund has this id"}
		}
		t, err := c.getTransaction(ctx, captureID)
		if err != nil {
			return nil, err
		}
		if int(t.TransactionType) != typeCapture || int(t.Status) != statusVoided {
			return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(captureID) + " is not a voided capture"}
		}
		return c.voidAsRefund(t, string(t.OriginalTransactionID), nil), nil
	}
	t, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case int(t.TransactionType) == typeRefund:
		paymentID := string(t.OriginalTransactionID)
		if paymentID != "" {
			if parent, err := c.getTransaction(ctx, paymentID); err == nil && int(parent.TransactionType) == typeCapture && !isCharge(parent) {
				// A charge is the payment itself; another capture's payment is its parent.
				paymentID = string(parent.OriginalTransactionID)
			} else if err != nil && !isCode(err, provider.NotFound) {
				return nil, err
			}
		}
		return c.refundFrom(t, paymentID, nil, false)
	case int(t.TransactionType) == typeCapture && int(t.Status) == statusVoided:
		// The bare transactionId of a voided capture, as a journal may hold it for a
		// void made before such refunds had an id of their own.
		r := c.voidAsRefund(t, string(t.OriginalTransactionID), nil)
		r.ID = id
		return r, nil
	}
	return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(id) + " is not a refund"}
}
