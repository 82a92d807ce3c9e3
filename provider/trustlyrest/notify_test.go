package trustlyrest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/secret"
)

const (
	testID  = "MerchantAccess01"
	testKey = "MerchantSecret01"
	testMID = "1002463580"
)

// testClient returns a manual-capture client whose API calls go to a server that fails the
// test: notification parsing must not need the API for these bodies.
func testClient(t testing.TB) *Client { return testClientAPI(t, true) }

// testClientAPI is testClient; with strict false, API calls are answered with Trustly's
// "not found" error instead of failing the test.
func testClientAPI(t testing.TB, strict bool) *Client {
	t.Helper()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strict {
			t.Errorf("unexpected API call %s %s", r.Method, r.URL)
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errors":[{"domain":"x","code":200,"message":"Could not find a transaction"}]}`))
	}))
	t.Cleanup(api.Close)
	c, err := New(Config{AccessID: testID, AccessKey: secret.New(testKey), MerchantID: testMID, BaseURL: api.URL, Capture: CaptureManual})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func form(pairs ...string) []byte {
	var f signing.Form
	for i := 0; i+1 < len(pairs); i += 2 {
		f = append(f, signing.Pair{Key: pairs[i], Value: pairs[i+1]})
	}
	return []byte(signing.EncodeForm(f))
}

func signed(t testing.TB, id string, body []byte) *notify.Request {
	t.Helper()
	h, err := signing.SignNotification(id, []byte(testKey), body, signing.HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	return &notify.Request{Method: http.MethodPost, Body: body, Header: http.Header{
		"Authorization": {h}, "Content-Type": {"application/x-www-form-urlencoded"}}}
}

var captureDone = form("merchantId", testMID, "merchantReference", "order-1.pbabcdefghij.c", "paymentType", "2",
	"transactionType", "3", "eventId", "1002593570", "eventType", "Complete", "objectId", "1002593600",
	"objectType", "Transaction", "parentObjectId", "1002593555", "message", "", "timeZone", "Etc/UTC",
	"createdAt", "1556234040954", "accessId", testID, "status", "4", "statusMessage", "Completed")

func TestVerifyNotificationMapsACapture(t *testing.T) {
	c := testClient(t)
	n, err := c.VerifyNotification(context.Background(), signed(t, testID, captureDone))
	if err != nil {
		t.Fatal(err)
	}
	ev := n.Event
	if n.ID != "1002593570" || ev.ID != n.ID || ev.Kind != notify.PaymentSucceeded || ev.PaymentID != "1002593555" ||
		ev.MerchantReference != "order-1" || ev.Provider != Name || ev.ProviderEvent != "Complete" ||
		ev.ProviderStatus != "4 Completed" || ev.OccurredAt.UnixMilli() != 1556234040954 || !bytes.Equal(ev.Raw, captureDone) {
		t.Fatalf("event = %+v", ev)
	}
	var w *Webhook
	if !ev.As(&w) || w.ObjectID != "1002593600" || w.ParentObjectID != "1002593555" || w.TransactionType != 3 ||
		w.Status != 4 || w.PaymentType != 2 || w.MerchantReference != "order-1.pbabcdefghij.c" || w.EventType != "Complete" {
		t.Fatalf("Event.As reaches %+v", w)
	}
}

func TestEventKindTable(t *testing.T) {
	for _, tt := range []struct {
		txType, paymentType, status int
		want                        notify.Kind
	}{
		{1, 2, 0, notify.PaymentPending}, {1, 2, 1, notify.PaymentPending}, {1, 2, 2, notify.PaymentAuthorized},
		{1, 2, 7, notify.PaymentCanceled}, {1, 2, 8, notify.PaymentFailed}, {1, 2, 6, notify.PaymentFailed},
		{1, 2, 13, notify.PaymentCanceled}, {1, 2, 99, notify.PaymentPending},
		{3, 2, 1, notify.PaymentPending}, {3, 2, 3, notify.PaymentPending}, {3, 2, 4, notify.PaymentSucceeded},
		{3, 2, 8, notify.PaymentFailed}, {3, 2, 10, notify.PaymentReversed}, {2, 1, 10, notify.PaymentReversed}, {3, 2, 12, notify.PaymentSucceeded},
		{3, 2, 99, notify.PaymentPending}, {2, 1, 4, notify.PaymentSucceeded},
		{4, 2, 1, notify.Other}, {4, 2, 4, notify.RefundSucceeded}, {4, 2, 8, notify.RefundFailed}, {4, 2, 99, notify.Other},
		{6, 4, 3, notify.Other}, {6, 4, 4, notify.PayoutSucceeded}, {6, 4, 5, notify.PayoutFailed},
		{1, 4, 2, notify.AccountVerified}, {1, 4, 7, notify.AccountFailed}, {1, 4, 1, notify.Other},
		{1, 5, 2, notify.AccountVerified}, {7, 4, 4, notify.Other}, {10, 2, 2, notify.Other},
	} {
		if got := eventKind(tt.txType, tt.paymentType, tt.status); got != tt.want {
			t.Errorf("eventKind(type %d, paymentType %d, status %d) = %s, want %s", tt.txType, tt.paymentType, tt.status, got, tt.want)
		}
	}
}

// TestRejectedNotificationsNeverReachTheCallback sends bad notifications through a
// notify.Handler and checks each is refused with a non-2xx status before the callback.
func TestRejectedNotificationsNeverReachTheCallback(t *testing.T) {
	c := testClient(t)
	var calls atomic.Int32
	h := notify.NewHandler(c, func(context.Context, notify.Event) error { calls.Add(1); return nil }, notify.WithMaxAge(0)) // the fixtures are from 2019
	good := signed(t, testID, captureDone)
	tampered := bytes.Replace(captureDone, []byte("status=4"), []byte("status=5"), 1)
	otherID := signed(t, "SomeoneElse01", captureDone)
	bodyAccess := form("accessId", "SomeoneElse01", "eventId", "1", "objectId", "2", "transactionType", "3", "status", "4")
	bodyMerchant := form("merchantId", "999", "eventId", "1", "objectId", "2", "transactionType", "3", "status", "4")
	noEvent := form("objectId", "2", "transactionType", "3", "status", "4")
	badStatus := form("eventId", "1", "objectId", "2", "transactionType", "3", "status", "four")
	badObject := form("eventId", "1", "objectId", "../x", "transactionType", "3", "status", "4")
	malformed := malformedBodies(t)
	for name, req := range malformed {
		if _, err := c.VerifyNotification(context.Background(), req); !errors.Is(err, ErrMalformedNotification) {
			t.Errorf("%s: VerifyNotification = %v, want ErrMalformedNotification", name, err)
		}
	}
	for name, req := range map[string]*notify.Request{
		"tampered":           {Body: tampered, Header: good.Header},
		"unsigned":           {Body: captureDone, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
		"other accessId":     otherID,
		"accessId in body":   signed(t, testID, bodyAccess),
		"merchantId in body": signed(t, testID, bodyMerchant),
		"no eventId":         signed(t, testID, noEvent),
		"status not numeric": signed(t, testID, badStatus),
		"objectId not an id": signed(t, testID, badObject),
		"bad escape":         malformed["bad escape"],
		"bad utf-8":          malformed["bad utf-8"],
		"empty":              malformed["empty"],
		"oversize":           malformed["oversize"],
		"json content type":  {Body: captureDone, Header: http.Header{"Authorization": good.Header["Authorization"], "Content-Type": {"application/json"}}},
		"basic garbage":      {Body: captureDone, Header: http.Header{"Authorization": {"Basic !!!"}}},
	} {
		rec := httptest.NewRecorder()
		hr := httptest.NewRequest(http.MethodPost, "/n", bytes.NewReader(req.Body))
		hr.Header = req.Header
		h.ServeHTTP(rec, hr)
		if rec.Code >= 200 && rec.Code <= 299 {
			t.Errorf("%s: acknowledged with HTTP %d", name, rec.Code)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("rejected notifications reached the callback %d times", n)
	}
	// The genuine one is acknowledged with 200 and an empty body, once.
	for range 2 {
		rec := httptest.NewRecorder()
		hr := httptest.NewRequest(http.MethodPost, "/n", bytes.NewReader(captureDone))
		hr.Header = good.Header
		h.ServeHTTP(rec, hr)
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
			t.Fatalf("genuine notification answered %d %q", rec.Code, rec.Body)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("callback ran %d times for one notification delivered twice", n)
	}
}

func TestVerifyNotificationErrors(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	_, err := c.VerifyNotification(ctx, signed(t, "SomeoneElse01", captureDone))
	if !errors.Is(err, ErrWrongAccessID) {
		t.Errorf("other accessId: %v", err)
	}
	req := signed(t, testID, captureDone)
	req.Body = append([]byte(nil), captureDone...)
	req.Body[len(req.Body)-1] = 'X'
	if _, err := c.VerifyNotification(ctx, req); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
	if _, err := c.VerifyNotification(ctx, &notify.Request{Body: captureDone, Header: http.Header{}}); !errors.Is(err, ErrMissingAuthorization) {
		t.Errorf("unsigned: %v", err)
	}
	if _, err := c.VerifyNotification(ctx, signed(t, testID, form("eventId", "1", "objectId", "2", "transactionType", "3"))); !errors.Is(err, ErrMalformedNotification) {
		t.Errorf("no status: %v", err)
	}
	if err == nil || strings.Contains(err.Error(), testKey) {
		t.Errorf("error text %v", err)
	}
	if r, _ := c.NotificationReply(nil, notify.Failed); r.StatusCode != http.StatusInternalServerError {
		t.Errorf("failure reply %d", r.StatusCode)
	}
}

// FuzzVerifyNotification signs arbitrary bodies with the right key, so that parsing and
// mapping are reached, and checks that nothing panics, that an accepted notification has an
// event id, a transaction object id and a known kind, and that an unsigned copy is refused.
func FuzzVerifyNotification(f *testing.F) {
	f.Add(captureDone)
	f.Add(form("eventId", "1", "objectId", "2", "transactionType", "1", "paymentType", "4", "status", "2"))
	f.Add(form("eventId", "1", "objectId", "2", "transactionType", "6", "status", "5", "parentObjectId", "3"))
	f.Add([]byte("eventId=1&objectId=2&transactionType=3&status=4&parentObjectId=9&merchantReference=a%2Bb+c"))
	f.Add([]byte("a=%zz"))
	f.Add([]byte("eventId=1&eventId=2"))
	c := testClientAPI(f, false)
	kinds := map[notify.Kind]bool{notify.PaymentPending: true, notify.PaymentAuthorized: true, notify.PaymentSucceeded: true,
		notify.PaymentFailed: true, notify.PaymentCanceled: true, notify.RefundSucceeded: true, notify.RefundFailed: true,
		notify.PayoutSucceeded: true, notify.PayoutFailed: true, notify.AccountVerified: true, notify.AccountFailed: true, notify.Other: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		hdr, err := signing.SignNotification(testID, []byte(testKey), body, signing.HMACSHA1)
		if err != nil {
			return
		}
		req := &notify.Request{Body: body, Header: http.Header{"Authorization": {hdr}}}
		n, err := c.VerifyNotification(context.Background(), req)
		if err != nil {
			return
		}
		if n.ID == "" || n.ID != n.Event.ID || !kinds[n.Event.Kind] || !bytes.Equal(n.Event.Raw, body) {
			t.Fatalf("accepted notification %+v", n)
		}
		if _, err := c.VerifyNotification(context.Background(), &notify.Request{Body: body, Header: http.Header{}}); err == nil {
			t.Fatal("the unsigned copy was accepted")
		}
	})
}

// malformedBodies returns notifications whose bodies are malformed but whose headers carry
// the right signature for exactly those bytes (HMAC of the body as a signer would see it), so
// that they can be refused only for their form, not for their signature.
func malformedBodies(t testing.TB) map[string]*notify.Request {
	t.Helper()
	sign := func(body, signedText []byte) *notify.Request {
		mac := hmac.New(sha1.New, []byte(testKey))
		mac.Write(signedText)
		sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testID+":"+sig))
		return &notify.Request{Method: http.MethodPost, Body: body, Header: http.Header{
			"Authorization": {auth}, "Content-Type": {"application/x-www-form-urlencoded"}}}
	}
	oversize := bytes.Repeat([]byte("a"), MaxNotificationBody+1)
	return map[string]*notify.Request{
		"bad escape": sign([]byte("eventId=1&objectId=%zz"), []byte("eventId=1&objectId=%zz")),
		"bad utf-8":  sign([]byte("eventId=%ff%fe&objectId=1"), []byte("eventId=\xff\xfe&objectId=1")),
		"empty":      sign(nil, nil),
		"oversize":   sign(oversize, oversize),
	}
}

// TestReencodedNotificationIsTheSameEvent: the signature covers the form-decoded body, so
// a signed webhook whose separators are re-encoded ("&eventType=" as "%26eventType%3D")
// still verifies. It must read as the very same event — same id, same fields — so that
// the notification store answers it as a redelivery instead of passing it on twice.
func TestReencodedNotificationIsTheSameEvent(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	genuine := signed(t, testID, captureDone)
	tampered := *genuine
	tampered.Body = bytes.Replace(captureDone, []byte("&eventType="), []byte("%26eventType%3D"), 1)
	if bytes.Equal(tampered.Body, genuine.Body) {
		t.Fatal("the body was not re-encoded")
	}
	a, err := c.VerifyNotification(ctx, genuine)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.VerifyNotification(ctx, &tampered)
	if err != nil {
		return // refusing it is safe too
	}
	if b.ID != a.ID || b.Event.Kind != a.Event.Kind || b.Event.ProviderEvent != a.Event.ProviderEvent {
		t.Fatalf("the re-encoded webhook read as id %q kind %s event %q; the genuine one as id %q kind %s event %q",
			b.ID, b.Event.Kind, b.Event.ProviderEvent, a.ID, a.Event.Kind, a.Event.ProviderEvent)
	}
}
