package hawk

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
)

// benchBody is a JSON payment request of about 300 bytes.
var benchBody = []byte(`{"amount":125.50,"reference":"ORDER-2024-000123","description":"Order 000123 from the web shop","customerEmail":"jane.doe@example.com","returnUrl":"https://shop.example.com/checkout/return?order=000123","cancelUrl":"https://shop.example.com/checkout/cancel?order=000123","payerName":"Jane Doe"}`)

const benchURL = "https://api-sandbox.trustistecommerce.com/v1/payments"

func BenchmarkRequestHeader(b *testing.B) {
	if n := len(benchBody); n < 280 || n > 320 {
		b.Fatalf("body is %d bytes", n)
	}
	opts := RequestOptions{ContentType: "application/json", Payload: benchBody}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := RequestHeader(testCred, "POST", benchURL, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHMACFloor is one bare HMAC-SHA256 over a message as long as the normalised
// string of BenchmarkRequestHeader's request: the cost no Hawk client can avoid.
func BenchmarkHMACFloor(b *testing.B) {
	_, a, err := RequestHeader(testCred, "POST", benchURL, RequestOptions{ContentType: "application/json", Payload: benchBody})
	if err != nil {
		b.Fatal(err)
	}
	msg := []byte(strings.Repeat("x", len(appendNormalized(nil, TypeHeader, a))))
	key := []byte(testKey)
	b.ReportAllocs()
	for b.Loop() {
		m := hmac.New(sha256.New, key)
		m.Write(msg)
		m.Sum(nil)
	}
	b.ReportMetric(float64(len(msg)), "msg-bytes")
}

func BenchmarkAuthenticate(b *testing.B) {
	srv := &Server{
		Credentials: func(string) ([]byte, bool) { return []byte(testKey), true },
		Nonces:      noNonces{},
	}
	h, _, err := RequestHeader(testCred, "POST", benchURL, RequestOptions{ContentType: "application/json", Payload: benchBody})
	if err != nil {
		b.Fatal(err)
	}
	r := newRequest("POST", benchURL, "application/json", benchBody, h)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := srv.Authenticate(r, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

type noNonces struct{}

func (noNonces) Seen(string, string, int64) bool { return false }
