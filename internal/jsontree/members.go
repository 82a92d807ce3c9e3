package jsontree

import (
	"encoding/json"
	"unicode/utf8"
)

// Kind is the JSON type of a member's value.
type Kind uint8

// The kinds of value Members hands over.
const (
	String Kind = iota + 1
	Number
	Bool // true or false: Raw says which
	Null
	Object
	Array
)

// Value is one member's value.
type Value struct {
	Kind Kind
	// Raw is the value's exact JSON text, as encoding/json hands it to an Unmarshaler.
	Raw []byte
	// Text is a String's contents as encoding/json decodes them: escapes resolved and
	// invalid UTF-8 replaced by U+FFFD. It aliases body unless the string needed either.
	Text []byte
	// Start is the offset of Raw in body.
	Start int
	// Aliased reports that Text is body[Start+1 : Start+1+len(Text)], so that a caller
	// holding body as a string can take the value as a substring of it.
	Aliased bool
}

// In returns a String value's text as a substring of src, which must be the body Members
// walked as a string, when Text aliases it, and as a new string otherwise. One copy of
// the body then serves every plain string member.
func (v Value) In(src string) string {
	if v.Aliased {
		return src[v.Start+1 : v.Start+1+len(v.Text)]
	}
	return string(v.Text)
}

// memberDepth bounds the nesting Members skips over; deeper bodies are left to
// encoding/json.
const memberDepth = 64

// Members walks the members of the JSON object body holds, in order, handing visit each
// member's name and value, without building a tree and, for plain strings, without
// allocating. Nested objects and arrays are checked and handed over as Raw text.
//
// It is the fast path of a decode whose slow path is encoding/json: it returns false, and
// the caller should then decode with encoding/json (which also gives the error), when body
// is not one valid JSON object, when a member name holds an escape or a byte outside
// ASCII (encoding/json matches such names by Unicode case folding, which an ASCII
// comparison would get wrong), when values nest deeper than 64 levels, or as soon as
// visit returns false. A visit that meets what it does not decode exactly as
// encoding/json would (a duplicate member, a null, an unexpected type) returns false.
func Members(body []byte, visit func(name []byte, v Value) bool) bool {
	p := treeScanner{b: body}
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return false
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return p.atEnd()
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return false
		}
		start := p.i
		escaped, high, ok := p.skipString()
		if !ok || escaped || high {
			return false
		}
		name := p.b[start+1 : p.i-1]
		if !p.colon() {
			return false
		}
		p.space()
		v, ok := p.member()
		if !ok || !visit(name, v) {
			return false
		}
		more, ok := p.separator('}')
		if !ok {
			return false
		}
		if !more {
			return p.atEnd()
		}
	}
}

// colon moves past the white space and colon after a member name.
func (p *treeScanner) colon() bool {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != ':' {
		return false
	}
	p.i++
	return true
}

// separator moves past the white space and the comma (more) or the closing bracket
// after a member or element.
func (p *treeScanner) separator(close byte) (more, ok bool) {
	p.space()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return true, true
	case close:
		p.i++
		return false, true
	}
	return false, false
}

// atEnd reports whether only white space is left.
func (p *treeScanner) atEnd() bool {
	p.space()
	return p.i == len(p.b)
}

// member reads the value at p.i.
func (p *treeScanner) member() (Value, bool) {
	start := p.i
	if p.i >= len(p.b) {
		return Value{}, false
	}
	var v Value
	switch c := p.b[p.i]; {
	case c == '"':
		escaped, high, ok := p.skipString()
		if !ok {
			return Value{}, false
		}
		v.Kind, v.Raw, v.Start, v.Aliased = String, p.b[start:p.i], start, true
		v.Text = v.Raw[1 : len(v.Raw)-1]
		if escaped || high && !utf8.Valid(v.Text) {
			v.Aliased = false
			var s string
			if json.Unmarshal(v.Raw, &s) != nil {
				return Value{}, false
			}
			v.Text = []byte(s)
		}
		return v, true
	case c == '{' || c == '[':
		if !p.skipValue(0) {
			return Value{}, false
		}
		v.Kind = Object
		if c == '[' {
			v.Kind = Array
		}
	case c == '-' || ('0' <= c && c <= '9'):
		if p.number() != nil {
			return Value{}, false
		}
		v.Kind = Number
	case c == 't':
		v.Kind = Bool
		if p.literal("true") != nil {
			return Value{}, false
		}
	case c == 'f':
		v.Kind = Bool
		if p.literal("false") != nil {
			return Value{}, false
		}
	case c == 'n':
		v.Kind = Null
		if p.literal("null") != nil {
			return Value{}, false
		}
	default:
		return Value{}, false
	}
	v.Raw, v.Start = p.b[start:p.i], start
	return v, true
}

// skipValue checks the value at p.i and moves past it, nested depth levels deep.
func (p *treeScanner) skipValue(depth int) bool {
	p.space()
	if p.i >= len(p.b) {
		return false
	}
	switch c := p.b[p.i]; {
	case c == '"':
		_, _, ok := p.skipString()
		return ok
	case c == '{' || c == '[':
		if depth >= memberDepth {
			return false
		}
		return p.skipComposite(c, depth)
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number() == nil
	case c == 't':
		return p.literal("true") == nil
	case c == 'f':
		return p.literal("false") == nil
	case c == 'n':
		return p.literal("null") == nil
	}
	return false
}

// skipComposite checks the object or array opening at p.i and moves past it.
func (p *treeScanner) skipComposite(open byte, depth int) bool {
	close := byte(']')
	if open == '{' {
		close = '}'
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == close {
		p.i++
		return true
	}
	for {
		if open == '{' {
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return false
			}
			if _, _, ok := p.skipString(); !ok || !p.colon() {
				return false
			}
		}
		if !p.skipValue(depth + 1) {
			return false
		}
		more, ok := p.separator(close)
		if !ok || !more {
			return ok
		}
	}
}

// skipString checks the string opening at p.i by JSON's grammar and moves past it,
// reporting whether it holds escapes and whether it holds bytes outside ASCII.
func (p *treeScanner) skipString() (escaped, high, ok bool) {
	b, i := p.b, p.i+1
	for i < len(b) {
		c := b[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			high = high || c >= utf8.RuneSelf
			i++
			continue
		}
		switch c {
		case '"':
			p.i = i + 1
			return escaped, high, true
		case '\\':
			escaped = true
			i++
			if i >= len(b) {
				return false, false, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if len(b)-i < 5 {
					return false, false, false
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						return false, false, false
					}
				}
				i += 5
			default:
				return false, false, false
			}
		default: // a control character
			return false, false, false
		}
	}
	return false, false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// NameIs reports whether a member name matches a Go struct field's JSON name as
// encoding/json matches them: exactly or, for the ASCII names Members hands over, ignoring
// case. field must be ASCII.
func NameIs(name []byte, field string) bool {
	if len(name) != len(field) {
		return false
	}
	for i := 0; i < len(name); i++ {
		a, b := name[i], field[i]
		if a == b {
			continue
		}
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// Filler fills a struct from the members Members hands over: each of up to 64 fields
// once, so that a second value (which encoding/json would let overwrite or merge into the
// first) sends the decode to encoding/json, and plain strings as substrings of one copy
// of the body.
type Filler struct {
	src    string
	filled uint64
}

// NewFiller returns a Filler for a decode of body.
func NewFiller(body []byte) Filler { return Filler{src: string(body)} }

// First marks field i filled and reports whether it was not before.
func (f *Filler) First(i int) bool {
	bit := uint64(1) << i
	if f.filled&bit != 0 {
		return false
	}
	f.filled |= bit
	return true
}

// Text returns a String value's text.
func (f *Filler) Text(v Value) string { return v.In(f.src) }

// String sets *dst, field i, to v's text, reporting false when v is not a string or the
// field was filled before.
func (f *Filler) String(i int, v Value, dst *string) bool {
	if v.Kind != String || !f.First(i) {
		return false
	}
	*dst = f.Text(v)
	return true
}

// Decode reads body into a T as json.Unmarshal would: through plain when it fills the
// value (plain reports false for anything it would not decode exactly as encoding/json
// does), else with json.Unmarshal into a fresh T, which also gives the error.
func Decode[T any](body []byte, plain func(*T, []byte) bool) (T, error) {
	var v T
	if plain(&v, body) {
		return v, nil
	}
	var fresh T
	err := json.Unmarshal(body, &fresh)
	return fresh, err
}
