package notify

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// ClaimState is the result of Store.Claim.
type ClaimState int

// The claim states.
const (
	// Claimed: the caller now owns the notification and must Complete or Release it.
	Claimed ClaimState = iota + 1
	// Done: the notification was already processed; the recorded Outcome is returned.
	Done
	// Busy: another handler holds an unexpired claim on it.
	Busy
)

// ClaimResult is the answer of Store.Claim.
type ClaimResult struct {
	State ClaimState
	// Outcome is the recorded outcome when State is Done.
	Outcome Outcome
	// Decision is the application's Decision recorded with the outcome by a
	// DecisionRecorder, when State is Done; Undecided otherwise.
	Decision Decision
	// Token identifies the claim when State is Claimed; pass it to Complete or Release,
	// so that a handler whose lease expired can never end a claim another handler has
	// taken over since.
	Token string
}

// Store records which notifications have been processed. Implementations must make Claim
// atomic across every handler instance sharing the store.
type Store interface {
	// Claim tries to take key for processing for at most lease. It returns Done with the
	// recorded outcome when key was completed before, Busy when another unexpired claim
	// holds it, or Claimed with a token for this claim. A claim whose lease has ended may
	// be taken over by a later Claim.
	Claim(ctx context.Context, key string, lease time.Duration) (ClaimResult, error)
	// Complete records key as processed with outcome o and ends the claim. It records the
	// outcome even when the claim identified by token had expired and been taken over,
	// since the notification was processed either way; the first recorded outcome stays.
	Complete(ctx context.Context, key, token string, o Outcome) error
	// Release ends the claim identified by token without recording an outcome, so a
	// redelivery is processed again. It does nothing when that claim has been taken over,
	// and never forgets a completed key.
	Release(ctx context.Context, key, token string) error
}

// DecisionRecorder is implemented by a Store that records, with a processed notification
// the provider waits on (Notification.AsksDecision), the application's Decision, and
// returns it in ClaimResult.Decision to every later Claim of the key. The Handler then
// answers a redelivery, or a captured notification posted again, with the first answer,
// without calling the application again, as Trustly asks ("return the same
// result.data.status as the first time"). With a Store that is not a DecisionRecorder such
// a notification is not remembered: each delivery reaches the application. MemoryStore and
// pgstore are DecisionRecorders.
type DecisionRecorder interface {
	// CompleteDecided is Complete with outcome Processed, recording d with it. Like
	// Complete, it keeps the first recorded outcome.
	CompleteDecided(ctx context.Context, key, token string, d Decision) error
}

// Renewer is implemented by a Store that can extend a claim while its holder still has
// it. While the callback runs, the Handler renews its claim every third of the lease, so
// that a callback slower than the lease keeps the notification from a redelivery to
// another handler; a crashed handler renews nothing, and its claim ends with its lease.
// With a Store that is not a Renewer, the lease must be longer than the callback can take.
// MemoryStore and pgstore are Renewers.
type Renewer interface {
	// Renew makes the claim identified by token last lease from now, and reports true.
	// It reports false, changing nothing, when that claim no longer holds key: completed,
	// released, or taken over after its lease ended. A claim whose lease ended but that
	// nobody took over is still held, and is renewed.
	Renew(ctx context.Context, key, token string, lease time.Duration) (bool, error)
}

// ErrClaimLost is the cause (context.Cause) of the callback's context when the Handler's
// claim on the notification ended while the callback ran: another handler took it over,
// or the store could not be reached to renew it before its lease ended. Another handler
// may be passing the same notification to the application: a callback that sees it
// should stop and return an error.
var ErrClaimLost = errors.New("notify: the claim on the notification ended while the callback ran")

// MemoryStore is an in-memory Store for a single process. Completed keys are kept for the
// retention period (7 days by default), which should exceed the provider's redelivery
// window. The zero value is not usable; call NewMemoryStore.
type MemoryStore struct {
	mu        sync.Mutex
	now       func() time.Time
	retention time.Duration
	entries   map[string]memEntry
	sweptAt   time.Time
	seq       uint64
}

type memEntry struct {
	outcome  Outcome   // 0 while claimed
	decision Decision  // recorded with a Processed outcome by CompleteDecided
	until    time.Time // lease end while claimed; retention end when done
	token    string    // the current claim's token
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{now: time.Now, retention: 7 * 24 * time.Hour, entries: map[string]memEntry{}}
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, key string, lease time.Duration) (ClaimResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	if e, ok := s.entries[key]; ok {
		if e.outcome != 0 {
			return ClaimResult{State: Done, Outcome: e.outcome, Decision: e.decision}, nil
		}
		if now.Before(e.until) {
			return ClaimResult{State: Busy}, nil
		}
	}
	s.seq++
	token := strconv.FormatUint(s.seq, 10)
	s.entries[key] = memEntry{until: now.Add(lease), token: token}
	return ClaimResult{State: Claimed, Token: token}, nil
}

// Complete implements Store.
func (s *MemoryStore) Complete(_ context.Context, key, _ string, o Outcome) error {
	s.complete(key, o, Undecided)
	return nil
}

// CompleteDecided implements DecisionRecorder.
func (s *MemoryStore) CompleteDecided(_ context.Context, key, _ string, d Decision) error {
	s.complete(key, Processed, d)
	return nil
}

func (s *MemoryStore) complete(key string, o Outcome, d Decision) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[key]; ok && e.outcome != 0 {
		return // the first recorded outcome stays
	}
	s.entries[key] = memEntry{outcome: o, decision: d, until: s.now().Add(s.retention)}
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[key]; ok && e.outcome == 0 && e.token == token {
		delete(s.entries, key)
	}
	return nil
}

// Renew implements Renewer.
func (s *MemoryStore) Renew(_ context.Context, key, token string, lease time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok || e.outcome != 0 || e.token != token {
		return false, nil
	}
	e.until = s.now().Add(lease)
	s.entries[key] = e
	return true, nil
}

// sweep drops expired entries at most once a minute.
func (s *MemoryStore) sweep(now time.Time) {
	if now.Sub(s.sweptAt) < time.Minute {
		return
	}
	s.sweptAt = now
	for k, e := range s.entries {
		if e.outcome != 0 && now.After(e.until) {
			delete(s.entries, k)
		}
	}
}
