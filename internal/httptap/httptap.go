// Package httptap watches what an HTTP client sends, for tests that check that a refused
// call sent nothing.
package httptap

import (
	"net/http"
	"sync/atomic"
)

// Counter is an http.RoundTripper that counts the requests passing through it to Next
// (http.DefaultTransport when nil).
type Counter struct {
	Next http.RoundTripper
	n    atomic.Int64
}

// RoundTrip implements http.RoundTripper.
func (c *Counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	next := c.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// Count returns how many requests have passed through c.
func (c *Counter) Count() int64 { return c.n.Load() }
