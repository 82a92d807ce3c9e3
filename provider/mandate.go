package provider

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/money"
)

// MandateRequest asks a payer to approve, once, that the merchant may charge their account
// later without them (a direct-debit mandate or a recurring authorization). The payer is
// sent to the returned Mandate.RedirectURL to approve it at their bank.
type MandateRequest struct {
	// Payer is the account holder. Payer.ID is required: providers tie mandates to the
	// merchant's id for the person.
	Payer Person `json:"payer"`
	// Currency of the charges.
	Currency money.Currency `json:"currency"`
	// MaxAmount, when set, caps each charge where the provider records a cap (Trustly
	// REST); the zero Amount (no amount) means no cap. A cap must be positive: 0.00 is
	// refused, never read as no cap.
	MaxAmount money.Amount `json:"maxAmount,omitzero"`
	// MerchantReference is your reference for the mandate, unique per mandate.
	MerchantReference string `json:"merchantReference" validate:"required,max=64,printascii"`
	// Description says what the charges are for, shown to the payer where the provider
	// supports it.
	Description string `json:"description,omitempty" validate:"max=255"`
	// ReturnURL is where the payer is sent after approving.
	ReturnURL string `json:"returnUrl" validate:"required,http_url"`
	// CancelURL is where the payer is sent after cancelling; defaults to ReturnURL.
	CancelURL string `json:"cancelUrl,omitempty" validate:"omitempty,http_url"`
	// NotificationURL receives the provider's notifications about the mandate, where the
	// provider takes it per request.
	NotificationURL string `json:"notificationUrl,omitempty" validate:"omitempty,http_url"`
	// IdempotencyKey makes the call safe to repeat; generated when empty.
	IdempotencyKey string `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	// BeforeSend, when set, may change the adapter's wire request before it is sent; see
	// PaymentRequest.BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// Mandate is a payer's standing permission to be charged, as the provider reports it.
type Mandate struct {
	// ID names the mandate in Charge, GetMandate and CancelMandate.
	ID       string        `json:"id"`
	Provider string        `json:"provider"`
	Status   MandateStatus `json:"status"`
	// ProviderStatus is the provider's own status text, unmapped.
	ProviderStatus string `json:"providerStatus,omitempty"`
	// RedirectURL is where to send the payer while Status is MandateRequiresAction.
	RedirectURL       string         `json:"redirectUrl,omitempty"`
	Currency          money.Currency `json:"currency,omitzero"`
	MaxAmount         money.Amount   `json:"maxAmount,omitzero"`
	MerchantReference string         `json:"merchantReference,omitempty"`
	IdempotencyKey    string         `json:"idempotencyKey,omitempty"`
	CreatedAt         time.Time      `json:"createdAt,omitzero"`
	// Detailed reaches the adapter's own decoded answer through As.
	Detailed `json:"-"`
}

// MandateStatus is the neutral status of a mandate.
type MandateStatus string

// Mandate statuses. Final statuses are Failed and Canceled.
const (
	// MandateRequiresAction: the payer must approve at RedirectURL.
	MandateRequiresAction MandateStatus = "requires_action"
	// MandatePending: approved by the payer, waiting for the bank (a direct-debit mandate
	// is usually registered the next bank day). It cannot be charged yet.
	MandatePending MandateStatus = "pending"
	// MandateActive: it can be charged.
	MandateActive MandateStatus = "active"
	// MandateFailed: the payer declined or the bank refused it.
	MandateFailed MandateStatus = "failed"
	// MandateCanceled: canceled by the merchant, the payer or the bank; charges are
	// refused.
	MandateCanceled MandateStatus = "canceled"
)

// Final reports whether the status can no longer change.
func (s MandateStatus) Final() bool { return s == MandateFailed || s == MandateCanceled }

// ChargeRequest asks to collect money under an active mandate, without the payer. The
// result is a Payment (usually PaymentPending) that GetPayment and payment notifications
// follow like any other.
type ChargeRequest struct {
	// MandateID is Mandate.ID of an active mandate.
	MandateID string `json:"mandateId" validate:"required,max=128"`
	// Amount to collect; positive, and within the mandate's MaxAmount when it has one.
	Amount money.Amount `json:"amount"`
	// MerchantReference is your reference for this charge, unique per charge.
	MerchantReference string `json:"merchantReference" validate:"required,max=64,printascii"`
	// Description says what the charge is for, where the provider carries it.
	Description string `json:"description,omitempty" validate:"max=255"`
	// NotificationURL receives the charge's notifications, where the provider takes it per
	// request (see Capabilities.RequestFields); a provider that sends a charge's
	// notifications to the mandate's or the account's URL refuses it.
	NotificationURL string `json:"notificationUrl,omitempty" validate:"omitempty,http_url"`
	// IdempotencyKey makes the call safe to repeat; generated when empty. The same key
	// never charges twice.
	IdempotencyKey string `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	// Metadata is passed to the provider where it has a place for it (see
	// Capabilities.RequestFields).
	Metadata map[string]string `json:"metadata,omitempty" validate:"max=20"`
	// BeforeSend, when set, may change the adapter's wire request before it is sent; see
	// PaymentRequest.BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// CancelMandateRequest asks to cancel a mandate: later charges are refused. Charges
// already accepted are not canceled by it.
type CancelMandateRequest struct {
	MandateID string `json:"mandateId" validate:"required,max=128"`
	// IdempotencyKey makes the call safe to repeat; generated when empty.
	IdempotencyKey string `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	// BeforeSend, when set, may change the adapter's wire request before it is sent; see
	// PaymentRequest.BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// MandateManager is implemented by providers that charge payers under a mandate.
type MandateManager interface {
	// CreateMandate starts a mandate; the result normally has Status
	// MandateRequiresAction and a RedirectURL.
	CreateMandate(ctx context.Context, req *MandateRequest) (*Mandate, error)
	// GetMandate returns a mandate's current state; NotFound when unknown.
	GetMandate(ctx context.Context, id string) (*Mandate, error)
	// Charge collects req.Amount under an active mandate. A mandate that is not active
	// (not yet approved, canceled, failed) returns an InvalidRequest error. The same
	// IdempotencyKey must never charge twice.
	Charge(ctx context.Context, req *ChargeRequest) (*Payment, error)
	// CancelMandate cancels a mandate and returns it, MandateCanceled.
	CancelMandate(ctx context.Context, req *CancelMandateRequest) (*Mandate, error)
}
