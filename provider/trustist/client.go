package trustist

import (
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Name is the adapter's name, as it appears in results, events and errors.
const Name = "trustist"

// Client is the Trustist adapter and also its own client for the calls the neutral API
// has no place for (standing orders, the merchant-info call, onboard sessions for
// identity checks, customer bank accounts).
// Reach it from a Gateway with
//
//	var c *trustist.Client
//	if gw.As(&c) { m, err := c.Merchant(ctx) ... }
//
// A Client is safe for concurrent use. It prints and logs as its Hawk ids and base URL,
// never its keys.
type Client struct {
	*core          // the state, keys included
	secret.Printed // the Hawk ids and base URL
}

type core struct {
	base      string // parsed by transport.BaseURL: no query, fragment or trailing slash
	merchant  hawk.Credentials
	tenant    hawk.Credentials
	hasTenant bool
	currency  money.Currency
	client    *http.Client
	maxBody   int64
	clock     hawk.Clock
	confirm   *confirmations
	// requireSA: answers must carry a Server-Authorization covering their body
	// (Config.RequireServerAuthorization).
	requireSA bool
}

var (
	_ provider.Provider        = (*Client)(nil)
	_ provider.AccountVerifier = (*Client)(nil)
	_ provider.CustomerManager = (*Client)(nil)
	_ provider.Accounted       = (*Client)(nil)
	_ notify.Verifier          = (*Client)(nil)
)

// New returns a Client for cfg. It checks the configuration and sends nothing.
func New(cfg Config) (*Client, error) {
	base, err := cfg.baseURL()
	if err != nil {
		return nil, err
	}
	merchant, err := cfg.Merchant.credentials("Merchant")
	if err != nil {
		return nil, err
	}
	p := &Client{core: &core{
		base:      base.String(),
		merchant:  merchant,
		currency:  cfg.Currency,
		client:    transport.Client(cfg.HTTPClient),
		maxBody:   cfg.MaxResponseBytes,
		requireSA: cfg.RequireServerAuthorization,
	}}
	d := []string{"merchant", merchant.ID}
	if !cfg.Tenant.IsZero() {
		if p.tenant, err = cfg.Tenant.credentials("Tenant"); err != nil {
			return nil, err
		}
		p.hasTenant = true
		d = append(d, "tenant", p.tenant.ID)
	}
	p.Printed = secret.PrintAs("trustist.Client", append(d, "base", p.base)...)
	if p.currency.IsZero() {
		p.currency = money.MustCurrency("GBP")
	}
	if p.maxBody <= 0 {
		p.maxBody = transport.MaxResponseBytes
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	p.clock.Local = now
	if p.confirm, err = newConfirmations(&cfg, now); err != nil {
		return nil, err
	}
	return p, nil
}

// Account implements provider.Accounted: the merchant key's Hawk id (Trustist's "public
// key", never the private key), so that the journal entries of Gateways for different
// merchants sharing one journal stay apart. A Gateway finds only the entries made under
// the merchant key it was given: settle or abandon uncertain payments before moving to a
// new merchant key.
func (p *Client) Account() string { return p.merchant.ID }

// Name implements provider.Provider.
func (p *Client) Name() string { return Name }

// Capabilities implements provider.Provider. Pay, GetPayment and notifications are always
// supported; customers and interactive account verification need a tenant key. Refunds,
// payouts and non-interactive account verification are not offered by the Trustist API.
func (p *Client) Capabilities() provider.Capabilities {
	unavailable := []provider.Operation{provider.OpVerifyAccount}
	notes := map[provider.Operation]string{
		provider.OpRefund:          "Trustist publishes no refund endpoint",
		provider.OpPartialRefund:   "Trustist publishes no refund endpoint",
		provider.OpMultipleRefunds: "Trustist publishes no refund endpoint",
		provider.OpGetRefund:       "Trustist publishes no refund endpoint",
		provider.OpPayout:          "Trustist publishes no payout endpoint",
		provider.OpGetPayout:       "Trustist publishes no payout endpoint",
		provider.OpVerifyAccount: "Trustist verifies accounts only interactively, through an onboard session " +
			"in which the holder connects the account at their bank",
	}
	for _, op := range []provider.Operation{provider.OpCapture, provider.OpPartialCapture, provider.OpMultipleCaptures,
		provider.OpGetCapture, provider.OpVoid} {
		notes[op] = noCapture
	}
	for _, op := range []provider.Operation{provider.OpCreateMandate, provider.OpGetMandate, provider.OpCancelMandate, provider.OpCharge} {
		notes[op] = noMandates
	}
	notes[provider.OpLedger] = noLedger
	if !p.hasTenant {
		unavailable = append(unavailable, provider.OpGetAccountVerification, provider.OpCustomers)
		const why = "needs a Trustist tenant key (Config.Tenant), which this provider was not given"
		notes[provider.OpVerifyAccountInteractive] = why
		notes[provider.OpGetAccountVerification] = why
		notes[provider.OpCustomers] = why
	}
	return provider.Capabilities{InteractiveVerification: p.hasTenant, Unavailable: unavailable,
		Currencies: []money.Currency{p.currency}, Notes: notes,
		// A Trustist customer has names, emailAddress, dateOfBirth, an address and orgId;
		// there is no place for an external id or a phone number.
		CustomerFields: []string{"FirstName", "LastName", "Email", "DateOfBirth", "Address", "Group"},
		// POST /v1/payments has description and customerId [I]; no metadata, and no payer
		// phone, date of birth, national id or address on a hosted payment
		// (https://trustisttransfer.com/docs/create-payment-post; trustist.md §3.1).
		// An onboard session takes an existing customer's id (trustist.md §5.2), so
		// VerifyAccount can reuse a customer.
		RequestFields: []string{"PaymentRequest.Description", "PaymentRequest.CustomerID", "VerifyAccountRequest.CustomerID"}}
}

// Why Trustist offers no capture, mandate or ledger operations; doc.go gives the sources.
const (
	noCapture = "Trustist has no authorization hold: a payment completes when the payer approves it, " +
		"and no capture or void endpoint is published"
	noMandates = "Trustist's standing orders are set up and paid by the payer's bank; the merchant cannot charge " +
		"them, so they are not mandates (use (*trustist.Client).CreateStandingOrder through Gateway.As)"
	noLedger = "Trustist publishes no listing of payments or account movements to reconcile against"
)

// As implements provider.Provider; it sets a **Client target.
func (p *Client) As(target any) bool {
	if t, ok := target.(**Client); ok {
		*t = p
		return true
	}
	return false
}

// Close implements provider.Provider. It releases idle connections.
func (p *Client) Close() error {
	p.client.CloseIdleConnections()
	return nil
}

// ClockOffset returns the offset, in seconds, that the Client adds to its local clock
// for Hawk timestamps, learned from Trustist's authenticated stale-timestamp replies.
func (p *Client) ClockOffset() int64 { return p.clock.Offset() }

// HasTenantKey reports whether a tenant key was configured.
func (p *Client) HasTenantKey() bool { return p.hasTenant }
