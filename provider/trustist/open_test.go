package trustist_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

func TestOpenURL(t *testing.T) {
	sim, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ctx := context.Background()
	keyFile := filepath.Join(t.TempDir(), "tenant.key")
	if err := os.WriteFile(keyFile, []byte(sim.TenantKey().HawkKey.Reveal()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(trustist.EnvHawkID, sim.MerchantKey().HawkID)
	t.Setenv(trustist.EnvHawkKey, sim.MerchantKey().HawkKey.Reveal())
	t.Setenv(trustist.EnvTenantHawkID, sim.TenantKey().HawkID)
	t.Setenv(trustist.EnvTenantKey+"_FILE", keyFile)

	gw, err := paybridge.Open(ctx, "trustist://sandbox?base_url="+sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	var c *trustist.Client
	if !gw.As(&c) || !c.HasTenantKey() {
		t.Fatal("opened provider lacks the tenant key")
	}
	if _, err := c.Merchant(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.CreateCustomer(ctx, paybridge.Customer{FirstName: "Ada"}); err != nil {
		t.Fatalf("tenant key from file: %v", err)
	}

	// require_server_authorization reaches the Client: with it, an answer without the
	// header is refused; without it, accepted.
	strict, err := paybridge.Open(ctx, "trustist://sandbox?require_server_authorization=true&base_url="+sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	lax, err := paybridge.Open(ctx, "trustist://sandbox?require_server_authorization=false&base_url="+sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer lax.Close()
	var sc, lc *trustist.Client
	strict.As(&sc)
	lax.As(&lc)
	if _, err := sc.Merchant(ctx); err != nil {
		t.Fatalf("signed answer, header required: %v", err)
	}
	sim.StripServerAuthorization(true)
	if _, err := sc.Merchant(ctx); err == nil || !strings.Contains(err.Error(), "Server-Authorization") {
		t.Errorf("unsigned answer, header required: %v", err)
	}
	if _, err := lc.Merchant(ctx); err != nil {
		t.Errorf("unsigned answer, header not required: %v", err)
	}
	sim.StripServerAuthorization(false)

	for raw, want := range map[string]string{
		"trustist://sandbox?base_url=" + sim.URL() + "&colour=blue": "colour",
		"trustist://sandbox?require_server_authorization=maybe":     "require_server_authorization",
		"trustist://staging":                       "staging",
		"trustist://":                              "environment",
		"trustist://production?currency=XYZ":       "currency",
		"trustist://sandbox?base_url=http://x.com": "https",
	} {
		if _, err := paybridge.Open(ctx, raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want an error mentioning %q", raw, err, want)
		}
	}
	t.Setenv(trustist.EnvHawkKey, "")
	if _, err := paybridge.Open(ctx, "trustist://production"); err == nil || !strings.Contains(err.Error(), trustist.EnvHawkKey) {
		t.Fatalf("missing key: %v", err)
	}
}
