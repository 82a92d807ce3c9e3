package trustist

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Tenant-key permissions, as the permission table of Trustist's Getting Started page
// spells them (https://api.trustistecommerce.com/docs; seeds/000_1ca3eb1c59a2859d.txt).
// A call that needs one of them and is answered 403 returns a PermissionDenied error
// whose Err is a *PermissionError naming it.
const (
	// PermissionReadBankAccounts: "View customer bank accounts from AIS".
	PermissionReadBankAccounts = "read_customer_bank_accounts"
	// PermissionReadBankBalances: "Retrieve customer bank account balances".
	PermissionReadBankBalances = "read_customer_bank_account_balances"
	// PermissionReadBankTransactions: "Access customer transaction history".
	PermissionReadBankTransactions = "read_customer_bank_account_transactions"
	// PermissionManageWebhooks: "Register and manage webhook endpoints".
	PermissionManageWebhooks = "manage_webhooks"
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

// Paths of the account-information endpoints, with %s for the escaped customer id and
// then the escaped account id. The customer-bank-accounts page
// (https://api.trustistecommerce.com/docs/customer-bank-accounts; trustist.md §5.3) says
// that balances and paginated transactions are read through "the bank account endpoints"
// but the part of the page that shows them could not be found [X]. [I] They are taken
// to sit below the one path it prints, BankAccountsPathFormat, as
// /{accountId}/balances and /{accountId}/transactions.
const (
	BankBalancesPathFormat     = BankAccountsPathFormat + "/%s/balances"
	BankTransactionsPathFormat = BankAccountsPathFormat + "/%s/transactions"
)

// BankAccount is a bank account a customer connected during an onboard session, with
// the details the customer-bank-accounts page says the API returns: "account numbers,
// sort codes, IBANs" and holder names
// (https://api.trustistecommerce.com/docs/customer-bank-accounts). The members' JSON
// names are not published [X]; [I] the adapter reads the common ones (see doc.go).
//
// The account number, the IBAN and the holder's name are personal data: a BankAccount
// prints and logs as its id, bank, sort code, currency and the last four digits of the
// account number only, under every fmt verb and in log/slog.
type BankAccount struct {
	// ID is Trustist's id of the connected account, which AccountBalances and
	// Transactions take.
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
	d := []string{"id", a.ID, "bank", a.BankName, "sortCode", a.SortCode, "account", "****" + a.Last4()}
	if a.HolderName != "" {
		d = append(d, "holder", secret.Redacted)
	}
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

// Balances are a connected account's balances, as Trustist read them from the bank.
type Balances struct {
	// AccountID is the connected account's id.
	AccountID string
	// Current is the booked balance; negative when overdrawn.
	Current money.Amount
	// Available is the balance available to spend, when given (else IsValid is false).
	Available money.Amount
	// Updated is when the bank last updated the balances, when given.
	Updated time.Time
	// Raw is the answer's JSON as received.
	Raw json.RawMessage
}

// balancesWire reads a balances answer. [I] No member names are published [X]. Trustist
// reads the data through Token.io, whose balance object carries current and available
// as {currency, value} with the value a decimal string, and updatedAtMs
// (https://developer-beta.token.io/elavonfs_rest_api_doc/content/e-rest/swagger/accounts.htm);
// the adapter reads that shape, a bare number or string for either amount, with a
// currency member beside them, and updated as an ISO-8601 time.
type balancesWire struct {
	AccountID   string     `json:"accountId"`
	Current     amountWire `json:"current"`
	Available   amountWire `json:"available"`
	Currency    string     `json:"currency"`
	Updated     string     `json:"updated"`
	UpdatedAtMs string     `json:"updatedAtMs"`
}

// amountWire is an amount given as a JSON number, a decimal string, or an object
// {value|amount, currency}. The number's text is kept exactly; it is never a float.
type amountWire struct {
	n        json.Number
	currency string
}

func (a *amountWire) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '{':
		var o struct {
			Value    json.Number `json:"value"`
			Amount   json.Number `json:"amount"`
			Currency string      `json:"currency"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		a.n, a.currency = json.Number(firstNonEmpty(string(o.Value), string(o.Amount))), o.Currency
		return nil
	}
	// A json.Number takes a number, or a string holding one.
	return json.Unmarshal(b, &a.n)
}

// amount converts a to an Amount, in a's own currency, else fallback's.
func (a amountWire) amount(fallback money.Currency) (money.Amount, error) {
	cur := fallback
	if a.currency != "" {
		c, err := money.ParseCurrency(a.currency)
		if err != nil {
			return money.Amount{}, err
		}
		cur = c
	}
	return parseAmount(a.n, cur)
}

// AccountBalances returns the balances of the account accountID that customer
// customerID connected: GET /api/customers/{customerId}/bank-accounts/{accountId}/balances
// with the tenant key (permission read_customer_bank_account_balances). [I] The path and
// the answer's members are inferred (see BankBalancesPathFormat and doc.go). An unknown
// customer or account returns NotFound; a key without the permission returns
// PermissionDenied wrapping a *PermissionError.
func (p *Client) AccountBalances(ctx context.Context, customerID, accountID string) (*Balances, error) {
	path, err := p.accountPath(BankBalancesPathFormat, customerID, accountID)
	if err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodGet, path: path, what: "bank account",
		permission: PermissionReadBankBalances})
	if err != nil {
		return nil, err
	}
	var w balancesWire
	if err := decode(r, &w); err != nil {
		return nil, badAnswer(r, err)
	}
	if w.AccountID != "" && w.AccountID != accountID {
		// An answer about another account (a caching proxy, a routing fault) must not
		// stand for this one.
		return nil, badAnswer(r, errorf("the answer describes account %s", quote(w.AccountID)))
	}
	cur, err := p.answerCurrency(w.Currency)
	if err != nil {
		return nil, badAnswer(r, err)
	}
	b := &Balances{AccountID: firstNonEmpty(w.AccountID, accountID), Updated: parseTime(w.Updated),
		Raw: json.RawMessage(bytes.Clone(r.body))}
	if b.Current, err = w.Current.amount(cur); err != nil {
		return nil, badAnswer(r, fmt.Errorf("the current balance: %w", err))
	}
	if w.Available.n != "" {
		if b.Available, err = w.Available.amount(cur); err != nil {
			return nil, badAnswer(r, fmt.Errorf("the available balance: %w", err))
		}
	}
	if b.Updated.IsZero() && w.UpdatedAtMs != "" {
		if ms, err := strconv.ParseInt(w.UpdatedAtMs, 10, 64); err == nil {
			b.Updated = time.UnixMilli(ms).UTC()
		}
	}
	return b, nil
}

// accountPath checks the ids and fills format with them, escaped.
func (p *Client) accountPath(format, customerID, accountID string) (string, error) {
	if !p.hasTenant {
		return "", errNoTenant()
	}
	if err := checkID("customerID", customerID); err != nil {
		return "", err
	}
	if err := checkID("accountID", accountID); err != nil {
		return "", err
	}
	return fmt.Sprintf(format, url.PathEscape(customerID), url.PathEscape(accountID)), nil
}

// Transaction is one movement on a connected account.
type Transaction struct {
	ID string
	// Amount is signed: negative for money leaving the account (a debit).
	Amount money.Amount
	// Type is the answer's direction text (CREDIT, DEBIT), when given.
	Type string
	// Status is the answer's status text (BOOKED, PENDING, ...), when given.
	Status string
	// Description is the bank's text for the movement; it may name people.
	Description string
	// Booked is when the movement was booked, when given.
	Booked time.Time
	// Raw is the transaction's JSON as received.
	Raw json.RawMessage
}

// describe is how a Transaction prints: never its description, which may name people.
func (t Transaction) describe() secret.Opaque {
	d := []string{"id", t.ID, "amount", t.Amount.String()}
	if !t.Booked.IsZero() {
		d = append(d, "booked", t.Booked.Format(time.RFC3339))
	}
	return secret.Describe("trustist.Transaction", d...)
}

// String shows the transaction's id, amount and booking time only.
func (t Transaction) String() string { return t.describe().String() }

// GoString shows the transaction's id, amount and booking time only.
func (t Transaction) GoString() string { return t.describe().GoString() }

// Format prints the transaction's id, amount and booking time only, whatever the verb.
func (t Transaction) Format(f fmt.State, verb rune) { t.describe().Format(f, verb) }

// LogValue logs the transaction's id, amount and booking time only, whether the
// transaction is logged by value or by pointer.
func (t Transaction) LogValue() slog.Value { return t.describe().LogValue() }

// TransactionsRequest names the account whose transactions Transactions reads.
type TransactionsRequest struct {
	CustomerID string
	AccountID  string
	// PageSize is how many transactions each request asks for: 1 to MaxTransactionsPage,
	// default DefaultTransactionsPage. [I] The page size Trustist allows is not published.
	PageSize int
}

// Page sizes of Transactions. [I] Token.io, which Trustist reads the data through, takes
// fewer than 200 records a page
// (https://docs.token.io/products/tpp/api/reference/accounts/gatewayservice.gettransactions).
const (
	DefaultTransactionsPage = 100
	MaxTransactionsPage     = 199
)

// transactionPageWire is one page of transactions. [I] The member names and the paging
// protocol are not published [X]: the adapter sends pageSize and, from the second page,
// pageToken, and reads the transactions array (or items, data) and nextPageToken, empty
// or absent on the last page.
type transactionPageWire struct {
	NextPageToken string `json:"nextPageToken"`
}

// transactionWire is one transaction. [I] Token.io's shape is read (amount as
// {currency, value}, type CREDIT or DEBIT, status, description, createdAtMs); flat
// amounts, creditDebitIndicator and bookingDate are read too.
type transactionWire struct {
	ID                   string     `json:"id"`
	TransactionID        string     `json:"transactionId"`
	Amount               amountWire `json:"amount"`
	Currency             string     `json:"currency"`
	Type                 string     `json:"type"`
	CreditDebitIndicator string     `json:"creditDebitIndicator"`
	Status               string     `json:"status"`
	Description          string     `json:"description"`
	BookingDate          string     `json:"bookingDate"`
	CreatedAtMs          string     `json:"createdAtMs"`
}

func (p *Client) transaction(raw json.RawMessage) (Transaction, error) {
	var w transactionWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return Transaction{}, err
	}
	t := Transaction{ID: firstNonEmpty(w.ID, w.TransactionID), Type: firstNonEmpty(w.Type, w.CreditDebitIndicator),
		Status: w.Status, Description: w.Description, Booked: parseTime(w.BookingDate), Raw: json.RawMessage(bytes.Clone(raw))}
	if t.ID == "" {
		return Transaction{}, errorf("a transaction carries no id")
	}
	cur, err := p.answerCurrency(w.Currency)
	if err != nil {
		return Transaction{}, err
	}
	if t.Amount, err = w.Amount.amount(cur); err != nil {
		return Transaction{}, fmt.Errorf("transaction %s: %w", quote(t.ID), err)
	}
	// [I] A debit given as a positive amount is money out.
	if strings.EqualFold(t.Type, "DEBIT") && t.Amount.Sign() > 0 {
		t.Amount = money.FromMinorCurrency(-t.Amount.Minor(), t.Amount.Currency())
	}
	if t.Booked.IsZero() && w.CreatedAtMs != "" {
		if ms, err := strconv.ParseInt(w.CreatedAtMs, 10, 64); err == nil {
			t.Booked = time.UnixMilli(ms).UTC()
		}
	}
	return t, nil
}

// Transactions returns the transactions of a connected account, in the order Trustist
// gives them (the simulator: most recent first), reading page by page as the caller
// iterates:
// GET /api/customers/{customerId}/bank-accounts/{accountId}/transactions with the tenant
// key (permission read_customer_bank_account_transactions). [I] The path, the paging
// query and the answer's members are inferred (see transactionPageWire and doc.go).
//
// As Gateway.Ledger does, it yields an error as the sequence's last element: a request
// refused before sending (no tenant key, a bad id or page size) is the only element; an
// unknown customer or account is NotFound; a key without the permission is
// PermissionDenied wrapping a *PermissionError. Stopping the iteration early sends no
// further request.
func (p *Client) Transactions(ctx context.Context, req TransactionsRequest) iter.Seq2[Transaction, error] {
	fail := func(err error) iter.Seq2[Transaction, error] {
		return func(yield func(Transaction, error) bool) { yield(Transaction{}, err) }
	}
	path, err := p.accountPath(BankTransactionsPathFormat, req.CustomerID, req.AccountID)
	if err != nil {
		return fail(err)
	}
	size := req.PageSize
	if size == 0 {
		size = DefaultTransactionsPage
	}
	if size < 1 || size > MaxTransactionsPage {
		return fail(provider.FieldError("PageSize", "must be 1 to %d", MaxTransactionsPage))
	}
	return func(yield func(Transaction, error) bool) {
		token := ""
		seen := map[string]bool{}
		for {
			q := url.Values{"pageSize": {strconv.Itoa(size)}}
			if token != "" {
				q.Set("pageToken", token)
			}
			r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodGet, path: path, query: q, what: "bank account",
				permission: PermissionReadBankTransactions})
			if err != nil {
				yield(Transaction{}, err)
				return
			}
			list, next, err := p.transactionPage(r)
			if err != nil {
				yield(Transaction{}, badAnswer(r, err))
				return
			}
			for _, t := range list {
				if !yield(t, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if seen[next] {
				// A token given twice would read the same pages for ever.
				yield(Transaction{}, badAnswer(r, errorf("the next page token %s was given before", quote(next))))
				return
			}
			seen[next], token = true, next
		}
	}
}

// transactionPage reads one page: its transactions and the next page's token.
func (p *Client) transactionPage(r *reply) ([]Transaction, string, error) {
	list, err := listAnswer[json.RawMessage](r, "the answer holds no array of transactions", "transactions", "items", "data")
	if err != nil {
		return nil, "", err
	}
	var page transactionPageWire
	if err := decode(r, &page); err != nil && !bytes.HasPrefix(bytes.TrimSpace(r.body), []byte("[")) {
		return nil, "", err
	}
	out := make([]Transaction, 0, len(list))
	for _, raw := range list {
		t, err := p.transaction(raw)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	return out, page.NextPageToken, nil
}
