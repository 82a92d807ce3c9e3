package trustist

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/paybridge/paybridge/provider"
)

// BankAccountsPathFormat is the path of a customer's connected bank accounts, with %s for
// the escaped customer id. It is printed with an /api/ prefix, unlike every other
// endpoint's /v1/, on the customer-bank-accounts page. [I] The prefix is as published and
// unconfirmed against the sandbox.
const BankAccountsPathFormat = "/api/customers/%s/bank-accounts"

// onboardRequestWire is the body of POST /v1/onboard/sessions.
type onboardRequestWire struct {
	CustomerID string         `json:"customerId"`
	Options    onboardOptions `json:"options"`
	ReturnURL  string         `json:"returnUrl,omitempty"`
}

type onboardOptions struct {
	AIS aisOptions `json:"ais"`
}

// aisOptions asks for account information: here the accounts only, and one of them.
type aisOptions struct {
	Accounts     bool `json:"accounts"`
	AccountLimit int  `json:"accountLimit"`
}

type onboardSessionWire struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	OnboardURL string `json:"onboardUrl"`
}

// VerifyAccount implements provider.AccountVerifier for the interactive case only: it
// creates a customer for req.Holder (names, e-mail, date of birth, address; a phone or
// national id, which a customer has no place for, is refused) and an onboard session
// with AIS options asking for one account, both with the tenant key, and returns the
// session's onboardUrl as RedirectURL. The verification's ID is the new customer's id;
// GetAccountVerification reads that customer's connected bank accounts.
//
// Bank details (req.Account) cannot be verified without the holder: NotSupported.
// The adapter keeps no idempotency state: the Gateway's operations journal answers a
// repeat with the same IdempotencyKey. A call that fails after the customer was created
// leaves an unused customer record at Trustist (no money moves). One whose answer was lost
// (UnknownOutcome) stays uncertain for its key, since neither an onboard session look-up
// nor a verifiable session notification exists: start again with a new key.
func (p *Client) VerifyAccount(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	if !req.Account.IsZero() {
		return nil, provider.NotSupportedf("Trustist verifies accounts only interactively: leave Account empty and send the holder to the returned RedirectURL")
	}
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	u, err := url.Parse(req.ReturnURL)
	if req.ReturnURL == "" || err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, provider.FieldError("ReturnURL", "must be an absolute https URL (Trustist onboarding requires one)")
	}
	h := req.Holder
	if h.Phone != "" {
		return nil, provider.FieldError("Holder.Phone", noPhone)
	}
	if h.NationalID != "" {
		return nil, provider.FieldError("Holder.NationalID", "has no place in a Trustist customer (no national id field is documented)")
	}
	addr, err := toAddressWire(h.Address)
	if err != nil {
		if pe := (*provider.Error)(nil); errors.As(err, &pe) {
			pe.Field = "Holder." + pe.Field
		}
		return nil, err
	}
	// The customer and onboard-session bodies are not offered to the hook: it runs, and
	// its as function sets no target.
	if err := req.BeforeSend.Run(); err != nil {
		return nil, err
	}
	cust, err := marshal(customerWire{FirstName: h.FirstName, LastName: h.LastName, EmailAddress: h.Email, DateOfBirth: h.DateOfBirth,
		Address: addr})
	if err != nil {
		return nil, err
	}
	return p.startOnboarding(ctx, cust, req.ReturnURL)
}

func (p *Client) startOnboarding(ctx context.Context, customerBody []byte, returnURL string) (*provider.AccountVerification, error) {
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodPost, path: "/v1/customers", body: customerBody, write: true, what: "customer"})
	if err != nil {
		return nil, err
	}
	c, err := decodeCustomer(r)
	if err != nil {
		return nil, uncertainAnswer(r, err)
	}
	body, err := marshal(onboardRequestWire{CustomerID: c.ID, ReturnURL: returnURL,
		Options: onboardOptions{AIS: aisOptions{Accounts: true, AccountLimit: 1}}})
	if err != nil {
		return nil, err
	}
	r, err = p.send(ctx, call{scope: tenantKey, method: http.MethodPost, path: "/v1/onboard/sessions", body: body, write: true, what: "customer"})
	if err != nil {
		return nil, err
	}
	var s onboardSessionWire
	if err := decode(r, &s); err != nil || s.OnboardURL == "" {
		if err == nil {
			err = errorf("the answer carries no onboardUrl")
		}
		return nil, uncertainAnswer(r, err)
	}
	if u, err := url.Parse(s.OnboardURL); err != nil || !u.IsAbs() {
		return nil, uncertainAnswer(r, errorf("the onboardUrl is not an absolute URL"))
	}
	return &provider.AccountVerification{ID: c.ID, Provider: Name, Status: provider.VerificationRequiresAction,
		ProviderStatus: s.Status, RedirectURL: s.OnboardURL, CreatedAt: p.clock.Local().UTC()}, nil
}

// lastDigits returns the last n digits in s (masking characters skipped).
func lastDigits(s string, n int) string {
	var d []byte
	for i := len(s) - 1; i >= 0 && len(d) < n; i-- {
		if c := s[i]; c >= '0' && c <= '9' {
			d = append([]byte{c}, d...)
		}
	}
	return string(d)
}

// GetAccountVerification implements provider.AccountVerifier. id is the customer id
// VerifyAccount returned. The verification is verified, with AccountID set to the
// account's Trustist id, once the customer has connected an account; until then it is
// pending (the API publishes no session status call, so an abandoned session stays
// pending).
func (p *Client) GetAccountVerification(ctx context.Context, id string) (*provider.AccountVerification, error) {
	accounts, err := p.BankAccounts(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &provider.AccountVerification{ID: id, Provider: Name, Status: provider.VerificationPending, ProviderStatus: "no_account_connected"}
	if len(accounts) > 0 {
		a := accounts[len(accounts)-1]
		v.Status, v.ProviderStatus = provider.VerificationVerified, "account_connected"
		v.AccountID, v.BankName, v.Last4 = a.ID, a.BankName, a.Last4()
	}
	return v, nil
}
