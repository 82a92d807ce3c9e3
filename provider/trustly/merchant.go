package trustly

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// Balance is the merchant's balance in one currency.
type Balance struct {
	Currency string
	// Amount is the balance; it can be negative.
	Amount decimal.Decimal
}

// Withdrawal is one transfer of a payout order, as GetWithdrawals reports it.
type Withdrawal struct {
	Reference        string
	ModificationDate string
	OrderID          string
	Datestamp        string
	// TransferState is Trustly's text (EXECUTING, EXECUTED, PENDING, QUEUED, PREPARING,
	// PREPARED, BOUNCED, ERROR, FAILED, RETURNED, CONFIRMED, ...); Trustly advises not to
	// build logic on it.
	TransferState string
	Amount        decimal.Decimal
	AccountID     string
	Currency      string
	ETA           string
}

// ChargeRequest asks for a Trustly Direct Debit charge of an account with a mandate.
type ChargeRequest struct {
	AccountID       string
	NotificationURL string
	EndUserID       string
	// MessageID is your unique id of the charge.
	MessageID string
	Amount    money.Amount
	// ShopperStatement is required: A–Z, a–z, 0–9, '.', '-', '_' and space.
	ShopperStatement string
	// Email of the end user; required.
	Email string
	// PaymentDate (YYYY-MM-DD) schedules the charge; empty charges as soon as possible.
	PaymentDate       string
	ExternalReference string
	// IdempotencyKey makes a repeated Charge send the identical request; required.
	IdempotencyKey string
}

// ChargeResult is Trustly's answer to Charge or CancelCharge.
type ChargeResult struct {
	// OrderID of the charge; empty when rejected (and for CancelCharge).
	OrderID string
	// Accepted reports result "1".
	Accepted bool
	// Rejected is Trustly's reason when not accepted, e.g. "ERROR_MANDATE_NOT_FOUND".
	Rejected string
}

const dateLayout = "2006-01-02"

// Balance returns the merchant's balances. Trustly allows this call once per 15 minutes.
func (c *Client) Balance(ctx context.Context) ([]Balance, error) {
	rows, err := c.callRows(ctx, "Balance", map[string]any{})
	if err != nil {
		return nil, err
	}
	out := make([]Balance, 0, len(rows))
	for _, r := range rows {
		d, err := decimalOf(r, "balance")
		if err != nil {
			return nil, err
		}
		out = append(out, Balance{Currency: text(r, "currency"), Amount: d})
	}
	return out, nil
}

// GetWithdrawals returns the transfers of a payout order (from AccountPayout, Refund or
// Withdraw). Trustly allows this call once per 15 minutes per order.
func (c *Client) GetWithdrawals(ctx context.Context, orderID string) ([]Withdrawal, error) {
	if orderID == "" {
		return nil, provider.FieldError("orderID", "is required")
	}
	rows, err := c.callRows(ctx, "GetWithdrawals", map[string]any{"OrderID": orderID})
	if err != nil {
		return nil, err
	}
	out := make([]Withdrawal, 0, len(rows))
	for _, r := range rows {
		d, err := decimalOf(r, "amount")
		if err != nil {
			return nil, err
		}
		out = append(out, Withdrawal{Reference: text(r, "reference"), ModificationDate: text(r, "modificationdate"),
			OrderID: text(r, "orderid"), Datestamp: text(r, "datestamp"), TransferState: text(r, "transferstate"),
			Amount: d, AccountID: text(r, "accountid"), Currency: text(r, "currency"), ETA: text(r, "eta")})
	}
	return out, nil
}

// Charge charges an account with a direct-debit mandate. A charge Trustly does not accept
// is returned with Accepted false and the reason, not as an error.
func (c *Client) Charge(ctx context.Context, req ChargeRequest) (*ChargeResult, error) {
	for _, f := range []struct{ name, v string }{{"AccountID", req.AccountID}, {"EndUserID", req.EndUserID},
		{"MessageID", req.MessageID}, {"ShopperStatement", req.ShopperStatement}, {"Email", req.Email},
		{"IdempotencyKey", req.IdempotencyKey}} {
		if f.v == "" {
			return nil, provider.FieldError(f.name, "is required")
		}
	}
	if err := checkNotificationURL("NotificationURL", req.NotificationURL); err != nil {
		return nil, err
	}
	if err := req.Amount.CheckPositive(); err != nil || req.Amount.Currency().Exponent() != 2 {
		return nil, provider.FieldError("Amount", "must be positive, in a currency with two decimals")
	}
	attrs := map[string]any{"ShopperStatement": req.ShopperStatement, "Email": req.Email}
	optional(attrs, "PaymentDate", req.PaymentDate)
	optional(attrs, "ExternalReference", req.ExternalReference)
	res, err := c.call(ctx, &rpc{method: "Charge", uuid: c.requestUUID("Charge", req.IdempotencyKey), write: true,
		data: map[string]any{
			"AccountID": req.AccountID, "NotificationURL": req.NotificationURL, "EndUserID": req.EndUserID,
			"MessageID": req.MessageID, "Amount": req.Amount.Fixed(), "Currency": req.Amount.Currency().String(),
			"Attributes": attrs,
		}})
	if err != nil {
		return nil, err
	}
	return chargeResult(res), nil
}

// CancelCharge cancels a charge scheduled for a future PaymentDate (until 18:30 on that
// date). A refusal is returned with Accepted false and Trustly's reason.
func (c *Client) CancelCharge(ctx context.Context, orderID string) (*ChargeResult, error) {
	if orderID == "" {
		return nil, provider.FieldError("orderID", "is required")
	}
	res, err := c.call(ctx, &rpc{method: "CancelCharge", uuid: c.requestUUID("CancelCharge", orderID), write: true,
		data: map[string]any{"OrderID": orderID}})
	if err != nil {
		return nil, err
	}
	return chargeResult(res), nil
}

// ApproveWithdrawal approves a withdrawal (Withdraw flow) held for approval. It reports
// whether Trustly accepted the approval (result "1").
func (c *Client) ApproveWithdrawal(ctx context.Context, orderID string) (bool, error) {
	return c.decideWithdrawal(ctx, "ApproveWithdrawal", orderID)
}

// DenyWithdrawal denies a withdrawal held for approval; Trustly then returns the money to
// the end user's balance with a credit notification. It reports whether Trustly accepted
// the denial.
func (c *Client) DenyWithdrawal(ctx context.Context, orderID string) (bool, error) {
	return c.decideWithdrawal(ctx, "DenyWithdrawal", orderID)
}

func (c *Client) decideWithdrawal(ctx context.Context, method, orderID string) (bool, error) {
	if orderID == "" {
		return false, provider.FieldError("orderID", "is required")
	}
	res, err := c.call(ctx, &rpc{method: method, uuid: c.requestUUID(method, orderID), write: true,
		data: map[string]any{"OrderID": orderID, "Attributes": nil}})
	if err != nil {
		return false, err
	}
	return resultText(res, "result") == "1", nil
}

func chargeResult(res *wire.Result) *ChargeResult {
	return &ChargeResult{OrderID: resultText(res, "orderid"), Accepted: resultText(res, "result") == "1",
		Rejected: resultText(res, "rejected")}
}

// nullable sends "" as null, which Trustly reads as "any".
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// callRows calls a reporting method (with a fresh UUID) whose result data is an array of
// objects, and returns those objects.
func (c *Client) callRows(ctx context.Context, method string, data map[string]any) ([]map[string]any, error) {
	res, err := c.call(ctx, &rpc{method: method, uuid: uuid.NewString(), data: data})
	if err != nil {
		return nil, err
	}
	arr, ok := res.Data.([]any)
	if !ok {
		return nil, badAnswer(res.Method, "array data")
	}
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, badAnswer(res.Method, "object rows")
		}
		out = append(out, m)
	}
	return out, nil
}

func text(m map[string]any, k string) string {
	s, _ := wire.Scalar(m[k])
	return s
}

func decimalOf(m map[string]any, k string) (decimal.Decimal, error) {
	s := text(m, k)
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, &provider.Error{Code: provider.Internal, Message: fmt.Sprintf("Trustly sent %s %q, not a decimal", k, s)}
	}
	return d, nil
}
