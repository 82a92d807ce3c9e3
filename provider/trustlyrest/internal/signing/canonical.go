package signing

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxEstablishDepth bounds the nesting of establish data. Real establish data is at most four
// levels deep; the bound also stops a map that contains itself.
const maxEstablishDepth = 32

// Canonical returns the string that the request signature covers for the given establish data.
//
// The data is the establish object as sent: nested objects (map[string]any) are read as dotted
// keys, so {"customer":{"address":{"zip":"94111"}}} gives customer.address.zip. A key that is
// already dotted ("customer.name") counts the same as its nested form; giving one key both ways
// is an error. For each signed key, in the fixed order of [SignedKeys], the pair key=value is
// emitted, and the pairs are joined with '&'. Values are written raw, never URL-encoded:
//
//   - a string as-is (so "0.00" is signed, and spaces, '&', '=', '%' stay literal);
//   - an integer (json.Number in JSON integer form, or a Go int, int8…int64, uint…uint64)
//     as its decimal text;
//   - true as "true".
//
// A key is skipped when it is absent or its value is nil, "", false or zero. Keys outside the
// signed list (returnUrl, cancelUrl, notificationUrl, requestSignature, env, metadata.*,
// customer.customData, …) are never signed and their values are not examined; the only check
// that applies to them is that no dotted key is given twice.
//
// Canonical accepts what json.Decoder produces with UseNumber. It rejects, with
// ErrInvalidEstablishData, a float32 or float64 and a json.Number that is not an integer
// (amounts are strings such as "10.00"; a number's text could differ from what Trustly's server
// prints), an object or array at a signed key, a non-empty scalar where a signed key needs an
// object (for example "customer": "x"), and any other Go type at a signed key.
// The error names the offending key but never its value.
func Canonical(establish map[string]any) (string, error) {
	leaves := map[string]any{}
	parents := map[string]bool{}
	if err := flatten("", establish, 0, leaves, parents); err != nil {
		return "", err
	}
	for _, p := range signedParents {
		if v, ok := leaves[p]; ok && !isEmptyScalar(v) {
			return "", fmt.Errorf("%w: %q must be an object", ErrInvalidEstablishData, p)
		}
	}
	var b strings.Builder
	for _, k := range signedKeys {
		if parents[k] {
			return "", fmt.Errorf("%w: %q must not be an object", ErrInvalidEstablishData, k)
		}
		v, ok := leaves[k]
		if !ok {
			continue
		}
		text, skip, err := valueText(v)
		if err != nil {
			return "", fmt.Errorf("%w: %q: %s", ErrInvalidEstablishData, k, err)
		}
		if skip {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(text)
	}
	return b.String(), nil
}

// flatten records every non-object value of m under its dotted key (prefix + key; prefix is ""
// at the top and ends in '.' below) in leaves, and every dotted
// key that holds an object (or is a dotted prefix of another key) in parents. Keys are visited
// in sorted order so that errors do not depend on map iteration order.
func flatten(prefix string, m map[string]any, depth int, leaves map[string]any, parents map[string]bool) error {
	if depth > maxEstablishDepth {
		return fmt.Errorf("%w: nested deeper than %d levels", ErrInvalidEstablishData, maxEstablishDepth)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		full := prefix + k
		dottedParents(full, func(p string) { parents[p] = true })
		if sub, ok := m[k].(map[string]any); ok {
			parents[full] = true
			if err := flatten(full+".", sub, depth+1, leaves, parents); err != nil {
				return err
			}
			continue
		}
		if _, dup := leaves[full]; dup {
			return fmt.Errorf("%w: key %s is given twice", ErrInvalidEstablishData, quoteShort(full))
		}
		leaves[full] = m[k]
	}
	return nil
}

// isEmptyScalar reports whether v is one of the values the signature skips: nil, "", false, 0.
func isEmptyScalar(v any) bool {
	_, skip, err := valueText(v)
	return err == nil && skip
}

// valueText returns the signed text of a scalar, or skip for nil, "", false and zero.
func valueText(v any) (text string, skip bool, err error) {
	switch x := v.(type) {
	case nil:
		return "", true, nil
	case string:
		return x, x == "", nil
	case bool:
		if !x {
			return "", true, nil
		}
		return "true", false, nil
	case json.Number:
		s := string(x)
		if !isJSONInteger(s) {
			return "", false, fmt.Errorf("number is not an integer; send amounts as strings")
		}
		if s == "0" || s == "-0" {
			return "", true, nil
		}
		return s, false, nil
	case int:
		return intText(int64(x))
	case int8:
		return intText(int64(x))
	case int16:
		return intText(int64(x))
	case int32:
		return intText(int64(x))
	case int64:
		return intText(x)
	case uint:
		return uintText(uint64(x))
	case uint8:
		return uintText(uint64(x))
	case uint16:
		return uintText(uint64(x))
	case uint32:
		return uintText(uint64(x))
	case uint64:
		return uintText(x)
	case float32, float64:
		return "", false, fmt.Errorf("floating-point number; send amounts as strings")
	case map[string]any:
		return "", false, fmt.Errorf("object where a value is expected")
	case []any:
		return "", false, fmt.Errorf("array where a value is expected")
	default:
		return "", false, fmt.Errorf("unsupported type %T", v)
	}
}

func intText(n int64) (string, bool, error) {
	if n == 0 {
		return "", true, nil
	}
	return strconv.FormatInt(n, 10), false, nil
}

func uintText(n uint64) (string, bool, error) {
	if n == 0 {
		return "", true, nil
	}
	return strconv.FormatUint(n, 10), false, nil
}

// isJSONInteger reports whether s matches the JSON grammar for an integer: -?(0|[1-9][0-9]*).
func isJSONInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// RequestSignature returns the requestSignature value for the given establish data: the
// Base64 HMAC of [Canonical]'s string under accessKey, prefixed with SHA512Prefix when alg is
// HMACSHA512. The HMAC covers the UTF-8 bytes of the canonical string.
func RequestSignature(accessKey []byte, establish map[string]any, alg Algorithm) (string, error) {
	if len(accessKey) == 0 {
		return "", ErrNoCredentials
	}
	if !alg.valid() {
		return "", ErrUnknownAlgorithm
	}
	c, err := Canonical(establish)
	if err != nil {
		return "", err
	}
	return signatureValue(alg, accessKey, c), nil
}

// VerifyRequestSignature checks a received requestSignature value against the establish data,
// as Trustly's server does. The algorithm is read from the value (SHA512Prefix, or none for
// HMAC-SHA1) and the comparison takes constant time. It returns nil, ErrBadSignature, or an
// error from [Canonical]. A requestSignature key inside establish is ignored, so the received
// object can be passed whole.
func VerifyRequestSignature(accessKey []byte, establish map[string]any, signature string) error {
	if len(accessKey) == 0 {
		return ErrNoCredentials
	}
	c, err := Canonical(establish)
	if err != nil {
		return err
	}
	if !verifyValue(accessKey, c, signature) {
		return ErrBadSignature
	}
	return nil
}
