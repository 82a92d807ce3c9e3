package trustist

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/paybridge/paybridge/internal/jsontree"
)

var paymentWireSeeds = []string{
	`{"id":"0b7e5e8a-3f0e-4d59-9a57-2f7c2f1d8a11","status":"PENDING","amount":125.50,"currency":"GBP","reference":"ORDER-1","payLink":"https://payer-sandbox.trustisttransfer.com/pay/0b7e"}`,
	`{"Id":"a","Status":"Completed","Amount":1e2,"Currency":"GBP","Reference":"R","PayLink":"https:\/\/x\/y","Created":"2024-01-02T03:04:05Z","Extra":{"x":[1,null,"s"]}}`,
	`{"id":"a","id":"b"}`, `{"amount":"12.50"}`, `{"amount":"x"}`, `{"amount":null}`, `{"status":null}`, `{"status":5}`,
	`{"id":{}}`, `null`, `[]`, `{"payLink":"\u00e9"}`, "{\"status\":\"\xff\"}", `{"\u0069d":"a"}`, `{"amount":-0.0}`,
	`{"id":"a"} `, `{"id":"a",}`, `{"ID":"a","id":"b"}`,
}

// FuzzPaymentWireMatchesEncodingJSON: whenever the plain decode of a payment answer
// succeeds, encoding/json decodes the same bytes without error to the same value.
func FuzzPaymentWireMatchesEncodingJSON(f *testing.F) {
	for _, s := range paymentWireSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast paymentWire
		if !fast.decodePlain(body) {
			return
		}
		var want paymentWire
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("%q: the plain decode accepted what encoding/json refuses: %v", body, err)
		}
		if d := cmp.Diff(want, fast); d != "" {
			t.Fatalf("%q: the plain decode differs from encoding/json (-want +got):\n%s", body, d)
		}
	})
}

// TestPaymentWireDecode: the API's answers take the plain path, and what it leaves to
// encoding/json still decodes.
func TestPaymentWireDecode(t *testing.T) {
	for _, s := range paymentWireSeeds[:2] {
		var w paymentWire
		if !w.decodePlain([]byte(s)) {
			t.Errorf("%s: left to encoding/json", s)
		}
	}
	w, err := decodePaymentWire([]byte(`{"id":"a","amount":"12.50","ID":"b"}`))
	if err != nil || w.ID != "b" || w.Amount != "12.50" {
		t.Errorf("an amount as a string and a repeated id: %+v, %v; encoding/json takes both", w, err)
	}
	if _, err := decodePaymentWire([]byte(`{"amount":"twelve"}`)); err == nil {
		t.Error("an amount that is no number was accepted")
	}
}

// FuzzPaymentRequestJSONMatchesMarshal: the request writer writes what json.Marshal writes
// for the struct.
func FuzzPaymentRequestJSONMatchesMarshal(f *testing.F) {
	f.Add("125.50", "ORDER <1> & \"x\"", "https://shop.example/r?a=1&b=2", "", "Jane Doe", "j@example.com", "")
	f.Add("0.01", "", "", "c", "", "", "cust-1")
	f.Add("1e2", "r\xff", "\u2028", "\n", "é", "\t", "\x00")
	f.Fuzz(func(t *testing.T, amount, ref, ret, cancel, details, email, customer string) {
		if !json.Valid([]byte(amount)) || strings.ContainsAny(amount, "\"{}[]tfn \t\r\n") {
			return // amounts are numbers, from money.Amount.JSONNumber
		}
		w := paymentRequestWire{Amount: json.Number(amount), Reference: ref, ReturnURL: ret, CancelURL: cancel,
			Description: details + email, CustomerDetails: details, PayerEmail: email, CustomerID: customer}
		want, err := json.Marshal(w)
		if err != nil {
			return // json.Marshal refuses a json.Number that is not a number
		}
		if got := w.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("wrote %s\njson.Marshal %s", got, want)
		}
	})
}

// FuzzNormalizeStatus: the fast path for normalised statuses changes nothing.
func FuzzNormalizeStatus(f *testing.F) {
	for _, s := range []string{"COMPLETED", "Completed", " pending action ", "Pending-Action", "PENDING_ACTION", "ſtarted", "", "A1_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToUpper(strings.TrimSpace(s)))
		if got := normalizeStatus(s); got != want {
			t.Fatalf("normalizeStatus(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzParseHintPaths: on the bodies jsontree.Members reads, parseHint gives what the map
// decode gives, except that it refuses a body naming two different objects, which the
// map decode resolves by an arbitrary choice.
func FuzzParseHintPaths(f *testing.F) {
	for _, s := range []string{
		`{"paymentId":"0b7e5e8a-3f0e","status":"COMPLETED","eventType":"payment.completed"}`,
		`{"PaymentId":"a","EventType":"PaymentCompleted","Extra":{"x":[1]}}`, `{"payment_id":"a","payment-id":"b"}`,
		`{"standingOrderId":"so-1","type":"StandingOrderCreated"}`, `{"paymentId":5}`, `{"session":null}`,
		`{"paymentId":"a b"}`, `{"paymentId":"\u0061"}`, `{}`, `[]`, `null`, `{"paymentId":"a"} }`, `{"payment\u0049d":"a"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, gerr := parseHint(body)
		names := map[string]int{}
		if !jsontree.Members(body, func(name []byte, v jsontree.Value) bool {
			k := normKey(string(name))
			if k == "event" || k == "type" {
				k = "eventtype"
			}
			names[k]++
			return true
		}) {
			return // parseHint decoded it through the map
		}
		want, werr := parseHintSlowly(body)
		if names["paymentid"] > 1 || names["standingorderid"] > 1 || names["eventtype"] > 1 {
			if gerr == nil && (werr != nil || got != want) {
				t.Fatalf("%q: parseHint %+v, %v; the map decode %+v, %v", body, got, gerr, want, werr)
			}
			return
		}
		if (gerr == nil) != (werr == nil) || got != want {
			t.Fatalf("%q: parseHint %+v, %v; the map decode %+v, %v", body, got, gerr, want, werr)
		}
	})
}
