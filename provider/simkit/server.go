package simkit

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// The timeouts a simulator's server keeps, as a production server should: a client that
// sends its request slowly, or never, holds a connection for a bounded time.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	IdleTimeout       = 2 * time.Minute
)

// NewServer returns a server for h with the simulators' timeouts.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout, IdleTimeout: IdleTimeout}
}

// StartServer serves h on a free loopback port with the simulators' timeouts.
func StartServer(h http.Handler) *httptest.Server {
	s := httptest.NewUnstartedServer(h)
	s.Config = NewServer(h)
	s.Start()
	return s
}
