// Package testwait bounds the waits of tests by a limit far above the time they take, so
// that a test on a busy machine is slower but not failed. A test that waits for something
// to happen polls with For, or receives with Recv; a test that bounds a call runs it with
// Returns. Each fails only when the awaited thing has not happened after Limit, which
// means it never will.
package testwait

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Limit is how long a test waits for something that takes milliseconds on an idle machine
// before it fails: far longer than any busy machine needs.
const Limit = 2 * time.Minute

// Poll is how often For checks its condition.
const Poll = 2 * time.Millisecond

// For calls cond every Poll until it reports true. It fails t, naming what was awaited,
// when cond is still false after Limit. Call it from the test's goroutine.
func For(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after %v", what, Limit)
		}
		time.Sleep(Poll)
	}
}

// Recv returns the next value from ch. It fails t, naming what was awaited, when none
// arrives within Limit. Call it from the test's goroutine.
func Recv[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	timer := time.NewTimer(Limit)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("still waiting for %s after %v", what, Limit)
		var zero T
		return zero
	}
}

// Returns runs f in a goroutine and waits for it to return. It fails t, naming what f
// does, when f has not returned after Limit; f is then left running. Call it from the
// test's goroutine.
func Returns(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	Recv(t, what+" to return", done)
}

// Silent starts a loopback HTTP server that reads each request in full and never answers:
// a provider that took a request and went quiet, however long a client waits. Each
// request's arrival is reported on the returned channel (up to 16 unreceived; later ones
// are not reported). A handler returns when its client gives up; the server is closed
// when the test ends.
func Silent(t testing.TB) (url string, arrived <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 16)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // once read, a client's hang-up ends r's context
		select {
		case ch <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before Close, which waits for the handlers
	return srv.URL, ch
}
