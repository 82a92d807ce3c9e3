package trustist_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/transport/transporttest"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// An API answer redirecting to another port on the same host is not followed, whatever
// client the caller configures: net/http would send the Hawk Authorization header along.
// The error names where the redirect pointed, and the call is refused as misconfigured.
func TestRedirectIsNotFollowed(t *testing.T) {
	trap := transporttest.NewTrap(t)
	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.HTTPClient = &http.Client{} })
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool { trap.Redirect(w, r); return true })
	ctx := context.Background()
	_, payErr := e.gw.Pay(ctx, payReq(t, "5.00", "o-redirect"))
	_, getErr := e.gw.GetPayment(ctx, "p1")
	if got := trap.Requests(); len(got) != 0 {
		t.Fatalf("the redirect was followed: %d requests reached its target (Authorization sent: %v)", len(got), got[0].Header.Get("Authorization") != "")
	}
	for _, err := range []error{payErr, getErr} {
		wantCode(t, err, provider.InvalidRequest)
		if !strings.Contains(err.Error(), trap.URL()) {
			t.Errorf("error %q does not name the redirect's Location %s", err, trap.URL())
		}
	}
}

// A 303 See Other can point a processed POST at its result: a Pay answered with one is
// of unknown outcome, and is not followed either.
func TestSeeOtherToAWriteIsUnknown(t *testing.T) {
	trap := transporttest.NewTrap(t)
	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.HTTPClient = &http.Client{} })
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, trap.URL()+"/v1/payments/p1", http.StatusSeeOther)
		return true
	})
	_, err := e.gw.Pay(context.Background(), payReq(t, "5.00", "o-see-other"))
	if len(trap.Requests()) != 0 {
		t.Fatal("the 303 was followed")
	}
	wantCode(t, err, provider.UnknownOutcome)
	if !strings.Contains(err.Error(), trap.URL()) {
		t.Errorf("error %q does not name the Location", err)
	}
}
