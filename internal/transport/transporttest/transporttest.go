// Package transporttest holds test servers for the HTTP rules of package transport.
package transporttest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is one request a Trap's target received.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// Trap is a loopback listener that records every request reaching it, and a handler
// that redirects requests to it: on the same host as the server a test redirects from,
// on another port, where net/http would keep an Authorization header on a redirect.
type Trap struct {
	target *httptest.Server
	mu     sync.Mutex
	got    []Request
}

// NewTrap starts a Trap, closed when the test ends.
func NewTrap(t testing.TB) *Trap {
	tr := &Trap{}
	tr.target = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		tr.mu.Lock()
		tr.got = append(tr.got, Request{r.Method, r.URL.Path, r.Header.Clone(), b})
		tr.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(tr.target.Close)
	return tr
}

// URL is the trap's base URL, which Redirect's Location starts with.
func (tr *Trap) URL() string { return tr.target.URL }

// Redirect answers r with a 307 to the same path on the trap.
func (tr *Trap) Redirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, tr.target.URL+r.URL.Path, http.StatusTemporaryRedirect)
}

// Requests returns what reached the trap.
func (tr *Trap) Requests() []Request {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]Request(nil), tr.got...)
}
