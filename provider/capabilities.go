package provider

import (
	"slices"

	"github.com/paybridge/paybridge/money"
)

// Operation names one thing a provider may support.
type Operation string

// The operations a Gateway offers.
const (
	OpPay                      Operation = "pay"
	OpGetPayment               Operation = "get_payment"
	OpRefund                   Operation = "refund"
	OpPartialRefund            Operation = "partial_refund"
	OpMultipleRefunds          Operation = "multiple_refunds"
	OpGetRefund                Operation = "get_refund"
	OpPayout                   Operation = "payout"
	OpGetPayout                Operation = "get_payout"
	OpVerifyAccount            Operation = "verify_account"
	OpVerifyAccountInteractive Operation = "verify_account_interactive"
	OpGetAccountVerification   Operation = "get_account_verification"
	OpCustomers                Operation = "customers"
	OpNotifications            Operation = "notifications"
)

// AllOperations lists every Operation in a stable order, for reports.
var AllOperations = []Operation{
	OpPay, OpGetPayment, OpRefund, OpPartialRefund, OpMultipleRefunds, OpGetRefund,
	OpPayout, OpGetPayout, OpVerifyAccount, OpVerifyAccountInteractive,
	OpGetAccountVerification, OpCustomers, OpNotifications,
}

// Capabilities describes what a provider (as configured) supports. The Gateway refuses an
// operation or currency that Capabilities excludes with a NotSupported error before the
// adapter is called, so Capabilities and behaviour always agree.
type Capabilities struct {
	// Operations supported.
	Operations []Operation
	// Currencies accepted for payments, refunds and payouts; empty means any currency the
	// provider may accept (the provider decides).
	Currencies []money.Currency
	// CustomerFields lists the Customer fields the provider stores, by Go field name
	// ("ExternalID", "FirstName", "LastName", "Email", "Phone", "DateOfBirth", "Address",
	// "Group"); empty means all of them. The Gateway refuses a customer, update or listing
	// filter that uses any other field with an InvalidRequest error naming it, rather than
	// let the field be dropped silently.
	CustomerFields []string
	// RepeatableWrites lists the writes (OpPay, OpRefund, OpPayout, OpVerifyAccount) that
	// the adapter makes idempotent by construction: sending the same request again with
	// the same idempotency key can never act twice at the provider (Trustly JSON-RPC
	// resends the byte-identical signed request, for example). Only these are retried by
	// the Gateway after an UnknownOutcome, or sent again to settle a call whose outcome is
	// unknown; others return it to the caller.
	RepeatableWrites []Operation
	// Notes explains limits in words, e.g. why an operation is missing.
	Notes map[Operation]string
}

// StoresCustomerField reports whether the provider stores the named Customer field.
func (c Capabilities) StoresCustomerField(name string) bool {
	return len(c.CustomerFields) == 0 || slices.Contains(c.CustomerFields, name)
}

// Supports reports whether op is supported.
func (c Capabilities) Supports(op Operation) bool { return slices.Contains(c.Operations, op) }

// SupportsCurrency reports whether payments in cur are accepted.
func (c Capabilities) SupportsCurrency(cur money.Currency) bool {
	return len(c.Currencies) == 0 || slices.Contains(c.Currencies, cur)
}
