package signing

import (
	"fmt"
	"strings"
)

// keyIndex maps each signed key to its position in signedKeys.
var keyIndex = func() map[string]int {
	m := make(map[string]int, len(signedKeys))
	for i, k := range signedKeys {
		m[k] = i
	}
	return m
}()

// CanonicalFields returns the string the request signature covers for establish data given
// as dotted key/value pairs ("customer.address.zip"), with each value exactly as sent. It
// is the same string Canonical returns for the equivalent nested object whose values are
// strings, built without flattening a map: a signer that constructs establish data itself
// can use it on its hot path.
//
// Pairs may come in any order; keys outside the signed list are ignored, and empty values
// are skipped. A signed key given twice is an error (ErrInvalidEstablishData).
func CanonicalFields(fields []Pair) (string, error) {
	var vals [len(signedKeys)]string
	var seen [len(signedKeys)]bool
	n := 0
	for _, f := range fields {
		i, ok := keyIndex[f.Key]
		if !ok {
			continue
		}
		if seen[i] {
			return "", fmt.Errorf("%w: key %s is given twice", ErrInvalidEstablishData, quoteShort(f.Key))
		}
		seen[i], vals[i] = true, f.Value
		n += len(f.Key) + len(f.Value) + 2
	}
	var b strings.Builder
	b.Grow(n)
	for i, v := range vals {
		if v == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(signedKeys[i])
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String(), nil
}

// RequestSignatureFields is RequestSignature for establish data given as dotted pairs (see
// CanonicalFields).
func RequestSignatureFields(accessKey []byte, fields []Pair, alg Algorithm) (string, error) {
	if len(accessKey) == 0 {
		return "", ErrNoCredentials
	}
	if !alg.valid() {
		return "", ErrUnknownAlgorithm
	}
	c, err := CanonicalFields(fields)
	if err != nil {
		return "", err
	}
	return signatureValue(alg, accessKey, c), nil
}
