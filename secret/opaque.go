package secret

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Opaque is how a value that holds credentials or personal data prints itself: its type
// name and the details that are safe to show, never its fields.
//
// A type made by a constructor — an adapter, a client, a store — embeds the Printed its
// constructor describes it with (see Printed). A value type that callers build themselves
// — a person, a request — describes itself as an Opaque and implements fmt.Stringer,
// fmt.GoStringer, fmt.Formatter and slog.LogValuer with it:
//
//	func (p Person) describe() secret.Opaque {
//		return secret.Describe("example.Person", "name", "[redacted]")
//	}
//	func (p Person) String() string                { return p.describe().String() }
//	func (p Person) GoString() string              { return p.describe().GoString() }
//	func (p Person) Format(f fmt.State, verb rune) { p.describe().Format(f, verb) }
//	func (p Person) LogValue() slog.Value          { return p.describe().LogValue() }
//
// Value receivers cover printing a copy of the value as well as a pointer to it (fmt
// prints a nil pointer as <nil>).
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

// Printed is what a value made by a constructor prints as: an Opaque made once, when the
// value is made, and embedded in the value's type. The type then prints as its
// description under every fmt verb, in slog's text and JSON handlers and in JSON, never
// as its fields; a nil pointer to it prints as <nil> and encodes as null:
//
//	type Client struct {
//		*core          // the state, credentials included: a pointer fmt never follows
//		secret.Printed // what the Client prints as
//	}
//
//	func New(cfg Config) *Client {
//		return &Client{&core{cfg: cfg}, secret.PrintAs("example.Client", "user", cfg.User)}
//	}
//
// The state sits behind one pointer, so that it stays out of sight wherever fmt does not
// call the type's methods (as a field of another type's value, fmt prints a pointer as
// its address), and so that a type with a lock can be copied and printed by value.
//
// Printed has no LogValue method: promoted to a pointer type, it would be called on a nil
// pointer and panic. slog's text handler prints the value through Format, its JSON
// handler through MarshalJSON, which writes the description as Opaque.LogValue would.
type Printed struct{ o Opaque }

// PrintAs returns the Printed of type typ ("trustist.Client") with the given details, as
// alternating names and values. The values must not be credentials.
func PrintAs(typ string, details ...string) Printed { return Printed{Describe(typ, details...)} }

// String returns "typ{name: value, ...}".
func (p Printed) String() string { return p.o.String() }

// GoString returns "typ{name:"value", ...}".
func (p Printed) GoString() string { return p.o.GoString() }

// Format implements fmt.Formatter as Opaque.Format does.
func (p Printed) Format(f fmt.State, verb rune) { p.o.Format(f, verb) }

// MarshalJSON implements json.Marshaler: an object with the type and the details, in
// their order.
func (p Printed) MarshalJSON() ([]byte, error) {
	b := appendJSON([]byte(`{"type":`), p.o.typ)
	for _, a := range p.o.attrs {
		b = append(appendJSON(append(b, ','), a.Key), ':')
		b = appendJSON(b, a.Value.String())
	}
	return append(b, '}'), nil
}

// appendJSON appends s as a JSON string.
func appendJSON(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}
