package hawk

import (
	"errors"
	"strconv"
	"testing"
)

// FuzzAuthenticate feeds arbitrary Authorization values to a server. It must never panic,
// must fail only with *AuthError, and must accept only headers whose MAC is the one a
// second, plain implementation computes for this request and key.
func FuzzAuthenticate(f *testing.F) {
	const url = "https://api-sandbox.trustistecommerce.com/v1/payments?orgId=1"
	body := []byte(`{"amount":1.00}`)
	for _, opts := range []RequestOptions{
		{Timestamp: testNow, Nonce: "abcdef", ContentType: testCT, Payload: body},
		{Timestamp: testNow, Nonce: "ghijkl", ContentType: testCT, Payload: body, Ext: "x=1"},
		{Timestamp: testNow + 61, Nonce: "mnopqr", ContentType: testCT, Payload: body},
		{Timestamp: testNow, Nonce: "stuvwx"},
	} {
		h, _, err := RequestHeader(testCred, "POST", url, opts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(h)
	}
	f.Add(`Hawk id="` + testID + `", ts="1", nonce="a", mac="x"`)
	f.Add(`Hawk id="other", ts="1700000000", nonce="a", mac="x", app="y"`)
	f.Add(``)

	f.Fuzz(func(t *testing.T, h string) {
		srv := newServer(testID, []byte(testKey), fixedClock(testNow))
		r := newRequest("POST", url, testCT, body, "")
		r.Header["Authorization"] = []string{h}
		res, err := srv.Authenticate(r, body)
		if err != nil {
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Kind == 0 {
				t.Fatalf("error %v is not a classified *AuthError", err)
			}
			return
		}
		attrs, perr := ParseHeader(h, Authorization)
		if perr != nil {
			t.Fatalf("authenticated an unparsable header %q", h)
		}
		want := refMAC(testKey, "header", attrs["ts"], attrs["nonce"], "POST",
			"/v1/payments?orgId=1", "api-sandbox.trustistecommerce.com", 443, attrs["hash"], attrs["ext"])
		if attrs["id"] != testID || attrs["mac"] != want {
			t.Fatalf("authenticated %q without the right MAC", h)
		}
		if attrs["hash"] != PayloadHash(testCT, body) {
			t.Fatalf("authenticated %q with a wrong payload hash", h)
		}
		if ts, _ := strconv.ParseInt(attrs["ts"], 10, 64); ts < testNow-60 || ts > testNow+60 || res.Artifacts.Timestamp != ts {
			t.Fatalf("authenticated %q outside the skew", h)
		}
	})
}
