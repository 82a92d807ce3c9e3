package trustlyrest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/secret"
)

// TestOwnMethodsMatchTheSentinels: the errors of the Client's own methods, reached
// through Gateway.As, match the Gateway's sentinels as the Gateway's errors do.
func TestOwnMethodsMatchTheSentinels(t *testing.T) {
	ctx := context.Background()
	own := func(t *testing.T, e *env) *trustlyrest.Client {
		t.Helper()
		var c *trustlyrest.Client
		if !e.gw.As(&c) {
			t.Fatal("Gateway.As(**trustlyrest.Client) = false")
		}
		return c
	}
	list := func(c *trustlyrest.Client) error {
		for _, err := range c.Transactions(ctx, trustlyrest.TransactionFilter{PaymentMerchantReference: "order-1"}) {
			if err != nil {
				return err
			}
		}
		return nil
	}
	t.Run("wrong access key", func(t *testing.T) {
		e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) { c.AccessKey = secret.New("not-the-access-key") })
		c := own(t, e)
		err := list(c)
		if !errors.Is(err, paybridge.ErrUnauthenticated) || errors.Is(err, paybridge.ErrProviderUnavailable) {
			t.Fatalf("Transactions with a wrong access key: %v", err)
		}
		if _, err := c.Capture(ctx, &provider.CaptureRequest{PaymentID: "1000000001", Amount: money.MustNew("1.00", "USD")}); !errors.Is(err, paybridge.ErrUnauthenticated) {
			t.Fatalf("Capture with a wrong access key: %v", err)
		}
	})
	t.Run("provider unavailable", func(t *testing.T) {
		e := newEnv(t, trustlyrestsim.Options{}, nil)
		e.sim.FailNext(100)
		defer e.sim.FailNext(0)
		if err := list(own(t, e)); !errors.Is(err, paybridge.ErrProviderUnavailable) || errors.Is(err, paybridge.ErrUnauthenticated) {
			t.Fatalf("Transactions while Trustly answers 503: %v", err)
		}
	})
}
