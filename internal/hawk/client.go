package hawk

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// RequestOptions are the optional inputs of [RequestHeader].
type RequestOptions struct {
	// Timestamp is the request time in Unix seconds; 0 means the time of Clock.
	Timestamp int64
	// Clock supplies the time when Timestamp is 0; nil means the local clock, unadjusted.
	Clock *Clock
	// Nonce is the request nonce; "" means 6 random base64url characters.
	Nonce string
	// ContentType is the Content-Type sent with the payload; only its media type is hashed.
	ContentType string
	// Payload is the exact request body that will be sent.
	Payload []byte
	// HasPayload requests a payload hash even when Payload is empty. A non-empty Payload
	// is always hashed.
	HasPayload bool
	// Ext is optional application data covered by the MAC and sent in the header. It must
	// satisfy [ValidAttributeValue] when set.
	Ext string
}

// RequestHeader returns the Authorization header value for a request with the given
// method and URL, and the artifacts the MAC covers (keep them to verify the response with
// [VerifyResponse]).
//
// The URL must be absolute with scheme http or https. The resource is the escaped path
// and query exactly as net/http sends them (url.URL.RequestURI); the host is lower-cased;
// the port is the explicit one or the scheme's default (443 for https, 80 for http).
// The header lists id, ts, nonce, hash (when a payload is hashed), ext (when set) and mac,
// in that order.
func RequestHeader(c Credentials, method, rawURL string, opts RequestOptions) (string, Artifacts, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", Artifacts{}, fmt.Errorf("hawk: bad URL: %w", err)
	}
	return RequestHeaderURL(c, method, u, opts)
}

// RequestHeaderURL is RequestHeader for a URL the caller has parsed already, such as the
// URL of the http.Request about to be sent.
func RequestHeaderURL(c Credentials, method string, u *url.URL, opts RequestOptions) (string, Artifacts, error) {
	if !ValidAttributeValue(c.ID) {
		return "", Artifacts{}, errors.New("hawk: credentials id missing or not a valid attribute value")
	}
	if len(c.Key) == 0 {
		return "", Artifacts{}, errors.New("hawk: credentials key missing")
	}
	if method == "" {
		return "", Artifacts{}, errors.New("hawk: missing method")
	}
	host, port, resource, err := splitURL(u)
	if err != nil {
		return "", Artifacts{}, err
	}
	ts := opts.Timestamp
	if ts == 0 {
		ts = opts.Clock.Now()
	}
	if ts < 0 {
		return "", Artifacts{}, errors.New("hawk: negative timestamp")
	}
	nonce := opts.Nonce
	if nonce == "" {
		if nonce, err = newNonce(); err != nil {
			return "", Artifacts{}, err
		}
	} else if !ValidAttributeValue(nonce) {
		return "", Artifacts{}, errors.New("hawk: nonce is not a valid attribute value")
	}
	if opts.Ext != "" && !ValidAttributeValue(opts.Ext) {
		return "", Artifacts{}, errors.New("hawk: ext is not a valid attribute value")
	}
	a := Artifacts{
		Method:    strings.ToUpper(method),
		Resource:  resource,
		Host:      host,
		Port:      port,
		Timestamp: ts,
		Nonce:     nonce,
		Ext:       opts.Ext,
	}
	if opts.HasPayload || len(opts.Payload) > 0 {
		a.Hash = PayloadHash(opts.ContentType, opts.Payload)
	}
	mac := c.macOfArtifacts(TypeHeader, a)

	var b strings.Builder
	b.Grow(len(c.ID) + len(nonce) + len(a.Hash) + len(a.Ext) + len(mac) + 64)
	b.WriteString(`Hawk id="`)
	b.WriteString(c.ID)
	b.WriteString(`", ts="`)
	var digits [20]byte
	b.Write(strconv.AppendInt(digits[:0], ts, 10))
	b.WriteString(`", nonce="`)
	b.WriteString(nonce)
	if a.Hash != "" {
		b.WriteString(`", hash="`)
		b.WriteString(a.Hash)
	}
	if a.Ext != "" {
		b.WriteString(`", ext="`)
		b.WriteString(a.Ext)
	}
	b.WriteString(`", mac="`)
	b.WriteString(mac)
	b.WriteByte('"')
	return b.String(), a, nil
}

// splitURL returns the Hawk host, port and resource of an absolute http(s) URL.
func splitURL(u *url.URL) (host string, port int, resource string, err error) {
	switch u.Scheme {
	case "https":
		port = 443
	case "http":
		port = 80
	default:
		return "", 0, "", errors.New("hawk: URL scheme must be http or https")
	}
	if u.Opaque != "" || u.Host == "" {
		return "", 0, "", errors.New("hawk: URL must be absolute with a host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, "", errors.New("hawk: bad port in URL")
		}
		port = n
	}
	host = strings.ToLower(u.Hostname())
	if host == "" {
		return "", 0, "", errors.New("hawk: URL must be absolute with a host")
	}
	return host, port, u.RequestURI(), nil
}

// newNonce returns 6 random base64url characters.
func newNonce() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("hawk: generating nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])[:6], nil
}

// Clock is a client's view of the server's time: the local clock plus an offset in
// seconds learned from stale-timestamp replies. The zero Clock is ready to use, and a nil
// *Clock reads the local clock unadjusted. A Clock is safe for concurrent use; it must not
// be copied after first use.
type Clock struct {
	// Local returns the local time; nil means time.Now. Set it before first use.
	Local func() time.Time

	offset atomic.Int64
}

func (c *Clock) local() time.Time {
	if c == nil || c.Local == nil {
		return time.Now()
	}
	return c.Local()
}

// Now returns the adjusted time in Unix seconds.
func (c *Clock) Now() int64 {
	t := c.local().Unix()
	if c != nil {
		t += c.offset.Load()
	}
	return t
}

// Offset returns the current offset in seconds (server time minus local time).
func (c *Clock) Offset() int64 {
	if c == nil {
		return 0
	}
	return c.offset.Load()
}

// SetOffset sets the offset in seconds.
func (c *Clock) SetOffset(seconds int64) { c.offset.Store(seconds) }

// Sync verifies a stale-timestamp WWW-Authenticate header with [VerifyStaleTimestamp]
// and, when it is authentic, sets the offset so that [Clock.Now] matches the server's
// time. The offset is left unchanged on error.
func (c *Clock) Sync(cred Credentials, wwwAuthenticate string) error {
	ts, err := VerifyStaleTimestamp(cred, wwwAuthenticate)
	if err != nil {
		return err
	}
	c.offset.Store(ts - c.local().Unix())
	return nil
}

var (
	// ErrNoTimestamp is returned by [VerifyStaleTimestamp] for a WWW-Authenticate header
	// that carries no server time.
	ErrNoTimestamp = errors.New("hawk: WWW-Authenticate carries no timestamp")
	// ErrBadTimestampMAC is returned by [VerifyStaleTimestamp] when the tsm is missing or
	// does not authenticate the server time.
	ErrBadTimestampMAC = errors.New("hawk: invalid server timestamp MAC")
	// ErrNoServerAuthorization is returned by [VerifyResponse] for a response without a
	// Server-Authorization header. Hawk lets a server leave it out; a client that requires
	// it treats the response as unverified.
	ErrNoServerAuthorization = errors.New("hawk: response carries no Server-Authorization header")
	// ErrBadResponseMAC is returned by [VerifyResponse] when the response MAC does not verify.
	ErrBadResponseMAC = errors.New("hawk: bad response MAC")
	// ErrMissingResponseHash is returned by [VerifyResponse] when a payload is given but
	// the server sent no hash.
	ErrMissingResponseHash = errors.New("hawk: missing response payload hash")
	// ErrBadResponseHash is returned by [VerifyResponse] when the payload does not match
	// the server's hash.
	ErrBadResponseHash = errors.New("hawk: bad response payload hash")
)

// VerifyStaleTimestamp checks the WWW-Authenticate header of a stale-timestamp reply,
// `Hawk ts="…", tsm="…", error="Stale timestamp"`, and returns the server's time in Unix
// seconds. The tsm is compared with [TimestampMAC] in constant time.
func VerifyStaleTimestamp(c Credentials, wwwAuthenticate string) (int64, error) {
	attrs, err := ParseHeader(wwwAuthenticate, WWWAuthenticate)
	if err != nil {
		return 0, err
	}
	tsText, ok := attrs["ts"]
	if !ok {
		return 0, ErrNoTimestamp
	}
	ts, ok := parseTimestamp(tsText)
	if !ok {
		return 0, invalid("bad ts attribute")
	}
	if len(c.Key) == 0 || !equal(attrs["tsm"], c.timestampMAC(ts)) {
		return 0, ErrBadTimestampMAC
	}
	return ts, nil
}

// VerifyResponse verifies a response's Server-Authorization header against the artifacts
// of the request it answers (as returned by [RequestHeader]). The MAC is computed with
// type [TypeResponse] over the request artifacts with hash and ext replaced by the
// header's own (empty when absent). When payload is non-nil (use []byte{} for an empty
// body) the header must carry a hash and it must match PayloadHash(contentType, payload);
// with a nil payload the body is not checked. An empty header is
// [ErrNoServerAuthorization].
func VerifyResponse(c Credentials, req Artifacts, serverAuthorization string, contentType string, payload []byte) error {
	if serverAuthorization == "" {
		return ErrNoServerAuthorization
	}
	attrs, err := ParseHeader(serverAuthorization, ServerAuthorization)
	if err != nil {
		return err
	}
	mac, ok := attrs["mac"]
	if !ok {
		return invalid("missing mac attribute")
	}
	a := req
	a.Hash = attrs["hash"]
	a.Ext = attrs["ext"]
	if len(c.Key) == 0 || !equal(mac, c.macOfArtifacts(TypeResponse, a)) {
		return ErrBadResponseMAC
	}
	if payload == nil {
		return nil
	}
	if a.Hash == "" {
		return ErrMissingResponseHash
	}
	if !equal(a.Hash, PayloadHash(contentType, payload)) {
		return ErrBadResponseHash
	}
	return nil
}
