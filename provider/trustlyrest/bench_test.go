package trustlyrest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/secret"
)

// payStub returns a Gateway over a Client whose API is an in-process stub answering
// establish with a fixed body, a request, and a function returning the body of the last
// request the stub received.
func payStub(tb testing.TB) (*paybridge.Gateway, paybridge.PaymentRequest, *httptest.Server, func() []byte) {
	tb.Helper()
	answer := []byte(`{"transactionId":"1002633191","url":"https://sandbox.trustly.one/start/lightbox/1002633191","amount":"12.34","currency":"USD","merchantReference":"r","paymentType":"Deferred","status":0}`)
	var mu sync.Mutex
	var last []byte
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = body
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	tb.Cleanup(stub.Close)
	c, err := trustlyrest.New(trustlyrest.Config{AccessID: "MerchantAccess01", AccessKey: secret.New("MerchantSecret01"),
		MerchantID: "1002463580", BaseURL: stub.URL + "/api/v1"}) // the adapter's default client, as users run it
	if err != nil {
		tb.Fatal(err)
	}
	req := paybridge.PaymentRequest{Amount: usd("12.34"), MerchantReference: "order-1", Description: "bench order",
		ReturnURL: "https://shop.example/return", CancelURL: "https://shop.example/cancel", Payer: trustlyrestsim.TestPayer}
	return paybridge.New(c), req, stub, func() []byte { mu.Lock(); defer mu.Unlock(); return last }
}

// BenchmarkPay measures a whole Gateway.Pay — validation, establish data, request
// signature, JSON, HTTP and decoding — against an in-process stub that answers establish
// with a fixed body, and reports it as a ratio to a bare net/http POST of the same request
// body to the same stub, measured in the same run, alternately ("x-bare-post"; the target
// is ≤ 1.20).
//
// docs/performance.md records the figures and where the time goes.
func BenchmarkPay(b *testing.B) {
	gw, req, stub, lastBody := payStub(b)
	ctx := context.Background()
	pay := func(key string) {
		r := req
		r.IdempotencyKey = key
		if _, err := gw.Pay(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	pay("bench-first")
	captured := lastBody() // the body the baseline sends
	auth := "Basic " + "TWVyY2hhbnRBY2Nlc3MwMTpNZXJjaGFudFNlY3JldDAx"
	hc := &http.Client{Timeout: 30 * time.Second} // a client as a user would configure it, with a timeout
	post := func() {
		hr, _ := http.NewRequestWithContext(ctx, http.MethodPost, stub.URL+"/api/v1/establish?createTransaction=true", bytes.NewReader(captured))
		hr.Header.Set("Authorization", auth)
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Accept", "application/json")
		resp, err := hc.Do(hr)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	// Pay and the bare POST alternate (see benchkit.Paired). ns/op covers one of each.
	i := 0
	payTime, bareTime := benchkit.Paired(b, func() {
		pay("bench-" + strconv.Itoa(i))
		i++
	}, post)
	b.ReportMetric(float64(payTime)/float64(bareTime), "x-bare-post")
	b.ReportMetric(float64(payTime.Nanoseconds())/float64(b.N), "pay-ns/op")
	b.ReportMetric(float64(bareTime.Nanoseconds())/float64(b.N), "bare-ns/op")
}
