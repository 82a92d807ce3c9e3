package conformance

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Status is a scenario's outcome.
type Status string

// The outcomes.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Result is the outcome of one scenario run by Run.
type Result struct {
	Scenario string        `json:"scenario"`
	Status   Status        `json:"status"`
	Message  string        `json:"message,omitempty"`
	Duration time.Duration `json:"duration"`
}

// Run runs every scenario against h outside the testing package — for reports such as
// the paybridge command's conformance table — calling progress (if not nil) before each
// scenario starts and returning one Result per scenario.
func Run(ctx context.Context, h Harness, progress func(i, n int, scenario string)) []Result {
	setup := &runT{}
	var s *suite
	var cleanup func()
	setup.do(func() { s, cleanup = newSuite(setup, h) })
	if setup.status != Passed {
		out := make([]Result, len(scenarios))
		for i, sc := range scenarios {
			out[i] = Result{Scenario: sc.Name, Status: Failed, Message: "setup: " + setup.message()}
		}
		return out
	}
	defer cleanup()
	out := make([]Result, 0, len(scenarios))
	for i, sc := range scenarios {
		if progress != nil {
			progress(i, len(scenarios), sc.Name)
		}
		rt := &runT{}
		start := time.Now()
		sctx, cancel := context.WithTimeout(ctx, s.h.Timeout)
		rt.do(func() { sc.run(sctx, rt, s) })
		cancel()
		out = append(out, Result{Scenario: sc.Name, Status: rt.status, Message: rt.message(), Duration: time.Since(start)})
	}
	return out
}

// runT implements T, ending the scenario's goroutine on Fatal and Skip as testing does.
type runT struct {
	mu     sync.Mutex
	status Status
	msgs   []string
}

func (r *runT) do(f func()) {
	r.status = Passed
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				r.record(Failed, fmt.Sprintf("panic: %v", p))
			}
		}()
		f()
	}()
	<-done
}

func (r *runT) record(st Status, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st == Failed || r.status == Passed {
		r.status = st
	}
	if msg != "" {
		r.msgs = append(r.msgs, msg)
	}
}

func (r *runT) message() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "; ")
}

func (r *runT) Helper()                           {}
func (r *runT) Log(args ...any)                   {}
func (r *runT) Logf(string, ...any)               {}
func (r *runT) Error(args ...any)                 { r.record(Failed, fmt.Sprint(args...)) }
func (r *runT) Errorf(format string, args ...any) { r.record(Failed, fmt.Sprintf(format, args...)) }
func (r *runT) Fatal(args ...any)                 { r.record(Failed, fmt.Sprint(args...)); runtime.Goexit() }
func (r *runT) Fatalf(format string, args ...any) {
	r.record(Failed, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *runT) Skip(args ...any) { r.record(Skipped, fmt.Sprint(args...)); runtime.Goexit() }
func (r *runT) Skipf(format string, args ...any) {
	r.record(Skipped, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *runT) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status == Failed
}
