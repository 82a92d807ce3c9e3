package sandbox_test

import (
	"testing"

	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/sandbox"
)

// A Target names the URL its calls go to: the provider's sandbox, or the endpoint the
// base URL variable names instead.
func TestTargetNamesItsURL(t *testing.T) {
	t.Setenv(trustlyrest.EnvAccessID, "id")
	t.Setenv(trustlyrest.EnvAccessKey, "key")
	t.Setenv(trustlyrest.EnvAccessKey+"_FILE", "")
	t.Setenv(trustlyrest.EnvMerchantID, "1002463580")
	for base, want := range map[string]string{
		"":                               trustlyrest.SandboxBaseURL,
		"http://127.0.0.1:8421/api/v1/":  "http://127.0.0.1:8421/api/v1",
		"https://proxy.example/api/v1?x": "https://proxy.example/api/v1",
	} {
		t.Setenv(sandbox.EnvTrustlyRESTBaseURL, base)
		tg, err := sandbox.TrustlyREST().Load()
		if err != nil {
			t.Fatalf("base URL %q: %v", base, err)
		}
		if tg.URL != want {
			t.Errorf("base URL %q: Target.URL %q, want %q", base, tg.URL, want)
		}
	}
}
