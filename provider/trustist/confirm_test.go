package trustist_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// A completion webhook whose confirming read still says PENDING (a lagging replica) is
// not acknowledged: Trustist delivers it again, and the completion reaches the
// application once the API confirms it. Nothing is delivered from the stale read.
func TestStaleConfirmationIsRedeliveredNotLost(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	var got events
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	e.sim.SetWebhookURL(srv.URL)
	p, err := e.gw.Pay(ctx, payReq(t, "14.00", "o-stale"))
	if err != nil {
		t.Fatal(err)
	}
	const lagging = 2
	e.sim.LagReads(lagging)
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the completion webhook to be acknowledged or given up", func() bool {
		d := e.sim.Deliveries()
		return len(d) == 1 && (d[0].Acknowledged || d[0].GaveUp)
	})
	d := e.sim.Deliveries()[0]
	evs := got.all()
	if !d.Acknowledged || d.Attempts != lagging+1 {
		t.Errorf("delivery acknowledged %v after %d attempts (last answered %d); want the %d attempts checked "+
			"against a lagging read refused, then one acknowledged", d.Acknowledged, d.Attempts, d.LastStatus, lagging)
	}
	if len(evs) != 1 || evs[0].Kind != notify.PaymentSucceeded || evs[0].ID != "payment/"+p.ID+"/COMPLETE" {
		t.Fatalf("events %s; want the one confirmed completion, and nothing from the stale reads", kinds(evs))
	}
}

// kinds describes events by kind and id.
func kinds(evs []notify.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "[%s %s] ", e.Kind, e.ID)
	}
	return fmt.Sprintf("%d: %s", len(evs), b.String())
}

// short describes a verification's result.
func short(n *notify.Notification, err error) string {
	if err != nil {
		return "error " + err.Error()
	}
	return fmt.Sprintf("%s %s", n.Event.Kind, n.ID)
}

// VerifyNotification reports a hint the API does not confirm yet as ErrRetryLater, and
// one the API's answer has moved past as that answer.
func TestUnconfirmedHintIsRetryLater(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, payReq(t, "3.00", "o-hint"))
	if err != nil {
		t.Fatal(err)
	}
	verify := func(body string) (*notify.Notification, error) {
		return e.p.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: []byte(body)})
	}
	body := func(event, status string) string {
		return fmt.Sprintf(`{"paymentId":%q,"status":%q,"eventType":%q}`, p.ID, status, event)
	}
	// The payment is pending: claims of an outcome are not confirmed yet.
	for _, b := range []string{body("payment.completed", "COMPLETED"), body("payment.failed", "FAILED"),
		body("payment.failed", "CANCELLED"), body("payment.completed", ""), fmt.Sprintf(`{"PaymentId":%q,"Status":"Completed"}`, p.ID)} {
		if n, err := verify(b); !errors.Is(err, notify.ErrRetryLater) || !errors.Is(err, trustist.ErrUnconfirmed) {
			t.Errorf("%s for a pending payment: %s; want ErrRetryLater and ErrUnconfirmed", b, short(n, err))
		}
	}
	// A claim of creation, or no claim, is confirmed by any status.
	for _, b := range []string{body("payment.created", "PENDING"), fmt.Sprintf(`{"paymentId":%q}`, p.ID)} {
		if n, err := verify(b); err != nil || n.Event.Kind != notify.PaymentPending || n.ID != "payment/"+p.ID+"/PENDING" {
			t.Errorf("%s: %s", b, short(n, err))
		}
	}
	// The payer's bank declined; a failure claim is confirmed, a completion claim is not.
	if err := e.sim.SetPaymentStatus(p.ID, trustistsim.StatusFailed); err != nil {
		t.Fatal(err)
	}
	if n, err := verify(body("payment.failed", "FAILED")); err != nil || n.Event.Kind != notify.PaymentFailed || n.ID != "payment/"+p.ID+"/FAILED" {
		t.Errorf("failure claim after the decline: %s", short(n, err))
	}
	if n, err := verify(body("payment.completed", "COMPLETED")); !errors.Is(err, notify.ErrRetryLater) {
		t.Errorf("completion claim for a failed payment: %s; want ErrRetryLater", short(n, err))
	}
	// A standing order claimed active while the API still reports it pending.
	so, err := e.p.CreateStandingOrder(ctx, trustist.StandingOrderRequest{Amount: gbp(t, "5.00"),
		StartDate: time.Now().UTC().Add(72 * time.Hour).Format("2006-01-02"), Frequency: trustist.Weekly,
		Reference: "so-hint", ReturnURL: "https://shop.example.com/so"})
	if err != nil {
		t.Fatal(err)
	}
	active := fmt.Sprintf(`{"standingOrderId":%q,"status":"ACTIVE","eventType":"StandingOrderCreated"}`, so.ID)
	if n, err := verify(active); !errors.Is(err, notify.ErrRetryLater) {
		t.Errorf("active claim for a pending standing order: %s; want ErrRetryLater", short(n, err))
	}
	if err := e.sim.EndUser().Approve(ctx, so.PayLink); err != nil {
		t.Fatal(err)
	}
	if n, err := verify(active); err != nil || n.Event.ProviderStatus != trustistsim.SOStatusActive {
		t.Errorf("active claim for an active standing order: %s", short(n, err))
	}
	// The payer retried and paid: the failure claim is behind the API, which wins.
	if err := e.sim.SetPaymentStatus(p.ID, trustistsim.StatusComplete); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{body("payment.failed", "FAILED"), body("payment.completed", "COMPLETED")} {
		if n, err := verify(b); err != nil || n.Event.Kind != notify.PaymentSucceeded || n.ID != "payment/"+p.ID+"/COMPLETE" {
			t.Errorf("%s after the completion: %s", b, short(n, err))
		}
	}
}
