package trustly

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

var localeRE = regexp.MustCompile(`^[a-z]{2}_[A-Z]{2}$`)

// trustlyLocale converts "sv-SE" or "sv_SE" to Trustly's "sv_SE".
func trustlyLocale(l string) (string, bool) {
	l = strings.Replace(l, "-", "_", 1)
	return l, localeRE.MatchString(l)
}

// checkNotificationURL applies Trustly's rules to a NotificationURL before sending: an
// absolute https URL (http only on a loopback host, for local testing) without a query.
func checkNotificationURL(field, raw string) error {
	if raw == "" {
		return provider.FieldError(field, "is required (or Config.NotificationURL): Trustly reports outcomes only by notification")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return provider.FieldError(field, "must be an absolute URL")
	}
	if strings.Contains(raw, "?") {
		return provider.FieldError(field, "must not contain '?': Trustly does not support a query in the notification URL")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && transport.IsLoopback(u.Hostname())) {
		return provider.FieldError(field, "must be https (Trustly error 734)")
	}
	return nil
}

// personAttributes checks and adds the person fields Trustly requires on Deposit and
// SelectAccount (names, country, locale) and the optional ones.
func personAttributes(field string, p *provider.Person, attrs map[string]any) error {
	if p.ID == "" {
		return provider.FieldError(field+".ID", "is required: it is Trustly's EndUserID")
	}
	if p.FirstName == "" {
		return provider.FieldError(field+".FirstName", "is required by Trustly")
	}
	if p.LastName == "" {
		return provider.FieldError(field+".LastName", "is required by Trustly")
	}
	if p.Country == "" {
		return provider.FieldError(field+".Country", "is required by Trustly")
	}
	if p.Locale == "" {
		return provider.FieldError(field+".Locale", "is required by Trustly")
	}
	loc, ok := trustlyLocale(p.Locale)
	if !ok {
		return provider.FieldError(field+".Locale", "must be language_TERRITORY for Trustly, e.g. sv_SE")
	}
	attrs["Firstname"] = p.FirstName
	attrs["Lastname"] = p.LastName
	attrs["Country"] = strings.ToUpper(p.Country)
	attrs["Locale"] = loc
	optional(attrs, "Email", p.Email)
	optional(attrs, "MobilePhone", p.Phone)
	optional(attrs, "IP", p.IP)
	optional(attrs, "NationalIdentificationNumber", p.NationalID)
	return nil
}

// notificationURL returns the request's NotificationURL or the configured default.
func (c *Client) notificationURL(u string) string {
	if u == "" {
		return c.s.notifyURL
	}
	return u
}

func optional(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func resultText(res *wire.Result, key string) string {
	m, _ := res.Data.(map[string]any)
	s, _ := wire.Scalar(m[key])
	return s
}

// maxAmount bounds every amount the Client sends, in major units. Trustly documents no
// limit; this ceiling refuses a misplaced decimal point or a corrupted amount before
// anything is sent, and is far above any single bank transfer Trustly carries.
const maxAmount = "10000000"

// checkAmount refuses an amount above maxAmount.
func checkAmount(field string, a money.Amount) error {
	if c, err := a.Cmp(money.MustNew(maxAmount, a.Currency().String())); err != nil || c > 0 {
		return provider.FieldError(field, "is above %s %s, the most this adapter sends in one request", maxAmount, a.Currency())
	}
	return nil
}

func badAnswer(method, what string) error {
	return &provider.Error{Code: provider.Internal, Message: "Trustly's " + method + " answer has no " + what}
}

// Pay implements provider.Provider with a Deposit.
func (c *Client) Pay(ctx context.Context, req *provider.PaymentRequest) (*provider.Payment, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	notifyURL := c.notificationURL(req.NotificationURL)
	if err := checkNotificationURL("NotificationURL", notifyURL); err != nil {
		return nil, err
	}
	attrs := map[string]any{
		"Currency":   req.Amount.Currency().String(),
		"Amount":     req.Amount.Fixed(),
		"SuccessURL": req.ReturnURL,
		"FailURL":    req.CancelURL,
	}
	if req.CancelURL == "" {
		attrs["FailURL"] = req.ReturnURL
	}
	if err := personAttributes("Payer", &req.Payer, attrs); err != nil {
		return nil, err
	}
	optional(attrs, "ShopperStatement", c.s.statement)
	if c.s.requestKYC {
		// A kyc notification before the deposit goes on
		// (https://eu.developers.trustly.com/doc/reference/kyc-notification).
		attrs["RequestKYC"] = "1"
	}
	r := &rpc{method: "Deposit", uuid: c.requestUUID("Deposit", req.IdempotencyKey), write: true,
		person: "Payer",
		data: map[string]any{
			"NotificationURL": notifyURL,
			"EndUserID":       req.Payer.ID,
			"MessageID":       req.MerchantReference,
			"Attributes":      attrs,
		}}
	res, err := c.call(ctx, r)
	if err != nil {
		return nil, err
	}
	orderID, redirect := resultText(res, "orderid"), resultText(res, "url")
	if orderID == "" {
		return nil, badAnswer("Deposit", "orderid")
	}
	if redirect == "" {
		return nil, badAnswer("Deposit", "url")
	}
	now := time.Now()
	// Trustly does not echo the amount: it is the fixed Attributes.Amount of the signed
	// request Trustly accepted.
	return &provider.Payment{ID: orderID, Provider: Name, Status: provider.PaymentRequiresAction,
		RedirectURL: redirect, Amount: req.Amount, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: now, UpdatedAt: now}, nil
}

// GetPayment implements provider.Provider. Trustly has no call that reads a deposit, so it
// always returns a NotSupported error; Capabilities does not list OpGetPayment.
func (c *Client) GetPayment(context.Context, string) (*provider.Payment, error) {
	return nil, provider.NotSupportedf("Trustly has no call that reads a deposit back; use notifications")
}

// Refund implements provider.Refunder with a Refund of the deposit's order.
//
// Trustly answers result "1" when it has accepted the refund. The refund is then queued
// until the deposit has settled and needs funds on the merchant account; it is not yet
// money returned, so the result is RefundPending. Trustly reports a refund that fails
// later with a credit notification (money back to the merchant).
func (c *Client) Refund(ctx context.Context, req *provider.RefundRequest) (*provider.Refund, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	var attrs map[string]any // sent as null when empty, as Trustly documents
	if req.MerchantReference != "" {
		attrs = map[string]any{"ExternalReference": req.MerchantReference}
	}
	id := c.requestUUID("Refund", req.IdempotencyKey)
	r := &rpc{method: "Refund", uuid: id, write: true, data: map[string]any{
		"OrderID":    req.PaymentID,
		"Amount":     req.Amount.Fixed(),
		"Currency":   req.Amount.Currency().String(),
		"Attributes": attrs,
	}}
	res, err := c.call(ctx, r)
	if err != nil {
		return nil, err
	}
	result := resultText(res, "result")
	if result != "1" {
		return nil, &provider.Error{Code: provider.Declined, ProviderCode: "result=" + result,
			Message: "Trustly did not accept the refund"}
	}
	// [I] Trustly's answer carries the deposit's orderid, not an id of the refund, so the
	// refund is identified by its request UUID, which the idempotency key determines.
	// Its outcome arrives as a notification on the deposit's order, which the Gateway's
	// journal lets VerifyNotification read as the refund's.
	return &provider.Refund{ID: id, Provider: Name, PaymentID: req.PaymentID, Status: provider.RefundPending,
		ProviderStatus: result, Amount: req.Amount, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: time.Now()}, nil
}

// GetRefund implements provider.Refunder. Trustly has no call that reads a refund, so it
// always returns a NotSupported error; Capabilities does not list OpGetRefund.
func (c *Client) GetRefund(context.Context, string) (*provider.Refund, error) {
	return nil, provider.NotSupportedf("Trustly has no call that reads a refund back; use notifications")
}

// Payout implements provider.Payouter with an AccountPayout. An accepted payout is
// PayoutPending: Trustly executes it later and reports it by notification.
func (c *Client) Payout(ctx context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	if req.Payee.ID == "" {
		return nil, provider.FieldError("Payee.ID", "is required: it is Trustly's EndUserID and must be the one the account was registered for")
	}
	notifyURL := c.notificationURL(req.NotificationURL)
	if err := checkNotificationURL("NotificationURL", notifyURL); err != nil {
		return nil, err
	}
	attrs := map[string]any{}
	statement := req.Description
	if statement == "" {
		statement = c.s.statement
	}
	if statement == "" {
		// [I] Trustly's AccountPayout requires Attributes.ShopperStatement: its Java client
		// (github.com/trustly/trustly-client-java) marks it required in AccountPayout's attributes.
		return nil, provider.FieldError("Description", "is required by Trustly as the payout's shopper statement (or set Config.ShopperStatement)")
	}
	attrs["ShopperStatement"] = statement
	r := &rpc{method: "AccountPayout", uuid: c.requestUUID("AccountPayout", req.IdempotencyKey), write: true,
		person: "Payee",
		data: map[string]any{
			"NotificationURL": notifyURL,
			"AccountID":       req.AccountID,
			"EndUserID":       req.Payee.ID,
			"MessageID":       req.MerchantReference,
			"Amount":          req.Amount.Fixed(),
			"Currency":        req.Amount.Currency().String(),
			"Attributes":      attrs,
		}}
	res, err := c.call(ctx, r)
	if err != nil {
		return nil, err
	}
	orderID, result := resultText(res, "orderid"), resultText(res, "result")
	if orderID == "" {
		return nil, badAnswer("AccountPayout", "orderid")
	}
	if result != "1" {
		return nil, &provider.Error{Code: provider.Declined, ProviderCode: "result=" + result,
			Message: "Trustly did not accept the payout (order " + orderID + ")"}
	}
	return &provider.Payout{ID: orderID, Provider: Name, Status: provider.PayoutPending, ProviderStatus: result,
		Amount: req.Amount, AccountID: req.AccountID, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: time.Now()}, nil
}

// GetPayout implements provider.Payouter. Trustly has no call that reads a payout as an
// order, so it always returns a NotSupported error; see GetWithdrawals for the transfer
// state.
func (c *Client) GetPayout(context.Context, string) (*provider.Payout, error) {
	return nil, provider.NotSupportedf("Trustly has no call that reads a payout back; use notifications or GetWithdrawals")
}

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
	if h.ID == "" {
		return nil, provider.FieldError("Holder.ID", "is required: it is Trustly's EndUserID")
	}
	if h.FirstName == "" {
		return nil, provider.FieldError("Holder.FirstName", "is required by Trustly")
	}
	if h.LastName == "" {
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
	r := &rpc{method: "SelectAccount", uuid: c.requestUUID("SelectAccount", req.IdempotencyKey), write: true,
		person: "Holder",
		data: map[string]any{
			"NotificationURL": notifyURL,
			"EndUserID":       req.Holder.ID,
			"MessageID":       selectAccountMessageID(req),
			"Attributes":      attrs,
		}}
	res, err := c.call(ctx, r)
	if err != nil {
		return nil, err
	}
	orderID, redirect := resultText(res, "orderid"), resultText(res, "url")
	if orderID == "" || redirect == "" {
		return nil, badAnswer("SelectAccount", "orderid and url")
	}
	return &provider.AccountVerification{ID: orderID, Provider: Name, Status: provider.VerificationRequiresAction,
		RedirectURL: redirect, CreatedAt: time.Now()}, nil
}

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

// ibanClearingHouses maps IBAN country codes to Trustly ClearingHouse names ("typically
// the name of a country in uppercase letters"). [I] The names beyond SWEDEN are read from
// that rule; set BankAccount.ClearingSystem to override.
var ibanClearingHouses = map[string]string{
	"AT": "AUSTRIA", "BE": "BELGIUM", "BG": "BULGARIA", "HR": "CROATIA", "CY": "CYPRUS",
	"CZ": "CZECH_REPUBLIC", "DK": "DENMARK", "EE": "ESTONIA", "FI": "FINLAND", "FR": "FRANCE",
	"DE": "GERMANY", "GR": "GREECE", "HU": "HUNGARY", "IE": "IRELAND", "IT": "ITALY",
	"LV": "LATVIA", "LT": "LITHUANIA", "LU": "LUXEMBOURG", "MT": "MALTA", "NL": "NETHERLANDS",
	"NO": "NORWAY", "PL": "POLAND", "PT": "PORTUGAL", "RO": "ROMANIA", "SK": "SLOVAKIA",
	"SI": "SLOVENIA", "ES": "SPAIN", "SE": "SWEDEN", "GB": "UNITED_KINGDOM",
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
