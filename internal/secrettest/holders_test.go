package secrettest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/internal/secrettest"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/pgstore"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/memprovider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/secret"
)

// The credentials the holders below are built with. None of them, nor a recognisable part
// of one, may appear when a holder is printed or logged.
const (
	merchantHawkKey = "K3y-S3cr3t-Merchant-Hawk-QZV"
	tenantHawkKey   = "K3y-S3cr3t-Tenant-Hawk-WJX"
	trustlyPassword = "Tr-Passw0rd-S3cr3t-YKQ"
	restAccessKey   = "R3st-Acc3ss-K3y-S3cr3t-PLM"
	oauthSecret     = "OAuth-Cl13nt-S3cr3t-GHV"
	memAPIKey       = "M3m-Api-K3y-S3cr3t-RTB"
	memWebhookKey   = "M3m-W3bhook-K3y-S3cr3t-NSD"
	dbPassword      = "Pg-Passw0rd-S3cr3t-ZWQ"
)

const nowhere = "http://127.0.0.1:1" // loopback, nothing listening; nothing is sent anyway

// rsaKey returns a fresh PEM private key and the strings that would betray it: the PEM
// body lines and the private exponent and primes in decimal and base64.
func rsaKey(t *testing.T) (string, []string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der := x509.MarshalPKCS1PrivateKey(k)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}))
	parts := []string{base64.StdEncoding.EncodeToString(der)[64:]} // past the part shared by every key's header and modulus prefix
	for line := range strings.Lines(pemText) {
		if line = strings.TrimSpace(line); len(line) == 64 {
			parts = append(parts, line)
		}
	}
	// Past the first lines, which hold the version and the public modulus.
	parts = parts[3:]
	parts = append(parts, k.D.String(), k.Primes[0].String(), k.Primes[1].String(),
		base64.StdEncoding.EncodeToString(k.D.Bytes()))
	return pemText, parts
}

// holders builds every credential-holding type of the module with known secrets and
// returns them with the secrets.
func holders(t *testing.T) (secrets []string, values []any) {
	t.Helper()
	ctx := context.Background()
	pemKey, pemParts := rsaKey(t)
	secrets = append([]string{merchantHawkKey, tenantHawkKey, trustlyPassword, restAccessKey, oauthSecret,
		memAPIKey, memWebhookKey, dbPassword,
		// The Basic authorization the REST adapter sends carries the access key.
		base64.StdEncoding.EncodeToString([]byte("rest-access-id:" + restAccessKey))}, pemParts...)

	dbURL := "postgres://paybridge:" + dbPassword + "@127.0.0.1:1/paybridge?sslmode=disable"
	pool, err := pgxpool.New(ctx, dbURL) // connects lazily: nothing is dialled here
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	jr, err := pgjournal.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	st, err := pgstore.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, jr, st)

	tcfg := trustist.Config{BaseURL: nowhere,
		Merchant: trustist.Key{HawkID: "merchant-hawk-id", HawkKey: secret.New(merchantHawkKey)},
		Tenant:   trustist.Key{HawkID: "tenant-hawk-id", HawkKey: secret.New(tenantHawkKey)}}
	ycfg := trustly.Config{Username: "trustly-user", Password: secret.New(trustlyPassword),
		PrivateKey: secret.New(pemKey), BaseURL: nowhere + "/api/1"}
	rcfg := trustlyrest.Config{BaseURL: nowhere, AccessID: "rest-access-id", AccessKey: secret.New(restAccessKey),
		MerchantID: "1100202303"}
	mcfg := memprovider.Config{Backend: memprovider.NewBackend(), APIKey: secret.New(memAPIKey), WebhookKey: secret.New(memWebhookKey)}
	pcfg := partner.Config{BaseURL: nowhere, ClientID: "partner-client", ClientSecret: secret.New(oauthSecret)}
	values = append(values, &tcfg, tcfg, &ycfg, ycfg, &rcfg, rcfg, &mcfg, mcfg, &pcfg, pcfg)
	hc := hawk.Credentials{ID: "merchant-hawk-id", Key: hawk.Key(merchantHawkKey)}.Prepared()
	values = append(values, hc, &hc)

	pc, err := partner.New(pcfg)
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, pc)

	tp, err := trustist.New(tcfg)
	if err != nil {
		t.Fatal(err)
	}
	yc, err := trustly.New(ycfg)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := trustlyrest.New(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	mp := memprovider.New(mcfg)
	for _, p := range []provider.Provider{tp, yc, rc, mp} {
		gw := paybridge.New(p, paybridge.WithJournal(jr))
		t.Cleanup(func() { _ = gw.Close() })
		values = append(values, gw, gw.Journal())
		h, err := gw.NotificationHandler(func(context.Context, notify.Event) error { return nil },
			notify.WithStore(st))
		if err == nil {
			values = append(values, h)
		}
		// Everything Gateway.As hands out.
		var pp provider.Provider
		var (
			tpOut *trustist.Client
			ycOut *trustly.Client
			rcOut *trustlyrest.Client
			mpOut *memprovider.Client
			mbOut *memprovider.Backend
		)
		for _, target := range []any{&pp, &tpOut, &ycOut, &rcOut, &mpOut, &mbOut} {
			if gw.As(target) {
				values = append(values, target)
			}
		}
		if pp == nil {
			t.Fatalf("Gateway.As(*provider.Provider) for %s handed out nothing", p.Name())
		}
	}
	return secrets, values
}

// TestHoldersPrintNoCredentials prints and logs every type that holds a credential —
// adapters, Gateways, what Gateway.As hands out, Configs, the Partner client, the
// PostgreSQL journal and store — and fails if a credential shows.
func TestHoldersPrintNoCredentials(t *testing.T) {
	secrets, values := holders(t)
	n := secrettest.AssertNoSecrets(t, secrets, values...)
	t.Logf("%d values rendered", n)
}

// TestOpenedStoresPrintNoPassword does the same for a journal and a store opened from a
// connection URL, which keep what is needed to reconnect.
func TestOpenedStoresPrintNoPassword(t *testing.T) {
	raw := pgtest.ServerURL(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	pw, ok := u.User.Password()
	if !ok {
		// A server that lets the test in without a password ignores one given anyway;
		// Open keeps it all the same, to scrub it from errors.
		pw = dbPassword
		u.User = url.UserPassword(u.User.Username(), pw)
		raw = u.String()
	}
	if len(pw) < 8 {
		t.Skipf("the password in %s is too short to look for", pgtest.EnvURL)
	}
	ctx := context.Background()
	jr, err := pgjournal.Open(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	defer jr.Close()
	st, err := pgstore.Open(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	secrettest.AssertNoSecrets(t, []string{pw, raw}, jr, st)
}

// TestNilHoldersPrintAsNil: a nil pointer to a credential holder prints and logs as
// <nil>, not as a panic report.
func TestNilHoldersPrintAsNil(t *testing.T) {
	for _, v := range []any{(*trustist.Client)(nil), (*trustly.Client)(nil), (*trustlyrest.Client)(nil),
		(*partner.Client)(nil), (*memprovider.Client)(nil), (*memprovider.Backend)(nil),
		(*pgjournal.Journal)(nil), (*pgstore.Store)(nil), (*paybridge.Gateway)(nil)} {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", v)
		out := fmt.Sprintf("%v %s %+v %#v %q %x", v, v, v, v, v, v) + " " + buf.String()
		if strings.Contains(strings.ToLower(out), "panic") || !strings.Contains(out, "v=<nil>") {
			t.Errorf("%T(nil): %s", v, out)
		}
	}
}
