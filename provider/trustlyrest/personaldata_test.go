package trustlyrest_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// TestTokenizeRequestPrintsMasked prints and logs a TokenizeRequest every way: the
// account's numbers and the holder's personal data may not appear (in clear or hex), the
// last four digits and the holder's id must.
func TestTokenizeRequestPrintsMasked(t *testing.T) {
	req := trustlyrest.TokenizeRequest{
		Account: provider.BankAccount{HolderName: "Katherine Johnsonova", RoutingNumber: "124003116", AccountNumber: "8765432109"},
		Holder: provider.Person{ID: "holder-3", FirstName: "Katherine", LastName: "Johnsonova", Email: "kj.private@mailbox.example",
			Phone: "+15550100777", Country: "US"},
		Verify: true,
	}
	hidden := []string{"Katherine", "Johnsonova", "8765432109", "87654", "kj.private", "mailbox.example", "+15550100777"}
	shown := []string{"2109", "holder-3", "US", "124003116", "true"}
	for name, v := range map[string]any{"value": req, "pointer": &req} {
		r := map[string]string{}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			r[verb] = fmt.Sprintf(verb, v)
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", v)
		r["slog text"], r["slog JSON"] = text.String(), js.String()
		for how, s := range r {
			for _, p := range hidden {
				if strings.Contains(s, p) || strings.Contains(s, fmt.Sprintf("%x", p)) {
					t.Errorf("%s: %s shows %q: %s", name, how, p, s)
				}
			}
		}
		for _, how := range []string{"%v", "%#v", "slog text", "slog JSON"} {
			for _, w := range shown {
				if !strings.Contains(r[how], w) {
					t.Errorf("%s: %s does not show %q: %s", name, how, w, r[how])
				}
			}
		}
	}
}
