package trustlysim

import (
	"testing"
	"time"
)

// An accepted refund of a settled deposit executes after Options.RefundDelay, a second
// unless set (what the README says of 'paybridge sim', which leaves it unset); a delay
// that is set is kept.
func TestRefundDelayDefaultsToOneSecond(t *testing.T) {
	for given, want := range map[time.Duration]time.Duration{0: time.Second, -time.Minute: time.Second, time.Millisecond: time.Millisecond} {
		s, _, _ := start(t, Options{AllowLoopbackHTTP: true, RefundDelay: given})
		if got := s.opts.RefundDelay; got != want {
			t.Errorf("RefundDelay %v: the simulator waits %v; want %v", given, got, want)
		}
	}
}
