package trustlyrest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// VerifyAccount implements provider.AccountVerifier in two ways.
//
// With req.Account empty (interactive): POST /establish?createTransaction=true with
// paymentType Disbursement and amount "0.00" (no upper bound). The holder picks and
// authorizes an account at their bank on Trustly's page (RedirectURL). The verification's ID
// and, once authorized, its AccountID are the Disbursement authorization's transactionId:
// the transaction Trustly pays deposits under, so Payout can use it.
//
// With req.Account set (bank details): POST /accounts/verify with the routing and account
// number or the IBAN. The result is final at once — verified or failed — and its AccountID is
// "acct_" followed by Trustly's account token. [I] Trustly documents no way to obtain a
// deposit authorization without the holder, so such an AccountID proves the account but
// Payout refuses it; use the interactive flow for payout accounts. Trustly keeps no record
// of such a verification to read back, so GetAccountVerification cannot return it (see
// there): keep the result VerifyAccount returns.
//
// Idempotency is the Gateway's journal; the adapter remembers nothing. An interactive
// verification whose earlier attempt the holder already authorized gets error 210 from
// Trustly for the reused merchantReference, and the adapter returns the existing
// verification, found by that reference.
func (c *Client) VerifyAccount(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	if req.Account.IsZero() {
		return c.verifyInteractive(ctx, req)
	}
	return c.verifyDetails(ctx, req)
}

func (c *Client) verifyInteractive(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	if req.ReturnURL == "" {
		return nil, provider.FieldError("ReturnURL", "is required for an interactive verification")
	}
	cur := req.Currency
	if cur.IsZero() {
		cur = c.currencies[0]
	}
	if cur.String() != "USD" && cur.String() != "CAD" {
		return nil, provider.FieldError("Currency", "must be USD or CAD")
	}
	est := new(establishData)
	if err := customerData("Holder", req.Holder, "", est); err != nil {
		return nil, err
	}
	ref := reference("verify", req.MerchantReference, req.IdempotencyKey)
	est.Description, est.Currency, est.Amount = "Bank account for payouts", cur.String(), "0.00"
	est.MerchantReference, est.PaymentType = ref, "Disbursement"
	est.ReturnURL, est.CancelURL, est.NotificationURL = req.ReturnURL, req.CancelURL, req.NotificationURL
	if est.CancelURL == "" {
		est.CancelURL = req.ReturnURL
	}
	if req.Holder.Locale != "" {
		est.Metadata.Lang = req.Holder.Locale
	}
	a, err := c.establish(ctx, est, req.BeforeSend)
	if isCode(err, provider.Duplicate) {
		// Authorized by an earlier call with this key (perhaps in another process).
		return c.verificationByReference(ctx, ref)
	}
	if err != nil {
		return nil, err
	}
	st := statusNew
	if a.Status != nil {
		st = int(*a.Status)
	}
	amount, _ := parseAmount(string(a.Amount), a.Currency, money.Currency{})
	return &provider.AccountVerification{
		ID: string(a.TransactionID), Provider: Name, Status: provider.VerificationRequiresAction,
		ProviderStatus: rawStatus(st, ""), RedirectURL: a.URL, CreatedAt: a.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: a.transaction(typeAuthorize, paymentTypeDisbursement, st, amount)},
	}, nil
}

// verificationByReference finds the account authorization established with ref after
// Trustly refused a duplicate (error 210).
func (c *Client) verificationByReference(ctx context.Context, ref string) (*provider.AccountVerification, error) {
	found, err := c.byReference(ctx, ref, []int{typeAuthorize}, isAccountAuthorization, "account authorization")
	if err != nil {
		return nil, err
	}
	return verificationFrom(found), nil
}

// accountFields builds the account object POST /accounts/verify and POST
// /accounts/tokenize take (https://amer.developers.trustly.com/openapi.json): the IBAN, or
// the account number with its routing number, and nameOnAccount — the account's holder
// name, or the holder's first and last names. It refuses an account without the details
// either needs, naming the field (prefix "Account.").
func accountFields(a provider.BankAccount, holder provider.Person) (map[string]any, error) {
	acct := map[string]any{}
	switch {
	case a.IBAN != "":
		acct["iban"] = a.IBAN
	case a.AccountNumber == "":
		return nil, provider.FieldError("Account", "needs an IBAN, or an account number with its routing number")
	case a.RoutingNumber == "":
		return nil, provider.FieldError("Account.RoutingNumber", "is required with Account.AccountNumber (a US ABA or Canadian routing number)")
	default:
		acct["accountNumber"] = a.AccountNumber
		acct["routingNumber"] = a.RoutingNumber
	}
	name := a.HolderName
	if name == "" {
		name = strings.TrimSpace(holder.FirstName + " " + holder.LastName)
	}
	if name != "" {
		acct["nameOnAccount"] = name
	}
	return acct, nil
}

func (c *Client) verifyDetails(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	acct, err := accountFields(req.Account, req.Holder)
	if err != nil {
		return nil, err
	}
	// merchantId is a JSON number in the verify body (POST /accounts/verify in
	// https://amer.developers.trustly.com/openapi.json); it is validated as digits.
	fa, err := c.postAccount(ctx, "/accounts/verify", "expand=account.paymentProvider", json.Number(c.merchantID), acct)
	if err != nil {
		return nil, err
	}
	v := &provider.AccountVerification{Provider: Name, Last4: fa.last4(), CreatedAt: time.Now().UTC()}
	if fa.PaymentProvider != nil {
		v.BankName = fa.PaymentProvider.Name
	}
	if v.BankName == "" {
		v.BankName = fa.Name
	}
	score := -1
	if fa.Verification != nil {
		score = int(fa.Verification.Score)
	}
	if fa.isVerified() && fa.Token != "" {
		v.Status, v.AccountID = provider.VerificationVerified, detailsPrefix+fa.Token
		v.ProviderStatus = "verified"
	} else {
		v.Status, v.ProviderStatus = provider.VerificationFailed, "not verified"
	}
	if score >= 0 {
		v.ProviderStatus += " (score " + itoa(score) + ")"
	}
	v.ID = detailsIDPrefix + reference("verify", "", req.IdempotencyKey)
	return v, nil
}

// decodeAccount reads /accounts/verify's answer: the account object bare, as the
// specification models it, or wrapped as {"account": …} ([I] the wrapper is not documented).
// postAccount sends bank details to path (/accounts/verify or /accounts/tokenize) and
// reads the account Trustly answers with. Trustly's 330 (the details are invalid) names
// the request's Account.
func (c *Client) postAccount(ctx context.Context, path, query string, merchantID any, acct map[string]any) (*wireAccount, error) {
	body := map[string]any{"merchantId": merchantID, "account": acct}
	raw, err := c.call(ctx, http.MethodPost, path, query, jsonBody(body), isAction)
	if err != nil {
		if pe := asProviderError(err); pe != nil && pe.ProviderCode == "330" {
			pe.Field = "Account"
		}
		return nil, err
	}
	return decodeAccount(raw)
}

func decodeAccount(raw []byte) (*wireAccount, error) {
	var wrapped struct {
		Account *wireAccount `json:"account"`
	}
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "decoding the account", Err: err}
	}
	if wrapped.Account != nil {
		return wrapped.Account, nil
	}
	var bare wireAccount
	if err := json.Unmarshal(raw, &bare); err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "decoding the account", Err: err}
	}
	return &bare, nil
}

// GetAccountVerification implements provider.AccountVerifier. An interactive verification's
// state is read from its Disbursement authorization (GET /transactions/{id}).
//
// A verification by bank details ("av_…") is NotFound: POST /accounts/verify answers once,
// finally, and Trustly keeps nothing to read the answer back by. The adapter does not keep
// it either — a copy in one process's memory would answer on one instance and not on
// another, or not after a restart, which is worse than a clear NotFound. Keep the result
// VerifyAccount returned; repeating VerifyAccount with the same idempotency key returns it
// from the Gateway's journal (from every instance, with a shared journal).
func (c *Client) GetAccountVerification(ctx context.Context, id string) (*provider.AccountVerification, error) {
	if strings.HasPrefix(id, detailsIDPrefix) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "a verification by bank details is final when VerifyAccount " +
			"returns it and Trustly keeps no record to read it back by: use the result VerifyAccount returned, or repeat " +
			"VerifyAccount with the same idempotency key to get it from the Gateway's journal"}
	}
	t, err := c.getTransaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isAccountAuthorization(t) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "transaction " + quoteShort(id) + " is not an account authorization"}
	}
	return verificationFrom(t), nil
}

// verificationFrom builds the neutral verification from a Disbursement authorization.
func verificationFrom(t *wireTransaction) *provider.AccountVerification {
	st := int(t.Status)
	v := &provider.AccountVerification{
		ID: t.id(), Provider: Name, Status: statusOf(st).verify,
		ProviderStatus: rawStatus(st, t.StatusMessage), CreatedAt: t.CreatedAt.Time(),
		Detailed: provider.Detailed{Detail: exportTransaction(t)},
	}
	if v.Status == provider.VerificationVerified {
		v.AccountID = t.id()
	}
	if t.Payment != nil {
		if a := t.Payment.Account; a != nil {
			v.Last4, v.BankName = a.last4(), a.Name
		}
		if v.BankName == "" && t.Payment.PaymentProvider != nil {
			v.BankName = t.Payment.PaymentProvider.Name
		}
	}
	return v
}
