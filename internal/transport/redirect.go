package transport

import (
	"net/http"
	"net/url"
	"strconv"
)

// NoRedirects returns a client that sends requests as c does but follows no redirect: the
// client returns a 3xx answer as it is, for Classify to report as Redirected. It is a
// shallow copy of c with CheckRedirect replaced (sharing c's Transport, Jar and Timeout);
// c itself is not modified.
//
// An API client must not follow redirects: net/http keeps the Authorization header on a
// redirect to the same host name, whatever the port or scheme, so a redirect would carry
// the credentials to a listener the configuration never named, and it would resend a
// write to a URL nobody chose.
func NoRedirects(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = stopAtRedirect
	return &cp
}

// Client returns the client an adapter sends its requests with: NoRedirects(c), or
// DefaultClient() when c is nil.
func Client(c *http.Client) *http.Client {
	if c == nil {
		return DefaultClient()
	}
	return NoRedirects(c)
}

func stopAtRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// RedirectMessage describes a 3xx answer for an error: its status and the Location it
// names (resolved against the request's URL, without user info, query or fragment), and
// what to do about it.
func RedirectMessage(resp *http.Response) string {
	return "answered HTTP " + strconv.Itoa(resp.StatusCode) + " redirecting to " + redirectTarget(resp) +
		"; API requests follow no redirects: check the base URL"
}

// redirectTarget returns the answer's Location for an error message.
func redirectTarget(resp *http.Response) string {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "no Location"
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "an unreadable Location"
	}
	if resp.Request != nil && resp.Request.URL != nil {
		u = resp.Request.URL.ResolveReference(u)
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return strconv.Quote(u.String())
}
