package provider

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paybridge/paybridge/money"
)

// Operation names one thing a provider may support.
type Operation string

// The operations a Gateway offers.
const (
	OpPay             Operation = "pay"
	OpGetPayment      Operation = "get_payment"
	OpRefund          Operation = "refund"
	OpPartialRefund   Operation = "partial_refund"
	OpMultipleRefunds Operation = "multiple_refunds"
	OpGetRefund       Operation = "get_refund"
	OpPayout          Operation = "payout"
	// OpPayoutInteractive is Payout without an AccountID: the payee chooses the account
	// on the provider's page (PayoutRequest.ReturnURL, Payout.RedirectURL).
	OpPayoutInteractive        Operation = "payout_interactive"
	OpGetPayout                Operation = "get_payout"
	OpVerifyAccount            Operation = "verify_account"
	OpVerifyAccountInteractive Operation = "verify_account_interactive"
	OpGetAccountVerification   Operation = "get_account_verification"
	OpCustomers                Operation = "customers"
	OpNotifications            Operation = "notifications"
	// OpCapture is Capture of a payment made with CaptureManual, for its whole amount.
	OpCapture Operation = "capture"
	// OpPartialCapture: a capture may take less than the authorized amount.
	OpPartialCapture Operation = "partial_capture"
	// OpMultipleCaptures: a payment may be captured more than once, up to its amount.
	OpMultipleCaptures Operation = "multiple_captures"
	OpGetCapture       Operation = "get_capture"
	OpVoid             Operation = "void"
	OpCreateMandate    Operation = "create_mandate"
	OpGetMandate       Operation = "get_mandate"
	OpCancelMandate    Operation = "cancel_mandate"
	OpCharge           Operation = "charge"
	// OpLedger is Ledger: the provider's movements between two times, for reconciliation.
	OpLedger Operation = "ledger"
)

// AllOperations lists every Operation in a stable order, for reports.
var AllOperations = []Operation{
	OpPay, OpGetPayment, OpRefund, OpPartialRefund, OpMultipleRefunds, OpGetRefund,
	OpPayout, OpPayoutInteractive, OpGetPayout, OpVerifyAccount, OpVerifyAccountInteractive,
	OpGetAccountVerification, OpCustomers, OpNotifications,
	OpCapture, OpPartialCapture, OpMultipleCaptures, OpGetCapture, OpVoid,
	OpCreateMandate, OpGetMandate, OpCancelMandate, OpCharge, OpLedger,
}

// writes are the operations the Gateway records in its journal, in AllOperations order.
var writes = []Operation{OpPay, OpRefund, OpPayout, OpVerifyAccount, OpCapture, OpVoid,
	OpCreateMandate, OpCancelMandate, OpCharge}

// IsWrite reports whether op is a write: a call the Gateway records in its journal and
// never repeats blindly.
func IsWrite(op Operation) bool { return slices.Contains(writes, op) }

// Capabilities says what the interfaces a provider implements cannot: which operations
// exist follows from those interfaces (see OperationsOf), and Capabilities only refines
// them. The Gateway refuses an operation or currency outside them with a NotSupported
// error before the adapter is called, and refuses, when it is made, Capabilities that
// disagree with the interfaces (see CheckCapabilities).
type Capabilities struct {
	// PartialRefunds says a refund may return less than the payment's amount
	// (OpPartialRefund). It needs a Refunder.
	PartialRefunds bool
	// MultipleRefunds says a payment may be refunded more than once, up to its amount
	// (OpMultipleRefunds). It needs PartialRefunds.
	MultipleRefunds bool
	// InteractiveVerification says VerifyAccount without an Account sends the holder to
	// confirm an account at their bank (OpVerifyAccountInteractive). It needs an
	// AccountVerifier.
	InteractiveVerification bool
	// InteractivePayouts says Payout without an AccountID sends the payee to choose the
	// account on the provider's page (OpPayoutInteractive). It needs a Payouter.
	InteractivePayouts bool
	// PartialCaptures says a capture may take less than the authorized amount
	// (OpPartialCapture). It needs a Capturer.
	PartialCaptures bool
	// MultipleCaptures says an authorized payment may be captured more than once, up to
	// its amount (OpMultipleCaptures). It needs PartialCaptures.
	MultipleCaptures bool
	// Unavailable lists operations the adapter's interfaces provide but the provider, as
	// configured, cannot perform: a read the provider's API lacks, or an operation that
	// needs a credential the adapter was not given. Only operations an interface provides
	// may be named (not OpPartialRefund, OpMultipleRefunds, OpPayoutInteractive,
	// OpVerifyAccountInteractive, OpPartialCapture or OpMultipleCaptures, which the fields
	// above decide); say why in
	// Notes.
	Unavailable []Operation
	// Currencies accepted for payments, refunds and payouts; empty means any currency the
	// provider may accept (the provider decides).
	Currencies []money.Currency
	// CustomerFields lists the Customer fields the provider stores, by Go field name
	// ("ExternalID", "FirstName", "LastName", "Email", "Phone", "DateOfBirth", "Address",
	// "Group"); empty means all of them. The Gateway refuses a customer, update or listing
	// filter that uses any other field with an InvalidRequest error naming it, rather than
	// let the field be dropped silently. It needs a CustomerManager.
	CustomerFields []string
	// RequestFields lists the optional request fields the provider carries, named
	// "Request.Field" as RequestFieldNames lists them (for example "PaymentRequest.Metadata",
	// "PaymentRequest.Payer.Address"); RequestFieldNames itself for all of them. The
	// Gateway refuses a request that sets any other with an InvalidRequest error naming
	// the field, rather than let it be dropped silently: an adapter that declares none
	// carries none.
	RequestFields []string
	// RepeatableWrites lists the writes (OpPay, OpRefund, OpPayout, OpVerifyAccount,
	// OpCapture, OpVoid, OpCreateMandate, OpCancelMandate, OpCharge; see IsWrite) that
	// the adapter makes idempotent by construction: sending the same request again with
	// the same idempotency key can never act twice at the provider (Trustly JSON-RPC
	// resends the byte-identical signed request, for example). Only these are retried by
	// the Gateway after an UnknownOutcome, or sent again to settle a call whose outcome is
	// unknown; others return it to the caller. Each must be a write the adapter implements.
	RepeatableWrites []Operation
	// Notes explains limits in words, e.g. why an operation is missing; a missing
	// operation's note is part of the NotSupported error a call to it returns.
	Notes map[Operation]string
}

// StoresCustomerField reports whether the provider stores the named Customer field.
func (c Capabilities) StoresCustomerField(name string) bool {
	return len(c.CustomerFields) == 0 || slices.Contains(c.CustomerFields, name)
}

// SupportsCurrency reports whether payments in cur are accepted.
func (c Capabilities) SupportsCurrency(cur money.Currency) bool {
	return len(c.Currencies) == 0 || slices.Contains(c.Currencies, cur)
}

// CarriesRequestField reports whether the provider carries the named optional request
// field (see RequestFields).
func (c Capabilities) CarriesRequestField(name string) bool {
	return slices.Contains(c.RequestFields, name)
}

// customerFields are the names CustomerFields may hold.
var customerFields = []string{"ExternalID", "FirstName", "LastName", "Email", "Phone", "DateOfBirth", "Address", "Group"}

// provided returns the operations the interfaces p implements provide: Provider gives
// OpPay and OpGetPayment, Refunder OpRefund and OpGetRefund, Payouter OpPayout and
// OpGetPayout, AccountVerifier OpVerifyAccount and OpGetAccountVerification,
// CustomerManager OpCustomers, NotificationVerifier OpNotifications, Capturer OpCapture,
// OpGetCapture and OpVoid, MandateManager OpCreateMandate, OpGetMandate, OpCancelMandate
// and OpCharge, and Ledgerer OpLedger.
func provided(p Provider) map[Operation]bool {
	_, refunds := p.(Refunder)
	_, payouts := p.(Payouter)
	_, verifies := p.(AccountVerifier)
	_, customers := p.(CustomerManager)
	_, notifies := p.(NotificationVerifier)
	_, captures := p.(Capturer)
	_, mandates := p.(MandateManager)
	_, ledger := p.(Ledgerer)
	return map[Operation]bool{
		OpPay: true, OpGetPayment: true,
		OpRefund: refunds, OpGetRefund: refunds,
		OpPayout: payouts, OpGetPayout: payouts,
		OpVerifyAccount: verifies, OpGetAccountVerification: verifies,
		OpCustomers: customers, OpNotifications: notifies,
		OpCapture: captures, OpGetCapture: captures, OpVoid: captures,
		OpCreateMandate: mandates, OpGetMandate: mandates, OpCancelMandate: mandates, OpCharge: mandates,
		OpLedger: ledger,
	}
}

// OperationsOf returns the operations p offers, in AllOperations order: those its
// interfaces provide, less Capabilities.Unavailable, with OpPartialRefund,
// OpMultipleRefunds, OpPayoutInteractive, OpVerifyAccountInteractive, OpPartialCapture and
// OpMultipleCaptures where Capabilities sets them and the operation they refine is offered.
// It is the one list of what a Gateway over p supports.
func OperationsOf(p Provider) []Operation {
	c := p.Capabilities()
	has := provided(p)
	verifies, payouts := has[OpVerifyAccount], has[OpPayout]
	for _, op := range c.Unavailable {
		delete(has, op)
	}
	has[OpPartialRefund] = has[OpRefund] && c.PartialRefunds
	has[OpMultipleRefunds] = has[OpPartialRefund] && c.MultipleRefunds
	has[OpVerifyAccountInteractive] = verifies && c.InteractiveVerification
	has[OpPayoutInteractive] = payouts && c.InteractivePayouts
	has[OpPartialCapture] = has[OpCapture] && c.PartialCaptures
	has[OpMultipleCaptures] = has[OpPartialCapture] && c.MultipleCaptures
	var out []Operation
	for _, op := range AllOperations {
		if has[op] {
			out = append(out, op)
		}
	}
	return out
}

// CheckCapabilities returns an error naming every way p's Capabilities disagree with the
// interfaces p implements — a refund flag without a Refunder, an unavailable or repeatable
// operation p does not implement, customer fields without a CustomerManager — or nil.
// paybridge.New and paybridge.Open refuse such an adapter.
func CheckCapabilities(p Provider) error {
	c := p.Capabilities()
	has := provided(p)
	var bad []string
	needs := func(set bool, field string, iface string, implemented bool) {
		if set && !implemented {
			bad = append(bad, field+" is set, but the adapter implements no provider."+iface)
		}
	}
	needs(c.PartialRefunds, "PartialRefunds", "Refunder", has[OpRefund])
	needs(c.MultipleRefunds, "MultipleRefunds", "Refunder", has[OpRefund])
	needs(c.InteractiveVerification, "InteractiveVerification", "AccountVerifier", has[OpVerifyAccount])
	needs(c.InteractivePayouts, "InteractivePayouts", "Payouter", has[OpPayout])
	needs(len(c.CustomerFields) > 0, "CustomerFields", "CustomerManager", has[OpCustomers])
	needs(c.PartialCaptures, "PartialCaptures", "Capturer", has[OpCapture])
	needs(c.MultipleCaptures, "MultipleCaptures", "Capturer", has[OpCapture])
	if c.MultipleRefunds && !c.PartialRefunds {
		bad = append(bad, "MultipleRefunds is set without PartialRefunds: only a partial refund leaves something to refund again")
	}
	if c.MultipleCaptures && !c.PartialCaptures {
		bad = append(bad, "MultipleCaptures is set without PartialCaptures: only a partial capture leaves something to capture again")
	}
	for _, op := range c.Unavailable {
		if _, provides := has[op]; !provides {
			bad = append(bad, fmt.Sprintf("Unavailable names %q, which no provider interface provides", op))
		} else if !has[op] {
			bad = append(bad, fmt.Sprintf("Unavailable names %s, which the adapter does not implement", op))
		}
	}
	for _, op := range c.RepeatableWrites {
		switch {
		case !IsWrite(op):
			bad = append(bad, fmt.Sprintf("RepeatableWrites names %q, which is not a write", op))
		case !has[op]:
			bad = append(bad, fmt.Sprintf("RepeatableWrites names %s, which the adapter does not implement", op))
		}
	}
	for _, f := range c.CustomerFields {
		if !slices.Contains(customerFields, f) {
			bad = append(bad, fmt.Sprintf("CustomerFields names %q, which is not a Customer field", f))
		}
	}
	for _, f := range c.RequestFields {
		if !slices.Contains(RequestFieldNames, f) {
			bad = append(bad, fmt.Sprintf("RequestFields names %q, which is not an optional request field", f))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return errors.New("the adapter's Capabilities disagree with the interfaces it implements: " + strings.Join(bad, "; "))
}
