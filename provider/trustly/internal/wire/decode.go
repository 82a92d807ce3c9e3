package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/jsontree"
)

// DefaultMaxBodySize is the largest body, in bytes, that the decoders accept unless
// [WithMaxBodySize] says otherwise (16 MiB). Trustly messages are a few kilobytes; the
// largest are settlement reports carried as one CSV string.
const DefaultMaxBodySize = 16 << 20

// DefaultMaxDepth is the deepest nesting of JSON objects and arrays (the envelope counts as
// one level) that the decoders accept unless [WithMaxDepth] says otherwise. Trustly messages
// nest about five levels deep.
const DefaultMaxDepth = 128

// ErrMalformed is matched (with [errors.Is]) by every error reporting a body that is not a
// well-formed message of the expected kind: invalid JSON, a wrong envelope shape, missing
// or mistyped members, duplicate member names, and bodies over the size limit.
var ErrMalformed = errors.New("wire: malformed message")

// ErrTooLarge is matched by errors reporting a body over the size limit. Such errors also
// match [ErrMalformed].
var ErrTooLarge = errors.New("wire: body too large")

// DecodeOption adjusts the limits a decoder applies.
type DecodeOption func(*decodeConfig)

type decodeConfig struct {
	maxBody  int64
	maxDepth int
}

// WithMaxBodySize sets the largest accepted body in bytes; n <= 0 selects
// [DefaultMaxBodySize].
func WithMaxBodySize(n int64) DecodeOption {
	return func(c *decodeConfig) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithMaxDepth sets the deepest accepted nesting of objects and arrays; n <= 0 selects
// [DefaultMaxDepth].
func WithMaxDepth(n int) DecodeOption {
	return func(c *decodeConfig) {
		if n > 0 {
			c.maxDepth = n
		}
	}
}

func newConfig(opts []DecodeOption) decodeConfig {
	c := decodeConfig{maxBody: DefaultMaxBodySize, maxDepth: DefaultMaxDepth}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// ReadBody reads all of r up to limit bytes (limit <= 0 selects [DefaultMaxBodySize]). When
// r holds more, it stops reading and returns an error matching [ErrTooLarge], so a caller
// never buffers more than limit+1 bytes of an HTTP body.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxBodySize
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(limit)
	}
	return b, nil
}

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: %w: limit is %d bytes", ErrMalformed, ErrTooLarge, limit)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// parseBody checks the limits, decodes body into a raw tree (numbers as json.Number) and
// returns the top-level object after checking its "version" member.
func parseBody(body []byte, opts []DecodeOption) (map[string]any, error) {
	cfg := newConfig(opts)
	if int64(len(body)) > cfg.maxBody {
		return nil, tooLarge(cfg.maxBody)
	}
	if !utf8.Valid(body) {
		return nil, malformed("body is not valid UTF-8")
	}
	v, err := jsontree.Parse(body, cfg.maxDepth)
	if err != nil {
		return nil, malformed("invalid JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, malformed("body is %s, not a JSON object", describe(v))
	}
	if ver, ok := obj["version"]; ok {
		s, isStr := ver.(string)
		n, isNum := ver.(json.Number)
		if !(isStr && s == "1.1") && !(isNum && n == "1.1") {
			return nil, malformed("unsupported version %s", describe(ver))
		}
	}
	return obj, nil
}

// treeParser builds the raw JSON tree from a token stream, rejecting duplicate member
// names and excessive nesting.
type treeParser struct {
	dec      *json.Decoder
	maxDepth int
}

func (p *treeParser) value(depth int) (any, error) {
	tok, err := p.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	if d != '{' && d != '[' {
		return nil, fmt.Errorf("unexpected %q", rune(d))
	}
	if depth >= p.maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels", p.maxDepth)
	}
	if d == '[' {
		arr := []any{}
		for p.dec.More() {
			e, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, e)
		}
		return arr, p.end(']')
	}
	obj := map[string]any{}
	for p.dec.More() {
		kt, err := p.dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := kt.(string)
		if !ok {
			return nil, fmt.Errorf("object member name is %s", describe(kt))
		}
		if _, dup := obj[k]; dup {
			return nil, fmt.Errorf("duplicate member name %q", k)
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		obj[k] = v
	}
	return obj, p.end('}')
}

func (p *treeParser) end(want json.Delim) error {
	tok, err := p.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if tok != want {
		return fmt.Errorf("expected %q", rune(want))
	}
	return nil
}

// describe names the JSON type of a raw tree value for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "the number " + string(x)
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case json.Delim:
		return fmt.Sprintf("%q", rune(x))
	}
	return fmt.Sprintf("%T", v)
}

// member returns obj[key], treating a null member like an absent one.
func member(obj map[string]any, key string) (any, bool) {
	v, ok := obj[key]
	return v, ok && v != nil
}

func objectMember(obj map[string]any, key, where string) (map[string]any, error) {
	v, ok := member(obj, key)
	if !ok {
		return nil, malformed("missing %s.%s", where, key)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, malformed("%s.%s is %s, not an object", where, key, describe(v))
	}
	return m, nil
}

// stringMember returns a string member. A required member must be a non-empty string; an
// optional one may also be absent or null, which gives "".
func stringMember(obj map[string]any, key, where string, required bool) (string, error) {
	v, ok := member(obj, key)
	if !ok {
		if required {
			return "", malformed("missing %s.%s", where, key)
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", malformed("%s.%s is %s, not a string", where, key, describe(v))
	}
	if required && s == "" {
		return "", malformed("%s.%s is empty", where, key)
	}
	return s, nil
}

// Scalar returns the text of a raw tree value that is a string or a number (Trustly may
// send numbers either way, "123" or 123). It reports false for anything else, including
// null and absent values.
func Scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	}
	return "", false
}

// parseCode reads an error code sent as a JSON number or a numeric string.
func parseCode(v any) (int, bool) {
	s, ok := Scalar(v)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return n, true
}
