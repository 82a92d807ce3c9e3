package trustlyrest_test

import (
	"context"
	"os"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/secret"
)

// TestSandboxConformance runs the conformance suite against Trustly's real sandbox. It is
// opt-in: set PAYBRIDGE_TRUSTLYREST_ACCESS_ID, PAYBRIDGE_TRUSTLYREST_ACCESS_KEY and
// PAYBRIDGE_TRUSTLYREST_MERCHANT_ID (and PAYBRIDGE_TRUSTLYREST_BASE_URL for another host).
// The sandbox's bank page needs a browser, so scenarios that need an end user skip, as do
// the notification scenarios (the sandbox cannot reach this machine).
func TestSandboxConformance(t *testing.T) {
	id, key, mid := os.Getenv("PAYBRIDGE_TRUSTLYREST_ACCESS_ID"), os.Getenv("PAYBRIDGE_TRUSTLYREST_ACCESS_KEY"), os.Getenv("PAYBRIDGE_TRUSTLYREST_MERCHANT_ID")
	if id == "" || key == "" || mid == "" {
		t.Skip("set PAYBRIDGE_TRUSTLYREST_ACCESS_ID, PAYBRIDGE_TRUSTLYREST_ACCESS_KEY and PAYBRIDGE_TRUSTLYREST_MERCHANT_ID to run against Trustly's sandbox")
	}
	cfg := trustlyrest.Config{AccessID: id, AccessKey: secret.New(key), MerchantID: mid, BaseURL: os.Getenv("PAYBRIDGE_TRUSTLYREST_BASE_URL")}
	open := func(cfg trustlyrest.Config) func(context.Context, conformance.T, ...paybridge.Option) *paybridge.Gateway {
		return func(_ context.Context, t conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			c, err := trustlyrest.New(cfg)
			if err != nil {
				t.Fatalf("trustlyrest.New: %v", err)
			}
			return paybridge.New(c, opts...)
		}
	}
	bad := cfg
	bad.AccessKey = secret.New(key + "-wrong")
	conformance.RunConformanceTests(t, conformance.Harness{
		NewGateway:               open(cfg),
		NewGatewayBadCredentials: open(bad),
		Currency:                 money.MustCurrency("USD"),
		Payer:                    trustlyrestsim.TestPayer,
		// Trustly's sandbox test accounts (protocol §15): score 8 verifies, score 2 does not.
		Account:         paybridge.BankAccount{HolderName: "Ada Lovelace", RoutingNumber: "124003116", AccountNumber: "1000000008"},
		RejectedAccount: paybridge.BankAccount{HolderName: "Ada Lovelace", RoutingNumber: "124003116", AccountNumber: "1000000002"},
		Secrets:         []string{key},
	})
}
