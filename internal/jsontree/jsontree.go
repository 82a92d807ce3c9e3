// Package jsontree reads JSON into a plain tree (map[string]any, []any, json.Number,
// string, bool, nil) for Trustly JSON-RPC, whose signature covers the tree as received:
// Parse refuses duplicate member names, which encoding/json would resolve silently, keeps
// every number as written and bounds the nesting.
package jsontree

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Parse decodes one JSON value from body: objects as map[string]any, arrays as []any,
// numbers as json.Number (their text, unrounded), strings, bools and nil. It rejects
// duplicate member names, nesting deeper than maxDepth and anything but white space after
// the value. body must be valid UTF-8 (the caller checks it once, with utf8.Valid).
//
// It reads the bytes directly rather than through encoding/json's reflection or token
// stream. Strings with escapes are still unquoted by encoding/json, so every string means
// what it means to encoding/json; FuzzParseMatchesTokens holds Parse to the answers of a
// parse through json.Decoder's token stream.
func Parse(body []byte, maxDepth int) (any, error) {
	p := treeScanner{b: body, maxDepth: maxDepth}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.b) {
		return nil, errors.New("data after the top-level value")
	}
	return v, nil
}

type treeScanner struct {
	b        []byte
	i        int
	maxDepth int
}

func (p *treeScanner) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *treeScanner) errAt(what string) error {
	if p.i >= len(p.b) {
		return fmt.Errorf("unexpected end of JSON input (%s)", what)
	}
	return fmt.Errorf("invalid character %q at offset %d (%s)", p.b[p.i], p.i, what)
}

func (p *treeScanner) value(depth int) (any, error) {
	p.space()
	if p.i >= len(p.b) {
		return nil, errors.New("unexpected end of JSON input")
	}
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		if depth >= p.maxDepth {
			return nil, fmt.Errorf("nesting deeper than %d levels", p.maxDepth)
		}
		if c == '[' {
			return p.array(depth)
		}
		return p.object(depth)
	case c == '"':
		return p.str()
	case c == '-' || ('0' <= c && c <= '9'):
		start := p.i
		if err := p.number(); err != nil {
			return nil, err
		}
		return json.Number(p.b[start:p.i]), nil
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, p.errAt("looking for a value")
}

func (p *treeScanner) literal(word string) error {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return p.errAt("in literal " + word)
	}
	p.i += len(word)
	return nil
}

func (p *treeScanner) array(depth int) (any, error) {
	p.i++ // [
	arr := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return arr, nil
	}
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.space()
		if p.i >= len(p.b) {
			return nil, p.errAt("after array element")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return arr, nil
		default:
			return nil, p.errAt("after array element")
		}
	}
}

func (p *treeScanner) object(depth int) (any, error) {
	p.i++ // {
	obj := map[string]any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return obj, nil
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.errAt("looking for an object member name")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := obj[k]; dup {
			return nil, fmt.Errorf("duplicate member name %q", k)
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.errAt("after object member name")
		}
		p.i++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		obj[k] = v
		p.space()
		if p.i >= len(p.b) {
			return nil, p.errAt("after object member")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return obj, nil
		default:
			return nil, p.errAt("after object member")
		}
	}
}

// str reads a string starting at the opening quote.
func (p *treeScanner) str() (string, error) {
	start := p.i
	p.i++
	escaped := false
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !escaped {
				return string(p.b[start+1 : p.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
				return "", err
			}
			return s, nil
		case c == '\\':
			escaped = true
			p.i += 2 // the escape's first character cannot end the string
		case c < 0x20:
			return "", p.errAt("in string literal")
		default:
			p.i++
		}
	}
	return "", errors.New("unexpected end of JSON input (in string literal)")
}

// number reads a number by JSON's grammar.
func (p *treeScanner) number() error {
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && '1' <= p.b[p.i] && p.b[p.i] <= '9':
		p.digits()
	default:
		return p.errAt("in numeric literal")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return p.errAt("after decimal point in numeric literal")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return p.errAt("in exponent of numeric literal")
		}
	}
	return nil
}

func (p *treeScanner) digits() int {
	n := 0
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}
