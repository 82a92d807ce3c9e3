package trustist_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

func TestForgedCompletionNeverSucceeds(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	var got events
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.gw.Pay(ctx, payReq(t, "15.00", "o-forge"))
	if err != nil {
		t.Fatal(err)
	}
	forged := fmt.Sprintf(`{"paymentId":%q,"status":"COMPLETED","amount":15.00,"currency":"GBP","reference":"o-forge","eventType":"payment.completed"}`, p.ID)
	// The API does not confirm the completion: not acknowledged, nothing delivered.
	if code := post(t, h, forged); code != http.StatusServiceUnavailable {
		t.Fatalf("forged notification for a real payment answered %d, want 503", code)
	}
	if evs := got.all(); len(evs) != 0 {
		t.Fatalf("events %+v; a claim of completion for a pending payment must deliver nothing", evs)
	}
	// A notification that claims no outcome is confirmed as the API reports it, with
	// the amount and reference from the API, not from the body.
	created := fmt.Sprintf(`{"paymentId":%q,"status":"PENDING","amount":1500.00,"reference":"other","eventType":"payment.created"}`, p.ID)
	if code := post(t, h, created); code != http.StatusOK {
		t.Fatalf("creation notification answered %d", code)
	}
	evs := got.all()
	if len(evs) != 1 || evs[0].Kind != notify.PaymentPending || evs[0].ProviderStatus != "PENDING" || evs[0].ProviderEvent != "payment.created" {
		t.Fatalf("events %+v; want payment.pending", evs)
	}
	if evs[0].ID != "payment/"+p.ID+"/PENDING" || string(evs[0].Raw) != created || !evs[0].Amount.Equal(gbp(t, "15.00")) ||
		evs[0].MerchantReference != "o-forge" {
		t.Fatalf("event %+v", evs[0])
	}

	// Unknown payments are rejected and never reach the application.
	unknown := `{"paymentId":"6b1f6a1e-9c5d-4e0b-9f59-000000000000","status":"COMPLETED","eventType":"payment.completed"}`
	if code := post(t, h, unknown); code != http.StatusBadRequest {
		t.Fatalf("notification for an unknown payment answered %d", code)
	}
	for _, body := range []string{`[]`, `null`, `{}`, `{"paymentId":123}`, `{"paymentId":"a b"}`, `{"paymentId":""}`,
		`{"paymentId":"x"} {"paymentId":"y"}`, `{"Session":{"Id":"s1","Status":"Complete"},"Event":"onboard.session.completed"}`} {
		if code := post(t, h, body); code != http.StatusBadRequest {
			t.Errorf("body %s answered %d", body, code)
		}
	}
	if n := len(got.all()); n != 1 {
		t.Fatalf("rejected notifications reached the application (%d events)", n)
	}
}

func TestNotificationIDFollowsTheAPIStatus(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	var got events
	h, _ := e.gw.NotificationHandler(got.fn)
	p, err := e.gw.Pay(ctx, payReq(t, "6.00", "o-redeliver"))
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"PaymentId":%q,"EventType":"payment.created"}`, p.ID) // PascalCase members
	post(t, h, body)
	post(t, h, body)
	if n := len(got.all()); n != 1 {
		t.Fatalf("a redelivery reached the application (%d events)", n)
	}
	if err := e.sim.SetPaymentStatus(p.ID, "Completed"); err != nil {
		t.Fatal(err)
	}
	post(t, h, body)
	evs := got.all()
	if len(evs) != 2 || evs[1].Kind != notify.PaymentSucceeded || evs[1].ID != "payment/"+p.ID+"/COMPLETED" {
		t.Fatalf("after the status changed: %+v", evs)
	}
}

func TestWebhooksDeliveredUntilAcknowledged(t *testing.T) {
	for _, pascal := range []bool{false, true} {
		t.Run(fmt.Sprintf("pascal=%v", pascal), func(t *testing.T) {
			e := start(t, trustistsim.Options{PascalCaseWebhooks: pascal}, nil)
			ctx := context.Background()
			got := &events{fail: 2}
			h, _ := e.gw.NotificationHandler(got.fn)
			srv := httptest.NewServer(h)
			defer srv.Close()
			e.sim.SetWebhookURL(srv.URL)
			p, err := e.gw.Pay(ctx, payReq(t, "12.00", "o-hook"))
			if err != nil {
				t.Fatal(err)
			}
			if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the success event", func() bool { return len(got.all()) == 1 })
			ev := got.all()[0]
			if ev.Kind != notify.PaymentSucceeded || ev.PaymentID != p.ID || ev.ProviderStatus != trustistsim.StatusComplete ||
				ev.ProviderEvent != "payment.completed" || ev.MerchantReference != "o-hook" || ev.Provider != trustist.Name {
				t.Fatalf("event %+v", ev)
			}
			// The event reaches the payment the API confirmed it with.
			var d *trustist.Payment
			if !ev.As(&d) || d.ID != p.ID || d.Status != trustistsim.StatusComplete || !d.Amount.Equal(p.Amount) {
				t.Fatalf("event detail %+v; want the confirmed payment", d)
			}
			waitFor(t, "the acknowledgement", func() bool {
				d := e.sim.Deliveries()
				return len(d) == 1 && d[0].Acknowledged
			})
			if d := e.sim.Deliveries()[0]; d.Attempts != 3 || string(d.Body) != string(ev.Raw) {
				t.Fatalf("delivery %+v; want 3 attempts (two refused by the application)", d)
			}
		})
	}
}

func TestStandingOrderNotification(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	var got events
	h, _ := e.gw.NotificationHandler(got.fn)
	srv := httptest.NewServer(h)
	defer srv.Close()
	e.sim.SetWebhookURL(srv.URL)
	so, err := e.p.CreateStandingOrder(ctx, trustist.StandingOrderRequest{Amount: gbp(t, "5.00"),
		StartDate: time.Now().UTC().Add(72 * time.Hour).Format("2006-01-02"), Frequency: trustist.Weekly,
		Reference: "so-hook", ReturnURL: "https://shop.example.com/so"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, so.PayLink); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the standing order event", func() bool { return len(got.all()) == 1 })
	ev := got.all()[0]
	if ev.Kind != notify.StandingOrderActive || ev.ProviderEvent != "StandingOrderCreated" || ev.ProviderStatus != "ACTIVE" || ev.MerchantReference != "so-hook" {
		t.Fatalf("event %+v", ev)
	}
	var d *trustist.StandingOrder
	if !ev.As(&d) || d.ID != so.ID || d.Status != trustist.StandingOrderActive || d.Frequency == "" {
		t.Fatalf("event detail %+v; want the confirmed standing order", d)
	}
}

func TestNotificationReply(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ok, _ := e.p.NotificationReply(nil, notify.Processed)
	failed, _ := e.p.NotificationReply(nil, notify.Failed)
	if ok.StatusCode != 200 || failed.StatusCode < 500 {
		t.Fatalf("replies %d and %d", ok.StatusCode, failed.StatusCode)
	}
}
