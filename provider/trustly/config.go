package trustly

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/secret"
)

// Environment selects Trustly's TEST or live system.
type Environment string

// The environments.
const (
	// Test is https://test.trustly.com/api/1, signed with Trustly's TEST key.
	Test Environment = "test"
	// Live is https://api.trustly.com/1, signed with Trustly's live key.
	Live Environment = "live"
)

// Endpoints of the two environments.
const (
	TestURL = "https://test.trustly.com/api/1"
	LiveURL = "https://api.trustly.com/1"
)

// Config configures a Client. Username, Password and a private key are required.
type Config struct {
	// Username is the API username Trustly issued.
	Username string
	// Password is the API password.
	Password secret.Value
	// PrivateKey is the merchant's RSA private key as PEM (PKCS#1 "RSA PRIVATE KEY" or
	// PKCS#8 "PRIVATE KEY"), whose public key is registered with Trustly. Give it here or
	// through PrivateKeyFile.
	PrivateKey secret.Value
	// PrivateKeyFile is a path to read the PEM private key from when PrivateKey is empty.
	PrivateKeyFile string
	// Environment is Test (the default) or Live.
	Environment Environment
	// BaseURL overrides the environment's endpoint (the full API URL, e.g. a simulator's
	// ".../api/1"). It must be https, or http on a loopback host.
	BaseURL string
	// TrustlyPublicKey overrides, as PEM, the public key that verifies responses and
	// notifications (for a simulator). Empty selects the environment's embedded key.
	TrustlyPublicKey []byte
	// HTTPClient sends the requests; nil selects a client with a 30-second timeout and a
	// transport of its own. A client given here is the caller's: Close leaves it alone.
	// The Client uses a copy of it that follows no redirect (the client itself is left
	// unchanged): a redirect answer is an InvalidRequest error naming its Location, since
	// following it would send the signed request, credentials included, to a URL the
	// configuration never named.
	HTTPClient *http.Client
	// Currencies accepted; empty selects DefaultCurrencies. Trustly amounts have two
	// decimals, so only currencies with two decimal places are allowed.
	Currencies []money.Currency
	// NotificationURL is used for requests that carry none. Trustly sends each order's
	// notifications to the URL given when the order was created.
	NotificationURL string
	// ShopperStatement is the text shown on the end user's bank statement for deposits,
	// and for payouts that carry no Description.
	ShopperStatement string
	// RequestKYC asks Trustly, on every deposit, for the end user's identity before the
	// deposit goes on (Deposit attribute RequestKYC "1"; Trustly must have enabled the
	// feature for the merchant). Trustly then sends a kyc notification once the end user
	// has logged in to the bank and waits for the merchant's answer: it reaches the
	// notification callback as a notify.PaymentIdentified event, and the deposit goes on
	// only when the callback decides notify.Continue (see the package documentation,
	// "Identity checks").
	RequestKYC bool
}

// DefaultCurrencies returns the currencies a Client accepts unless configured otherwise:
// EUR, SEK, NOK, DKK, GBP, PLN and CZK. [I] Trustly's currency list depends on the
// merchant agreement; set Config.Currencies to match yours.
func DefaultCurrencies() []money.Currency {
	var out []money.Currency
	for _, c := range []string{"EUR", "SEK", "NOK", "DKK", "GBP", "PLN", "CZK"} {
		out = append(out, money.MustCurrency(c))
	}
	return out
}

// settings is a checked Config.
type settings struct {
	username   string
	password   secret.Value
	key        *rsa.PrivateKey
	trustlyPub *rsa.PublicKey
	endpoint   string
	env        Environment
	httpClient *http.Client
	ownClient  bool // httpClient was built by check, not given by the caller
	currencies []money.Currency
	statement  string
	notifyURL  string
	requestKYC bool
	customKey  bool // trustlyPub came from Config.TrustlyPublicKey
}

func (cfg *Config) check() (*settings, error) {
	s := &settings{username: cfg.Username, password: cfg.Password, statement: cfg.ShopperStatement, requestKYC: cfg.RequestKYC}
	if strings.TrimSpace(cfg.Username) == "" {
		return nil, provider.FieldError("Username", "is required")
	}
	if cfg.Password.IsZero() {
		return nil, provider.FieldError("Password", "is required")
	}
	pemKey := cfg.PrivateKey
	if pemKey.IsZero() {
		if cfg.PrivateKeyFile == "" {
			return nil, provider.FieldError("PrivateKey", "is required (or PrivateKeyFile)")
		}
		v, err := secret.FromFile(cfg.PrivateKeyFile)
		if err != nil {
			return nil, provider.FieldError("PrivateKeyFile", "%v", err)
		}
		pemKey = v
	}
	key, err := wire.ParsePrivateKey(pemKey.Bytes())
	if err != nil {
		return nil, provider.FieldError("PrivateKey", "%s", keyProblem(err))
	}
	s.key = key
	s.env = cfg.Environment
	if s.env == "" {
		s.env = Test
	}
	switch s.env {
	case Test:
		s.endpoint, s.trustlyPub = TestURL, wire.TrustlyTestPublicKey()
	case Live:
		s.endpoint, s.trustlyPub = LiveURL, wire.TrustlyLivePublicKey()
	default:
		return nil, provider.FieldError("Environment", "must be %q or %q, not %q", Test, Live, cfg.Environment)
	}
	if cfg.BaseURL != "" {
		u, err := transport.BaseURL(cfg.BaseURL)
		if err != nil {
			return nil, provider.FieldError("BaseURL", "%v", err)
		}
		s.endpoint = u.String()
	}
	if len(cfg.TrustlyPublicKey) > 0 {
		pub, err := wire.ParsePublicKey(cfg.TrustlyPublicKey)
		if err != nil {
			return nil, provider.FieldError("TrustlyPublicKey", "%s", keyProblem(err))
		}
		s.trustlyPub, s.customKey = pub, true
	}
	s.httpClient, s.ownClient = transport.Client(cfg.HTTPClient), cfg.HTTPClient == nil
	s.currencies = cfg.Currencies
	if len(s.currencies) == 0 {
		s.currencies = DefaultCurrencies()
	}
	for _, c := range s.currencies {
		if c.IsZero() {
			return nil, provider.FieldError("Currencies", "contains the zero Currency")
		}
		if c.Exponent() != 2 {
			return nil, provider.FieldError("Currencies", "%s has %d decimal places; Trustly amounts have exactly two", c, c.Exponent())
		}
	}
	if cfg.NotificationURL != "" {
		if err := checkNotificationURL("NotificationURL", cfg.NotificationURL); err != nil {
			return nil, err
		}
		s.notifyURL = cfg.NotificationURL
	}
	if len(cfg.ShopperStatement) > 100 {
		return nil, provider.FieldError("ShopperStatement", "is longer than 100 characters")
	}
	return s, nil
}

// keyProblem says what is wrong with a key that does not parse, in the words of
// someone configuring the adapter rather than those of the package that parsed it.
func keyProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "wire: ")
	if strings.HasPrefix(msg, "no PEM block found") {
		return "is not PEM: it has no -----BEGIN line"
	}
	return msg
}

// errClosed is returned by calls on a closed Client.
var errClosed = errors.New("trustly: client is closed")

func describeEnv(e Environment) string { return fmt.Sprintf("Trustly %s", strings.ToUpper(string(e))) }

// publicKeyName names the key that verifies Trustly's signatures, for error messages.
func (s *settings) publicKeyName() string {
	if s.customKey {
		return "configured TrustlyPublicKey"
	}
	return describeEnv(s.env) + " public key"
}
