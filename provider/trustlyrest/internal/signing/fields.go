package signing

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"slices"
	"sync"
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
	b, err := appendCanonicalFields(nil, fields)
	return string(b), err
}

// appendCanonicalFields appends CanonicalFields' string to dst.
func appendCanonicalFields(dst []byte, fields []Pair) ([]byte, error) {
	if out, ok := appendInOrder(dst, fields); ok {
		return out, nil
	}
	var vals [len(signedKeys)]string
	var seen [len(signedKeys)]bool
	n := 0
	for _, f := range fields {
		i, ok := keyIndex[f.Key]
		if !ok {
			continue
		}
		if seen[i] {
			return dst, fmt.Errorf("%w: key %s is given twice", ErrInvalidEstablishData, quoteShort(f.Key))
		}
		seen[i], vals[i] = true, f.Value
		n += len(f.Key) + len(f.Value) + 2
	}
	dst = slices.Grow(dst, n)
	start := len(dst)
	for i, v := range vals {
		if v == "" {
			continue
		}
		if len(dst) > start {
			dst = append(dst, '&')
		}
		dst = append(dst, signedKeys[i]...)
		dst = append(dst, '=')
		dst = append(dst, v...)
	}
	return dst, nil
}

// appendInOrder appends CanonicalFields' string for pairs that come in the signed keys'
// order, each key at most once and every key signed — the order a signer that builds
// establish data writes them in — without a lookup per key. For anything else it appends
// nothing and reports false.
func appendInOrder(dst []byte, fields []Pair) ([]byte, bool) {
	j, n := 0, 0
	for _, f := range fields {
		for j < len(signedKeys) && signedKeys[j] != f.Key {
			j++
		}
		if j == len(signedKeys) {
			return dst, false
		}
		j++
		n += len(f.Key) + len(f.Value) + 2
	}
	dst = slices.Grow(dst, n)
	start := len(dst)
	for _, f := range fields {
		if f.Value == "" {
			continue
		}
		if len(dst) > start {
			dst = append(dst, '&')
		}
		dst = append(dst, f.Key...)
		dst = append(dst, '=')
		dst = append(dst, f.Value...)
	}
	return dst, true
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

// FieldSigner makes request signatures (RequestSignatureFields) with one key and algorithm.
// It keeps keyed HMAC states for reuse, so that signing does not set the key up again on
// every call. It is safe for concurrent use.
type FieldSigner struct {
	alg  Algorithm
	macs sync.Pool // of *fieldMAC
}

type fieldMAC struct {
	h   hash.Hash
	buf []byte
}

// NewFieldSigner returns a FieldSigner for accessKey and alg.
func NewFieldSigner(accessKey []byte, alg Algorithm) (*FieldSigner, error) {
	if len(accessKey) == 0 {
		return nil, ErrNoCredentials
	}
	if !alg.valid() {
		return nil, ErrUnknownAlgorithm
	}
	key := append([]byte(nil), accessKey...)
	s := &FieldSigner{alg: alg}
	s.macs.New = func() any { return &fieldMAC{h: hmac.New(alg.newHash(), key), buf: make([]byte, 0, 512)} }
	return s, nil
}

// Sign returns the requestSignature for establish data given as dotted pairs: the same value
// RequestSignatureFields returns for the same key and algorithm.
func (s *FieldSigner) Sign(fields []Pair) (string, error) {
	m := s.macs.Get().(*fieldMAC)
	defer s.macs.Put(m)
	var err error
	if m.buf, err = appendCanonicalFields(m.buf[:0], fields); err != nil {
		return "", err
	}
	m.h.Reset()
	m.h.Write(m.buf)
	var sum [sha512.Size]byte
	mac := m.h.Sum(sum[:0])
	if s.alg == HMACSHA512 {
		return SHA512Prefix + base64.StdEncoding.EncodeToString(mac), nil
	}
	return base64.StdEncoding.EncodeToString(mac), nil
}
