package trustlyrestsim

import (
	"errors"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// Test hooks that make the simulator send the notifications no API call triggers.

// ErrNoSuchTransaction is returned by the notification hooks for an unknown transaction.
var ErrNoSuchTransaction = errors.New("trustlyrestsim: no such transaction")

// ErrNotDisputable is returned by SendDispute for a transaction that took no money.
var ErrNotDisputable = errors.New("trustlyrestsim: only a completed capture or Pay transaction can be disputed")

// ErrNoBankData is returned by SendDataReady for a transaction whose payer has not
// authorized it.
var ErrNoBankData = errors.New("trustlyrestsim: the transaction has no bank data: its payer has not authorized it")

// SendNotification sends a notification of any eventType about a transaction, with its
// current status and type, as Trustly sends its events: Trustly's documentation lists more
// event types than its API reference models (Cancel, Cancelled, Deny, Process, Complete,
// Completed, Expire, Expired, Refund, Reverse, Reconcile, Update, Refresh, VerifyCustomer,
// CONSENT_REVOKED, …; https://amer.developers.trustly.com/payments/docs/handle-event-notifications),
// with the common fields, then extra key/value pairs (a Refresh's success, a
// VerifyCustomer's customer.name). It returns the notification's eventId ("" when the
// transaction's merchant has no notification URL).
func (s *Server) SendNotification(transactionID, eventType string, extra ...string) (string, error) {
	return s.notifyAbout(transactionID, func(t *tx) (string, error) {
		var f signing.Form
		for i := 0; i+1 < len(extra); i += 2 {
			f = append(f, signing.Pair{Key: extra[i], Value: extra[i+1]})
		}
		return s.sendLocked(t, eventType, f), nil
	})
}

// notifyAbout runs send, under the server's lock, on the transaction id names; an
// unknown id is ErrNoSuchTransaction.
func (s *Server) notifyAbout(id string, send func(t *tx) (string, error)) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txs[id]
	if t == nil {
		return "", ErrNoSuchTransaction
	}
	return send(t)
}

// collected reports whether t is a capture or Pay transaction whose money was taken:
// completed, perhaps refunded since.
func collected(t *tx) bool {
	return (t.typ == typeCapture || t.typ == typePay) && (t.status == stCompleted || t.status == stPartRefund || t.status == stRefunded)
}

// ErrNotReversible is returned by Reverse for a transaction that is not a completed (perhaps
// refunded) capture or Pay transaction.
var ErrNotReversible = errors.New("trustlyrestsim: only a completed capture or Pay transaction can be reversed")

// Reverse has the payer's bank take back a completed capture (or Pay transaction): it
// becomes 10 Reversed ("charged back by bank or Trustly",
// https://amer.developers.trustly.com/payments/docs/transaction-status) and a Reverse
// notification is sent. It returns the notification's eventId.
func (s *Server) Reverse(transactionID string) (string, error) {
	return s.notifyAbout(transactionID, func(t *tx) (string, error) {
		if !collected(t) {
			return "", ErrNotReversible
		}
		t.setStatus(stReversed, "AC112")
		return s.sendLocked(t, "Reverse", nil), nil
	})
}

// SendDataReady sends the DataReady notification of a bank authorization the payer
// authorized: its bank data can be read from the account data endpoints. It returns the
// notification's eventId.
func (s *Server) SendDataReady(transactionID string) (string, error) {
	return s.notifyAbout(transactionID, func(t *tx) (string, error) {
		if (t.typ != typeAuthorize && t.typ != typePay) || !t.reached || t.pay.accountLast4 == "" {
			return "", ErrNoBankData
		}
		return s.sendLocked(t, "DataReady", nil), nil
	})
}

// SendDispute sends the Dispute notification of a completed capture (or Pay transaction)
// whose debit the payer's bank returned, with returnType (an ACH return code such as
// "R10"; [I] Trustly does not list its values). The payload has the fields of Trustly's
// Dispute webhook (https://amer.developers.trustly.com/openapi.json): createdAt, eventId,
// eventType, objectId, objectType, reference, transactionId, transactionDatetime,
// returnType, customerId, returnDatetime and amountReturned — no status nor
// transactionType — with the merchantId and accessId every notification carries. [I] The
// dates are epoch milliseconds, as Trustly's other times. The transaction's status does
// not change. It returns the notification's eventId.
func (s *Server) SendDispute(transactionID, returnType string) (string, error) {
	return s.notifyAbout(transactionID, func(t *tx) (string, error) {
		if !collected(t) && !((t.typ == typeCapture || t.typ == typePay) && t.status == stReversed) {
			return "", ErrNotDisputable
		}
		return s.sendDisputeLocked(t, returnType), nil
	})
}

// sendDisputeLocked sends the Dispute notification of t; s.mu must be held.
func (s *Server) sendDisputeLocked(t *tx, returnType string) string {
	m := t.pay.m
	url, eventID := s.eventForLocked(t)
	if url == "" {
		return ""
	}
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	custID, _ := t.pay.customer["customerId"].(string)
	f := signing.Form{
		{Key: "merchantId", Value: m.merchantID},
		{Key: "eventId", Value: eventID},
		{Key: "eventType", Value: "Dispute"},
		{Key: "objectId", Value: t.id},
		{Key: "objectType", Value: "Transaction"},
		{Key: "reference", Value: t.merchantRef},
		{Key: "transactionId", Value: t.id},
		{Key: "transactionDatetime", Value: strconv.FormatInt(t.createdAt.UnixMilli(), 10)},
		{Key: "returnType", Value: returnType},
		{Key: "customerId", Value: custID},
		{Key: "returnDatetime", Value: now},
		{Key: "amountReturned", Value: formatCents(t.amount)},
		{Key: "timeZone", Value: "Etc/UTC"},
		{Key: "createdAt", Value: now},
		{Key: "accessId", Value: m.accessID},
	}
	s.deliverLocked(m, t, "Dispute", eventID, url, f)
	return eventID
}
