package paybridge_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/money"
)

// BenchmarkGatewayPayOverhead measures what the Gateway adds to a Pay — validation,
// idempotency key, journal (in memory), checks, logging — over an adapter that answers at
// once. Each Pay has a key of its own, as a checkout's would.
func BenchmarkGatewayPayOverhead(b *testing.B) {
	_, gw := newFake(okPayment)
	req := overheadRequest()
	ctx := context.Background()
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		req.IdempotencyKey = "order-pay-" + strconv.Itoa(n)
		if _, err := gw.Pay(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// gatewayPayAllocBudget is the objects the Gateway allocates around one Pay, measured
// without the race detector: 58. The journal's are about two dozen (the request's JSON for
// its fingerprint, the result's JSON kept for a repeat, the entry and its claim token);
// validation about thirty (the validator boxes each field it visits in an interface, and
// net/mail parses the e-mail address). 66 since each attempt carries the moment its
// requests must end by, within the journal's lease (one context value).
const gatewayPayAllocBudget = 68

func TestGatewayPayAllocBudget(t *testing.T) {
	_, gw := newFake(okPayment)
	req := overheadRequest()
	ctx := context.Background()
	n := 0
	benchkit.CheckAllocs(t, gatewayPayAllocBudget, 500, func() {
		n++
		req.IdempotencyKey = "order-pay-" + strconv.Itoa(n)
		if _, err := gw.Pay(ctx, req); err != nil {
			t.Fatal(err)
		}
	})
}

func overheadRequest() paybridge.PaymentRequest {
	return paybridge.PaymentRequest{
		Amount:            money.MustNew("12.34", "GBP"),
		MerchantReference: "order-1001",
		Description:       "Two books",
		ReturnURL:         "https://shop.example.com/orders/1001",
		CancelURL:         "https://shop.example.com/orders/1001/cancel",
		NotificationURL:   "https://shop.example.com/paybridge/notifications",
		Payer: paybridge.Person{ID: "u-1", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Country: "GB", Locale: "en_GB", Address: &paybridge.Address{Line1: "1 Test St", City: "London", Country: "GB"}},
		IdempotencyKey: "order-1001-pay",
	}
}
