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

// Trustly refuses this read's capture for lack of funds (331) and the adapter voids the
// authorization; meanwhile another instance's capture (the Authorize notification's,
// with its split token) was accepted, and a cancel leaves a child capture alone (project
// fact file trustly-rest.md §4: "Child pending txs are NOT cancelled automatically").
// The money is being taken: a later GetPayment must report the capture, not a canceled
// payment.
func TestVoidedAuthorizationWithACaptureReadsTheCapture(t *testing.T) {
	var voided atomic.Bool
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		voidedAuth := voidedPayment("")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/transactions/1002593555"):
			if voided.Load() {
				_, _ = w.Write([]byte(voidedAuth))
				return
			}
			_, _ = w.Write([]byte(authorizedPayment("tok")))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/transactions"):
			if voided.Load() { // the other instance's capture, accepted just after this one's refusal
				_, _ = w.Write([]byte(`{"transactions":[` + madeCapture + `]}`))
				return
			}
			_, _ = w.Write([]byte(`{"transactions":[]}`))
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/capture"):
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(refusalBody("331")))
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/1002593555/cancel"):
			voided.Store(true)
			_, _ = w.Write([]byte(voidedAuth))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusNotFound)
		}
	})
	if _, err := c.GetPayment(context.Background(), "1002593555"); err != nil { // refused, voided
		t.Fatal(err)
	}
	// The Authorize notification, delivered again, does not read as a canceled payment.
	n, err := c.VerifyNotification(context.Background(), signed(t, testID, authorizeNote))
	if err != nil {
		t.Fatal(err)
	}
	if n.Event.Kind == notify.PaymentCanceled || n.Event.Kind == notify.PaymentFailed {
		t.Fatalf("the Authorize notification of a voided authorization whose capture exists reads %s (%s)", n.Event.Kind,
			n.Event.ProviderStatus)
	}
	p, err := c.GetPayment(context.Background(), "1002593555")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != provider.PaymentPending && p.Status != provider.PaymentSucceeded {
		t.Fatalf("GetPayment of a voided authorization whose capture exists = %s (%s); want the capture's status",
			p.Status, p.ProviderStatus)
	}
}
