package benchkit

import (
	"testing"
	"time"
)

// Paired runs call and floor once each in every iteration of b's loop, timing each on its
// own, and returns their total times. The two alternate so that both see the same machine
// load, connection state and garbage collection; which of them goes first alternates too,
// from one iteration to the next. On loopback the exchange that runs first after the
// other is slower than the one that follows it (BenchmarkPairedSelf pairs a bare POST
// with itself: in a fixed order the first of two identical calls took 4–19% longer on a
// busy 2-core machine), so a fixed order would charge that difference to one side.
func Paired(b *testing.B, call, floor func()) (callTime, floorTime time.Duration) {
	b.Helper()
	first := true
	for b.Loop() {
		if first {
			callTime += timed(call)
			floorTime += timed(floor)
		} else {
			floorTime += timed(floor)
			callTime += timed(call)
		}
		first = !first
	}
	return callTime, floorTime
}

func timed(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}
