package trustlyrest

import (
	"context"
	"errors"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// errNoPrior says that Trustly has no transaction an earlier attempt at a call made.
var errNoPrior = errors.New("trustlyrest: no transaction with the call's merchantReference")

// Account implements provider.Accounted: the merchant's accessId.
func (c *Client) Account() string { return c.accessID }

// Resolve implements provider.Resolver for a write whose answer was lost. Trustly REST
// takes no idempotency key, but every merchantReference the adapter sends is derived from
// the call's key (see PaymentReference), so the attempt is looked up by it: a transaction
// found is the call's result. None found proves the attempt absent only once
// Config.SettlePeriod has passed since it was sent, because Trustly may still process a
// request after the client gave up on it (and does not refuse a second refund or a second
// deposit with the same reference while the first is pending); until then the call stays
// UnknownOutcome. A verification from bank details moves nothing and is simply made again.
// Captures, charges and mandates are looked up by their references like the others; a Void
// or a CancelMandate is found applied when the authorization is voided (Trustly's data does
// not say whose cancel voided it).
func (c *Client) Resolve(ctx context.Context, a provider.Attempt, req any) (any, error) {
	// The look-ups below prove the attempt absent only if Trustly answers them after the
	// settle period: measured from before they start, not from when their answers arrive.
	waited := time.Since(a.SentAt)
	var found any
	var err error
	switch r := req.(type) {
	case *provider.PaymentRequest:
		found, err = c.priorPayment(ctx, r)
	case *provider.RefundRequest:
		found, err = c.refund(ctx, r, true)
	case *provider.PayoutRequest:
		if r.AccountID == "" && r.ReturnURL != "" {
			found, err = c.payoutInteractive(ctx, r, true)
		} else {
			found, err = c.payout(ctx, r, true)
		}
	case *provider.CaptureRequest:
		found, err = c.capture(ctx, r, true)
	case *provider.ChargeRequest:
		found, err = c.charge(ctx, r, true)
	case *provider.MandateRequest:
		found, err = c.priorMandate(ctx, r)
	case *provider.VoidRequest:
		found, err = c.priorVoid(ctx, r)
	case *provider.CancelMandateRequest:
		found, err = c.priorCancel(ctx, r)
	case *provider.VerifyAccountRequest:
		if !r.Account.IsZero() {
			return nil, provider.ErrNotApplied
		}
		found, err = c.priorVerification(ctx, r)
	default:
		return nil, &provider.Error{Code: provider.Internal, Message: "trustlyrest: nothing to resolve for this request"}
	}
	switch {
	case err == nil:
		return found, nil
	case !errors.Is(err, errNoPrior):
		return nil, err
	}
	if wait := c.settle - waited; wait > 0 {
		return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "Trustly has no transaction from the earlier attempt " +
			"yet, but may still process it; call again after " + wait.Round(time.Second).String()}
	}
	return nil, provider.ErrNotApplied
}

// priorPayment returns the payment an earlier Pay with req's key established, or
// errNoPrior. Unless the request asks for manual capture itself, its merchantReference
// depended on the Config.Capture of the instance that sent it, which may not be this
// one's (a configuration change rolling out): both references are looked up, this
// instance's first.
func (c *Client) priorPayment(ctx context.Context, req *provider.PaymentRequest) (*provider.Payment, error) {
	refs := []string{PaymentReference(req.MerchantReference, req.IdempotencyKey),
		ManualPaymentReference(req.MerchantReference, req.IdempotencyKey)}
	switch {
	case req.Capture == provider.CaptureManual:
		refs = refs[1:]
	case c.manual(req):
		refs[0], refs[1] = refs[1], refs[0]
	}
	var p *provider.Payment
	err := errNoPrior
	for _, ref := range refs {
		p, err = c.paymentByReference(ctx, ref, req.Amount.Currency())
		if !isCode(err, provider.Duplicate) {
			break
		}
		err = errNoPrior
	}
	if err != nil {
		return nil, err
	}
	p.MerchantReference, p.IdempotencyKey = req.MerchantReference, req.IdempotencyKey
	if !p.Status.Final() && p.RedirectURL != "" {
		p.Status = provider.PaymentRequiresAction
	}
	return p, nil
}

// priorVerification returns the verification an earlier interactive VerifyAccount with
// req's key established, or errNoPrior.
func (c *Client) priorVerification(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	v, err := c.verificationByReference(ctx, reference("verify", req.MerchantReference, req.IdempotencyKey))
	if isCode(err, provider.Duplicate) {
		return nil, errNoPrior
	}
	return v, err
}

// priorMandate returns the mandate an earlier CreateMandate with req's key established, or
// errNoPrior.
func (c *Client) priorMandate(ctx context.Context, req *provider.MandateRequest) (*provider.Mandate, error) {
	t, err := c.byReference(ctx, mandateReference(req), []int{typeAuthorize}, isMandate, "mandate")
	if isCode(err, provider.Duplicate) {
		return nil, errNoPrior
	}
	if err != nil {
		return nil, err
	}
	m := mandateFrom(t)
	m.MerchantReference, m.IdempotencyKey = req.MerchantReference, req.IdempotencyKey
	return m, nil
}

// priorVoid returns the payment when it is voided (an earlier Void may have voided it), or
// errNoPrior. Trustly's data does not say whose cancel voided it.
func (c *Client) priorVoid(ctx context.Context, req *provider.VoidRequest) (*provider.Payment, error) {
	auth, err := c.paymentAuthorization(ctx, req.PaymentID)
	if err != nil {
		return nil, err
	}
	if int(auth.Status) != statusVoided {
		return nil, errNoPrior
	}
	return c.paymentFrom(ctx, auth, currencyOf(auth))
}

// priorCancel returns the mandate when it is canceled, or errNoPrior.
func (c *Client) priorCancel(ctx context.Context, req *provider.CancelMandateRequest) (*provider.Mandate, error) {
	m, err := c.mandateTransaction(ctx, req.MandateID)
	if err != nil {
		return nil, err
	}
	if int(m.Status) != statusVoided {
		return nil, errNoPrior
	}
	return mandateFrom(m), nil
}
