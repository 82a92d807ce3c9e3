package trustist_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/secret"
)

// TestOwnMethodsMatchTheSentinels: the errors of the Client's own methods, reached
// through Gateway.As, match the Gateway's sentinels as the Gateway's errors do.
func TestOwnMethodsMatchTheSentinels(t *testing.T) {
	ctx := context.Background()
	own := func(t *testing.T, e *env) *trustist.Client {
		t.Helper()
		var p *trustist.Client
		if !e.gw.As(&p) {
			t.Fatal("Gateway.As(**trustist.Client) = false")
		}
		return p
	}
	t.Run("wrong key", func(t *testing.T) {
		e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Merchant.HawkKey = secret.New("sk_test_wrong_key_000") })
		_, err := own(t, e).Merchant(ctx)
		if !errors.Is(err, paybridge.ErrUnauthenticated) || errors.Is(err, paybridge.ErrProviderUnavailable) {
			t.Fatalf("Merchant with a wrong key: %v", err)
		}
	})
	t.Run("provider unavailable", func(t *testing.T) {
		e := start(t, trustistsim.Options{}, nil)
		e.sim.FailNext(100)
		_, err := own(t, e).Merchant(ctx)
		e.sim.FailNext(0)
		if !errors.Is(err, paybridge.ErrProviderUnavailable) || errors.Is(err, paybridge.ErrUnauthenticated) {
			t.Fatalf("Merchant while Trustist answers 503: %v", err)
		}
	})
}
