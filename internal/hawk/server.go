package hawk

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultSkew is the timestamp skew a [Server] allows when Skew is zero, as in the
// reference implementation.
const DefaultSkew = 60 * time.Second

// NonceChecker records nonces to detect replayed requests.
type NonceChecker interface {
	// Seen records the nonce of an authenticated request from id with timestamp ts and
	// reports whether the same (id, nonce, ts) was recorded before.
	Seen(id, nonce string, ts int64) bool
}

// Server verifies Hawk-authenticated requests the way the reference server does.
// Set Credentials; the other fields have defaults. A Server must not be copied after
// first use and is safe for concurrent use.
type Server struct {
	// Credentials returns the key of a Hawk id; ok is false for an unknown id.
	Credentials func(id string) (key []byte, ok bool)
	// Skew is how far a request timestamp may be from Now; zero means [DefaultSkew].
	Skew time.Duration
	// Now returns the server time; nil means time.Now.
	Now func() time.Time
	// Nonces detects replays; nil means a [MemoryNonces] with a window of twice the skew
	// and the server's clock.
	Nonces NonceChecker
	// AllowUnhashedBody accepts a request with a non-empty body and no hash attribute
	// (the MAC then does not cover the body, which is what the reference server does
	// when the application does not ask it to check the payload). By default such
	// requests are refused with [MissingHash].
	AllowUnhashedBody bool

	once   sync.Once
	nonces NonceChecker
}

// Result describes an authenticated request.
type Result struct {
	// Credentials are the client's id and key.
	Credentials Credentials
	// Artifacts are the values the request MAC covered; pass them to [ResponseHeader].
	Artifacts Artifacts
}

// ErrorKind classifies an authentication failure.
type ErrorKind int

const (
	// MissingAuth means no Authorization header, or one with another scheme.
	MissingAuth ErrorKind = iota + 1
	// BadHeader means a malformed Authorization or Host header, a missing required
	// attribute, or an unsupported one (app, dlg).
	BadHeader
	// UnknownID means the id has no credentials.
	UnknownID
	// BadMAC means the request MAC does not verify.
	BadMAC
	// MissingHash means the request has a body but no hash attribute.
	MissingHash
	// BadHash means the hash attribute does not match the body.
	BadHash
	// Replay means the nonce was already used.
	Replay
	// Stale means the timestamp is outside the allowed skew; the error's WWWAuthenticate
	// carries the server time and its tsm.
	Stale
)

var kindNames = map[ErrorKind]string{
	MissingAuth: "MissingAuth",
	BadHeader:   "BadHeader",
	UnknownID:   "UnknownID",
	BadMAC:      "BadMAC",
	MissingHash: "MissingHash",
	BadHash:     "BadHash",
	Replay:      "Replay",
	Stale:       "Stale",
}

// String returns the kind's name.
func (k ErrorKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// AuthError is the error [Server.Authenticate] returns.
type AuthError struct {
	// Kind classifies the failure.
	Kind ErrorKind
	// Message is the reference implementation's message for the failure.
	Message string
	// WWWAuthenticate is the WWW-Authenticate value to send with a 401 reply ("" for
	// BadHeader, which is answered with 400).
	WWWAuthenticate string
}

// Error returns the message.
func (e *AuthError) Error() string { return "hawk: " + e.Message }

// Status returns the HTTP status to reply with: 400 for BadHeader, otherwise 401.
func (e *AuthError) Status() int {
	if e.Kind == BadHeader {
		return http.StatusBadRequest
	}
	return http.StatusUnauthorized
}

func authErr(kind ErrorKind, msg string) *AuthError {
	e := &AuthError{Kind: kind, Message: msg}
	switch kind {
	case BadHeader:
	case MissingAuth:
		e.WWWAuthenticate = "Hawk"
	default:
		e.WWWAuthenticate = `Hawk error="` + msg + `"`
	}
	return e
}

func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Server) skew() time.Duration {
	if s.Skew <= 0 {
		return DefaultSkew
	}
	return s.Skew
}

func (s *Server) nonceChecker() NonceChecker {
	if s.Nonces != nil {
		return s.Nonces
	}
	s.once.Do(func() {
		s.nonces = &MemoryNonces{Window: 2 * s.skew(), Now: s.now}
	})
	return s.nonces
}

// Authenticate verifies the Hawk Authorization header of r, whose body has already been
// read into body. The host and port come from r.Host (the port defaults to 443 when
// r.TLS is set, 80 otherwise); the resource is the request target as received.
//
// The checks run in the reference server's order: header present and well-formed,
// credentials known, MAC (constant time), payload hash, nonce replay, timestamp skew.
// The payload check: a hash attribute must match the hash of body under the request's
// Content-Type (an empty body included); a non-empty body without a hash attribute is
// refused unless AllowUnhashedBody is set. Every failure is an *[AuthError].
func (s *Server) Authenticate(r *http.Request, body []byte) (*Result, error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return nil, authErr(MissingAuth, "missing Authorization header")
	}
	if len(values) > 1 {
		return nil, authErr(BadHeader, "more than one Authorization header")
	}
	attrs, err := ParseHeader(values[0], Authorization)
	if errors.Is(err, ErrNotHawk) {
		return nil, authErr(MissingAuth, "not a Hawk Authorization header")
	}
	if err != nil {
		return nil, authErr(BadHeader, "invalid Authorization header")
	}
	host, port, ok := parseHost(r.Host, r.TLS != nil)
	if !ok {
		return nil, authErr(BadHeader, "invalid Host header")
	}
	id, mac, nonce := attrs["id"], attrs["mac"], attrs["nonce"]
	tsText, hasTS := attrs["ts"]
	if id == "" || mac == "" || nonce == "" || !hasTS {
		return nil, authErr(BadHeader, "missing attributes")
	}
	if _, app := attrs["app"]; app {
		return nil, authErr(BadHeader, "unsupported attribute app")
	}
	if _, dlg := attrs["dlg"]; dlg {
		return nil, authErr(BadHeader, "unsupported attribute dlg")
	}
	ts, ok := parseTimestamp(tsText)
	if !ok {
		return nil, authErr(BadHeader, "invalid ts attribute")
	}

	var key []byte
	if s.Credentials != nil {
		key, ok = s.Credentials(id)
	}
	if !ok || len(key) == 0 {
		return nil, authErr(UnknownID, "Unknown credentials")
	}

	a := Artifacts{
		Method:    r.Method,
		Resource:  requestTarget(r),
		Host:      strings.ToLower(host),
		Port:      port,
		Timestamp: ts,
		Nonce:     nonce,
		Hash:      attrs["hash"],
		Ext:       attrs["ext"],
	}
	if !equal(mac, MAC(key, TypeHeader, a)) {
		return nil, authErr(BadMAC, "Bad mac")
	}

	if a.Hash != "" {
		if !equal(a.Hash, PayloadHash(r.Header.Get("Content-Type"), body)) {
			return nil, authErr(BadHash, "Bad payload hash")
		}
	} else if len(body) > 0 && !s.AllowUnhashedBody {
		return nil, authErr(MissingHash, "Missing required payload hash")
	}

	if s.nonceChecker().Seen(id, nonce, ts) {
		return nil, authErr(Replay, "Invalid nonce")
	}

	now := s.now()
	skew := s.skew()
	if d := time.Unix(ts, 0).Sub(now); d > skew || d < -skew {
		e := authErr(Stale, "Stale timestamp")
		serverTS := now.Unix()
		e.WWWAuthenticate = `Hawk ts="` + strconv.FormatInt(serverTS, 10) +
			`", tsm="` + TimestampMAC(key, serverTS) + `", error="Stale timestamp"`
		return nil, e
	}

	return &Result{
		Credentials: Credentials{ID: id, Key: Key(key)},
		Artifacts:   a,
	}, nil
}

// requestTarget returns the request target as the client sent it when it is in origin
// form, otherwise the escaped path and query of r.URL.
func requestTarget(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// parseHost splits a Host header into a host name (brackets of an IPv6 literal removed)
// and a port, defaulting the port by tls.
func parseHost(h string, tls bool) (host string, port int, ok bool) {
	port = 80
	if tls {
		port = 443
	}
	rest := ""
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", 0, false
		}
		host, rest = h[1:end], h[end+1:]
	} else if i := strings.IndexByte(h, ':'); i >= 0 {
		host, rest = h[:i], h[i:]
	} else {
		host = h
	}
	if host == "" || strings.ContainsAny(host, " \t\r\n/[]@") {
		return "", 0, false
	}
	if rest != "" {
		digits := rest[1:]
		if rest[0] != ':' || digits == "" || len(digits) > 5 {
			return "", 0, false
		}
		n, err := strconv.Atoi(digits)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != digits {
			return "", 0, false
		}
		port = n
	}
	return host, port, true
}

// ResponseHeader returns a Server-Authorization value for the response to the request
// described by req: a MAC of type [TypeResponse] over req with its hash and ext replaced
// by the response's. When payload is non-nil its hash (under contentType) is included;
// no ext is sent.
func ResponseHeader(key []byte, req Artifacts, contentType string, payload []byte) string {
	a := req
	a.Hash, a.Ext = "", ""
	if payload != nil {
		a.Hash = PayloadHash(contentType, payload)
	}
	h := `Hawk mac="` + MAC(key, TypeResponse, a) + `"`
	if a.Hash != "" {
		h += `, hash="` + a.Hash + `"`
	}
	return h
}

// MemoryNonces is an in-memory [NonceChecker]. An entry is kept until its timestamp (or
// the time it was recorded, whichever is later) is more than Window in the past, so a
// replay is always caught either here or by the timestamp check as long as Window is at
// least the server's skew. The zero value is ready to use; it is safe for concurrent use.
type MemoryNonces struct {
	// Window is how long entries are kept; zero means twice [DefaultSkew].
	Window time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	mu        sync.Mutex
	seen      map[nonceKey]int64 // expiry, Unix seconds
	nextSweep int64
}

type nonceKey struct {
	id, nonce string
	ts        int64
}

// Seen implements [NonceChecker].
func (m *MemoryNonces) Seen(id, nonce string, ts int64) bool {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	window := m.Window
	if window <= 0 {
		window = 2 * DefaultSkew
	}
	nowS := now.Unix()
	winS := int64((window + time.Second - 1) / time.Second)

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = make(map[nonceKey]int64)
	}
	if nowS >= m.nextSweep {
		for k, exp := range m.seen {
			if exp < nowS {
				delete(m.seen, k)
			}
		}
		m.nextSweep = nowS + winS/2 + 1
	}
	k := nonceKey{id, nonce, ts}
	if exp, ok := m.seen[k]; ok && exp >= nowS {
		return true
	}
	m.seen[k] = max(ts, nowS) + winS
	return false
}

// Len returns the number of nonces currently remembered.
func (m *MemoryNonces) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}
