package trustly

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// Refund implements provider.Refunder with a Refund of the deposit's order.
//
// Trustly answers result "1" when it has accepted the refund. The refund is then queued
// until the deposit has settled and needs funds on the merchant account; it is not yet
// money returned, so the result is RefundPending. Trustly reports a refund that fails
// later with a credit notification (money back to the merchant).
func (c *Client) Refund(ctx context.Context, req *provider.RefundRequest) (*provider.Refund, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	if !isOrderID(req.PaymentID) {
		return nil, provider.FieldError("PaymentID", "must be the orderid of a Trustly deposit or charge (digits only)")
	}
	var attrs map[string]any // sent as null when empty, as Trustly documents
	if req.MerchantReference != "" {
		attrs = map[string]any{"ExternalReference": req.MerchantReference}
	}
	attrs, err := runHook(req.BeforeSend, "Refund", attrs, []string{"ExternalReference"})
	if err != nil {
		return nil, err
	}
	if len(attrs) == 0 {
		attrs = nil
	}
	id := c.requestUUID("Refund", req.IdempotencyKey)
	r := &rpc{method: "Refund", uuid: id, write: true, data: map[string]any{
		"OrderID":    req.PaymentID,
		"Amount":     req.Amount.Fixed(),
		"Currency":   req.Amount.Currency().String(),
		"Attributes": attrs,
	}}
	res, err := c.call(ctx, r)
	if err != nil {
		return nil, err
	}
	result := resultText(res, "result")
	if result != "1" {
		return nil, &provider.Error{Code: provider.Declined, ProviderCode: "result=" + result,
			Message: "Trustly did not accept the refund"}
	}
	// [I] Trustly's answer carries the deposit's orderid, not an id of the refund, so the
	// refund is identified by its request UUID, which the idempotency key determines.
	// Its outcome arrives as a notification on the deposit's order, which the Gateway's
	// journal lets VerifyNotification read as the refund's.
	return &provider.Refund{ID: id, Provider: Name, PaymentID: req.PaymentID, Status: provider.RefundPending,
		ProviderStatus: result, Amount: req.Amount, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: time.Now()}, nil
}

// GetRefund implements provider.Refunder. Trustly has no call that reads a refund, so it
// always returns a NotSupported error; Capabilities lists OpGetRefund as Unavailable.
func (c *Client) GetRefund(context.Context, string) (*provider.Refund, error) {
	return nil, provider.NotSupportedf("Trustly has no call that reads a refund back; use notifications")
}

// isOrderID reports whether s can be a Trustly orderid: Trustly's answers and
// notifications carry order ids as digits ("orderid":"2153587137"), and its Java client
// sends OrderID as a JSON number, a long (project fact file trustly-jsonrpc.md §4, §4.4),
// so at most 19 digits. Anything else would reach Trustly only to come back as its
// generic error 620.
func isOrderID(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
