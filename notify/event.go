// Package notify receives provider notifications (webhooks) safely.
//
// Every notification goes through the same steps, whatever the provider:
//
//  1. The body is read up to a limit (1 MiB by default); anything larger is refused.
//  2. The provider adapter verifies it against the raw bytes (an RSA signature, an HMAC, or
//     — for providers that do not sign — by fetching the object again over the
//     authenticated API) and parses it into a neutral [Event]. A notification that fails
//     verification is answered with an error status and never reaches the application.
//  3. The notification id is claimed in a [Store], so a redelivered notification is
//     answered with the same reply as the first time without calling the application again,
//     and two handler instances sharing a store never process one notification at the
//     same time. (A handler that stops between the callback's return and the store's record
//     of it — a crash — leaves the notification to be processed again: see [Func].)
//  4. A notification older than the maximum age ([WithMaxAge]) is refused. Only then is
//     the event matched to the application's own orders ([WithMatcher]; the Gateway's
//     matches it against its journal, and records what it learns there): a notification
//     answered from the store or refused as too old is never matched, so that a replay of
//     it changes nothing. One that is not the application's is acknowledged and never
//     delivered.
//  5. The application's [Func] runs. Only when it returns nil is the notification recorded
//     as processed and acknowledged; when it fails, the provider receives its "not
//     processed" reply and will deliver the notification again. A notification the
//     provider waits on for an answer ([Event.AsksDecision]) is answered with the
//     [Decision] the callback gave through [Event.Decide], which is recorded with it
//     when the Store is a [DecisionRecorder]: a redelivery gets the same answer without
//     reaching the callback again.
//
// Obtain a Handler for a provider with paybridge.Gateway.NotificationHandler, or build one
// with [NewHandler] from any [Verifier].
//
// Serve it from an http.Server with ReadHeaderTimeout and ReadTimeout set, so that a client
// trickling headers or a body cannot hold connections open; the Handler bounds the body's
// size but cannot bound how slowly it arrives. Keep the callback short (store or queue the
// event): providers expect a prompt reply.
package notify

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"time"

	"github.com/paybridge/paybridge/money"
)

// Kind is what a notification says happened, in provider-neutral terms.
type Kind string

// The event kinds.
const (
	PaymentPending    Kind = "payment.pending"
	PaymentAuthorized Kind = "payment.authorized"
	PaymentSucceeded  Kind = "payment.succeeded"
	PaymentFailed     Kind = "payment.failed"
	PaymentCanceled   Kind = "payment.canceled"
	// PaymentReversed: money a payment had taken went back to the payer afterwards (an
	// ACH return: Trustly REST's status 10 Reversed on the capture). The payment reads
	// PaymentFailed from then on.
	PaymentReversed Kind = "payment.reversed"
	RefundSucceeded Kind = "refund.succeeded"
	RefundFailed    Kind = "refund.failed"
	PayoutSucceeded Kind = "payout.succeeded"
	PayoutFailed    Kind = "payout.failed"
	AccountVerified Kind = "account.verified"
	AccountFailed   Kind = "account.failed"
	// CaptureSucceeded and CaptureFailed: a capture of an authorized payment
	// (Event.CaptureID) took the money, or was refused after it was accepted.
	CaptureSucceeded Kind = "capture.succeeded"
	CaptureFailed    Kind = "capture.failed"
	// MandatePending: the payer approved the mandate (Event.MandateID); the bank has yet
	// to register it, and it cannot be charged yet.
	MandatePending Kind = "mandate.pending"
	// MandateActive: the mandate can be charged.
	MandateActive Kind = "mandate.active"
	// MandateFailed: the payer declined it or the bank refused it.
	MandateFailed Kind = "mandate.failed"
	// MandateCanceled: canceled by the merchant, the payer or the bank.
	MandateCanceled Kind = "mandate.canceled"
	// StandingOrderActive, StandingOrderCompleted, StandingOrderFailed and
	// StandingOrderCanceled: a standing order the payer set up at their bank (payer-
	// initiated recurring payments, such as Trustist's) became active, made its last
	// payment, failed, or was cancelled. StandingOrderPending: created, not yet set up.
	StandingOrderPending   Kind = "standing_order.pending"
	StandingOrderActive    Kind = "standing_order.active"
	StandingOrderCompleted Kind = "standing_order.completed"
	StandingOrderFailed    Kind = "standing_order.failed"
	StandingOrderCanceled  Kind = "standing_order.canceled"
	// PaymentIdentified: the provider established who the payer is (Event.Identity) and
	// waits for the application's Decision before the payment goes on (see Event.Decide).
	// Trustly JSON-RPC's "kyc" notification (Lean KYC, a deposit made with identity checks).
	PaymentIdentified Kind = "payment.identified"
	// PaymentDisputed: the payer disputed a payment with their bank (Trustly REST's Dispute).
	PaymentDisputed Kind = "payment.disputed"
	// PayoutRequested: the payee of a payout they complete on the provider's page chose
	// the account to be paid (Trustly JSON-RPC's "debit" for a Withdraw order); the
	// provider waits for the application's Decision (see Event.Decide): Continue when the
	// amount may be taken from what the merchant owes the payee, Abort otherwise. The
	// provider asks again with the same notification (the same Event.ID) when the answer
	// did not reach it, answered with the recorded decision (see Event.Decide).
	PayoutRequested Kind = "payout.requested"
	// IdentityVerified and IdentityFailed: an identity verification (Event.VerificationID,
	// for example a Trustist onboard session with identity or AML checks) passed or
	// failed its checks.
	IdentityVerified Kind = "identity.verified"
	IdentityFailed   Kind = "identity.failed"
	// BankDataReady: bank data the payer shared (account holders, accounts, balances)
	// became ready to read, or was refreshed (Trustly REST's DataReady and Refresh;
	// Trustist's onboard.session.completed for an account-information session that
	// VerifyAccount did not make).
	BankDataReady Kind = "bank_data.ready"
	// Other is a verified notification that has no neutral meaning (for example a
	// provider's informational event). It is still delivered, with Raw set.
	Other Kind = "other"
)

// Event is a verified notification in provider-neutral form. Raw and Identity hold the
// end user's personal data: an Event prints and logs, under every fmt verb and in
// log/slog, its ids, kind, amount, the provider's event and status texts, its Identity
// masked (see Identity), the length of Raw and the type of Detail. Read the fields to
// use them; encoding/json writes the fields it did before, Identity included, so slog's
// JSON handler encodes a slice of events in full: log the events one by one.
type Event struct {
	// ID is the provider's notification id (unique per notification, repeated on
	// redelivery).
	ID string `json:"id"`
	// Provider is the adapter's name ("trustly", "trustlyrest", "trustist", "mem").
	Provider string `json:"provider"`
	Kind     Kind   `json:"kind"`
	// PaymentID, RefundID, PayoutID and AccountID name the object concerned, as returned by
	// the Gateway's calls (empty when not applicable).
	PaymentID string `json:"paymentId,omitempty"`
	RefundID  string `json:"refundId,omitempty"`
	PayoutID  string `json:"payoutId,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	// VerificationID names the account verification an account.* event concerns, as
	// VerifyAccount returned it, or the identity verification an identity.* event
	// concerns.
	VerificationID string `json:"verificationId,omitempty"`
	// CaptureID names the capture a capture.* event concerns, as Capture returned it.
	CaptureID string `json:"captureId,omitempty"`
	// MandateID names the mandate a mandate.* event concerns, or the mandate a charged
	// payment's payment.* event was collected under, as CreateMandate returned it.
	MandateID string `json:"mandateId,omitempty"`
	// MerchantReference is the reference given when the object was created, when the
	// provider includes it.
	MerchantReference string `json:"merchantReference,omitempty"`
	// Amount is the amount the notification reports (zero Amount when none).
	Amount money.Amount `json:"amount"`
	// ProviderEvent is the provider's own event name or method ("credit", "Authorize",
	// "payment.completed"). From a provider that does not sign its notifications
	// (Trustist) it is the unsigned body's claim, which nothing confirmed: decide by Kind.
	ProviderEvent string `json:"providerEvent,omitempty"`
	// ProviderStatus is the provider's status text, when the notification carries one.
	ProviderStatus string    `json:"providerStatus,omitempty"`
	OccurredAt     time.Time `json:"occurredAt,omitzero"`
	// Identity is the payer's identity on a PaymentIdentified event, or the account
	// holder's on an account.* event where the provider reports it (Trustly with Lean
	// KYC); nil otherwise.
	Identity *Identity `json:"identity,omitempty"`
	// Raw is the body as received: the body the signature verified, from a provider that
	// signs its notifications. Trustist signs nothing, and its Raw is the unsigned body,
	// of which only the object's id was used — the event's other fields come from the
	// provider's API — so anyone could have written the rest of it: do not act on it.
	Raw []byte `json:"-"`
	// Detail is the adapter's own decoded form of what the notification reports (each
	// adapter documents its type), reached through As; nil where the adapter has none.
	Detail any `json:"-"`

	// decision receives the callback's Decision when the provider waits for one.
	decision *decisionSlot
}

// Request is an incoming notification as the Handler read it. Its body holds the end
// user's personal data and its header the provider's signature: a Request prints and
// logs, under every fmt verb and in log/slog, its method, the URL's path, the header's
// names and the body's length only.
type Request struct {
	Method string
	URL    *url.URL
	Header http.Header
	// Body is the complete raw body.
	Body []byte
}

// Notification is a verified notification: the neutral event plus whatever the adapter
// needs to build its reply.
type Notification struct {
	// ID is the provider's notification id; the Handler's dedupe key is its scope (by
	// default Event.Provider; see WithScope) + "/" + ID.
	ID    string
	Event Event
	// ReplyState is private to the adapter (for example the uuid and method to echo).
	ReplyState any
	// NotOurs, when set, says why the notification concerns no order of the application:
	// a Verifier sets it when the Gateway's record of calls, which it was given, shows
	// that no call created the order. The Handler then acknowledges the notification and
	// never delivers it, as when the Matcher returns ErrNotOurs.
	NotOurs error
	// AsksDecision, set by the Verifier, says that the provider waits for the application's
	// Decision on this notification. The Handler then lets the callback decide
	// (Event.Decide), passes the decision to NotificationReply in Decision, and does not
	// remember the notification as processed: a redelivery, which means the provider did
	// not receive the answer, asks the callback again.
	AsksDecision bool
	// Decision is the application's decision, which the Handler sets before it calls
	// NotificationReply. It is Undecided when the callback gave none, and when the
	// notification was answered without calling it (not ours, or remembered as processed).
	Decision Decision
}

// Outcome is what the application made of a notification.
type Outcome int

// The outcomes.
const (
	// Processed: the application accepted the notification.
	Processed Outcome = iota + 1
	// Failed: the application could not process it; the provider should deliver it again.
	Failed
)

// String returns "processed" or "failed".
func (o Outcome) String() string {
	switch o {
	case Processed:
		return "processed"
	case Failed:
		return "failed"
	}
	return "none"
}

// Reply is an HTTP response to a provider.
type Reply struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// ErrRetryLater marks a verification that could not be completed for a passing reason —
// for example the provider's API, asked to confirm an unsigned notification, timed out.
// A Verifier wraps it (fmt.Errorf("...: %w", notify.ErrRetryLater)); the Handler then
// answers 503 so the provider delivers the notification again, instead of 400, which
// tells the provider the notification itself is bad.
// ErrNotOurs is returned by a Matcher for a genuine notification that concerns no order of
// the application's own, or disagrees with what was recorded for it (another amount). The
// Handler acknowledges it, so that the provider stops delivering it, and never passes it to
// the application.
var ErrNotOurs = errors.New("notify: the notification concerns no order this application created")

var ErrRetryLater = errors.New("notify: verification could not be completed now; deliver again later")

// Verifier is implemented by provider adapters.
type Verifier interface {
	// VerifyNotification authenticates r against its raw body and parses it. Any error
	// rejects the notification: it is not acknowledged and never reaches the application.
	// Errors wrapping ErrRetryLater are answered 503, others 400.
	// It may perform I/O (for example to re-fetch an object from a provider that does not
	// sign its notifications) and must honour ctx.
	VerifyNotification(ctx context.Context, r *Request) (*Notification, error)
	// NotificationReply builds the provider's reply to n for the outcome. It must be
	// deterministic: a redelivered notification gets the same reply.
	NotificationReply(n *Notification, o Outcome) (*Reply, error)
}

// Func is the application's callback. Return nil only when the event has been durably
// handled (stored, queued); the notification is acknowledged after it returns. Delivery is
// once per event while handlers run, and at least once across crashes: a handler that
// stops after the callback returned but before the store recorded the notification (a
// crash, a kill) leaves it unacknowledged, and the provider's redelivery reaches the
// callback again once the claim's lease has run out. Where a second delivery would do
// harm, record Event.ID with the event's effect, in one transaction, and skip an ID
// already recorded. On an event
// the provider waits on (Event.AsksDecision) give the Decision with Event.Decide before
// returning nil; without one the adapter's default, which lets no money move, is sent.
type Func func(ctx context.Context, e Event) error

// As sets target, a non-nil pointer, to Detail when Detail's type is target's element
// type, and reports whether it did: the adapter's own decoded notification, as
// provider.Detailed offers it on results.
func (e Event) As(target any) bool {
	if e.Detail == nil {
		return false
	}
	t := reflect.ValueOf(target)
	if t.Kind() != reflect.Pointer || t.IsNil() {
		return false
	}
	v := reflect.ValueOf(e.Detail)
	if v.Type() != t.Elem().Type() {
		return false
	}
	t.Elem().Set(v)
	return true
}
