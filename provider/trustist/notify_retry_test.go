package trustist_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// When the payment cannot be fetched for a passing reason, the notification is answered
// 503 so that Trustist delivers it again; a notification Trustist's API refutes stays 400.
func TestNotificationRetriedWhenConfirmationFails(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	var got events
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.gw.Pay(ctx, payReq(t, "9.00", "o-retry"))
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"paymentId":%q,"status":"PENDING","eventType":"payment.created"}`, p.ID)

	for _, status := range []int{http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusTooManyRequests} {
		failGETs(e, 1, status)
		if code := post(t, h, body); code != http.StatusServiceUnavailable {
			t.Errorf("API answering %d: notification answered %d, want 503", status, code)
		}
		_, err := e.p.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: []byte(body)})
		if err != nil { // the interceptor failed one GET only
			t.Fatalf("second verification: %v", err)
		}
	}
	failGETs(e, 1, http.StatusServiceUnavailable)
	_, err = e.p.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: []byte(body)})
	if !errors.Is(err, notify.ErrRetryLater) {
		t.Fatalf("VerifyNotification = %v, want ErrRetryLater", err)
	}
	failGETs(e, 0, 0)

	// Trustist's API unreachable.
	cfg := e.sim.Config()
	cfg.BaseURL = "http://127.0.0.1:1"
	down, err := trustist.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hd, err := paybridge.New(down).NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	if code := post(t, hd, body); code != http.StatusServiceUnavailable {
		t.Errorf("API unreachable: notification answered %d, want 503", code)
	}

	// The API too slow for the verifier's deadline: here it never answers.
	silentURL, _ := testwait.Silent(t)
	cfg.BaseURL = silentURL
	slow, err := trustist.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	testwait.Returns(t, "a verification the API does not answer, after its deadline", func() {
		_, err = slow.VerifyNotification(short, &notify.Request{Method: http.MethodPost, Body: []byte(body)})
	})
	cancel()
	if !errors.Is(err, notify.ErrRetryLater) {
		t.Errorf("timed-out verification = %v, want ErrRetryLater", err)
	}

	// Still refused: unknown payment, malformed body.
	unknown := `{"paymentId":"6b1f6a1e-9c5d-4e0b-9f59-000000000000","eventType":"payment.completed"}`
	for _, b := range []string{unknown, `{"paymentId":1}`, `not json`} {
		if code := post(t, h, b); code != http.StatusBadRequest {
			t.Errorf("body %s answered %d, want 400", b, code)
		}
	}
	if n := len(got.all()); n != 0 {
		t.Fatalf("%d unconfirmed notifications reached the application", n)
	}
	if code := post(t, h, body); code != http.StatusOK || len(got.all()) != 1 {
		t.Fatalf("once the API answers, the redelivery answered %d (%d events)", code, len(got.all()))
	}
}
