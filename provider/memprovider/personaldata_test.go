package memprovider_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// TestDetailsPrintPersonMasked prints and logs the details that carry a provider.Person
// every way: the person's personal data may not appear (in clear or hex), the harmless
// fields must.
func TestDetailsPrintPersonMasked(t *testing.T) {
	p := provider.Person{ID: "user-5", FirstName: "Hedylamarr", LastName: "Kieslerova", Email: "hedy.private@mailbox.example",
		DateOfBirth: "1914-11-09", Country: "AT"}
	hidden := []string{"Hedylamarr", "Kieslerova", "hedy.private", "mailbox.example", "1914-11-09"}
	for _, c := range []struct {
		name  string
		v     any
		shown []string
	}{
		{"PaymentDetail", memprovider.PaymentDetail{Description: "order 5", CustomerID: "cus-5", Payer: p}, []string{"order 5", "cus-5", "user-5", "AT"}},
		{"*PaymentDetail", &memprovider.PaymentDetail{Description: "order 5", Payer: p}, []string{"order 5", "user-5", "AT"}},
		{"PayoutDetail", memprovider.PayoutDetail{Description: "payout 5", Payee: p}, []string{"payout 5", "user-5", "AT"}},
		{"*MandateDetail", &memprovider.MandateDetail{Description: "mandate 5", Payer: p, ChargeIDs: []string{"ch-1"}},
			[]string{"mandate 5", "user-5", "AT", "ch-1"}},
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
				for _, x := range hidden {
					if strings.Contains(s, x) || strings.Contains(s, fmt.Sprintf("%x", x)) {
						t.Errorf("%s shows %q: %s", how, x, s)
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
