package signing

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strings"
)

// Algorithm selects the HMAC used for a signature.
type Algorithm uint8

const (
	// HMACSHA1 is HMAC-SHA1, Trustly's default. Its signature value is the bare Base64 MAC.
	HMACSHA1 Algorithm = iota
	// HMACSHA512 is HMAC-SHA512, an option Trustly enables per merchant (documented as beta).
	// Its signature value is SHA512Prefix followed by the Base64 MAC.
	HMACSHA512
)

// SHA512Prefix marks a signature value made with HMAC-SHA512. Trustly's documentation says
// the algorithm name and a colon are prepended to the Base64-encoded MAC, with
// "HmacSHA512:RuYv…==" as its example; a value without a prefix is HMAC-SHA1.
const SHA512Prefix = "HmacSHA512:"

// sha1Prefix is the explicit label of the default algorithm. Trustly never needs to send it,
// but its documentation names HmacSHA1 as a label, so verifiers accept it.
const sha1Prefix = "HmacSHA1:"

// String returns Trustly's label for the algorithm ("HmacSHA1", "HmacSHA512").
func (a Algorithm) String() string {
	switch a {
	case HMACSHA1:
		return "HmacSHA1"
	case HMACSHA512:
		return "HmacSHA512"
	}
	return "Algorithm(invalid)"
}

func (a Algorithm) valid() bool { return a == HMACSHA1 || a == HMACSHA512 }

func (a Algorithm) newHash() func() hash.Hash {
	if a == HMACSHA512 {
		return sha512.New
	}
	return sha1.New
}

// macBase64 returns Base64(HMAC(key, msg)) without any prefix.
func macBase64[T string | []byte](a Algorithm, key []byte, msg T) string {
	m := hmac.New(a.newHash(), key)
	m.Write([]byte(msg))
	var sum [sha512.Size]byte
	return base64.StdEncoding.EncodeToString(m.Sum(sum[:0]))
}

// signatureValue returns the value Trustly sends for a MAC over msg: the Base64 MAC, with
// SHA512Prefix for HMAC-SHA512.
//
// INFERENCE: the documentation gives the prefix only, not the input of the SHA-512 variant;
// it is taken to be the same message, key and Base64 alphabet (standard, padded) as for
// HMAC-SHA1, which the documented example value (88 characters, "==" padding) fits.
func signatureValue[T string | []byte](a Algorithm, key []byte, msg T) string {
	if a == HMACSHA512 {
		return SHA512Prefix + macBase64(a, key, msg)
	}
	return macBase64(a, key, msg)
}

// splitSignatureValue reads the algorithm label of a received signature value and returns the
// algorithm and the Base64 part. A value without a known label is HMAC-SHA1.
//
// Verifiers accept either algorithm, chosen by the value itself, as Trustly's documentation
// describes. Both MACs use the same secret key and neither can be produced without it, so
// letting the sender choose does not weaken verification.
func splitSignatureValue(v string) (Algorithm, string) {
	if rest, ok := strings.CutPrefix(v, SHA512Prefix); ok {
		return HMACSHA512, rest
	}
	if rest, ok := strings.CutPrefix(v, sha1Prefix); ok {
		return HMACSHA1, rest
	}
	return HMACSHA1, v
}

// verifyValue reports, in constant time with respect to the contents, whether the received
// signature value is a valid MAC of msg under key.
func verifyValue[T string | []byte](key []byte, msg T, received string) bool {
	alg, got := splitSignatureValue(received)
	want := macBase64(alg, key, msg)
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// ConstantTimeEqual reports whether a and b are equal. It takes time independent of their
// contents and, since both are hashed first, of their lengths, so it suits comparing a
// received credential with a configured secret.
func ConstantTimeEqual(a, b []byte) bool {
	ha := sha256.Sum256(a)
	hb := sha256.Sum256(b)
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
