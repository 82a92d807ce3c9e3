package provider

import (
	"context"
	"errors"
	"time"

	"github.com/paybridge/paybridge/money"
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
	// Reference is the reference the journal recorded: the one the adapter sends (see
	// Referencer), else the request's MerchantReference.
	Reference string
	// ProviderID is the provider's id of the object, when a notification or an earlier
	// look-up made it known.
	ProviderID string
	// SentAt is when the latest request may have been sent, on this process's clock
	// (journal.Entry.SentAt): time.Since(SentAt) is how long ago that was.
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
// Wrapped in the Err of a write's Duplicate error (a reference the provider refuses as
// used), it says the refusal is certain: the Gateway records the call as failed, and it
// matches no notification — unless an earlier attempt of the same call may have been
// applied: it sent the same reference, so the refusal may be of that attempt's own, and
// the call stays uncertain.
var ErrNotApplied = errors.New("the provider proves the earlier attempt was never applied")

// Referencer is implemented by adapters that send the provider a reference of their own
// making, such as a message id derived from the idempotency key when the request carries
// no MerchantReference. The Gateway records it in the journal as the call's reference
// before the request is sent, so that a notification naming only that reference finds
// the call while its answer is in flight or after it was lost.
type Referencer interface {
	// ProviderReference returns the reference the adapter will send for req (a
	// *PaymentRequest, *RefundRequest, *PayoutRequest or *VerifyAccountRequest, with
	// IdempotencyKey set), or "" when it is the request's MerchantReference or the adapter
	// sends none. It depends on req alone.
	ProviderReference(req any) string
}

// Accounted is implemented by adapters that act for one merchant account. The Gateway keeps
// the journal entries of different accounts apart, so Gateways for several merchants can
// share one journal.
type Accounted interface {
	// Account names the merchant account (a username, an access id, a key id — never a
	// secret). It must not change during the Provider's life.
	Account() string
}

// Call is what the Gateway's journal recorded of one write, as an adapter reading a
// notification sees it.
type Call struct {
	// Op is the write: OpPay, OpRefund, OpPayout or OpVerifyAccount.
	Op Operation
	// Key is the call's idempotency key.
	Key string
	// Reference is the reference the call sent: the request's MerchantReference, or the
	// adapter's own (Referencer).
	Reference string
	// ProviderID is the provider's id of the object the call created, once known.
	ProviderID string
	// Parent is the provider's id of the object the call acted on: a refund's payment.
	Parent string
	// Amount is the amount the call moves; zero for VerifyAccount.
	Amount money.Amount
	// Settled reports that the provider is known to have applied the call; otherwise its
	// answer is still awaited or was lost.
	Settled bool
	// CreatedAt is when the call was first recorded, on the journal's clock.
	CreatedAt time.Time
}

// Calls is the Gateway's record of the merchant's calls, offered to an adapter while it
// verifies a notification and while it creates, reads, charges or cancels a mandate (see
// CallsFrom), for providers whose notifications do not say
// what they concern: a Trustly JSON-RPC "credit" is a deposit's, a failed refund's or a
// failed payout's, and only the calls that created the order tell which. It reads the
// journal, so it answers alike on every instance and after a restart.
type Calls interface {
	// ByProviderID returns the call that created the provider's object id; ok is false
	// when no call recorded that id (yet).
	ByProviderID(ctx context.Context, id string) (c Call, ok bool, err error)
	// ByReference returns the calls that sent reference, newest first. Calls the provider
	// refused (which created nothing) are left out, here and in Children.
	ByReference(ctx context.Context, reference string) ([]Call, error)
	// Children returns the calls of operation op made on the object id (the refunds or
	// captures of a payment, the charges of a mandate), oldest first.
	Children(ctx context.Context, id string, op Operation) ([]Call, error)
	// Mark records value (non-empty) under name and key unless a value is recorded there
	// already, and returns the value recorded first: a fact learnt from one notification
	// that later ones need ("this order's credit was notification N"). Of two instances
	// marking at once, one wins and both learn its value. Marks are kept as long as the
	// journal keeps settled calls.
	Mark(ctx context.Context, name, key, value string) (first string, err error)
	// MarkKept is Mark for a fact about something that lasts beyond the call it came
	// from, such as a direct-debit mandate Trustly has no call to read: the journal keeps
	// it past its retention, as it keeps the record of the call that created the mandate.
	MarkKept(ctx context.Context, name, key, value string) (first string, err error)
	// Marked returns the value recorded under name and key, "" when none.
	Marked(ctx context.Context, name, key string) (string, error)
}

type callsKey struct{}

// WithCalls returns a context carrying c; the Gateway's notification handler passes it to
// the adapter's VerifyNotification, and the Gateway's mandate operations to the
// MandateManager's methods.
func WithCalls(ctx context.Context, c Calls) context.Context {
	return context.WithValue(ctx, callsKey{}, c)
}

// CallsFrom returns the Calls carried by ctx, or nil when the adapter is called outside a
// Gateway (a notification verified with notify.NewHandler directly): the adapter then
// reads only what the notification or the request itself says.
func CallsFrom(ctx context.Context) Calls {
	c, _ := ctx.Value(callsKey{}).(Calls)
	return c
}
