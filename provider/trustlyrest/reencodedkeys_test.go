package trustlyrest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/secret"
)

// reencodings returns body with each of its separators re-encoded in turn: the '=' after a
// field's name as %3D, which merges the value into the name, and the '&' before a field
// (with the '=' after its name) as %26 and %3D, which merges the field into the value
// before it. Each keeps the signature, which covers the form-decoded body.
func reencodings(body []byte) [][]byte {
	var out [][]byte
	for i, b := range body {
		switch b {
		case '=':
			out = append(out, append(append(bytes.Clone(body[:i]), "%3D"...), body[i+1:]...))
		case '&':
			v := append(bytes.Clone(body[:i]), "%26"...)
			rest := body[i+1:]
			if j := bytes.IndexByte(rest, '='); j >= 0 {
				v = append(append(append(v, rest[:j]...), "%3D"...), rest[j+1:]...)
			}
			out = append(out, v)
		}
	}
	return out
}

// Every re-encoding of a separator of a signed webhook must be refused or read as the very
// same event: otherwise the first of them to arrive is processed as something Trustly did
// not report (another kind, another object, no time for the handler's age limit), and the
// genuine delivery, with the same eventId, is then answered as a redelivery.
func TestEveryReencodedSeparatorIsRefusedOrTheSameEvent(t *testing.T) {
	// Trustly's documented example: an Authorize, fields in the documented order
	// (https://amer.developers.trustly.com/payments/docs/event-notifications-webhooks).
	authorize := form("merchantId", testMID, "merchantReference", "order-2.pbabcdefghij.m", "paymentType", "2",
		"transactionType", "1", "eventId", "1002593571", "eventType", "Authorize", "objectId", "1002593555",
		"objectType", "Transaction", "message", "", "timeZone", "Etc/UTC", "createdAt", "1556234040954",
		"accessId", testID, "splitToken", "AbC9/d+eFgHiJkLmNoPqRsTuVwXyZ0123456789+/==",
		"paymentProviderTransaction.status", "AC100", "paymentProviderTransaction.statusMessage", "AC100",
		"status", "2", "statusMessage", "Authorized")
	c := testClientAPI(t, false)
	ctx := context.Background()
	for _, genuine := range [][]byte{captureDone, authorize} {
		a, err := c.VerifyNotification(ctx, signed(t, testID, genuine))
		if err != nil {
			t.Fatal(err)
		}
		variants := reencodings(genuine)
		if len(variants) < 20 {
			t.Fatalf("only %d variants", len(variants))
		}
		for _, body := range variants {
			req := signed(t, testID, genuine)
			req.Body = body
			b, err := c.VerifyNotification(ctx, req)
			if err != nil {
				continue // refusing it is safe
			}
			ea, eb := a.Event, b.Event
			// The token an application keeps for a capture (see SplitToken).
			ta, _ := SplitToken(ea.Raw)
			tb, _ := SplitToken(eb.Raw)
			if tb != ta {
				t.Errorf("%s\nreads with splitToken %q; the genuine one with %q", body, tb, ta)
			}
			if b.ID != a.ID || eb.Kind != ea.Kind || eb.PaymentID != ea.PaymentID || eb.CaptureID != ea.CaptureID ||
				eb.RefundID != ea.RefundID || eb.MandateID != ea.MandateID || eb.PayoutID != ea.PayoutID ||
				eb.MerchantReference != ea.MerchantReference || !eb.OccurredAt.Equal(ea.OccurredAt) {
				t.Errorf("%s\nread as id %q kind %s payment %q capture %q reference %q at %v;\nthe genuine one as id %q kind %s payment %q capture %q reference %q at %v",
					body, b.ID, eb.Kind, eb.PaymentID, eb.CaptureID, eb.MerchantReference, eb.OccurredAt,
					a.ID, ea.Kind, ea.PaymentID, ea.CaptureID, ea.MerchantReference, ea.OccurredAt)
			}
		}
	}
}

// A field Trustly sends after merchantReference that the adapter does not read (message,
// say) can be merged into it by re-encoding the separator, hiding the suffix that marks
// the capture the adapter made of a payment it captures itself. The notification must
// still read as the payment's success, not as a capture the merchant never made.
func TestReencodedReferenceKeepsTheAdaptersCapture(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/transactions/1002593600") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"transaction":{"transactionId":"1002593600","transactionType":3,"originalTransactionId":"1002593555",` +
			`"merchantReference":"order-1.pbabcdefghij.c","currency":"USD","amount":"10.00","status":4,"statusMessage":"Completed"}}`))
	}))
	t.Cleanup(api.Close)
	c, err := New(Config{AccessID: testID, AccessKey: secret.New(testKey), MerchantID: testMID, BaseURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	genuine := form("merchantId", testMID, "merchantReference", "order-1.pbabcdefghij.c", "message", "",
		"paymentType", "2", "transactionType", "3", "eventId", "1002593570", "eventType", "Complete", "objectId", "1002593600",
		"objectType", "Transaction", "parentObjectId", "1002593555", "createdAt", "1556234040954", "accessId", testID,
		"status", "4", "statusMessage", "Completed")
	tampered := bytes.Replace(genuine, []byte("&message="), []byte("%26message%3D"), 1)
	if bytes.Equal(tampered, genuine) {
		t.Fatal("the body was not re-encoded")
	}
	req := signed(t, testID, genuine)
	req.Body = tampered
	n, err := c.VerifyNotification(context.Background(), req)
	if err != nil {
		return // refusing it is safe
	}
	if ev := n.Event; ev.Kind != notify.PaymentSucceeded || ev.PaymentID != "1002593555" || ev.CaptureID != "" || ev.MerchantReference != "order-1" {
		t.Fatalf("the re-encoded webhook read as kind %s payment %q capture %q reference %q; want payment.succeeded of 1002593555, reference order-1",
			ev.Kind, ev.PaymentID, ev.CaptureID, ev.MerchantReference)
	}
}

// A webhook about an object other than a transaction carries createdAt too: the handler's
// age limit must see it, so that a replay the store has forgotten is refused.
func TestNonTransactionWebhookKeepsItsTime(t *testing.T) {
	c := testClient(t)
	body := form("merchantId", testMID, "eventId", "1002593580", "eventType", "Update", "objectId", "1002593555",
		"objectType", "Customer", "createdAt", "1556234040954", "accessId", testID)
	n, err := c.VerifyNotification(context.Background(), signed(t, testID, body))
	if err != nil {
		t.Fatal(err)
	}
	if n.Event.OccurredAt.UnixMilli() != 1556234040954 {
		t.Fatalf("OccurredAt = %v, want the webhook's createdAt", n.Event.OccurredAt)
	}
}
