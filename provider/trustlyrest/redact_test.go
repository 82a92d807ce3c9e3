package trustlyrest

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/secret"
)

// TestClientPrintsNoCredentials formats a Client every way fmt can: neither the accessKey
// nor the Basic credentials built from it may appear.
func TestClientPrintsNoCredentials(t *testing.T) {
	c, err := New(Config{AccessID: "id", AccessKey: secret.New("SuperSecretKey"), MerchantID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.StdEncoding.EncodeToString([]byte("id:SuperSecretKey"))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for name, v := range map[string]any{"*Client": c, "auth header": c.auth} {
			s := fmt.Sprintf(verb, v)
			if strings.Contains(s, enc) || strings.Contains(s, "SuperSecretKey") || strings.Contains(s, fmt.Sprintf("%x", "SuperSecretKey")) {
				t.Errorf("%s of %s shows the credentials: %s", verb, name, s)
			}
		}
	}
	if s := fmt.Sprint(c); !strings.Contains(s, "id") || !strings.Contains(s, "trustlyrest") {
		t.Errorf("String() = %q, want the adapter name and the accessId", s)
	}
}
