package trustlyrest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// Bank data: what the payer's bank reported about them and their accounts when they
// authorized a transaction (Trustly's account data endpoints,
// https://amer.developers.trustly.com/openapi.json, tag accountData). Trustly retrieves it
// after the authorization and sends the DataReady notification (notify.BankDataReady) once
// it is complete: read it after that event — earlier reads may return partial data.
//
// The results hold personal data (names, addresses, phones, e-mails, account numbers).
// They print, format and log masked: the first letter of each name or address part, the
// last digits of numbers; read the fields to use the data.

// BankUser is the holder of the authorized account as the bank reports it (Trustly's
// FIUser object).
type BankUser struct {
	// Names are the names the bank holds for the account.
	Names []string
	// SegmentedName is the first name split into its parts (read with
	// expand=customer.segmentedName); nil when Trustly gave none.
	SegmentedName *SegmentedName
	Addresses     []Address
	Phones        []string
	Emails        []string
	// BankName is the bank's name (paymentProvider.name).
	BankName string
	// CreatedAt and UpdatedAt are Trustly's timestamps of the data.
	CreatedAt, UpdatedAt time.Time
}

// SegmentedName is a full name in its parts.
type SegmentedName struct {
	Title, FirstName string
	MiddleNames      []string
	LastName, Suffix string
}

// Address is a postal address as the bank reports it.
type Address struct {
	Line1, Line2, City string
	// State is the two-letter state code, Zip the postal code, Country ISO 3166-1 alpha-2.
	State, Zip, Country string
}

// UserAccount is a bank account the payer authorized (Trustly's Account object). It
// prints and logs masked; the slice GetUserAccounts returns does not: slog's JSON handler
// encodes a slice with encoding/json, in full, so log the accounts one by one.
type UserAccount struct {
	// Name is the bank's name for the account ("Checking"); NameOnAccount its holder.
	Name, NameOnAccount string
	// Type is -1 Unknown, 0 Other, 1 Checking, 2 Savings; Profile -1 Unknown, 0 Other,
	// 1 Personal, 2 Business.
	Type, Profile int
	// AccountNumber is the number as Trustly gives it (in full from the account data
	// endpoints, the last four digits elsewhere; a virtual number when
	// VirtualAccountRoutingPair); Last4 the real number's last four digits.
	AccountNumber, Last4 string
	RoutingNumber, IBAN  string
	// Token is Trustly's stable token of the account (the same account always has the
	// same token).
	Token string
	// Verified says Trustly verified the account.
	Verified bool
	// BankName is the account's bank; ProviderID Trustly's id of it; Country the
	// account's country.
	BankName, ProviderID, Country string
	VirtualAccountRoutingPair     bool
}

// AccountBalance is the balance of the authorized account.
type AccountBalance struct {
	Account *UserAccount
	// Amount is the balance, in the account's currency (zero Amount when Trustly gives
	// none).
	Amount money.Amount
}

// wireUserAccount is Trustly's Account object (schemas-Account of
// https://amer.developers.trustly.com/openapi.json).
type wireUserAccount struct {
	Name                  string   `json:"name"`
	NameOnAccount         string   `json:"nameOnAccount"`
	Type                  *flexInt `json:"type"`
	Profile               *flexInt `json:"profile"`
	AccountNumber         string   `json:"accountNumber"`
	AccountNumberLastFour string   `json:"accountNumberLastFour"`
	RoutingNumber         string   `json:"routingNumber"`
	IBAN                  string   `json:"iban"`
	Token                 string   `json:"token"`
	Verified              flexBool `json:"verified"`
	Verification          *struct {
		Verified flexBool `json:"verified"`
	} `json:"verification"`
	ProviderID      flexString `json:"providerId"`
	Country         string     `json:"country"`
	VirtualPair     flexBool   `json:"virtualAccountRoutingPair"`
	PaymentProvider *struct {
		Name string `json:"name"`
	} `json:"paymentProvider"`
}

func (w *wireUserAccount) export() *UserAccount {
	a := &UserAccount{
		Name: w.Name, NameOnAccount: w.NameOnAccount, Type: -1, Profile: -1, AccountNumber: w.AccountNumber,
		Last4: w.AccountNumberLastFour, RoutingNumber: w.RoutingNumber, IBAN: w.IBAN, Token: w.Token,
		Verified:   bool(w.Verified) || (w.Verification != nil && bool(w.Verification.Verified)),
		ProviderID: string(w.ProviderID), Country: w.Country, VirtualAccountRoutingPair: bool(w.VirtualPair),
	}
	if w.Type != nil {
		a.Type = int(*w.Type)
	}
	if w.Profile != nil {
		a.Profile = int(*w.Profile)
	}
	if a.Last4 == "" && !a.VirtualAccountRoutingPair {
		a.Last4 = lastN(firstNonEmpty(w.IBAN, w.AccountNumber), 4)
	}
	if w.PaymentProvider != nil {
		a.BankName = w.PaymentProvider.Name
	}
	return a
}

// wireUser is Trustly's FIUser object: names, phones and e-mails are arrays whose items
// the specification leaves untyped ("Any type"); strings are read as they are, [I] any
// other item as its JSON text.
type wireUser struct {
	Name    []json.RawMessage `json:"name"`
	Address []struct {
		Address1 string `json:"address1"`
		Address2 string `json:"address2"`
		City     string `json:"city"`
		State    string `json:"state"`
		Zip      string `json:"zip"`
		Country  string `json:"country"`
	} `json:"address"`
	Phone         []json.RawMessage `json:"phone"`
	Email         []json.RawMessage `json:"email"`
	SegmentedName *struct {
		Title      string   `json:"title"`
		FirstName  string   `json:"firstName"`
		MiddleName []string `json:"middleName"`
		LastName   string   `json:"lastName"`
		Suffix     string   `json:"suffix"`
	} `json:"segmentedName"`
	PaymentProvider *struct {
		Name string `json:"name"`
	} `json:"paymentProvider"`
	CreatedAt millis `json:"createdAt"`
	UpdatedAt millis `json:"updatedAt"`
}

func texts(items []json.RawMessage) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s := jsonText(it); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// GetUser reads the holder of the account a payer authorized with the transaction
// (Trustly's FIUser), with GET
// /transactions/{transactionId}/payment/paymentProvider/user?expand=customer.segmentedName
// (https://amer.developers.trustly.com/openapi.json). Call it after the DataReady
// notification. The answer is the bare FIUser, as the specification models it ([I] a
// {"user": …} wrapper is read too). An unknown transaction, or another merchant's, is
// NotFound.
func (c *Client) GetUser(ctx context.Context, transactionID string) (*BankUser, error) {
	raw, err := c.bankData(ctx, transactionID, "/user", "expand=customer.segmentedName", "the holder of the account")
	if err != nil {
		return nil, err
	}
	var wrapped struct {
		User *wireUser `json:"user"`
	}
	var w wireUser
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.User != nil {
		w = *wrapped.User
	} else if err := json.Unmarshal(raw, &w); err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading Trustly's user data", Err: err}
	}
	u := &BankUser{Names: texts(w.Name), Phones: texts(w.Phone), Emails: texts(w.Email),
		CreatedAt: w.CreatedAt.Time(), UpdatedAt: w.UpdatedAt.Time()}
	for _, a := range w.Address {
		u.Addresses = append(u.Addresses, Address{Line1: a.Address1, Line2: a.Address2, City: a.City, State: a.State, Zip: a.Zip, Country: a.Country})
	}
	if s := w.SegmentedName; s != nil {
		u.SegmentedName = &SegmentedName{Title: s.Title, FirstName: s.FirstName, MiddleNames: s.MiddleName, LastName: s.LastName, Suffix: s.Suffix}
	}
	if w.PaymentProvider != nil {
		u.BankName = w.PaymentProvider.Name
	}
	return u, nil
}

// GetUserAccounts lists the accounts the payer selected when they authorized the
// transaction, with GET /transactions/{transactionId}/payment/paymentProvider/accounts
// (https://amer.developers.trustly.com/openapi.json; the answer is {"accounts": […]}).
// Call it after the DataReady notification. An unknown transaction, or another
// merchant's, is NotFound.
func (c *Client) GetUserAccounts(ctx context.Context, transactionID string) ([]*UserAccount, error) {
	raw, err := c.bankData(ctx, transactionID, "/accounts", "", "the payer's accounts")
	if err != nil {
		return nil, err
	}
	list, err := decodeList[wireUserAccount](raw, "accounts", "account")
	if err != nil {
		return nil, err
	}
	out := make([]*UserAccount, len(list))
	for i, w := range list {
		out[i] = w.export()
	}
	return out, nil
}

// AccountBalance reads the balance of the account the payer authorized with the
// transaction, with GET /transactions/{transactionId}/payment/paymentProvider/account/balance
// (https://amer.developers.trustly.com/openapi.json; the answer is {"accountBalance":
// {"account", "currency", "amount"}}). The amount is read from its decimal text, never as
// a float. Call it after the DataReady notification.
//
// This is a restricted API: Trustly's Compliance team must approve each merchant for it.
// Trustly's refusal of an access (error 375, HTTP 401 or 403; [I] Trustly documents no
// code of its own for a missing approval) is a PermissionDenied error saying so. An
// unknown transaction, or another merchant's, is NotFound.
func (c *Client) AccountBalance(ctx context.Context, transactionID string) (*AccountBalance, error) {
	raw, err := c.bankData(ctx, transactionID, "/account/balance", "", "the account's balance")
	if err != nil {
		if pe := asProviderError(err); pe != nil && (pe.Code == provider.Unauthenticated || pe.Code == provider.PermissionDenied) {
			pe.Code = provider.PermissionDenied
			pe.Message = "Trustly refused the account balance, a restricted API its Compliance team must approve for " +
				"each merchant: ask Trustly to enable it, or check the credentials if other calls are refused too (Trustly said: " +
				pe.Message + ")"
		}
		return nil, err
	}
	var ans struct {
		AccountBalance *struct {
			Account  *wireUserAccount `json:"account"`
			Currency string           `json:"currency"`
			Amount   flexString       `json:"amount"`
		} `json:"accountBalance"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || ans.AccountBalance == nil {
		if err == nil {
			err = fmt.Errorf("trustlyrest: the answer has no accountBalance")
		}
		return nil, &provider.Error{Code: provider.Internal, Message: "reading Trustly's account balance", Err: err}
	}
	b := &AccountBalance{}
	if ans.AccountBalance.Account != nil {
		b.Account = ans.AccountBalance.Account.export()
	}
	if ans.AccountBalance.Amount != "" {
		a, err := parseAmount(string(ans.AccountBalance.Amount), ans.AccountBalance.Currency, money.Currency{})
		if err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "reading Trustly's account balance", Err: err}
		}
		b.Amount = a
	}
	return b, nil
}

// bankData sends GET /transactions/{id}/payment/paymentProvider<path>.
func (c *Client) bankData(ctx context.Context, id, path, query, what string) ([]byte, error) {
	if !validID(id) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "no Trustly transaction has this id (transaction ids are numeric)"}
	}
	raw, err := c.call(ctx, http.MethodGet, "/transactions/"+id+"/payment/paymentProvider"+path, query, nil, isLookup)
	if err != nil {
		if pe := asProviderError(err); pe != nil && pe.Code == provider.NotFound {
			pe.Message = "reading " + what + ": " + pe.Message
		}
		return nil, err
	}
	return raw, nil
}

// Masked printing. Each type prints a copy of itself with its personal data masked,
// through a type of the same fields without methods.

// maskText keeps the first letter of s: "Ada" → "A***".
func maskText(s string) string {
	if s == "" {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "***"
}

// maskNumber keeps the last n characters of s: "1000000008" → "****0008".
func maskNumber(s string, n int) string {
	if s == "" {
		return ""
	}
	return "****" + s[len(s)-min(n, len(s)):]
}

// maskEmail keeps the first letter and the domain: "ada@example.com" → "a***@example.com".
func maskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return maskText(s)
	}
	return maskText(s[:at]) + s[at:]
}

func maskAll(in []string, mask func(string) string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = mask(s)
	}
	return out
}

func lastN(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (u BankUser) masked() BankUser {
	m := u
	m.Names, m.Phones, m.Emails = maskAll(u.Names, maskText), maskAll(u.Phones, func(s string) string { return maskNumber(s, 2) }), maskAll(u.Emails, maskEmail)
	if u.SegmentedName != nil {
		s := u.SegmentedName.masked()
		m.SegmentedName = &s
	}
	if u.Addresses != nil {
		m.Addresses = make([]Address, len(u.Addresses))
		for i, a := range u.Addresses {
			m.Addresses[i] = a.masked()
		}
	}
	return m
}

func (n SegmentedName) masked() SegmentedName {
	return SegmentedName{Title: n.Title, FirstName: maskText(n.FirstName), MiddleNames: maskAll(n.MiddleNames, maskText),
		LastName: maskText(n.LastName), Suffix: n.Suffix}
}

func (a Address) masked() Address {
	return Address{Line1: maskText(a.Line1), Line2: maskText(a.Line2), City: maskText(a.City), State: a.State,
		Zip: maskNumber(a.Zip, 0), Country: a.Country}
}

func (a UserAccount) masked() UserAccount {
	m := a
	m.NameOnAccount = maskText(a.NameOnAccount)
	m.AccountNumber, m.IBAN = maskNumber(a.AccountNumber, 4), maskNumber(a.IBAN, 4)
	// A routing number names the bank, not the holder; the token is Trustly's own.
	return m
}

func (b AccountBalance) masked() AccountBalance {
	m := b
	if b.Account != nil {
		a := b.Account.masked()
		m.Account = &a
	}
	return m
}

type (
	maskedBankUser       BankUser
	maskedSegmentedName  SegmentedName
	maskedAddress        Address
	maskedUserAccount    UserAccount
	maskedAccountBalance AccountBalance
)

// formatMasked prints v, the masked copy, with the verb and flags of f.
func formatMasked(f fmt.State, verb rune, v any) { _, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), v) }

// Format prints the user with names, addresses, phones and e-mails masked.
func (u BankUser) Format(f fmt.State, verb rune) { formatMasked(f, verb, maskedBankUser(u.masked())) }

// String returns the user with its personal data masked.
func (u BankUser) String() string { return fmt.Sprint(u) }

// LogValue logs the user with its personal data masked.
func (u BankUser) LogValue() slog.Value { return slog.StringValue(u.String()) }

// Format prints the name masked.
func (n SegmentedName) Format(f fmt.State, verb rune) {
	formatMasked(f, verb, maskedSegmentedName(n.masked()))
}

// String returns the name masked.
func (n SegmentedName) String() string { return fmt.Sprint(n) }

// LogValue logs the name masked.
func (n SegmentedName) LogValue() slog.Value { return slog.StringValue(n.String()) }

// Format prints the address masked: state and country only in full.
func (a Address) Format(f fmt.State, verb rune) { formatMasked(f, verb, maskedAddress(a.masked())) }

// String returns the address masked.
func (a Address) String() string { return fmt.Sprint(a) }

// LogValue logs the address masked.
func (a Address) LogValue() slog.Value { return slog.StringValue(a.String()) }

// Format prints the account with its holder and number masked.
func (a UserAccount) Format(f fmt.State, verb rune) {
	formatMasked(f, verb, maskedUserAccount(a.masked()))
}

// String returns the account masked.
func (a UserAccount) String() string { return fmt.Sprint(a) }

// LogValue logs the account masked.
func (a UserAccount) LogValue() slog.Value { return slog.StringValue(a.String()) }

// Format prints the balance with its account masked.
func (b AccountBalance) Format(f fmt.State, verb rune) {
	formatMasked(f, verb, maskedAccountBalance(b.masked()))
}

// String returns the balance with its account masked.
func (b AccountBalance) String() string { return fmt.Sprint(b) }

// LogValue logs the balance with its account masked.
func (b AccountBalance) LogValue() slog.Value { return slog.StringValue(b.String()) }
