package trustlyrest

import (
	"context"
	"sync"
)

// keyLocks serialises work on one key (a parent transaction's id) within this process. Each
// key held has a one-slot channel; a waiter gives up when its context ends. Entries are
// dropped when nobody holds or waits for them, so the table stays as small as the work in
// flight.
//
// The guard is per process: two processes sharing one Trustly account can still send the
// same capture, refund or deposit at the same moment. Trustly dedupes captures and deposits
// by merchantReference once they are authorized (error 210), but not refunds (protocol §12).
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	slot  chan struct{}
	users int // holders and waiters
}

// lock waits until key is free or ctx ends. On success it returns the function that frees
// the key; on ctx's end it returns ctx's error.
func (l *keyLocks) lock(ctx context.Context, key string) (unlock func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	e := l.m[key]
	if e == nil {
		e = &keyLock{slot: make(chan struct{}, 1)}
		l.m[key] = e
	}
	e.users++
	l.mu.Unlock()
	done := func() {
		l.mu.Lock()
		if e.users--; e.users == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
	select {
	case e.slot <- struct{}{}:
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
	return func() {
		<-e.slot
		done()
	}, nil
}

// size returns how many keys are held or waited for.
func (l *keyLocks) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
