package simkit

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Faults are the fault knobs of a simulated API: fail the next requests before they are
// processed, delay every request, lose the replies of the next processed requests, and
// draw seeded random faults for every request (SetRandom). The zero value injects no
// faults. It is safe for concurrent use.
type Faults struct {
	mu       sync.Mutex
	failNext int
	dropNext int
	latency  time.Duration

	// rnd draws the random faults; nil when they are off.
	rnd    *rand.Rand
	rates  FaultRates
	counts [numFaults]int64
}

// FailNext makes the next n requests fail before they are processed.
func (f *Faults) FailNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext = n
}

// DropNext makes the next n processed requests lose their replies.
func (f *Faults) DropNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropNext = n
}

// SetLatency delays every request by d before it is processed.
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// Begin is called as a request arrives: Arrive, then Sleep for the latency. It returns
// ctx's error when ctx ends during the wait; the caller then answers nothing.
func (f *Faults) Begin(ctx context.Context) (fail bool, err error) {
	fail, latency := f.Arrive()
	return fail, Sleep(ctx, latency)
}

// Arrive decides whether an arriving request fails, taking one from FailNext, and returns
// the latency to add to it.
func (f *Faults) Arrive() (fail bool, latency time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fail = f.failNext > 0
	if fail {
		f.failNext--
	}
	return fail, f.latency
}

// Sleep waits for d, or until ctx ends, in which case it returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// TakeDrop reports whether this request's reply is to be lost, taking one from DropNext.
func (f *Faults) TakeDrop() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dropNext > 0 {
		f.dropNext--
		return true
	}
	return false
}

// DropConnection closes the client's connection without an answer, as when a reply is
// lost on the way. It reports false when w cannot give up its connection; nothing has been
// written then.
func DropConnection(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
