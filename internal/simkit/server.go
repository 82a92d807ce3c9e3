package simkit

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// ReadHeaderTimeout bounds how long a simulator waits for a request's headers, as a
// production server should.
const ReadHeaderTimeout = 10 * time.Second

// StartServer serves h on a free loopback port with ReadHeaderTimeout set.
func StartServer(h http.Handler) *httptest.Server {
	s := httptest.NewUnstartedServer(h)
	s.Config.ReadHeaderTimeout = ReadHeaderTimeout
	s.Start()
	return s
}
