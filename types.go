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
	// PayoutRequest asks to send money to a verified account.
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
	OpGetPayout                = provider.OpGetPayout
	OpVerifyAccount            = provider.OpVerifyAccount
	OpVerifyAccountInteractive = provider.OpVerifyAccountInteractive
	OpGetAccountVerification   = provider.OpGetAccountVerification
	OpCustomers                = provider.OpCustomers
	OpNotifications            = provider.OpNotifications
)
