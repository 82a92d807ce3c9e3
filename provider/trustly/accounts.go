package trustly

import (
	"context"
	"strings"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// VerifyAccount implements provider.AccountVerifier: RegisterAccount for bank details,
// SelectAccount (interactive) without them.
func (c *Client) VerifyAccount(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	if req.Account.IsZero() {
		return c.selectAccount(ctx, req)
	}
	return c.registerAccount(ctx, req)
}

func (c *Client) registerAccount(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	h := &req.Holder
	if blank(h.ID) {
		return nil, provider.FieldError("Holder.ID", "is required: it is Trustly's EndUserID")
	}
	if blank(h.FirstName) {
		return nil, provider.FieldError("Holder.FirstName", "is required by Trustly")
	}
	if blank(h.LastName) {
		return nil, provider.FieldError("Holder.LastName", "is required by Trustly")
	}
	house, bank, number, err := clearing(&req.Account, h.Country)
	if err != nil {
		return nil, err
	}
	attrs := map[string]any{}
	optional(attrs, "Email", h.Email)
	optional(attrs, "MobilePhone", h.Phone)
	optional(attrs, "NationalIdentificationNumber", h.NationalID)
	optional(attrs, "DateOfBirth", h.DateOfBirth)
	if a := h.Address; a != nil {
		optional(attrs, "AddressCountry", a.Country)
		optional(attrs, "AddressPostalCode", a.PostalCode)
		optional(attrs, "AddressCity", a.City)
		optional(attrs, "AddressLine1", a.Line1)
		optional(attrs, "AddressLine2", a.Line2)
	}
	attrs, err = runHook(req.BeforeSend, "RegisterAccount", attrs, nil)
	if err != nil {
		return nil, err
	}
	if len(attrs) == 0 {
		attrs = nil
	}
	r := &rpc{method: "RegisterAccount", uuid: c.requestUUID("RegisterAccount", req.IdempotencyKey), write: true, person: "Holder",
		data: map[string]any{
			"EndUserID":     h.ID,
			"ClearingHouse": house,
			"BankNumber":    bank,
			"AccountNumber": number,
			"Firstname":     h.FirstName,
			"Lastname":      h.LastName,
			"Attributes":    attrs,
		}}
	res, err := c.call(ctx, r)
	if err != nil {
		if pe, ok := err.(*provider.Error); ok && pe.Code == provider.InvalidRequest && pe.Field == "" {
			pe.Field = "Account"
		}
		return nil, err
	}
	accountID := resultText(res, "accountid")
	if accountID == "" {
		return nil, badAnswer("RegisterAccount", "accountid")
	}
	// RegisterAccount checks the format of the details and registers them; it does not
	// prove ownership. Verified here means the accountid can receive AccountPayouts.
	return &provider.AccountVerification{ID: accountID, Provider: Name, Status: provider.VerificationVerified,
		ProviderStatus: "registered", AccountID: accountID, BankName: resultText(res, "bank"),
		Last4: req.Account.Last4(), CreatedAt: time.Now()}, nil
}

func (c *Client) selectAccount(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	notifyURL := c.notificationURL(req.NotificationURL)
	if err := checkNotificationURL("NotificationURL", notifyURL); err != nil {
		return nil, err
	}
	attrs := map[string]any{"SuccessURL": req.ReturnURL, "FailURL": req.CancelURL}
	if req.CancelURL == "" {
		attrs["FailURL"] = req.ReturnURL
	}
	if err := personAttributes("Holder", &req.Holder, attrs); err != nil {
		return nil, err
	}
	optional(attrs, "DateOfBirth", req.Holder.DateOfBirth)
	attrs, err := runHook(req.BeforeSend, "SelectAccount", attrs, selectAccountFixed)
	if err != nil {
		return nil, err
	}
	r := &rpc{method: "SelectAccount", uuid: c.requestUUID("SelectAccount", req.IdempotencyKey), write: true,
		person: "Holder",
		data: map[string]any{
			"NotificationURL": notifyURL,
			"EndUserID":       req.Holder.ID,
			"MessageID":       selectAccountMessageID(req),
			"Attributes":      attrs,
		}}
	o, err := c.openOrder(ctx, r)
	if err != nil {
		return nil, err
	}
	return &provider.AccountVerification{ID: o.OrderID, Provider: Name, Status: provider.VerificationRequiresAction,
		RedirectURL: o.URL, CreatedAt: time.Now()}, nil
}

// selectAccountFixed are the SelectAccount attributes derived from the neutral request,
// which a BeforeSend hook cannot change.
var selectAccountFixed = []string{"SuccessURL", "FailURL", "Firstname", "Lastname", "Country", "Locale", "Email",
	"MobilePhone", "NationalIdentificationNumber", "DateOfBirth", "RequestDirectDebitMandate"}

// selectAccountMessageID is the MessageID of a SelectAccount: the MerchantReference, or
// one derived from the idempotency key when there is none.
func selectAccountMessageID(req *provider.VerifyAccountRequest) string {
	if req.MerchantReference != "" {
		return req.MerchantReference
	}
	return derivedMessageID("sa-", req.IdempotencyKey)
}

// ProviderReference implements provider.Referencer: the MessageID an interactive
// VerifyAccount sends, derived from the idempotency key when the request has no
// MerchantReference. The Gateway journals it before the request is sent, so that the
// account notification finds the call even when its answer is lost. Every other request
// sends its MerchantReference as MessageID (or ExternalReference), or none.
func (c *Client) ProviderReference(req any) string {
	if r, ok := req.(*provider.VerifyAccountRequest); ok && r.Account.IsZero() {
		return selectAccountMessageID(r)
	}
	return ""
}

// GetAccountVerification implements provider.AccountVerifier. Trustly has no call that
// reads an account selection, so it always returns a NotSupported error; the account
// notification reports the result.
func (c *Client) GetAccountVerification(context.Context, string) (*provider.AccountVerification, error) {
	return nil, provider.NotSupportedf("Trustly has no call that reads an account selection back; use the account notification")
}

// clearing derives ClearingHouse, BankNumber and AccountNumber from a bank account: an
// IBAN goes with an empty BankNumber; a domestic account number with its routing code
// (Swedish clearing number, UK sort code) as BankNumber.
func clearing(a *provider.BankAccount, holderCountry string) (house, bank, number string, err error) {
	country := strings.ToUpper(a.Country)
	if country == "" {
		country = strings.ToUpper(holderCountry)
	}
	if a.IBAN != "" {
		iban := strings.ToUpper(a.IBAN)
		house = strings.ToUpper(a.ClearingSystem)
		if house == "" {
			if house = ibanClearingHouses[iban[:min(2, len(iban))]]; house == "" {
				return "", "", "", provider.FieldError("Account.ClearingSystem", "is required: no Trustly clearing house is known for IBAN country %q", iban[:min(2, len(iban))])
			}
		}
		return house, "", iban, nil
	}
	if a.RoutingNumber == "" {
		return "", "", "", provider.FieldError("Account.RoutingNumber", "is required with an account number (Swedish clearing number, UK sort code, ...)")
	}
	house = strings.ToUpper(a.ClearingSystem)
	if house == "" {
		if house = ibanClearingHouses[country]; house == "" {
			return "", "", "", provider.FieldError("Account.ClearingSystem", "is required: set Account.Country or the clearing house name")
		}
	}
	return house, strings.ReplaceAll(a.RoutingNumber, "-", ""), a.AccountNumber, nil
}
