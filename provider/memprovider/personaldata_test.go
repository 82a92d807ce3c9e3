package memprovider_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/secrettest"

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
			secrettest.AssertMasked(t, c.v, hidden, c.shown)
		})
	}
}
