package secret

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Opaque is how a value that holds credentials — an adapter, a client, a store — prints
// itself: its type name and the details that are safe to show, never its fields. Such a
// type implements fmt.Stringer, fmt.GoStringer, fmt.Formatter and slog.LogValuer by
// describing itself as an Opaque:
//
//	func (c Client) describe() secret.Opaque {
//		return secret.Describe("example.Client", "user", c.user)
//	}
//	func (c Client) String() string                { return c.describe().String() }
//	func (c Client) GoString() string              { return c.describe().GoString() }
//	func (c Client) Format(f fmt.State, verb rune) { c.describe().Format(f, verb) }
//	func (c *Client) LogValue() slog.Value {
//		if c == nil {
//			return slog.AnyValue(nil)
//		}
//		return c.describe().LogValue()
//	}
//
// The fmt methods take the value as receiver, so that printing a copy of the value is
// covered as well as printing a pointer to it (fmt prints a nil pointer as <nil>).
// LogValue takes a pointer, so that a nil one logs as <nil> rather than as a panic; a copy
// logged by value goes through Format. A type that holds a lock keeps its state behind a
// single unexported pointer so that it can have value receivers; that also keeps the
// state out of sight when the type is printed as an unexported field of another, where
// fmt calls no methods.
type Opaque struct {
	typ   string
	attrs []slog.Attr
}

// Describe returns the Opaque of type typ ("trustist.Client") with the given details,
// as alternating names and values. The values must not be credentials.
func Describe(typ string, details ...string) Opaque {
	o := Opaque{typ: typ}
	for i := 0; i+1 < len(details); i += 2 {
		o.attrs = append(o.attrs, slog.String(details[i], details[i+1]))
	}
	return o
}

// String returns "typ{name: value, ...}".
func (o Opaque) String() string {
	return o.join(": ", func(v string) string { return v })
}

// GoString returns "typ{name:"value", ...}".
func (o Opaque) GoString() string { return o.join(":", strconv.Quote) }

// join writes "typ{" and each detail as its name, sep and its value shown by show.
func (o Opaque) join(sep string, show func(string) string) string {
	var b strings.Builder
	b.WriteString(o.typ)
	b.WriteByte('{')
	for i, a := range o.attrs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Key)
		b.WriteString(sep)
		b.WriteString(show(a.Value.String()))
	}
	b.WriteByte('}')
	return b.String()
}

// Format implements fmt.Formatter: %#v prints GoString, %q the quoted String, and every
// other verb (including %x and %X) the String itself.
func (o Opaque) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = f.Write([]byte(o.GoString()))
	case verb == 'q':
		_, _ = f.Write([]byte(strconv.Quote(o.String())))
	default:
		_, _ = f.Write([]byte(o.String()))
	}
}

// LogValue implements slog.LogValuer: a group with the type and the details.
func (o Opaque) LogValue() slog.Value {
	return slog.GroupValue(append([]slog.Attr{slog.String("type", o.typ)}, o.attrs...)...)
}
