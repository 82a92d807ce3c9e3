package trustlyrest_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/secret"
)

// BenchmarkPayNoNetwork measures Gateway.Pay over a transport that answers at once: the
// CPU the Gateway and the adapter spend on a Pay, without loopback I/O, for profiling the
// path BenchmarkPay times (go test -bench PayNoNetwork -cpuprofile). "cpu-ns/op" is the
// process's processor time per Pay, which bench/run holds to its bound.
func BenchmarkPayNoNetwork(b *testing.B) {
	answer := []byte(`{"transactionId":"1002633191","url":"https://sandbox.trustly.one/start/lightbox/1002633191","amount":"12.34","currency":"USD","merchantReference":"r","paymentType":"Deferred","status":0}`)
	c, err := trustlyrest.New(trustlyrest.Config{AccessID: "MerchantAccess01", AccessKey: secret.New("MerchantSecret01"),
		MerchantID: "1002463580", BaseURL: "http://127.0.0.1:1/api/v1", HTTPClient: &http.Client{Transport: benchkit.Canned(answer)}})
	if err != nil {
		b.Fatal(err)
	}
	gw := paybridge.New(c)
	req := paybridge.PaymentRequest{Amount: usd("12.34"), MerchantReference: "order-1", Description: "bench order",
		ReturnURL: "https://shop.example/return", CancelURL: "https://shop.example/cancel", Payer: trustlyrestsim.TestPayer}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	benchkit.LoopCPU(b, func() {
		r := req
		r.IdempotencyKey = "bench-" + strconv.Itoa(i)
		i++
		if _, err := gw.Pay(ctx, r); err != nil {
			b.Fatal(err)
		}
	})
}
