package trustly_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/httptap"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustly"
)

// A refund of a PaymentID that cannot be a Trustly orderid (order ids are digits) reached
// Trustly, whose ERROR_UNKNOWN (620) came back as internal. It is refused naming
// PaymentID, and nothing is sent; a real order id is refunded.
func TestRefundOfAnImpossibleOrderIDIsRefusedBeforeSending(t *testing.T) {
	ct := &httptap.Counter{}
	e := newSingleAttemptEnv(t, func(c *trustly.Config) { c.HTTPClient = &http.Client{Transport: ct} })
	ctx := context.Background()
	p := e.paidDeposit(t, "refund-id")
	for _, id := range []string{"order-1", p.ID + " ", "1e9", "+" + p.ID, "١٢٣", strings.Repeat("9", 20)} {
		before := ct.Count()
		_, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: id, Amount: money.MustNew("1.00", "EUR")})
		var pe *paybridge.Error
		if !errors.As(err, &pe) || pe.Code != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), "PaymentID") {
			t.Errorf("refund of %q: %v; want invalid_request naming PaymentID", id, err)
		}
		if n := ct.Count() - before; n != 0 {
			t.Errorf("refund of %q: %d requests sent", id, n)
		}
	}
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("1.00", "EUR")}); err != nil {
		t.Fatalf("refund of the deposit's order %s: %v", p.ID, err)
	}
}
