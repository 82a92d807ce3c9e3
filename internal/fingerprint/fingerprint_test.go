package fingerprint

import "testing"

func TestFingerprint(t *testing.T) {
	parts := []string{"12.34", "USD", "order-1"}
	fp := Strings(parts...)
	if again := Strings(append([]string(nil), parts...)...); again != fp {
		t.Error("the same request has two fingerprints")
	}
	if asBytes := Bytes([]byte("12.34"), []byte("USD"), []byte("order-1")); asBytes != fp {
		t.Error("the same parts as bytes and as strings have two fingerprints")
	}
	for _, other := range [][]string{{"12.34", "USD", "order-2"}, {"12.34", "USDorder-1", ""}, {"12.34", "US", "Dorder-1"}, {"12.34", "USD"},
		{"12.34", "USD\x1forder-1"}, {"12.34\x1fUSD", "order-1"}, {"12.34", "USD", "order-1", ""}, {"12.34", "USD\x00", "order-1"}} {
		if fp == Strings(other...) {
			t.Errorf("%q shares a fingerprint with %q", other, parts)
		}
	}
}

func TestBytesAllocatesNothing(t *testing.T) {
	body := make([]byte, 400)
	if n := testing.AllocsPerRun(100, func() { _ = Bytes(body, body) }); n != 0 {
		t.Errorf("Bytes allocates %v times per call", n)
	}
}
