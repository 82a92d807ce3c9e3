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
type Set[K comparable] struct {
	mu   sync.Mutex
	m    map[K]*entry
	free []*entry // entries dropped from m, kept for reuse
}

type entry struct {
	slot  chan struct{} // holds one token while the key is held
	users int           // holders and waiters
}

// maxFree bounds the entries a Set keeps for reuse.
const maxFree = 64

// Held is a held key; Unlock frees it.
type Held[K comparable] struct {
	s   *Set[K]
	key K
	e   *entry
}

// Lock waits until key is free or ctx ends. On success the key is held until Unlock is
// called on the result (exactly once); when ctx ends first it returns ctx's error.
func (s *Set[K]) Lock(ctx context.Context, key K) (Held[K], error) {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[K]*entry{}
	}
	e := s.m[key]
	if e == nil {
		if n := len(s.free); n > 0 {
			e, s.free = s.free[n-1], s.free[:n-1]
		} else {
			e = &entry{slot: make(chan struct{}, 1)}
		}
		s.m[key] = e
	}
	e.users++
	s.mu.Unlock()
	select {
	case e.slot <- struct{}{}: // free: taken without waiting
		return Held[K]{s: s, key: key, e: e}, nil
	default:
	}
	select {
	case e.slot <- struct{}{}:
		return Held[K]{s: s, key: key, e: e}, nil
	case <-ctx.Done():
		s.release(key, e)
		return Held[K]{}, ctx.Err()
	}
}

// Unlock frees the key.
func (h Held[K]) Unlock() {
	<-h.e.slot
	h.s.release(h.key, h.e)
}

// Len reports how many keys are held or waited for.
func (s *Set[K]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

func (s *Set[K]) release(key K, e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.users--
	if e.users == 0 {
		delete(s.m, key)
		if len(s.free) < maxFree {
			s.free = append(s.free, e) // its slot is empty: no one holds or waits
		}
	}
}
