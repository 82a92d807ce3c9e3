package trustist_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// No Trustist source lists an authorised payment status; the adapter reads AUTHORISED
// (either spelling, any case) as authorized [I], and docs/events.md promises that a
// notification about a payment the API reports so reaches the application as
// payment.authorized.
func TestAuthorisedPaymentNotifiesAuthorized(t *testing.T) {
	for _, raw := range []string{"AUTHORISED", "Authorized"} {
		t.Run(raw, func(t *testing.T) {
			e := start(t, trustistsim.Options{}, nil)
			ctx := context.Background()
			var got events
			h, err := e.gw.NotificationHandler(got.fn)
			if err != nil {
				t.Fatal(err)
			}
			p, err := e.gw.Pay(ctx, payReq(t, "8.00", "o-authorised"))
			if err != nil {
				t.Fatal(err)
			}
			if err := e.sim.SetPaymentStatus(p.ID, raw); err != nil {
				t.Fatal(err)
			}
			body := fmt.Sprintf(`{"paymentId":%q,"eventType":"payment.created"}`, p.ID)
			if code := post(t, h, body); code != http.StatusOK {
				t.Fatalf("notification answered %d, want 200", code)
			}
			evs := got.all()
			if len(evs) != 1 || evs[0].Kind != notify.PaymentAuthorized || evs[0].PaymentID != p.ID || evs[0].ProviderStatus != raw {
				t.Fatalf("events %+v; want one payment.authorized for %s with status %q", evs, p.ID, raw)
			}
		})
	}
}
