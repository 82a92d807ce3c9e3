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
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
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

// stub answers each request with a signed response, and keeps the time it spends reading
// the request and signing the answer, which is the provider's work, not the client's:
// benchWrite takes it out of the call's.
type stub struct {
	key  *rsa.PrivateKey
	mu   sync.Mutex
	last [2][]byte // the last request body and its answer
	work time.Duration
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	start := time.Now()
	req, err := wire.ParseRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := wire.EncodeResult(s.key, req.Method, req.UUID, map[string]any{"orderid": "2153587137", "result": "1",
		"url": "https://test.trustly.com/_/orderclient.php?SessionID=6414b9f5&OrderID=2153587137"})
	took := time.Since(start)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	s.last, s.work = [2][]byte{body, resp}, s.work+took
	s.mu.Unlock()
	_, _ = w.Write(resp)
}

// payStub returns a Gateway over a Client whose API is an in-process stub answering each
// distinct request with a response signed once, the request Pay benchmarks send, and the
// stub.
func payStub(tb testing.TB) (*paybridge.Gateway, paybridge.PaymentRequest, *stub) {
	tb.Helper()
	_, trustlyPub := trustlySide(tb)
	st := &stub{key: tkPriv}
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
	return gw, req, st
}

// benchWrite runs call, a whole Gateway call against the stub that sends one request, and
// reports it beside its floor: one RSA sign + one RSA verify + one loopback round trip
// carrying the same request body to a second stub, which answers as the first does. Both
// stubs' own work (reading the request, signing the answer) is taken out of both times:
// it is the provider's, and it runs on the same cores as the client's, so each side sees
// its effect on the caches alike. call is given a fresh idempotency key each time, so
// that every call is sent (a repeated key is answered from the journal).
func benchWrite(b *testing.B, st *stub, call func(key string) error) {
	k := merchantKey(b)
	n := 0
	next := func() string { n++; return "bench-" + strconv.Itoa(n) }
	if err := call(next()); err != nil { // the request body of the floor
		b.Fatal(err)
	}
	st.mu.Lock()
	reqBody := st.last[0]
	st.mu.Unlock()
	fst := &stub{key: st.key}
	echo := httptest.NewServer(fst)
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
	// The call and its floor alternate (see benchkit.Paired).
	st.mu.Lock()
	st.work = 0
	st.mu.Unlock()
	b.ReportAllocs()
	callTime, floorTime := benchkit.Paired(b, func() {
		if err := call(next()); err != nil {
			b.Fatal(err)
		}
	}, floorOnce)
	st.mu.Lock()
	callTime -= st.work
	st.mu.Unlock()
	fst.mu.Lock()
	floorTime -= fst.work
	fst.mu.Unlock()
	b.ReportMetric(float64(floorTime.Nanoseconds())/float64(b.N), "floor-ns")
	b.ReportMetric(float64(callTime)/float64(floorTime), "x-floor")
}

// BenchmarkPay runs a whole Gateway.Pay (validation, serialization, signing, HTTP,
// verification) against an in-process stub beside its floor (see benchWrite).
func BenchmarkPay(b *testing.B) {
	gw, req, st := payStub(b)
	ctx := context.Background()
	benchWrite(b, st, func(key string) error {
		req.IdempotencyKey, req.MerchantReference = key, "order-"+key
		_, err := gw.Pay(ctx, req)
		return err
	})
}

// BenchmarkRefund runs a whole Gateway.Refund beside its floor (see benchWrite).
func BenchmarkRefund(b *testing.B) {
	gw, _, st := payStub(b)
	ctx := context.Background()
	req := paybridge.RefundRequest{PaymentID: "2153587137", Amount: money.MustNew("5.00", "EUR")}
	benchWrite(b, st, func(key string) error {
		req.IdempotencyKey = key
		_, err := gw.Refund(ctx, req)
		return err
	})
}

// BenchmarkPayout runs a whole Gateway.Payout beside its floor (see benchWrite).
func BenchmarkPayout(b *testing.B) {
	gw, _, st := payStub(b)
	ctx := context.Background()
	req := paybridge.PayoutRequest{AccountID: "1234567890", Amount: money.MustNew("25.00", "EUR"), MerchantReference: "payout-1",
		Description: "Winnings", NotificationURL: "https://shop.example.com/trustly/n1",
		Payee: paybridge.Person{ID: "user-42", FirstName: "Ada", LastName: "Lovelace", Country: "SE"}}
	benchWrite(b, st, func(key string) error {
		req.IdempotencyKey, req.MerchantReference = key, "payout-"+key
		_, err := gw.Payout(ctx, req)
		return err
	})
}
