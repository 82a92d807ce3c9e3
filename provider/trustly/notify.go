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

// orderClass is what a notification concerns, for the kind table.
type orderClass int

const (
	classDeposit       orderClass = iota // a deposit (the payment itself)
	classDepositRefund                   // an ordinary refund of a deposit, on the deposit's order
	classDDRefund                        // a direct-debit refund ("refund":"1" on the original order)
	classPayout                          // an AccountPayout
	classAccount                         // an account selection
	classUnknown                         // an order the Client has no record of
	numClasses
)

// notificationKinds is the one table from Trustly notification methods to event kinds,
// per class. A signed notification of a method missing from it is reported as Other.
// Trustly sends credit, cancel, debit and payoutconfirmation for deposits, refunds and
// payouts alike (§6.3), so on an unrecorded order they mean nothing certain: Other.
var notificationKinds = map[string][numClasses]notify.Kind{
	//                     deposit                 refund of a deposit     direct-debit refund     payout                  account selection       unrecorded order
	"credit":             {notify.PaymentSucceeded, notify.RefundFailed, notify.RefundFailed, notify.PayoutFailed, notify.Other, notify.Other},
	"pending":            {notify.PaymentPending, notify.Other, notify.Other, notify.Other, notify.Other, notify.PaymentPending},
	"cancel":             {notify.PaymentCanceled, notify.RefundFailed, notify.RefundFailed, notify.PayoutFailed, notify.AccountFailed, notify.Other},
	"debit":              {notify.PaymentFailed, notify.PaymentFailed, notify.RefundSucceeded, notify.Other, notify.Other, notify.Other},
	"payoutconfirmation": {notify.Other, notify.RefundSucceeded, notify.RefundSucceeded, notify.PayoutSucceeded, notify.Other, notify.Other},
	"account":            {notify.AccountVerified, notify.AccountVerified, notify.AccountVerified, notify.AccountVerified, notify.AccountVerified, notify.AccountVerified},
	"kyc":                {notify.Other, notify.Other, notify.Other, notify.Other, notify.Other, notify.Other},
}

// amountRequired lists the methods whose data must carry amount and currency.
var amountRequired = map[string]bool{"credit": true, "debit": true, "payoutconfirmation": true}

// replyState is what the reply must echo.
type replyState struct{ method, uuid string }

// otherNotification is the event of a verified notification whose method the adapter
// does not know. Its id is the notificationid, or the uuid when there is none.
func (c *Client) otherNotification(r *notify.Request, n *wire.Notification) *notify.Notification {
	id := n.NotificationID()
	if id == "" {
		id = "uuid:" + n.UUID
	}
	ev := notify.Event{ID: id, Provider: Name, Kind: notify.Other, ProviderEvent: n.Method, ProviderStatus: n.Method,
		MerchantReference: n.MessageID(), Raw: r.Body}
	if ts := n.Timestamp(); ts != "" {
		ev.OccurredAt = parseTimestamp(ts)
	}
	return &notify.Notification{ID: id, Event: ev, ReplyState: replyState{method: n.Method, uuid: n.UUID}}
}

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
			return nil, fmt.Errorf("%w: signature does not verify with the %s: %w", ErrNotification, c.s.publicKeyName(), err)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotification, err)
	}
	kinds, known := notificationKinds[n.Method]
	id, orderID := n.NotificationID(), n.OrderID()
	if !known {
		// A method added after this adapter was written (§6.2: reply OK after verifying).
		// It is acknowledged, so that Trustly stops redelivering it, and reaches the
		// application as Other with the raw body.
		return c.otherNotification(r, n), nil
	}
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
	if n.Method == "account" {
		accountID, _ := n.Get("accountid")
		verified, ok := n.Get("verified")
		if accountID == "" || !ok {
			return nil, reject("account notification without accountid or verified")
		}
		ev.AccountID = accountID
		ev.ProviderStatus = "verified=" + verified
	}

	var d decision
	if isSet(n.Data["refund"]) || isSet(n.Attributes()["refund"]) {
		d = decision{class: classDDRefund}
	} else {
		d = c.orders.classify(orderID, n.MessageID(), id, func(rec *orderRecord) decision { return readNotification(rec, id, n.Method, ev.Amount) })
	}
	ev.Kind = kinds[d.class]
	switch d.class {
	case classDeposit, classDDRefund:
		ev.PaymentID = orderID
	case classDepositRefund:
		ev.PaymentID, ev.RefundID = orderID, d.refundID
	case classPayout:
		ev.PayoutID = orderID
	}
	switch {
	case n.Method == "account" && ev.ProviderStatus != "verified=1":
		ev.Kind = notify.AccountFailed
	case n.Method == "cancel" && d.class == classDeposit && d.afterPending:
		// The end user finished the deposit (pending) but the bank never confirmed it: the
		// payment failed rather than being abandoned.
		ev.Kind = notify.PaymentFailed
	}
	if ev.Kind == notify.AccountVerified || ev.Kind == notify.AccountFailed {
		ev.VerificationID = orderID // the SelectAccount order VerifyAccount returned
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

// readNotification decides what a notification of method on the order rec concerns,
// updating rec. rec.kind is orderUnknown for an order the Client has no record of.
func readNotification(rec *orderRecord, notificationID, method string, amount money.Amount) decision {
	switch rec.kind {
	case orderPayout:
		return decision{class: classPayout}
	case orderSelectAccount:
		return decision{class: classAccount}
	case orderUnknown:
		if method != "pending" {
			return decision{class: classUnknown}
		}
		// Only deposits have pending notifications (direct-debit refunds, which also do,
		// carry "refund":"1"): the order is a deposit.
		rec.kind = orderDeposit
	}
	// A deposit. Its own notifications are pending, then credit (or cancel), and debit if a
	// credited deposit fails later. A refund's outcome arrives on the same order: a
	// payoutconfirmation when Trustly confirms it, a credit (money back to the merchant) or
	// a cancel when it fails (§4.2, §6.3).
	switch method {
	case "pending":
		rec.pending = true
		return decision{class: classDeposit}
	case "payoutconfirmation":
		return decision{class: classDepositRefund, refundID: rec.settle(amount)}
	case "credit", "cancel":
		if rec.credited == "" && !rec.hasUnqueuedRefunds() {
			if method == "credit" {
				rec.credited = notificationID
				for i := range rec.refunds {
					rec.refunds[i].queued = false
				}
			}
			return decision{class: classDeposit, afterPending: rec.pending}
		}
		return decision{class: classDepositRefund, refundID: rec.settle(amount)}
	}
	return decision{class: classDeposit}
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
