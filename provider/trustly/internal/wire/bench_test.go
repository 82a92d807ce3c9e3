package wire

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"testing"
)

// The benchmarks use the 2048-bit signature-tester key, the size of Trustly's keys. The
// floors measure bare RSA on a fixed SHA-1 digest, so the overhead of serialization, hashing
// and envelope handling is the difference to the matching benchmark.

func BenchmarkSignDeposit(b *testing.B) {
	priv, _ := testKeys(b)
	data := depositData()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(priv, "Deposit", testUUID, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeRequestDeposit(b *testing.B) {
	priv, _ := testKeys(b)
	data := depositData()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeRequest(priv, "Deposit", testUUID, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSerializeDeposit(b *testing.B) {
	data := depositData()
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		var err error
		if buf, err = AppendPlaintext(buf[:0], "Deposit", testUUID, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyResponse(b *testing.B) {
	priv, pub := testKeys(b)
	body, err := EncodeResult(priv, "Deposit", testUUID, map[string]any{
		"orderid": "2153587137",
		"url":     "https://test.trustly.com/_/orderclient.php?SessionID=6414b9f5-65e6-4cbd-9815-f80b7abc2f84&OrderID=2153587137&Locale=",
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := DecodeResponse(body, pub, "Deposit", testUUID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRSASignFloor(b *testing.B) {
	priv, _ := testKeys(b)
	digest := sha1.Sum([]byte("fixed plaintext"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA1, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRSAVerifyFloor(b *testing.B) {
	priv, pub := testKeys(b)
	digest := sha1.Sum([]byte("fixed plaintext"))
	sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA1, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}
