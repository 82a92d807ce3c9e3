package trustly

import "github.com/paybridge/paybridge/notify"

// orderClass is what a notification concerns, for the kind table.
type orderClass int

const (
	classDeposit       orderClass = iota // a deposit (the payment itself)
	classDepositRefund                   // an ordinary refund of a deposit, on the deposit's order
	classDDRefund                        // a direct-debit refund ("refund":"1" on the original order)
	classPayout                          // an AccountPayout or a Withdraw
	classAccount                         // an account selection
	classMandate                         // an account selection with a direct-debit mandate (CreateMandate)
	classUnknown                         // an order no recorded call created, or no record was given
	numClasses
)

// notificationKinds is the one table from Trustly notification methods to event kinds,
// per class. A signed notification of a method missing from it is reported as Other.
// Trustly sends credit, cancel, debit and payoutconfirmation for deposits, refunds and
// payouts alike (https://eu.developers.trustly.com/doc/reference/notifications-overview),
// so on an order no recorded call created they mean nothing certain: Other.
var notificationKinds = map[string][numClasses]notify.Kind{
	//                     deposit                 refund of a deposit     direct-debit refund     payout                  account selection       mandate                 unrecorded order
	"credit":  {notify.PaymentSucceeded, notify.RefundFailed, notify.RefundFailed, notify.PayoutFailed, notify.Other, notify.Other, notify.Other},
	"pending": {notify.PaymentPending, notify.Other, notify.Other, notify.Other, notify.Other, notify.Other, notify.PaymentPending},
	"cancel":  {notify.PaymentCanceled, notify.RefundFailed, notify.RefundFailed, notify.PayoutFailed, notify.AccountFailed, notify.MandateFailed, notify.Other},
	// On a payout's order a debit is a Withdraw's: the payee chose the account and asks
	// for the money (see classify), which the merchant answers OK or FAILED.
	"debit":              {notify.PaymentFailed, notify.PaymentFailed, notify.RefundSucceeded, notify.PayoutRequested, notify.Other, notify.Other, notify.Other},
	"payoutconfirmation": {notify.Other, notify.RefundSucceeded, notify.RefundSucceeded, notify.PayoutSucceeded, notify.Other, notify.Other, notify.Other},
	// On a mandate's order, directdebitmandate decides: 1 is MandateActive, 0 (the bank
	// has not registered it yet) MandatePending.
	"account": {notify.AccountVerified, notify.AccountVerified, notify.AccountVerified, notify.AccountVerified, notify.AccountVerified, notify.MandatePending, notify.AccountVerified},
	// Trustly sends kyc only for a Deposit made with RequestKYC "1"
	// (https://eu.developers.trustly.com/doc/reference/kyc-notification), so on an order
	// no record describes it still concerns a deposit.
	"kyc": {notify.PaymentIdentified, notify.Other, notify.Other, notify.Other, notify.Other, notify.Other, notify.PaymentIdentified},
}

// amountRequired lists the methods whose data must carry amount and currency.
var amountRequired = map[string]bool{"credit": true, "debit": true, "payoutconfirmation": true}
