// Package keylock serialises work on a key within one process: a payment's idempotency
// key in the Gateway, a parent transaction in an adapter.
package keylock

import (
	"context"
	"sync"
)

// Set holds one lock per key, created on first use and dropped when no one holds or waits
// for it, so it stays as small as the work in flight. The zero Set is ready to use and it
// is safe for concurrent use.
type Set struct {
	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	slot  chan struct{}
	users int // holders and waiters
}

// Lock waits until key is free or ctx ends. On success it returns the function that frees
// the key (call it exactly once); when ctx ends first it returns ctx's error.
func (s *Set) Lock(ctx context.Context, key string) (unlock func(), err error) {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[string]*entry{}
	}
	e := s.m[key]
	if e == nil {
		e = &entry{slot: make(chan struct{}, 1)}
		s.m[key] = e
	}
	e.users++
	s.mu.Unlock()
	select {
	case e.slot <- struct{}{}:
		return func() {
			<-e.slot
			s.release(key, e)
		}, nil
	case <-ctx.Done():
		s.release(key, e)
		return nil, ctx.Err()
	}
}

// Len reports how many keys are held or waited for.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

func (s *Set) release(key string, e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.users--
	if e.users == 0 {
		delete(s.m, key)
	}
}
