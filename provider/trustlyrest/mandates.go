package trustlyrest

import (
	"context"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// interactionNotPresent is the capture's interactionId of a charge the payer takes no
// part in (the capture operation of https://amer.developers.trustly.com/openapi.json).
const interactionNotPresent = "consumerNotPresent"

// CreateMandate implements provider.MandateManager with a Recurring payment
// (https://amer.developers.trustly.com/payments/docs/reference-recurring-payments): POST
// /establish?createTransaction=true with paymentType Recurring and a recurrence object, on
// whose hosted page the payer authorizes the merchant to debit the account. Mandate.ID is
// that authorization's transactionId.
//
// Fields: the establish amount is "0.00", no upper bound on what the charges add up to;
// MaxAmount, the cap of each charge, is the recurrence's recurringAmount ([I] Trustly
// describes it as the amount of each recurring payment), and Charge refuses more.
// recurrence.startDate is the time of the call; the merchant decides when to charge, so
// no frequency is sent and automaticCapture stays off — a BeforeSend hook reaches the
// *Recurrence (and the *EstablishOptions) to describe a schedule, but a hook that changes
// recurringAmount is refused (InvalidRequest, field MaxAmount). A mandate made with a
// MaxAmount has a merchantReference ending in ".x", and Charge refuses to charge it when
// Trustly's transaction no longer shows the cap. Description is required
// by Trustly; when empty, MerchantReference is sent in its place. The payer becomes
// establish data's customer, as in Pay (Payer.ID is its externalId). The merchantReference
// is derived from MerchantReference and the idempotency key (see PaymentReference); a
// reference Trustly reports as used (210) returns that mandate. Mandate.As reaches a
// *Transaction.
func (c *Client) CreateMandate(ctx context.Context, req *provider.MandateRequest) (*provider.Mandate, error) {
	est := new(establishData)
	if err := customerData("Payer", req.Payer, "", est); err != nil {
		return nil, err
	}
	rec := &Recurrence{StartDate: time.Now().UnixMilli()}
	if !req.MaxAmount.IsZero() {
		if err := checkAmount("MaxAmount", req.MaxAmount); err != nil {
			return nil, err
		}
		rec.RecurringAmount = req.MaxAmount.Fixed()
	}
	ref := mandateReference(req)
	est.Description, est.Currency, est.Amount = req.Description, req.Currency.String(), "0.00"
	if est.Description == "" {
		est.Description = req.MerchantReference
	}
	est.MerchantReference, est.PaymentType, est.Recurrence = ref, "Recurring", rec
	est.ReturnURL, est.CancelURL, est.NotificationURL = req.ReturnURL, req.CancelURL, req.NotificationURL
	if est.CancelURL == "" {
		est.CancelURL = req.ReturnURL
	}
	est.Metadata.Lang = req.Payer.Locale
	a, err := c.establish(ctx, est, req.BeforeSend)
	if isCode(err, provider.Duplicate) {
		found, lerr := c.byReference(ctx, ref, []int{typeAuthorize}, isMandate, "mandate")
		if lerr != nil {
			return nil, lerr
		}
		m := mandateFrom(found)
		m.IdempotencyKey = req.IdempotencyKey
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	st := statusNew
	if a.Status != nil {
		st = int(*a.Status)
	}
	cur, err := money.ParseCurrency(a.Currency)
	if err != nil {
		cur = req.Currency
	}
	m := &provider.Mandate{
		ID: string(a.TransactionID), Provider: Name, Status: provider.MandateRequiresAction,
		ProviderStatus: rawStatus(st, ""), RedirectURL: a.URL, Currency: cur,
		MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey, CreatedAt: a.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: a.transaction(typeAuthorize, paymentTypeRecurring, st, money.FromMinorCurrency(0, cur))},
	}
	if a.Recurrence != nil && a.Recurrence.RecurringAmount != "" {
		if max, err := parseAmount(string(a.Recurrence.RecurringAmount), "", cur); err == nil {
			m.MaxAmount = max
		}
	} else if !req.MaxAmount.IsZero() {
		// Sent as recurringAmount (establish refuses a hook that changed it); the answer
		// does not echo it.
		m.MaxAmount = req.MaxAmount
	}
	return m, nil
}

// mandateReference is the merchantReference of a mandate.
func mandateReference(req *provider.MandateRequest) string {
	ref := reference("mandate", req.MerchantReference, req.IdempotencyKey)
	if !req.MaxAmount.IsZero() {
		ref += cappedSuffix
	}
	return ref
}

// mandateFrom builds the neutral mandate from its authorization.
func mandateFrom(t *wireTransaction) *provider.Mandate {
	st := int(t.Status)
	m := &provider.Mandate{
		ID: t.id(), Provider: Name, Status: mandateStatus(st), ProviderStatus: rawStatus(st, t.StatusMessage),
		Currency: currencyOf(t), MerchantReference: callerReference(t.reference()), CreatedAt: t.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: exportTransaction(t)},
	}
	if max := t.recurringAmount(); max != "" {
		if a, err := parseAmount(max, t.currency(), money.Currency{}); err == nil {
			m.MaxAmount = a
		}
	}
	return m
}

// GetMandate implements provider.MandateManager with GET /transactions/{id} of the
// Recurring authorization (see mandateStatus for how its status reads).
func (c *Client) GetMandate(ctx context.Context, id string) (*provider.Mandate, error) {
	t, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isMandate(t) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(id) + " is not a mandate (a Recurring authorization)"}
	}
	return mandateFrom(t), nil
}

// Charge implements provider.MandateManager with POST /transactions/{MandateID}/capture and
// interactionId consumerNotPresent, the capture a merchant makes under a Recurring
// authorization without the payer
// (https://amer.developers.trustly.com/api-reference/api/transactions/post-transactions-transaction-id-capture).
// The result is the capture as a Payment (ID is the capture's transactionId, MandateID the
// mandate's), PaymentPending until it completes; GetPayment, Refund and payment
// notifications follow it like any payment.
//
// A mandate that is not active (not yet approved, canceled, failed) is refused, and so is
// an amount beyond the mandate's MaxAmount, before anything is sent. The charge's
// merchantReference is derived from MerchantReference and the idempotency key and looked
// up among the mandate's captures first: a charge found is returned instead of charging
// twice. Trustly's capture carries no description: ChargeRequest.Description is refused
// by the Gateway (see Capabilities.RequestFields). The splitToken is found as for Capture;
// the BeforeSend hook reaches a *TransactionOptions.
func (c *Client) Charge(ctx context.Context, req *provider.ChargeRequest) (*provider.Payment, error) {
	return c.charge(ctx, req, false)
}

// charge makes the charge req asks for. With lookOnly set it sends nothing: it returns the
// charge an earlier attempt with req's idempotency key made, or errNoPrior.
func (c *Client) charge(ctx context.Context, req *provider.ChargeRequest, lookOnly bool) (*provider.Payment, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	m, err := c.mandateTransaction(ctx, req.MandateID)
	if err != nil {
		return nil, err
	}
	if cur := currencyOf(m); cur != req.Amount.Currency() {
		return nil, provider.FieldError("Amount", "currency %s differs from the mandate's %s", req.Amount.Currency(), cur)
	}
	ref := reference("charge", req.MerchantReference, req.IdempotencyKey)
	if prior, err := c.findChild(ctx, m.id(), typeCapture, ref, false); err != nil {
		return nil, err
	} else if prior != nil {
		return chargeFrom(prior, req)
	}
	if lookOnly {
		return nil, errNoPrior
	}
	if st := int(m.Status); mandateStatus(st) != provider.MandateActive {
		return nil, provider.FieldError("MandateID", "is not active (Trustly status %s)", rawStatus(st, m.StatusMessage))
	}
	max := m.recurringAmount()
	if max == "" && strings.HasSuffix(m.reference(), cappedSuffix) {
		// Made with a MaxAmount that Trustly's transaction no longer shows: charging
		// without the cap could take more than the payer agreed to.
		return nil, provider.FieldError("MandateID", "was made with a MaxAmount, but Trustly's transaction does not show its recurringAmount: the cap cannot be checked")
	}
	if max != "" {
		limit, err := parseAmount(max, m.currency(), req.Amount.Currency())
		if err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "reading the mandate's recurringAmount", Err: err}
		}
		if cmp, err := req.Amount.Cmp(limit); err != nil || cmp > 0 {
			return nil, provider.FieldError("Amount", "exceeds the mandate's MaxAmount of %s", limit)
		}
	}
	opts := &TransactionOptions{SplitToken: m.SplitToken, InteractionID: interactionNotPresent}
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
	t, _, err := c.postChild(ctx, childPost{parent: m.id(), typ: typeCapture, ref: ref, recover: recoverDuplicate}, f)
	if err != nil {
		return nil, err
	}
	return chargeFrom(t, req)
}

// mandateTransaction reads a mandate's authorization; anything else is NotFound.
func (c *Client) mandateTransaction(ctx context.Context, id string) (*wireTransaction, error) {
	if !validID(id) {
		return nil, &provider.Error{Code: provider.NotFound, Field: "MandateID", Message: "no Trustly mandate has this id (ids are numeric)"}
	}
	m, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isMandate(m) {
		return nil, &provider.Error{Code: provider.NotFound, Field: "MandateID", Message: "the transaction is not a mandate (a Recurring authorization)"}
	}
	return m, nil
}

// chargeFrom builds the neutral payment of a charge from its capture. req is nil for a
// read; otherwise the capture's amount must be the one asked for.
func chargeFrom(t *wireTransaction, req *provider.ChargeRequest) (*provider.Payment, error) {
	var asked *money.Amount
	if req != nil {
		asked = &req.Amount
	}
	amount, err := t.askedAmount(asked, req != nil, "charge")
	if err != nil {
		return nil, err
	}
	st := int(t.Status)
	p := &provider.Payment{
		ID: t.id(), Provider: Name, Status: statusOf(st).money, ProviderStatus: "charge " + rawStatus(st, t.StatusMessage),
		Amount: amount, Refunded: refundedOf(t, amount), MandateID: string(t.OriginalTransactionID),
		MerchantReference: callerReference(t.reference()), CreatedAt: t.CreatedAt.Time(), UpdatedAt: t.UpdatedAt.Time(),
		Detailed: provider.Detailed{Detail: exportTransaction(t)},
	}
	if req != nil {
		p.MerchantReference, p.IdempotencyKey = req.MerchantReference, req.IdempotencyKey
	}
	return p, nil
}

// CancelMandate implements provider.MandateManager with POST /transactions/{MandateID}/cancel,
// which voids the Recurring authorization (status 13): Trustly refuses later captures
// under it. Charges already made go on. A mandate voided already is returned as it is; a
// mandate that failed is refused. An answer that does not show the mandate 13 Voided
// returns UnknownOutcome. The BeforeSend hook reaches a *TransactionOptions.
func (c *Client) CancelMandate(ctx context.Context, req *provider.CancelMandateRequest) (*provider.Mandate, error) {
	m, err := c.mandateTransaction(ctx, req.MandateID)
	if err != nil {
		return nil, err
	}
	switch mandateStatus(int(m.Status)) {
	case provider.MandateCanceled:
		return mandateFrom(m), nil
	case provider.MandateFailed:
		return nil, provider.FieldError("MandateID", "was never approved (Trustly status %s); there is nothing to cancel",
			rawStatus(int(m.Status), m.StatusMessage))
	}
	f, err := actionForm(req.BeforeSend, nil, &TransactionOptions{})
	if err != nil {
		return nil, err
	}
	v, err := c.postTransaction(ctx, "/transactions/"+m.id()+"/cancel", f)
	if err != nil {
		return nil, err
	}
	if v.id() != m.id() {
		return nil, unreadableAnswer(errNotTheTransaction)
	}
	if err := notVoided(v); err != nil {
		return nil, err
	}
	return mandateFrom(v), nil
}
