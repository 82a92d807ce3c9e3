package signing

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Pair is one form parameter.
type Pair struct {
	// Key is the decoded parameter name.
	Key string
	// Value is the decoded parameter value ("" when the parameter had no '=').
	Value string
}

// Form is an ordered list of decoded form parameters, as they appeared on the wire.
//
// A Form returned by this package never holds the same key twice: DecodeForm rejects repeated
// keys, because a repeated key signed by Trustly could be read differently by two lookups
// (first value or last value) and an injected duplicate could shadow a signed value.
type Form []Pair

// Get returns the value of key, or "" if the key is absent. If a hand-built Form repeats the
// key, the first value is returned.
func (f Form) Get(key string) string {
	v, _ := f.Lookup(key)
	return v
}

// Lookup returns the value of key and whether the key is present.
func (f Form) Lookup(key string) (string, bool) {
	for _, p := range f {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Values returns the parameters as url.Values.
func (f Form) Values() url.Values {
	v := make(url.Values, len(f))
	for _, p := range f {
		v[p.Key] = append(v[p.Key], p.Value)
	}
	return v
}

// EncodeForm returns f form-encoded (application/x-www-form-urlencoded): key=value pairs in
// order, joined with '&', each part escaped with url.QueryEscape (a space becomes '+').
func EncodeForm(f Form) string {
	var b strings.Builder
	for i, p := range f {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.Value))
	}
	return b.String()
}

// linearScanLimit is the number of parameters up to which DecodeForm finds repeated keys by
// scanning; beyond it a map is used.
const linearScanLimit = 32

// DecodeForm parses form-encoded text (an application/x-www-form-urlencoded body or a URL
// query) into an ordered Form.
//
// Parameters are separated by '&' and split at their first '='; a parameter without '=' has an
// empty value, and empty parameters (as in "a=1&&b=2" or a trailing '&') are skipped. Keys and
// values are decoded form-style: '+' becomes a space and %XX (either hex case) the byte XX; the
// result must be valid UTF-8. DecodeForm fails with ErrMalformedForm on a '%' not followed by
// two hex digits, on invalid UTF-8, on an empty key, and on a key that appears twice (compared
// after decoding).
func DecodeForm(raw string) (Form, error) {
	if raw == "" {
		return nil, nil
	}
	f := make(Form, 0, strings.Count(raw, "&")+1)
	var seen map[string]struct{} // used once the form is too long for a linear scan
	for off := 0; off < len(raw); {
		end := strings.IndexByte(raw[off:], '&')
		if end < 0 {
			end = len(raw)
		} else {
			end += off
		}
		seg := raw[off:end]
		segOff := off
		off = end + 1
		if seg == "" {
			continue
		}
		rk, rv, _ := strings.Cut(seg, "=")
		k, err := formUnescape(rk, segOff)
		if err != nil {
			return nil, err
		}
		if k == "" {
			return nil, fmt.Errorf("%w: parameter at offset %d has no name", ErrMalformedForm, segOff)
		}
		v, err := formUnescape(rv, segOff+len(rk)+1)
		if err != nil {
			return nil, err
		}
		if seen == nil && len(f) >= linearScanLimit {
			seen = make(map[string]struct{}, cap(f))
			for _, p := range f {
				seen[p.Key] = struct{}{}
			}
		}
		var dup bool
		if seen != nil {
			_, dup = seen[k]
			seen[k] = struct{}{}
		} else {
			_, dup = f.Lookup(k)
		}
		if dup {
			return nil, fmt.Errorf("%w: parameter %s is repeated", ErrMalformedForm, quoteShort(k))
		}
		f = append(f, Pair{Key: k, Value: v})
	}
	if len(f) == 0 {
		return nil, nil
	}
	return f, nil
}

// formUnescape decodes s form-style ('+' to space, %XX to a byte) and checks that the result
// is valid UTF-8. base is the offset of s in the enclosing text, for error messages.
func formUnescape(s string, base int) (string, error) {
	plain := true // no escapes and only ASCII: s is its own decoding
	for i := range len(s) {
		if c := s[i]; c == '%' || c == '+' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return s, nil
	}
	b, err := appendUnescaped(make([]byte, 0, len(s)), s, base, true)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%w: invalid UTF-8 near offset %d", ErrMalformedForm, base)
	}
	return string(b), nil
}

// appendUnescaped appends the decoding of s to dst: %XX becomes the byte XX, and, if plusSpace
// is set, '+' becomes a space. Every other byte is copied. A '%' not followed by two hex digits
// is an error; base is the offset of s in the enclosing text, for error messages.
func appendUnescaped[T string | []byte](dst []byte, s T, base int, plusSpace bool) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return nil, fmt.Errorf("%w: invalid percent-encoding at offset %d", ErrMalformedForm, base+i)
			}
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '+' && plusSpace:
			dst = append(dst, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// quoteShort quotes an untrusted name for an error message, cut to a bounded length.
func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		return fmt.Sprintf("%q…", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}
