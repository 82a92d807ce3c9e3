package trustlyrest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var establishAnswerSeeds = []string{
	`{"transactionId":"1002633191","url":"https://sandbox.trustly.one/start/lightbox/1002633191","amount":"12.34","currency":"USD","merchantReference":"r","paymentType":"Deferred","status":0}`,
	`{"TransactionId":1002633191,"URL":"https:\/\/x\/y","Amount":12.340,"status":"2","createdAt":"1449176555750","extra":{"a":[1,null]}}`,
	`{"transactionId":"1","transactionId":"2"}`, `{"url":null}`, `{"status":null}`, `{"status":""}`, `{"status":"x"}`,
	`{"amount":{}}`, `{"amount":"1\u0030"}`, `{"currency":5}`, `{"createdAt":1.5}`, `{"createdAt":null}`,
	`{"transactionId":true}`, `null`, `[]`, `{"url":"\u00e9"}`, "{\"url\":\"\xff\"}", `{"\u0075rl":"a"}`, `{"ſtatus":2}`,
	`{"url":"a"} `, `{"url":"a",}`,
}

// FuzzEstablishAnswerMatchesEncodingJSON: whenever the plain decode of an establish answer
// succeeds, encoding/json decodes the same bytes without error to the same value.
func FuzzEstablishAnswerMatchesEncodingJSON(f *testing.F) {
	for _, s := range establishAnswerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast establishAnswer
		if !fast.decodePlain(body) {
			return
		}
		var want establishAnswer
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("%q: the plain decode accepted what encoding/json refuses: %v", body, err)
		}
		if d := cmp.Diff(want, fast); d != "" {
			t.Fatalf("%q: the plain decode differs from encoding/json (-want +got):\n%s", body, d)
		}
	})
}

// TestEstablishAnswerPlainPath: the answers Trustly documents take the plain path.
func TestEstablishAnswerPlainPath(t *testing.T) {
	for _, s := range establishAnswerSeeds[:2] {
		var a establishAnswer
		if !a.decodePlain([]byte(s)) {
			t.Errorf("%s: left to encoding/json", s)
		}
	}
	a, err := decodeEstablishAnswer([]byte(`{"transactionId":"1","transactionId":"2"}`))
	if err != nil || a.TransactionID != "2" {
		t.Errorf("a repeated member: %+v, %v; encoding/json takes the last", a, err)
	}
	if _, err := decodeEstablishAnswer([]byte(`{"status":"x"}`)); err == nil {
		t.Error("a non-numeric status was accepted")
	}
}

// FuzzEstablishDataJSONMatchesMarshal: the establish data's writer writes what
// json.Marshal writes for the struct.
func FuzzEstablishDataJSONMatchesMarshal(f *testing.F) {
	f.Add("Order <1> & \"more\"", "12.34", "https://shop.example/return?a=1&b=2", "", "Jane Doe", "", "US", "en", uint8(7))
	f.Add("", "0.99", "", "https://n.example/\u2028", "", "1002", "", "", uint8(0))
	f.Add("d\xff", "1", "r", "n", "é", "x", "SE", "sv_SE", uint8(3))
	f.Fuzz(func(t *testing.T, desc, amount, url, notify, name, id, country, lang string, shape uint8) {
		e := establishData{AccessID: id, MerchantID: "1002463580", Description: desc, Currency: "USD", Amount: amount,
			MerchantReference: name + id, PaymentType: "Deferred", ReturnURL: url, CancelURL: notify + url,
			NotificationURL: notify, RequestSignature: desc + amount}
		if shape&1 != 0 {
			e.Customer = establishCustomer{CustomerID: id, ExternalID: lang, Name: name, Phone: amount, Email: url, DateOfBirth: notify}
			if shape&2 != 0 {
				e.Customer.Address = wireAddress{Address1: desc, Address2: name, City: id, State: lang, Zip: amount, Country: country}
			}
		}
		if shape&4 != 0 {
			e.Metadata = establishMetadata{Lang: lang}
		}
		want, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("wrote %s\njson.Marshal %s", got, want)
		}
	})
}
