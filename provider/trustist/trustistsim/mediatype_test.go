package trustistsim_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// TestBodyMustBeJSON: [I] Trustist's API, an ASP.NET one as its ProblemDetails-style ids
// and PascalCase webhooks suggest, binds request bodies as JSON only: a body sent under
// another media type is refused with 415 Unsupported Media Type, even when its Hawk
// payload hash (which covers the media type) is right and the text is JSON. Every
// Trustist client sends application/json (project fact file trustist.md §1.2).
func TestBodyMustBeJSON(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	key := s.MerchantKey()
	cred := hawk.Credentials{ID: key.HawkID, Key: hawk.Key(key.HawkKey.Bytes())}
	body := `{"amount":10.00,"reference":"mt-1"}`
	post := func(contentType string) (int, string) {
		t.Helper()
		u := s.URL() + "/v1/payments"
		auth, _, err := hawk.RequestHeader(cred, "POST", u, hawk.RequestOptions{ContentType: contentType, Payload: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", u, strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	before := s.Payments()
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/xml"} {
		if st, b := post(ct); st != http.StatusUnsupportedMediaType || !strings.Contains(b, "Unsupported Media Type") {
			t.Errorf("%s: %d %s, want 415", ct, st, b)
		}
	}
	if n := s.Payments() - before; n != 0 {
		t.Errorf("%d payments were created from bodies that are not JSON", n)
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8"} {
		if st, b := post(ct); st != http.StatusOK {
			t.Errorf("%s: %d %s, want 200", ct, st, b)
		}
	}
}
