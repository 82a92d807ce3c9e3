package trustlyrest

import (
	"context"
	"fmt"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
)

// The eventTypes whose news is not in the transaction's status, and which are therefore
// read by their eventType together with the transaction's type (see fillByEventType). The
// names are those of Trustly's webhooks
// (https://amer.developers.trustly.com/api-reference/api/event-notifications/*) and of its
// "Handle webhooks" page
// (https://amer.developers.trustly.com/payments/docs/handle-event-notifications), compared
// without regard to case.
const (
	eventDispute        = "Dispute"
	eventDataReady      = "DataReady"
	eventRefresh        = "Refresh"
	eventVerifyCustomer = "VerifyCustomer"
	eventConsentRevoked = "CONSENT_REVOKED"
)

// Dispute is what a Dispute notification reports: a debit the payer's bank returned, which
// opened a dispute (the Dispute webhook of https://amer.developers.trustly.com/openapi.json).
type Dispute struct {
	// TransactionID is the disputed transaction, Reference its reference, CustomerID the
	// payer's customer id at Trustly (when the payment has a customer).
	TransactionID, Reference, CustomerID string
	// ReturnType is the type of the return (an ACH return code, [I] Trustly lists no
	// values).
	ReturnType string
	// AmountReturned is the amount the bank returned, in the disputed transaction's
	// currency (zero Amount when the notification carries none, or an unreadable one).
	AmountReturned money.Amount
	// TransactionDatetime and ReturnDatetime are Trustly's texts for when the transaction
	// was made and returned (Trustly does not document their format).
	TransactionDatetime, ReturnDatetime string

	amountText string
}

// fillByEventType handles the notifications whose eventType, not their status, carries the
// news, and reports whether it did. It never trusts the eventType alone: the kind also
// depends on the transaction's type, read back from Trustly where the notification does not
// carry it or where the event is of a kind the Gateway does not match to a call.
//
//	Dispute                → payment.disputed, for a capture or Pay transaction (read back:
//	                         a Dispute carries no transactionType); other otherwise
//	DataReady, Refresh     → bank_data.ready, for a bank authorization (read back); a Refresh
//	                         whose success is not true, and any other transaction, → other
//	VerifyCustomer         → other (see below)
//	CONSENT_REVOKED        → mandate.canceled for a Recurring authorization [I]; other
//	                         otherwise
//
// Confirmation. The Gateway matches payment.disputed and mandate.canceled to the call that
// made the payment or mandate; it matches no call for bank_data.ready (nor identity.*),
// whose events it passes on the adapter's word (see paybridge's ownEvent). What proves a
// Trustly REST notification is this merchant's is its signature: Trustly signs each
// merchant's notifications with that merchant's own accessKey (HMAC over the decoded body,
// https://amer.developers.trustly.com/payments/reference/validate-the-notification-signature),
// which only Trustly and the merchant hold — unlike a provider signing every merchant's
// notifications with one key, where a valid signature says nothing about whose event it is.
// On top of that, the adapter reads the transaction of a bank_data.ready event back with
// the merchant's credentials before passing it on, so the event names a transaction this
// merchant can read (another merchant's is NotFound, and the event is refused), and takes
// its kind and ids from the transaction Trustly answers, not from the notification's fields.
//
// VerifyCustomer stays notify.Other. Its payload carries the transaction's status and
// customer.name (the VerifyCustomer webhook of https://amer.developers.trustly.com/openapi.json),
// neither of which Trustly documents as the check's outcome: the outcome is at GET
// /transactions/{id}/payment/customer/verify, one match result per attribute compared
// (-1 Inconclusive, 0 NoMatch, 1 PartialMatch, 2 Match), and whether those add up to a
// verified identity is the merchant's rule. The event is passed on with its ids, as other.
func (c *Client) fillByEventType(ctx context.Context, w *webhook, ev *notify.Event) (bool, error) {
	switch et := w.eventType; {
	case strings.EqualFold(et, eventDispute):
		return true, c.fillDispute(ctx, w, ev)
	case strings.EqualFold(et, eventDataReady), strings.EqualFold(et, eventRefresh):
		return true, c.fillBankData(ctx, w, ev)
	case strings.EqualFold(et, eventVerifyCustomer):
		ev.Kind = notify.Other
		authorizationIDs(ev, w.objectID, w.txType, w.paymentT)
		return true, nil
	case strings.EqualFold(et, eventConsentRevoked):
		return true, c.fillConsentRevoked(ctx, w, ev)
	}
	return false, nil
}

// authorizationIDs names a bank authorization in the event as the Gateway's calls name it:
// the verification and account of a Disbursement, Verification or Retrieval authorization,
// the mandate of a Recurring one, the payment otherwise (also an Instant Pay).
func authorizationIDs(ev *notify.Event, id string, txType, paymentType int) {
	if txType != typeAuthorize && txType != typePay {
		return
	}
	switch paymentType {
	case paymentTypeDisbursement, paymentTypeVerification, paymentTypeRetrieval:
		ev.AccountID, ev.VerificationID = id, id
	case paymentTypeRecurring:
		ev.MandateID = id
	default:
		ev.PaymentID = id
	}
}

// readBack reads the notification's transaction with the merchant's credentials and takes
// its type, status and payment type from Trustly's answer.
func (c *Client) readBack(ctx context.Context, w *webhook, what string) (*wireTransaction, error) {
	t, err := c.getTransaction(ctx, w.objectID)
	if err != nil {
		return nil, fmt.Errorf("trustlyrest: reading the %s notification's transaction: %w", what, err)
	}
	w.txType, w.status, w.paymentT = int(t.TransactionType), int(t.Status), t.paymentType()
	if w.statusMsg == "" {
		w.statusMsg = t.StatusMessage
	}
	return t, nil
}

// fillDispute maps a Dispute: the disputed transaction is read back, and a capture or Pay
// transaction — the ones that took the payer's money — makes it a payment.disputed event
// naming the payment as the Gateway's calls returned it (the authorization of a payment the
// adapter captured itself or captured with Capture, with CaptureID for the latter; the
// capture of a charge, with MandateID; the Pay transaction of an Instant payment). The
// disputed transaction's status is left as it is: Trustly reports a reversal separately
// (status 10, payment.reversed).
func (c *Client) fillDispute(ctx context.Context, w *webhook, ev *notify.Event) error {
	t, err := c.readBack(ctx, w, eventDispute)
	if err != nil {
		return err
	}
	ev.ProviderStatus = rawStatus(w.status, w.statusMsg)
	if d := w.dispute; d != nil && d.amountText != "" {
		d.AmountReturned, _ = parseAmount(d.amountText, t.currency(), money.Currency{})
	}
	ev.Kind = notify.PaymentDisputed
	switch {
	case int(t.TransactionType) == typePay:
		ev.PaymentID = t.id()
	case isCharge(t):
		ev.PaymentID, ev.MandateID = t.id(), string(t.OriginalTransactionID)
	case int(t.TransactionType) == typeCapture && validID(string(t.OriginalTransactionID)):
		ev.PaymentID = string(t.OriginalTransactionID)
		if !strings.HasSuffix(t.MerchantReference, ".c") {
			ev.CaptureID = t.id() // a capture made with Capture
		}
	default:
		// [I] Nothing the payer's bank could return: not a payment's dispute.
		ev.Kind = notify.Other
	}
	ev.MerchantReference = callerReference(t.reference())
	return nil
}

// fillBankData maps DataReady and Refresh: the bank data of an authorization can be read
// (GetUser, GetUserAccounts, AccountBalance). The transaction is read back first (see
// fillByEventType). A Refresh carries success (the Refresh webhook of
// https://amer.developers.trustly.com/openapi.json); one that does not report
// success=true refreshed nothing that can be relied on: other. A missing success is not
// taken for true: the signature covers the decoded body, so re-encoding the separator
// before success ("%26success%3D") merges a failed Refresh's success=false into the field
// before it without breaking the signature.
func (c *Client) fillBankData(ctx context.Context, w *webhook, ev *notify.Event) error {
	t, err := c.readBack(ctx, w, w.eventType)
	if err != nil {
		return err
	}
	ev.ProviderStatus = rawStatus(w.status, w.statusMsg)
	ev.Kind = notify.Other
	if typ := int(t.TransactionType); typ == typeAuthorize || typ == typePay {
		authorizationIDs(ev, t.id(), typ, t.paymentType())
		if !strings.EqualFold(w.eventType, eventRefresh) || strings.EqualFold(w.success, "true") {
			ev.Kind = notify.BankDataReady
		}
	}
	return nil
}

// fillConsentRevoked maps CONSENT_REVOKED, which Trustly lists as "in development": the
// payer revoked their consent to data access or future payments
// (https://amer.developers.trustly.com/payments/docs/handle-event-notifications). [I] On a
// Recurring authorization it ends the mandate: mandate.canceled. Trustly's cancel
// documentation asks the merchant to cancel an authorization whose user revoked access
// (https://amer.developers.trustly.com/api-reference/api/transactions/post-transactions-cancel):
// the authorization is not voided until CancelMandate is called, so GetMandate may still
// read it active. Any other authorization is other. The payment type is the notification's,
// or read back when it carries none.
func (c *Client) fillConsentRevoked(ctx context.Context, w *webhook, ev *notify.Event) error {
	if w.paymentT < 0 || w.txType < 0 {
		if _, err := c.readBack(ctx, w, eventConsentRevoked); err != nil {
			return err
		}
	}
	ev.Kind = notify.Other
	authorizationIDs(ev, w.objectID, w.txType, w.paymentT)
	if w.txType == typeAuthorize && w.paymentT == paymentTypeRecurring {
		ev.Kind = notify.MandateCanceled
	}
	return nil
}
