package trustly_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/secret"
)

// The benchmarks report each operation beside a floor measured in the same run:
// "x-floor" is the operation's time divided by the floor's. The floors are bare RSA
// (PKCS#1 v1.5 SHA-1, 2048 bits) on a fixed digest and, for Pay, one RSA sign + one RSA
// verify + one loopback HTTP round trip carrying bodies of the same size.

const floorRounds = 300

// timeIt returns the mean duration of f over n runs.
func timeIt(n int, f func()) time.Duration {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start) / time.Duration(n)
}

func merchantKey(b *testing.B) *rsa.PrivateKey {
	k, err := wire.ParsePrivateKey(trustlyKeyPEM(b).Bytes())
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func rsaSign(k *rsa.PrivateKey) func() {
	d := sha1.Sum([]byte("fixed plaintext"))
	return func() { _, _ = rsa.SignPKCS1v15(nil, k, crypto.SHA1, d[:]) }
}

func rsaVerify(k *rsa.PrivateKey) func() {
	d := sha1.Sum([]byte("fixed plaintext"))
	sig, _ := rsa.SignPKCS1v15(nil, k, crypto.SHA1, d[:])
	return func() { _ = rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA1, d[:], sig) }
}

func report(b *testing.B, floor time.Duration) {
	b.ReportMetric(float64(floor.Nanoseconds()), "floor-ns")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(floor.Nanoseconds()), "x-floor")
}

func depositData() map[string]any {
	return map[string]any{"Username": "merchant", "Password": "secret", "NotificationURL": "https://shop.example.com/trustly/n1",
		"EndUserID": "user-42", "MessageID": "order-1",
		"Attributes": map[string]any{"Currency": "EUR", "Amount": "12.50", "Firstname": "Ada", "Lastname": "Lovelace",
			"Country": "SE", "Locale": "sv_SE", "SuccessURL": "https://shop.example.com/ok", "FailURL": "https://shop.example.com/fail"}}
}

// BenchmarkSignDepositRequest serializes and signs a Deposit request; floor: one RSA sign.
func BenchmarkSignDepositRequest(b *testing.B) {
	k := merchantKey(b)
	floor := timeIt(floorRounds, rsaSign(k))
	data := depositData()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wire.EncodeRequest(k, "Deposit", "258a2184-2842-b485-25ca-293525152425", data); err != nil {
			b.Fatal(err)
		}
	}
	report(b, floor)
}

// BenchmarkVerifyResponse decodes and verifies a Deposit response; floor: one RSA verify.
func BenchmarkVerifyResponse(b *testing.B) {
	k := merchantKey(b)
	floor := timeIt(floorRounds*10, rsaVerify(k))
	body, err := wire.EncodeResult(k, "Deposit", "258a2184-2842-b485-25ca-293525152425",
		map[string]any{"orderid": "2153587137", "url": "https://test.trustly.com/_/orderclient.php?SessionID=6414b9f5&OrderID=2153587137"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wire.DecodeResponse(body, &k.PublicKey, "Deposit", "258a2184-2842-b485-25ca-293525152425"); err != nil {
			b.Fatal(err)
		}
	}
	report(b, floor)
}

// stub answers each distinct request body with a response signed once, so the
// benchmark measures the client side only.
type stub struct {
	key  *rsa.PrivateKey
	mu   sync.Mutex
	seen map[string][]byte
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	resp, ok := s.seen[string(body)]
	s.mu.Unlock()
	if !ok {
		req, err := wire.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, _ = wire.EncodeResult(s.key, req.Method, req.UUID, map[string]any{"orderid": "2153587137", "result": "1",
			"url": "https://test.trustly.com/_/orderclient.php?SessionID=6414b9f5&OrderID=2153587137"})
		s.mu.Lock()
		s.seen[string(body)] = resp
		s.mu.Unlock()
	}
	_, _ = w.Write(resp)
}

// payStub returns a Gateway over a Client whose API is an in-process stub answering each
// distinct request with a response signed once, the request Pay benchmarks send, and the
// stub.
func payStub(tb testing.TB) (*paybridge.Gateway, paybridge.PaymentRequest, *stub) {
	tb.Helper()
	_, trustlyPub := trustlySide(tb)
	st := &stub{key: tkPriv, seen: map[string][]byte{}}
	srv := httptest.NewServer(st)
	tb.Cleanup(srv.Close)
	c, err := trustly.New(trustly.Config{Username: "merchant", Password: secret.New("secret"), PrivateKey: trustlyKeyPEM(tb),
		BaseURL: srv.URL + "/api/1", TrustlyPublicKey: trustlyPub, HTTPClient: srv.Client()})
	if err != nil {
		tb.Fatal(err)
	}
	gw := paybridge.New(c)
	req := paybridge.PaymentRequest{Amount: money.MustNew("12.50", "EUR"), MerchantReference: "order-1",
		ReturnURL: "https://shop.example.com/ok", CancelURL: "https://shop.example.com/fail",
		NotificationURL: "https://shop.example.com/trustly/n1", IdempotencyKey: "bench-1",
		Payer: paybridge.Person{ID: "user-42", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"}}
	if _, err := gw.Pay(context.Background(), req); err != nil { // warms the stub's cache
		tb.Fatal(err)
	}
	return gw, req, st
}

// benchWrite runs call, a whole Gateway call against the stub that sends one request, and
// reports it beside its floor: one RSA sign + one RSA verify + one loopback round trip
// carrying the same request and response bodies to an echo server.
func benchWrite(b *testing.B, st *stub, call func() error) {
	k := merchantKey(b)
	st.mu.Lock()
	st.seen = map[string][]byte{}
	st.mu.Unlock()
	if err := call(); err != nil { // leaves the one request and its answer in the cache
		b.Fatal(err)
	}
	var reqBody, respBody []byte
	st.mu.Lock()
	for k, v := range st.seen {
		reqBody, respBody = []byte(k), v
	}
	st.mu.Unlock()
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write(respBody)
	}))
	defer echo.Close()
	sign, verify, hc := rsaSign(k), rsaVerify(k), echo.Client()
	floorOnce := func() {
		sign()
		verify()
		resp, err := hc.Post(echo.URL, "application/json", bytes.NewReader(reqBody))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// The call and its floor alternate, each timed on its own, so that both see the same
	// machine load.
	var callTime, floorTime time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if err := call(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		floorOnce()
		floorTime += time.Since(t1)
		callTime += t1.Sub(t0)
	}
	b.ReportMetric(float64(floorTime.Nanoseconds())/float64(b.N), "floor-ns")
	b.ReportMetric(float64(callTime)/float64(floorTime), "x-floor")
}

// BenchmarkPay runs a whole Gateway.Pay (validation, serialization, signing, HTTP,
// verification) against an in-process stub beside its floor (see benchWrite).
func BenchmarkPay(b *testing.B) {
	gw, req, st := payStub(b)
	ctx := context.Background()
	benchWrite(b, st, func() error { _, err := gw.Pay(ctx, req); return err })
}

// BenchmarkRefund runs a whole Gateway.Refund beside its floor (see benchWrite).
func BenchmarkRefund(b *testing.B) {
	gw, _, st := payStub(b)
	ctx := context.Background()
	req := paybridge.RefundRequest{PaymentID: "2153587137", Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "bench-refund-1"}
	benchWrite(b, st, func() error { _, err := gw.Refund(ctx, req); return err })
}

// BenchmarkPayout runs a whole Gateway.Payout beside its floor (see benchWrite).
func BenchmarkPayout(b *testing.B) {
	gw, _, st := payStub(b)
	ctx := context.Background()
	req := paybridge.PayoutRequest{AccountID: "1234567890", Amount: money.MustNew("25.00", "EUR"), MerchantReference: "payout-1",
		Description: "Winnings", IdempotencyKey: "bench-payout-1", NotificationURL: "https://shop.example.com/trustly/n1",
		Payee: paybridge.Person{ID: "user-42", FirstName: "Ada", LastName: "Lovelace", Country: "SE"}}
	benchWrite(b, st, func() error { _, err := gw.Payout(ctx, req); return err })
}
