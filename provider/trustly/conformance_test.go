package trustly_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/secret"
)

func TestConformance(t *testing.T) {
	h, cleanup := trustlysim.ConformanceHarness()
	defer cleanup()
	conformance.RunConformanceTests(t, h)
}

// TestConformanceSandbox runs the suite against Trustly's real TEST environment when the
// PAYBRIDGE_TRUSTLY_* variables are set (see the package documentation). Nobody can act on
// Trustly's hosted pages from a test and Trustly cannot reach this machine, so the
// scenarios that need either skip with their reason.
func TestConformanceSandbox(t *testing.T) {
	user := os.Getenv(trustly.EnvUsername)
	pw, okPW, err := secret.FromEnv(trustly.EnvPassword)
	if err != nil {
		t.Fatal(err)
	}
	key, okKey, err := secret.FromEnv(trustly.EnvPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if user == "" || !okPW || !okKey {
		t.Skipf("set %s, %s and %s (or %s_FILE) to run the suite against Trustly TEST",
			trustly.EnvUsername, trustly.EnvPassword, trustly.EnvPrivateKey, trustly.EnvPrivateKey)
	}
	cur := money.MustCurrency("EUR")
	if c := os.Getenv("PAYBRIDGE_TRUSTLY_CURRENCY"); c != "" {
		cur = money.MustCurrency(c)
	}
	// Trustly needs a NotificationURL on every order; nothing needs to listen there.
	notifyURL := os.Getenv("PAYBRIDGE_TRUSTLY_NOTIFICATION_URL")
	if notifyURL == "" {
		notifyURL = "https://merchant.example.com/trustly/notifications"
	}
	open := func(p secret.Value) func(context.Context, conformance.T, ...paybridge.Option) *paybridge.Gateway {
		return func(_ context.Context, t conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			c, err := trustly.New(trustly.Config{Username: user, Password: p, PrivateKey: key, Environment: trustly.Test,
				NotificationURL: notifyURL})
			if err != nil {
				t.Fatalf("trustly.New: %v", err)
			}
			return paybridge.New(c, opts...)
		}
	}
	conformance.RunConformanceTests(t, conformance.Harness{
		NewGateway:               open(pw),
		NewGatewayBadCredentials: open(secret.New("wrong-" + time.Now().Format("150405"))),
		Currency:                 cur,
		Payer: paybridge.Person{ID: "paybridge-sandbox-1", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Country: "SE", Locale: "sv_SE"},
		Secrets: []string{pw.Reveal(), key.Reveal()},
		Timeout: time.Minute,
	})
}
