// Package secret holds credentials — passwords, API keys, private keys, tokens — in a type
// that never prints them.
//
// A [Value] renders as "[redacted]" under every fmt verb (including %#v and %+v), in
// log/slog output, and when marshalled to JSON or text. The only way to read it is
// [Value.Reveal] (or [Value.Bytes]), which provider adapters call at the moment they sign
// or authenticate a request. Configuration structs in paybridge use Value for every
// credential field, so printing or logging a whole configuration is always safe.
package secret

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Redacted is what a Value prints as.
const Redacted = "[redacted]"

// Value is a secret string. The zero Value is empty. Values are immutable and safe to copy.
type Value struct {
	// s is held behind a pointer-free string; copying a Value copies the reference only.
	s string
}

// New returns a Value holding s.
func New(s string) Value { return Value{s: s} }

// FromBytes returns a Value holding a copy of b.
func FromBytes(b []byte) Value { return Value{s: string(b)} }

// FromEnv reads the secret from the environment variable name. When name is unset or
// empty and name+"_FILE" is set, the secret is read from the file that variable names
// (trailing newlines are removed), so keys can live in files mounted by the platform.
// It returns ok=false when neither variable is set. An unreadable file is reported as
// "reading NAME_FILE: open /path: no such file or directory", wrapping the *fs.PathError.
func FromEnv(name string) (v Value, ok bool, err error) {
	if s := os.Getenv(name); s != "" {
		return New(s), true, nil
	}
	path := os.Getenv(name + "_FILE")
	if path == "" {
		return Value{}, false, nil
	}
	v, err = FromFile(path)
	if err != nil {
		return Value{}, false, fmt.Errorf("reading %s_FILE: %w", name, err)
	}
	return v, true, nil
}

// FromFile reads a secret from the file at path, removing trailing newlines. The error,
// if any, is the *fs.PathError ("open /path: permission denied"): it names the path but
// never the file's content.
func FromFile(path string) (Value, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return Value{}, pe
		}
		return Value{}, fmt.Errorf("cannot read %s", path)
	}
	return Value{s: strings.TrimRight(string(b), "\r\n")}, nil
}

// Reveal returns the secret itself. Call it only where the secret is used on the wire.
func (v Value) Reveal() string { return v.s }

// Bytes returns a new copy of the secret's bytes.
func (v Value) Bytes() []byte { return []byte(v.s) }

// IsZero reports whether the Value is empty.
func (v Value) IsZero() bool { return v.s == "" }

// Equal reports, in constant time for equal lengths, whether v and w hold the same secret.
func (v Value) Equal(w Value) bool {
	return subtle.ConstantTimeCompare([]byte(v.s), []byte(w.s)) == 1
}

// String returns "[redacted]", or "" for an empty Value.
func (v Value) String() string {
	if v.s == "" {
		return ""
	}
	return Redacted
}

// GoString returns a redacted Go-syntax form, so %#v never shows the secret.
func (v Value) GoString() string { return "secret.Value(" + Redacted + ")" }

// Format implements fmt.Formatter so that every verb, flag and width prints the redacted
// form, never the secret.
func (v Value) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, v.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", v.String())
	default:
		fmt.Fprint(f, v.String())
	}
}

// LogValue implements slog.LogValuer: the secret is logged as "[redacted]".
func (v Value) LogValue() slog.Value { return slog.StringValue(v.String()) }

// MarshalText implements encoding.TextMarshaler with the redacted form.
func (v Value) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// MarshalJSON implements json.Marshaler with the redacted form.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(`"` + v.String() + `"`), nil }
