// Package journal records every money-moving call a Gateway makes, so that a call repeated
// with the same idempotency key never moves money twice — after a lost answer, a crash, a
// restart, or on another instance of the application sharing the journal.
//
// The Gateway writes an [Entry] before anything is sent: the operation, the idempotency key,
// a fingerprint of the request, the reference the adapter will send to the provider and the
// amount. It then records the outcome: [Settled] with the result, [Failed] when the provider
// refused the request for good, or [Uncertain] when the request may have been applied and
// the answer was lost. An uncertain entry is never sent again blindly, however old: it is
// settled by the provider's own mechanism (where the adapter has one), by a verified
// notification, or by an operator.
//
// Concurrent calls with one key are serialised by a claim with a lease: one caller holds the
// entry while it talks to the provider; the others see [ErrBusy] and wait. When the holder
// crashes its lease runs out, and the next caller takes the entry over as Uncertain, since
// the crashed holder may have sent the request.
//
// [Memory] keeps the journal in one process (the Gateway's default); package pgjournal keeps
// it in PostgreSQL for several processes. Package journaltest holds the tests every
// implementation passes.
package journal

import (
	"context"
	"errors"
	"time"

	"github.com/paybridge/paybridge/money"
)

// State is where an entry stands.
type State string

// The states of an entry.
const (
	// Pending: the first attempt is being made; the holder of the claim will record its
	// outcome. A pending entry whose lease ran out is taken over as Uncertain.
	Pending State = "pending"
	// Settled: the provider applied the call; Result holds what the call returned.
	Settled State = "settled"
	// Failed: the provider refused the call for good (declined, invalid); Error holds why.
	// A repeat returns the same error and sends nothing.
	Failed State = "failed"
	// Uncertain: the call may have been applied and its answer was lost. A repeat sends
	// nothing until the outcome is proved, by the provider, a notification or an operator.
	Uncertain State = "uncertain"
)

// ID names an entry: the Gateway's scope (the provider and the merchant account it acts
// for), the operation and the idempotency key.
type ID struct {
	Scope string
	Op    string
	Key   string
}

// Entry is one recorded call.
type Entry struct {
	ID
	// Fingerprint identifies the request; a key reused with another fingerprint is refused.
	Fingerprint string
	// Reference is what the adapter sends the provider to name this call (a derived UUID,
	// a merchant reference, a message id); notifications are matched by it.
	Reference string
	// Parent is the provider's id of the object this call acts on, when it acts on an
	// existing one (a refund's payment); empty otherwise. It is set at Claim and never
	// changed; FindByParent finds the calls made against one object by it.
	Parent string
	// Keep marks the record of something that lasts beyond its call (a direct-debit
	// mandate, and what notifications said of it), which later calls read for as long as
	// it lasts: a journal's retention and pruning leave it, whatever its state and age;
	// only Forget removes it. It is set at Claim and never changed.
	Keep bool
	// Amount is the amount the call moves, if any; a notification for the entry must
	// carry the same amount.
	Amount money.Amount
	// ProviderID is the provider's id of the object the call created, once known.
	ProviderID string
	State      State
	// Result is the call's result (JSON) when Settled.
	Result []byte
	// Error is why the provider refused the call, when Failed.
	Error *RecordedError
	// Attempts counts the times a request for this entry may have been sent.
	Attempts int
	// SentAt is when the latest request for this entry may have been sent, on the clock of
	// the process that read the entry (a journal whose clock is not the reader's, such as
	// a database server's, translates it), so that time.Since(SentAt) is how long ago that
	// was. A look-up at the provider proves a request absent only when made well after
	// SentAt.
	SentAt    time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RecordedError is a definitive refusal kept with a Failed entry.
type RecordedError struct {
	// Code is the error code's name (provider.Code.String()).
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Claim is the answer of Journal.Claim.
type Claim struct {
	// Entry is the entry as it stands after the claim. When Held is true its State is
	// Pending (a new entry: send the request) or Uncertain (an earlier attempt's outcome
	// is unknown: settle it before anything else is sent).
	Entry Entry
	// Held reports whether the caller now holds the entry and must end the claim with
	// Record or Release. When false, the entry is Settled or Failed.
	Held bool
	// Token identifies the claim; pass it to Record, Sent and Release.
	Token string
}

// Outcome is what Record writes.
type Outcome struct {
	// State is Settled, Failed or Uncertain.
	State State
	// Result is the call's result (JSON), for Settled.
	Result []byte
	// ProviderID is the provider's id of the object, when known.
	ProviderID string
	// Error is the refusal, for Failed.
	Error *RecordedError
}

// Errors returned by journals.
var (
	// ErrConflict: the key was used before with a different request.
	ErrConflict = errors.New("journal: the idempotency key was used before with a different request")
	// ErrBusy: another caller holds an unexpired claim on the entry; try again shortly.
	ErrBusy = errors.New("journal: another call with this idempotency key is in progress")
	// ErrClaimLost: the claim identified by the token is no longer held (its lease ran out
	// and another caller took the entry over).
	ErrClaimLost = errors.New("journal: the claim's lease ran out and another caller holds the entry")
	// ErrNotFound: no entry matches.
	ErrNotFound = errors.New("journal: no such entry")

	errLease           = errors.New("journal: a lease must be positive")
	errEmptyProviderID = errors.New("journal: empty provider id")
)

// Journal records calls. Implementations must make Claim atomic across every Gateway that
// shares the journal, and must keep Uncertain and Pending entries until they are settled.
type Journal interface {
	// Claim records e (its ID, Fingerprint, Reference, Parent and Amount) as Pending and held
	// by the caller for lease, or returns the entry already recorded under e.ID:
	//   - ErrConflict when its fingerprint differs from e's;
	//   - Held false when it is Settled or Failed;
	//   - ErrBusy while another caller's claim on it is unexpired;
	//   - Held true with State Uncertain when it is Uncertain, or Pending with an expired
	//     lease (whose holder may have sent the request before it stopped).
	// A new entry's SentAt is the claim's time and its Attempts is 1: the caller sends the
	// request next. An entry taken over from a claim whose lease lapsed has SentAt no
	// earlier than that lease's end, until which its holder may have been sending.
	Claim(ctx context.Context, e Entry, lease time.Duration) (Claim, error)
	// Sent records that the claim's holder is about to send the request again (after
	// proving the earlier attempts absent, or refused unprocessed, or harmless to repeat):
	// SentAt becomes now, Attempts grows by one and the lease is renewed. ErrClaimLost
	// when the claim is no longer held; the caller then sends nothing.
	Sent(ctx context.Context, id ID, token string, lease time.Duration) error
	// Record writes the outcome and ends the claim. A Settled outcome is recorded even
	// when the claim was lost, unless the entry is already Settled or Failed: the provider
	// applied the call either way. Any other outcome on a lost claim returns ErrClaimLost
	// and changes nothing. An Uncertain outcome sets SentAt to now: the attempt it ends may
	// have been sending until then.
	Record(ctx context.Context, id ID, token string, o Outcome) error
	// Release ends the claim without an outcome. A Pending entry is deleted (its request
	// provably never took effect, so the key may be used afresh); an Uncertain entry stays
	// Uncertain. It does nothing when the claim is no longer held.
	Release(ctx context.Context, id ID, token string) error
	// Get returns the entry recorded under id, or ErrNotFound.
	Get(ctx context.Context, id ID) (Entry, error)
	// FindByReference returns the entries of scope whose Reference is ref, newest first
	// (none when there are none). Several keys may share a reference where the adapter
	// sends the caller's own reference.
	FindByReference(ctx context.Context, scope, ref string) ([]Entry, error)
	// FindByProviderID returns the entry of scope whose ProviderID is pid, or ErrNotFound.
	FindByProviderID(ctx context.Context, scope, pid string) (Entry, error)
	// FindByParent returns the entries of scope whose Parent is parent, whatever their
	// operation and state, oldest first (by CreatedAt; entries created at the same time
	// are ordered by key, then operation, so the order is stable). None when there are
	// none or parent is empty. Entries no longer recorded (a released Pending entry, a
	// Settled or Failed entry dropped after its retention) are not returned.
	FindByParent(ctx context.Context, scope, parent string) ([]Entry, error)
	// FindCreated returns the entries of scope created at or after from and before to,
	// whatever their operation and state, oldest first (by CreatedAt, then key, then
	// operation, as FindByParent orders them): the calls a reconciliation compares with
	// the provider's books. The marks adapters record through provider.Calls are entries
	// too; the caller leaves them out. None when there are none or to is not after from.
	// Entries no longer recorded are not returned.
	FindCreated(ctx context.Context, scope string, from, to time.Time) ([]Entry, error)
	// Attach records the provider's id of an entry's object, learnt from a verified
	// notification or a look-up, without ending anyone's claim. It does not change an id
	// already recorded; ErrConflict when the entry has another one.
	Attach(ctx context.Context, id ID, providerID string) error
	// Settle records o on a Pending or Uncertain entry and ends any claim on it: the way an
	// operator or a reconciliation job settles an entry with proof of its outcome from the
	// provider. ErrNotFound when there is no entry; ErrConflict when it is already Settled
	// or Failed. A Settled outcome is recorded whoever holds the entry (the provider applied
	// the call, so nothing is to be sent again). Failed or Uncertain is refused with ErrBusy
	// while a caller holds the entry under an unexpired claim and may be sending its
	// request — a new entry's first attempt, or a repeat recorded with Sent — which the
	// operator's look at the provider cannot have seen; record it once the lease has passed
	// (the entry then shows what the caller did). A holder that has sent nothing under its
	// claim does not stop it: its Sent then fails, and it sends nothing.
	Settle(ctx context.Context, id ID, o Outcome) error
	// Forget removes a Pending or Uncertain entry that no caller holds, so that the next
	// call with its key sends the request afresh: the way an operator or a reconciliation
	// job records that the provider holds nothing for the entry's reference, checked well
	// after any late request could have landed. ErrNotFound when there is no entry;
	// ErrConflict when it is Settled or Failed, or has a ProviderID: the provider holds the
	// call's object (a notification or a look-up named it, perhaps after the operator's
	// check), so the call was applied; Settle it instead. ErrBusy, as for Settle, while a
	// caller holding the entry may be sending its request, which no check made before can
	// have seen.
	Forget(ctx context.Context, id ID) error
}

// Valid reports whether o can be recorded.
func (o Outcome) Valid() error {
	switch o.State {
	case Settled:
		if len(o.Result) == 0 {
			return errors.New("journal: a settled outcome needs a result")
		}
	case Failed:
		if o.Error == nil {
			return errors.New("journal: a failed outcome needs an error")
		}
	case Uncertain:
	default:
		return errors.New("journal: an outcome's state must be settled, failed or uncertain")
	}
	return nil
}

// Check reports whether an entry to claim is well formed.
func (e *Entry) Check() error {
	switch {
	case e.Scope == "" || e.Op == "" || e.Key == "":
		return errors.New("journal: an entry needs a scope, an operation and a key")
	case e.Fingerprint == "":
		return errors.New("journal: an entry needs a fingerprint")
	}
	return nil
}
