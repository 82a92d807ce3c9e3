package trustist_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/secret"
)

// BenchmarkPayNoNetwork measures Gateway.Pay over a transport that answers at once: the
// CPU the Gateway and the adapter spend on a Pay, without loopback I/O, for profiling the
// path BenchmarkPay times (go test -bench PayNoNetwork -cpuprofile). "cpu-ns/op" is the
// process's processor time per Pay, which bench/run holds to its bound.
func BenchmarkPayNoNetwork(b *testing.B) {
	answer := []byte(`{"id":"0b7e5e8a-3f0e-4d59-9a57-2f7c2f1d8a11","status":"PENDING","amount":125.50,"currency":"GBP",` +
		`"reference":"ORDER-2024-000123","payLink":"https://payer-sandbox.trustisttransfer.com/pay/0b7e5e8a-3f0e-4d59-9a57-2f7c2f1d8a11"}`)
	p, err := trustist.New(trustist.Config{BaseURL: "http://127.0.0.1:1", HTTPClient: &http.Client{Transport: benchkit.Canned(answer)},
		Merchant: trustist.Key{HawkID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", HawkKey: secret.New("sk_test_benchmark_key")}})
	if err != nil {
		b.Fatal(err)
	}
	gw := paybridge.New(p)
	amount, _ := money.New("125.50", "GBP")
	req := paybridge.PaymentRequest{Amount: amount, MerchantReference: "ORDER-2024-000123",
		Description: "Order 000123 from the web shop", ReturnURL: "https://shop.example.com/checkout/return?order=000123",
		CancelURL: "https://shop.example.com/checkout/cancel?order=000123",
		Payer:     paybridge.Person{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com"}}
	ctx := context.Background()
	b.ReportAllocs()
	benchkit.LoopCPU(b, func() {
		if _, err := gw.Pay(ctx, req); err != nil {
			b.Fatal(err)
		}
	})
}
