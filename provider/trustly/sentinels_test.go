package trustly_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/secret"
)

// TestOwnMethodsMatchTheSentinels: the errors of the Client's own methods, reached
// through Gateway.As, match the Gateway's sentinels as the Gateway's errors do.
func TestOwnMethodsMatchTheSentinels(t *testing.T) {
	ctx := context.Background()
	own := func(t *testing.T, e *env) *trustly.Client {
		t.Helper()
		var c *trustly.Client
		if !e.gw.As(&c) {
			t.Fatal("Gateway.As(**trustly.Client) = false")
		}
		return c
	}
	ledger := func(c *trustly.Client) error {
		to := time.Now()
		for _, err := range c.AccountLedger(ctx, to.AddDate(0, 0, -7), to, "EUR") {
			if err != nil {
				return err
			}
		}
		return nil
	}
	t.Run("wrong password", func(t *testing.T) {
		e := newSingleAttemptEnv(t, func(c *trustly.Config) { c.Password = secret.New("not-the-password") })
		c := own(t, e)
		_, err := c.Balance(ctx)
		if !errors.Is(err, paybridge.ErrUnauthenticated) || errors.Is(err, paybridge.ErrProviderUnavailable) {
			t.Fatalf("Balance with a wrong password: %v", err)
		}
		if err := ledger(c); !errors.Is(err, paybridge.ErrUnauthenticated) {
			t.Fatalf("AccountLedger with a wrong password: %v", err)
		}
	})
	t.Run("provider unavailable", func(t *testing.T) {
		e := newSingleAttemptEnv(t)
		c := own(t, e)
		e.sim.FailNext(100)
		defer e.sim.FailNext(0)
		_, err := c.Balance(ctx)
		if !errors.Is(err, paybridge.ErrProviderUnavailable) || errors.Is(err, paybridge.ErrUnauthenticated) {
			t.Fatalf("Balance while Trustly answers 503: %v", err)
		}
		if err := ledger(c); !errors.Is(err, paybridge.ErrProviderUnavailable) {
			t.Fatalf("AccountLedger while Trustly answers 503: %v", err)
		}
	})
}
