// Package sandbox configures the conformance suite against each provider's real sandbox
// from environment variables. The adapters' sandbox tests and `paybridge conformance
// --sandbox` both read it, so the variables, the test data and the checks are the same in
// both places.
//
// Each provider has required variables (credentials) and optional ones (another endpoint,
// a currency). A variable marked File may instead name a file with the _FILE suffix
// (PAYBRIDGE_TRUSTLY_PRIVATE_KEY_FILE=key.pem), read with secret.FromEnv; a relative
// name is read from the working directory, which under go test is the package's
// directory, so give the tests an absolute one. Pointing the
// base-URL variables and credentials at a simulator runs the same path against it.
//
// Nobody acts on a sandbox's hosted pages during a run and the sandbox cannot reach this
// machine, so the harnesses have no EndUser and no loopback notifications: the scenarios
// that need either skip with their reason.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/secret"
)

// Variables read for Trustly JSON-RPC besides the adapter's own (trustly.EnvUsername,
// trustly.EnvPassword, trustly.EnvPrivateKey).
const (
	// EnvTrustlyCurrency is the currency of test deposits (default EUR).
	EnvTrustlyCurrency = "PAYBRIDGE_TRUSTLY_CURRENCY"
	// EnvTrustlyNotificationURL is where Trustly may send the orders' notifications
	// (default an example.com URL: nothing there is checked).
	EnvTrustlyNotificationURL = "PAYBRIDGE_TRUSTLY_NOTIFICATION_URL"
	// EnvTrustlyBaseURL replaces the TEST endpoint (the full API URL, ".../api/1").
	EnvTrustlyBaseURL = "PAYBRIDGE_TRUSTLY_BASE_URL"
	// EnvTrustlyPublicKey is the PEM public key that verifies the endpoint's signatures,
	// for an endpoint other than Trustly's own (a simulator). Empty selects Trustly's TEST
	// key.
	EnvTrustlyPublicKey = trustly.EnvPublicKey
)

// EnvTrustlyRESTBaseURL replaces the Trustly REST sandbox endpoint (".../api/v1").
const EnvTrustlyRESTBaseURL = "PAYBRIDGE_TRUSTLYREST_BASE_URL"

// EnvTrustistBaseURL replaces the Trustist sandbox endpoint.
const EnvTrustistBaseURL = "PAYBRIDGE_TRUSTIST_BASE_URL"

// DefaultTrustlyNotificationURL is the NotificationURL of sandbox orders when
// EnvTrustlyNotificationURL is unset. Trustly requires one on every order; nothing needs
// to listen there.
const DefaultTrustlyNotificationURL = "https://merchant.example.com/trustly/notifications"

// Var is one environment variable a provider's sandbox configuration reads.
type Var struct {
	Name string
	// Required variables must be set for the sandbox to be configured.
	Required bool
	// File says the value may instead be in the file named by Name+"_FILE".
	File bool
	// Doc says what the variable holds.
	Doc string
}

// Set reports whether the variable (or, for a File variable, its _FILE form) is set to a
// non-empty value.
func (v Var) Set() bool {
	if os.Getenv(v.Name) != "" {
		return true
	}
	return v.File && os.Getenv(v.Name+"_FILE") != ""
}

// Label is the variable's name as a person should read it: "NAME" or "NAME (or NAME_FILE)".
func (v Var) Label() string {
	if v.File {
		return v.Name + " (or " + v.Name + "_FILE)"
	}
	return v.Name
}

// Provider is one provider's sandbox.
type Provider struct {
	// Name is the adapter's name, as the conformance report shows it.
	Name string
	// Title names the sandbox for people ("Trustly TEST (JSON-RPC)").
	Title string
	// Vars lists the variables read, required ones first.
	Vars []Var
	load func() (*Target, error)
}

// Target is a configured sandbox, ready to run the suite against.
type Target struct {
	// Harness runs the conformance suite against the sandbox.
	Harness conformance.Harness
	// Check makes one cheap authenticated call, proving that the endpoint answers and
	// accepts the credentials before the suite runs.
	Check func(ctx context.Context) error
	// URL is the API URL the calls go to: the provider's sandbox, or the endpoint its base
	// URL variable names instead (a simulator, for one).
	URL string
}

// endpoint returns the API URL a sandbox's calls go to: override, which the adapter has
// accepted as its BaseURL, without a trailing slash, or def when it is empty.
func endpoint(override, def string) string {
	if override == "" {
		return def
	}
	u, err := url.Parse(override)
	if err != nil {
		return def
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimRight(u.Path, "/")}).String()
}

// ErrNotConfigured is returned (wrapped) by Load when required variables are missing.
var ErrNotConfigured = errors.New("sandbox not configured")

// Missing returns the labels of the required variables that are not set.
func (p Provider) Missing() []string {
	var out []string
	for _, v := range p.Vars {
		if v.Required && !v.Set() {
			out = append(out, v.Label())
		}
	}
	return out
}

// Load reads the variables and returns the Target. It returns an error wrapping
// ErrNotConfigured, naming the missing variables, when any required one is unset, and
// another error when a value is unusable (an unreadable _FILE, a malformed key). Errors
// never contain the secrets' values.
func (p Provider) Load() (*Target, error) {
	if m := p.Missing(); len(m) > 0 {
		return nil, fmt.Errorf("%w: set %s", ErrNotConfigured, joinAnd(m))
	}
	return p.load()
}

// Run is the body of an adapter's sandbox test: it skips t with the missing variables'
// names when the sandbox is not configured, fails when the configuration is unusable or
// the sandbox refuses the credentials, and otherwise runs the conformance suite against it.
func Run(t *testing.T, p Provider) {
	t.Helper()
	tg, err := p.Load()
	if errors.Is(err, ErrNotConfigured) {
		t.Skipf("%v to run the conformance suite against the %s", err, p.Title)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := tg.Check(ctx); err != nil {
		t.Fatalf("%s: %v", p.Title, err)
	}
	conformance.RunConformanceTests(t, tg.Harness)
}

// Providers returns the three sandboxes in report order: Trustly JSON-RPC, Trustly REST,
// Trustist.
func Providers() []Provider { return []Provider{Trustly(), TrustlyREST(), Trustist()} }

// Trustly returns the sandbox of Trustly's JSON-RPC API (its TEST environment).
func Trustly() Provider {
	return Provider{
		Name:  trustly.Name,
		Title: "Trustly TEST (JSON-RPC)",
		Vars: []Var{
			{Name: trustly.EnvUsername, Required: true, Doc: "API username"},
			{Name: trustly.EnvPassword, Required: true, File: true, Doc: "API password"},
			{Name: trustly.EnvPrivateKey, Required: true, File: true, Doc: "merchant RSA private key, PEM (PKCS#1 or PKCS#8)"},
			{Name: EnvTrustlyCurrency, Doc: "currency of test deposits (default EUR)"},
			{Name: EnvTrustlyNotificationURL, Doc: "NotificationURL of test orders (default " + DefaultTrustlyNotificationURL + ")"},
			{Name: EnvTrustlyBaseURL, Doc: "API URL other than Trustly TEST's, e.g. a simulator's .../api/1"},
			{Name: EnvTrustlyPublicKey, File: true, Doc: "PEM public key verifying that endpoint's signatures"},
		},
		load: loadTrustly,
	}
}

func loadTrustly() (*Target, error) {
	cfg := trustly.Config{Username: os.Getenv(trustly.EnvUsername), Environment: trustly.Test,
		BaseURL: os.Getenv(EnvTrustlyBaseURL), NotificationURL: os.Getenv(EnvTrustlyNotificationURL)}
	if cfg.NotificationURL == "" {
		cfg.NotificationURL = DefaultTrustlyNotificationURL
	}
	var err error
	if cfg.Password, _, err = secret.FromEnv(trustly.EnvPassword); err != nil {
		return nil, err
	}
	if cfg.PrivateKey, _, err = secret.FromEnv(trustly.EnvPrivateKey); err != nil {
		return nil, err
	}
	pub, _, err := secret.FromEnv(EnvTrustlyPublicKey)
	if err != nil {
		return nil, err
	}
	cfg.TrustlyPublicKey = pub.Bytes()
	cur := money.MustCurrency("EUR")
	if c := os.Getenv(EnvTrustlyCurrency); c != "" {
		if cur, err = money.ParseCurrency(c); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvTrustlyCurrency, err)
		}
	}
	// Build one client now so that a malformed key or URL is reported before the suite.
	probe, err := trustly.New(cfg)
	if err != nil {
		return nil, err
	}
	_ = probe.Close()
	bad := cfg
	bad.Password = secret.New("wrong-" + time.Now().Format("150405"))
	return &Target{
		URL: endpoint(cfg.BaseURL, trustly.TestURL),
		Harness: conformance.Harness{
			NewGateway:               openWith(func() (provider.Provider, error) { return trustly.New(cfg) }),
			NewGatewayBadCredentials: openWith(func() (provider.Provider, error) { return trustly.New(bad) }),
			Currency:                 cur,
			Payer: paybridge.Person{ID: "paybridge-sandbox-1", FirstName: "Ada", LastName: "Lovelace",
				Email: "ada@example.com", Country: "SE", Locale: "sv_SE"},
			Secrets: []string{cfg.Password.Reveal(), cfg.PrivateKey.Reveal()},
			Timeout: time.Minute,
		},
		Check: func(ctx context.Context) error {
			c, err := trustly.New(cfg)
			if err != nil {
				return err
			}
			defer c.Close()
			_, err = c.Balance(ctx)
			return err
		},
	}, nil
}

// TrustlyREST returns the sandbox of Trustly's North American REST API.
func TrustlyREST() Provider {
	return Provider{
		Name:  trustlyrest.Name,
		Title: "Trustly REST sandbox",
		Vars: []Var{
			{Name: trustlyrest.EnvAccessID, Required: true, Doc: "accessId"},
			{Name: trustlyrest.EnvAccessKey, Required: true, File: true, Doc: "accessKey"},
			{Name: trustlyrest.EnvMerchantID, Required: true, Doc: "merchantId"},
			{Name: EnvTrustlyRESTBaseURL, Doc: "REST URL other than the sandbox's, e.g. a simulator's .../api/v1"},
		},
		load: loadTrustlyREST,
	}
}

// Trustly REST's sandbox test accounts
// (https://amer.developers.trustly.com/payments/reference/testing): the last digit is the
// verification score; 6 or more verifies.
var (
	trustlyRESTAccount         = paybridge.BankAccount{HolderName: "Ada Lovelace", RoutingNumber: "124003116", AccountNumber: "1000000008"}
	trustlyRESTRejectedAccount = paybridge.BankAccount{HolderName: "Ada Lovelace", RoutingNumber: "124003116", AccountNumber: "1000000002"}
)

func loadTrustlyREST() (*Target, error) {
	key, _, err := secret.FromEnv(trustlyrest.EnvAccessKey)
	if err != nil {
		return nil, err
	}
	cfg := trustlyrest.Config{AccessID: os.Getenv(trustlyrest.EnvAccessID), AccessKey: key,
		MerchantID: os.Getenv(trustlyrest.EnvMerchantID), BaseURL: os.Getenv(EnvTrustlyRESTBaseURL)}
	probe, err := trustlyrest.New(cfg)
	if err != nil {
		return nil, err
	}
	_ = probe.Close()
	bad := cfg
	bad.AccessKey = secret.New(key.Reveal() + "-wrong")
	return &Target{
		URL: endpoint(cfg.BaseURL, trustlyrest.SandboxBaseURL),
		Harness: conformance.Harness{
			NewGateway:               openWith(func() (provider.Provider, error) { return trustlyrest.New(cfg) }),
			NewGatewayBadCredentials: openWith(func() (provider.Provider, error) { return trustlyrest.New(bad) }),
			Currency:                 money.MustCurrency("USD"),
			Payer: paybridge.Person{ID: "user-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
				Phone: "+14155550100", Country: "US", Locale: "en_US",
				Address: &paybridge.Address{Line1: "1 Market St", City: "San Francisco", Region: "CA", PostalCode: "94105", Country: "US"}},
			Account:         trustlyRESTAccount,
			RejectedAccount: trustlyRESTRejectedAccount,
			// An account verified from bank details gives Trustly no authorization to pay
			// into: payouts need one the holder confirmed at the bank page.
			PayoutAccountInteractive: true,
			Secrets:                  []string{key.Reveal()},
			Timeout:                  time.Minute,
		},
		Check: func(ctx context.Context) error {
			c, err := trustlyrest.New(cfg)
			if err != nil {
				return err
			}
			defer c.Close()
			for _, err := range c.Transactions(ctx, trustlyrest.TransactionFilter{PageSize: 1}) {
				return err
			}
			return nil
		},
	}, nil
}

// Trustist returns the sandbox of the Trustist Ecommerce API.
func Trustist() Provider {
	return Provider{
		Name:  trustist.Name,
		Title: "Trustist sandbox",
		Vars: []Var{
			{Name: trustist.EnvHawkID, Required: true, Doc: "merchant key: public key (Hawk id)"},
			{Name: trustist.EnvHawkKey, Required: true, File: true, Doc: "merchant key: private key (Hawk key)"},
			{Name: trustist.EnvTenantHawkID, Doc: "tenant key, for customers and account verification: Hawk id"},
			{Name: trustist.EnvTenantKey, File: true, Doc: "tenant key: Hawk key"},
			{Name: EnvTrustistBaseURL, Doc: "API URL other than the sandbox's, e.g. a simulator's"},
		},
		load: loadTrustist,
	}
}

func loadTrustist() (*Target, error) {
	cfg, err := trustist.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	cfg.Environment = trustist.Sandbox
	cfg.BaseURL = os.Getenv(EnvTrustistBaseURL)
	probe, err := trustist.New(cfg)
	if err != nil {
		return nil, err
	}
	_ = probe.Close()
	secrets := []string{cfg.Merchant.HawkKey.Reveal()}
	if !cfg.Tenant.IsZero() {
		secrets = append(secrets, cfg.Tenant.HawkKey.Reveal())
	}
	bad := cfg
	bad.Merchant.HawkKey = secret.New("sk_test_wrong_key_for_sandbox")
	return &Target{
		URL: endpoint(cfg.BaseURL, trustist.SandboxBaseURL),
		Harness: conformance.Harness{
			NewGateway:               openWith(func() (provider.Provider, error) { return trustist.New(cfg) }),
			NewGatewayBadCredentials: openWith(func() (provider.Provider, error) { return trustist.New(bad) }),
			Currency:                 money.MustCurrency("GBP"),
			Payer:                    paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Country: "GB"},
			Secrets:                  secrets,
			Timeout:                  time.Minute,
		},
		Check: func(ctx context.Context) error {
			p, err := trustist.New(cfg)
			if err != nil {
				return err
			}
			defer p.Close()
			_, err = p.Merchant(ctx)
			return err
		},
	}, nil
}

// openWith returns a Harness.NewGateway that builds the adapter with newProvider.
func openWith(newProvider func() (provider.Provider, error)) func(context.Context, conformance.T, ...paybridge.Option) *paybridge.Gateway {
	return func(_ context.Context, t conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
		p, err := newProvider()
		if err != nil {
			t.Fatalf("configuring the adapter: %v", err)
		}
		return paybridge.New(p, opts...)
	}
}

// joinAnd joins names as "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
