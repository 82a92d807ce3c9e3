package trustist

import (
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Environment selects the Trustist Ecommerce API the adapter talks to.
type Environment string

// The environments. The zero Environment means Sandbox.
const (
	// Sandbox is https://api-sandbox.trustistecommerce.com, with keys from
	// sandbox.trustisttransfer.com.
	Sandbox Environment = "sandbox"
	// Production is https://api.trustistecommerce.com.
	Production Environment = "production"
)

// Base URLs of the Trustist Ecommerce API.
const (
	SandboxBaseURL    = "https://api-sandbox.trustistecommerce.com"
	ProductionBaseURL = "https://api.trustistecommerce.com"
)

// Key is one Trustist API key. Trustist calls the two halves the public key (the Hawk ID,
// a GUID that is safe to log) and the private key (the Hawk key, a shared secret).
type Key struct {
	// HawkID is the public key / Hawk id.
	HawkID string
	// HawkKey is the private key. It is used as raw bytes, exactly as Trustist issued it.
	HawkKey secret.Value
}

// IsZero reports whether neither half of the key is set.
func (k Key) IsZero() bool { return k.HawkID == "" && k.HawkKey.IsZero() }

// Config configures a Client.
type Config struct {
	// Environment is Sandbox (the default) or Production.
	Environment Environment
	// BaseURL overrides the environment's API base URL (https only; plain http is
	// accepted for loopback hosts such as a local simulator).
	BaseURL string
	// Merchant is the merchant key (TrustistTransfer app → Settings → API Keys). It signs
	// payments, payment look-ups, standing orders and the merchant-info call. Required.
	Merchant Key
	// Tenant is the tenant key (issued by Trustist support). It signs customer,
	// onboard-session and bank-account calls. Optional: without it those operations are
	// left out of Capabilities and their methods return a PermissionDenied error naming
	// the missing key, before anything is sent.
	Tenant Key
	// Currency is the currency of the merchant's Trustist account, the only one its
	// payments accept (default GBP). Trustist's payment request carries no currency field;
	// the account decides it.
	Currency money.Currency
	// HTTPClient sends the requests (default: a client with a 30-second timeout). Its
	// transport must keep http.RoundTripper's rule of not modifying the request: requests
	// share their constant header values. A transport other than net/http's that reports
	// nothing to an httptrace.ClientTrace makes every failed request an unknown outcome,
	// since the adapter cannot tell whether it was sent. The adapter uses a copy of it
	// that follows no redirect (the client itself is left unchanged): a redirect answer
	// is an InvalidRequest error naming its Location, since following it would send the
	// Authorization header to a URL the configuration never named.
	HTTPClient *http.Client
	// Now is the local clock Hawk timestamps are taken from (default time.Now); the
	// adapter adds the offset learned from Trustist's stale-timestamp replies.
	Now func() time.Time
	// MaxResponseBytes bounds how much of a response is read (default 16 MiB).
	MaxResponseBytes int64
	// RequireServerAuthorization makes every answer Trustist gives to an authenticated
	// request — each status below 500 except 401 (authentication refused) and 429
	// (refused before processing) — carry a Server-Authorization header whose payload
	// hash covers the body. Without it, an intermediary could remove the header and edit
	// the answer (a payLink, a status). An answer without it is unverified: for a write
	// the outcome is unknown (UnknownOutcome), for a read it is an error, and a
	// notification it was to confirm is delivered again (503). Off by default: Trustist's
	// authentication page for its Transfer API says the server "may also include" the
	// header (https://trustisttransfer.com/docs/authentication/), the Ecommerce API's
	// authentication page describes only the request header
	// (https://api.trustistecommerce.com/docs/authentication), and the official
	// WordPress plugin never reads it (trustist/trustist-ecommerce-wordpress-plugin,
	// includes/payment-functions.php); that the API always sends it is not published.
	// Turn it on once the account's answers are seen to carry it. Whether on or off, a
	// header that is present must verify.
	RequireServerAuthorization bool
	// ConfirmationsPerSecond and ConfirmationBurst bound the reads the Client makes to
	// confirm notifications, as a token bucket holding ConfirmationBurst reads (default
	// DefaultConfirmationBurst) refilled at ConfirmationsPerSecond (default
	// DefaultConfirmationsPerSecond). Trustist does not sign its webhooks, so anyone who
	// knows the webhook URL can post one and make the Client spend the merchant's API
	// quota on a look-up; over the bound a notification is answered 503
	// (notify.ErrRetryLater) and Trustist delivers it again later — nothing is dropped.
	// Notifications about one object arriving together share one read, and a payment
	// read in a final status answers further notifications it confirms for a while
	// without a read; neither takes from the bucket. A negative ConfirmationsPerSecond
	// removes the bound.
	ConfirmationsPerSecond float64
	ConfirmationBurst      int
}

// The default bound on confirmation reads (see Config.ConfirmationsPerSecond). Trustist
// publishes no rate limit for its API [X]. [I] Ten reads a second, with bursts of fifty,
// is well above what one merchant's own webhooks need (each payment raises one to
// three: payment.created, then payment.completed or payment.failed), while a flood of
// forged webhooks costs at most 36,000 reads an hour instead of as many as its sender
// can post.
const (
	DefaultConfirmationsPerSecond = 10
	DefaultConfirmationBurst      = 50
)

// credentials converts k, checking that it is complete. which names the key in errors.
func (k Key) credentials(which string) (hawk.Credentials, error) {
	switch {
	case k.HawkID == "":
		return hawk.Credentials{}, provider.FieldError(which+".HawkID", "is required")
	case !hawk.ValidAttributeValue(k.HawkID):
		return hawk.Credentials{}, provider.FieldError(which+".HawkID", "must be printable ASCII without quotes or backslashes")
	case k.HawkKey.IsZero():
		return hawk.Credentials{}, provider.FieldError(which+".HawkKey", "is required")
	}
	return hawk.Credentials{ID: k.HawkID, Key: hawk.Key(k.HawkKey.Bytes())}.Prepared(), nil
}

// baseURL returns the API base URL cfg selects.
func (cfg *Config) baseURL() (*url.URL, error) {
	raw := cfg.BaseURL
	if raw == "" {
		switch cfg.Environment {
		case "", Sandbox:
			raw = SandboxBaseURL
		case Production:
			raw = ProductionBaseURL
		default:
			return nil, provider.FieldError("Environment", "must be %q or %q", Sandbox, Production)
		}
	} else if cfg.Environment != "" && cfg.Environment != Sandbox && cfg.Environment != Production {
		return nil, provider.FieldError("Environment", "must be %q or %q", Sandbox, Production)
	}
	u, err := transport.BaseURL(raw)
	if err != nil {
		return nil, provider.FieldError("BaseURL", "%v", err)
	}
	return u, nil
}
