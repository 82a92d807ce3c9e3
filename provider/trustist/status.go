package trustist

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// normalizeStatus upper-cases a Trustist status and joins words with underscores, so
// "Completed", "COMPLETED", "pending action" and "Pending-Action" compare equal.
func normalizeStatus(s string) string {
	return statusSeparators.Replace(strings.ToUpper(strings.TrimSpace(s)))
}

var statusSeparators = strings.NewReplacer(" ", "_", "-", "_")

// paymentStatuses is the one table from Trustist payment statuses (normalised) to neutral
// ones. The sources disagree on spelling: the official plugin checks "COMPLETE", the JS
// SDK uses COMPLETE / PENDING_ACTION, the payment page lists Pending / Completed / Failed,
// and the webhook example says COMPLETED. Statuses not listed map to pending.
var paymentStatuses = map[string]provider.PaymentStatus{
	"COMPLETE":       provider.PaymentSucceeded,      // plugin, JS SDK
	"COMPLETED":      provider.PaymentSucceeded,      // webhook example, payment page
	"PENDING":        provider.PaymentPending,        // payment page
	"PENDING_ACTION": provider.PaymentRequiresAction, // JS SDK: the payer must act
	"STARTED":        provider.PaymentPending,        // payment-attempt status
	"PROCESSING":     provider.PaymentPending,        // [I]
	"AUTHORISED":     provider.PaymentAuthorized,     // [I]
	"AUTHORIZED":     provider.PaymentAuthorized,     // [I]
	// A failed payment is one the payer's bank or card did not complete. It maps to
	// Declined, a final status: the API reports FAILED as the payment's outcome, the hosted
	// page offers nothing more for it, and callers need a declined payment to end.
	// [I] The webhook list says of payment.failed that the customer "can retry"; whether
	// a retry reuses this payment (so FAILED could later turn COMPLETED) is not published.
	// If it does, GetPayment then reports succeeded and a payment.succeeded notification
	// (a new notification id, as ids carry the status) follows the payment.failed one; an
	// application must act on it even after a decline.
	"FAILED":    provider.PaymentDeclined,
	"DECLINED":  provider.PaymentDeclined, // [I]
	"REJECTED":  provider.PaymentDeclined, // [I]
	"CANCELLED": provider.PaymentCanceled, // [I] payer left through the cancel link
	"CANCELED":  provider.PaymentCanceled, // [I]
	"ABANDONED": provider.PaymentCanceled, // [I]
	"EXPIRED":   provider.PaymentExpired,  // [I]
}

// paymentStatus maps a Trustist payment status; unknown statuses are pending, never a
// success.
func paymentStatus(raw string) provider.PaymentStatus {
	if s, ok := paymentStatuses[normalizeStatus(raw)]; ok {
		return s
	}
	return provider.PaymentPending
}

// eventKind is the notification kind for a neutral payment status.
func eventKind(s provider.PaymentStatus) notify.Kind {
	switch s {
	case provider.PaymentSucceeded:
		return notify.PaymentSucceeded
	case provider.PaymentDeclined, provider.PaymentFailed:
		return notify.PaymentFailed
	case provider.PaymentCanceled, provider.PaymentExpired:
		return notify.PaymentCanceled
	case provider.PaymentAuthorized:
		return notify.PaymentAuthorized
	}
	return notify.PaymentPending
}

// standingOrderKinds are the event kinds of a standing order's notifications, by the
// status the API confirmed.
var standingOrderKinds = map[StandingOrderStatus]notify.Kind{
	StandingOrderPending:   notify.StandingOrderPending,
	StandingOrderActive:    notify.StandingOrderActive,
	StandingOrderCompleted: notify.StandingOrderCompleted,
	StandingOrderFailed:    notify.StandingOrderFailed,
	StandingOrderCanceled:  notify.StandingOrderCanceled,
}

// StandingOrderStatus is the neutral status of a standing order.
type StandingOrderStatus string

// Standing order statuses.
const (
	// StandingOrderPending: created; the payer has not yet set it up at their bank.
	StandingOrderPending StandingOrderStatus = "pending"
	// StandingOrderActive: set up; payments are being made.
	StandingOrderActive StandingOrderStatus = "active"
	// StandingOrderCompleted: all payments were made.
	StandingOrderCompleted StandingOrderStatus = "completed"
	// StandingOrderFailed: it could not be set up.
	StandingOrderFailed StandingOrderStatus = "failed"
	// StandingOrderCanceled: cancelled.
	StandingOrderCanceled StandingOrderStatus = "canceled"
)

// standingOrderStatuses is the one table for standing-order statuses ("Pending",
// "Active", "Failed", "Completed" on the standing-order page; "ACTIVE" in the plugin and
// webhooks). Unknown statuses map to pending.
var standingOrderStatuses = map[string]StandingOrderStatus{
	"PENDING":   StandingOrderPending,
	"ACTIVE":    StandingOrderActive,
	"COMPLETED": StandingOrderCompleted,
	"COMPLETE":  StandingOrderCompleted,
	"FAILED":    StandingOrderFailed,
	"CANCELLED": StandingOrderCanceled, // [I] standing_order.cancelled event
	"CANCELED":  StandingOrderCanceled, // [I]
}

// final reports whether a standing order in status s can no longer change.
func (s StandingOrderStatus) final() bool {
	return s == StandingOrderCompleted || s == StandingOrderFailed || s == StandingOrderCanceled
}

func standingOrderStatus(raw string) StandingOrderStatus {
	if s, ok := standingOrderStatuses[normalizeStatus(raw)]; ok {
		return s
	}
	return StandingOrderPending
}

// errNoAmount reports an answer without an amount.
var errNoAmount = errors.New("the answer carries no amount")

// parseAmount reads a JSON number in major units exactly. Plain decimal text is read by
// money.NewCurrency; an exponent form ("1.234E1"), which a JSON encoder may emit, is read
// through an exact decimal. Values with more decimals than the currency has are refused,
// never rounded.
func parseAmount(n json.Number, c money.Currency) (money.Amount, error) {
	s := strings.TrimSpace(n.String())
	if s == "" {
		return money.Amount{}, errNoAmount
	}
	a, err := money.NewCurrency(s, c)
	if err == nil || !errors.Is(err, money.ErrInvalidAmount) {
		return a, err
	}
	d, derr := decimal.NewFromString(s)
	if derr != nil {
		return money.Amount{}, err
	}
	return money.FromDecimal(d, c)
}
