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

// PlainHTTPURL accepts, without parsing, the URLs most requests carry: http or https, a
// host of letters, digits, dots and hyphens, an optional port, and a path, query and
// fragment of unreserved characters, sub-delimiters, ':', '@', '/', '?' and complete
// percent escapes. Everything it accepts, url.Parse accepts with that scheme and host;
// anything else is left to url.Parse.
func PlainHTTPURL(s string) bool {
	var rest string
	switch {
	case len(s) > 8 && (s[:8] == "https://" || strings.EqualFold(s[:8], "https://")):
		rest = s[8:]
	case len(s) > 7 && (s[:7] == "http://" || strings.EqualFold(s[:7], "http://")):
		rest = s[7:]
	default:
		return false
	}
	i := 0
	for i < len(rest) && urlBytes[rest[i]]&hostByte != 0 {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(rest) && rest[i] == ':' {
		j := i + 1
		for j < len(rest) && j-i <= 5 && '0' <= rest[j] && rest[j] <= '9' {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(rest) && rest[i] != '/' && rest[i] != '?' && rest[i] != '#' {
		return false
	}
	fragment := false
	for ; i < len(rest); i++ {
		c := rest[i]
		switch {
		case urlBytes[c]&pathByte != 0:
		case c == '#' && !fragment:
			fragment = true
		case c == '%' && i+2 < len(rest) && isHex(rest[i+1]) && isHex(rest[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

// urlBytes classes the bytes PlainHTTPURL accepts: in a host (letters, digits, '.', '-')
// and in a path, query or fragment (unreserved, sub-delimiters, ':', '@', '/', '?').
var urlBytes = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if IsAlnum(b) || b == '.' || b == '-' {
			t[c] |= hostByte
		}
		if IsAlnum(b) || strings.IndexByte("-._~!$&'()*+,;=:@/?", b) >= 0 {
			t[c] |= pathByte
		}
	}
	return t
}()

const (
	hostByte = 1 << iota
	pathByte
)

// IsAlnum reports whether c is an ASCII letter or digit.
func IsAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
