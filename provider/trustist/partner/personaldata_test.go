package partner_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/secrettest"

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
			secrettest.AssertMasked(t, c.v, hidden, c.shown)
		})
	}
}
