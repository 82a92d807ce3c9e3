package signing

import (
	"errors"
	"strings"
	"testing"
)

const testReturn = "https://shop.example/trustly/return?transactionId=1&transactionType=1&merchantReference=order-7&status=2"

func TestRedirectRoundTrip(t *testing.T) {
	key := []byte(testKey)
	for _, alg := range []Algorithm{HMACSHA1, HMACSHA512} {
		u, err := SignRedirect(key, testReturn, alg)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u, testReturn+"&requestSignature=") || strings.ContainsAny(u[len(testReturn):], "+/:") {
			t.Errorf("%v: signed URL %q is not encodeURIComponent-escaped", alg, u)
		}
		f, err := VerifyRedirect(key, u)
		if err != nil {
			t.Fatalf("%v: %v", alg, err)
		}
		if err := CheckMerchantReference(f, "order-7"); err != nil {
			t.Errorf("%v: %v", alg, err)
		}
		if len(f) != 4 || f.Get("transactionId") != "1" {
			t.Errorf("%v: parameters %v", alg, f)
		}
	}
}

func TestVerifyRedirectRawPlusInSignature(t *testing.T) {
	// A sender that leaves '+' unescaped: '+' is kept, never read as a space.
	key := []byte(testKey)
	for i := range 50 {
		u := testReturn + "&n=" + strings.Repeat("x", i)
		sig := refMAC(HMACSHA1, testKey, u)
		if !strings.Contains(sig, "+") {
			continue
		}
		if _, err := VerifyRedirect(key, u+"&requestSignature="+sig); err != nil {
			t.Fatalf("raw '+' in signature: %v", err)
		}
		return
	}
	t.Skip("no signature with '+' found")
}

func TestVerifyRedirectErrors(t *testing.T) {
	key := []byte(testKey)
	good, err := SignRedirect(key, testReturn, HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	sigParam := good[len(testReturn)+1:]
	tests := []struct {
		name string
		key  []byte
		url  string
		want error
	}{
		{"no key", nil, good, ErrNoCredentials},
		{"relative", key, good[len("https://shop.example"):], ErrMalformedRedirect},
		{"no host", key, "https:///trustly/return?a=1&" + sigParam, ErrMalformedRedirect},
		{"fragment", key, good + "#x", ErrMalformedRedirect},
		{"too long", key, good + "&pad=" + strings.Repeat("a", MaxRedirectURL), ErrMalformedRedirect},
		{"bad URL", key, "https://shop.example/%zz?a=1&" + sigParam, ErrMalformedRedirect},
		{"no query", key, "https://shop.example/trustly/return", ErrMissingSignature},
		{"no signature", key, testReturn, ErrMissingSignature},
		{"empty signature", key, testReturn + "&requestSignature=", ErrMissingSignature},
		{"signature without =", key, testReturn + "&requestSignature", ErrMissingSignature},
		{"signature first", key, "https://shop.example/r?" + sigParam + "&a=1", ErrMalformedRedirect},
		{"signature twice", key, good + "&" + sigParam, ErrMalformedRedirect},
		{"encoded second signature", key, good + "&request%53ignature=x", ErrMalformedRedirect},
		{"bad signature escape", key, testReturn + "&requestSignature=ab%2", ErrMalformedRedirect},
		{"bad query escape", key, testReturn + "&x=%G0&" + sigParam, ErrMalformedRedirect},
		{"repeated parameter", key, testReturn + "&status=7&" + sigParam, ErrMalformedRedirect},
		{"query-only signature", key, testReturn + "&requestSignature=" + encodeURIComponent(refMAC(HMACSHA1, testKey, testReturn[strings.IndexByte(testReturn, '?')+1:])), ErrBadSignature},
		{"changed reference", key, strings.Replace(good, "order-7", "order-8", 1), ErrBadSignature},
		{"changed scheme", key, strings.Replace(good, "https:", "http:", 1), ErrBadSignature},
		{"changed path", key, strings.Replace(good, "/return", "/cancel", 1), ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := VerifyRedirect(tt.key, tt.url)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if f != nil {
				t.Error("parameters returned with an error")
			}
			assertNoSecret(t, err, testKey, sigParam[len("requestSignature="):])
		})
	}
}

func TestCheckMerchantReference(t *testing.T) {
	f := Form{{"merchantReference", "order-7"}}
	if err := CheckMerchantReference(f, "order-7"); err != nil {
		t.Error(err)
	}
	for _, tt := range []struct {
		f   Form
		ref string
	}{
		{f, "order-8"}, {f, "order-"}, {f, ""}, {Form{{"transactionId", "1"}}, "order-7"}, {Form{{"merchantReference", ""}}, ""},
	} {
		if err := CheckMerchantReference(tt.f, tt.ref); !errors.Is(err, ErrReferenceMismatch) {
			t.Errorf("CheckMerchantReference(%v, %q) = %v, want ErrReferenceMismatch", tt.f, tt.ref, err)
		}
	}
}

func TestSignRedirectErrors(t *testing.T) {
	key := []byte(testKey)
	for _, tt := range []struct {
		name string
		key  []byte
		url  string
		alg  Algorithm
		want error
	}{
		{"no key", nil, testReturn, HMACSHA1, ErrNoCredentials},
		{"bad algorithm", key, testReturn, 5, ErrUnknownAlgorithm},
		{"relative", key, "/r?a=1", HMACSHA1, ErrMalformedRedirect},
		{"no query", key, "https://shop.example/r", HMACSHA1, ErrMalformedRedirect},
		{"empty query", key, "https://shop.example/r?", HMACSHA1, ErrMalformedRedirect},
		{"already signed", key, testReturn + "&requestSignature=x", HMACSHA1, ErrMalformedRedirect},
		{"bad escape", key, testReturn + "&x=%", HMACSHA1, ErrMalformedRedirect},
		{"fragment", key, testReturn + "#f", HMACSHA1, ErrMalformedRedirect},
	} {
		if _, err := SignRedirect(tt.key, tt.url, tt.alg); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestEncodeURIComponent(t *testing.T) {
	const in = "AZaz09-_.!~*'() +/=:?&#%é"
	const want = "AZaz09-_.!~*'()%20%2B%2F%3D%3A%3F%26%23%25%C3%A9"
	if got := encodeURIComponent(in); got != want {
		t.Errorf("encodeURIComponent = %q, want %q", got, want)
	}
}
