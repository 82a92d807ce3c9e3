package provider_test

import (
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/secrettest"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// TestPersonalDataPrintsMasked gives each type that holds personal data recognisable
// values: none may appear (in clear or hex) in any rendering, and the harmless details
// must appear in the %v, %#v and slog renderings.
func TestPersonalDataPrintsMasked(t *testing.T) {
	addr := &provider.Address{Line1: "221B Bakerstreet", Line2: "Flat Quux", City: "Marylebone", PostalCode: "NW16XE", Region: "Greaterlondon", Country: "GB"}
	person := provider.Person{ID: "user-42", FirstName: "Adalovelace", LastName: "Byronson", Email: "ada.private@mailbox.example",
		Phone: "+447700900123", Country: "GB", Locale: "en_GB", DateOfBirth: "1815-12-10", NationalID: "QQ123456C", IP: "198.51.100.77",
		Address: addr}
	personal := []string{"221B Bakerstreet", "Flat Quux", "Marylebone", "NW16XE", "Adalovelace", "Byronson", "ada.private",
		"mailbox.example", "+447700900123", "1815-12-10", "QQ123456C", "198.51.100.77"}
	account := provider.BankAccount{HolderName: "Adalovelace Byronson", Country: "GB", IBAN: "GB33BUKB20201555556789", BIC: "BUKBGB22"}
	accountNumber := provider.BankAccount{HolderName: "Adalovelace Byronson", AccountNumber: "31926819", RoutingNumber: "601613"}
	customer := provider.Customer{ID: "cus-7", ExternalID: "ext-9", FirstName: "Adalovelace", LastName: "Byronson", Email: "ada.private@mailbox.example",
		Phone: "+447700900123", DateOfBirth: "1815-12-10", Address: addr, Group: "branch-3", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	update := provider.CustomerUpdate{ExternalID: provider.Set("ext-9"), FirstName: provider.Set("Adalovelace"), LastName: provider.Clear[string](),
		Email: provider.Set("ada.private@mailbox.example"), Phone: provider.Set("+447700900123"), DateOfBirth: provider.Set("1815-12-10"),
		Address: provider.Set(addr), Group: provider.Set("branch-3")}
	amount := money.MustNew("12.34", "GBP")

	for _, c := range []struct {
		name   string
		v      any
		hidden []string
		shown  []string
	}{
		{"Person", person, personal, []string{"user-42", "GB", "en_GB"}},
		{"*Person", &person, personal, []string{"user-42", "GB", "en_GB"}},
		{"Address", *addr, personal, []string{"Greaterlondon", "GB"}},
		{"*Address", addr, personal, []string{"Greaterlondon", "GB"}},
		{"BankAccount IBAN", account, []string{"Adalovelace", "Byronson", "GB33BUKB20201555556789", "2020155555"}, []string{"6789", "BUKBGB22"}},
		{"BankAccount number", accountNumber, []string{"Adalovelace", "Byronson", "31926819"}, []string{"6819", "601613"}},
		{"Customer", customer, personal, []string{"cus-7", "ext-9", "branch-3", "GB"}},
		{"*Customer", &customer, personal, []string{"cus-7", "ext-9", "branch-3", "GB"}},
		{"CustomerPage", provider.CustomerPage{Customers: []*provider.Customer{&customer}, NextPageToken: "page-2"}, personal, []string{"cus-7", "page-2"}},
		{"CustomerUpdate", update, personal, []string{"ext-9", "branch-3", "GB"}},
		{"PaymentRequest", provider.PaymentRequest{Amount: amount, MerchantReference: "order-1", ReturnURL: "https://shop.example/back", Payer: person},
			personal, []string{"order-1", "user-42"}},
		{"*PaymentRequest", &provider.PaymentRequest{Amount: amount, MerchantReference: "order-1", ReturnURL: "https://shop.example/back", Payer: person},
			personal, []string{"order-1", "user-42"}},
		{"PayoutRequest", provider.PayoutRequest{Amount: amount, AccountID: "acc-5", MerchantReference: "payout-1", Payee: person},
			personal, []string{"payout-1", "acc-5", "user-42"}},
		{"VerifyAccountRequest", provider.VerifyAccountRequest{Holder: person, Account: account, MerchantReference: "verify-1"},
			append([]string{"GB33BUKB20201555556789"}, personal...), []string{"verify-1", "user-42", "6789"}},
		{"MandateRequest", provider.MandateRequest{Payer: person, Currency: money.MustCurrency("GBP"), MerchantReference: "mandate-1", ReturnURL: "https://shop.example/back"},
			personal, []string{"mandate-1", "user-42"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			secrettest.AssertMasked(t, c.v, c.hidden, c.shown)
		})
	}
}
