package provider

import (
	"context"
	"errors"
	"time"
)

// The Gateway keeps idempotency for every adapter: it records each write (Pay, Refund,
// Payout, VerifyAccount) in its operations journal before the adapter is called, returns
// the recorded result to a repeat, and never calls the adapter again for a write whose
// earlier attempt may have been applied, unless the adapter proves a repeat harmless. The
// interfaces below are how an adapter takes part; all are optional.

// Attempt is what the journal knows of an earlier attempt at a write whose outcome is
// unknown: its answer was lost, or the process that sent it stopped.
type Attempt struct {
	// Op is the write: OpPay, OpRefund, OpPayout or OpVerifyAccount.
	Op Operation
	// Key is the idempotency key.
	Key string
	// Reference is the request's MerchantReference, as the journal recorded it.
	Reference string
	// ProviderID is the provider's id of the object, when a notification or an earlier
	// look-up made it known.
	ProviderID string
	// SentAt is when the latest request may have been sent, on the journal's clock.
	SentAt time.Time
	// Attempts counts the requests that may have been sent.
	Attempts int
}

// Resolver is implemented by adapters that can learn from the provider what became of an
// attempt whose outcome is unknown. The Gateway calls Resolve, holding the journal's claim
// on the call, before it would send the request again.
type Resolver interface {
	// Resolve returns the result of the earlier attempt (*Payment, *Refund, *Payout or
	// *AccountVerification) when the provider applied it. It returns an error matching
	// ErrNotApplied only when the provider proves the attempt was never applied and can
	// no longer be (for example a look-up made well after any late request could land);
	// the Gateway then sends the request again. Any other error leaves the attempt
	// uncertain. req is the call's request (*PaymentRequest, *RefundRequest,
	// *PayoutRequest or *VerifyAccountRequest, with IdempotencyKey set).
	Resolve(ctx context.Context, a Attempt, req any) (any, error)
}

// ErrNotApplied is returned (possibly wrapped) by Resolver.Resolve when the provider proves
// that an attempt was never applied, so that sending the request again cannot act twice.
var ErrNotApplied = errors.New("the provider proves the earlier attempt was never applied")

// Accounted is implemented by adapters that act for one merchant account. The Gateway keeps
// the journal entries of different accounts apart, so Gateways for several merchants can
// share one journal.
type Accounted interface {
	// Account names the merchant account (a username, an access id, a key id — never a
	// secret). It must not change during the Provider's life.
	Account() string
}
