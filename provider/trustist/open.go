package trustist

import (
	"context"
	"net/url"
	"os"
	"strconv"

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
// parameters base_url, currency and require_server_authorization (true or false; see
// Config.RequireServerAuthorization). Credentials come from the environment (see
// ConfigFromEnv), never from the URL. Unknown parameters are refused.
func openURL(_ context.Context, u *url.URL) (provider.Provider, error) {
	// The URL first: a mistake in it is reported before the variables it would need.
	env := Environment(u.Host)
	switch env {
	case Sandbox, Production:
	case "":
		return nil, provider.FieldError("environment", "is missing: the URL is trustist://sandbox or trustist://production")
	default:
		return nil, provider.FieldError("environment", "must be sandbox or production, not %q", u.Host)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, provider.FieldError("path", "the URL takes no path; use the base_url parameter")
	}
	q := paybridge.NewURLParams(u)
	var cfg Config
	cfg.BaseURL = q.Get("base_url")
	if c := q.Get("currency"); c != "" {
		cur, err := money.ParseCurrency(c)
		if err != nil {
			return nil, provider.FieldError("currency", "%v", err)
		}
		cfg.Currency = cur
	}
	if v := q.Get("require_server_authorization"); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, provider.FieldError("require_server_authorization", "must be true or false, not %q", v)
		}
		cfg.RequireServerAuthorization = on
	}
	if err := q.Done(); err != nil {
		return nil, err
	}
	keys, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	cfg.Environment, cfg.Merchant, cfg.Tenant = env, keys.Merchant, keys.Tenant
	return New(cfg)
}

// ConfigFromEnv returns a Config with the keys from the environment: the merchant key
// from PAYBRIDGE_TRUSTIST_HAWK_ID and PAYBRIDGE_TRUSTIST_HAWK_KEY (required), the tenant key from
// PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY (optional, both or neither). Key
// variables may be given as files with the _FILE suffix.
func ConfigFromEnv() (Config, error) {
	var cfg Config
	var err error
	if cfg.Merchant, err = keyFromEnv("Merchant", EnvHawkID, EnvHawkKey, true); err != nil {
		return Config{}, err
	}
	if cfg.Tenant, err = keyFromEnv("Tenant", EnvTenantHawkID, EnvTenantKey, false); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// keyFromEnv reads the key the Config field which ("Merchant" or "Tenant") holds.
func keyFromEnv(which, idVar, keyVar string, required bool) (Key, error) {
	id := os.Getenv(idVar)
	key, ok, err := secret.FromEnv(keyVar)
	if err != nil {
		// The cause stays wrapped (an *fs.PathError for an unreadable file).
		return Key{}, &provider.Error{Code: provider.InvalidRequest, Field: which + ".HawkKey", Err: err}
	}
	switch {
	case id == "" && !ok && !required:
		return Key{}, nil
	case id == "":
		return Key{}, provider.FieldError(which+".HawkID", "is missing: set %s", idVar)
	case !ok || key.IsZero():
		return Key{}, provider.FieldError(which+".HawkKey", "is missing: set %s or %s_FILE", keyVar, keyVar)
	}
	return Key{HawkID: id, HawkKey: key}, nil
}
