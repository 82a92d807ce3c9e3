package wire

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrBadSignature is matched (with [errors.Is]) by every verification failure: a signature
// that is empty, not Base64, of the wrong length or simply wrong for the plaintext, and data
// that cannot be serialized at all (which then also matches [ErrUnserializable]).
var ErrBadSignature = errors.New("wire: signature verification failed")

// digest returns SHA-1 of the plaintext of method, uuid and data, streaming the plaintext
// into the hash.
func digest(method, uuid string, data any) ([]byte, error) {
	h := sha1.New()
	if err := WritePlaintext(h, method, uuid, data); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// Sign returns the Trustly signature of a message: the standard Base64 encoding of the
// RSASSA-PKCS1-v1_5 SHA-1 signature of method + uuid + S(data). It is deterministic.
// Errors from unserializable data match [ErrUnserializable].
func Sign(key *rsa.PrivateKey, method, uuid string, data any) (string, error) {
	if key == nil {
		return "", errors.New("wire: nil signing key")
	}
	d, err := digest(method, uuid, data)
	if err != nil {
		return "", err
	}
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA1, d)
	if err != nil {
		return "", fmt.Errorf("wire: signing: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify checks a Trustly signature over method + uuid + S(data) with pub. data must be the
// raw decoded tree of the received message (see the package documentation). Every failure
// matches [ErrBadSignature]; data containing a boolean or another unserializable value fails
// closed and also matches [ErrUnserializable].
func Verify(pub *rsa.PublicKey, method, uuid string, data any, signature string) error {
	sig, err := decodeSignature(pub, signature)
	if err != nil {
		return err
	}
	d, err := digest(method, uuid, data)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, d, sig); err != nil {
		return ErrBadSignature
	}
	return nil
}

// decodeSignature checks the key and decodes a Base64 signature of the key's size.
func decodeSignature(pub *rsa.PublicKey, signature string) ([]byte, error) {
	if pub == nil || pub.N == nil {
		return nil, errors.New("wire: nil verification key")
	}
	if signature == "" {
		return nil, fmt.Errorf("%w: empty signature", ErrBadSignature)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(signature)
	if err != nil {
		return nil, fmt.Errorf("%w: signature is not standard Base64: %v", ErrBadSignature, err)
	}
	if len(sig) != pub.Size() {
		return nil, fmt.Errorf("%w: signature is %d bytes, key needs %d", ErrBadSignature, len(sig), pub.Size())
	}
	return sig, nil
}
