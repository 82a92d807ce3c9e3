package hawk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxHeaderLength is the longest header value [ParseHeader] accepts, as in the reference
// implementation.
const MaxHeaderLength = 4096

// HeaderKind names one of the three Hawk header forms; it decides which attribute names
// [ParseHeader] accepts.
type HeaderKind int

const (
	// Authorization is a request's Authorization header: id, ts, nonce, hash, ext, mac,
	// app, dlg.
	Authorization HeaderKind = iota
	// ServerAuthorization is a response's Server-Authorization header: mac, hash, ext.
	ServerAuthorization
	// WWWAuthenticate is a 401 response's WWW-Authenticate header: ts, tsm, error.
	WWWAuthenticate
)

// attribute names per kind, in the order the reference implementation writes them.
var headerAttributes = [...][]string{
	Authorization:       {"id", "ts", "nonce", "hash", "ext", "mac", "app", "dlg"},
	ServerAuthorization: {"mac", "hash", "ext"},
	WWWAuthenticate:     {"ts", "tsm", "error"},
}

func (k HeaderKind) attributes() []string {
	if k < 0 || int(k) >= len(headerAttributes) {
		return nil
	}
	return headerAttributes[k]
}

// String returns the HTTP header name of k.
func (k HeaderKind) String() string {
	switch k {
	case Authorization:
		return "Authorization"
	case ServerAuthorization:
		return "Server-Authorization"
	case WWWAuthenticate:
		return "WWW-Authenticate"
	}
	return "HeaderKind(" + strconv.Itoa(int(k)) + ")"
}

var (
	// ErrNotHawk is returned by [ParseHeader] for an empty header or one whose scheme is
	// not Hawk.
	ErrNotHawk = errors.New("hawk: not a Hawk header")
	// ErrInvalidHeader is wrapped by every other [ParseHeader] error: bad syntax, unknown
	// or duplicate attribute, disallowed characters, excessive length.
	ErrInvalidHeader = errors.New("hawk: invalid header")
)

// ValidAttributeValue reports whether s may appear as a Hawk attribute value: non-empty
// and made only of printable ASCII other than the double quote and the backslash.
func ValidAttributeValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func isWordChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func skipSpace(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidHeader}, args...)...)
}

// ParseHeader parses a Hawk header of the given kind, `Hawk name="value", …`, into its
// attributes. It is strict, for use on untrusted input: the scheme is matched
// case-insensitively, attribute names must be among those of kind, may appear once, and
// values must satisfy [ValidAttributeValue] (no escapes are recognised, as in the
// reference implementation). Attributes are separated by a comma with optional spaces or
// tabs; a trailing comma is refused. Headers longer than [MaxHeaderLength] are refused.
//
// An empty header, or one with another scheme, returns an error wrapping [ErrNotHawk];
// anything else wrong returns an error wrapping [ErrInvalidHeader].
func ParseHeader(h string, kind HeaderKind) (map[string]string, error) {
	names := kind.attributes()
	if names == nil {
		return nil, fmt.Errorf("hawk: unknown header kind %d", int(kind))
	}
	if len(h) > MaxHeaderLength {
		return nil, invalid("header longer than %d bytes", MaxHeaderLength)
	}
	if h == "" {
		return nil, ErrNotHawk
	}
	i := 0
	for i < len(h) && isWordChar(h[i]) {
		i++
	}
	if i == 0 {
		return nil, invalid("bad syntax")
	}
	if !strings.EqualFold(h[:i], "hawk") {
		return nil, ErrNotHawk
	}
	rest := h[i:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return nil, invalid("bad syntax")
	}
	if rest = skipSpace(rest); rest == "" {
		return nil, invalid("no attributes")
	}
	attrs := make(map[string]string, len(names))
	for {
		j := 0
		for j < len(rest) && isWordChar(rest[j]) {
			j++
		}
		if j == 0 {
			return nil, invalid("bad syntax")
		}
		name := rest[:j]
		rest = rest[j:]
		if !strings.HasPrefix(rest, `="`) {
			return nil, invalid("bad syntax")
		}
		rest = rest[2:]
		end := strings.IndexAny(rest, `"\`)
		if end < 0 || rest[end] != '"' {
			return nil, invalid("bad attribute value")
		}
		value := rest[:end]
		rest = rest[end+1:]
		if !contains(names, name) {
			return nil, invalid("unknown attribute %q", name)
		}
		if !ValidAttributeValue(value) {
			return nil, invalid("bad value for attribute %s", name)
		}
		if _, dup := attrs[name]; dup {
			return nil, invalid("duplicate attribute %s", name)
		}
		attrs[name] = value
		if rest = skipSpace(rest); rest == "" {
			return attrs, nil
		}
		if rest[0] != ',' {
			return nil, invalid("bad syntax")
		}
		if rest = skipSpace(rest[1:]); rest == "" {
			return nil, invalid("trailing comma")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FormatHeader writes attrs as a Hawk header of the given kind, in the attribute order the
// reference implementation uses. Every name must belong to kind and every value must
// satisfy [ValidAttributeValue]; attrs must not be empty. Its output parses back with
// [ParseHeader] to the same attributes.
func FormatHeader(kind HeaderKind, attrs map[string]string) (string, error) {
	names := kind.attributes()
	if names == nil {
		return "", fmt.Errorf("hawk: unknown header kind %d", int(kind))
	}
	if len(attrs) == 0 {
		return "", invalid("no attributes")
	}
	for name, v := range attrs {
		if !contains(names, name) {
			return "", invalid("unknown attribute %q", name)
		}
		if !ValidAttributeValue(v) {
			return "", invalid("bad value for attribute %s", name)
		}
	}
	var b strings.Builder
	b.WriteString("Hawk")
	sep := " "
	for _, name := range names {
		if v, ok := attrs[name]; ok {
			b.WriteString(sep)
			b.WriteString(name)
			b.WriteString(`="`)
			b.WriteString(v)
			b.WriteByte('"')
			sep = ", "
		}
	}
	return b.String(), nil
}

// parseTimestamp parses a Hawk ts attribute: a canonical decimal (no sign, no leading
// zeros) of at most 15 digits, so that formatting it again yields the same string the MAC
// was computed over.
func parseTimestamp(s string) (int64, bool) {
	if s == "" || len(s) > 15 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
