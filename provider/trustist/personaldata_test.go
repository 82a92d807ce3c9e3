package trustist_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/secrettest"

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
			secrettest.AssertMasked(t, c.v, hidden, c.shown)
		})
	}
}
