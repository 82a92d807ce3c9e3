package signing

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

const (
	testID  = "MerchantAccess01"
	testKey = "MerchantSecret01"
)

func TestVerifyNotificationRoundTrip(t *testing.T) {
	f := Form{{"eventType", "Authorize"}, {"message", "a+b & c=d"}, {"customer.name", "Zoë"}, {"empty", ""}}
	body := []byte(EncodeForm(f))
	for _, alg := range []Algorithm{HMACSHA1, HMACSHA512} {
		h, err := SignNotification(testID, []byte(testKey), body, alg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifyNotification(testID, []byte(testKey), h, body)
		if err != nil {
			t.Fatalf("%v: %v", alg, err)
		}
		if EncodeForm(got) != string(body) {
			t.Errorf("%v: parameters %v, want %v", alg, got, f)
		}
	}
}

func TestVerifyNotificationHeaderForms(t *testing.T) {
	body := []byte("eventType=Completed&status=4")
	sig := refMAC(HMACSHA1, testKey, string(body))
	cred := base64.StdEncoding.EncodeToString([]byte(testID + ":" + sig))
	for _, h := range []string{
		"Basic " + cred,
		"basic " + cred,
		"BASIC   " + cred,
		"  Basic " + cred + "  ",
	} {
		if _, err := VerifyNotification(testID, []byte(testKey), h, body); err != nil {
			t.Errorf("header %q: %v", h, err)
		}
	}
}

func TestVerifyNotificationErrors(t *testing.T) {
	key := []byte(testKey)
	body := []byte("eventType=Completed&status=4")
	good, err := SignNotification(testID, key, body, HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	sig := refMAC(HMACSHA1, testKey, string(body))
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name       string
		id         string
		key        []byte
		header     string
		body       []byte
		want       error
		alsoWanted error
	}{
		{"no accessId configured", "", key, good, body, ErrNoCredentials, nil},
		{"no key configured", testID, nil, good, body, ErrNoCredentials, nil},
		{"no header", testID, key, "", body, ErrMissingAuthorization, nil},
		{"blank header", testID, key, "   ", body, ErrMissingAuthorization, nil},
		{"bearer scheme", testID, key, "Bearer " + b64(testID+":"+sig), body, ErrBadAuthorization, nil},
		{"scheme only", testID, key, "Basic", body, ErrBadAuthorization, nil},
		{"not base64", testID, key, "Basic ***", body, ErrBadAuthorization, nil},
		{"unpadded base64", testID, key, "Basic " + strings.TrimRight(b64(testID+":"+sig+"x"), "="), body, ErrBadAuthorization, nil},
		{"no colon", testID, key, "Basic " + b64(testID+sig), body, ErrBadAuthorization, nil},
		{"empty id", testID, key, "Basic " + b64(":"+sig), body, ErrBadAuthorization, nil},
		{"empty signature", testID, key, "Basic " + b64(testID+":"), body, ErrBadAuthorization, nil},
		{"huge header", testID, key, "Basic " + strings.Repeat("A", 8192), body, ErrBadAuthorization, nil},
		{"empty body", testID, key, good, nil, ErrMalformedBody, nil},
		{"body too large", testID, key, good, []byte("a=" + strings.Repeat("b", MaxNotificationBody)), ErrMalformedBody, nil},
		{"bad escape", testID, key, good, []byte("a=%zz"), ErrMalformedBody, ErrMalformedForm},
		{"truncated escape", testID, key, good, []byte("a=%4"), ErrMalformedBody, ErrMalformedForm},
		{"invalid utf-8", testID, key, good, []byte("a=%C3%28"), ErrMalformedBody, ErrMalformedForm},
		{"raw invalid utf-8", testID, key, good, []byte("a=\xff"), ErrMalformedBody, ErrMalformedForm},
		{"repeated key", testID, key, good, []byte("status=4&status=8"), ErrMalformedBody, ErrMalformedForm},
		{"wrong id", testID, key, "Basic " + b64("Other:"+sig), body, ErrWrongAccessID, nil},
		{"id prefix", testID, key, "Basic " + b64(testID[:5]+":"+sig), body, ErrWrongAccessID, nil},
		{"wrong id and signature", testID, key, "Basic " + b64("Other:AAAA"), body, ErrWrongAccessID, nil},
		{"wrong signature", testID, key, "Basic " + b64(testID+":"+flipBase64Char(sig)), body, ErrBadSignature, nil},
		{"raw body signed", testID, key, "Basic " + b64(testID+":"+refMAC(HMACSHA1, testKey, "a=%2F")), []byte("a=%2F"), ErrBadSignature, nil},
		{"signature with trailing space", testID, key, "Basic " + b64(testID+":"+sig+" "), body, ErrBadSignature, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := VerifyNotification(tt.id, tt.key, tt.header, tt.body)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.alsoWanted != nil && !errors.Is(err, tt.alsoWanted) {
				t.Errorf("err = %v, want it to wrap %v too", err, tt.alsoWanted)
			}
			if f != nil {
				t.Error("parameters returned with an error")
			}
			assertNoSecret(t, err, testKey, sig)
		})
	}
}

func TestSignNotificationErrors(t *testing.T) {
	if _, err := SignNotification("", []byte("k"), []byte("a=1"), HMACSHA1); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("err = %v", err)
	}
	if _, err := SignNotification("id", nil, []byte("a=1"), HMACSHA1); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("err = %v", err)
	}
	if _, err := SignNotification("id", []byte("k"), []byte("a=1"), 3); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("err = %v", err)
	}
	if _, err := SignNotification("id", []byte("k"), []byte("a=%"), HMACSHA1); !errors.Is(err, ErrMalformedBody) {
		t.Errorf("err = %v", err)
	}
}
