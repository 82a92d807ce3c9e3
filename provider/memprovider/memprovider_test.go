package memprovider_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal/pgjournaltest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/memprovider"
	"github.com/paybridge/paybridge/secret"
)

func harness(t *testing.T, b *memprovider.Backend, cur money.Currency, currencies ...money.Currency) conformance.Harness {
	return conformance.Harness{
		NewGateway: func(_ context.Context, t conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			return paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey(), Currencies: currencies}), opts...)
		},
		NewGatewayBadCredentials: func(_ context.Context, t conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			return paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: secret.New("mem_wrong_key_123"), Currencies: currencies}), opts...)
		},
		EndUser:               b.EndUser(),
		Currency:              cur,
		Payer:                 paybridge.Person{ID: "user-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Country: "GB", Locale: "en_GB"},
		Account:               paybridge.BankAccount{HolderName: "Ada Lovelace", Country: "GB", IBAN: "GB29NWBK60161331926819"},
		RejectedAccount:       paybridge.BankAccount{HolderName: "Ada Lovelace", Country: "GB", AccountNumber: "12340000", RoutingNumber: "601613"},
		Requests:              b.Requests,
		LoseNextAnswers:       b.LoseNextAnswers,
		Movements:             b.Movements,
		LoopbackNotifications: true,
		Secrets:               []string{b.APIKey().Reveal(), b.WebhookKey().Reveal(), "GB29NWBK60161331926819"},
		As: conformance.AsTargets{Gateway: []any{new(*memprovider.Client), new(*memprovider.Backend)},
			Request: []any{new(*memprovider.PaymentOptions)}, Payment: []any{new(*memprovider.PaymentDetail)}},
		Timeout: testwait.Limit, // a scenario's waits end with what they wait for, not a short deadline
	}
}

func TestConformance(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	h := harness(t, b, money.MustCurrency("GBP"))
	if j := pgjournaltest.Open(t); j != nil { // PostgreSQL for the restart scenarios, where a server is configured
		h.NewJournal = func(conformance.T) journal.Journal { return j }
	}
	conformance.RunConformanceTests(t, h)
}

// TestConformanceThreeDecimalCurrency runs the suite in KWD, whose minor unit is a
// thousandth, so amounts with three decimals go through every layer.
func TestConformanceThreeDecimalCurrency(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	kwd := money.MustCurrency("KWD")
	conformance.RunConformanceTests(t, harness(t, b, kwd, kwd))
}
