package trustlyrest

import (
	"context"
	"net/url"
	"os"
	"strings"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Scheme is the URL scheme the adapter registers with paybridge.Open.
const Scheme = "trustlyrest"

// Environment variables read by the URL opener.
const (
	// EnvAccessKey holds the accessKey (or EnvAccessKey+"_FILE" names a file holding it).
	EnvAccessKey = "PAYBRIDGE_TRUSTLYREST_ACCESS_KEY"
	// EnvAccessID holds the accessId when the URL has no access_id parameter.
	EnvAccessID = "PAYBRIDGE_TRUSTLYREST_ACCESS_ID"
	// EnvMerchantID holds the merchantId when the URL has no merchant_id parameter.
	EnvMerchantID = "PAYBRIDGE_TRUSTLYREST_MERCHANT_ID"
)

func init() { paybridge.Register(Scheme, paybridge.URLOpenerFunc(openURL)) }

// openURL opens
//
//	trustlyrest://sandbox?merchant_id=1002463580&access_id=M8RaHgEjBE54zuFYMRQq
//	trustlyrest://production?merchant_id=…&base_url=https://api.trustly.one/api/v1
//
// Parameters: merchant_id and access_id (else from PAYBRIDGE_TRUSTLYREST_MERCHANT_ID and
// PAYBRIDGE_TRUSTLYREST_ACCESS_ID); base_url; capture=automatic|manual; signature=HmacSHA1|HmacSHA512;
// currencies=USD,CAD. The accessKey comes from PAYBRIDGE_TRUSTLYREST_ACCESS_KEY or the file named by
// PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE, never from the URL. Unknown parameters are refused.
func openURL(_ context.Context, u *url.URL) (provider.Provider, error) {
	q := paybridge.NewURLParams(u)
	cfg := Config{Environment: Environment(u.Host)}
	if u.Host == "" && u.Opaque != "" {
		cfg.Environment = Environment(u.Opaque)
	}
	if cfg.Environment != Sandbox && cfg.Environment != Production {
		return nil, provider.FieldError("environment", "the URL's host must be %q or %q", Sandbox, Production)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, provider.FieldError("path", "the URL takes no path; use the base_url parameter")
	}
	cfg.MerchantID = firstNonEmpty(q.Get("merchant_id"), os.Getenv(EnvMerchantID))
	cfg.AccessID = firstNonEmpty(q.Get("access_id"), os.Getenv(EnvAccessID))
	cfg.BaseURL = q.Get("base_url")
	switch v := q.Get("capture"); v {
	case "", "automatic":
	case "manual":
		cfg.Capture = CaptureManual
	default:
		return nil, provider.FieldError("capture", "must be automatic or manual")
	}
	switch v := q.Get("signature"); strings.ToLower(v) {
	case "", "hmacsha1":
	case "hmacsha512":
		cfg.SignatureAlgorithm = HMACSHA512
	default:
		return nil, provider.FieldError("signature", "must be HmacSHA1 or HmacSHA512")
	}
	if s := q.Get("currencies"); s != "" {
		for code := range strings.SplitSeq(s, ",") {
			c, err := money.ParseCurrency(strings.TrimSpace(code))
			if err != nil {
				return nil, provider.FieldError("currencies", "%v", err)
			}
			cfg.Currencies = append(cfg.Currencies, c)
		}
	}
	if err := q.Done(); err != nil {
		return nil, err
	}
	// Say where each missing credential comes from.
	if cfg.MerchantID == "" {
		return nil, provider.FieldError("MerchantID", "is missing: add merchant_id to the URL or set %s", EnvMerchantID)
	}
	if cfg.AccessID == "" {
		return nil, provider.FieldError("AccessID", "is missing: add access_id to the URL or set %s", EnvAccessID)
	}
	key, ok, err := secret.FromEnv(EnvAccessKey)
	if err != nil {
		// The cause stays wrapped (an *fs.PathError for an unreadable file).
		return nil, &provider.Error{Code: provider.InvalidRequest, Field: "AccessKey", Err: err}
	}
	if !ok {
		return nil, provider.FieldError("AccessKey", "is missing: set %s or %s_FILE", EnvAccessKey, EnvAccessKey)
	}
	cfg.AccessKey = key
	return New(cfg)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
