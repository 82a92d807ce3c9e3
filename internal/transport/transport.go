// Package transport holds the HTTP rules every adapter shares: which base URLs are
// acceptable, how much of a response body is read, that no redirect is followed, and
// whether a failed request may have been processed.
package transport

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxResponseBytes bounds how much of a provider's response an adapter reads by default.
const MaxResponseBytes = 16 << 20

// ErrResponseTooLarge is returned by ReadBody when a body exceeds its limit.
var ErrResponseTooLarge = errors.New("provider response exceeds the size limit")

// BaseURL parses a provider base URL and refuses anything but https, except plain http to
// a loopback host (simulators, local proxies). The error names the problem, not the URL's
// user info.
func BaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("base URL must be an absolute https URL")
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL must not carry credentials")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("plain http is refused for %s; use https (http is allowed for loopback hosts only)", u.Hostname())
		}
	default:
		return nil, fmt.Errorf("base URL scheme %q is not supported; use https", u.Scheme)
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// IsLoopback reports whether host is localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// MaxConnsPerHost bounds the connections DefaultClient opens to one provider host; calls
// beyond it wait (as long as their context allows) for a connection to come free, and
// that many stay open between bursts, so a burst of concurrent calls reuses connections
// instead of opening and closing one per call.
const MaxConnsPerHost = 64

// DefaultClient returns the HTTP client adapters use when the caller gives none: a
// 30-second overall timeout, no redirects followed (see NoRedirects), and a transport of
// its own (so that closing the adapter can drop its idle connections without touching
// http.DefaultTransport) that keeps up to MaxConnsPerHost keep-alive connections per host.
func DefaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxConnsPerHost = MaxConnsPerHost
	t.MaxIdleConnsPerHost = MaxConnsPerHost
	return &http.Client{Timeout: 30 * time.Second, Transport: t, CheckRedirect: stopAtRedirect}
}

// ReadBody reads at most limit bytes of r (MaxResponseBytes when limit <= 0) and reports
// ErrResponseTooLarge beyond that.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = MaxResponseBytes
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrResponseTooLarge
	}
	return b, nil
}

// ReadResponse reads resp's body as ReadBody does, into a buffer of the exact size when
// the response declares a Content-Length within the limit.
func ReadResponse(resp *http.Response, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = MaxResponseBytes
	}
	n := resp.ContentLength
	if n < 0 || n > limit {
		return ReadBody(resp.Body, limit)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, b); err != nil {
		return nil, err
	}
	return b, nil
}
