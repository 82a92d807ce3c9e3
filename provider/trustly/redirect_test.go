package trustly_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/transport/transporttest"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly"
)

// An API answer redirecting to another port on the same host is not followed, whatever
// client the caller configures: net/http would resend the request, whose signed data
// carries the API password, to the redirect's target. The error names where the redirect
// pointed, and the call is refused as misconfigured.
func TestRedirectIsNotFollowed(t *testing.T) {
	trap := transporttest.NewTrap(t)
	front := httptest.NewServer(http.HandlerFunc(trap.Redirect))
	t.Cleanup(front.Close)
	e := newSingleAttemptEnv(t, func(c *trustly.Config) {
		c.BaseURL, c.HTTPClient = front.URL, &http.Client{}
	})
	_, err := e.gw.Pay(context.Background(), e.payment("order-redirect"))
	if got := trap.Requests(); len(got) != 0 {
		t.Fatalf("the redirect was followed: %d requests reached its target (password sent: %v)",
			len(got), strings.Contains(string(got[0].Body), e.creds.Password.Reveal()))
	}
	if pe := providerError(t, err); pe.Code != provider.InvalidRequest || !strings.Contains(err.Error(), trap.URL()) {
		t.Fatalf("got %v (%s), want InvalidRequest naming the redirect's Location %s", err, pe.Code, trap.URL())
	}
}
