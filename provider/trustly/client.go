package trustly

import (
	"slices"
	"sync/atomic"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Name is the adapter's name, used in results, events and errors.
const Name = "trustly"

// Client is the Trustly adapter and Trustly's own API client. It implements
// provider.Provider, Refunder, Payouter, AccountVerifier, MandateManager, Ledgerer and
// notify.Verifier, and offers the Trustly methods that have no neutral form (Balance,
// AccountLedger, CancelCharge, ...). It is safe
// for concurrent use. It prints and logs as its username and environment, never its
// password or private key.
type Client struct {
	*core          // the state, credentials included
	secret.Printed // the username, environment and endpoint
}

type core struct {
	s      *settings
	closed atomic.Bool
}

var (
	_ provider.Provider        = (*Client)(nil)
	_ provider.Refunder        = (*Client)(nil)
	_ provider.Payouter        = (*Client)(nil)
	_ provider.AccountVerifier = (*Client)(nil)
	_ notify.Verifier          = (*Client)(nil)
	_ provider.Referencer      = (*Client)(nil)
	_ provider.MandateManager  = (*Client)(nil)
	_ provider.Ledgerer        = (*Client)(nil)
)

// New returns a Client for cfg, or an InvalidRequest *provider.Error naming the first bad
// Config field.
func New(cfg Config) (*Client, error) {
	s, err := cfg.check()
	if err != nil {
		return nil, err
	}
	return &Client{&core{s: s}, secret.PrintAs("trustly.Client", "username", s.username,
		"environment", string(s.env), "endpoint", s.endpoint)}, nil
}

// Name implements provider.Provider.
func (c *Client) Name() string { return Name }

// Account implements provider.Accounted: the merchant's API username, which keeps the
// journal entries of Gateways for different merchants apart.
func (c *Client) Account() string { return c.s.username }

// Environment returns the environment the Client was configured for.
func (c *Client) Environment() Environment { return c.s.env }

// Capabilities implements provider.Provider. Refunds may be partial and repeated, accounts
// may be verified and payouts made interactively (Withdraw); nothing can be read back from Trustly (a
// mandate's state is read from the journal, see GetMandate), and a mandate cannot be
// canceled.
func (c *Client) Capabilities() provider.Capabilities {
	const noRead = "Trustly's API has no call that reads it back; outcomes arrive as notifications"
	return provider.Capabilities{
		PartialRefunds: true, MultipleRefunds: true, InteractiveVerification: true, InteractivePayouts: true,
		Unavailable: []provider.Operation{
			provider.OpGetPayment, provider.OpGetRefund, provider.OpGetPayout, provider.OpGetAccountVerification,
			provider.OpCancelMandate,
		},
		Currencies: slices.Clone(c.s.currencies),
		// What the requests carry (see the package documentation, "Request fields"):
		// Deposit carries Description as its ExternalReference, and has no metadata,
		// payer address or date of birth; Trustly keeps no customers; Refund carries
		// only ExternalReference (the MerchantReference); AccountPayout takes
		// Description as its ShopperStatement and nothing of the payee beyond the
		// EndUserID; SelectAccount takes DateOfBirth but no address, description or
		// amount cap; Charge takes Description as its ShopperStatement, and no metadata.
		RequestFields: []string{
			"PaymentRequest.Description", "PaymentRequest.Payer.Phone", "PaymentRequest.Payer.NationalID",
			"PayoutRequest.Description",
			"MandateRequest.Payer.DateOfBirth",
			"ChargeRequest.Description", "ChargeRequest.NotificationURL",
		},
		// A repeat with the same idempotency key is the byte-identical signed request
		// (same UUID), which Trustly answers with its first result: for a VerifyAccount
		// whose answer was lost, the repeat is the one way to learn its order. It holds
		// for CreateMandate (a SelectAccount) and Charge as well: what a Charge reads from
		// the journal (the mandate's payer and account) is recorded once and never
		// changes, so a repeat builds the same request unless the BeforeSend hook or the
		// Config's ShopperStatement changed; then Trustly refuses the used UUID (688),
		// reported as UnknownOutcome, so no repeat can act twice.
		RepeatableWrites: []provider.Operation{provider.OpPay, provider.OpRefund, provider.OpPayout, provider.OpVerifyAccount,
			provider.OpCreateMandate, provider.OpCharge},
		Notes: map[provider.Operation]string{
			provider.OpGetPayment:             "a deposit's status: " + noRead,
			provider.OpGetRefund:              "a refund's status: " + noRead,
			provider.OpGetPayout:              "a payout's status: " + noRead + " (GetWithdrawals on the Client reports a payout's transfer state)",
			provider.OpGetAccountVerification: "an account selection: " + noRead,
			provider.OpCustomers:              "Trustly keeps no customer records; end users are identified by Person.ID (EndUserID) on each request",
			provider.OpCancelMandate:          noCancelMandate,
			provider.OpCapture: "Trustly's current API has no authorization to capture later: a Deposit is paid when the end user " +
				"approves it (the legacy P2P, Capture and Void methods survive only in old clients and are not documented)",
		},
	}
}

// As implements provider.Provider: it sets a **Client target.
func (c *Client) As(target any) bool {
	if t, ok := target.(**Client); ok {
		*t = c
		return true
	}
	return false
}

// Close implements provider.Provider. Calls after Close fail. When the Client built its
// own HTTP client (Config.HTTPClient nil), its idle connections are closed; a client given
// in Config belongs to the caller and is left alone.
func (c *Client) Close() error {
	if !c.closed.Swap(true) && c.s.ownClient {
		c.s.httpClient.CloseIdleConnections()
	}
	return nil
}
