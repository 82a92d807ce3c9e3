package trustly

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// Payout implements provider.Payouter with an AccountPayout to req.AccountID, or, without
// one, a Withdraw whose payee chooses the account on Trustly's page (see withdraw). An
// accepted payout is PayoutPending: Trustly executes it later and reports it by
// notification.
func (c *Client) Payout(ctx context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	if req.AccountID == "" {
		return c.withdraw(ctx, req)
	}
	if req.ReturnURL != "" {
		return nil, provider.FieldError("ReturnURL", "is only for a payout whose payee chooses the account (AccountID empty)")
	}
	if blank(req.Payee.ID) {
		return nil, provider.FieldError("Payee.ID", "is required: it is Trustly's EndUserID and must be the one the account was registered for")
	}
	notifyURL := c.notificationURL(req.NotificationURL)
	if err := checkNotificationURL("NotificationURL", notifyURL); err != nil {
		return nil, err
	}
	attrs := map[string]any{}
	statement := req.Description
	if statement == "" {
		statement = c.s.statement
	}
	if statement == "" {
		// [I] Trustly's AccountPayout requires Attributes.ShopperStatement: its Java client
		// (github.com/trustly/trustly-client-java) marks it required in AccountPayout's attributes.
		return nil, provider.FieldError("Description", "is required by Trustly as the payout's shopper statement (or set Config.ShopperStatement)")
	}
	attrs["ShopperStatement"] = statement
	attrs, err := runHook(req.BeforeSend, "AccountPayout", attrs, nil)
	if err != nil {
		return nil, err
	}
	if attrs["ShopperStatement"] == nil || attrs["ShopperStatement"] == "" {
		return nil, hookRefused("Attributes.ShopperStatement of an AccountPayout is required by Trustly")
	}
	r := &rpc{method: "AccountPayout", uuid: c.requestUUID("AccountPayout", req.IdempotencyKey), write: true,
		person: "Payee",
		data: map[string]any{
			"NotificationURL": notifyURL,
			"AccountID":       req.AccountID,
			"EndUserID":       req.Payee.ID,
			"MessageID":       req.MerchantReference,
			"Amount":          req.Amount.Fixed(),
			"Currency":        req.Amount.Currency().String(),
			"Attributes":      attrs,
		}}
	res, err := c.call(ctx, r)
	if err != nil {
		return nil, err
	}
	orderID, result := resultText(res, "orderid"), resultText(res, "result")
	if orderID == "" {
		return nil, badAnswer("AccountPayout", "orderid")
	}
	if result != "1" {
		return nil, &provider.Error{Code: provider.Declined, ProviderCode: "result=" + result,
			Message: "Trustly did not accept the payout (order " + orderID + ")"}
	}
	return &provider.Payout{ID: orderID, Provider: Name, Status: provider.PayoutPending, ProviderStatus: result,
		Amount: req.Amount, AccountID: req.AccountID, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: time.Now()}, nil
}

// GetPayout implements provider.Payouter. Trustly has no call that reads a payout as an
// order, so it always returns a NotSupported error; see GetWithdrawals for the transfer
// state.
func (c *Client) GetPayout(context.Context, string) (*provider.Payout, error) {
	return nil, provider.NotSupportedf("Trustly has no call that reads a payout back; use notifications or GetWithdrawals")
}

// withdraw makes an interactive payout with Withdraw
// (https://eu.developers.trustly.com/doc/reference/withdraw; project fact file
// trustly-jsonrpc.md §4.3): Data NotificationURL, EndUserID, MessageID and Currency, and
// the Attributes Deposit and SelectAccount share (Firstname, Lastname, Country, Locale,
// SuccessURL, FailURL, Email, MobilePhone, IP, NationalIdentificationNumber, and
// ShopperStatement, optional here; Trustly's Java client,
// AbstractDepositAndWithdrawAndSelectAccountDataAttributes.java). Trustly answers with the
// order and the URL of the page where the payee chooses the account; the payout is
// pending until then, and the debit notification asks the merchant whether the amount may
// be taken (see the package documentation, "Interactive payouts").
func (c *Client) withdraw(ctx context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
	if req.ReturnURL == "" {
		return nil, provider.FieldError("ReturnURL", "is required without AccountID: it is the Withdraw's SuccessURL and FailURL")
	}
	if req.MerchantReference == "" {
		// Withdraw's MessageID is required (project fact file trustly-jsonrpc.md §4.3), and
		// it is what ties a debit that overtakes the Payout's answer to the call.
		return nil, provider.FieldError("MerchantReference", "is required without AccountID: it is the Withdraw's MessageID")
	}
	notifyURL := c.notificationURL(req.NotificationURL)
	if err := checkNotificationURL("NotificationURL", notifyURL); err != nil {
		return nil, err
	}
	amount := req.Amount.Fixed()
	attrs := map[string]any{
		// [I] Withdraw has no fixed Amount: the payee may choose one between
		// SuggestedMinAmount and SuggestedMaxAmount (Trustly's Java client,
		// AbstractDepositAndWithdrawDataAttributes.java). Both are the amount asked for, so
		// that it is the one amount the payee can choose. (The Java client also documents
		// SuggestedAmount as a fixed amount, not to be combined with the two; no Trustly
		// page confirms it, so it is not sent.) The debit notification reports the amount
		// chosen, and one other than this is answered FAILED whatever happens.
		"SuggestedMinAmount": amount,
		"SuggestedMaxAmount": amount,
		"SuccessURL":         req.ReturnURL,
		"FailURL":            req.ReturnURL,
	}
	if err := personAttributes("Payee", &req.Payee, attrs); err != nil {
		return nil, err
	}
	statement := req.Description
	if statement == "" {
		statement = c.s.statement
	}
	optional(attrs, "ShopperStatement", statement)
	attrs, err := runHook(req.BeforeSend, "Withdraw", attrs, withdrawFixed)
	if err != nil {
		return nil, err
	}
	r := &rpc{method: "Withdraw", uuid: c.requestUUID("Withdraw", req.IdempotencyKey), write: true,
		person: "Payee",
		data: map[string]any{
			"NotificationURL": notifyURL,
			"EndUserID":       req.Payee.ID,
			"MessageID":       req.MerchantReference,
			"Currency":        req.Amount.Currency().String(),
			"Attributes":      attrs,
		}}
	o, err := c.openOrder(ctx, r)
	if err != nil {
		return nil, err
	}
	return &provider.Payout{ID: o.OrderID, Provider: Name, Status: provider.PayoutPending, RedirectURL: o.URL,
		Amount: req.Amount, MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey,
		CreatedAt: time.Now(), Detailed: provider.Detailed{Detail: o}}, nil
}

// withdrawFixed are the Withdraw attributes derived from the neutral request, which a
// BeforeSend hook can neither change nor add: among them the amounts the payee may choose
// (SuggestedAmount and Amount are never sent, so a hook cannot set them either).
var withdrawFixed = []string{"SuggestedMinAmount", "SuggestedMaxAmount", "SuggestedAmount", "Amount", "SuccessURL", "FailURL",
	"Firstname", "Lastname", "Country", "Locale", "Email", "MobilePhone", "NationalIdentificationNumber", "IP"}
