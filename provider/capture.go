package provider

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/money"
)

// CaptureMode says when the money of an approved payment is taken.
type CaptureMode string

// Capture modes.
const (
	// CaptureAutomatic (the zero value): the money is taken as soon as the payer approves;
	// the payment goes on to PaymentSucceeded by itself.
	CaptureAutomatic CaptureMode = ""
	// CaptureManual: the payer's approval only authorizes the payment
	// (PaymentAuthorized); the money is taken by Capture, once or in parts, or released by
	// Void. It needs a provider with OpCapture.
	CaptureManual CaptureMode = "manual"
)

// CaptureRequest asks to take money from a payment authorized with CaptureManual.
type CaptureRequest struct {
	// PaymentID is the authorized payment, as Pay returned it.
	PaymentID string `json:"paymentId" validate:"required,max=128"`
	// Amount to capture: the whole authorized amount, or less where Capabilities sets
	// PartialCaptures. Captures of one payment never add up to more than it authorized.
	Amount money.Amount `json:"amount"`
	// MerchantReference is your reference for this capture; derived from the idempotency
	// key when empty.
	MerchantReference string `json:"merchantReference,omitempty" validate:"max=64,printascii"`
	// IdempotencyKey makes the call safe to repeat; generated when empty. The same key
	// never captures twice.
	IdempotencyKey string `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	// BeforeSend, when set, may change the adapter's wire request before it is sent; see
	// PaymentRequest.BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// Capture is one capture of an authorized payment, as the provider reports it.
type Capture struct {
	ID        string        `json:"id"`
	Provider  string        `json:"provider"`
	PaymentID string        `json:"paymentId"`
	Status    CaptureStatus `json:"status"`
	// ProviderStatus is the provider's own status text, unmapped.
	ProviderStatus    string       `json:"providerStatus,omitempty"`
	Amount            money.Amount `json:"amount"`
	MerchantReference string       `json:"merchantReference,omitempty"`
	IdempotencyKey    string       `json:"idempotencyKey,omitempty"`
	CreatedAt         time.Time    `json:"createdAt,omitzero"`
	// Detailed reaches the adapter's own decoded answer through As.
	Detailed `json:"-"`
}

// CaptureStatus is the neutral status of a capture.
type CaptureStatus string

// Capture statuses. Final statuses are Succeeded, Failed and Canceled.
const (
	// CapturePending: accepted; the money is not yet confirmed.
	CapturePending CaptureStatus = "pending"
	// CaptureSucceeded: the money is taken.
	CaptureSucceeded CaptureStatus = "succeeded"
	// CaptureFailed: the bank or the provider refused it after accepting it.
	CaptureFailed CaptureStatus = "failed"
	// CaptureCanceled: canceled before it was processed.
	CaptureCanceled CaptureStatus = "canceled"
)

// Final reports whether the status can no longer change.
func (s CaptureStatus) Final() bool { return s != CapturePending && s != "" }

// VoidRequest asks to release an authorization that has not been captured in full: the
// payment becomes PaymentCanceled and can no longer be captured.
type VoidRequest struct {
	// PaymentID is the authorized payment, as Pay returned it.
	PaymentID string `json:"paymentId" validate:"required,max=128"`
	// Reason is a short note for the provider's records, where it takes one.
	Reason string `json:"reason,omitempty" validate:"max=40"`
	// IdempotencyKey makes the call safe to repeat; generated when empty.
	IdempotencyKey string `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	// BeforeSend, when set, may change the adapter's wire request before it is sent; see
	// PaymentRequest.BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// Capturer is implemented by providers whose payments can be authorized now and captured
// later (PaymentRequest.Capture set to CaptureManual).
type Capturer interface {
	// Capture takes req.Amount from an authorized payment. A capture beyond what remains
	// authorized, or of a payment that is not authorized (voided, declined, not yet
	// approved), returns an InvalidRequest error. The same IdempotencyKey must never
	// capture twice.
	Capture(ctx context.Context, req *CaptureRequest) (*Capture, error)
	// GetCapture returns a capture by the ID its Capture call returned; NotFound when
	// unknown.
	GetCapture(ctx context.Context, id string) (*Capture, error)
	// Void releases an authorization and returns the payment, PaymentCanceled. A payment
	// that is not authorized, or was captured in full, returns an InvalidRequest error.
	Void(ctx context.Context, req *VoidRequest) (*Payment, error)
}
