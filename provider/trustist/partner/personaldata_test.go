package partner_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider/trustist/partner"
)

// TestPersonalDataPrintsMasked prints and logs the types that hold an invited client's
// personal data every way: the e-mail address and name may not appear (in clear or hex),
// the harmless details must.
func TestPersonalDataPrintsMasked(t *testing.T) {
	req := partner.CreateInvitationRequest{Email: "owner.private@shopmail.example", Name: "Gracehopper Widgets",
		PaymentTypes: []partner.PaymentType{partner.Cards}}
	inv := partner.Invitation{ID: "inv-17", Status: "sent", PaymentTypes: []partner.PaymentType{partner.OpenBanking},
		Raw: []byte(`{"id":"inv-17","email":"owner.private@shopmail.example","name":"Gracehopper Widgets"}`)}
	hidden := []string{"owner.private", "shopmail.example", "Gracehopper"}
	for _, c := range []struct {
		name  string
		v     any
		shown []string
	}{
		{"CreateInvitationRequest", req, []string{"cards", "email", "name"}},
		{"*CreateInvitationRequest", &req, []string{"cards", "email", "name"}},
		{"Invitation", inv, []string{"inv-17", "sent", "openbanking"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := map[string]string{}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				r[verb] = fmt.Sprintf(verb, c.v)
			}
			var text, js bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", c.v)
			slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", c.v)
			r["slog text"], r["slog JSON"] = text.String(), js.String()
			for how, s := range r {
				for _, p := range hidden {
					if strings.Contains(s, p) || strings.Contains(s, fmt.Sprintf("%x", p)) {
						t.Errorf("%s shows %q: %s", how, p, s)
					}
				}
			}
			for _, how := range []string{"%v", "%#v", "slog text", "slog JSON"} {
				for _, w := range c.shown {
					if !strings.Contains(r[how], w) {
						t.Errorf("%s does not show %q: %s", how, w, r[how])
					}
				}
			}
		})
	}
}
