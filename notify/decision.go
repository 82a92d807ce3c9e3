package notify

import (
	"errors"
	"fmt"
	"sync"
)

// Decision is the application's answer to an event the provider waits on before it goes
// on with the operation the event concerns — for example a Trustly deposit made with
// identity checks, which waits after the end user has logged in to the bank until the
// merchant has seen who the payer is (Kind PaymentIdentified).
//
// The callback gives it with [Event.Decide]. A callback that returns nil without deciding
// leaves the Decision Undecided, and the adapter answers with its documented default,
// which is the answer that lets no money move (for Trustly: the deposit is not made).
type Decision int

// The decisions.
const (
	// Undecided: the application gave no decision; the adapter's default applies.
	Undecided Decision = iota
	// Continue lets the operation go on.
	Continue
	// Abort stops the operation: no money moves.
	Abort
)

// String returns "undecided", "continue" or "abort".
func (d Decision) String() string {
	switch d {
	case Undecided:
		return "undecided"
	case Continue:
		return "continue"
	case Abort:
		return "abort"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// Identity is an end user's identity as the provider established it (for Trustly, from
// the bank the end user logged in to). Fields the provider did not send are empty. It is
// personal data: it prints and logs masked, under every fmt verb and in log/slog, as its
// ProviderID and Country, and "[redacted]" for each other field that is set. Read the
// fields to use the data; encoding/json writes them all.
type Identity struct {
	// ProviderID is the provider's id for the person (Trustly's kycentityid). The provider
	// may change it; prefer NationalID where there is one.
	ProviderID string `json:"providerId,omitempty"`
	// NationalID is the person's national identity number where the provider's market has
	// one (Trustly: Sweden, Finland, Estonia), e.g. "SE196512171957".
	NationalID string `json:"nationalId,omitempty"`
	FirstName  string `json:"firstName,omitempty"`
	LastName   string `json:"lastName,omitempty"`
	// Name is the full name where the provider gives it as one text (Trustly's account
	// notification) rather than as FirstName and LastName.
	Name        string `json:"name,omitempty"`
	DateOfBirth string `json:"dateOfBirth,omitempty"` // YYYY-MM-DD
	Street      string `json:"street,omitempty"`
	PostalCode  string `json:"postalCode,omitempty"`
	City        string `json:"city,omitempty"`
	// Country is the country of residence as the provider gives it (Trustly sends a name,
	// such as "Sweden").
	Country string `json:"country,omitempty"`
}

// ErrNoDecision is returned by Event.Decide for an event the provider does not wait on,
// and once the callback that received the event has returned.
var ErrNoDecision = errors.New("notify: this event takes no decision (not one the provider waits on, or its callback has returned)")

// decisionSlot receives the decision of one callback run.
type decisionSlot struct {
	mu     sync.Mutex
	d      Decision
	closed bool
}

// close ends the callback's run and returns its decision.
func (s *decisionSlot) close() Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.d
}

// AsksDecision reports whether the provider waits for the application's Decision on this
// event (see Decide).
func (e Event) AsksDecision() bool { return e.decision != nil }

// Decide records the application's decision on an event the provider waits on (see
// AsksDecision; Trustly's PaymentIdentified events). Call it from the callback, before it
// returns nil; a later call has no effect and returns ErrNoDecision. The last decision
// given counts. The decision is sent only when the callback returns nil: a callback that
// fails is answered as failed, whatever it decided, and the provider asks again.
//
// A provider that did not receive the answer asks again with the same notification: the
// Handler answers it with the decision recorded the first time, without calling the
// callback again, when its Store is a DecisionRecorder (MemoryStore and pgstore are);
// with another Store it calls the callback again and sends its current decision.
func (e Event) Decide(d Decision) error {
	if d != Continue && d != Abort {
		return fmt.Errorf("notify: %v is not a decision to send", d)
	}
	s := e.decision
	if s == nil {
		return ErrNoDecision
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrNoDecision
	}
	s.d = d
	return nil
}
