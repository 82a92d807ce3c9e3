package trustist_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
)

// TestPersonalDataPrintsMasked prints and logs the types that carry a payer's name or
// e-mail address every way: those may not appear (in clear or hex), the harmless members
// must.
func TestPersonalDataPrintsMasked(t *testing.T) {
	body := trustist.PaymentBody{Amount: "12.34", Reference: "order-77", ReturnURL: "https://shop.example/back",
		CustomerDetails: "Marycartwright Lumley", PayerEmail: "mary.private@mailbox.example",
		Workflow: &trustist.Workflow{Mode: trustist.WorkflowSkipIntro}}
	so := trustist.StandingOrderRequest{Amount: money.MustNew("5.00", "GBP"), StartDate: "2027-01-01", Frequency: trustist.Monthly,
		Reference: "so-12", PayerName: "Marycartwright Lumley", PayerBusinessName: "Lumleyworks Bakery"}
	hidden := []string{"Marycartwright", "Lumley", "mary.private", "mailbox.example"}
	for _, c := range []struct {
		name  string
		v     any
		shown []string
	}{
		{"PaymentBody", body, []string{"12.34", "order-77", "https://shop.example/back", "payerEmail", "SkipIntro"}},
		{"*PaymentBody", &body, []string{"12.34", "order-77", "https://shop.example/back", "payerEmail", "SkipIntro"}},
		{"StandingOrderRequest", so, []string{"5.00", "2027-01-01", "Monthly", "so-12", "payerName"}},
		{"*StandingOrderRequest", &so, []string{"5.00", "2027-01-01", "Monthly", "so-12", "payerName"}},
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
