package trustly_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// sameSerialization fails the test unless a and b serialize alike, so that a reshaped
// body keeps the genuine one's signature.
func sameSerialization(t *testing.T, method string, a, b map[string]any) {
	t.Helper()
	sa, err := wire.Serialize(method, docUUID, a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := wire.Serialize(method, docUUID, b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sa, sb) {
		t.Fatalf("not the same serialization:\n%s\n%s", sa, sb)
	}
}

// Trustly signs every merchant's notifications with one key, and the messageid and
// enduserid of a merchant's notifications are the texts the merchant sent. Another
// merchant who writes data members' names into its own MessageID gets a genuinely signed
// notification whose names and values can be regrouped, under the same signature, into a
// notification about our order: a credit of our deposit (paid by nobody), one without a
// timestamp (no age limit), or one that takes a notificationid Trustly has yet to send us
// and is remembered, as not ours, under it.
func TestAnotherMerchantsMessageIDCannotMoveANotificationOntoOurOrder(t *testing.T) {
	c, _ := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPay, Key: "k", Reference: "m-1", ProviderID: "800",
		Amount: money.MustNew("902.50", "EUR")}}}
	ctx := provider.WithCalls(context.Background(), calls)
	verify := func(body []byte) (*notify.Notification, error) {
		return c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: body})
	}
	theirs := func(messageID string) map[string]any {
		d := credit("9001", "7000001")
		d["messageid"] = messageID
		return d
	}
	for name, tc := range map[string]struct {
		messageID string
		reshaped  func(d map[string]any)
	}{
		"our order's credit, the rest in a member of another name": {"xnotificationid7000002orderid800p", func(d map[string]any) {
			d["messageid"], d["notificationid"], d["orderid"], d["p"] = "x", "7000002", "800", "notificationid7000001orderid9001"
		}},
		"our order's credit without a timestamp": {"xnotificationid7000002orderid800timestamp", func(d map[string]any) {
			d["messageid"], d["notificationid"], d["orderid"] = "x", "7000002", "800"
			d["timestamp"] = "notificationid7000001orderid9001timestamp2010-01-20 14:42:04.675645+01"
		}},
		"a notificationid of ours, as not ours": {"xnotificationid7000002orderid", func(d map[string]any) {
			d["messageid"], d["notificationid"], d["orderid"] = "x", "7000002", "notificationid7000001orderid9001"
		}},
		"a notificationid of ours, the rest in a member without a value": {"xnotificationid7000002orderid9", func(d map[string]any) {
			d["messageid"], d["notificationid"], d["orderid"], d["p"] = "x", "7000002", "9", nil
			delete(d, "p")
			d["pnotificationid7000001orderid9001"] = nil
		}},
		"our order's credit, made of text in the attributes": {"m-9", func(d map[string]any) {
			for _, k := range []string{"currency", "enduserid", "messageid"} {
				delete(d, k)
			}
			d["attributes"] = map[string]any{"zz": "1"}
			d["notificationid"], d["orderid"], d["p"] = "7000002", "800", "currencyEURenduseridu-1messageidm-9notificationid7000001orderid9001"
		}},
	} {
		genuine := theirs(tc.messageID)
		switch name {
		case "a notificationid of ours, the rest in a member without a value":
			genuine["messageid"] = "xnotificationid7000002orderid9p"
		case "our order's credit, made of text in the attributes":
			genuine["attributes"] = map[string]any{"zz": "1notificationid7000002orderid800p"}
		}
		body := signed(t, "credit", genuine)
		reshaped := reshape(t, body, tc.reshaped)
		want := theirs(genuine["messageid"].(string))
		want["attributes"] = genuine["attributes"]
		tc.reshaped(want)
		sameSerialization(t, "credit", genuine, want)
		n, err := verify(reshaped)
		if err == nil {
			t.Errorf("%s: verified, as %s (not ours: %v)", name, brief(n.Event), n.NotOurs)
		}
	}
}

// The same attack through the Handler: another merchant's notification, regrouped so that
// it carries a notificationid Trustly will send us later, must not be remembered as
// processed under it, or our genuine notification is answered as its redelivery and lost.
func TestOurNotificationIDCannotBeTakenByAnotherMerchantsNotification(t *testing.T) {
	c, _ := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPay, Key: "k", Reference: "m-1", ProviderID: "800",
		Amount: money.MustNew("902.50", "EUR")}}}
	var got []notify.Event
	h := notify.NewHandler(withCalls{c, calls}, func(_ context.Context, e notify.Event) error { got = append(got, e); return nil })
	post := poster(t, h)
	now := time.Now().Format("2006-01-02 15:04:05.000000-07")
	theirs := credit("9001", "7000001")
	theirs["messageid"], theirs["timestamp"] = "xnotificationid7000002orderid", now
	forged := reshape(t, signed(t, "credit", theirs), func(d map[string]any) {
		d["messageid"], d["notificationid"], d["orderid"] = "x", "7000002", "notificationid7000001orderid9001"
	})
	post(forged)
	ours := credit("800", "7000002")
	ours["timestamp"] = now
	if code := post(signed(t, "credit", ours)); code != http.StatusOK || len(got) != 1 || got[0].Kind != notify.PaymentSucceeded ||
		got[0].PaymentID != "800" {
		t.Fatalf("our credit answered %d, delivered %d events; want the payment's success delivered once", code, len(got))
	}
}

// signedData is the data of a notification body.
func signedData(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var data map[string]any
	reshape(t, body, func(d map[string]any) { data = d })
	return data
}

// A kyc or account notification's attributes are the end user's identity, run together
// in the serialization: a name's boundary moved keeps the signature while a value reads as
// another ("dob":"1965-12-17f","irstname":"Joe"), or a member is swallowed by the value
// before it ("city":"STOCKHOLMcountrySweden"). A captured notification of ours so
// regrouped must not reach the application with the identity changed.
func TestIdentityAttributesRegroupedAreRefused(t *testing.T) {
	c, _ := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{
		{Op: provider.OpPay, Key: "k", Reference: "mytransaction-001", ProviderID: "87654567", Amount: money.MustNew("10.00", "SEK")},
		{Op: provider.OpVerifyAccount, Key: "k2", Reference: "m-2", ProviderID: "702"},
	}}
	ctx := provider.WithCalls(context.Background(), calls)
	verify := func(body []byte) (*notify.Notification, error) {
		return c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: body})
	}
	kyc := signed(t, "kyc", kycNotification())
	if n, err := verify(kyc); err != nil || n.Event.Kind != notify.PaymentIdentified {
		t.Fatalf("the genuine kyc: %v %+v", err, n)
	}
	attrs := func(edit func(a map[string]any)) func(d map[string]any) {
		return func(d map[string]any) { edit(d["attributes"].(map[string]any)) }
	}
	for name, edit := range map[string]func(d map[string]any){
		"a name's first letter moved onto the value before": attrs(func(a map[string]any) {
			delete(a, "firstname")
			a["dob"], a["irstname"] = "1965-12-17f", "Joe"
		}),
		"a member swallowed by the value before": attrs(func(a map[string]any) {
			delete(a, "country")
			a["city"] = "STOCKHOLMcountrySweden"
		}),
		"the person id swallowed by the last name": attrs(func(a map[string]any) {
			delete(a, "personid")
			a["lastname"] = "JohnsonpersonidSE196512171957"
		}),
		"the postal code swallowed by the street": func(d map[string]any) {
			a := d["attributes"].(map[string]any)
			delete(a, "zipcode")
			a["street"] = "Street 10zipcode11253"
		},
	} {
		reshaped := reshape(t, kyc, edit)
		want := kycNotification()
		edit(want)
		sameSerialization(t, "kyc", kycNotification(), want)
		if n, err := verify(reshaped); err == nil {
			t.Errorf("kyc, %s: verified, identity %+v", name, *n.Event.Identity)
		}
	}

	account := map[string]any{"orderid": "702", "messageid": "m-2", "notificationid": "n-702", "accountid": "a-1", "verified": "1",
		"attributes": map[string]any{"bank": "SEB", "clearinghouse": "SWEDEN", "descriptor": "**1234", "lastdigits": "1234",
			"name": "Joe Johnson", "personid": "SE196512171957", "address": "Street 10", "zipcode": "11253", "city": "STOCKHOLM"}}
	body := signed(t, "account", account)
	if n, err := verify(body); err != nil || n.Event.Kind != notify.AccountVerified || n.Event.Identity == nil {
		t.Fatalf("the genuine account notification: %v %+v", err, n)
	}
	for name, edit := range map[string]func(a map[string]any){
		"the holder's person id swallowed by the name": func(a map[string]any) {
			delete(a, "personid")
			a["name"] = "Joe JohnsonpersonidSE196512171957"
		},
		"the name's last letter moved onto the next name": func(a map[string]any) {
			delete(a, "personid")
			a["name"], a["npersonid"] = "Joe Johnso", "SE196512171957"
		},
	} {
		reshaped := reshape(t, body, attrs(edit))
		want := signedData(t, reshaped)
		sameSerialization(t, "account", account, want)
		if n, err := verify(reshaped); err == nil {
			t.Errorf("account, %s: verified, holder %+v", name, n.Event.Identity)
		}
	}
}

// The JSON of a notification can be written in other ways under the same signature, which
// covers the decoded values: a text as a number, an escaped character, an empty object as
// null. Each such body either is refused or reads exactly as the genuine one; a repeated
// member, which two readers could read differently, is refused.
func TestReencodedJSONReadsTheSameOrIsRefused(t *testing.T) {
	c, _ := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPay, Key: "k", Reference: "m-1", ProviderID: "800",
		Amount: money.MustNew("902.50", "EUR")}}}
	verify := func(body []byte) (*notify.Notification, error) {
		calls.marks = nil // each body read afresh
		return c.VerifyNotification(provider.WithCalls(context.Background(), calls), &notify.Request{Method: http.MethodPost, Body: body})
	}
	data := credit("800", "7000002")
	data["attributes"] = map[string]any{}
	genuine := signed(t, "credit", data)
	want, err := verify(genuine)
	if err != nil || want.Event.Kind != notify.PaymentSucceeded {
		t.Fatalf("the genuine credit: %v %+v", err, want)
	}
	for name, tc := range map[string]struct {
		old, new string
		refused  bool
	}{
		"amount as a number":        {`"amount":"902.50"`, `"amount":902.50`, false},
		"orderid as a number":       {`"orderid":"800"`, `"orderid":800`, false},
		"escaped characters":        {`"messageid":"m-1"`, `"messageid":"m\u002d\u0031"`, false},
		"escaped member name":       {`"orderid":"800"`, `"\u006frderid":"800"`, false},
		"empty attributes as null":  {`"attributes":{}`, `"attributes":null`, false},
		"an empty member as null":   {`"attributes":{}`, `"attributes":{},"x":null`, true},
		"a repeated member":         {`"orderid":"800"`, `"orderid":"800","orderid":"800"`, true},
		"amount rewritten":          {`"amount":"902.50"`, `"amount":"902.5"`, true},
		"amount as an exponent":     {`"amount":"902.50"`, `"amount":9.0250e2`, true},
		"orderid as an array":       {`"orderid":"800"`, `"orderid":["800"]`, true},
		"orderid as an object":      {`"orderid":"800"`, `"orderid":{"800":null}`, true},
		"attributes as an array":    {`"attributes":{}`, `"attributes":[]`, true},
		"amount with leading zeros": {`"amount":"902.50"`, `"amount":"0902.50"`, true},
	} {
		if !bytes.Contains(genuine, []byte(tc.old)) {
			t.Fatalf("%s: no %s in %s", name, tc.old, genuine)
		}
		n, err := verify(bytes.Replace(genuine, []byte(tc.old), []byte(tc.new), 1))
		switch {
		case err != nil && !tc.refused:
			t.Errorf("%s: refused (%v); the body means the same", name, err)
		case err == nil && tc.refused:
			t.Errorf("%s: verified, as %s", name, brief(n.Event))
		case err == nil && (brief(n.Event) != brief(want.Event) || n.NotOurs != nil || !n.Event.OccurredAt.Equal(want.Event.OccurredAt)):
			t.Errorf("%s: read as %s, want %s", name, brief(n.Event), brief(want.Event))
		}
	}
}

// The merchant's own texts — messageid, enduserid, and whatever of its request Trustly
// echoes in the attributes — may hold the members' names: such a notification of ours
// still reaches the application.
func TestOurTextsMayHoldMemberNames(t *testing.T) {
	c, _ := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPay, Key: "k", Reference: "orderid-notificationid-1",
		ProviderID: "800", Amount: money.MustNew("902.50", "EUR")}}}
	data := credit("800", "7000002")
	data["messageid"], data["enduserid"] = "orderid-notificationid-1", "timestamp-amount-currency"
	data["attributes"] = map[string]any{"ExternalReference": "orderid 800, timestamp and currency noted"}
	n, err := c.VerifyNotification(provider.WithCalls(context.Background(), calls),
		&notify.Request{Method: http.MethodPost, Body: signed(t, "credit", data)})
	if err != nil || n.Event.Kind != notify.PaymentSucceeded || n.NotOurs != nil {
		t.Fatalf("our credit: %v %+v", err, n)
	}
}
