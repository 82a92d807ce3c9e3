package trustist

import (
	"context"
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
	fp    uint64
	state entryState
	val   T
	cause error
	at    time.Time
	// ready is closed when the state leaves inFlight. It is made when a second call with
	// the key has to wait, so a call no one waits for makes none.
	ready chan struct{}
}

// ledger remembers calls by idempotency key, in this process only, for the retention
// period. Trustist's API takes no idempotency key, so this is what makes a repeated call
// with the same key return the first call's result within a Provider's life. It is empty
// after a restart.
type ledger[T any] struct {
	mu sync.Mutex
	m  map[string]*entry[T]
	// unsure holds the entries in state uncertain, so that resolving them does not walk
	// every call the ledger remembers.
	unsure    map[*entry[T]]struct{}
	retention time.Duration
	now       func() time.Time
	swept     time.Time
}

func newLedger[T any](retention time.Duration, now func() time.Time) *ledger[T] {
	return &ledger[T]{m: map[string]*entry[T]{}, unsure: map[*entry[T]]struct{}{}, retention: retention, now: now}
}

// claim returns a new in-flight entry for key that the caller owns (owner true) and must
// settle, or a copy of the settled or uncertain entry already there. It waits while
// another call with the key is in flight. A key reused for a different request is
// refused with Duplicate.
func (l *ledger[T]) claim(ctx context.Context, key string, fp uint64) (e *entry[T], owner bool, err error) {
	for {
		l.mu.Lock()
		l.sweepLocked()
		cur := l.m[key]
		if cur == nil {
			cur = &entry[T]{key: key, fp: fp}
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
		if cur.ready == nil {
			cur.ready = make(chan struct{})
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
		if st == uncertain {
			l.unsure[e] = struct{}{}
		}
	}
	if e.ready != nil {
		close(e.ready)
	}
}

// update changes the settled or uncertain entry for key with f, under the lock.
func (l *ledger[T]) update(key string, f func(e *entry[T])) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.m[key]; e != nil && e.state != inFlight {
		f(e)
	}
}

// eachUncertain calls f for every entry in state uncertain, under the lock; f may settle
// it by changing its state.
func (l *ledger[T]) eachUncertain(f func(e *entry[T])) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for e := range l.unsure {
		if f(e); e.state != uncertain {
			delete(l.unsure, e)
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
			delete(l.unsure, e)
		}
	}
}
