package secrettest_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/secrettest"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/secret"
)

// The credentials the simulators below are given.
const (
	simMerchantHawkKey = "S1m-Merchant-Hawk-K3y-VQD"
	simTenantHawkKey   = "S1m-Tenant-Hawk-K3y-LTR"
	simTrustlyPassword = "S1m-Trustly-Passw0rd-JHX"
)

// simulators starts each provider's simulator with known credentials and returns them,
// with the simulators' exported values that hold them: the Servers (as pointers and as
// copies), their Options and the credentials they hand out.
func simulators(t *testing.T) (secrets []string, values []any) {
	t.Helper()
	topts := trustistsim.Options{
		Merchant: trustist.Key{HawkID: "sim-merchant-hawk-id", HawkKey: secret.New(simMerchantHawkKey)},
		Tenant:   trustist.Key{HawkID: "sim-tenant-hawk-id", HawkKey: secret.New(simTenantHawkKey)}}
	ts, err := trustistsim.Start(topts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ts.Close)
	values = append(values, ts, *ts, topts, &topts)

	ys, err := trustlysim.Start(trustlysim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ys.Close)
	if err := ys.AddMerchant("sim-merchant", simTrustlyPassword, nil); err != nil {
		t.Fatal(err)
	}
	creds, err := ys.NewMerchant("sim-merchant-2")
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, ys, *ys, creds, &creds)

	rs, err := trustlyrestsim.Start(trustlyrestsim.Options{AccessID: "sim-access-id"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.Close)
	values = append(values, rs, *rs)

	secrets = []string{simMerchantHawkKey, simTenantHawkKey, simTrustlyPassword, creds.Password.Reveal(), rs.AccessKey(),
		// The Basic authorization a Trustly REST request carries holds the access key.
		base64.StdEncoding.EncodeToString([]byte("sim-access-id:" + rs.AccessKey()))}
	for line := range strings.Lines(creds.PrivateKey.Reveal()) {
		if line = strings.TrimSpace(line); len(line) == 64 {
			secrets = append(secrets, line)
		}
	}
	return secrets, values
}

// TestSimulatorsPrintNoCredentials prints and logs the simulators' Servers, Options and
// credentials, and fails if a credential shows: a Server in a test's failure message or a
// development server's log must not hand out the keys it checks requests with.
func TestSimulatorsPrintNoCredentials(t *testing.T) {
	secrets, values := simulators(t)
	n := secrettest.AssertNoSecrets(t, secrets, values...)
	t.Logf("%d values rendered", n)
}

// TestSimulatorsPrintWhereTheyListen: a Server still says what it is and where it
// listens, so that printing one is of use.
func TestSimulatorsPrintWhereTheyListen(t *testing.T) {
	ys, err := trustlysim.Start(trustlysim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ys.Close()
	rs, err := trustlyrestsim.Start(trustlyrestsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	ts, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	for _, c := range []struct {
		v    any
		want []string
	}{
		{ys, []string{"trustlysim.Server", ys.URL()}},
		{rs, []string{"trustlyrestsim.Server", rs.URL(), rs.AccessID()}},
		{ts, []string{"trustistsim.Server", ts.URL(), ts.MerchantKey().HawkID}},
	} {
		out := fmt.Sprintf("%v", c.v)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%T prints %q, which does not name %q", c.v, out, w)
			}
		}
	}
}

// TestNilSimulatorsPrintAsNil: a nil *Server prints and logs as <nil>, not as a panic
// report.
func TestNilSimulatorsPrintAsNil(t *testing.T) {
	for _, v := range []any{(*trustistsim.Server)(nil), (*trustlysim.Server)(nil), (*trustlyrestsim.Server)(nil)} {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", v)
		out := fmt.Sprintf("%v %s %+v %#v %q %x", v, v, v, v, v, v) + " " + buf.String()
		if strings.Contains(strings.ToLower(out), "panic") || !strings.Contains(out, "v=<nil>") {
			t.Errorf("%T(nil): %s", v, out)
		}
	}
}
