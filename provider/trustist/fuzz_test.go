package trustist

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/secret"
)

// FuzzStaleTimestampHeader feeds arbitrary WWW-Authenticate values through the path a
// 401 takes: the clock moves only for a header whose tsm authenticates its ts.
func FuzzStaleTimestampHeader(f *testing.F) {
	cred := hawk.Credentials{ID: "id-1", Key: hawk.Key("sk_test_fuzz")}
	f.Add(`Hawk ts="1700000600", tsm="` + hawk.TimestampMAC(cred.Key, 1700000600) + `", error="Stale timestamp"`)
	f.Add(`Hawk ts="1700000600", tsm="AAAA", error="Stale timestamp"`)
	f.Add(`Hawk error="Bad mac"`)
	f.Add(`Hawk ts="0001", tsm=""`)
	f.Add(`Basic realm="x"`)
	f.Add(`hawk ts="17", ts="18"`)
	f.Fuzz(func(t *testing.T, header string) {
		var c hawk.Clock
		c.Local = func() time.Time { return time.Unix(1700000000, 0) }
		h := http.Header{"Www-Authenticate": {header}}
		wa, ok := staleTimestamp(h)
		if !ok {
			return
		}
		err := c.Sync(cred, wa)
		if err != nil {
			if c.Offset() != 0 {
				t.Fatalf("a refused header moved the clock: %q", header)
			}
			return
		}
		// Accepted: the header must carry a ts whose tsm is the HMAC-SHA256 of
		// "hawk.1.ts\n<ts>\n" under the key, computed here independently of the hawk
		// package, and the clock must have moved to that ts.
		attrs, perr := hawk.ParseHeader(wa, hawk.WWWAuthenticate)
		if perr != nil {
			t.Fatalf("clock synced to an unparsable header %q: %v", header, perr)
		}
		ts, terr := strconv.ParseInt(attrs["ts"], 10, 64)
		mac := hmac.New(sha256.New, []byte("sk_test_fuzz"))
		mac.Write([]byte("hawk.1.ts\n" + attrs["ts"] + "\n"))
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if terr != nil || !hmac.Equal([]byte(attrs["tsm"]), []byte(want)) {
			t.Fatalf("clock synced to an unauthenticated header %q (tsm %q, want %q)", header, attrs["tsm"], want)
		}
		if c.Offset() != ts-1700000000 {
			t.Fatalf("offset %d for ts %d", c.Offset(), ts)
		}
	})
}

// FuzzErrorBody: any error body yields a bounded message without panicking.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"title":"One or more validation errors occurred.","status":400,"errors":{"$.amount":["bad"]}}`,
		`{"message":"nope","code":"E1"}`, `{"error":"invalid_client","error_description":"x"}`,
		`{"errors":[{"field":"amount","message":"m"},"plain"]}`, `"just a string"`, `<html>`, `plain text`, `{"errors":{"a":"b"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := parseErrorBody(body)
		if len(d.message) > maxMessage+len("…") {
			t.Fatalf("message of %d bytes", len(d.message))
		}
		if strings.ContainsAny(d.message, "\r\n\x00") {
			t.Fatalf("message keeps control characters: %q", d.message)
		}
	})
}

// FuzzNotification: whatever a notification body says, a payment.succeeded event is only
// produced for the payment the API reports as complete, with the API's amount.
func FuzzNotification(f *testing.F) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/payments/paid-1":
			_, _ = w.Write([]byte(`{"id":"paid-1","status":"COMPLETE","amount":10.00,"reference":"r1"}`))
		case "/v1/payments/pending-1":
			_, _ = w.Write([]byte(`{"id":"pending-1","status":"PENDING","amount":10.00,"reference":"r2"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"title":"Not Found","status":404}`))
		}
	}))
	f.Cleanup(api.Close)
	p, err := New(Config{BaseURL: api.URL, Merchant: Key{HawkID: "id-1", HawkKey: secret.New("sk_test_fuzz")}})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		`{"paymentId":"paid-1","status":"COMPLETED","eventType":"payment.completed"}`,
		`{"paymentId":"pending-1","status":"COMPLETED","eventType":"payment.completed","amount":99}`,
		`{"PaymentId":"pending-1","Status":"Completed"}`,
		`{"payment_id":"unknown-2","status":"COMPLETED"}`,
		`{"standingOrderId":"so-1","eventType":"StandingOrderCreated"}`,
		`{"paymentId":"pending-1","paymentId":"paid-1"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := p.VerifyNotification(context.Background(), &notify.Request{Method: "POST", Body: body})
		if err != nil {
			return
		}
		ev := n.Event
		if ev.Kind == notify.PaymentSucceeded && (ev.PaymentID != "paid-1" || ev.Amount.Fixed() != "10.00") {
			b, _ := json.Marshal(ev)
			t.Fatalf("body %q produced a success event %s", body, b)
		}
		if ev.PaymentID != "" && ev.PaymentID != "paid-1" && ev.PaymentID != "pending-1" {
			t.Fatalf("event for a payment the API does not know: %q", ev.PaymentID)
		}
		if string(ev.Raw) != string(body) || ev.Provider != Name || n.ID == "" {
			t.Fatalf("event %+v", ev)
		}
	})
}
