package notify

import (
	"context"
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

// Store records which notifications have been processed. Implementations must make Claim
// atomic across every handler instance sharing the store.
type Store interface {
	// Claim tries to take key for processing for at most lease. It returns Done with the
	// recorded outcome when key was completed before, Busy when another unexpired claim
	// holds it, or Claimed.
	Claim(ctx context.Context, key string, lease time.Duration) (ClaimState, Outcome, error)
	// Complete records key as processed with outcome o and ends the claim.
	Complete(ctx context.Context, key string, o Outcome) error
	// Release ends a claim without recording an outcome, so a redelivery is processed again.
	Release(ctx context.Context, key string) error
}

// MemoryStore is an in-memory Store for a single process. Completed keys are kept for the
// retention period (7 days by default), which should exceed the provider's redelivery
// window. The zero value is not usable; call NewMemoryStore.
type MemoryStore struct {
	mu        sync.Mutex
	now       func() time.Time
	retention time.Duration
	entries   map[string]memEntry
	sweptAt   time.Time
}

type memEntry struct {
	outcome Outcome   // 0 while claimed
	until   time.Time // lease end while claimed; retention end when done
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{now: time.Now, retention: 7 * 24 * time.Hour, entries: map[string]memEntry{}}
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, key string, lease time.Duration) (ClaimState, Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	if e, ok := s.entries[key]; ok {
		if e.outcome != 0 {
			return Done, e.outcome, nil
		}
		if now.Before(e.until) {
			return Busy, 0, nil
		}
	}
	s.entries[key] = memEntry{until: now.Add(lease)}
	return Claimed, 0, nil
}

// Complete implements Store.
func (s *MemoryStore) Complete(_ context.Context, key string, o Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[key] = memEntry{outcome: o, until: s.now().Add(s.retention)}
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[key]; ok && e.outcome == 0 {
		delete(s.entries, key)
	}
	return nil
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
