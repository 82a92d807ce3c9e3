package trustist_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/secret"
)

// BenchmarkPayVersusBarePOST measures a whole Pay against an in-process stub beside a
// bare net/http POST of the same request (body, and headers as Pay sent them, a Hawk
// Authorization header of the same length included) to the same stub in the same loop,
// and reports the ratio pay/bare ("x-bare-post"): "gateway" is Gateway.Pay (request validation, idempotency key, Hawk
// signing with a payload hash, the POST, response decoding and checks); "adapter" is the
// adapter's Pay alone.
//
// The stub answers the create with the whole payment, amount included, so Pay makes one
// round trip, as the bare POST does. Against the create answer Trustist documents (no
// amount), Pay reads the payment back with a GET: a second round trip this benchmark
// does not count.
//
// docs/performance.md records the figures and where the time goes.
func BenchmarkPayVersusBarePOST(b *testing.B) {
	b.Run("gateway", func(b *testing.B) { benchPay(b, true) })
	b.Run("adapter", func(b *testing.B) { benchPay(b, false) })
}

// payStub returns an adapter over an in-process stub that answers every request with a
// whole payment (a GET with the payment it names), a Gateway over it, a request, and a
// function returning the body and headers of the last authenticated request the stub
// received.
func payStub(tb testing.TB) (*trustist.Client, *paybridge.Gateway, paybridge.PaymentRequest, *httptest.Server, func() ([]byte, http.Header)) {
	tb.Helper()
	answer := []byte(`{"id":"0b7e5e8a-3f0e-4d59-9a57-2f7c2f1d8a11","status":"PENDING","amount":125.50,"currency":"GBP",` +
		`"reference":"ORDER-2024-000123","payLink":"https://payer-sandbox.trustisttransfer.com/pay/0b7e5e8a-3f0e-4d59-9a57-2f7c2f1d8a11"}`)
	var mu sync.Mutex
	var sent []byte
	var sentHeader http.Header
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "" {
			mu.Lock()
			sent, sentHeader = body, r.Header.Clone()
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if id, ok := strings.CutPrefix(r.URL.Path, "/v1/payments/"); ok && r.Method == http.MethodGet {
			_, _ = w.Write(bytes.Replace(answer, []byte("0b7e5e8a-3f0e-4d59-9a57-2f7c2f1d8a11"), []byte(id), 2))
			return
		}
		_, _ = w.Write(answer)
	}))
	tb.Cleanup(stub.Close)
	// No bound on confirmation reads: the allocation budget counts each notification's
	// own read, not the bound's 503.
	p, err := trustist.New(trustist.Config{BaseURL: stub.URL, ConfirmationsPerSecond: -1,
		Merchant: trustist.Key{HawkID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", HawkKey: secret.New("sk_test_benchmark_key")}})
	if err != nil {
		tb.Fatal(err)
	}
	gw := paybridge.New(p)
	tb.Cleanup(func() { _ = gw.Close() })
	amount, _ := money.New("125.50", "GBP")
	req := paybridge.PaymentRequest{Amount: amount, MerchantReference: "ORDER-2024-000123",
		Description: "Order 000123 from the web shop", ReturnURL: "https://shop.example.com/checkout/return?order=000123",
		CancelURL: "https://shop.example.com/checkout/cancel?order=000123",
		Payer:     paybridge.Person{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com"}}
	return p, gw, req, stub, func() ([]byte, http.Header) {
		mu.Lock()
		defer mu.Unlock()
		return append([]byte(nil), sent...), sentHeader.Clone()
	}
}

// benchPay times Pay through the Gateway (viaGateway) or on the adapter directly.
func benchPay(b *testing.B, viaGateway bool) {
	p, gw, req, stub, lastBody := payStub(b)
	ctx := context.Background()
	if _, err := gw.Pay(ctx, req); err != nil {
		b.Fatal(err)
	}
	body, header := lastBody()
	bare := &http.Client{Timeout: 30 * time.Second}
	post := func() {
		r, _ := http.NewRequestWithContext(ctx, http.MethodPost, stub.URL+"/v1/payments", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Authorization", header.Get("Authorization")) // the stub checks nothing: a fixed header
		resp, err := bare.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	post()

	b.ReportAllocs()
	payTime, bareTime := benchkit.Paired(b, func() {
		if viaGateway {
			if _, err := gw.Pay(ctx, req); err != nil { // a fresh idempotency key each time
				b.Fatal(err)
			}
		} else if _, err := p.Pay(ctx, &req); err != nil { // the adapter alone: no journal
			b.Fatal(err)
		}
	}, post)
	b.ReportMetric(float64(payTime.Nanoseconds())/float64(b.N), "pay-ns/op")
	b.ReportMetric(float64(bareTime.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(payTime)/float64(bareTime), "x-bare-post")
}
