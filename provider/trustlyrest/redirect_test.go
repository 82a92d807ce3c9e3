package trustlyrest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/transport/transporttest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// An API answer redirecting to another port on the same host is not followed, whatever
// client the caller configures: net/http would send the Basic credentials along. The
// error names where the redirect pointed, and the call is refused as misconfigured.
func TestAPIRedirectIsNotFollowed(t *testing.T) {
	trap := transporttest.NewTrap(t)
	front := httptest.NewServer(http.HandlerFunc(trap.Redirect))
	t.Cleanup(front.Close)
	e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) {
		c.BaseURL, c.HTTPClient = front.URL+"/api/v1", &http.Client{}
	})
	ctx := context.Background()
	_, getErr := e.gw.GetPayment(ctx, "1002")
	_, refundErr := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: "1002", Amount: money.MustNew("1.00", "USD"), IdempotencyKey: "refund-redirect"})
	if got := trap.Requests(); len(got) != 0 {
		t.Fatalf("the redirect was followed: %d requests reached its target (Authorization sent: %v)", len(got), got[0].Header.Get("Authorization") != "")
	}
	for _, err := range []error{getErr, refundErr} {
		if code := provider.CodeOf(err); code != provider.InvalidRequest || !strings.Contains(err.Error(), trap.URL()) {
			t.Errorf("got %v (%s), want InvalidRequest naming the redirect's Location %s", err, code, trap.URL())
		}
	}
}
