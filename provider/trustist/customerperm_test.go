package trustist_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// Each customer call names the permission its endpoint needs when Trustist answers 403,
// rather than the tenant key's permissions in general: the operator asks Trustist support
// for the one that is missing.
func TestCustomerCallsNameTheirPermission(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	c, err := e.p.CreateCustomer(ctx, &provider.Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		perm string
		call func() error
	}{
		{trustist.PermissionCreateCustomer, func() error {
			_, err := e.p.CreateCustomer(ctx, &provider.Customer{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com"})
			return err
		}},
		{trustist.PermissionReadCustomers, func() error { _, err := e.p.GetCustomer(ctx, c.ID); return err }},
		{trustist.PermissionReadCustomers, func() error { _, err := e.p.ListCustomers(ctx, &provider.ListCustomersRequest{}); return err }},
		{trustist.PermissionUpdateCustomer, func() error {
			_, err := e.p.UpdateCustomer(ctx, c.ID, &provider.CustomerUpdate{LastName: provider.Set("Byron")})
			return err
		}},
	} {
		e.sim.RevokeTenantPermission(tc.perm)
		err := tc.call()
		e.sim.GrantTenantPermission(tc.perm)
		pe := wantCode(t, err, provider.PermissionDenied)
		var missing *trustist.PermissionError
		if !errors.As(err, &missing) || missing.Permission != tc.perm || !strings.Contains(pe.Message, tc.perm) {
			t.Errorf("%s revoked: %v (PermissionError %+v)", tc.perm, err, missing)
		}
	}
}
