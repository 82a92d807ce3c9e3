package trustlyrest

import (
	"context"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// detailsPrefix marks the AccountID of an account verified from its bank details. Such an
// account has no Trustly authorization, so it cannot receive a deposit.
const detailsPrefix = "acct_"

// detailsIDPrefix marks the ID of a verification by bank details. Trustly gives it no id
// of its own, so it is derived from the idempotency key.
const detailsIDPrefix = "av_"

// Payout implements provider.Payouter with POST /transactions/{AccountID}/deposit: a Deposit
// (transactionType 6) under the Disbursement authorization that interactive VerifyAccount
// returned as AccountID (a Deferred payment's authorization works too, as Trustly allows).
// Deposits up to the authorization's amount are allowed; "0.00" authorizations, which
// VerifyAccount makes, have no upper bound.
//
// Idempotency is the Gateway's journal: it answers a repeated call, serialises concurrent
// calls with one key, and settles a call whose answer was lost through Resolve. The
// deposit's merchantReference is derived from MerchantReference and the idempotency key, and
// Trustly dedupes deposits by it only once they are authorized, processed or completed, so
// the authorization's deposits are looked up by it before anything is sent: a deposit found
// is returned instead of paying out twice, also to a process with a journal of its own. Two
// such calls at the same moment can both miss each other's pending deposit and both pay
// out; only a journal shared by every process (package journal/pgjournal) closes that
// window. A deposit Trustly refuses as a duplicate (error 210) is looked up and returned; a
// deposit sent without an answer returns UnknownOutcome, and the Gateway settles it.
//
// [I] Trustly's deposit request documents no splitToken, though its idempotency page says
// deposits should carry one: the adapter sends the token when Trustly's authorization
// carries it, and keeps none of its own.
//
// The BeforeSend hook reaches a *TransactionOptions (instantPayoutRequest, say, in Extra);
// Payout.As a *Transaction.
//
// The deposit's currency is the authorization's (the deposit request names none): a payout
// in another currency is refused before anything is sent.
//
// Without AccountID and with ReturnURL, the payout is interactive (see payoutInteractive):
// the payee chooses the account on Trustly's page, and the adapter makes the deposit once
// they authorized it.
func (c *Client) Payout(ctx context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
	if req.AccountID == "" && req.ReturnURL != "" {
		return c.payoutInteractive(ctx, req, false)
	}
	return c.payout(ctx, req, false)
}

// payout makes the payout req asks for. With lookOnly set it sends nothing: it returns the
// deposit an earlier attempt with req's idempotency key made, or errNoPrior when Trustly
// shows none.
func (c *Client) payout(ctx context.Context, req *provider.PayoutRequest, lookOnly bool) (*provider.Payout, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	if len(req.Metadata) > 0 {
		return nil, provider.FieldError("Metadata", "has no place in a Trustly deposit")
	}
	if strings.HasPrefix(req.AccountID, detailsPrefix) {
		return nil, provider.FieldError("AccountID", "was verified from bank details, which gives Trustly no authorization to pay into; verify the account interactively (VerifyAccount without Account)")
	}
	if !validID(req.AccountID) {
		return nil, provider.FieldError("AccountID", "is not an AccountID returned by VerifyAccount")
	}
	auth, err := c.getTransaction(ctx, req.AccountID)
	if isCode(err, provider.NotFound) {
		return nil, provider.FieldError("AccountID", "is unknown to Trustly")
	}
	if err != nil {
		return nil, err
	}
	if isPayoutAuthorization(auth) {
		return nil, provider.FieldError("AccountID", "is the authorization of an interactive payout, which pays out its own amount only")
	}
	pt := auth.paymentType()
	if int(auth.TransactionType) != typeAuthorize || (pt != paymentTypeDisbursement && pt != paymentTypeDeferred) {
		return nil, provider.FieldError("AccountID", "is not a Disbursement authorization")
	}
	if !reached(int(auth.Status)) {
		return nil, provider.FieldError("AccountID", "is not authorized (Trustly status %s)", rawStatus(int(auth.Status), auth.StatusMessage))
	}
	if cur := currencyOf(auth); cur != req.Amount.Currency() {
		return nil, provider.FieldError("Amount", "currency %s differs from the account authorization's %s; Trustly deposits in the authorization's currency",
			req.Amount.Currency(), cur)
	}
	ref := reference("payout", req.MerchantReference, req.IdempotencyKey)
	if prior, err := c.findChild(ctx, auth.id(), typeDeposit, ref, false); err != nil {
		return nil, err
	} else if prior != nil {
		return c.payoutFrom(prior, req, true)
	}
	if lookOnly {
		return nil, errNoPrior
	}
	f, err := actionForm(req.BeforeSend, signing.Form{
		{Key: "amount", Value: req.Amount.Fixed()},
		{Key: "merchantReference", Value: ref},
	}, &TransactionOptions{SplitToken: auth.SplitToken})
	if err != nil {
		return nil, err
	}
	dep, repeated, err := c.postChild(ctx, childPost{parent: auth.id(), typ: typeDeposit, ref: ref, recover: recoverDuplicate}, f)
	if err != nil {
		return nil, err
	}
	return c.payoutFrom(dep, req, repeated)
}

// payoutFrom builds the neutral payout from a deposit transaction.
func (c *Client) payoutFrom(t *wireTransaction, req *provider.PayoutRequest, repeated bool) (*provider.Payout, error) {
	var asked *money.Amount
	if req != nil {
		asked = &req.Amount
	}
	amount, err := t.askedAmount(asked, repeated, "deposit")
	if err != nil {
		return nil, err
	}
	st := int(t.Status)
	po := &provider.Payout{
		ID: t.id(), Provider: Name, Status: statusOf(st).payout, ProviderStatus: rawStatus(st, t.StatusMessage),
		Amount: amount, AccountID: string(t.OriginalTransactionID),
		MerchantReference: callerReference(t.reference()), CreatedAt: t.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: exportTransaction(t)},
	}
	if req != nil {
		po.MerchantReference, po.IdempotencyKey = req.MerchantReference, req.IdempotencyKey
	}
	return po, nil
}

// GetPayout implements provider.Payouter: GET /transactions/{id} of a deposit, or of the
// Disbursement authorization of an interactive payout, whose status is then read from the
// authorization until its deposit exists and from the deposit afterwards (see
// payoutOfAuth). The deposit of an interactive payout is known by its authorization's id
// only: read by its own id it is NotFound, since one provider id names one call.
func (c *Client) GetPayout(ctx context.Context, id string) (*provider.Payout, error) {
	t, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if isPayoutAuthorization(t) {
		return c.payoutOfAuth(ctx, t)
	}
	if int(t.TransactionType) != typeDeposit {
		return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(id) + " is not a deposit"}
	}
	if isPayoutDeposit(t) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(id) +
			" is the deposit of interactive payout " + quoteShort(string(t.OriginalTransactionID)) + ": read the payout by that id"}
	}
	return c.payoutFrom(t, nil, false)
}

// payoutInteractive implements an interactive payout (PayoutRequest without AccountID,
// with ReturnURL): POST /establish?createTransaction=true with paymentType Disbursement
// (https://amer.developers.trustly.com/integrate/core-concepts/the-establish-data-object),
// the amount as the authorization's maximum (establish data's amount is the most that
// deposits under the authorization may take, ibid.), the payee as establish data's
// customer, and ReturnURL as returnUrl and cancelUrl. Trustly answers with the
// authorization's transactionId and the URL of its hosted page, where the payee chooses
// and authorizes the account at their bank. Payout.ID is that transactionId: the payout
// is known by it from the start, in GetPayout and in notifications, also once its deposit
// exists.
//
// The merchantReference is InteractivePayoutReference's, whose suffix tells every process
// that the authorization is a payout's: when its Authorize notification arrives the
// adapter deposits exactly the authorized amount (see depositPayout). Trustly requires a
// description for a Disbursement (the establish data page above), and the Gateway refuses
// PayoutRequest.Description, which a deposit to a known account has no place for: the
// adapter sends "Payout". With lookOnly set nothing is sent: the authorization an earlier
// attempt with req's key established is returned, or errNoPrior.
func (c *Client) payoutInteractive(ctx context.Context, req *provider.PayoutRequest, lookOnly bool) (*provider.Payout, error) {
	fixed := req.Amount.Fixed()
	if err := checkAmountText("Amount", req.Amount, fixed); err != nil {
		return nil, err
	}
	if len(req.Metadata) > 0 {
		return nil, provider.FieldError("Metadata", "has no place in Trustly's establish data")
	}
	// Trustly's establish data takes USD or CAD
	// (https://amer.developers.trustly.com/openapi.json, the establish request's currency).
	if cur := req.Amount.Currency().String(); cur != "USD" && cur != "CAD" {
		return nil, provider.FieldError("Amount", "currency must be USD or CAD for Trustly")
	}
	ref := InteractivePayoutReference(req.MerchantReference, req.IdempotencyKey)
	if lookOnly {
		po, err := c.payoutByReference(ctx, ref, req)
		if isCode(err, provider.Duplicate) {
			return nil, errNoPrior
		}
		return po, err
	}
	est := new(establishData)
	if err := customerData("Payee", req.Payee, "", est); err != nil {
		return nil, err
	}
	est.Description, est.Currency, est.Amount = interactivePayoutDescription, req.Amount.Currency().String(), fixed
	est.MerchantReference, est.PaymentType = ref, "Disbursement"
	est.ReturnURL, est.CancelURL, est.NotificationURL = req.ReturnURL, req.ReturnURL, req.NotificationURL
	if req.Payee.Locale != "" {
		est.Metadata.Lang = req.Payee.Locale
	}
	a, err := c.establish(ctx, est, req.BeforeSend)
	if isCode(err, provider.Duplicate) {
		// Authorized by an earlier attempt with this key (perhaps in another process).
		return c.payoutByReference(ctx, ref, req)
	}
	if err != nil {
		return nil, err
	}
	amount := req.Amount
	if a.Amount != "" {
		// Established, but not as asked: the payout must not be reported as made.
		if echoed, err := parseAmount(string(a.Amount), a.Currency, req.Amount.Currency()); err != nil || !echoed.Equal(req.Amount) {
			return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "Trustly's establish answer echoes another amount than the payout's", Err: err}
		}
	}
	st := statusNew
	if a.Status != nil {
		st = int(*a.Status)
	}
	return &provider.Payout{
		ID: string(a.TransactionID), Provider: Name, Status: provider.PayoutPending,
		ProviderStatus: "authorization " + rawStatus(st, ""), Amount: amount, RedirectURL: a.URL,
		MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey, CreatedAt: a.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: a.transaction(typeAuthorize, paymentTypeDisbursement, st, amount)},
	}, nil
}

// interactivePayoutDescription is establish data's description of an interactive payout.
const interactivePayoutDescription = "Payout"

// payoutByReference finds the Disbursement authorization of the interactive payout
// established with ref; Duplicate with provider code 210 when there is none.
func (c *Client) payoutByReference(ctx context.Context, ref string, req *provider.PayoutRequest) (*provider.Payout, error) {
	found, err := c.byReference(ctx, ref, []int{typeAuthorize}, isPayoutAuthorization, "interactive payout")
	if err != nil {
		return nil, err
	}
	po, err := c.payoutOfAuth(ctx, found)
	if err != nil {
		return nil, err
	}
	if !po.Amount.Equal(req.Amount) {
		return nil, provider.FieldError("Amount", "differs from the %s of the interactive payout made earlier with this idempotency key", po.Amount)
	}
	po.MerchantReference, po.IdempotencyKey = req.MerchantReference, req.IdempotencyKey
	return po, nil
}

// payoutOfAuth builds the neutral payout of an interactive payout from its Disbursement
// authorization: pending while the payee has not finished on the page; once authorized,
// pending until the deposit exists and then the deposit's status (4 Completed succeeds);
// failed when the authorization failed, was denied or expired, canceled when the payee
// left the page or it was voided. AccountID is the authorization once authorized. Payout.As
// reaches the deposit once it exists, the authorization before.
func (c *Client) payoutOfAuth(ctx context.Context, auth *wireTransaction) (*provider.Payout, error) {
	amount, err := auth.amount(money.Currency{})
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading the payout's authorization", Err: err}
	}
	st := int(auth.Status)
	po := &provider.Payout{
		ID: auth.id(), Provider: Name, Amount: amount, MerchantReference: callerReference(auth.reference()),
		Status: provider.PayoutPending, ProviderStatus: "authorization " + rawStatus(st, auth.StatusMessage),
		CreatedAt: auth.CreatedAt.Time(), Detailed: provider.Detailed{Detail: exportTransaction(auth)},
	}
	row := statusOf(st)
	if row.verify != provider.VerificationVerified && row.verify != provider.VerificationFailed {
		return po, nil // the payee has not finished on the page
	}
	// The deposit decides once it exists, also under an authorization voided since
	// (Trustly does not cancel a voided authorization's pending children).
	dep, err := c.findChild(ctx, auth.id(), typeDeposit, depositReference(auth.reference()), false)
	if err != nil {
		return nil, err
	}
	switch {
	case dep != nil:
		ds := int(dep.Status)
		po.AccountID = auth.id()
		po.Status, po.ProviderStatus = statusOf(ds).payout, "deposit "+rawStatus(ds, dep.StatusMessage)
		po.Detail = exportTransaction(dep)
	case row.verify == provider.VerificationVerified:
		po.AccountID = auth.id()
		po.ProviderStatus += "; no deposit yet"
	default:
		po.Status = row.payout
	}
	return po, nil
}

// depositPayout makes the deposit of an interactive payout whose payee authorized it: POST
// /transactions/{id}/deposit (its operation in https://amer.developers.trustly.com/openapi.json)
// of the authorization's whole amount, with depositReference's merchantReference and the
// splitToken (the Authorize notification's, or the authorization's when Trustly's
// transaction carries it; [I] Trustly's deposit request documents none, its idempotency
// page asks for one). want, when valid, is the amount the Gateway recorded for the
// payout: an authorization of another amount is refused, nothing is deposited.
//
// It takes no lock, as captureAuth takes none: the deposit is looked up by its
// merchantReference before it is sent and again after a failed answer, Trustly refuses a
// second deposit with the reference once the first is authorized, processed or completed
// (error 210, https://amer.developers.trustly.com/payments/docs/idempotency), and deposits
// under an authorization may take no more than its amount (the deposit operation,
// https://amer.developers.trustly.com/openapi.json), which one deposit takes whole. So
// of two deposits sent at once, Trustly refuses the second.
func (c *Client) depositPayout(ctx context.Context, auth *wireTransaction, splitToken string, want money.Amount) (*wireTransaction, error) {
	if !isPayoutAuthorization(auth) {
		return nil, &provider.Error{Code: provider.Internal, Message: "transaction " + quoteShort(auth.id()) + " is not an interactive payout's authorization"}
	}
	if st := int(auth.Status); st != statusAuthorized {
		return nil, &provider.Error{Code: provider.InvalidRequest, Message: "the payout's authorization is not authorized (Trustly status " + rawStatus(st, auth.StatusMessage) + ")"}
	}
	id, ref := auth.id(), depositReference(auth.reference())
	if existing, err := c.findChild(ctx, id, typeDeposit, ref, false); err != nil || existing != nil {
		return existing, err
	}
	amount, err := auth.amount(money.Currency{})
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading the payout's authorization", Err: err}
	}
	if amount.IsZero() {
		return nil, &provider.Error{Code: provider.InvalidRequest, Message: "the payout's authorization has no amount"}
	}
	if want.IsValid() && !want.Equal(amount) {
		return nil, &provider.Error{Code: provider.InvalidRequest,
			Message: "the payout's authorization is for " + amount.String() + ", not the " + want.String() + " its Payout call recorded"}
	}
	if splitToken == "" {
		splitToken = auth.SplitToken
	}
	f := signing.Form{{Key: "amount", Value: amount.Fixed()}, {Key: "merchantReference", Value: ref}}
	if splitToken != "" {
		f = append(f, signing.Pair{Key: "splitToken", Value: splitToken})
	}
	// The loser of two deposits sent at once is refused; so is an attempt whose answer was
	// lost and that is repeated. Either way the deposit made is the payout's. Should the
	// look-up itself fail, its error is returned, never the refusal: a refusal ends the
	// payout (see fillDisbursement), which must not happen while its deposit may exist.
	dep, _, err := c.postChild(ctx, childPost{parent: id, typ: typeDeposit, ref: ref,
		recover: recoverAnyFailure, lookUpErrWins: true}, f)
	return dep, err
}
