package trustly

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// Payout implements provider.Payouter with an AccountPayout. An accepted payout is
// PayoutPending: Trustly executes it later and reports it by notification.
func (c *Client) Payout(ctx context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	if req.Payee.ID == "" {
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
