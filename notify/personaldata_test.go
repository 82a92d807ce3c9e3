package notify_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/secrettest"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
)

// TestPersonalDataPrintsMasked prints and logs an Identity, and an Event that carries one
// and a raw body, every way: the personal data may not appear (in clear or hex), the
// harmless details must.
func TestPersonalDataPrintsMasked(t *testing.T) {
	id := notify.Identity{ProviderID: "kyc-31", NationalID: "SE196512171957", FirstName: "Sonjakovalevsky", LastName: "Korvin",
		Name: "Sonjakovalevsky Korvin", DateOfBirth: "1965-12-17", Street: "Drottninggatan 99", PostalCode: "11160", City: "Stockholmia",
		Country: "Sweden"}
	ev := notify.Event{ID: "n-1", Provider: "trustly", Kind: notify.PaymentIdentified, PaymentID: "pay-8", MerchantReference: "order-8",
		Amount: money.MustNew("10.00", "SEK"), ProviderEvent: "kyc", OccurredAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), Identity: &id,
		Raw:    []byte(`{"personid":"SE196512171957","firstname":"Sonjakovalevsky","lastname":"Korvin","street":"Drottninggatan 99"}`),
		Detail: &struct{ Secret string }{"Sonjakovalevsky"}}
	req := notify.Request{Method: "POST", URL: &url.URL{Scheme: "https", Host: "shop.example", Path: "/hooks/trustly", RawQuery: "who=Korvin"},
		Header: http.Header{"X-Signature": {"sig-Sonjakovalevsky"}}, Body: ev.Raw}
	rawLen := fmt.Sprintf("%d bytes", len(ev.Raw))
	hidden := []string{"SE196512171957", "Sonjakovalevsky", "Korvin", "1965-12-17", "Drottninggatan", "11160", "Stockholmia"}
	for _, c := range []struct {
		name  string
		v     any
		shown []string
	}{
		{"Identity", id, []string{"kyc-31", "Sweden", "nationalId"}},
		{"*Identity", &id, []string{"kyc-31", "Sweden", "nationalId"}},
		{"Event", ev, []string{"n-1", "trustly", "pay-8", "order-8", "10.00", "kyc-31", "Sweden", rawLen}},
		{"Request", req, []string{"POST", "/hooks/trustly", "X-Signature", rawLen}},
		{"*Request", &req, []string{"POST", "/hooks/trustly", "X-Signature", rawLen}},
		{"*Event", &ev, []string{"n-1", "trustly", "pay-8", "order-8", "10.00", "kyc-31", "Sweden", rawLen}},
	} {
		t.Run(c.name, func(t *testing.T) {
			secrettest.AssertMasked(t, c.v, hidden, c.shown)
		})
	}
}
