package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrUnserializable is matched (with [errors.Is]) by every error reporting a data value that
// has no defined Trustly serialization: booleans, floating-point numbers, invalid
// json.Number text, strings or keys that are not valid UTF-8, unsupported Go types, and
// nesting deeper than [MaxSerializeDepth].
var ErrUnserializable = errors.New("wire: value has no Trustly serialization")

// MaxSerializeDepth is the deepest nesting of objects and arrays that [Serialize] and
// [Normalize] accept. It bounds recursion, including on cyclic Go values.
const MaxSerializeDepth = 10000

// ValueError describes a data value that cannot be serialized. It matches
// [ErrUnserializable].
type ValueError struct {
	// Path locates the value, for example "data.Attributes.Flag" or "data.items[2]".
	Path string
	// Reason says what is wrong with the value.
	Reason string
}

// Error implements error.
func (e *ValueError) Error() string {
	return "wire: cannot serialize " + e.Path + ": " + e.Reason
}

// Unwrap returns [ErrUnserializable].
func (e *ValueError) Unwrap() error { return ErrUnserializable }

// valueError is the in-flight form of a ValueError: the path is collected, innermost
// segment first, while the recursion unwinds.
type valueError struct {
	rev    []string
	reason string
}

// Error implements error; the path is added by publicError.
func (e *valueError) Error() string { return e.reason }

func newValueError(format string, args ...any) *valueError {
	return &valueError{reason: fmt.Sprintf(format, args...)}
}

// within records that err happened inside the member or element named by seg.
func within(err error, seg string) error {
	if ve, ok := err.(*valueError); ok {
		ve.rev = append(ve.rev, seg)
	}
	return err
}

func keySeg(k string) string { return "." + k }
func indexSeg(i int) string  { return "[" + strconv.Itoa(i) + "]" }

// pathEnds is how many leading and trailing segments a very deep ValueError path keeps.
const pathEnds = 16

// publicError turns an in-flight valueError into a *ValueError with its full path.
func publicError(err error) error {
	ve, ok := err.(*valueError)
	if !ok {
		return err
	}
	var b strings.Builder
	b.WriteString("data")
	for i := len(ve.rev) - 1; i >= 0; i-- {
		if n := len(ve.rev); n > 2*pathEnds && i == n-1-pathEnds {
			b.WriteString("…")
			i = pathEnds - 1
		}
		b.WriteString(ve.rev[i])
	}
	return &ValueError{Path: b.String(), Reason: ve.reason}
}

// Serialize returns the plaintext that is signed for a message: method + uuid + S(data),
// following the rules in the package documentation. With an empty method and uuid it
// returns S(data) alone. Errors match [ErrUnserializable].
func Serialize(method, uuid string, data any) ([]byte, error) {
	return AppendPlaintext(nil, method, uuid, data)
}

// AppendPlaintext appends the plaintext of [Serialize] to dst and returns the extended
// slice. On error it returns dst with its original length.
func AppendPlaintext(dst []byte, method, uuid string, data any) ([]byte, error) {
	n := len(dst)
	p := plainWriter{buf: dst}
	p.writeString(method)
	p.writeString(uuid)
	if err := p.value(data, 0); err != nil {
		return dst[:n], publicError(err)
	}
	return p.buf, nil
}

// WritePlaintext streams the plaintext of [Serialize] to w in chunks of a few kilobytes, so
// that it can feed a hash without materializing the whole plaintext. If the data turns out
// to be unserializable, part of the plaintext may already have been written.
func WritePlaintext(w io.Writer, method, uuid string, data any) error {
	// Most messages are well under the flush threshold: start small and let append grow
	// the buffer (to the threshold at most) for the rare large one.
	p := plainWriter{w: w, buf: make([]byte, 0, 512)}
	p.writeString(method)
	p.writeString(uuid)
	if err := p.value(data, 0); err != nil {
		return publicError(err)
	}
	p.flush()
	return p.err
}

// flushThreshold is the buffered size at which a streaming plainWriter hands its bytes to
// the underlying writer.
const flushThreshold = 4096

// plainWriter produces the plaintext either into buf (w == nil) or, in chunks, into w.
type plainWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (p *plainWriter) writeString(s string) {
	if p.w != nil && len(p.buf)+len(s) > flushThreshold {
		p.flush()
		if len(s) > flushThreshold {
			if p.err == nil {
				_, p.err = io.WriteString(p.w, s)
			}
			return
		}
	}
	p.buf = append(p.buf, s...)
}

func (p *plainWriter) flush() {
	if p.w == nil || len(p.buf) == 0 {
		return
	}
	if p.err == nil {
		_, p.err = p.w.Write(p.buf)
	}
	p.buf = p.buf[:0]
}

// value writes S(v). The canonical decoded types are handled directly; any other type is
// first converted by normalize, so the two cannot disagree about what a value means.
func (p *plainWriter) value(v any, depth int) error {
	if depth > MaxSerializeDepth {
		return newValueError("nesting deeper than %d levels", MaxSerializeDepth)
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if !utf8.ValidString(x) {
			return newValueError("string is not valid UTF-8")
		}
		p.writeString(x)
		return nil
	case json.Number:
		if !isJSONNumber(string(x)) {
			return newValueError("json.Number %q is not a JSON number", string(x))
		}
		p.writeString(string(x))
		return nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !utf8.ValidString(k) {
				return within(newValueError("member name is not valid UTF-8"), keySeg(k))
			}
			p.writeString(k)
			if err := p.value(x[k], depth+1); err != nil {
				return within(err, keySeg(k))
			}
		}
		return nil
	case []any:
		for i, e := range x {
			if err := p.value(e, depth+1); err != nil {
				return within(err, indexSeg(i))
			}
		}
		return nil
	case bool:
		return errBoolean()
	case float32, float64:
		return errFloat(x)
	}
	n, err := normalize(v, depth)
	if err != nil {
		return err
	}
	return p.value(n, depth)
}

func errBoolean() *valueError {
	return newValueError(`boolean has no defined Trustly serialization (Trustly uses the strings "1" and "0")`)
}

func errFloat(v any) *valueError {
	return newValueError("%T has no stable JSON text; use json.Number or a string", v)
}

// Normalize converts data into the canonical JSON tree made only of map[string]any, []any,
// string, json.Number and nil, which is what the encoders sign and marshal. It accepts the
// canonical types plus maps with string-kind keys, slices and arrays (except of bytes),
// pointers and interfaces (nil becomes null), named string types and Go integer types
// (which become json.Number). A nil map or slice becomes null. Booleans, floating-point
// numbers, invalid UTF-8, invalid json.Number text and other types are rejected with an
// error matching [ErrUnserializable]. The result shares no maps or slices with data.
func Normalize(data any) (any, error) {
	n, err := normalize(data, 0)
	if err != nil {
		return nil, publicError(err)
	}
	return n, nil
}

func normalize(v any, depth int) (any, error) {
	if depth > MaxSerializeDepth {
		return nil, newValueError("nesting deeper than %d levels", MaxSerializeDepth)
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if !utf8.ValidString(x) {
			return nil, newValueError("string is not valid UTF-8")
		}
		return x, nil
	case json.Number:
		if !isJSONNumber(string(x)) {
			return nil, newValueError("json.Number %q is not a JSON number", string(x))
		}
		return x, nil
	case bool:
		return nil, errBoolean()
	case float32, float64:
		return nil, errFloat(x)
	case map[string]any:
		if x == nil {
			return nil, nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !utf8.ValidString(k) {
				return nil, within(newValueError("member name is not valid UTF-8"), keySeg(k))
			}
			n, err := normalize(e, depth+1)
			if err != nil {
				return nil, within(err, keySeg(k))
			}
			out[k] = n
		}
		return out, nil
	case []any:
		if x == nil {
			return nil, nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e, depth+1)
			if err != nil {
				return nil, within(err, indexSeg(i))
			}
			out[i] = n
		}
		return out, nil
	}

	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return normalize(rv.String(), depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(rv.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(rv.Uint(), 10)), nil
	case reflect.Bool:
		return nil, errBoolean()
	case reflect.Float32, reflect.Float64:
		return nil, errFloat(v)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return normalize(rv.Elem().Interface(), depth+1)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, newValueError("map key type %s is not a string type", rv.Type().Key())
		}
		if rv.IsNil() {
			return nil, nil
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			k := it.Key().String()
			if !utf8.ValidString(k) {
				return nil, within(newValueError("member name is not valid UTF-8"), keySeg(k))
			}
			n, err := normalize(it.Value().Interface(), depth+1)
			if err != nil {
				return nil, within(err, keySeg(k))
			}
			out[k] = n
		}
		return out, nil
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return nil, newValueError("%s is ambiguous (bytes or numbers); use a string", rv.Type())
		}
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			n, err := normalize(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, within(err, indexSeg(i))
			}
			out[i] = n
		}
		return out, nil
	}
	return nil, newValueError("unsupported type %T", v)
}

// isJSONNumber reports whether s is a number literal in the JSON grammar (RFC 8259 §6).
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		end := skipDigits(s, i)
		if end == i {
			return false
		}
		i = end
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		end := skipDigits(s, i)
		if end == i {
			return false
		}
		i = end
	}
	return i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipDigits returns the index of the first byte at or after i in s that is not a digit.
func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}
