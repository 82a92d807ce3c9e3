package paybridge_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// A MaxAmount of 0.00 is an amount the caller set, not the zero Amount that means "no
// cap": read as no cap, the mandate would let any charge through, the opposite of what
// was written. It is refused like any cap that is not positive, and one of 0.00 in
// another currency is refused for its currency too; a provider that does not carry
// MaxAmount refuses it rather than drop it.
func TestZeroMaxAmountIsNotNoCap(t *testing.T) {
	ctx := context.Background()
	f, gw, _ := newCapturing(provider.Capabilities{})
	mandate := func(capAmount money.Amount) paybridge.MandateRequest {
		return paybridge.MandateRequest{Payer: paybridge.Person{ID: "u1"}, MerchantReference: "m-1", Currency: money.MustCurrency("GBP"),
			ReturnURL: "https://shop.example.com/r", MaxAmount: capAmount}
	}
	_, err := gw.CreateMandate(ctx, mandate(money.MustNew("0.00", "GBP")))
	expectFieldsNamed(t, err, "MaxAmount")
	_, err = gw.CreateMandate(ctx, mandate(money.MustNew("0", "EUR")))
	expectFieldsNamed(t, err, "MaxAmount", "MaxAmount")
	if f.calls.Load() != 0 {
		t.Fatalf("the adapter was called %d times for refused requests", f.calls.Load())
	}
	if got := provider.RequestFieldsSet(&provider.MandateRequest{MaxAmount: money.MustNew("0.00", "GBP")}); len(got) != 1 || got[0] != "MandateRequest.MaxAmount" {
		t.Fatalf("a 0.00 MaxAmount is set as %v; want MandateRequest.MaxAmount", got)
	}
	if got := provider.RequestFieldsSet(&provider.MandateRequest{}); len(got) != 0 {
		t.Fatalf("a request without MaxAmount sets %v", got)
	}
}
