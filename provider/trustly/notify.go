package trustly

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// orderClass is what a notification's order is, for the kind table.
type orderClass int

const (
	classDeposit orderClass = iota
	classRefund
	classPayout
	classAccount
)

// notificationKinds is the one table from Trustly notification methods to event kinds,
// per class of order. Methods missing from it are rejected.
var notificationKinds = map[string][4]notify.Kind{
	//                     deposit                 refund                  payout                  account selection
	"credit":             {notify.PaymentSucceeded, notify.RefundFailed, notify.PayoutFailed, notify.Other},
	"pending":            {notify.PaymentPending, notify.Other, notify.Other, notify.Other},
	"cancel":             {notify.PaymentCanceled, notify.RefundFailed, notify.PayoutFailed, notify.AccountFailed},
	"debit":              {notify.PaymentFailed, notify.RefundSucceeded, notify.Other, notify.Other},
	"payoutconfirmation": {notify.PayoutSucceeded, notify.RefundSucceeded, notify.PayoutSucceeded, notify.Other},
	"account":            {notify.AccountVerified, notify.AccountVerified, notify.AccountVerified, notify.AccountVerified},
	"kyc":                {notify.Other, notify.Other, notify.Other, notify.Other},
}

// amountRequired lists the methods whose data must carry amount and currency.
var amountRequired = map[string]bool{"credit": true, "debit": true, "payoutconfirmation": true}

// replyState is what the reply must echo.
type replyState struct{ method, uuid string }

// ErrNotification is matched by every notification rejection.
var ErrNotification = errors.New("trustly: notification rejected")

func reject(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotification, fmt.Sprintf(format, args...))
}

// VerifyNotification implements notify.Verifier: it verifies the signature with the
// Trustly public key over the raw decoded tree, checks the method and the fields it needs,
// and builds the neutral event.
func (c *Client) VerifyNotification(_ context.Context, r *notify.Request) (*notify.Notification, error) {
	if r.Method != "" && r.Method != http.MethodPost {
		return nil, reject("HTTP method %s; Trustly POSTs notifications", r.Method)
	}
	n, err := wire.DecodeNotification(r.Body, c.s.trustlyPub, wire.WithMaxBodySize(notify.DefaultMaxBodyBytes))
	if err != nil {
		if errors.Is(err, wire.ErrBadSignature) {
			return nil, fmt.Errorf("%w: signature does not verify with the %s public key: %w", ErrNotification, describeEnv(c.s.env), err)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotification, err)
	}
	kinds, known := notificationKinds[n.Method]
	if !known {
		return nil, reject("unknown notification method %q", n.Method)
	}
	id, orderID := n.NotificationID(), n.OrderID()
	if id == "" {
		return nil, reject("%s notification without notificationid", n.Method)
	}
	if orderID == "" {
		return nil, reject("%s notification without orderid", n.Method)
	}
	ev := notify.Event{ID: id, Provider: Name, ProviderEvent: n.Method, ProviderStatus: n.Method,
		MerchantReference: n.MessageID(), Raw: r.Body}
	amount, cur := n.Amount(), n.Currency()
	switch {
	case amount != "" && cur != "":
		if ev.Amount, err = parseAmount(amount, cur); err != nil {
			return nil, reject("%s notification amount: %v", n.Method, err)
		}
	case amountRequired[n.Method]:
		return nil, reject("%s notification without amount and currency", n.Method)
	}
	if ts := n.Timestamp(); ts != "" {
		ev.OccurredAt = parseTimestamp(ts)
	}

	class := classDeposit
	switch {
	case isSet(n.Data["refund"]) || isSet(n.Attributes()["refund"]):
		class = classRefund
	default:
		switch c.orders.kind(orderID) {
		case orderPayout:
			class = classPayout
		case orderSelectAccount:
			class = classAccount
		case orderDeposit:
			if n.Method == "payoutconfirmation" {
				// A payout confirmation on a deposit's order confirms a refund of it.
				class = classRefund
			}
		}
	}
	ev.Kind = kinds[class]
	switch class {
	case classDeposit, classRefund:
		ev.PaymentID = orderID
		if n.Method == "payoutconfirmation" && class == classDeposit {
			ev.PaymentID, ev.PayoutID = "", orderID
		}
	case classPayout:
		ev.PayoutID = orderID
	}
	switch n.Method {
	case "account":
		accountID, _ := n.Get("accountid")
		verified, ok := n.Get("verified")
		if accountID == "" || !ok {
			return nil, reject("account notification without accountid or verified")
		}
		ev.AccountID = accountID
		ev.ProviderStatus = "verified=" + verified
		if verified != "1" {
			ev.Kind = notify.AccountFailed
		}
	case "pending":
		if class == classDeposit {
			c.orders.markPending(orderID)
		}
	case "cancel":
		// The end user finished the deposit (pending) but the bank never confirmed it: the
		// payment failed rather than being abandoned.
		if class == classDeposit && c.orders.hadPending(orderID) {
			ev.Kind = notify.PaymentFailed
		}
	}
	return &notify.Notification{ID: id, Event: ev, ReplyState: replyState{method: n.Method, uuid: n.UUID}}, nil
}

// NotificationReply implements notify.Verifier: the signed reply echoing the
// notification's uuid and method, with status OK (CONTINUE for kyc) when processed and
// FAILED otherwise, always with HTTP 200. PKCS#1 v1.5 signatures are deterministic, so a
// redelivery gets the same bytes.
func (c *Client) NotificationReply(n *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	st, ok := n.ReplyState.(replyState)
	if !ok {
		return nil, errors.New("trustly: notification was not verified by this adapter")
	}
	status := "OK"
	if st.method == "kyc" {
		// [I] Trustly names CONTINUE and FINISH as the kyc answers; CONTINUE lets the
		// deposit go on.
		status = "CONTINUE"
	}
	if o != notify.Processed {
		status = "FAILED"
	}
	body, err := wire.EncodeNotificationReply(c.s.key, st.method, st.uuid, status)
	if err != nil {
		return nil, err
	}
	return &notify.Reply{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}, nil
}

func isSet(v any) bool {
	s, _ := wire.Scalar(v)
	return s == "1"
}

// parseAmount reads an incoming amount, which need not have two decimals ("11",
// "5.00000000000000000000").
func parseAmount(value, currency string) (money.Amount, error) {
	cur, err := money.ParseCurrency(currency)
	if err != nil {
		return money.Amount{}, err
	}
	d, err := decimal.NewFromString(value)
	if err != nil {
		return money.Amount{}, fmt.Errorf("%q is not a decimal", value)
	}
	return money.FromDecimal(d, cur)
}

// timestampLayouts are the PostgreSQL-style forms Trustly sends,
// e.g. "2010-01-20 14:42:04.675645+01".
var timestampLayouts = []string{"2006-01-02 15:04:05.999999999-07", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00"}

// parseTimestamp returns the zero time for text it cannot read; the time is informative.
func parseTimestamp(s string) time.Time {
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
