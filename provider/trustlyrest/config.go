package trustlyrest

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/secret"
)

// Environment selects Trustly's sandbox or production.
type Environment string

// The environments.
const (
	// Sandbox is Trustly's test environment, https://sandbox.trustly.one/api/v1.
	Sandbox Environment = "sandbox"
	// Production is the live environment. Its base URL must be configured: Trustly's pages
	// name both https://api.trustly.one/api/v1 and https://trustly.one/api/v1, so confirm it
	// with Trustly at onboarding.
	Production Environment = "production"
)

// SandboxBaseURL is the REST base URL of Trustly's sandbox.
const SandboxBaseURL = "https://sandbox.trustly.one/api/v1"

// CaptureMode says who captures an authorized payment by default; each payment may ask for
// manual capture itself (PaymentRequest.Capture).
type CaptureMode int

// The capture modes.
const (
	// CaptureAutomatic (the default): the adapter captures the full authorized amount of a
	// payment not made with PaymentRequest.Capture = CaptureManual as soon as it learns of
	// the authorization — from the Authorize notification, or when GetPayment finds the
	// payment authorized.
	CaptureAutomatic CaptureMode = iota
	// CaptureManual: every payment is made as with PaymentRequest.Capture = CaptureManual
	// and stays authorized until Capture takes its money.
	CaptureManual
)

// SignatureAlgorithm selects the HMAC of the establish requestSignature.
type SignatureAlgorithm int

// The signature algorithms.
const (
	// HMACSHA1 is Trustly's default.
	HMACSHA1 SignatureAlgorithm = iota
	// HMACSHA512 is an option Trustly enables per merchant; its values carry the prefix
	// "HmacSHA512:".
	HMACSHA512
)

func (a SignatureAlgorithm) internal() (signing.Algorithm, bool) {
	switch a {
	case HMACSHA1:
		return signing.HMACSHA1, true
	case HMACSHA512:
		return signing.HMACSHA512, true
	}
	return 0, false
}

// Config configures a Client.
type Config struct {
	// AccessID is the merchant's accessId, the Basic-auth user name. It is not secret.
	AccessID string
	// AccessKey is the merchant's accessKey: the Basic-auth password and the key of every
	// HMAC (request signatures, notifications, redirects).
	AccessKey secret.Value
	// MerchantID is Trustly's numeric merchant id.
	MerchantID string
	// Environment is Sandbox (the default) or Production.
	Environment Environment
	// BaseURL overrides the environment's REST base URL (for example a simulator or a proxy).
	// It is required for Production. Plain http is accepted for loopback hosts only.
	BaseURL string
	// HTTPClient sends the requests; nil uses a client with a 30-second timeout. Its
	// transport must keep http.RoundTripper's rule of not modifying the request: requests
	// share their constant header values. A transport other than net/http's that reports
	// nothing to an httptrace.ClientTrace makes every failed request an unknown outcome,
	// since the adapter cannot tell whether it was sent. The adapter uses a copy of it
	// that follows no redirect (the client itself is left unchanged): a redirect answer
	// is an InvalidRequest error naming its Location, since following it would send the
	// Basic credentials to a URL the configuration never named.
	HTTPClient *http.Client
	// Capture selects automatic (default) or manual capture for every payment; with
	// CaptureAutomatic, a payment asks for manual capture with PaymentRequest.Capture.
	Capture CaptureMode
	// SignatureAlgorithm selects HMAC-SHA1 (default) or HMAC-SHA512 request signatures.
	SignatureAlgorithm SignatureAlgorithm
	// Currencies lists the currencies offered; empty means USD and CAD, the two establish
	// accepts. Trustly's Transaction schema says USD only, so a merchant not enabled for CAD
	// should list USD alone.
	Currencies []money.Currency
	// SettlePeriod is how long after a write whose answer was lost the adapter keeps
	// treating "not found at Trustly" as "not applied yet" rather than "never applied".
	// Trustly may process a request after the client gave up on it, so a look-up made too
	// soon proves nothing; until the period has passed a repeat of the call returns
	// UnknownOutcome. 0 means DefaultSettlePeriod. Keep it well above the HTTP client's
	// timeout.
	SettlePeriod time.Duration
}

// DefaultSettlePeriod is the SettlePeriod used when Config leaves it zero: four times the
// default HTTP client's 30-second timeout.
const DefaultSettlePeriod = 2 * time.Minute

// DefaultCurrencies returns USD and CAD.
func DefaultCurrencies() []money.Currency {
	return []money.Currency{money.MustCurrency("USD"), money.MustCurrency("CAD")}
}

// check validates cfg and returns the base URL to use.
func (cfg *Config) check() (*url.URL, error) {
	if cfg.AccessID == "" {
		return nil, provider.FieldError("AccessID", "is required")
	}
	if cfg.AccessKey.IsZero() {
		return nil, provider.FieldError("AccessKey", "is required")
	}
	if cfg.MerchantID == "" {
		return nil, provider.FieldError("MerchantID", "is required")
	}
	if !isDigits(cfg.MerchantID) || len(cfg.MerchantID) > 15 {
		return nil, provider.FieldError("MerchantID", "must be Trustly's numeric merchant id (at most 15 digits)")
	}
	if _, ok := cfg.SignatureAlgorithm.internal(); !ok {
		return nil, provider.FieldError("SignatureAlgorithm", "must be HMACSHA1 or HMACSHA512")
	}
	if cfg.Capture != CaptureAutomatic && cfg.Capture != CaptureManual {
		return nil, provider.FieldError("Capture", "must be CaptureAutomatic or CaptureManual")
	}
	for i, c := range cfg.Currencies {
		if c.String() != "USD" && c.String() != "CAD" {
			return nil, provider.FieldError(fmt.Sprintf("Currencies[%d]", i), "Trustly's REST API takes USD and CAD only")
		}
	}
	raw := cfg.BaseURL
	switch cfg.Environment {
	case "", Sandbox:
		if raw == "" {
			raw = SandboxBaseURL
		}
	case Production:
		if raw == "" {
			return nil, provider.FieldError("BaseURL", "is required for production: Trustly documents two production hosts (https://api.trustly.one/api/v1 and https://trustly.one/api/v1); use the one Trustly confirmed")
		}
	default:
		return nil, provider.FieldError("Environment", "must be %q or %q", Sandbox, Production)
	}
	u, err := transport.BaseURL(raw)
	if err != nil {
		return nil, provider.FieldError("BaseURL", "%v", err)
	}
	return u, nil
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
