package trustlyrest

import (
	"context"
	"errors"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// Capture implements provider.Capturer with POST /transactions/{PaymentID}/capture
// (https://amer.developers.trustly.com/api-reference/api/transactions/post-transactions-transaction-id-capture):
// it takes Amount from a payment made with CaptureManual that the payer authorized.
// Trustly allows partial and repeated captures while their sum stays within the
// authorized amount, each at least 0.99; the adapter refuses a capture beyond what is left
// before anything is sent, counting the payment's captures that were not voided, canceled,
// denied or failed. A voided payment (Void) cannot be captured.
//
// The capture's merchantReference is derived from MerchantReference and the idempotency
// key (see PaymentReference), and the payment's captures are looked up by it before
// anything is sent: a capture found is returned instead of capturing twice, also to a
// process with a journal of its own. Trustly refuses the reference of a capture that was
// processed (error 210); the adapter then returns that capture.
//
// The capture needs the authorization's splitToken, which Trustly documents only in the
// Authorize notification and the adapter does not keep. When Trustly's authorization
// carries it ([I] its API reference lists no splitToken in Transaction) the adapter uses
// it; otherwise pass the token the notification carried (SplitToken reads it from
// notify.Event.Raw) through the request's BeforeSend hook, which reaches a
// *TransactionOptions. Without a token the call fails with InvalidRequest on "splitToken",
// which a retry does not cure. Capture.As reaches a *Transaction: the capture.
func (c *Client) Capture(ctx context.Context, req *provider.CaptureRequest) (*provider.Capture, error) {
	return c.capture(ctx, req, false)
}

// capture makes the capture req asks for. With lookOnly set it sends nothing: it returns
// the capture an earlier attempt with req's idempotency key made, or errNoPrior.
func (c *Client) capture(ctx context.Context, req *provider.CaptureRequest, lookOnly bool) (*provider.Capture, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	auth, err := c.paymentAuthorization(ctx, req.PaymentID)
	if err != nil {
		return nil, err
	}
	if !isManual(auth) {
		return nil, provider.FieldError("PaymentID", "was not made with CaptureManual: the adapter captures it itself")
	}
	if cur := currencyOf(auth); cur != req.Amount.Currency() {
		return nil, provider.FieldError("Amount", "currency %s differs from the payment's %s", req.Amount.Currency(), cur)
	}
	ref := reference("capture", req.MerchantReference, req.IdempotencyKey)
	captures, err := c.children(ctx, auth.id(), typeCapture)
	if err != nil {
		return nil, err
	}
	for _, t := range captures {
		if t.MerchantReference == ref {
			return captureFrom(t, auth.id(), req, true)
		}
	}
	if lookOnly {
		return nil, errNoPrior
	}
	if st := int(auth.Status); st != statusAuthorized {
		return nil, provider.FieldError("PaymentID", "is not authorized (Trustly status %s)", rawStatus(st, auth.StatusMessage))
	}
	left, err := leftToDraw(auth, captures)
	if err != nil {
		return nil, err
	}
	if left != nil {
		if cmp, err := req.Amount.Cmp(*left); err != nil || cmp > 0 {
			return nil, provider.FieldError("Amount", "exceeds the %s left to capture of the authorized payment", left)
		}
	}
	opts := &TransactionOptions{SplitToken: auth.SplitToken}
	f, err := actionForm(req.BeforeSend, signing.Form{
		{Key: "amount", Value: req.Amount.Fixed()},
		{Key: "merchantReference", Value: ref},
	}, opts)
	if err != nil {
		return nil, err
	}
	if opts.SplitToken == "" {
		return nil, noSplitToken()
	}
	t, repeated, err := c.postChild(ctx, childPost{parent: auth.id(), typ: typeCapture, ref: ref, recover: recoverDuplicate}, f)
	if err != nil {
		return nil, err
	}
	return captureFrom(t, auth.id(), req, repeated)
}

// paymentAuthorization reads the authorization of a payment made with Pay (type 1,
// Deferred); anything else is NotFound, or InvalidRequest naming what it is instead.
func (c *Client) paymentAuthorization(ctx context.Context, id string) (*wireTransaction, error) {
	if !validID(id) {
		return nil, &provider.Error{Code: provider.NotFound, Field: "PaymentID", Message: "no Trustly payment has this id (ids are numeric)"}
	}
	auth, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case isMandate(auth):
		return nil, provider.FieldError("PaymentID", "is a mandate: charge it with Charge, cancel it with CancelMandate")
	case int(auth.TransactionType) == typePay:
		return nil, provider.FieldError("PaymentID", "is an Instant payment, which has no authorization to capture or void")
	case !isPaymentAuthorization(auth):
		return nil, &provider.Error{Code: provider.NotFound, Field: "PaymentID", Message: "the transaction is not a payment's authorization"}
	}
	return auth, nil
}

// children returns the transactions of type typ whose parent is parent.
func (c *Client) children(ctx context.Context, parent string, typ int) ([]*wireTransaction, error) {
	var out []*wireTransaction
	for t, err := range c.transactions(ctx, TransactionFilter{OriginalTransactionID: parent, Types: []int{typ}}) {
		if err != nil {
			return nil, err
		}
		if int(t.TransactionType) == typ && string(t.OriginalTransactionID) == parent {
			out = append(out, t)
		}
	}
	return out, nil
}

// leftToDraw returns what an authorization has left for captures: its amount less its
// live captures, or nil when its amount is 0.00 (no upper bound).
func leftToDraw(auth *wireTransaction, draws []*wireTransaction) (*money.Amount, error) {
	amount, err := auth.amount(money.Currency{})
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading the authorization", Err: err}
	}
	if amount.IsZero() {
		return nil, nil
	}
	for _, t := range draws {
		if !live(t) {
			continue
		}
		a, err := t.amount(amount.Currency())
		if err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "reading a capture", Err: err}
		}
		if amount, err = amount.Sub(a); err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "reading a capture", Err: err}
		}
	}
	return &amount, nil
}

// captureFrom builds the neutral capture from a capture transaction. When it was found by
// reference for a repeated call, its amount must be the one asked for.
func captureFrom(t *wireTransaction, paymentID string, req *provider.CaptureRequest, repeated bool) (*provider.Capture, error) {
	var asked *money.Amount
	if req != nil {
		asked = &req.Amount
	}
	amount, err := t.askedAmount(asked, repeated, "capture")
	if err != nil {
		return nil, err
	}
	st := int(t.Status)
	cp := &provider.Capture{
		ID: t.id(), Provider: Name, PaymentID: paymentID, Status: captureStatus(st),
		ProviderStatus: rawStatus(st, t.StatusMessage), Amount: amount,
		MerchantReference: callerReference(t.reference()), CreatedAt: t.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: exportTransaction(t)},
	}
	if req != nil {
		cp.MerchantReference, cp.IdempotencyKey = req.MerchantReference, req.IdempotencyKey
	}
	return cp, nil
}

// GetCapture implements provider.Capturer with GET /transactions/{id} of a capture (type
// 3) of a payment. A charge under a mandate is a payment: read it with GetPayment.
func (c *Client) GetCapture(ctx context.Context, id string) (*provider.Capture, error) {
	t, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if int(t.TransactionType) != typeCapture || isCharge(t) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(id) + " is not a payment's capture"}
	}
	return captureFrom(t, string(t.OriginalTransactionID), nil, false)
}

// Void implements provider.Capturer with POST /transactions/{PaymentID}/cancel
// (https://amer.developers.trustly.com/api-reference/api/transactions/post-transactions-cancel):
// Trustly voids the authorization (status 13 Voided) and refuses later captures and
// deposits under it. Captures already made are not canceled by it: they go on (Trustly
// leaves a pending child as it is), and Payment.Captured reports them. A payment that is
// not authorized, or whose captures took its whole amount, is refused before anything is
// sent. Reason becomes the cancel's message, cut to Trustly's 40 characters; the BeforeSend
// hook reaches a *TransactionOptions. [I] No merchantReference is sent: Trustly may keep a
// cancel's reference on the transaction, and the payment's own reference must stay. An
// answer that does not show the authorization 13 Voided returns UnknownOutcome.
func (c *Client) Void(ctx context.Context, req *provider.VoidRequest) (*provider.Payment, error) {
	auth, err := c.paymentAuthorization(ctx, req.PaymentID)
	if err != nil {
		return nil, err
	}
	switch st := int(auth.Status); {
	case st == statusVoided:
		return nil, provider.FieldError("PaymentID", "is voided already")
	case st != statusAuthorized:
		return nil, provider.FieldError("PaymentID", "is not authorized (Trustly status %s)", rawStatus(st, auth.StatusMessage))
	}
	captures, err := c.children(ctx, auth.id(), typeCapture)
	if err != nil {
		return nil, err
	}
	if left, err := leftToDraw(auth, captures); err != nil {
		return nil, err
	} else if left != nil && left.Sign() <= 0 {
		return nil, provider.FieldError("PaymentID", "was captured in full; refund it instead")
	}
	opts := &TransactionOptions{Message: cutRunes(req.Reason, maxCancelMessage)}
	f, err := actionForm(req.BeforeSend, nil, opts)
	if err != nil {
		return nil, err
	}
	voided, err := c.voidAuthorization(ctx, auth, f)
	if err != nil {
		return nil, err
	}
	return c.paymentFrom(ctx, voided, currencyOf(auth))
}

// notVoided returns UnknownOutcome unless the answer to a cancel shows the transaction
// 13 Voided: Trustly's answer may report the cancel received but not yet done, and a
// Void or CancelMandate must not be reported done on that.
func notVoided(t *wireTransaction) error {
	if st := int(t.Status); st != statusVoided {
		return &provider.Error{Code: provider.UnknownOutcome,
			Message: "Trustly answered the cancel with transaction " + quoteShort(t.id()) + " in status " + rawStatus(st, t.StatusMessage) +
				", not 13 Voided; read it again to learn whether the cancel took effect"}
	}
	return nil
}

// manualPayment completes the payment p of a manual authorization with its captures:
// Captured is their sum (those not voided, canceled, denied or failed) and Refunded what
// was refunded from them. An authorized payment without captures is PaymentAuthorized;
// with captures it is PaymentPending until each has completed, then PaymentSucceeded,
// though what is left may still be captured. A voided payment is PaymentCanceled whatever
// was captured before.
func (c *Client) manualPayment(ctx context.Context, auth *wireTransaction, p *provider.Payment) (*provider.Payment, error) {
	st := int(auth.Status)
	zero := money.FromMinorCurrency(0, p.Amount.Currency())
	p.Captured = zero
	if !reached(st) && st != statusVoided {
		return p, nil
	}
	captures, err := c.children(ctx, auth.id(), typeCapture)
	if err != nil {
		return nil, err
	}
	n, pending := 0, false
	for _, t := range captures {
		if !live(t) {
			continue
		}
		a, err := t.amount(p.Amount.Currency())
		if err == nil {
			p.Captured, err = p.Captured.Add(a)
		}
		if err == nil {
			p.Refunded, err = p.Refunded.Add(refundedOf(t, a))
		}
		if err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "reading the payment's captures", Err: err}
		}
		n++
		pending = pending || captureStatus(int(t.Status)) != provider.CaptureSucceeded
		if u := t.UpdatedAt.Time(); u.After(p.UpdatedAt) {
			p.UpdatedAt = u
		}
	}
	switch {
	case st == statusVoided || n == 0:
	case pending:
		p.Status = provider.PaymentPending
	default:
		p.Status = provider.PaymentSucceeded
	}
	if n > 0 {
		p.ProviderStatus += "; " + itoa(n) + " capture(s)"
	}
	return p, nil
}

// errNotTheTransaction: an action's answer describes another transaction than the one
// acted on.
var errNotTheTransaction = errors.New("trustlyrest: the answer describes another transaction")
