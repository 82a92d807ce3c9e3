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

// authorizedPayment is Trustly's answer for an authorized payment; token, when not empty,
// is the splitToken the transaction carries.
func authorizedPayment(token string) string {
	tok := ""
	if token != "" {
		tok = `"splitToken":"` + token + `",`
	}
	return `{"transaction":{"transactionId":"1002593555","transactionType":1,"merchantReference":"order-1.pbabcdefghij",` + tok + `
"currency":"USD","amount":"10.00","status":2,"statusMessage":"Authorized","payment":{"paymentType":2,"currency":"USD","amount":"10.00",
"merchantReference":"order-1.pbabcdefghij"}}}`
}

// voidedPayment is authorizedPayment once a cancel has voided it (13 Voided).
func voidedPayment(token string) string {
	return strings.Replace(authorizedPayment(token), `"status":2,"statusMessage":"Authorized"`, `"status":13,"statusMessage":"Voided"`, 1)
}

const madeCapture = `{"transactionId":"1002593600","transactionType":3,"originalTransactionId":"1002593555",
"merchantReference":"order-1.pbabcdefghij.c","currency":"USD","amount":"10.00","status":1,"statusMessage":"Pending"}`

// captureAPI answers like Trustly for an authorized payment (carrying the split token
// token, if any) and answers every capture with refusal, counting the captures. With
// appears set, the payment's capture exists from the first capture request on — one a
// concurrent caller made — while the capture is still refused. A cancel voids the
// authorization.
func captureAPI(t *testing.T, token, refusal string, appears bool, captures *atomic.Int32) *Client {
	t.Helper()
	var voided atomic.Bool
	auth := func() string {
		if voided.Load() {
			return voidedPayment(token)
		}
		return authorizedPayment(token)
	}
	return stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/transactions/1002593555"):
			_, _ = w.Write([]byte(auth()))
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/transactions/1002593555/cancel"):
			voided.Store(true)
			_, _ = w.Write([]byte(auth()))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/transactions"):
			if appears && captures.Load() > 0 {
				_, _ = w.Write([]byte(`{"transactions":[` + madeCapture + `]}`))
				return
			}
			_, _ = w.Write([]byte(`{"transactions":[]}`))
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/capture"):
			captures.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(refusal))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusNotFound)
		}
	})
}

func refusalBody(code string) string {
	return `{"errors":[{"domain":"x","code":` + code + `,"message":"refused"}]}`
}

var authorizeNote = form("merchantId", testMID, "merchantReference", "order-1.pbabcdefghij", "paymentType", "2",
	"transactionType", "1", "eventId", "1002593560", "eventType", "Authorize", "objectId", "1002593555",
	"objectType", "Transaction", "accessId", testID, "status", "2", "statusMessage", "Authorized", "splitToken", "tok")

// TestRefusedAutomaticCaptureIsAFailedPayment: when Trustly refuses the capture for good
// (split token expired or invalid, fraud, no funds), the Authorize notification must not
// read as payment.authorized, and a GetPayment that makes the capture itself — with the
// token Trustly's authorization carries — must say the payment failed too. Either voids
// the authorization first, so that the payment reads canceled from then on and nothing
// captures it.
func TestRefusedAutomaticCaptureIsAFailedPayment(t *testing.T) {
	for _, code := range []string{"326", "380", "397", "390", "331"} {
		t.Run(code, func(t *testing.T) {
			var captures atomic.Int32
			c := captureAPI(t, "tok", refusalBody(code), false, &captures)
			n, err := c.VerifyNotification(context.Background(), signed(t, testID, authorizeNote))
			if err != nil {
				t.Fatal(err)
			}
			if n.Event.Kind != notify.PaymentFailed || n.Event.PaymentID != "1002593555" {
				t.Fatalf("event after a capture refused with %s = %s for %q (%s), want payment.failed", code, n.Event.Kind, n.Event.PaymentID, n.Event.ProviderStatus)
			}
			if p, err := c.GetPayment(context.Background(), "1002593555"); err != nil || p.Status != provider.PaymentCanceled {
				t.Fatalf("GetPayment after the failure was reported = %v, %v; want canceled (voided)", p, err)
			}

			var polled atomic.Int32
			c = captureAPI(t, "tok", refusalBody(code), false, &polled)
			p, err := c.GetPayment(context.Background(), "1002593555")
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != provider.PaymentFailed || !strings.Contains(p.ProviderStatus, "capture refused (Trustly error "+code+")") {
				t.Fatalf("GetPayment after a capture refused with %s = %s (%s), want failed with the refusal", code, p.Status, p.ProviderStatus)
			}
			if p, err := c.GetPayment(context.Background(), "1002593555"); err != nil || p.Status != provider.PaymentCanceled {
				t.Fatalf("the next GetPayment = %v, %v; want canceled (voided)", p, err)
			}
			if captures.Load() != 1 || polled.Load() != 1 {
				t.Fatalf("captures sent: %d after the notification, %d by GetPayment; want one each", captures.Load(), polled.Load())
			}
		})
	}
}

// TestGetPaymentKeepsNoMemoryOfARefusal: the adapter remembers nothing between calls. When
// Trustly's authorization carries the split token, every GetPayment sends the capture again
// and reports Trustly's answer to it; when it does not (as Trustly documents its
// transactions), GetPayment cannot capture, sends nothing, and reads the payment as Trustly
// holds it: authorized, without a capture.
func TestGetPaymentKeepsNoMemoryOfARefusal(t *testing.T) {
	for _, token := range []string{"tok", ""} {
		t.Run("token="+token, func(t *testing.T) {
			var captures atomic.Int32
			c := captureAPI(t, token, refusalBody("200"), false, &captures)
			// The Authorize notification brings the split token; its capture is refused.
			if _, err := c.VerifyNotification(context.Background(), signed(t, testID, authorizeNote)); err != nil {
				t.Fatal(err)
			}
			const polls = 3
			for range polls {
				p, err := c.GetPayment(context.Background(), "1002593555")
				if err != nil {
					t.Fatal(err)
				}
				refused := strings.Contains(p.ProviderStatus, "capture refused (Trustly error 200)")
				if p.Status != provider.PaymentAuthorized || refused != (token != "") {
					t.Fatalf("GetPayment = %s (%s); want authorized, with the refusal reported only when a capture was sent", p.Status, p.ProviderStatus)
				}
			}
			want := int32(1)
			if token != "" {
				want += polls
			}
			if n := captures.Load(); n != want {
				t.Fatalf("a notification and %d polls sent %d captures, want %d", polls, n, want)
			}
		})
	}
}

// TestCaptureRefusedBecauseAnotherWasMade: a capture is made without a lock, so the
// notification and a poll may both send one; Trustly refuses the second (the authorized
// amount is used up). The refused caller must find the capture that was made and report
// it, not a refusal.
func TestCaptureRefusedBecauseAnotherWasMade(t *testing.T) {
	var captures atomic.Int32
	c := captureAPI(t, "tok", refusalBody("200"), true, &captures)
	n, err := c.VerifyNotification(context.Background(), signed(t, testID, authorizeNote))
	if err != nil {
		t.Fatal(err)
	}
	if n.Event.Kind != notify.PaymentAuthorized || strings.Contains(n.Event.ProviderStatus, "refused") {
		t.Fatalf("event = %s (%s), want payment.authorized without a refusal", n.Event.Kind, n.Event.ProviderStatus)
	}
	p, err := c.GetPayment(context.Background(), "1002593555")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != provider.PaymentPending || p.ProviderStatus != "capture 1 Pending" {
		t.Fatalf("GetPayment = %s (%s), want the capture's pending status", p.Status, p.ProviderStatus)
	}
	if n := captures.Load(); n != 1 {
		t.Fatalf("%d captures sent, want 1: GetPayment found the capture", n)
	}
}
