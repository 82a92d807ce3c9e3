package trustist_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// An answer to GET /v1/payments/{id} that describes another payment is refused, by
// GetPayment and by the webhook check that relies on it: the application never hears of
// a payment confirmed by another payment's record.
func TestAnswerAboutAnotherPaymentIsRefused(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, payReq(t, "4.00", "o-other"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.gw.GetPayment(ctx, p.ID); err != nil || got.ID != p.ID {
		t.Fatalf("GetPayment(%s) = %v, %v", p.ID, got, err)
	}
	const other = "6b1f6a1e-9c5d-4e0b-9f59-000000000001"
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/"+other) {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"status":"COMPLETED","amount":4.00,"currency":"GBP","reference":"o-other"}`, p.ID)
		return true
	})
	_, err = e.gw.GetPayment(ctx, other)
	wantCode(t, err, provider.Internal)
	var got events
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	hint := fmt.Sprintf(`{"paymentId":%q,"status":"COMPLETED","eventType":"payment.completed"}`, other)
	if code := post(t, h, hint); code == http.StatusOK {
		t.Fatalf("a webhook confirmed by another payment's record answered %d", code)
	}
	if evs := got.all(); len(evs) != 0 {
		t.Fatalf("events %+v reached the application", evs)
	}
}
