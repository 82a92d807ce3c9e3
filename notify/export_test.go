package notify

import "time"

// SetMemoryStoreClock makes s read the time from now, so that tests move it instead of
// sleeping.
func SetMemoryStoreClock(s *MemoryStore, now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}
