package trustlyrest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// minimumAmount is Trustly's smallest capture, deposit and refund (the operation
// descriptions in https://amer.developers.trustly.com/openapi.json).
var minimumMinor = int64(99)

// checkAmount applies Trustly's amount rules
// (https://amer.developers.trustly.com/openapi.json): a decimal string of at most 10
// characters, and at least 0.99.
func checkAmount(field string, a money.Amount) error {
	return checkAmountText(field, a, a.Fixed())
}

// checkAmountText is checkAmount for an amount whose Fixed text the caller has.
func checkAmountText(field string, a money.Amount, fixed string) error {
	if len(fixed) > 10 {
		return provider.FieldError(field, "is too large: Trustly takes amounts of at most 10 characters (9999999.99)")
	}
	if a.Minor() < minimumMinor {
		return provider.FieldError(field, "must be at least 0.99, Trustly's smallest capture, deposit and refund")
	}
	return nil
}

// establishAnswer is the part of POST /establish's answer the adapter reads: the establish
// data echoed, with the created transaction and its hosted URL.
type establishAnswer struct {
	URL               string     `json:"url"`
	TransactionID     flexString `json:"transactionId"`
	Amount            flexString `json:"amount"`
	Currency          string     `json:"currency"`
	MerchantReference string     `json:"merchantReference"`
	Status            *flexInt   `json:"status"`
	CreatedAt         millis     `json:"createdAt"`
	// Recurrence is echoed for a mandate.
	Recurrence *wireRecurrence `json:"recurrence"`
}

// transaction describes the transaction an establish answer created, for Detail.
func (a *establishAnswer) transaction(typ, paymentType, status int, amount money.Amount) *Transaction {
	return &Transaction{ID: string(a.TransactionID), Type: typ, PaymentType: paymentType,
		MerchantReference: a.MerchantReference, Status: status, StatusMessage: statusOf(status).name,
		Amount: amount, CreatedAt: a.CreatedAt.Time(), UpdatedAt: a.CreatedAt.Time()}
}

// decodeEstablishAnswer reads an establish answer.
func decodeEstablishAnswer(body []byte) (establishAnswer, error) {
	var a establishAnswer
	err := json.Unmarshal(body, &a)
	return a, err
}

// Pay implements provider.Provider with POST /establish?createTransaction=true and
// paymentType Deferred: Trustly creates an unauthorized transaction and returns the URL of
// its hosted page, where the payer authorizes at their bank. Payment.ID is that
// authorization's transactionId. With PaymentRequest.Capture set to CaptureManual (or
// Config.Capture set to CaptureManual, the default for every payment) the payment stays
// authorized until Capture takes its money; otherwise the adapter captures the whole amount
// itself once the payer authorized it. Which it is, is written into the merchantReference
// (see ManualPaymentReference), so that every process reads it from Trustly.
//
// BeforeSend reaches a *EstablishOptions (page options, display amount, time zone,
// allowed payment provider types). Payment.As reaches a *Transaction: the authorization as
// the establish answer describes it (GetPayment: as Trustly reports it).
//
// Fields: MerchantReference and the idempotency key make Trustly's merchantReference (see
// PaymentReference); Description is required by Trustly for payments; Payer becomes
// establish data's customer (name, e-mail, phone and country required), or CustomerID
// alone refers to a Trustly customer (then no payer details are needed); Payer.Locale
// becomes metadata.lang; NotificationURL overrides the notification URL configured at
// Trustly; Metadata has no place in establish data and is refused when set.
//
// Idempotency: the Gateway's journal answers a repeated call; the adapter remembers nothing.
// A Pay whose earlier attempt Trustly already authorized gets error 210 for the reused
// merchantReference, and the adapter returns that payment, looked up by the reference. A
// Pay repeated while the first transaction is still unauthorized creates a second
// unauthorized transaction with the same merchantReference (Trustly exempts pending ones
// from the uniqueness check, https://amer.developers.trustly.com/payments/docs/idempotency), which is why the Gateway settles a Pay whose answer was
// lost by looking the reference up (Resolve) rather than by sending it again. [I] Because
// Trustly enforces the reference's uniqueness once a transaction is authorized, at most
// one of two such transactions can be authorized; Trustly's documentation does not say so
// in as many words.
func (c *Client) Pay(ctx context.Context, req *provider.PaymentRequest) (*provider.Payment, error) {
	fixed := req.Amount.Fixed()
	if err := checkAmountText("Amount", req.Amount, fixed); err != nil {
		return nil, err
	}
	if req.Description == "" {
		return nil, provider.FieldError("Description", "is required by Trustly for payments")
	}
	if len(req.Metadata) > 0 {
		return nil, provider.FieldError("Metadata", "has no place in Trustly's establish data; keep it with your order")
	}
	est := new(establishData)
	if err := customerData("Payer", req.Payer, req.CustomerID, est); err != nil {
		return nil, err
	}
	ref := PaymentReference(req.MerchantReference, req.IdempotencyKey)
	if c.manual(req) {
		ref = ManualPaymentReference(req.MerchantReference, req.IdempotencyKey)
	}
	est.Description, est.Currency, est.Amount = req.Description, req.Amount.Currency().String(), fixed
	est.MerchantReference, est.PaymentType = ref, "Deferred"
	est.ReturnURL, est.CancelURL, est.NotificationURL = req.ReturnURL, req.CancelURL, req.NotificationURL
	if est.CancelURL == "" {
		est.CancelURL = req.ReturnURL
	}
	if req.Payer.Locale != "" {
		est.Metadata.Lang = req.Payer.Locale
	}
	a, err := c.establish(ctx, est, req.BeforeSend)
	if isCode(err, provider.Duplicate) {
		p, lerr := c.paymentByReference(ctx, ref, req.Amount.Currency())
		if lerr != nil {
			return nil, lerr
		}
		p.IdempotencyKey = req.IdempotencyKey
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	amount, err := parseAmount(string(a.Amount), a.Currency, req.Amount.Currency())
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading the establish answer", Err: err}
	}
	st := statusNew
	if a.Status != nil {
		st = int(*a.Status)
	}
	return &provider.Payment{
		ID: string(a.TransactionID), Provider: Name, Status: provider.PaymentRequiresAction,
		ProviderStatus: rawStatus(st, ""), RedirectURL: a.URL, Amount: amount,
		Refunded: money.FromMinorCurrency(0, amount.Currency()), MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: a.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: a.transaction(typeAuthorize, paymentTypeDeferred, st, amount)},
	}, nil
}

// manual reports whether a payment request is to be captured by Capture.
func (c *Client) manual(req *provider.PaymentRequest) bool {
	return req.Capture == provider.CaptureManual || c.captureMode == CaptureManual
}

// paymentByReference finds the authorization established with ref after Trustly refused a
// duplicate (error 210).
func (c *Client) paymentByReference(ctx context.Context, ref string, cur money.Currency) (*provider.Payment, error) {
	found, err := c.byReference(ctx, ref, []int{typeAuthorize, typePay}, isPaymentAuthorization, "payment")
	if err != nil {
		return nil, err
	}
	return c.paymentFrom(ctx, found, cur)
}

// byReference finds the transaction of one of types carrying ref that match accepts,
// preferring the last one in a status after which Trustly enforces merchantReference
// uniqueness. When there is none the error is Duplicate with provider code 210, naming
// what was looked for.
func (c *Client) byReference(ctx context.Context, ref string, types []int, match func(*wireTransaction) bool, what string) (*wireTransaction, error) {
	var found *wireTransaction
	for t, err := range c.transactions(ctx, TransactionFilter{PaymentMerchantReference: ref, Types: types}) {
		if err != nil {
			return nil, err
		}
		if t.reference() != ref || !match(t) {
			continue
		}
		if found == nil || reached(int(t.Status)) {
			found = t
		}
	}
	if found == nil {
		return nil, &provider.Error{Code: provider.Duplicate, ProviderCode: "210",
			Message: "Trustly reports the merchantReference as used, but no " + what + " with it was found"}
	}
	return found, nil
}

// reached reports whether a status is one of those after which Trustly enforces
// merchantReference uniqueness (Authorized, Processed, Completed and their refunds).
func reached(st int) bool {
	switch st {
	case statusAuthorized, statusProcessed, statusCompleted, 11, 12:
		return true
	}
	return false
}

// GetPayment implements provider.Provider with GET /transactions/{id}. id is the
// authorization's transactionId returned by Pay, or the capture's returned by Charge.
// While no capture exists the status is read from the authorization; once one exists,
// from the capture, so the payment succeeds when the capture completes (status 4). A
// payment made with CaptureManual reports what its captures took (see Capture).
//
// A payment captured automatically that is authorized without a capture is captured here
// when Trustly's authorization carries its splitToken ([I] Trustly documents the token only
// in the Authorize notification, which captures the payment itself). A capture Trustly
// refuses is reported in this read's ProviderStatus. When the refusal ends the payment (see
// captureEndsPayment) the authorization is voided and the payment reported failed; later
// reads find it voided (canceled) and capture nothing — unless a capture made before the
// void exists (a cancel leaves it), which they then report. Otherwise nothing is remembered
// between reads: Trustly's transactions are the record, so a later read sends the capture
// again and reports Trustly's answer to it.
func (c *Client) GetPayment(ctx context.Context, id string) (*provider.Payment, error) {
	t, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if isCharge(t) {
		return chargeFrom(t, nil)
	}
	if !isPaymentAuthorization(t) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(id) + " is not a payment's authorization"}
	}
	return c.paymentFrom(ctx, t, money.Currency{})
}

// errNoSplitToken marks a capture that cannot be made: neither the caller nor Trustly's
// authorization gave the splitToken. It is not retryable: repeating the call does not bring
// the token.
var errNoSplitToken = errors.New("trustlyrest: the authorization's splitToken is not known")

func noSplitToken() error {
	return &provider.Error{Code: provider.InvalidRequest, Field: "splitToken", Err: errNoSplitToken,
		Message: "Trustly's authorization does not carry its splitToken: pass the one its Authorize notification carried " +
			"(see SplitToken) in the request's BeforeSend hook, as TransactionOptions.SplitToken"}
}

// captureAuth captures an automatically captured payment's full amount unless a capture
// exists, and returns the capture.
//
// It takes no lock: two captures of one authorization cannot both take money, because the
// adapter always captures the full authorized amount and Trustly refuses captures beyond it
// (and a capture's reference once the first is processed, error 210). The loser of such a
// race, and a capture whose answer was lost, look the payment's capture up again: a capture
// is not a journaled call, so Trustly's list is what settles it.
//
// It captures only the authorization of a Deferred payment made without CaptureManual, as
// the transaction Trustly returned says: a manual payment is the merchant's to capture, and
// a Recurring authorization is a mandate, whose captures are charges.
func (c *Client) captureAuth(ctx context.Context, auth *wireTransaction, splitToken string) (*wireTransaction, error) {
	if !autoCaptured(auth) {
		return nil, &provider.Error{Code: provider.Internal,
			Message: "transaction " + quoteShort(auth.id()) + " is not the authorization of a payment the adapter captures itself"}
	}
	id := auth.id()
	ref := captureReference(auth.reference())
	if existing, err := c.findChild(ctx, id, typeCapture, ref, true); err != nil || existing != nil {
		return existing, err
	}
	if splitToken == "" {
		splitToken = auth.SplitToken
	}
	if splitToken == "" {
		return nil, noSplitToken()
	}
	amount, err := auth.amount(money.Currency{})
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading the authorization", Err: err}
	}
	capture, _, err := c.postChild(ctx, childPost{parent: id, typ: typeCapture, ref: ref, anyRef: true, recover: recoverAnyFailure},
		signing.Form{
			{Key: "amount", Value: amount.Fixed()},
			{Key: "merchantReference", Value: ref},
			{Key: "splitToken", Value: splitToken},
		})
	return capture, err
}

// paymentFrom builds the neutral payment from its authorization (or Instant Pay)
// transaction, reading the capture when there is one and capturing an authorized payment
// that has none unless it was made with CaptureManual.
func (c *Client) paymentFrom(ctx context.Context, auth *wireTransaction, cur money.Currency) (*provider.Payment, error) {
	amount, err := auth.amount(cur)
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading the payment", Err: err}
	}
	p := &provider.Payment{
		ID: auth.id(), Provider: Name, Amount: amount, Refunded: money.FromMinorCurrency(0, amount.Currency()),
		MerchantReference: callerReference(auth.reference()),
		CreatedAt:         auth.CreatedAt.Time(), UpdatedAt: auth.UpdatedAt.Time(),
		Detailed: provider.Detailed{Detail: exportTransaction(auth)},
	}
	st := int(auth.Status)
	if int(auth.TransactionType) == typePay {
		p.Status, p.ProviderStatus = statusOf(st).money, rawStatus(st, auth.StatusMessage)
		p.Refunded = refundedOf(auth, amount)
		return p, nil
	}
	p.Status, p.ProviderStatus = statusOf(st).auth, "authorization "+rawStatus(st, auth.StatusMessage)
	if isManual(auth) {
		return c.manualPayment(ctx, auth, p)
	}
	// A voided authorization is read for its capture too: one made before the void (by
	// another instance, while this one's capture was refused and it voided the
	// authorization) is not cancelled with it, and takes the money.
	if !reached(st) && st != statusVoided {
		return p, nil
	}
	cap, err := c.findChild(ctx, auth.id(), typeCapture, captureReference(auth.reference()), true)
	if err != nil {
		return nil, err
	}
	if cap == nil && (!autoCaptured(auth) || !reached(st)) {
		return p, nil
	}
	if cap == nil {
		cap, err = c.captureAuth(ctx, auth, "")
		switch {
		case err == nil:
		case errors.Is(err, errNoSplitToken):
			// Authorized; the Authorize notification, which carries the token, captures it.
		case !isRefusal(err):
			// Not refused (an answer that could not be read, say): the capture may still
			// be made, by the next call.
			return nil, err
		default:
			if captureEndsPayment(err) {
				if verr := c.endRefusedPayment(ctx, auth); verr != nil {
					return nil, verr
				}
				p.Status = provider.PaymentFailed
			}
			p.ProviderStatus += "; capture refused (Trustly error " + strings.TrimSpace(providerCode(err)) + ")"
		}
	}
	if cap != nil {
		cs := int(cap.Status)
		p.Status, p.ProviderStatus = statusOf(cs).money, "capture "+rawStatus(cs, cap.StatusMessage)
		p.Refunded = refundedOf(cap, amount)
		if t := cap.UpdatedAt.Time(); t.After(p.UpdatedAt) {
			p.UpdatedAt = t
		}
	}
	return p, nil
}

// endRefusedPayment voids the authorization of a payment whose capture Trustly refused
// for good (captureEndsPayment), before the payment is reported failed. Left authorized,
// it could still be captured: by the Authorize notification delivered again or replayed
// (it carries the split token), or by a later GetPayment once the payer's account has the
// funds — taking money for a payment the merchant was told had failed, and may have had
// paid again. Voided, it is read as canceled from then on, and nothing captures it.
func (c *Client) endRefusedPayment(ctx context.Context, auth *wireTransaction) error {
	_, err := c.voidAuthorization(ctx, auth, signing.Form{{Key: "message", Value: "capture refused"}})
	return err
}

// voidAuthorization cancels an authorization with form (POST /transactions/{id}/cancel,
// which voids it: 13 Voided,
// https://amer.developers.trustly.com/api-reference/api/transactions/post-transactions-cancel)
// and returns the voided transaction; an answer that does not show it voided is an error.
func (c *Client) voidAuthorization(ctx context.Context, auth *wireTransaction, form signing.Form) (*wireTransaction, error) {
	voided, err := c.postTransaction(ctx, "/transactions/"+auth.id()+"/cancel", form)
	if err != nil {
		return nil, err
	}
	if voided.id() != auth.id() {
		return nil, unreadableAnswer(errNotTheTransaction)
	}
	return voided, notVoided(voided)
}

// captureEndsPayment reports whether a capture refusal is final for the payment: the split
// token expired or is invalid (326, 380, 397), fraud analysis refused it (390), or the
// payer's account lacks the funds (331). The payer must pay again.
func captureEndsPayment(err error) bool {
	code := provider.CodeOf(err)
	return code == provider.Declined || code == provider.InsufficientFunds
}

// isRefusal reports whether err is Trustly refusing a capture with an error answer that a
// retry does not cure. An answer that could not be read, a missing split token, a
// retryable error and an ended context are not refusals: the capture may still be made.
func isRefusal(err error) bool {
	var ae *APIError
	if err == nil || !errors.As(err, &ae) || errors.Is(err, errNoSplitToken) || provider.CodeOf(err).Retryable() ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return true
}

// refundedOf reads a transaction's refunded total, zero when absent or unreadable.
func refundedOf(t *wireTransaction, like money.Amount) money.Amount {
	zero := money.FromMinorCurrency(0, like.Currency())
	if t.Refunded == "" {
		return zero
	}
	r, err := parseAmount(string(t.Refunded), t.currency(), like.Currency())
	if err != nil {
		return zero
	}
	return r
}

func providerCode(err error) string {
	var pe *provider.Error
	if errors.As(err, &pe) {
		return pe.ProviderCode
	}
	return ""
}
