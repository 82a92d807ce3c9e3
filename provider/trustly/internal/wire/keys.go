package wire

import (
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
)

// MinKeyBits is the smallest RSA modulus, in bits, that [ParsePrivateKey] and
// [ParsePublicKey] accept. Trustly's keys and the keys it asks merchants to generate are
// 2048 bits.
const MinKeyBits = 2048

// ParsePrivateKey parses an unencrypted RSA private key from PEM. It accepts PKCS#1
// ("RSA PRIVATE KEY") and PKCS#8 ("PRIVATE KEY") blocks and uses the first block of either
// type; other blocks (for example certificates in the same file) are skipped. Encrypted
// keys, non-RSA keys and keys shorter than [MinKeyBits] are rejected.
func ParsePrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, err := findBlock(pemBytes, "private key", "RSA PRIVATE KEY", "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("wire: parsing PKCS#1 private key: %w", err)
		}
	default:
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("wire: parsing PKCS#8 private key: %w", err)
		}
		var ok bool
		if key, ok = k.(*rsa.PrivateKey); !ok {
			return nil, fmt.Errorf("wire: PKCS#8 private key is %T, not RSA", k)
		}
	}
	if err := checkSize(&key.PublicKey); err != nil {
		return nil, err
	}
	return key, nil
}

// ParsePublicKey parses an RSA public key from PEM. It accepts SPKI ("PUBLIC KEY"),
// PKCS#1 ("RSA PUBLIC KEY") and X.509 certificate ("CERTIFICATE", the subject key is used;
// the certificate itself is not validated) blocks and uses the first block of those types.
// Non-RSA keys and keys shorter than [MinKeyBits] are rejected.
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, err := findBlock(pemBytes, "public key", "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	var pub any
	switch block.Type {
	case "PUBLIC KEY":
		if pub, err = x509.ParsePKIXPublicKey(block.Bytes); err != nil {
			return nil, fmt.Errorf("wire: parsing SPKI public key: %w", err)
		}
	case "RSA PUBLIC KEY":
		if pub, err = x509.ParsePKCS1PublicKey(block.Bytes); err != nil {
			return nil, fmt.Errorf("wire: parsing PKCS#1 public key: %w", err)
		}
	default:
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("wire: parsing certificate: %w", err)
		}
		pub = cert.PublicKey
	}
	key, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("wire: %s holds a %T, not an RSA key", strings.ToLower(block.Type), pub)
	}
	if err := checkSize(key); err != nil {
		return nil, err
	}
	return key, nil
}

// findBlock returns the first PEM block in data whose type is one of types.
func findBlock(data []byte, what string, types ...string) (*pem.Block, error) {
	var seen []string
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		for _, t := range types {
			if block.Type == t {
				//lint:ignore SA1019 rejecting legacy encrypted PEM is the point of this check
				if x509.IsEncryptedPEMBlock(block) {
					return nil, fmt.Errorf("wire: encrypted PEM %s is not supported; decrypt it first", what)
				}
				return block, nil
			}
		}
		seen = append(seen, block.Type)
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("wire: no PEM block found where a %s was expected", what)
	}
	return nil, fmt.Errorf("wire: no %s PEM block (want one of %q, found %q)", what, types, seen)
}

func checkSize(pub *rsa.PublicKey) error {
	if bits := pub.N.BitLen(); bits < MinKeyBits {
		return fmt.Errorf("wire: RSA key is %d bits, at least %d required", bits, MinKeyBits)
	}
	return nil
}

//go:embed keys/trustly_test_public.pem
var trustlyTestPEM []byte

//go:embed keys/trustly_live_public.pem
var trustlyLivePEM []byte

var (
	trustlyTestKey = sync.OnceValues(func() (*rsa.PublicKey, error) { return ParsePublicKey(trustlyTestPEM) })
	trustlyLiveKey = sync.OnceValues(func() (*rsa.PublicKey, error) { return ParsePublicKey(trustlyLivePEM) })
)

// TrustlyTestPublicKey returns Trustly's public key for the TEST environment
// (test.trustly.com), which signs TEST responses and notifications. Each call returns a
// fresh copy.
func TrustlyTestPublicKey() *rsa.PublicKey { return mustCopy(trustlyTestKey()) }

// TrustlyLivePublicKey returns Trustly's public key for the LIVE environment
// (api.trustly.com), which signs LIVE responses and notifications. Each call returns a
// fresh copy.
func TrustlyLivePublicKey() *rsa.PublicKey { return mustCopy(trustlyLiveKey()) }

// mustCopy copies an embedded key; the embedded PEM files are fixed at build time and
// checked by the package tests, so a parse error is a build defect.
func mustCopy(k *rsa.PublicKey, err error) *rsa.PublicKey {
	if err != nil {
		panic(errors.Join(errors.New("wire: embedded Trustly key is invalid"), err))
	}
	return &rsa.PublicKey{N: new(big.Int).Set(k.N), E: k.E}
}
