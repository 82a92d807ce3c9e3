package trustist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// entryState is where a remembered call stands.
type entryState int

const (
	// inFlight: the call is being made; later calls with the key wait for it.
	inFlight entryState = iota
	// settled: the call succeeded; later calls return its result.
	settled
	// uncertain: the request reached Trustist and the answer was lost.
	uncertain
)

// entry is one remembered call.
type entry[T any] struct {
	key   string
	fp    string
	state entryState
	val   T
	cause error
	at    time.Time
	ready chan struct{} // closed when the state leaves inFlight
}

// ledger remembers calls by idempotency key, in this process only, for the retention
// period. Trustist's API takes no idempotency key, so this is what makes a repeated call
// with the same key return the first call's result within a Provider's life. It is empty
// after a restart.
type ledger[T any] struct {
	mu        sync.Mutex
	m         map[string]*entry[T]
	retention time.Duration
	now       func() time.Time
	swept     time.Time
}

func newLedger[T any](retention time.Duration, now func() time.Time) *ledger[T] {
	return &ledger[T]{m: map[string]*entry[T]{}, retention: retention, now: now}
}

// fingerprint identifies a request by the exact bytes that would be sent.
func fingerprint(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// claim returns a new in-flight entry for key that the caller owns (owner true) and must
// settle, or a copy of the settled or uncertain entry already there. It waits while
// another call with the key is in flight. A key reused for a different request is
// refused with Duplicate.
func (l *ledger[T]) claim(ctx context.Context, key, fp string) (e *entry[T], owner bool, err error) {
	for {
		l.mu.Lock()
		l.sweepLocked()
		cur := l.m[key]
		if cur == nil {
			cur = &entry[T]{key: key, fp: fp, ready: make(chan struct{})}
			l.m[key] = cur
			l.mu.Unlock()
			return cur, true, nil
		}
		if cur.fp != fp {
			l.mu.Unlock()
			return nil, false, &provider.Error{Code: provider.Duplicate, Field: "IdempotencyKey",
				Message: "the idempotency key was used before with a different request"}
		}
		if cur.state != inFlight {
			snap := *cur
			l.mu.Unlock()
			return &snap, false, nil
		}
		ch := cur.ready
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-ch:
		}
	}
}

// settle ends the caller's in-flight entry with state st, or forgets the key when forget
// is true (the call failed without effect, so a repeat must send again).
func (l *ledger[T]) settle(e *entry[T], st entryState, val T, cause error, forget bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if forget {
		if l.m[e.key] == e {
			delete(l.m, e.key)
		}
	} else {
		e.state, e.val, e.cause, e.at = st, val, cause, l.now()
	}
	close(e.ready)
}

// update changes the settled or uncertain entry for key with f, under the lock.
func (l *ledger[T]) update(key string, f func(e *entry[T])) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.m[key]; e != nil && e.state != inFlight {
		f(e)
	}
}

// each calls f for every entry that is not in flight, under the lock.
func (l *ledger[T]) each(f func(e *entry[T])) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.m {
		if e.state != inFlight {
			f(e)
		}
	}
}

// sweepLocked drops entries older than the retention, at most once a minute.
func (l *ledger[T]) sweepLocked() {
	now := l.now()
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, e := range l.m {
		if e.state != inFlight && now.Sub(e.at) > l.retention {
			delete(l.m, k)
		}
	}
}
