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

const refusedAuth = `{"transaction":{"transactionId":"1002593555","transactionType":1,"merchantReference":"order-1.pbabcdefghij",
"currency":"USD","amount":"10.00","status":2,"statusMessage":"Authorized","payment":{"paymentType":2,"currency":"USD","amount":"10.00",
"merchantReference":"order-1.pbabcdefghij"}}}`

// refusingAPI answers like Trustly for an authorized payment without a capture, and refuses
// every capture with the given error code. It counts the capture attempts.
func refusingAPI(t *testing.T, code string, captures *atomic.Int32) *Client {
	t.Helper()
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/transactions/1002593555"):
			_, _ = w.Write([]byte(refusedAuth))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/transactions"):
			_, _ = w.Write([]byte(`{"transactions":[]}`))
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/capture"):
			captures.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errors":[{"domain":"x","code":` + code + `,"message":"refused"}]}`))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusNotFound)
		}
	})
	return c
}

var authorizeNote = form("merchantId", testMID, "merchantReference", "order-1.pbabcdefghij", "paymentType", "2",
	"transactionType", "1", "eventId", "1002593560", "eventType", "Authorize", "objectId", "1002593555",
	"objectType", "Transaction", "accessId", testID, "status", "2", "statusMessage", "Authorized", "splitToken", "tok")

// TestRefusedAutomaticCaptureIsAFailedPayment: when Trustly refuses the capture for good
// (split token expired or invalid, fraud, no funds), the Authorize notification must not
// read as payment.authorized: GetPayment says the payment failed, and so must the event.
func TestRefusedAutomaticCaptureIsAFailedPayment(t *testing.T) {
	for _, code := range []string{"326", "380", "397", "390", "331"} {
		t.Run(code, func(t *testing.T) {
			var captures atomic.Int32
			c := refusingAPI(t, code, &captures)
			n, err := c.VerifyNotification(context.Background(), signed(t, testID, authorizeNote))
			if err != nil {
				t.Fatal(err)
			}
			if n.Event.Kind != notify.PaymentFailed || n.Event.PaymentID != "1002593555" {
				t.Fatalf("event after a capture refused with %s = %s for %q (%s), want payment.failed", code, n.Event.Kind, n.Event.PaymentID, n.Event.ProviderStatus)
			}
			p, err := c.GetPayment(context.Background(), "1002593555")
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != provider.PaymentFailed {
				t.Fatalf("GetPayment after a capture refused with %s = %s, want failed", code, p.Status)
			}
		})
	}
}

// TestGetPaymentRemembersARefusedCapture: a capture refused for a reason a retry does not
// cure (here an invalid parameter) is not sent again on every poll.
func TestGetPaymentRemembersARefusedCapture(t *testing.T) {
	var captures atomic.Int32
	c := refusingAPI(t, "200", &captures)
	// The Authorize notification brings the split token; its capture is refused.
	if _, err := c.VerifyNotification(context.Background(), signed(t, testID, authorizeNote)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		p, err := c.GetPayment(context.Background(), "1002593555")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.ProviderStatus, "capture refused") {
			t.Fatalf("ProviderStatus %q does not report the refusal", p.ProviderStatus)
		}
	}
	if n := captures.Load(); n != 1 {
		t.Fatalf("a notification and three polls sent %d captures, want 1", n)
	}
}
