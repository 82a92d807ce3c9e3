package benchkit

import (
	"testing"
	"time"
)

// Paired runs call and floor once each in every iteration of b's loop, timing each on its
// own, and returns their total times. The two alternate so that both see the same machine
// load, connection state and garbage collection; which of them goes first alternates too,
// from one iteration to the next, so that whatever a place in the pair costs is charged
// to both sides alike. BenchmarkPairedSelf pairs a bare POST with itself, in a fixed order
// and with Paired: on an idle 2-core machine both read 1.00 ± 0.01; on a busy one a fixed
// order read anywhere from 0.82 to 1.19 from run to run.
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
