package trustist

import (
	"context"
	"net/url"
	"os"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Scheme is the URL scheme this adapter registers with paybridge.Open.
const Scheme = "trustist"

// Environment variables read by the URL opener and ConfigFromEnv. Each key variable may
// instead name a file with a _FILE suffix (PAYBRIDGE_TRUSTIST_HAWK_KEY_FILE).
const (
	EnvHawkID       = "PAYBRIDGE_TRUSTIST_HAWK_ID"
	EnvHawkKey      = "PAYBRIDGE_TRUSTIST_HAWK_KEY"
	EnvTenantHawkID = "PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID"
	EnvTenantKey    = "PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY"
)

func init() { paybridge.Register(Scheme, paybridge.URLOpenerFunc(openURL)) }

// openURL opens "trustist://sandbox" or "trustist://production", with optional
// parameters base_url and currency. Credentials come from the environment (see
// ConfigFromEnv), never from the URL. Unknown parameters are refused.
func openURL(_ context.Context, u *url.URL) (provider.Provider, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	switch env := Environment(u.Host); env {
	case Sandbox, Production:
		cfg.Environment = env
	case "":
		return nil, provider.Errorf(provider.InvalidRequest, "trustist URL needs an environment: trustist://sandbox or trustist://production")
	default:
		return nil, provider.Errorf(provider.InvalidRequest, "unknown trustist environment %q: use sandbox or production", u.Host)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, provider.Errorf(provider.InvalidRequest, "trustist URL takes no path")
	}
	q := paybridge.NewURLParams(u)
	cfg.BaseURL = q.Get("base_url")
	if c := q.Get("currency"); c != "" {
		cur, err := money.ParseCurrency(c)
		if err != nil {
			return nil, provider.FieldError("currency", "%v", err)
		}
		cfg.Currency = cur
	}
	if err := q.Done(); err != nil {
		return nil, err
	}
	return New(cfg)
}

// ConfigFromEnv returns a Config with the keys from the environment: the merchant key
// from PAYBRIDGE_TRUSTIST_HAWK_ID and PAYBRIDGE_TRUSTIST_HAWK_KEY (required), the tenant key from
// PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY (optional, both or neither). Key
// variables may be given as files with the _FILE suffix.
func ConfigFromEnv() (Config, error) {
	var cfg Config
	var err error
	if cfg.Merchant, err = keyFromEnv(EnvHawkID, EnvHawkKey, true); err != nil {
		return Config{}, err
	}
	if cfg.Tenant, err = keyFromEnv(EnvTenantHawkID, EnvTenantKey, false); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func keyFromEnv(idVar, keyVar string, required bool) (Key, error) {
	id := os.Getenv(idVar)
	key, ok, err := secret.FromEnv(keyVar)
	if err != nil {
		return Key{}, provider.Errorf(provider.InvalidRequest, "%v", err)
	}
	switch {
	case id == "" && !ok && !required:
		return Key{}, nil
	case id == "":
		return Key{}, provider.Errorf(provider.InvalidRequest, "environment variable %s is not set", idVar)
	case !ok || key.IsZero():
		return Key{}, provider.Errorf(provider.InvalidRequest, "environment variable %s (or %s_FILE) is not set", keyVar, keyVar)
	}
	return Key{HawkID: id, HawkKey: key}, nil
}
