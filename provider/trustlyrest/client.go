package trustlyrest

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/secret"
)

// Name is the adapter's name, used in results, events and errors.
const Name = "trustlyrest"

// Client is the Trustly REST adapter. It implements provider.Provider and the optional
// Refunder, Payouter, AccountVerifier, CustomerManager, Capturer, MandateManager, Ledgerer
// and notify.Verifier interfaces, and adds Trustly-specific calls (VerifyRedirect,
// Transactions, GetPaymentRecord, ListPayments, GetUser, GetUserAccounts, AccountBalance,
// TokenizeAccount). Reach it from a Gateway with
//
//	var c *trustlyrest.Client
//	gw.As(&c)
//
// A Client is safe for concurrent use. It keeps no state about calls or orders between
// calls: idempotency is the Gateway's operations journal, and everything else is read from
// Trustly (see the package documentation). Use it through a Gateway: a Client called
// directly does not recognise a repeated call. A Client prints and logs as its access id,
// merchant id and base URL, never its access key.
type Client struct {
	*core          // the state, credentials included
	secret.Printed // the accessId, merchantId and base URL
}

type core struct {
	baseURL     string // parsed by transport.BaseURL: no query, fragment or trailing slash
	accessID    string
	accessKey   secret.Value
	merchantID  string
	alg         signing.Algorithm
	signer      *signing.FieldSigner // the establish requestSignature, with keyed HMAC states reused
	hc          *http.Client
	captureMode CaptureMode
	currencies  []money.Currency
	auth        authHeader // the Authorization header's values, shared by every request

	notifyBudget time.Duration // bound on the API work VerifyNotification does
	settle       time.Duration // see Config.SettlePeriod
}

var (
	_ provider.Provider        = (*Client)(nil)
	_ provider.Refunder        = (*Client)(nil)
	_ provider.Payouter        = (*Client)(nil)
	_ provider.AccountVerifier = (*Client)(nil)
	_ provider.CustomerManager = (*Client)(nil)
	_ provider.Capturer        = (*Client)(nil)
	_ provider.MandateManager  = (*Client)(nil)
	_ provider.Ledgerer        = (*Client)(nil)
	_ provider.Resolver        = (*Client)(nil)
	_ provider.Accounted       = (*Client)(nil)
	_ notify.Verifier          = (*Client)(nil)
)

// New returns a Client for cfg, or an InvalidRequest *provider.Error naming the bad field.
func New(cfg Config) (*Client, error) {
	base, err := cfg.check()
	if err != nil {
		return nil, err
	}
	alg, _ := cfg.SignatureAlgorithm.internal()
	signer, err := signing.NewFieldSigner(cfg.AccessKey.Bytes(), alg)
	if err != nil {
		return nil, provider.FieldError("AccessKey", "cannot sign requests: %v", err)
	}
	curs := cfg.Currencies
	if len(curs) == 0 {
		curs = DefaultCurrencies()
	}
	return &Client{&core{
		baseURL: base.String(), accessID: cfg.AccessID, accessKey: cfg.AccessKey, merchantID: cfg.MerchantID,
		alg: alg, signer: signer, hc: transport.Client(cfg.HTTPClient), captureMode: cfg.Capture, currencies: curs,
		auth:         authHeader{signing.BasicAuthorization(cfg.AccessID, cfg.AccessKey.Bytes())},
		notifyBudget: notificationBudget,
		settle:       cmp.Or(cfg.SettlePeriod, DefaultSettlePeriod),
	}, secret.PrintAs("trustlyrest.Client", "accessId", cfg.AccessID, "merchantId", cfg.MerchantID,
		"base", base.String())}, nil
}

// authHeader is the Authorization header's values: the Basic credentials alone. They carry
// the accessKey (base64 is not encryption), so they print as [redacted].
type authHeader []string

// String returns "[redacted]".
func (authHeader) String() string { return "[redacted]" }

// GoString returns "[redacted]".
func (authHeader) GoString() string { return "[redacted]" }

// Format prints "[redacted]" whatever the verb.
func (authHeader) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// The header values every request shares: net/http reads a request's header and never
// writes to its values.
var (
	jsonValues = []string{"application/json"}
	formValues = []string{"application/x-www-form-urlencoded"}
)

// Name implements provider.Provider.
func (c *Client) Name() string { return Name }

// requestFields are the optional request fields Trustly's requests carry: establish data
// takes a description and a customer (phone, date of birth, address, national id, or a
// stored customerId); a refund, a deposit and a capture take an amount and a
// merchantReference only, and nothing in Trustly's API takes the merchant's own key/value
// pairs (establish data's metadata is a fixed set of page options).
var requestFields = []string{
	"PaymentRequest.Description", "PaymentRequest.CustomerID", "PaymentRequest.Payer.Phone",
	"PaymentRequest.Payer.DateOfBirth", "PaymentRequest.Payer.NationalID", "PaymentRequest.Payer.Address",
	"MandateRequest.Description", "MandateRequest.MaxAmount", "MandateRequest.Payer.DateOfBirth",
	"MandateRequest.Payer.Address", "VoidRequest.Reason",
}

// Capabilities implements provider.Provider. Everything is supported; refunds and captures
// may be partial and repeated, payouts go to accounts verified interactively (see the
// package documentation). RequestFields lists what Trustly's requests carry: the Gateway
// refuses the others by name.
func (c *Client) Capabilities() provider.Capabilities {
	return provider.Capabilities{
		PartialRefunds: true, MultipleRefunds: true, InteractiveVerification: true, InteractivePayouts: true,
		PartialCaptures: true, MultipleCaptures: true,
		Currencies:    append([]money.Currency(nil), c.currencies...),
		RequestFields: append([]string(nil), requestFields...),
		Notes: map[provider.Operation]string{
			provider.OpPayout: "payouts are deposits under a Disbursement authorization: verify the account interactively (VerifyAccount without Account) and pay out to the AccountID it returns",
			provider.OpPayoutInteractive: "the payee authorizes a Disbursement of the amount on Trustly's page; the adapter deposits it when the Authorize notification arrives, " +
				"so the notification handler must be served",
			provider.OpCapture: "captures need the authorization's splitToken, which Trustly sends in the Authorize notification; " +
				"pass it in the BeforeSend hook (TransactionOptions.SplitToken) when Trustly's transaction does not carry it",
			provider.OpCharge: "charges are captures under a Recurring authorization; Trustly's capture takes no description or metadata",
			provider.OpLedger: "the ledger lists Trustly's transactions by createdAt; Trustly's settlements to the merchant's bank are in its Merchant Portal only",
		},
	}
}

// As implements provider.Provider; it sets a **Client target.
func (c *Client) As(target any) bool {
	if t, ok := target.(**Client); ok {
		*t = c
		return true
	}
	return false
}

// Close implements provider.Provider: it releases idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// body is a request body: JSON or form-encoded.
type body struct {
	json any
	form signing.Form
}
