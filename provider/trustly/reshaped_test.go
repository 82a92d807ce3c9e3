package trustly_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// The signature covers the serialized data, in which an array or an object reads as the
// concatenation of its text: "timestamp":["2010-01-20 ","14:42:04.675645+01"] serializes
// as the string it replaces. Such a reshaped member must not read as absent — a timestamp
// that bounds a replay's age, a refund flag that tells a direct-debit refund from its
// deposit.
func TestReshapedMemberIsRefused(t *testing.T) {
	c, _ := notifyClient(t)
	const ts = `"timestamp":"2010-01-20 14:42:04.675645+01"`
	old := signed(t, "credit", credit("700", "n-700"))
	if !bytes.Contains(old, []byte(ts)) {
		t.Fatalf("no %s in %s", ts, old)
	}
	called := 0
	h := notify.NewHandler(c, func(context.Context, notify.Event) error { called++; return nil })
	post := poster(t, h)
	if code := post(old); code != http.StatusBadRequest || called != 0 {
		t.Fatalf("a notification of 2010 was answered %d and delivered %d times; want it refused for its age", code, called)
	}
	for _, shape := range []string{`"timestamp":["2010-01-20 ","14:42:04.675645+01"]`, `"timestamp":{"2010-01-20 14:42:04.675645+01":null}`} {
		if code := post(bytes.Replace(old, []byte(ts), []byte(shape), 1)); code < 300 || called != 0 {
			t.Errorf("%s: answered %d, delivered %d times", shape, code, called)
		}
	}

	// A direct-debit refund's debit on a charge's order, its refund flag reshaped.
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpCharge, Key: "k", Reference: "m-1", ProviderID: "701",
		Parent: "mandate-1", Amount: money.MustNew("902.50", "EUR")}}}
	data := credit("701", "n-701")
	data["attributes"] = map[string]any{"refund": "1"}
	refund := signed(t, "debit", data)
	ctx := provider.WithCalls(context.Background(), calls)
	n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: refund})
	if err != nil || n.Event.Kind != notify.RefundSucceeded {
		t.Fatalf("the direct-debit refund's debit: %v, %+v", err, n)
	}
	for _, shape := range []string{`"refund":["1"]`, `"refund":{"1":null}`} {
		reshaped := bytes.Replace(refund, []byte(`"refund":"1"`), []byte(shape), 1)
		if n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: reshaped}); err == nil {
			t.Errorf("%s verified, as %s", shape, brief(n.Event))
		}
	}
	for _, shape := range []string{`"attributes":"refund1"`, `"attributes":["refund","1"]`} {
		reshaped := bytes.Replace(refund, []byte(`"attributes":{"refund":"1"}`), []byte(shape), 1)
		if bytes.Equal(reshaped, refund) {
			t.Fatal("the body was not reshaped")
		}
		if n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: reshaped}); err == nil {
			t.Errorf("%s verified, as %s", shape, brief(n.Event))
		}
	}
}

// The signed text begins with the method and the uuid, run together: moving the uuid's
// first character onto the method ("credit2" and "58a2184-...") keeps the signature. Read
// as a notification of an unknown method it would reach the application as other, under
// the genuine credit's notificationid, and the genuine credit, arriving after it, would be
// answered as its redelivery: the deposit's success never delivered.
func TestMethodAndUUIDBoundaryMoved(t *testing.T) {
	c, _ := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPay, Key: "k", Reference: "m-1", ProviderID: "800",
		Amount: money.MustNew("902.50", "EUR")}}}
	ctx := provider.WithCalls(context.Background(), calls)
	genuine := signed(t, "credit", credit("800", "n-800"))
	for name, moved := range map[string][]byte{
		"method longer": bytes.Replace(bytes.Replace(genuine, []byte(`"method":"credit"`), []byte(`"method":"credit2"`), 1),
			[]byte(`"uuid":"258a`), []byte(`"uuid":"58a`), 1),
		"method shorter": bytes.Replace(bytes.Replace(genuine, []byte(`"method":"credit"`), []byte(`"method":"credi"`), 1),
			[]byte(`"uuid":"258a`), []byte(`"uuid":"t258a`), 1),
	} {
		if bytes.Equal(moved, genuine) || bytes.Count(moved, []byte("258a")) == 2 {
			t.Fatalf("%s: the body was not changed", name)
		}
		if n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: moved}); err == nil {
			t.Errorf("%s: verified, as %s", name, brief(n.Event))
		}
	}
	if n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: genuine}); err != nil || n.Event.Kind != notify.PaymentSucceeded {
		t.Fatalf("the genuine credit: %v %+v", err, n)
	}
}

// Trustly signs every merchant's notifications with one key, so a notification of a
// method the adapter does not know that names no order cannot be shown to be the
// merchant's: read against the Gateway's journal, it is not delivered.
func TestUnknownMethodWithoutOrderIsNotOurs(t *testing.T) {
	c, _ := notifyClient(t)
	ctx := provider.WithCalls(context.Background(), &recordedCalls{})
	body := signed(t, "futurething", map[string]any{"notificationid": "n-900", "messageid": "m", "colour": "blue"})
	n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: body})
	if err != nil {
		return // refusing it is safe too
	}
	if n.NotOurs == nil {
		t.Fatalf("a notification naming no order would be delivered, as %s", brief(n.Event))
	}
}

// reshape returns body with its data changed by edit, keeping its signature: the edit
// must keep the serialized data the same for the body to verify.
func reshape(t *testing.T, body []byte, edit func(data map[string]any)) []byte {
	t.Helper()
	var env map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		t.Fatal(err)
	}
	edit(env["params"].(map[string]any)["data"].(map[string]any))
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A flag whose "1" changes what a notification means can be made to vanish by moving the
// boundaries between names and values (the serialization runs them together): "refund":"1"
// as "refund1":"", the attributes' members as data members named "attributesrefund", or
// "directdebitmandate" split after the value before it ("descriptor":"**1234d",
// "irectdebitmandate":"1"). Such a body must not verify as the notification without it.
func TestFlagsMovedAcrossBoundariesAreRefused(t *testing.T) {
	c, _ := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{
		{Op: provider.OpCharge, Key: "k1", Reference: "m-1", ProviderID: "701", Parent: "mandate-1", Amount: money.MustNew("902.50", "EUR")},
		{Op: provider.OpCreateMandate, Key: "k2", Reference: "m-2", ProviderID: "702"},
	}}
	ctx := provider.WithCalls(context.Background(), calls)
	verify := func(body []byte) (*notify.Notification, error) {
		return c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: body})
	}

	data := credit("701", "n-701")
	data["attributes"] = map[string]any{"refund": "1"}
	refund := signed(t, "debit", data)
	if n, err := verify(refund); err != nil || n.Event.Kind != notify.RefundSucceeded {
		t.Fatalf("the direct-debit refund's debit: %v, %+v", err, n)
	}
	for name, edit := range map[string]func(map[string]any){
		"value into name":       func(d map[string]any) { d["attributes"] = map[string]any{"refund1": ""} },
		"value into name, null": func(d map[string]any) { d["attributes"] = map[string]any{"refund1": nil} },
		"attributes into a data name": func(d map[string]any) {
			delete(d, "attributes")
			d["attributesrefund"] = "1"
		},
		"attributes split into a data name and value": func(d map[string]any) {
			delete(d, "attributes")
			d["attributesref"] = "und1"
		},
	} {
		if n, err := verify(reshape(t, refund, edit)); err == nil {
			t.Errorf("refund flag, %s: verified, as %s", name, brief(n.Event))
		}
	}

	// The merchant's own texts may hold the flag's name: a deposit whose MessageID does.
	calls.calls = append(calls.calls, provider.Call{Op: provider.OpPay, Key: "k3", Reference: "refund1-shop", ProviderID: "703",
		Amount: money.MustNew("902.50", "EUR")})
	own := credit("703", "n-703")
	own["messageid"], own["enduserid"] = "refund1-shop", "directdebitmandate1"
	if n, err := verify(signed(t, "credit", own)); err != nil || n.Event.Kind != notify.PaymentSucceeded {
		t.Fatalf("a deposit whose MessageID holds refund1: %v, %+v", err, n)
	}

	account := map[string]any{"orderid": "702", "messageid": "m-2", "notificationid": "n-702", "accountid": "a-1", "verified": "1",
		"attributes": map[string]any{"bank": "SEB", "clearinghouse": "SWEDEN", "descriptor": "**1234", "directdebitmandate": "1", "lastdigits": "1234"}}
	mandate := signed(t, "account", account)
	if n, err := verify(mandate); err != nil || n.Event.Kind != notify.MandateActive {
		t.Fatalf("the mandate's account notification: %v, %+v", err, n)
	}
	shifted := reshape(t, mandate, func(d map[string]any) {
		a := d["attributes"].(map[string]any)
		delete(a, "directdebitmandate")
		a["descriptor"], a["irectdebitmandate"] = "**1234d", "1"
	})
	if n, err := verify(shifted); err == nil {
		t.Errorf("directdebitmandate split after descriptor: verified, as %s", brief(n.Event))
	}
}

// poster serves h on loopback for the test and returns a function that posts a body to it
// and returns the status of the answer.
func poster(t *testing.T, h http.Handler) func(body []byte) int {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return func(body []byte) int {
		t.Helper()
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
}
