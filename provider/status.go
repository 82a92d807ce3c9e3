package provider

// PaymentStatus is the neutral status of a payment.
type PaymentStatus string

// Payment statuses. Final statuses are Succeeded, Declined, Failed, Canceled and Expired.
const (
	// PaymentPending: created or in progress; the outcome is not yet known. Unknown provider
	// statuses map here.
	PaymentPending PaymentStatus = "pending"
	// PaymentRequiresAction: the end user must act at RedirectURL.
	PaymentRequiresAction PaymentStatus = "requires_action"
	// PaymentAuthorized: the end user authorized it; funds are not yet captured or settled.
	PaymentAuthorized PaymentStatus = "authorized"
	// PaymentSucceeded: the money is confirmed. Refunds do not change this status; see
	// Payment.Refunded.
	PaymentSucceeded PaymentStatus = "succeeded"
	// PaymentDeclined: the end user or bank declined it.
	PaymentDeclined PaymentStatus = "declined"
	// PaymentFailed: it failed after being authorized or confirmed (returned, reversed).
	PaymentFailed PaymentStatus = "failed"
	// PaymentCanceled: abandoned by the end user or canceled by the merchant.
	PaymentCanceled PaymentStatus = "canceled"
	// PaymentExpired: the end user did not finish in time.
	PaymentExpired PaymentStatus = "expired"
)

// Final reports whether the status can no longer change (except by refunds).
func (s PaymentStatus) Final() bool {
	switch s {
	case PaymentSucceeded, PaymentDeclined, PaymentFailed, PaymentCanceled, PaymentExpired:
		return true
	}
	return false
}

// RefundStatus is the neutral status of a refund.
type RefundStatus string

// Refund statuses.
const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
	RefundCanceled  RefundStatus = "canceled"
)

// Final reports whether the status can no longer change.
func (s RefundStatus) Final() bool { return s != RefundPending && s != "" }

// PayoutStatus is the neutral status of a payout.
type PayoutStatus string

// Payout statuses.
const (
	PayoutPending   PayoutStatus = "pending"
	PayoutSucceeded PayoutStatus = "succeeded"
	PayoutFailed    PayoutStatus = "failed"
	PayoutCanceled  PayoutStatus = "canceled"
)

// Final reports whether the status can no longer change.
func (s PayoutStatus) Final() bool { return s != PayoutPending && s != "" }

// VerificationStatus is the neutral status of a bank account verification.
type VerificationStatus string

// Verification statuses.
const (
	// VerificationPending: submitted, result not yet known.
	VerificationPending VerificationStatus = "pending"
	// VerificationRequiresAction: the account holder must act at RedirectURL.
	VerificationRequiresAction VerificationStatus = "requires_action"
	// VerificationVerified: the account is verified; its ID can receive payouts.
	VerificationVerified VerificationStatus = "verified"
	// VerificationFailed: the account could not be verified.
	VerificationFailed VerificationStatus = "failed"
)

// Final reports whether the status can no longer change.
func (s VerificationStatus) Final() bool {
	return s == VerificationVerified || s == VerificationFailed
}
