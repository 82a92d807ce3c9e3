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

// VerifyAccount implements provider.AccountVerifier for the interactive case only: it
// creates an onboard session with AIS options asking for one account (tenant key) and
// returns the session's onboardUrl as RedirectURL. The session is for the customer
// req.CustomerID names, or else for a customer created from req.Holder (names, e-mail,
// date of birth, address; a phone or national id, which a customer has no place for, is
// refused). With CustomerID the customer is used as it is: Holder's names, e-mail, date of
// birth, address, phone and national id are refused rather than dropped (change the
// customer with UpdateCustomer). The verification's ID is the session id, and its Detail
// the *OnboardSession; GetAccountVerification reads that session and the customer's bank
// accounts, and the session's tenant notifications become account.verified or
// account.failed events with that VerificationID.
//
// Bank details (req.Account) cannot be verified without the holder: NotSupported.
// The adapter keeps no idempotency state: the Gateway's operations journal answers a
// repeat with the same IdempotencyKey. A call that fails after the customer was created
// leaves an unused customer record at Trustist (no money moves). An answer that names the
// session but cannot be used (no onboardUrl) is UnknownOutcome with the session as its
// ObjectID, so a repeat through the Gateway settles by reading the session. One whose
// answer was lost entirely stays uncertain for its key: sessions carry no reference of the
// caller's and no listing of sessions is published, so the session cannot be found; start
// again with a new key (passing the same CustomerID, when there was one).
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
	var cust []byte
	if req.CustomerID != "" {
		if cust, err = existingCustomer(req); err != nil {
			return nil, err
		}
	} else if cust, err = holderCustomer(req.Holder); err != nil {
		return nil, err
	}
	// The customer and onboard-session bodies are not offered to the hook: it runs, and
	// its as function sets no target.
	if err := req.BeforeSend.Run(); err != nil {
		return nil, err
	}
	return p.startOnboarding(ctx, req.CustomerID, cust, req.ReturnURL)
}

// existingCustomer checks a request naming its customer; it returns no customer body.
func existingCustomer(req *provider.VerifyAccountRequest) ([]byte, error) {
	if err := checkID("CustomerID", req.CustomerID); err != nil {
		return nil, err
	}
	h := req.Holder
	for _, f := range []struct {
		name string
		set  bool
	}{{"FirstName", h.FirstName != ""}, {"LastName", h.LastName != ""}, {"Email", h.Email != ""},
		{"DateOfBirth", h.DateOfBirth != ""}, {"Address", h.Address != nil}, {"Phone", h.Phone != ""},
		{"NationalID", h.NationalID != ""}} {
		if f.set {
			return nil, provider.FieldError("Holder."+f.name, "is not sent when CustomerID names the customer, "+
				"whose record is used as it is; change it with UpdateCustomer")
		}
	}
	return nil, nil
}

// holderCustomer returns the body of a customer made from the holder.
func holderCustomer(h provider.Person) ([]byte, error) {
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
	return marshal(customerWire{FirstName: h.FirstName, LastName: h.LastName, EmailAddress: h.Email, DateOfBirth: h.DateOfBirth,
		Address: addr})
}

// startOnboarding creates the customer from customerBody unless customerID names one,
// then an AIS session for one account.
func (p *Client) startOnboarding(ctx context.Context, customerID string, customerBody []byte, returnURL string) (*provider.AccountVerification, error) {
	if customerID == "" {
		r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodPost, path: "/v1/customers", body: customerBody, write: true, what: "customer"})
		if err != nil {
			return nil, err
		}
		c, err := decodeCustomer(r)
		if err != nil {
			return nil, uncertainAnswer(r, err)
		}
		customerID = c.ID
	}
	body, err := sessionBody(&OnboardSessionRequest{CustomerID: customerID, ReturnURL: returnURL, AIS: &AISOptions{Accounts: true, AccountLimit: 1}})
	if err != nil {
		return nil, err
	}
	s, err := p.createSession(ctx, body)
	if err != nil {
		return nil, err
	}
	s.CustomerID = firstNonEmpty(s.CustomerID, customerID)
	s.AIS.Requested = true
	return &provider.AccountVerification{ID: s.ID, Provider: Name, Status: provider.VerificationRequiresAction,
		ProviderStatus: s.Status, RedirectURL: s.OnboardURL, CreatedAt: p.clock.Local().UTC(),
		Detailed: provider.Detailed{Detail: s}}, nil
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

// GetAccountVerification implements provider.AccountVerifier. id is the onboard session
// id VerifyAccount returned; the session is read, then the bank accounts of its customer.
// While the session is open the verification requires action, with RedirectURL set to its
// onboardUrl. Once it has ended, it is verified, with AccountID set to the account's
// Trustist id, when the customer completed it and connected an account (the account
// information check, where the session reports it, confirmed); otherwise it failed.
// Detail is the *OnboardSession.
//
// An id that names no session is read as the customer id earlier versions of this
// adapter returned: the verification is then verified once that customer has connected an
// account, pending until then.
func (p *Client) GetAccountVerification(ctx context.Context, id string) (*provider.AccountVerification, error) {
	s, err := p.GetOnboardSession(ctx, id)
	if provider.CodeOf(err) == provider.NotFound {
		return p.customerVerification(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	v := &provider.AccountVerification{ID: id, Provider: Name, Status: provider.VerificationPending, ProviderStatus: s.Status,
		CreatedAt: s.Created, Detailed: provider.Detailed{Detail: s}}
	switch {
	case !s.Final():
		if s.OnboardURL != "" {
			v.Status, v.RedirectURL = provider.VerificationRequiresAction, s.OnboardURL
		}
		return v, nil
	case !s.Completed() || (s.AIS.Confirmed != nil && !s.AIS.Passed()) || s.CustomerID == "":
		v.Status = provider.VerificationFailed
		return v, nil
	}
	accounts, err := p.BankAccounts(ctx, s.CustomerID)
	if err != nil {
		return nil, err
	}
	v.Status = provider.VerificationFailed
	if len(accounts) > 0 {
		// [I] Accounts carry no session id: the latest connected is this session's.
		a := accounts[len(accounts)-1]
		v.Status, v.AccountID, v.BankName, v.Last4 = provider.VerificationVerified, a.ID, a.BankName, a.Last4()
	}
	return v, nil
}

// customerVerification reads a verification by the customer's id: verified once the
// customer has connected an account, pending until then.
func (p *Client) customerVerification(ctx context.Context, id string) (*provider.AccountVerification, error) {
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
