package paybridge

import "github.com/paybridge/paybridge/provider"

// Request and result types. They are defined in package provider, which adapters import, and
// aliased here so that application code needs only package paybridge (and money).
type (
	// PaymentRequest asks for a pay-in; see provider.PaymentRequest.
	PaymentRequest = provider.PaymentRequest
	// Payment is a pay-in as the provider reports it.
	Payment = provider.Payment
	// RefundRequest asks to return money from a succeeded payment.
	RefundRequest = provider.RefundRequest
	// Refund is a refund as the provider reports it.
	Refund = provider.Refund
	// PayoutRequest asks to send money to a verified account, or to one the payee
	// chooses on the provider's page.
	PayoutRequest = provider.PayoutRequest
	// Payout is a payout as the provider reports it.
	Payout = provider.Payout
	// VerifyAccountRequest asks to verify a bank account for payouts.
	VerifyAccountRequest = provider.VerifyAccountRequest
	// AccountVerification is the result of VerifyAccount.
	AccountVerification = provider.AccountVerification
	// Customer is a customer record at the provider.
	Customer = provider.Customer
	// CustomerUpdate is a partial update of a Customer.
	CustomerUpdate = provider.CustomerUpdate
	// ListCustomersRequest filters a customer listing.
	ListCustomersRequest = provider.ListCustomersRequest
	// CustomerPage is one page of customers.
	CustomerPage = provider.CustomerPage
	// Person describes an end user.
	Person = provider.Person
	// Address is a postal address.
	Address = provider.Address
	// BankAccount identifies a bank account by its details.
	BankAccount = provider.BankAccount
	// CaptureMode says when an approved payment's money is taken.
	CaptureMode = provider.CaptureMode
	// CaptureRequest asks to take money from an authorized payment.
	CaptureRequest = provider.CaptureRequest
	// Capture is one capture of an authorized payment.
	Capture = provider.Capture
	// CaptureStatus is the neutral status of a capture.
	CaptureStatus = provider.CaptureStatus
	// VoidRequest asks to release an authorization.
	VoidRequest = provider.VoidRequest
	// MandateRequest asks a payer to approve later charges.
	MandateRequest = provider.MandateRequest
	// Mandate is a payer's standing permission to be charged.
	Mandate = provider.Mandate
	// MandateStatus is the neutral status of a mandate.
	MandateStatus = provider.MandateStatus
	// ChargeRequest asks to collect money under a mandate.
	ChargeRequest = provider.ChargeRequest
	// CancelMandateRequest asks to cancel a mandate.
	CancelMandateRequest = provider.CancelMandateRequest
	// LedgerRequest selects the provider's movements between two times.
	LedgerRequest = provider.LedgerRequest
	// LedgerEntry is one movement on the provider's books.
	LedgerEntry = provider.LedgerEntry
	// LedgerKind says what moved money in a ledger entry.
	LedgerKind = provider.LedgerKind
	// BeforeSend is a per-request hook that reaches the adapter's wire request.
	BeforeSend = provider.BeforeSend
	// Operation names one capability.
	Operation = provider.Operation
	// PaymentStatus is the neutral status of a payment.
	PaymentStatus = provider.PaymentStatus
	// RefundStatus is the neutral status of a refund.
	RefundStatus = provider.RefundStatus
	// PayoutStatus is the neutral status of a payout.
	PayoutStatus = provider.PayoutStatus
	// VerificationStatus is the neutral status of an account verification.
	VerificationStatus = provider.VerificationStatus
)

// Statuses, re-exported from package provider.
const (
	PaymentPending        = provider.PaymentPending
	PaymentRequiresAction = provider.PaymentRequiresAction
	PaymentAuthorized     = provider.PaymentAuthorized
	PaymentSucceeded      = provider.PaymentSucceeded
	PaymentDeclined       = provider.PaymentDeclined
	PaymentFailed         = provider.PaymentFailed
	PaymentCanceled       = provider.PaymentCanceled
	PaymentExpired        = provider.PaymentExpired

	RefundPending   = provider.RefundPending
	RefundSucceeded = provider.RefundSucceeded
	RefundFailed    = provider.RefundFailed
	RefundCanceled  = provider.RefundCanceled

	PayoutPending   = provider.PayoutPending
	PayoutSucceeded = provider.PayoutSucceeded
	PayoutFailed    = provider.PayoutFailed
	PayoutCanceled  = provider.PayoutCanceled

	VerificationPending        = provider.VerificationPending
	VerificationRequiresAction = provider.VerificationRequiresAction
	VerificationVerified       = provider.VerificationVerified
	VerificationFailed         = provider.VerificationFailed

	CapturePending   = provider.CapturePending
	CaptureSucceeded = provider.CaptureSucceeded
	CaptureFailed    = provider.CaptureFailed
	CaptureCanceled  = provider.CaptureCanceled

	MandateRequiresAction = provider.MandateRequiresAction
	MandatePending        = provider.MandatePending
	MandateActive         = provider.MandateActive
	MandateFailed         = provider.MandateFailed
	MandateCanceled       = provider.MandateCanceled

	CaptureAutomatic = provider.CaptureAutomatic
	CaptureManual    = provider.CaptureManual

	LedgerPayment = provider.LedgerPayment
	LedgerRefund  = provider.LedgerRefund
	LedgerPayout  = provider.LedgerPayout
	LedgerFee     = provider.LedgerFee
	LedgerOther   = provider.LedgerOther
)

// Set returns a CustomerUpdate field that sets a value.
func Set[T any](v T) provider.Patch[T] { return provider.Set(v) }

// Clear returns a CustomerUpdate field that removes a value.
func Clear[T any]() provider.Patch[T] { return provider.Clear[T]() }

// Operations, re-exported from package provider.
const (
	OpPay                      = provider.OpPay
	OpGetPayment               = provider.OpGetPayment
	OpRefund                   = provider.OpRefund
	OpPartialRefund            = provider.OpPartialRefund
	OpMultipleRefunds          = provider.OpMultipleRefunds
	OpGetRefund                = provider.OpGetRefund
	OpPayout                   = provider.OpPayout
	OpPayoutInteractive        = provider.OpPayoutInteractive
	OpGetPayout                = provider.OpGetPayout
	OpVerifyAccount            = provider.OpVerifyAccount
	OpVerifyAccountInteractive = provider.OpVerifyAccountInteractive
	OpGetAccountVerification   = provider.OpGetAccountVerification
	OpCustomers                = provider.OpCustomers
	OpNotifications            = provider.OpNotifications
	OpCapture                  = provider.OpCapture
	OpPartialCapture           = provider.OpPartialCapture
	OpMultipleCaptures         = provider.OpMultipleCaptures
	OpGetCapture               = provider.OpGetCapture
	OpVoid                     = provider.OpVoid
	OpCreateMandate            = provider.OpCreateMandate
	OpGetMandate               = provider.OpGetMandate
	OpCancelMandate            = provider.OpCancelMandate
	OpCharge                   = provider.OpCharge
	OpLedger                   = provider.OpLedger
)
