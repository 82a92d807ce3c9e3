package trustistsim

import (
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
)

// Test details of the account an approved onboarding connects. The IBAN is the sort code
// and account number under the bank code MOCK, with valid check digits.
const (
	TestHolderFallback = "Account Holder" // the holder name when the customer has none
	TestAccountName    = "Current Account"
	TestIBAN           = "GB49MOCK04000440005678"
)

// Tenant-key permissions the account-information and webhook endpoints need, as the
// Getting Started page's permission table names them
// (https://api.trustistecommerce.com/docs; seeds/000_1ca3eb1c59a2859d.txt).
const (
	PermReadBankAccounts     = "read_customer_bank_accounts"
	PermReadBankBalances     = "read_customer_bank_account_balances"
	PermReadBankTransactions = "read_customer_bank_account_transactions"
	PermManageWebhooks       = "manage_webhooks"
)

// bankAccount is a connected account: the members the list answer carries, and the
// account's seeded balance and transactions. [I] The member names are not published.
type bankAccount struct {
	ID            string `json:"id"`
	BankName      string `json:"bankName"`
	AccountName   string `json:"accountName"`
	HolderName    string `json:"holderName"`
	SortCode      string `json:"sortCode"`
	AccountNumber string `json:"accountNumber"`
	IBAN          string `json:"iban"`
	Currency      string `json:"currency"`
	Connected     string `json:"connected"`

	opening money.Amount
	txns    []simTxn // most recent first
}

type simTxn struct {
	id          string
	amount      money.Amount // signed
	description string
	booked      time.Time
}

// descriptions are the seeded transactions' texts.
var descriptions = []string{"CARD PAYMENT GROCER", "DIRECT DEBIT ENERGY CO", "SALARY EXAMPLE LTD", "TRANSFER FROM SAVINGS",
	"CARD PAYMENT COFFEE", "STANDING ORDER RENT", "REFUND ONLINE SHOP", "CASH WITHDRAWAL"}

// connectAccountLocked connects the test account at bank to c, with a balance and
// transactions seeded from the new account's id (so every account's data differs, and
// the same id always gives the same data); s.mu must be held.
func (s *Server) connectAccountLocked(c *customer, bank string) {
	now := s.now().UTC()
	holder := strings.TrimSpace(c.firstName + " " + c.lastName)
	if holder == "" {
		holder = TestHolderFallback
	}
	a := bankAccount{ID: shortID(), BankName: bank, AccountName: TestAccountName, HolderName: holder, SortCode: TestSortCode,
		AccountNumber: TestAccountNumber, IBAN: TestIBAN, Currency: s.currency.String(), Connected: now.Format(time.RFC3339)}
	h := fnv.New64a()
	_, _ = h.Write([]byte(a.ID))
	seed := h.Sum64()
	next := func() uint64 { // xorshift: deterministic from the seed
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	a.opening = money.FromMinorCurrency(int64(100_000+next()%400_000), s.currency)
	n := 40 + int(next()%30)
	for i := range n {
		minor := int64(100 + next()%20_000)
		if next()%3 != 0 {
			minor = -minor
		}
		a.txns = append(a.txns, simTxn{id: a.ID + "-t" + strconv.Itoa(n-i), amount: money.FromMinorCurrency(minor, s.currency),
			description: descriptions[next()%uint64(len(descriptions))], booked: now.Add(-time.Duration(i*26+1) * time.Hour)})
	}
	c.accounts = append(c.accounts, a)
}

// RevokeTenantPermission withdraws a permission (such as PermReadBankBalances) from the
// tenant key: endpoints that need it answer 403 naming it, as Trustist answers a key
// without the permission.
func (s *Server) RevokeTenantPermission(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked == nil {
		s.revoked = map[string]bool{}
	}
	s.revoked[name] = true
}

// GrantTenantPermission gives a revoked permission back to the tenant key.
func (s *Server) GrantTenantPermission(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.revoked, name)
}

// lacking returns the 403 for a tenant key without permission, or nil.
func (s *Server) lacking(permission string) *result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.revoked[permission] {
		return nil
	}
	res := fail(http.StatusForbidden, "Forbidden", "The API key does not have the "+permission+" permission.")
	return &res
}

// accountLocked finds a customer's connected account; s.mu must be held.
func (s *Server) accountLocked(customerID, accountID string) (*bankAccount, *result) {
	c := s.customers[customerID]
	if c == nil {
		res := notFound("Customer")
		return nil, &res
	}
	for i := range c.accounts {
		if c.accounts[i].ID == accountID {
			return &c.accounts[i], nil
		}
	}
	res := notFound("Bank account")
	return nil, &res
}

// amountJSON is an amount as Token.io writes it, {currency, value} with the value a
// decimal string. [I] Trustist's own member names are not published.
func amountJSON(a money.Amount) map[string]string {
	return map[string]string{"currency": a.Currency().String(), "value": a.Fixed()}
}

func (s *Server) balances(customerID, accountID string) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, bad := s.accountLocked(customerID, accountID)
	if bad != nil {
		return *bad
	}
	current := a.opening
	for _, t := range a.txns {
		current, _ = current.Add(t.amount)
	}
	updated := a.Connected
	if len(a.txns) > 0 {
		updated = a.txns[0].booked.Format(time.RFC3339)
	}
	return result{http.StatusOK, map[string]any{"accountId": a.ID, "current": amountJSON(current),
		"available": amountJSON(current), "updated": updated}}
}

// Transaction pages: pageSize 1 to maxTxnPage, default defaultTxnPage. [I]
const (
	defaultTxnPage = 50
	maxTxnPage     = 199
)

func (s *Server) transactions(customerID, accountID string, q url.Values) result {
	size := defaultTxnPage
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxTxnPage {
			return invalid(map[string][]string{"pageSize": {"The pageSize must be between 1 and " + itoa(maxTxnPage) + "."}})
		}
		size = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, bad := s.accountLocked(customerID, accountID)
	if bad != nil {
		return *bad
	}
	start := 0
	if v := q.Get("pageToken"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, a.ID+"."))
		if !strings.HasPrefix(v, a.ID+".") || err != nil || n < 1 || n >= len(a.txns) {
			return invalid(map[string][]string{"pageToken": {"The pageToken is not valid for this account."}})
		}
		start = n
	}
	end := min(start+size, len(a.txns))
	list := make([]map[string]any, 0, end-start)
	for _, t := range a.txns[start:end] {
		typ, abs := "CREDIT", t.amount
		if t.amount.Sign() < 0 {
			typ, abs = "DEBIT", money.FromMinorCurrency(-t.amount.Minor(), t.amount.Currency())
		}
		list = append(list, map[string]any{"id": t.id, "type": typ, "status": "BOOKED", "amount": amountJSON(abs),
			"description": t.description, "bookingDate": t.booked.Format(time.RFC3339)})
	}
	page := map[string]any{"transactions": list}
	if end < len(a.txns) {
		page["nextPageToken"] = a.ID + "." + strconv.Itoa(end)
	}
	return result{http.StatusOK, page}
}

// AccountData is what the seeded data of a connected account holds, for tests to
// compare with what a client read.
type AccountData struct {
	// Transactions is how many transactions the account has.
	Transactions int
	// Net is their sum (credits less debits); Balance the current balance.
	Net, Balance money.Amount
}

// Account returns the seeded data of customer customerID's connected account accountID;
// ok is false when there is no such customer or account.
func (s *Server) Account(customerID, accountID string) (d AccountData, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, bad := s.accountLocked(customerID, accountID)
	if bad != nil {
		return AccountData{}, false
	}
	d = AccountData{Transactions: len(a.txns), Net: money.FromMinorCurrency(0, a.opening.Currency()), Balance: a.opening}
	for _, t := range a.txns {
		d.Net, _ = d.Net.Add(t.amount)
		d.Balance, _ = d.Balance.Add(t.amount)
	}
	return d, true
}
