package provider_test

import (
	"testing"

	"github.com/paybridge/paybridge/provider"
)

func TestCustomerUpdateApplyTo(t *testing.T) {
	addr := &provider.Address{City: "Leeds"}
	c := provider.Customer{ID: "c1", ExternalID: "e1", FirstName: "Ada", LastName: "Lovelace", Email: "a@example.com",
		Phone: "+44", DateOfBirth: "1990-01-01", Group: "g", Address: &provider.Address{City: "London"}}
	u := provider.CustomerUpdate{FirstName: provider.Set("Augusta"), Phone: provider.Clear[string](),
		Address: provider.Set(addr), Group: provider.Clear[string]()}
	u.ApplyTo(&c)
	want := provider.Customer{ID: "c1", ExternalID: "e1", FirstName: "Augusta", LastName: "Lovelace", Email: "a@example.com",
		DateOfBirth: "1990-01-01", Address: addr}
	if c != want {
		t.Fatalf("after ApplyTo: %+v\nwant %+v", c, want)
	}
	(&provider.CustomerUpdate{}).ApplyTo(&c)
	if c != want {
		t.Fatalf("an empty update changed the customer: %+v", c)
	}
}
