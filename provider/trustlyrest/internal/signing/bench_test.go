package signing

import (
	"crypto/hmac"
	"crypto/sha1"
	"testing"
)

// benchBody is a typical Authorize notification with a splitToken.
var benchBody = []byte("merchantId=1002463580&merchantReference=cb180040-12fe-4c3a-9d2e-6f2b0a1c9e11" +
	"&paymentType=2&transactionType=1&eventId=1002593570&eventType=Authorize&objectId=1002593555" +
	"&objectType=Transaction&message=&timeZone=Etc%2FUTC&createdAt=1556234040954" +
	"&accessId=MerchantAccess01&paymentProviderTransaction.status=AC100" +
	"&paymentProviderTransaction.statusMessage=AC100&status=2&statusMessage=Authorized" +
	"&splitToken=AbC9%2Fd%2BeFgHiJkLmNoPqRsTuVwXyZ0123456789%2B%2F%3D%3D")

func BenchmarkVerifyNotification(b *testing.B) {
	key := []byte(testKey)
	h, err := SignNotification(testID, key, benchBody, HMACSHA1)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyNotification(testID, key, h, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHMACSHA1Floor is the bare HMAC-SHA1 of a body of the same length: the cost no
// verifier can avoid.
func BenchmarkHMACSHA1Floor(b *testing.B) {
	key := []byte(testKey)
	var sum [sha1.Size]byte
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		m := hmac.New(sha1.New, key)
		m.Write(benchBody)
		m.Sum(sum[:0])
	}
}
