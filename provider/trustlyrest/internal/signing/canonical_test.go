package signing

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func decodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decoding %s: %v", s, err)
	}
	return m
}

func TestCanonicalValues(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"nil map", nil, ""},
		{"empty map", map[string]any{}, ""},
		{"go ints", map[string]any{"recurrence": map[string]any{"frequency": 2, "startDate": int64(1767225600000), "endDate": uint64(1830297600000)}},
			"recurrence.startDate=1767225600000&recurrence.endDate=1830297600000&recurrence.frequency=2"},
		{"small ints", map[string]any{"account": map[string]any{"type": int8(1), "profile": uint16(2)}}, "account.type=1&account.profile=2"},
		{"zeros skipped", map[string]any{"account": map[string]any{"type": 0, "profile": uint(0)}, "minimumBalance": json.Number("0"), "timeZone": json.Number("-0")}, ""},
		{"negative integer", map[string]any{"customer": map[string]any{"enrollDate": json.Number("-5")}}, "customer.enrollDate=-5"},
		{"null skipped", map[string]any{"accessId": nil, "customer": nil, "merchantId": "m"}, "merchantId=m"},
		{"true and false", map[string]any{"customer": map[string]any{"vip": true}, "verification": map[string]any{"verifyCustomer": false}}, "customer.vip=true"},
		{"string zero is signed", map[string]any{"amount": "0", "displayAmount": "0.00"}, "amount=0&displayAmount=0.00"},
		{"literal dotted keys", map[string]any{"customer.address.zip": "94111", "customer": map[string]any{"name": "A B"}}, "customer.name=A B&customer.address.zip=94111"},
		{"dotted parent with nested rest", map[string]any{"customer.address": map[string]any{"city": "X"}}, "customer.address.city=X"},
		{"unsigned keys may hold anything", map[string]any{"metadata": map[string]any{"ratio": 1.5, "list": []any{1.5}}, "returnUrl": 3.0, "merchantId": "m"}, "merchantId=m"},
		{"unsigned deeper key", map[string]any{"customer": map[string]any{"customData": map[string]any{"x": "y"}}}, ""},
		{"empty parent scalar skipped", map[string]any{"customer": "", "account": false, "recurrence": json.Number("0")}, ""},
		{"empty object at parent", map[string]any{"customer": map[string]any{}}, ""},
		{"empty key is not the top level", map[string]any{"": map[string]any{"currency": true}, "currency": "USD"}, "currency=USD"},
		{"empty key below", map[string]any{"customer": map[string]any{"": map[string]any{"name": "x"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical(tt.in)
			if err != nil {
				t.Fatalf("Canonical: %v", err)
			}
			if got != tt.want {
				t.Errorf("Canonical = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanonicalRejects(t *testing.T) {
	type wrapped struct{ V string }
	tests := []struct {
		name string
		in   map[string]any
	}{
		{"float64", map[string]any{"amount": 10.5}},
		{"float64 integral", map[string]any{"recurrence": map[string]any{"frequency": 2.0}}},
		{"float32", map[string]any{"amount": float32(1)}},
		{"json fraction", map[string]any{"amount": json.Number("10.00")}},
		{"json exponent", map[string]any{"customer": map[string]any{"enrollDate": json.Number("1e9")}}},
		{"json junk", map[string]any{"amount": json.Number("12abc")}},
		{"json leading zero", map[string]any{"amount": json.Number("012")}},
		{"json empty", map[string]any{"amount": json.Number("")}},
		{"object at signed key", map[string]any{"customer": map[string]any{"name": map[string]any{"first": "A"}}}},
		{"empty object at signed key", map[string]any{"accessId": map[string]any{}}},
		{"dotted descendant of signed key", map[string]any{"customer.name.first": "A"}},
		{"array at signed key", map[string]any{"transactionId": []any{"1"}}},
		{"scalar at parent", map[string]any{"customer": "x"}},
		{"true at parent", map[string]any{"customer": map[string]any{"address": true}}},
		{"array at parent", map[string]any{"account": []any{}}},
		{"unsupported type", map[string]any{"merchantId": wrapped{"m"}}},
		{"string map", map[string]any{"customer": map[string]string{"name": "A"}}},
		{"key given twice", map[string]any{"customer.name": "A", "customer": map[string]any{"name": "B"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical(tt.in)
			if !errors.Is(err, ErrInvalidEstablishData) {
				t.Fatalf("Canonical = %q, %v; want ErrInvalidEstablishData", got, err)
			}
			if _, err := RequestSignature([]byte("k"), tt.in, HMACSHA1); !errors.Is(err, ErrInvalidEstablishData) {
				t.Errorf("RequestSignature err = %v, want ErrInvalidEstablishData", err)
			}
		})
	}
}

func TestCanonicalErrorHidesValues(t *testing.T) {
	_, err := Canonical(map[string]any{"customer": map[string]any{"taxId": 123.45}})
	if err == nil || strings.Contains(err.Error(), "123") {
		t.Fatalf("error %v must name the key but not the value", err)
	}
	if !strings.Contains(err.Error(), "customer.taxId") {
		t.Errorf("error %v does not name the key", err)
	}
}

func TestCanonicalDeepNesting(t *testing.T) {
	m := map[string]any{}
	cur := m
	for range 100 {
		next := map[string]any{}
		cur["metadata"] = next
		cur = next
	}
	if _, err := Canonical(m); !errors.Is(err, ErrInvalidEstablishData) {
		t.Fatalf("err = %v, want ErrInvalidEstablishData", err)
	}
	self := map[string]any{}
	self["x"] = self
	if _, err := Canonical(self); !errors.Is(err, ErrInvalidEstablishData) {
		t.Fatalf("self-referencing map: err = %v, want ErrInvalidEstablishData", err)
	}
}

func TestCanonicalKeyOrderIndependence(t *testing.T) {
	a := decodeJSON(t, `{"customer":{"email":"e@x","name":"N","address":{"zip":"1","country":"US"}},"amount":"1.00","accessId":"A"}`)
	b := decodeJSON(t, `{"accessId":"A","amount":"1.00","customer":{"address":{"country":"US","zip":"1"},"name":"N","email":"e@x"}}`)
	ca, err1 := Canonical(a)
	cb, err2 := Canonical(b)
	if err1 != nil || err2 != nil || ca != cb {
		t.Fatalf("canonical strings differ: %q (%v) vs %q (%v)", ca, err1, cb, err2)
	}
	const want = "accessId=A&amount=1.00&customer.name=N&customer.address.zip=1&customer.address.country=US&customer.email=e@x"
	if ca != want {
		t.Errorf("Canonical = %q, want %q", ca, want)
	}
}

func TestRequestSignatureArguments(t *testing.T) {
	est := map[string]any{"accessId": "A"}
	if _, err := RequestSignature(nil, est, HMACSHA1); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("empty key: err = %v", err)
	}
	if _, err := RequestSignature([]byte("k"), est, Algorithm(7)); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("bad algorithm: err = %v", err)
	}
	if err := VerifyRequestSignature(nil, est, "x"); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("verify with empty key: err = %v", err)
	}
	sig, err := RequestSignature([]byte("k"), est, HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	if want := refMAC(HMACSHA1, "k", "accessId=A"); sig != want {
		t.Errorf("signature = %q, want %q", sig, want)
	}
	withSig := map[string]any{"accessId": "A", "requestSignature": sig}
	if err := VerifyRequestSignature([]byte("k"), withSig, sig); err != nil {
		t.Errorf("requestSignature inside the data must be ignored: %v", err)
	}
	if err := VerifyRequestSignature([]byte("k"), est, "HmacSHA256:"+sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("unknown label: err = %v, want ErrBadSignature", err)
	}
	for a, want := range map[Algorithm]string{HMACSHA1: "HmacSHA1", HMACSHA512: "HmacSHA512", 9: "Algorithm(invalid)"} {
		if a.String() != want {
			t.Errorf("%d.String() = %q, want %q", a, a.String(), want)
		}
	}
}
