package trustist

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

var paymentWireSeeds = []string{
	`{"id":"0b7e5e8a-3f0e-4d59-9a57-2f7c2f1d8a11","status":"PENDING","amount":125.50,"currency":"GBP","reference":"ORDER-1","payLink":"https://payer-sandbox.trustisttransfer.com/pay/0b7e"}`,
	`{"Id":"a","Status":"Completed","Amount":1e2,"Currency":"GBP","Reference":"R","PayLink":"https:\/\/x\/y","Created":"2024-01-02T03:04:05Z","Extra":{"x":[1,null,"s"]}}`,
}

// TestPaymentWireDecode: answers in either case of member names decode, an amount given
// as a string holding a number is taken, and one holding anything else is not.
func TestPaymentWireDecode(t *testing.T) {
	want := []paymentWire{
		{ID: "0b7e5e8a-3f0e-4d59-9a57-2f7c2f1d8a11", Status: "PENDING", Amount: "125.50", Currency: "GBP", Reference: "ORDER-1",
			PayLink: "https://payer-sandbox.trustisttransfer.com/pay/0b7e"},
		{ID: "a", Status: "Completed", Amount: "1e2", Currency: "GBP", Reference: "R", PayLink: "https://x/y", Created: "2024-01-02T03:04:05Z"},
	}
	for i, s := range paymentWireSeeds {
		w, err := decodePaymentWire([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if d := cmp.Diff(want[i], w); d != "" {
			t.Errorf("%s (-want +got):\n%s", s, d)
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
