package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarshalJSON(t *testing.T) {
	cases := []struct {
		a    Amount
		want string
	}{
		{MustNew("1050", "JPY"), `{"value":"1050","currency":"JPY"}`},
		{MustNew("10.5", "gbp"), `{"value":"10.50","currency":"GBP"}`},
		{MustNew("-0.05", "EUR"), `{"value":"-0.05","currency":"EUR"}`},
		{MustNew("5.000000", "SEK"), `{"value":"5.00","currency":"SEK"}`},
		{MustNew("1.5", "KWD"), `{"value":"1.500","currency":"KWD"}`},
		{MustNew("0.001", "BHD"), `{"value":"0.001","currency":"BHD"}`},
		{MustNew("1.0001", "CLF"), `{"value":"1.0001","currency":"CLF"}`},
		{Amount{}, `null`},
	}
	for _, tc := range cases {
		got, err := json.Marshal(tc.a)
		if err != nil || string(got) != tc.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.a, got, err, tc.want)
		}
		if tc.a.IsValid() {
			checkRoundTrips(t, tc.a)
		}
	}
}

func TestUnmarshalJSON(t *testing.T) {
	cases := []struct {
		in   string
		want Amount
	}{
		{`{"value":"10.50","currency":"GBP"}`, MustNew("10.50", "GBP")},
		{`{"currency":"GBP","value":"10.5"}`, MustNew("10.50", "GBP")},
		{`{"value":10.50,"currency":"GBP"}`, MustNew("10.50", "GBP")},
		{`{"value":12.34,"currency":"GBP"}`, MustNew("12.34", "GBP")},
		{`{"value":-3,"currency":"eur"}`, MustNew("-3", "EUR")},
		{` { "value" : "1050" , "currency" : "JPY" } `, MustNew("1050", "JPY")},
		{`{"value":1050,"currency":"JPY"}`, MustNew("1050", "JPY")},
		{`{"value":"5.00000000000000000000","currency":"GBP"}`, MustNew("5", "GBP")},
		{`{"value":5.00000000000000000000,"currency":"GBP"}`, MustNew("5", "GBP")},
		{`{"value":"1.5","currency":"KWD"}`, MustNew("1.500", "KWD")},
		{`{"value":0.001,"currency":"BHD"}`, MustNew("0.001", "BHD")},
		{`{"value":"1.0001","currency":"CLF"}`, MustNew("1.0001", "CLF")},
		{`{"value":"\u0031\u0030","currency":"\u0047BP"}`, MustNew("10", "GBP")},
		// A JSON number this long would lose digits as a float64; here it is exact.
		{`{"value":92233720368547758.07,"currency":"USD"}`, MustNew("92233720368547758.07", "USD")},
		{`null`, Amount{}},
		{` null `, Amount{}},
	}
	for _, tc := range cases {
		a := MustNew("99", "SEK")
		if err := json.Unmarshal([]byte(tc.in), &a); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if a != tc.want {
			t.Errorf("Unmarshal(%s) = %v, want %v", tc.in, a, tc.want)
		}
		// Calling the method directly behaves the same.
		var b Amount
		if err := b.UnmarshalJSON([]byte(tc.in)); err != nil || b != tc.want {
			t.Errorf("UnmarshalJSON(%s) = %v, %v", tc.in, b, err)
		}
	}
}

func TestUnmarshalJSONErrors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{``, ErrInvalidAmount},
		{`   `, ErrInvalidAmount},
		{`{`, ErrInvalidAmount},
		{`{}`, ErrInvalidAmount},
		{`[]`, ErrInvalidAmount},
		{`"10.00"`, ErrInvalidAmount},
		{`10.00`, ErrInvalidAmount},
		{`true`, ErrInvalidAmount},
		{`nul`, ErrInvalidAmount},
		{`null null`, ErrInvalidAmount},
		{`null,`, ErrInvalidAmount},
		{`{"value":"1"}`, ErrInvalidAmount},
		{`{"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":"1","currency":"GBP","note":"x"}`, ErrInvalidAmount},
		{`{"Value":"1","Currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":"1","value":"2","currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":"1","currency":"GBP","currency":"EUR"}`, ErrInvalidAmount},
		{`{"value":"1","currency":"GBP",}`, ErrInvalidAmount},
		{`{"value":"1","currency":"GBP"} {}`, ErrInvalidAmount},
		{`{"value":"1","currency":"GBP"}x`, ErrInvalidAmount},
		{`{"value":null,"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":true,"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":{},"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":["1"],"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":"1","currency":null}`, ErrInvalidAmount},
		{`{"value":"1","currency":826}`, ErrInvalidAmount},
		{`{"value":1e3,"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":1.5E2,"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":"1e3","currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":" 1","currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":"","currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":.5,"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":"NaN","currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":NaN,"currency":"GBP"}`, ErrInvalidAmount},
		{`{"value":"10.001","currency":"GBP"}`, ErrPrecision},
		{`{"value":10.001,"currency":"GBP"}`, ErrPrecision},
		{`{"value":1.5,"currency":"JPY"}`, ErrPrecision},
		{`{"value":"1.0001","currency":"KWD"}`, ErrPrecision},
		{`{"value":1.00001,"currency":"CLF"}`, ErrPrecision},
		{`{"value":"1","currency":""}`, ErrUnknownCurrency},
		{`{"value":"1","currency":"ZZZ"}`, ErrUnknownCurrency},
		{`{"value":"1","currency":"XXX"}`, ErrUnknownCurrency},
		{`{"value":92233720368547758.08,"currency":"GBP"}`, ErrOutOfRange},
	}
	for _, tc := range cases {
		a := MustNew("99", "SEK")
		err := a.UnmarshalJSON([]byte(tc.in))
		if !errors.Is(err, tc.want) {
			t.Errorf("UnmarshalJSON(%s) error = %v, want %v", tc.in, err, tc.want)
		}
		if a != MustNew("99", "SEK") {
			t.Errorf("UnmarshalJSON(%s) changed the value to %v", tc.in, a)
		}
	}
}

func TestJSONInStruct(t *testing.T) {
	type payment struct {
		Amount   Amount  `json:"amount"`
		Refunded *Amount `json:"refunded"`
		Fee      Amount  `json:"fee"`
	}
	refunded := MustNew("2.50", "GBP")
	in := payment{Amount: MustNew("10", "GBP"), Refunded: &refunded}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"amount":{"value":"10.00","currency":"GBP"},"refunded":{"value":"2.50","currency":"GBP"},"fee":null}`
	if string(data) != want {
		t.Errorf("Marshal = %s\nwant       %s", data, want)
	}
	var out payment
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	// An explicit null clears a previously set amount.
	out.Fee = MustNew("1", "GBP")
	if err := json.Unmarshal([]byte(`{"fee":null}`), &out); err != nil || out.Fee.IsValid() {
		t.Errorf("null fee: %v, %v", out.Fee, err)
	}

	// Errors surface through encoding/json with their sentinel.
	err = json.Unmarshal([]byte(`{"amount":{"value":"1.001","currency":"GBP"}}`), &out)
	if !errors.Is(err, ErrPrecision) {
		t.Errorf("nested precision error: %v", err)
	}
}

func TestJSONNumberWire(t *testing.T) {
	// A provider body that carries the amount as a JSON number in major units.
	type body struct {
		Amount   json.Number `json:"amount"`
		Currency string      `json:"currency"`
	}
	a := MustNew("12.34", "GBP")
	data, err := json.Marshal(body{Amount: a.JSONNumber(), Currency: a.Currency().String()})
	if err != nil || string(data) != `{"amount":12.34,"currency":"GBP"}` {
		t.Fatalf("Marshal = %s, %v", data, err)
	}
	var back body
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	got, err := New(back.Amount.String(), back.Currency)
	if err != nil || got != a {
		t.Errorf("read back %v, %v", got, err)
	}
}
