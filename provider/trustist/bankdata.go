package trustist

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/internal/pairs"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/secret"
)

// Tenant-key permissions, as the permission table of Trustist's Getting Started page
// spells them (https://api.trustistecommerce.com/docs; seeds/000_1ca3eb1c59a2859d.txt).
// A call that needs one of them and is answered 403 returns a PermissionDenied error
// whose Err is a *PermissionError naming it.
const (
	// PermissionReadBankAccounts: "View customer bank accounts from AIS".
	PermissionReadBankAccounts = "read_customer_bank_accounts"
	// PermissionManageWebhooks: "Register and manage webhook endpoints".
	PermissionManageWebhooks = "manage_webhooks"
	// PermissionCreateCustomer: "Create new customer records" (POST /v1/customers).
	PermissionCreateCustomer = "create_customer"
	// PermissionReadCustomers: "Retrieve customer information" (GET /v1/customers/{id};
	// the listing is taken to need it too [I]: Trustist names no permission for it).
	PermissionReadCustomers = "read_customers"
	// PermissionUpdateCustomer: PUT /v1/customers/{id}'s "Required Permissions"
	// (seeds/001_1eb0bb4efbdacf58.txt).
	PermissionUpdateCustomer = "update_customer"
)

// PermissionError is the Err of the PermissionDenied error a call returns when
// Trustist answers 403 and the adapter knows which permission the endpoint needs: the
// key lacks Permission. Find it with errors.As.
type PermissionError struct {
	// Permission is the permission's name, one of the Permission constants.
	Permission string
}

// Error says which permission the key lacks.
func (e *PermissionError) Error() string {
	return "the key lacks the Trustist permission " + e.Permission
}

// BankAccount is a bank account a customer connected during an onboard session, with
// the details the customer-bank-accounts page says the API returns: "account numbers,
// sort codes, IBANs" and holder names
// (https://api.trustistecommerce.com/docs/customer-bank-accounts). The members' JSON
// names are not published [X]; [I] the adapter reads the common ones (see doc.go).
//
// The account number, the IBAN and the holder's name are personal data: a BankAccount
// prints and logs as its id, bank, sort code, currency and the last four digits of the
// account number only, under every fmt verb and in log/slog. The slice BankAccounts
// returns does not: slog's JSON handler encodes a slice with encoding/json, in full, so
// log the accounts one by one.
type BankAccount struct {
	// ID is Trustist's id of the connected account.
	ID string
	// BankName is the bank (the AIS provider), when given.
	BankName string
	// HolderName is the account holder's name, when given.
	HolderName string
	// AccountName is the account's own name (such as "Current Account"), when given.
	AccountName string
	// SortCode, AccountNumber and IBAN identify the account, as far as given.
	SortCode      string
	AccountNumber string
	IBAN          string
	// Currency is the account's currency; zero when not given or not a known code.
	Currency money.Currency
	// Connected is when the customer connected the account, when given.
	Connected time.Time
	// Raw is the account's JSON as received, for members this type does not name.
	Raw json.RawMessage
}

// Last4 returns the last four digits of the account number, else of the IBAN.
func (a BankAccount) Last4() string {
	return lastDigits(firstNonEmpty(a.AccountNumber, a.IBAN), 4)
}

// describe is how a BankAccount prints: never its account number, IBAN or holder.
func (a BankAccount) describe() secret.Opaque {
	d := pairs.Redacted([]string{"id", a.ID, "bank", a.BankName, "sortCode", a.SortCode, "account", "****" + a.Last4()},
		"holder", a.HolderName)
	if !a.Currency.IsZero() {
		d = append(d, "currency", a.Currency.String())
	}
	return secret.Describe("trustist.BankAccount", d...)
}

// String shows the account masked.
func (a BankAccount) String() string { return a.describe().String() }

// GoString shows the account masked.
func (a BankAccount) GoString() string { return a.describe().GoString() }

// Format prints the account masked, whatever the verb.
func (a BankAccount) Format(f fmt.State, verb rune) { a.describe().Format(f, verb) }

// LogValue logs the account masked. Unlike Payment's, it takes the value, so that an
// account logged by value is masked by every slog handler (a JSON handler would
// otherwise marshal its fields).
func (a BankAccount) LogValue() slog.Value { return a.describe().LogValue() }

// bankAccountWire reads the members a connected account is likely to carry. [I] The
// field list is not published; the names below are the common ones for AIS accounts.
type bankAccountWire struct {
	ID                  string `json:"id"`
	AccountID           string `json:"accountId"`
	BankName            string `json:"bankName"`
	ProviderName        string `json:"providerName"`
	InstitutionName     string `json:"institutionName"`
	AccountName         string `json:"accountName"`
	HolderName          string `json:"holderName"`
	AccountHolderName   string `json:"accountHolderName"`
	SortCode            string `json:"sortCode"`
	AccountNumber       string `json:"accountNumber"`
	MaskedAccountNumber string `json:"maskedAccountNumber"`
	IBAN                string `json:"iban"`
	Currency            string `json:"currency"`
	Connected           string `json:"connected"`
	Created             string `json:"created"`
}

func (w *bankAccountWire) account(raw json.RawMessage) BankAccount {
	a := BankAccount{ID: firstNonEmpty(w.ID, w.AccountID), BankName: firstNonEmpty(w.BankName, w.ProviderName, w.InstitutionName),
		HolderName: firstNonEmpty(w.HolderName, w.AccountHolderName), AccountName: w.AccountName, SortCode: w.SortCode,
		AccountNumber: firstNonEmpty(w.AccountNumber, w.MaskedAccountNumber), IBAN: w.IBAN,
		Connected: parseTime(firstNonEmpty(w.Connected, w.Created)), Raw: json.RawMessage(bytes.Clone(raw))}
	if c, err := money.ParseCurrency(w.Currency); err == nil {
		a.Currency = c
	}
	return a
}

// BankAccounts returns the bank accounts a customer connected in onboard sessions, with
// their details: GET /api/customers/{customerId}/bank-accounts with the tenant key
// (permission read_customer_bank_accounts). An unknown customer returns NotFound.
func (p *Client) BankAccounts(ctx context.Context, customerID string) ([]BankAccount, error) {
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	if err := checkID("customerID", customerID); err != nil {
		return nil, err
	}
	path := fmt.Sprintf(BankAccountsPathFormat, url.PathEscape(customerID))
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodGet, path: path, what: "customer",
		permission: PermissionReadBankAccounts})
	if err != nil {
		return nil, err
	}
	list, err := listAnswer[json.RawMessage](r, "the answer holds no array of bank accounts",
		"accounts", "bankaccounts", "items", "data", "results", "value")
	if err != nil {
		return nil, badAnswer(r, err)
	}
	out := make([]BankAccount, 0, len(list))
	for _, raw := range list {
		var w bankAccountWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, badAnswer(r, err)
		}
		if a := w.account(raw); a.ID != "" {
			out = append(out, a)
		}
	}
	return out, nil
}
