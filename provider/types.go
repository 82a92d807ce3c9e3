package provider

import (
	"time"

	"github.com/paybridge/paybridge/money"
)

// Person describes an end user: the payer of a payment, the payee of a payout, or the holder
// of an account. Providers need different subsets; an adapter returns an InvalidRequest error
// naming the field when its provider needs one that is missing.
//
// A Person prints and logs masked, under every fmt verb and in log/slog: its ID, country
// and locale, its address masked (see Address), and "[redacted]" for each other field that
// is set (names, e-mail, phone, date of birth, national id, IP address). Read the fields
// to use the data; encoding/json writes them all.
type Person struct {
	// ID is the merchant's stable id for this person (Trustly's EndUserID). Use an id from
	// your own user database, not an e-mail address.
	ID          string   `json:"id,omitempty" validate:"omitempty,max=128,printascii"`
	FirstName   string   `json:"firstName,omitempty" validate:"max=100"`
	LastName    string   `json:"lastName,omitempty" validate:"max=100"`
	Email       string   `json:"email,omitempty" validate:"omitempty,email,max=254"`
	Phone       string   `json:"phone,omitempty" validate:"omitempty,max=32,printascii"`
	Country     string   `json:"country,omitempty" validate:"omitempty,iso3166_1_alpha2"`
	Locale      string   `json:"locale,omitempty" validate:"omitempty,locale"`
	DateOfBirth string   `json:"dateOfBirth,omitempty" validate:"omitempty,datetime=2006-01-02"`
	NationalID  string   `json:"nationalId,omitempty" validate:"max=64"`
	IP          string   `json:"ip,omitempty" validate:"omitempty,ip"`
	Address     *Address `json:"address,omitempty"`
}

// Address is a postal address. It prints and logs masked: its country and region, and
// "[redacted]" for each of the lines, the city and the postal code that is set.
type Address struct {
	Line1      string `json:"line1,omitempty" validate:"max=200"`
	Line2      string `json:"line2,omitempty" validate:"max=200"`
	City       string `json:"city,omitempty" validate:"max=100"`
	PostalCode string `json:"postalCode,omitempty" validate:"max=20"`
	// Region is a state, province or county (e.g. "CA").
	Region string `json:"region,omitempty" validate:"max=100"`
	// Country is ISO 3166-1 alpha-2 (e.g. "GB").
	Country string `json:"country,omitempty" validate:"omitempty,iso3166_1_alpha2"`
}

// BankAccount identifies a bank account by its details. Give an IBAN, or an account number
// with the routing code the country uses (US ABA routing number, UK sort code, Swedish
// clearing number).
//
// A BankAccount prints and logs masked, under every fmt verb and in log/slog: the last
// four characters of the IBAN or account number, the country, BIC, routing number and
// clearing system (which name the bank, not the holder), and "[redacted]" for a holder's
// name.
type BankAccount struct {
	HolderName    string `json:"holderName,omitempty" validate:"max=140"`
	Country       string `json:"country,omitempty" validate:"omitempty,iso3166_1_alpha2"`
	IBAN          string `json:"iban,omitempty" validate:"omitempty,max=34,alphanum"`
	BIC           string `json:"bic,omitempty" validate:"omitempty,max=11,alphanum"`
	AccountNumber string `json:"accountNumber,omitempty" validate:"omitempty,max=34,alphanum"`
	RoutingNumber string `json:"routingNumber,omitempty" validate:"omitempty,max=34"`
	// ClearingSystem names the clearing system where a provider needs it (Trustly's
	// ClearingHouse: "SWEDEN", "GB", "IBAN", ...). Leave empty to let the adapter derive it.
	ClearingSystem string `json:"clearingSystem,omitempty" validate:"max=32"`
}

// Last4 returns the last four characters of the IBAN or account number.
func (a BankAccount) Last4() string {
	n := a.AccountNumber
	if a.IBAN != "" {
		n = a.IBAN
	}
	if len(n) <= 4 {
		return n
	}
	return n[len(n)-4:]
}

// IsZero reports whether no account details are set.
func (a BankAccount) IsZero() bool { return a.IBAN == "" && a.AccountNumber == "" }

// PaymentRequest asks for a pay-in. The end user is usually sent to the returned
// Payment.RedirectURL to approve it at their bank.
type PaymentRequest struct {
	// Amount to collect; positive, with no more decimals than the currency allows.
	Amount money.Amount `json:"amount"`
	// MerchantReference is your order reference, unique per payment.
	MerchantReference string `json:"merchantReference" validate:"required,max=64,printascii"`
	// Description is shown to the payer where the provider supports it.
	Description string `json:"description,omitempty" validate:"max=255"`
	// ReturnURL is where the end user is sent after approving.
	ReturnURL string `json:"returnUrl" validate:"required,http_url"`
	// CancelURL is where the end user is sent after cancelling or failing; defaults to
	// ReturnURL.
	CancelURL string `json:"cancelUrl,omitempty" validate:"omitempty,http_url"`
	// NotificationURL receives the provider's notifications for this payment, where the
	// provider takes it per request (Trustly); others configure it in their portal.
	NotificationURL string `json:"notificationUrl,omitempty" validate:"omitempty,http_url"`
	// Payer describes the end user.
	Payer Person `json:"payer"`
	// CustomerID refers to a customer created with CreateCustomer, where supported.
	CustomerID string `json:"customerId,omitempty" validate:"max=128"`
	// IdempotencyKey makes the call safe to repeat; generated when empty. Keep it with your
	// order to retry after a crash.
	IdempotencyKey string `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	// Metadata is passed to the provider where it has a place for it. A provider without
	// one refuses it (see Capabilities.RequestFields); it is never dropped. At most 20
	// entries, each key 1 to 40 bytes and each value at most 500 bytes, on every request
	// that carries Metadata.
	Metadata map[string]string `json:"metadata,omitempty" validate:"max=20"`
	// Capture says when the money is taken once the payer approves: at once (the default)
	// or by a later Capture (CaptureManual, where the provider supports OpCapture).
	Capture CaptureMode `json:"capture,omitempty" validate:"omitempty,oneof=manual"`
	// BeforeSend, when set, is called with the adapter's wire request before it is sent,
	// to set what the neutral request cannot say (a provider's page options, a shopper
	// statement). Each adapter documents what its as function reaches; see BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// Payment is a pay-in as the provider reports it.
type Payment struct {
	ID       string        `json:"id"`
	Provider string        `json:"provider"`
	Status   PaymentStatus `json:"status"`
	// ProviderStatus is the provider's own status text, unmapped.
	ProviderStatus string `json:"providerStatus,omitempty"`
	// RedirectURL is where to send the end user while Status is RequiresAction.
	RedirectURL string       `json:"redirectUrl,omitempty"`
	Amount      money.Amount `json:"amount"`
	// Refunded is the total refunded so far, when the provider reports it (zero Amount when
	// unknown).
	Refunded money.Amount `json:"refunded"`
	// Captured is the total captured so far of a payment made with CaptureManual, when the
	// provider reports it (zero Amount otherwise).
	Captured money.Amount `json:"captured,omitzero"`
	// MandateID names the mandate a Charge collected this payment under; empty otherwise.
	MandateID         string    `json:"mandateId,omitempty"`
	MerchantReference string    `json:"merchantReference,omitempty"`
	IdempotencyKey    string    `json:"idempotencyKey,omitempty"`
	CreatedAt         time.Time `json:"createdAt,omitzero"`
	UpdatedAt         time.Time `json:"updatedAt,omitzero"`
	// Detailed reaches the adapter's own decoded answer through As.
	Detailed `json:"-"`
}

// RefundRequest asks to return money from a succeeded payment. Partial and repeated refunds
// are allowed where Capabilities sets PartialRefunds and MultipleRefunds.
type RefundRequest struct {
	PaymentID string       `json:"paymentId" validate:"required,max=128"`
	Amount    money.Amount `json:"amount"`
	// MerchantReference is your reference for this refund; derived from the idempotency key
	// when empty.
	MerchantReference string            `json:"merchantReference,omitempty" validate:"max=64,printascii"`
	Reason            string            `json:"reason,omitempty" validate:"max=255"`
	IdempotencyKey    string            `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	Metadata          map[string]string `json:"metadata,omitempty" validate:"max=20"`
	// BeforeSend, when set, may change the adapter's wire request before it is sent; see
	// PaymentRequest.BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// Refund is a refund as the provider reports it.
type Refund struct {
	ID                string       `json:"id"`
	Provider          string       `json:"provider"`
	PaymentID         string       `json:"paymentId"`
	Status            RefundStatus `json:"status"`
	ProviderStatus    string       `json:"providerStatus,omitempty"`
	Amount            money.Amount `json:"amount"`
	MerchantReference string       `json:"merchantReference,omitempty"`
	IdempotencyKey    string       `json:"idempotencyKey,omitempty"`
	CreatedAt         time.Time    `json:"createdAt,omitzero"`
	// Detailed reaches the adapter's own decoded answer through As.
	Detailed `json:"-"`
}

// PayoutRequest asks to send money to a verified bank account. With AccountID set the
// payout goes to that account; with AccountID empty and ReturnURL set the payee is sent to
// the result's RedirectURL to choose the account on the provider's page
// (OpPayoutInteractive, where Capabilities sets InteractivePayouts).
type PayoutRequest struct {
	Amount money.Amount `json:"amount"`
	// AccountID is AccountVerification.AccountID of a verified account. It is required
	// unless ReturnURL is set.
	AccountID string `json:"accountId,omitempty" validate:"required_without=ReturnURL,max=128"`
	// ReturnURL is where the payee is sent back after choosing the account on the
	// provider's page, for a payout without AccountID (an interactive payout). Leave it
	// empty with AccountID.
	ReturnURL string `json:"returnUrl,omitempty" validate:"omitempty,http_url"`
	// Payee is the account holder; Payee.ID must be the same person id used to verify the
	// account where the provider ties accounts to end users (Trustly).
	Payee             Person            `json:"payee"`
	MerchantReference string            `json:"merchantReference" validate:"required,max=64,printascii"`
	Description       string            `json:"description,omitempty" validate:"max=255"`
	NotificationURL   string            `json:"notificationUrl,omitempty" validate:"omitempty,http_url"`
	IdempotencyKey    string            `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	Metadata          map[string]string `json:"metadata,omitempty" validate:"max=20"`
	// BeforeSend, when set, may change the adapter's wire request before it is sent; see
	// PaymentRequest.BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// Payout is a payout as the provider reports it.
type Payout struct {
	ID             string       `json:"id"`
	Provider       string       `json:"provider"`
	Status         PayoutStatus `json:"status"`
	ProviderStatus string       `json:"providerStatus,omitempty"`
	Amount         money.Amount `json:"amount"`
	AccountID      string       `json:"accountId,omitempty"`
	// RedirectURL is where to send the payee of an interactive payout (a PayoutRequest
	// without AccountID) to choose the account, while Status is PayoutPending.
	RedirectURL       string    `json:"redirectUrl,omitempty"`
	MerchantReference string    `json:"merchantReference,omitempty"`
	IdempotencyKey    string    `json:"idempotencyKey,omitempty"`
	CreatedAt         time.Time `json:"createdAt,omitzero"`
	// Detailed reaches the adapter's own decoded answer through As.
	Detailed `json:"-"`
}

// VerifyAccountRequest asks the provider to verify a bank account so that it can receive
// payouts. With Account set the check runs without the holder's involvement where the
// provider can do that; with Account empty the holder is sent to RedirectURL to pick and
// confirm an account at their bank (OpVerifyAccountInteractive, where Capabilities sets
// InteractiveVerification).
type VerifyAccountRequest struct {
	Holder  Person      `json:"holder"`
	Account BankAccount `json:"account"`
	// CustomerID refers to a customer created with CreateCustomer, where supported: the
	// interactive verification then runs for that customer instead of one made from Holder.
	CustomerID string `json:"customerId,omitempty" validate:"max=128"`
	// Currency of the payouts the account will receive, where the provider asks for it.
	Currency          money.Currency `json:"currency,omitzero"`
	MerchantReference string         `json:"merchantReference,omitempty" validate:"max=64,printascii"`
	ReturnURL         string         `json:"returnUrl,omitempty" validate:"omitempty,http_url"`
	CancelURL         string         `json:"cancelUrl,omitempty" validate:"omitempty,http_url"`
	NotificationURL   string         `json:"notificationUrl,omitempty" validate:"omitempty,http_url"`
	IdempotencyKey    string         `json:"idempotencyKey,omitempty" validate:"max=128,printascii"`
	// BeforeSend, when set, may change the adapter's wire request before it is sent; see
	// PaymentRequest.BeforeSend.
	BeforeSend BeforeSend `json:"-"`
}

// AccountVerification is the result of VerifyAccount.
type AccountVerification struct {
	// ID identifies the verification itself (for GetAccountVerification).
	ID       string             `json:"id"`
	Provider string             `json:"provider"`
	Status   VerificationStatus `json:"status"`
	// ProviderStatus is the provider's own status text.
	ProviderStatus string `json:"providerStatus,omitempty"`
	// AccountID is the provider's id of the verified account: the PayoutRequest.AccountID.
	AccountID string `json:"accountId,omitempty"`
	// RedirectURL is where the holder confirms the account, while Status is RequiresAction.
	RedirectURL string `json:"redirectUrl,omitempty"`
	// BankName and Last4 describe the account without revealing it.
	BankName  string    `json:"bankName,omitempty"`
	Last4     string    `json:"last4,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	// Detailed reaches the adapter's own decoded answer through As.
	Detailed `json:"-"`
}

// Customer is a customer record kept at the provider. It prints and logs masked, under
// every fmt verb and in log/slog: its ID, ExternalID, Group and CreatedAt, its address
// masked (see Address), and "[redacted]" for each other field that is set. A slice of
// customers logged with slog's JSON handler is encoded by encoding/json, in full: log
// each customer, or a CustomerPage, rather than the slice.
type Customer struct {
	ID string `json:"id"`
	// ExternalID is your own id for the customer.
	ExternalID  string   `json:"externalId,omitempty" validate:"max=128"`
	FirstName   string   `json:"firstName,omitempty" validate:"max=100"`
	LastName    string   `json:"lastName,omitempty" validate:"max=100"`
	Email       string   `json:"email,omitempty" validate:"omitempty,email,max=254"`
	Phone       string   `json:"phone,omitempty" validate:"omitempty,max=32,printascii"`
	DateOfBirth string   `json:"dateOfBirth,omitempty" validate:"omitempty,datetime=2006-01-02"`
	Address     *Address `json:"address,omitempty"`
	// Group is a grouping key where the provider has one (Trustist orgId).
	Group     string    `json:"group,omitempty" validate:"max=128"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
}

// CustomerUpdate changes some fields of a customer. A field left as its zero Patch is not
// changed; Set(v) sets it; Clear() removes it.
//
// A CustomerUpdate prints and logs masked: each field it changes, with the new ExternalID
// and Group, the address masked (see Address), "[redacted]" for a new personal value,
// and "cleared" for a cleared field.
type CustomerUpdate struct {
	ExternalID  Patch[string]   `json:"externalId,omitzero"`
	FirstName   Patch[string]   `json:"firstName,omitzero"`
	LastName    Patch[string]   `json:"lastName,omitzero"`
	Email       Patch[string]   `json:"email,omitzero"`
	Phone       Patch[string]   `json:"phone,omitzero"`
	DateOfBirth Patch[string]   `json:"dateOfBirth,omitzero"`
	Address     Patch[*Address] `json:"address,omitzero"`
	Group       Patch[string]   `json:"group,omitzero"`
}

// ApplyTo changes c as u says: set fields take their new value, cleared fields their zero
// value, and the rest stay. A set Address is stored as given (the pointer, not a copy).
func (u *CustomerUpdate) ApplyTo(c *Customer) {
	u.ExternalID.Apply(&c.ExternalID)
	u.FirstName.Apply(&c.FirstName)
	u.LastName.Apply(&c.LastName)
	u.Email.Apply(&c.Email)
	u.Phone.Apply(&c.Phone)
	u.DateOfBirth.Apply(&c.DateOfBirth)
	u.Address.Apply(&c.Address)
	u.Group.Apply(&c.Group)
}

// ListCustomersRequest filters and pages a customer listing.
type ListCustomersRequest struct {
	ExternalID string `json:"externalId,omitempty" validate:"max=128"`
	Group      string `json:"group,omitempty" validate:"max=128"`
	// PageSize is a hint; providers may return fewer. 0 means the provider's default.
	PageSize int `json:"pageSize,omitempty" validate:"min=0,max=1000"`
	// PageToken continues a listing from CustomerPage.NextPageToken.
	PageToken string `json:"pageToken,omitempty" validate:"max=1024"`
}

// CustomerPage is one page of customers. Its customers print and log masked (see
// Customer).
type CustomerPage struct {
	Customers []*Customer `json:"customers"`
	// NextPageToken is empty on the last page.
	NextPageToken string `json:"nextPageToken,omitempty"`
}
