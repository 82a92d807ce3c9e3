package notify

import "time"

// SetMemoryStoreClock makes s read the time from now, so that tests move it instead of
// sleeping.
func SetMemoryStoreClock(s *MemoryStore, now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetMaxHold sets how long h renews its claim for one run of the callback at most.
func SetMaxHold(h *Handler, d time.Duration) { h.maxHold = d }
