package trustist_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/secret"
)

// TestSandbox runs the merchant-info call and the conformance suite against the real
// Trustist sandbox. It is opt-in: set PAYBRIDGE_TRUSTIST_HAWK_ID and
// PAYBRIDGE_TRUSTIST_HAWK_KEY (a sandbox merchant key), optionally
// PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY, and
// PAYBRIDGE_TRUSTIST_BASE_URL. Hosted pages and webhooks need a person and a public
// URL, so those scenarios skip.
func TestSandbox(t *testing.T) {
	id, key := os.Getenv("PAYBRIDGE_TRUSTIST_HAWK_ID"), os.Getenv("PAYBRIDGE_TRUSTIST_HAWK_KEY")
	if id == "" || key == "" {
		t.Skip("set PAYBRIDGE_TRUSTIST_HAWK_ID and PAYBRIDGE_TRUSTIST_HAWK_KEY to run against the Trustist sandbox")
	}
	cfg := trustist.Config{Environment: trustist.Sandbox, BaseURL: os.Getenv("PAYBRIDGE_TRUSTIST_BASE_URL"),
		Merchant: trustist.Key{HawkID: id, HawkKey: secret.New(key)}}
	secrets := []string{key}
	if tid, tkey := os.Getenv("PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID"), os.Getenv("PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY"); tid != "" && tkey != "" {
		cfg.Tenant = trustist.Key{HawkID: tid, HawkKey: secret.New(tkey)}
		secrets = append(secrets, tkey)
	}
	p, err := trustist.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := p.Merchant(context.Background()); err != nil {
		t.Fatalf("merchant-info call: %v", err)
	} else {
		t.Logf("sandbox merchant %q", m.Name)
	}
	open := func(c trustist.Config) func(context.Context, conformance.T, ...paybridge.Option) *paybridge.Gateway {
		return func(_ context.Context, t conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			p, err := trustist.New(c)
			if err != nil {
				t.Fatalf("trustist.New: %v", err)
			}
			return paybridge.New(p, opts...)
		}
	}
	bad := cfg
	bad.Merchant.HawkKey = secret.New("sk_test_wrong_key_for_sandbox")
	conformance.RunConformanceTests(t, conformance.Harness{
		NewGateway:               open(cfg),
		NewGatewayBadCredentials: open(bad),
		Currency:                 money.MustCurrency("GBP"),
		Payer:                    paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Country: "GB"},
		Secrets:                  secrets,
		Timeout:                  60 * time.Second,
	})
}
