package trustly

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

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

// CancelCharge cancels a charge (a Payment that Charge returned: its ID is the orderid)
// scheduled for a future PaymentDate. Trustly's current documentation allows it until
// 18:00 on the day before the PaymentDate (https://docs.trustly.com/api/cancelcharge; an
// older text says 18:30 on that date); a charge without a PaymentDate cannot be
// canceled. A refusal is returned with Accepted false and Trustly's reason.
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
