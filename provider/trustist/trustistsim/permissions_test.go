package trustistsim_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// TestTenantPermissionsPerEndpoint: each tenant endpoint needs its own permission, as the
// Getting Started page's permission table and the customers page name them
// (seeds/000_1ca3eb1c59a2859d.txt, seeds/001_1eb0bb4efbdacf58.txt): create_customer to
// create, read_customers to read, update_customer to update, create_payment and
// read_payment for a tenant key's payments. Without it the endpoint answers 403 naming
// the permission, and the other endpoints still answer.
func TestTenantPermissionsPerEndpoint(t *testing.T) {
	s := startSim(t, trustistsim.Options{TenantPayments: true})
	tn := client{t, s, s.TenantKey()}
	_, b := tn.do("POST", "/v1/customers", `{"firstName":"Ada","lastName":"Lovelace","emailAddress":"ada@example.com"}`, hawk.RequestOptions{})
	var c struct{ ID string }
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		t.Fatalf("create customer: %v %s", err, b)
	}
	_, b = tn.do("POST", "/v1/payments", `{"amount":10.00,"reference":"perm-1"}`, hawk.RequestOptions{})
	var p struct{ ID string }
	if err := json.Unmarshal(b, &p); err != nil || p.ID == "" {
		t.Fatalf("create payment: %v %s", err, b)
	}
	type call struct{ method, path, body string }
	calls := map[string]call{
		trustistsim.PermCreateCustomer: {"POST", "/v1/customers", `{"firstName":"Grace"}`},
		trustistsim.PermReadCustomers:  {"GET", "/v1/customers/" + c.ID, ""},
		trustistsim.PermUpdateCustomer: {"PUT", "/v1/customers/" + c.ID, `{"lastName":"King"}`},
		trustistsim.PermCreatePayment:  {"POST", "/v1/payments", `{"amount":5.00,"reference":"perm-2"}`},
		trustistsim.PermReadPayment:    {"GET", "/v1/payments/" + p.ID, ""},
	}
	for perm := range calls {
		s.RevokeTenantPermission(perm)
		for other, cl := range calls {
			resp, b := tn.do(cl.method, cl.path, cl.body, hawk.RequestOptions{})
			switch {
			case other == perm && (resp.StatusCode != 403 || !strings.Contains(string(b), perm)):
				t.Errorf("%s revoked: %s %s = %d %s, want 403 naming it", perm, cl.method, cl.path, resp.StatusCode, b)
			case other != perm && resp.StatusCode >= 300:
				t.Errorf("%s revoked: %s %s = %d %s, want it answered", perm, cl.method, cl.path, resp.StatusCode, b)
			}
		}
		s.GrantTenantPermission(perm)
	}
	// Listing customers is reading them.
	s.RevokeTenantPermission(trustistsim.PermReadCustomers)
	if resp, b := tn.do("GET", "/v1/customers?orgId=x", "", hawk.RequestOptions{}); resp.StatusCode != 403 {
		t.Errorf("list without read_customers: %d %s", resp.StatusCode, b)
	}
}
