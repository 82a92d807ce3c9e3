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

// blank reports whether a required value is empty or only white space. Trustly's Java
// client marks the required names and ids @NotBlank and refuses such a value before
// sending (project fact file trustly-jsonrpc.md §4, "req"); the adapter does the same.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// personAttributes checks and adds the person fields Trustly requires on Deposit and
// SelectAccount (names, country, locale) and the optional ones.
func personAttributes(field string, p *provider.Person, attrs map[string]any) error {
	if blank(p.ID) {
		return provider.FieldError(field+".ID", "is required: it is Trustly's EndUserID")
	}
	if blank(p.FirstName) {
		return provider.FieldError(field+".FirstName", "is required by Trustly")
	}
	if blank(p.LastName) {
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
	// Deposit has no description. Its one free-text attribute that reaches the merchant
	// is ExternalReference, which need not be unique and is shown in the settlement
	// report (API version 1.2, column extraref [I]) (https://docs.trustly.com/api/deposit;
	// Trustly's Java client, DepositRequestDataAttributes.java): Description goes there.
	optional(attrs, "ExternalReference", req.Description)
	if c.s.requestKYC {
		// A kyc notification before the deposit goes on
		// (https://eu.developers.trustly.com/doc/reference/kyc-notification).
		attrs["RequestKYC"] = "1"
	}
	attrs, err := runHook(req.BeforeSend, "Deposit", attrs, depositFixed)
	if err != nil {
		return nil, err
	}
	r := &rpc{method: "Deposit", uuid: c.requestUUID("Deposit", req.IdempotencyKey), write: true,
		person: "Payer",
		data: map[string]any{
			"NotificationURL": notifyURL,
			"EndUserID":       req.Payer.ID,
			"MessageID":       req.MerchantReference,
			"Attributes":      attrs,
		}}
	o, err := c.openOrder(ctx, r)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	// Trustly does not echo the amount: it is the fixed Attributes.Amount of the signed
	// request Trustly accepted.
	return &provider.Payment{ID: o.OrderID, Provider: Name, Status: provider.PaymentRequiresAction,
		RedirectURL: o.URL, Amount: req.Amount, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: now, UpdatedAt: now, Detailed: provider.Detailed{Detail: o}}, nil
}

// depositFixed are the Deposit attributes derived from the neutral request, which a
// BeforeSend hook cannot change.
var depositFixed = []string{"Currency", "Amount", "SuccessURL", "FailURL", "Firstname", "Lastname", "Country", "Locale",
	"Email", "MobilePhone", "NationalIdentificationNumber", "RequestKYC"}

// GetPayment implements provider.Provider. Trustly has no call that reads a deposit, so it
// always returns a NotSupported error; Capabilities lists OpGetPayment as Unavailable.
func (c *Client) GetPayment(context.Context, string) (*provider.Payment, error) {
	return nil, provider.NotSupportedf("Trustly has no call that reads a deposit back; use notifications")
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
