package trustlyrest

import (
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/provider"
)

// Transaction types, numbered as in Trustly's OpenAPI document
// (https://amer.developers.trustly.com/openapi.json).
const (
	typeAuthorize = 1
	typePay       = 2
	typeCapture   = 3
	typeRefund    = 4
	typeDeposit   = 6
)

// Payment types (PaymentPaymentType in https://amer.developers.trustly.com/openapi.json):
// numbers in responses, webhooks and redirects; names in establish data.
const (
	paymentTypeInstant      = 1
	paymentTypeDeferred     = 2
	paymentTypeRecurring    = 3
	paymentTypeDisbursement = 4
	paymentTypeVerification = 5
	paymentTypeRetrieval    = 6
)

// Transaction statuses the adapter acts on
// (https://amer.developers.trustly.com/payments/docs/transaction-status).
const (
	statusNew        = 0
	statusPending    = 1
	statusAuthorized = 2
	statusProcessed  = 3
	statusCompleted  = 4
	statusCanceled   = 7
	statusReversed   = 10
	statusVoided     = 13
)

// statusRow is what one Trustly transaction status means for each neutral object.
type statusRow struct {
	name string
	// auth is the payment's status while its authorization (transactionType 1) is the latest
	// word: before any capture exists.
	auth provider.PaymentStatus
	// money is the payment's status read from the transaction that moves the money: the
	// capture (type 3) of a Deferred payment, or an Instant Pay (type 2).
	money  provider.PaymentStatus
	refund provider.RefundStatus
	payout provider.PayoutStatus
	// verify is the status of an account verification read from its Disbursement (or
	// Verification) authorization.
	verify provider.VerificationStatus
}

// statuses is the one table through which every numeric Trustly status is read
// (https://amer.developers.trustly.com/payments/docs/transaction-status). A status not
// listed reads as pendingRow: pending-like, never success.
//
// Notes on the less obvious rows:
//   - 0 New / 1 Pending on an authorization mean the payer has not finished at the bank, so
//     the payment still requires action; on a capture, refund or deposit they mean in flight.
//   - 2 Authorized / 3 Processed on an authorization mean the payer authorized and nothing is
//     captured yet; on a capture they are pending (3 = submitted to ACH, not settled).
//   - 8 Denied on an authorization is the bank declining; on a capture it is a returned debit
//     (for example NSF), a failure after authorization.
//   - 11 PartiallyRefunded / 12 Refunded on a capture keep the payment succeeded: refunds do
//     not change a payment's status (see Payment.Refunded).
//   - 13 Voided is a cancel through the API or portal.
var statuses = map[int]statusRow{
	0:  {"New", provider.PaymentRequiresAction, provider.PaymentPending, provider.RefundPending, provider.PayoutPending, provider.VerificationRequiresAction},
	1:  {"Pending", provider.PaymentRequiresAction, provider.PaymentPending, provider.RefundPending, provider.PayoutPending, provider.VerificationRequiresAction},
	2:  {"Authorized", provider.PaymentAuthorized, provider.PaymentPending, provider.RefundPending, provider.PayoutPending, provider.VerificationVerified},
	3:  {"Processed", provider.PaymentAuthorized, provider.PaymentPending, provider.RefundPending, provider.PayoutPending, provider.VerificationVerified},
	4:  {"Completed", provider.PaymentAuthorized, provider.PaymentSucceeded, provider.RefundSucceeded, provider.PayoutSucceeded, provider.VerificationVerified},
	5:  {"Failed", provider.PaymentFailed, provider.PaymentFailed, provider.RefundFailed, provider.PayoutFailed, provider.VerificationFailed},
	6:  {"Expired", provider.PaymentExpired, provider.PaymentFailed, provider.RefundFailed, provider.PayoutFailed, provider.VerificationFailed},
	7:  {"Canceled", provider.PaymentCanceled, provider.PaymentCanceled, provider.RefundCanceled, provider.PayoutCanceled, provider.VerificationFailed},
	8:  {"Denied", provider.PaymentDeclined, provider.PaymentFailed, provider.RefundFailed, provider.PayoutFailed, provider.VerificationFailed},
	10: {"Reversed", provider.PaymentFailed, provider.PaymentFailed, provider.RefundFailed, provider.PayoutFailed, provider.VerificationFailed},
	11: {"PartiallyRefunded", provider.PaymentAuthorized, provider.PaymentSucceeded, provider.RefundPending, provider.PayoutPending, provider.VerificationVerified},
	12: {"Refunded", provider.PaymentAuthorized, provider.PaymentSucceeded, provider.RefundPending, provider.PayoutPending, provider.VerificationVerified},
	13: {"Voided", provider.PaymentCanceled, provider.PaymentCanceled, provider.RefundCanceled, provider.PayoutCanceled, provider.VerificationFailed},
	14: {"OnHold", provider.PaymentPending, provider.PaymentPending, provider.RefundPending, provider.PayoutPending, provider.VerificationPending},
}

// rawStatusTexts holds rawStatus without a message for every code in the table.
var rawStatusTexts = func() map[int]string {
	m := make(map[int]string, len(statuses))
	for code, r := range statuses {
		m[code] = strconv.Itoa(code) + " " + r.name
	}
	return m
}()

// pendingRow is the reading of a status missing from the table.
var pendingRow = statusRow{"Unknown", provider.PaymentPending, provider.PaymentPending, provider.RefundPending, provider.PayoutPending, provider.VerificationPending}

// statusOf returns the table row for a status code.
func statusOf(code int) statusRow {
	if r, ok := statuses[code]; ok {
		return r
	}
	return pendingRow
}

// rawStatus is the provider status text kept beside a neutral status: the code and its name,
// e.g. "4 Completed". A status message from Trustly, when different from the name, follows.
func rawStatus(code int, message string) string {
	if text, ok := rawStatusTexts[code]; ok && (message == "" || message == statusOf(code).name) {
		return text
	}
	s := strconv.Itoa(code) + " " + statusOf(code).name
	if message != "" && message != statusOf(code).name {
		s += " (" + message + ")"
	}
	return s
}

// isPaymentAuthorization reports whether a transaction is the authorization of a pay-in:
// type 1 under a Deferred payment, or an Instant Pay (type 2). The authorization of a
// Recurring payment is a mandate (see isMandate).
func isPaymentAuthorization(t *wireTransaction) bool {
	switch int(t.TransactionType) {
	case typePay:
		return true
	case typeAuthorize:
		pt := t.paymentType()
		return pt == paymentTypeDeferred || pt == paymentTypeInstant
	}
	return false
}

// isManual reports whether a payment's authorization was made with CaptureManual: its
// merchantReference ends in the manual suffix (see ManualPaymentReference).
func isManual(t *wireTransaction) bool {
	return int(t.TransactionType) == typeAuthorize && t.paymentType() == paymentTypeDeferred &&
		strings.HasSuffix(t.reference(), manualSuffix)
}

// autoCaptured reports whether a transaction is the authorization of a payment the adapter
// captures itself: a Deferred payment's authorization not made with CaptureManual.
func autoCaptured(t *wireTransaction) bool {
	return int(t.TransactionType) == typeAuthorize && t.paymentType() == paymentTypeDeferred && !isManual(t)
}

// isPayoutAuthorization reports whether a transaction is the Disbursement authorization of
// an interactive payout: its merchantReference ends in the payout page suffix (see
// InteractivePayoutReference), which only Payout sends.
func isPayoutAuthorization(t *wireTransaction) bool {
	return int(t.TransactionType) == typeAuthorize && t.paymentType() == paymentTypeDisbursement &&
		strings.HasSuffix(t.reference(), payoutPageSuffix)
}

// isPayoutDeposit reports whether a transaction is the deposit the adapter made for an
// interactive payout: a deposit whose merchantReference is its authorization's followed by
// the deposit suffix (see depositReference).
func isPayoutDeposit(t *wireTransaction) bool {
	return int(t.TransactionType) == typeDeposit && strings.HasSuffix(t.MerchantReference, payoutPageSuffix+".d")
}

// isMandate reports whether a transaction is a mandate: the authorization (type 1) of a
// Recurring payment.
func isMandate(t *wireTransaction) bool {
	return int(t.TransactionType) == typeAuthorize && t.paymentType() == paymentTypeRecurring
}

// isCharge reports whether a transaction is a charge under a mandate: a capture (type 3)
// of a Recurring payment.
func isCharge(t *wireTransaction) bool {
	return int(t.TransactionType) == typeCapture && t.paymentType() == paymentTypeRecurring
}

// live reports whether a capture (or deposit) still counts against its authorization:
// it was not voided, canceled, denied, failed or expired.
func live(t *wireTransaction) bool {
	switch int(t.Status) {
	case statusVoided, statusCanceled, 5, 6, 8:
		return false
	}
	return true
}

// captureStatus reads a capture's neutral status through the table's "money" column.
func captureStatus(code int) provider.CaptureStatus {
	switch statusOf(code).money {
	case provider.PaymentSucceeded:
		return provider.CaptureSucceeded
	case provider.PaymentFailed, provider.PaymentDeclined, provider.PaymentExpired:
		return provider.CaptureFailed
	case provider.PaymentCanceled:
		return provider.CaptureCanceled
	}
	return provider.CapturePending
}

// mandateStatus reads a mandate's neutral status from its authorization's status: 0 New
// and 1 Pending wait for the payer; 2 Authorized (and the later statuses of an
// authorization) can be charged; 14 OnHold waits for Trustly's verification; 13 Voided is
// a cancellation; 5 Failed, 6 Expired, 7 Canceled (the payer left the page), 8 Denied and
// 10 Reversed mean it was never approved. Unknown statuses are pending, never active.
func mandateStatus(code int) provider.MandateStatus {
	switch code {
	case statusNew, statusPending:
		return provider.MandateRequiresAction
	case statusAuthorized, statusProcessed, statusCompleted, 11, 12:
		return provider.MandateActive
	case statusVoided:
		return provider.MandateCanceled
	case 5, 6, statusCanceled, 8, 10:
		return provider.MandateFailed
	}
	return provider.MandatePending
}

// isAccountAuthorization reports whether a transaction is an authorization obtained to verify
// an account or pay out to it: type 1 under a Disbursement, Verification or Retrieval payment.
func isAccountAuthorization(t *wireTransaction) bool {
	if int(t.TransactionType) != typeAuthorize {
		return false
	}
	pt := t.paymentType()
	return pt == paymentTypeDisbursement || pt == paymentTypeVerification || pt == paymentTypeRetrieval
}
