package trustistsim

import (
	"net/http"
	"strings"
	"time"
)

// Test details of the account an approved onboarding connects. The IBAN is the sort code
// and account number under the bank code MOCK, with valid check digits.
const (
	TestHolderFallback = "Account Holder" // the holder name when the customer has none
	TestAccountName    = "Current Account"
	TestIBAN           = "GB49MOCK04000440005678"
)

// Tenant-key permissions the bank-accounts and webhook endpoints need, as the
// Getting Started page's permission table names them
// (https://api.trustistecommerce.com/docs; seeds/000_1ca3eb1c59a2859d.txt).
const (
	PermReadBankAccounts = "read_customer_bank_accounts"
	PermManageWebhooks   = "manage_webhooks"
)

// Tenant-key permissions of the customer and payment endpoints, as the same table and the
// customers page (https://api.trustistecommerce.com/docs/customers;
// seeds/001_1eb0bb4efbdacf58.txt) name them: creating, reading and updating a customer
// each need their own, and so do creating and reading a payment with a tenant key.
const (
	PermCreateCustomer = "create_customer"
	PermReadCustomers  = "read_customers"
	PermUpdateCustomer = "update_customer"
	PermCreatePayment  = "create_payment"
	PermReadPayment    = "read_payment"
)

// bankAccount is a connected account: the members the list answer carries. [I] The
// member names are not published.
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
}

// connectAccountLocked connects the test account at bank to c; s.mu must be held.
func (s *Server) connectAccountLocked(c *customer, bank string) {
	holder := strings.TrimSpace(c.firstName + " " + c.lastName)
	if holder == "" {
		holder = TestHolderFallback
	}
	c.accounts = append(c.accounts, bankAccount{ID: shortID(), BankName: bank, AccountName: TestAccountName,
		HolderName: holder, SortCode: TestSortCode, AccountNumber: TestAccountNumber, IBAN: TestIBAN,
		Currency: s.currency.String(), Connected: s.now().UTC().Format(time.RFC3339)})
}

// RevokeTenantPermission withdraws a permission (such as PermReadBankAccounts) from the
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
