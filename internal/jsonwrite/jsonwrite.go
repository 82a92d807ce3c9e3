// Package jsonwrite writes JSON objects of strings directly into a byte slice, byte for
// byte as encoding/json.Marshal writes the struct they stand for, without its reflection.
// Adapters use it for request bodies on their hot paths; each keeps a test holding its
// writer to json.Marshal of its struct.
package jsonwrite

import (
	"unicode/utf8"
)

// Object writes one JSON object, from NewObject; Bytes closes it.
// Member names are written as given and must need no escaping.
type Object struct {
	b     []byte
	depth int
	first bool // no member written yet at the current level
}

// NewObject returns an Object that appends to dst.
func NewObject(dst []byte) Object {
	return Object{b: append(dst, '{'), first: true}
}

func (o *Object) name(name string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = append(o.b, '"')
	o.b = append(o.b, name...)
	o.b = append(o.b, '"', ':')
}

// String writes a string member.
func (o *Object) String(name, value string) {
	o.name(name)
	o.b = AppendString(o.b, value)
}

// StringOmitEmpty writes a string member unless value is empty, as the omitempty option
// does.
func (o *Object) StringOmitEmpty(name, value string) {
	if value != "" {
		o.String(name, value)
	}
}

// Raw writes a member whose value is raw, which must be valid JSON.
func (o *Object) Raw(name string, raw []byte) {
	o.name(name)
	o.b = append(o.b, raw...)
}

// Begin opens a nested object member; End closes it.
func (o *Object) Begin(name string) {
	o.name(name)
	o.b = append(o.b, '{')
	o.first = true
	o.depth++
}

// End closes the object Begin opened.
func (o *Object) End() {
	o.b = append(o.b, '}')
	o.first = false
	o.depth--
}

// Bytes closes the object and returns the slice written to.
func (o *Object) Bytes() []byte {
	for ; o.depth > 0; o.depth-- {
		o.b = append(o.b, '}')
	}
	return append(o.b, '}')
}

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string exactly as encoding/json.Marshal writes it: with
// <, > and & escaped for HTML, U+2028 and U+2029 escaped, and each byte of invalid UTF-8
// replaced by U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plain marks the ASCII bytes written as they are: printable, not a quote, a backslash or
// one of the HTML characters encoding/json escapes.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
