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
func (c *Client) Payout(ctx context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
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
	dep, err := c.postTransaction(ctx, "/transactions/"+auth.id()+"/deposit", f)
	if isCode(err, provider.Duplicate) {
		if prior, lerr := c.findChild(ctx, auth.id(), typeDeposit, ref, false); lerr == nil && prior != nil {
			return c.payoutFrom(prior, req, true)
		}
	}
	if err != nil {
		return nil, err
	}
	return c.payoutFrom(dep, req, false)
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

// GetPayout implements provider.Payouter: GET /transactions/{id} of a deposit.
func (c *Client) GetPayout(ctx context.Context, id string) (*provider.Payout, error) {
	t, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if int(t.TransactionType) != typeDeposit {
		return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(id) + " is not a deposit"}
	}
	return c.payoutFrom(t, nil, false)
}
