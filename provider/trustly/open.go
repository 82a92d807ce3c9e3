package trustly

import (
	"context"
	"net/url"
	"strings"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Scheme is the URL scheme registered with paybridge.Open.
const Scheme = "trustly"

// Environment variables read by the URL opener.
const (
	EnvUsername   = "PAYBRIDGE_TRUSTLY_USERNAME"
	EnvPassword   = "PAYBRIDGE_TRUSTLY_PASSWORD"
	EnvPrivateKey = "PAYBRIDGE_TRUSTLY_PRIVATE_KEY"
	// EnvPublicKey overrides, as PEM, Trustly's public key (Config.TrustlyPublicKey): for an
	// endpoint that is not Trustly's, such as a simulator given as base_url.
	EnvPublicKey = "PAYBRIDGE_TRUSTLY_PUBLIC_KEY"
)

func init() { paybridge.Register(Scheme, paybridge.URLOpenerFunc(openURL)) }

// openURL opens "trustly://test" or "trustly://live" (see the package documentation).
func openURL(_ context.Context, u *url.URL) (provider.Provider, error) {
	cfg, err := ConfigFromURL(u)
	if err != nil {
		return nil, err
	}
	// Say where each missing credential comes from, since the URL cannot carry it.
	switch {
	case cfg.Username == "":
		return nil, provider.FieldError("Username", "is missing: add username to the URL or set %s", EnvUsername)
	case cfg.Password.IsZero():
		return nil, provider.FieldError("Password", "is missing: set %s or %s_FILE", EnvPassword, EnvPassword)
	case cfg.PrivateKey.IsZero():
		return nil, provider.FieldError("PrivateKey", "is missing: set %s_FILE to the PEM file (or %s to its text)", EnvPrivateKey, EnvPrivateKey)
	}
	return New(cfg)
}

// envError reports an environment variable that could not be read for a Config field,
// keeping the cause (an *fs.PathError for an unreadable _FILE) for errors.Is.
func envError(field string, err error) error {
	return &provider.Error{Code: provider.InvalidRequest, Field: field, Err: err}
}

// ConfigFromURL builds a Config from a "trustly://test?username=..." URL and the
// PAYBRIDGE_TRUSTLY_* environment variables (the secrets never come from the URL).
func ConfigFromURL(u *url.URL) (Config, error) {
	var cfg Config
	switch u.Host {
	case "test", "":
		cfg.Environment = Test
	case "live":
		cfg.Environment = Live
	default:
		return cfg, provider.FieldError("environment", "the URL's host must be test or live, not %q", u.Host)
	}
	q := paybridge.NewURLParams(u)
	cfg.Username = q.Get("username")
	cfg.BaseURL = q.Get("base_url")
	cfg.ShopperStatement = q.Get("shopper_statement")
	cfg.NotificationURL = q.Get("notification_url")
	if s := q.Get("currencies"); s != "" {
		for _, code := range strings.Split(s, ",") {
			c, err := money.ParseCurrency(strings.TrimSpace(code))
			if err != nil {
				return cfg, provider.FieldError("currencies", "%v", err)
			}
			cfg.Currencies = append(cfg.Currencies, c)
		}
	}
	if err := q.Done(); err != nil {
		return cfg, err
	}
	if cfg.Username == "" {
		if v, ok, err := secret.FromEnv(EnvUsername); err != nil {
			return cfg, envError("Username", err)
		} else if ok {
			cfg.Username = v.Reveal()
		}
	}
	var err error
	if cfg.Password, _, err = secret.FromEnv(EnvPassword); err != nil {
		return cfg, envError("Password", err)
	}
	if cfg.PrivateKey, _, err = secret.FromEnv(EnvPrivateKey); err != nil {
		return cfg, envError("PrivateKey", err)
	}
	if pub, ok, err := secret.FromEnv(EnvPublicKey); err != nil {
		return cfg, envError("TrustlyPublicKey", err)
	} else if ok {
		cfg.TrustlyPublicKey = []byte(pub.Reveal())
	}
	return cfg, nil
}
