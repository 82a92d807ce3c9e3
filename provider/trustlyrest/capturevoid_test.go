package trustlyrest

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// refusingThenAcceptingAPI answers like Trustly for an authorized payment that carries no
// split token: its first capture is refused for lack of funds (331), a later one would be
// accepted, and a cancel voids the authorization, after which Trustly refuses captures.
func refusingThenAcceptingAPI(t *testing.T, captures, cancels *atomic.Int32) *Client {
	t.Helper()
	var voided atomic.Bool
	return stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/transactions/1002593555"):
			body := authorizedPayment("")
			if voided.Load() {
				body = voidedPayment("")
			}
			_, _ = w.Write([]byte(body))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/transactions"):
			if captures.Load() > 1 && !voided.Load() {
				_, _ = w.Write([]byte(`{"transactions":[` + madeCapture + `]}`))
				return
			}
			_, _ = w.Write([]byte(`{"transactions":[]}`))
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/capture"):
			if captures.Add(1) == 1 || voided.Load() {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(refusalBody("331")))
				return
			}
			_, _ = w.Write([]byte(`{"transaction":` + madeCapture + `}`))
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/1002593555/cancel"):
			cancels.Add(1)
			voided.Store(true)
			_, _ = w.Write([]byte(voidedPayment("")))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusNotFound)
		}
	})
}

// TestFailedPaymentIsNeverCapturedLater: Trustly refuses an automatic capture for lack of
// funds, and the application is told the payment failed. The payer may then pay again;
// the failed payment must not be captured afterwards — by the Authorize notification
// delivered again or replayed (which carries the split token), or by a GetPayment — which
// would take the money twice. The adapter voids the authorization when it reports the
// failure, and captures nothing once it is voided.
func TestFailedPaymentIsNeverCapturedLater(t *testing.T) {
	var captures, cancels atomic.Int32
	c := refusingThenAcceptingAPI(t, &captures, &cancels)
	var kinds []notify.Kind
	h := notify.NewHandler(c, func(_ context.Context, e notify.Event) error { kinds = append(kinds, e.Kind); return nil })
	for range 2 { // delivered, then replayed
		if rep, code := h.Process(context.Background(), signed(t, testID, authorizeNote)); rep == nil || code != http.StatusOK {
			t.Fatalf("HTTP %d", code)
		}
	}
	n, err := c.VerifyNotification(context.Background(), signed(t, testID, authorizeNote)) // a replay the store forgot
	if err != nil {
		t.Fatal(err)
	}
	if n.Event.Kind == notify.PaymentAuthorized || n.Event.Kind == notify.PaymentSucceeded {
		t.Fatalf("a replay after the failure reads %s", n.Event.Kind)
	}
	p, err := c.GetPayment(context.Background(), "1002593555")
	if err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 1 || kinds[0] != notify.PaymentFailed {
		t.Fatalf("delivered %v; want payment.failed once", kinds)
	}
	if got := captures.Load(); got != 1 {
		t.Fatalf("%d captures sent for a payment reported failed; want the refused one only", got)
	}
	if cancels.Load() != 1 {
		t.Fatalf("%d cancels of the failed payment's authorization; want 1", cancels.Load())
	}
	if p.Status == provider.PaymentSucceeded || p.Status == provider.PaymentPending || p.Status == provider.PaymentAuthorized {
		t.Fatalf("GetPayment after the failure = %s (%s)", p.Status, p.ProviderStatus)
	}
}
