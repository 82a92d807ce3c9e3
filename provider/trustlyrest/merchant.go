package trustlyrest

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// PaymentRecord is Trustly's Payment object (the Payment schema of
// https://amer.developers.trustly.com/openapi.json): what one establish created — the bank
// authorization and every transaction under it — with Trustly's running totals. It is
// Trustly's own record, distinct from the neutral payment GetPayment returns: read it with
// GetPaymentRecord and ListPayments.
//
// A PaymentRecord prints its Account masked (see UserAccount); it holds no other personal
// data (the establish customer is reduced to its ids).
type PaymentRecord struct {
	// ID is the paymentId. It is not a transactionId: the transactions of a payment name it
	// in payment.paymentId.
	ID string
	// Type is the numeric payment type: 1 Instant, 2 Deferred, 3 Recurring, 4 Disbursement,
	// 5 Verification, 6 Retrieval.
	Type int
	// MerchantID is the merchant the payment belongs to; MerchantReference the reference
	// of its establish; Description its description.
	MerchantID        string
	MerchantReference string
	Description       string
	// Amount is the payment's amount as established: the most its captures or deposits may
	// add up to (0.00 for no bound) for a Deferred, Recurring or Disbursement payment.
	Amount money.Amount
	// Pending is what is still on its way, Paid what was paid, Refunded and Reversed what
	// went back, and Balance Paid less Reversed and Refunded, as Trustly reports them (zero
	// Amount when the answer carries none).
	Pending, Paid, Refunded, Reversed, Balance money.Amount
	// AuthorizationStatus is the numeric status of the payment's bank authorization (the
	// transaction status table: 2 Authorized, 13 Voided, …), -1 when the answer carries
	// none; AuthorizationStatusMessage Trustly's text for it.
	AuthorizationStatus        int
	AuthorizationStatusMessage string
	// VerificationStatus is verification.status: 1 Automatic, 2 ToVerify, 3 Verified,
	// 4 Refused; -1 when absent.
	VerificationStatus int
	// Account is the bank account the payer chose, nil before they chose one; BankName its
	// bank.
	Account  *UserAccount
	BankName string
	// CustomerID and CustomerExternalID identify the payment's customer, when it has one.
	CustomerID, CustomerExternalID string
	// CreatedAt and UpdatedAt are Trustly's timestamps.
	CreatedAt, UpdatedAt time.Time
}

// LogValue logs the record as it prints, its Account masked: logged as a plain struct, a
// JSON handler would marshal the account's holder and number.
func (p PaymentRecord) LogValue() slog.Value { return slog.StringValue(fmt.Sprintf("%+v", p)) }

// wirePaymentRecord is the Payment object as GET /payments answers it.
type wirePaymentRecord struct {
	PaymentID         flexString `json:"paymentId"`
	PaymentType       flexInt    `json:"paymentType"`
	MerchantID        flexString `json:"merchantId"`
	MerchantReference string     `json:"merchantReference"`
	Description       string     `json:"description"`
	Currency          string     `json:"currency"`
	Amount            flexString `json:"amount"`
	Pending           flexString `json:"pending"`
	Paid              flexString `json:"paid"`
	Refunded          flexString `json:"refunded"`
	Reversed          flexString `json:"reversed"`
	Balance           flexString `json:"balance"`
	AuthStatus        *flexInt   `json:"authorizationStatus"`
	AuthStatusMessage string     `json:"authorizationStatusMessage"`
	Merchant          *struct {
		MerchantID flexString `json:"merchantId"`
	} `json:"merchant"`
	Verification *struct {
		Status *flexInt `json:"status"`
	} `json:"verification"`
	Account         *wireUserAccount `json:"account"`
	PaymentProvider *struct {
		Name string `json:"name"`
	} `json:"paymentProvider"`
	Customer *struct {
		CustomerID flexString `json:"customerId"`
		ExternalID string     `json:"externalId"`
	} `json:"customer"`
	CreatedAt millis `json:"createdAt"`
	UpdatedAt millis `json:"updatedAt"`
}

// export reads w as a PaymentRecord; an amount that cannot be read is an error.
func (w *wirePaymentRecord) export() (*PaymentRecord, error) {
	p := &PaymentRecord{
		ID: string(w.PaymentID), Type: int(w.PaymentType), MerchantID: string(w.MerchantID),
		MerchantReference: w.MerchantReference, Description: w.Description,
		AuthorizationStatus: -1, AuthorizationStatusMessage: w.AuthStatusMessage, VerificationStatus: -1,
		CreatedAt: w.CreatedAt.Time(), UpdatedAt: w.UpdatedAt.Time(),
	}
	if p.MerchantID == "" && w.Merchant != nil {
		p.MerchantID = string(w.Merchant.MerchantID)
	}
	if w.AuthStatus != nil {
		p.AuthorizationStatus = int(*w.AuthStatus)
	}
	if w.Verification != nil && w.Verification.Status != nil {
		p.VerificationStatus = int(*w.Verification.Status)
	}
	if w.Customer != nil {
		p.CustomerID, p.CustomerExternalID = string(w.Customer.CustomerID), w.Customer.ExternalID
	}
	if w.PaymentProvider != nil {
		p.BankName = w.PaymentProvider.Name
	}
	if w.Account != nil {
		p.Account = w.Account.export()
		if p.BankName == "" {
			p.BankName = p.Account.BankName
		}
	}
	// Amounts are decimal strings in the payment's currency
	// (https://amer.developers.trustly.com/openapi.json); never floats.
	for _, f := range []struct {
		text flexString
		dst  *money.Amount
		name string
	}{{w.Amount, &p.Amount, "amount"}, {w.Pending, &p.Pending, "pending"}, {w.Paid, &p.Paid, "paid"},
		{w.Refunded, &p.Refunded, "refunded"}, {w.Reversed, &p.Reversed, "reversed"}, {w.Balance, &p.Balance, "balance"}} {
		if f.text == "" {
			continue
		}
		a, err := parseAmount(string(f.text), w.Currency, money.Currency{})
		if err != nil {
			return nil, fmt.Errorf("payment %s: %s: %w", quoteShort(p.ID), f.name, err)
		}
		*f.dst = a
	}
	return p, nil
}

// GetPaymentRecord reads Trustly's Payment object with GET /payments/{paymentId}
// (https://amer.developers.trustly.com/openapi.json). Trustly's documentation does not
// show the answer's wrapper ([I] probably {"payment": …}, as transactions are wrapped), so
// both the wrapped and the bare object are read. An unknown id, or another merchant's, is
// NotFound.
func (c *Client) GetPaymentRecord(ctx context.Context, paymentID string) (*PaymentRecord, error) {
	if !validID(paymentID) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "no Trustly payment has this id (payment ids are numeric)"}
	}
	raw, err := c.call(ctx, http.MethodGet, "/payments/"+paymentID, "", nil, isLookup)
	if err != nil {
		return nil, err
	}
	w, err := decodePaymentRecord(raw)
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "reading Trustly's payment", Err: err}
	}
	return w.export()
}

// decodePaymentRecord reads {"payment": {...}} or the bare Payment object.
func decodePaymentRecord(raw []byte) (*wirePaymentRecord, error) {
	var wrapped struct {
		Payment *wirePaymentRecord `json:"payment"`
	}
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		return nil, err
	}
	if wrapped.Payment != nil {
		return wrapped.Payment, nil
	}
	var bare wirePaymentRecord
	if err := json.Unmarshal(raw, &bare); err != nil {
		return nil, err
	}
	if bare.PaymentID == "" {
		return nil, fmt.Errorf("trustlyrest: the answer carries no paymentId")
	}
	return &bare, nil
}

// PaymentFilter selects payments for ListPayments. Empty fields do not filter.
type PaymentFilter struct {
	// Types selects payment types (Trustly's paymentType filter, repeated).
	Types []int
	// MerchantReference selects the payment established with this merchantReference.
	MerchantReference string
	// CreatedFrom and CreatedTo bound createdAt: From included, To excluded.
	CreatedFrom, CreatedTo time.Time
	// PageSize is the count asked for per request: default 25, at most 100
	// (https://amer.developers.trustly.com/payments/reference/intro).
	PageSize int
}

// ListPayments iterates over the merchant's payments matching f with GET /payments
// (https://amer.developers.trustly.com/openapi.json), oldest first (orderBy createdAt,
// sortOrder asc, so that payments created while the list is read do not shift its pages),
// one page of count items per request from startIndex 0. Trustly reports no total
// (https://amer.developers.trustly.com/payments/reference/intro): pages are read until one
// comes back empty, or shorter than the itemsPerPage the answer reports. A payment listed
// twice is yielded once, and a full page that brings no payment not listed before (from a
// server that ignores startIndex) is an Internal error, never read again and again. The
// iteration stops at the first error, which it yields.
func (c *Client) ListPayments(ctx context.Context, f PaymentFilter) iter.Seq2[*PaymentRecord, error] {
	return func(yield func(*PaymentRecord, error) bool) {
		q := url.Values{}
		for _, t := range f.Types {
			// The payment types 1 Instant to 6 Retrieval
			// (https://amer.developers.trustly.com/openapi.json); Trustly refuses others.
			if t < paymentTypeInstant || t > paymentTypeRetrieval {
				yield(nil, provider.FieldError("Types", "holds %d, which is no Trustly payment type (1 Instant to 6 Retrieval)", t))
				return
			}
			q.Add("paymentType", strconv.Itoa(t))
		}
		if f.MerchantReference != "" {
			q.Set("merchantReference", f.MerchantReference)
		}
		// Read as Ledger reads its range.
		r := newCreatedRange(f.CreatedFrom, f.CreatedTo)
		r.ascending(q)
		q.Set("count", strconv.Itoa(pageSize(f.PageSize, 100)))
		fetch := func(ctx context.Context, start int) ([]*wirePaymentRecord, bool, error) {
			raw, err := c.getPage(ctx, "/payments", q, start)
			if err != nil {
				return nil, false, err
			}
			page, err := decodeList[wirePaymentRecord](raw, "payments", "payment")
			if err != nil {
				return nil, false, err
			}
			return page, followed(len(page), itemsPerPage(raw)), nil
		}
		keep := func(w *wirePaymentRecord) (*PaymentRecord, bool, error) {
			p, err := w.export()
			if err != nil {
				return nil, false, &provider.Error{Code: provider.Internal, Message: "reading Trustly's payments list", Err: err}
			}
			return p, r.holds(p.CreatedAt), nil
		}
		pageList(ctx, "payments", fetch, func(w *wirePaymentRecord) string { return string(w.PaymentID) }, keep)(yield)
	}
}

// itemsPerPage reads a list answer's itemsPerPage, or 0 when it carries none.
func itemsPerPage(raw []byte) int {
	var top struct {
		Per *flexInt `json:"itemsPerPage"`
	}
	if json.Unmarshal(raw, &top) != nil || top.Per == nil || *top.Per < 0 {
		return 0
	}
	return int(*top.Per)
}

// TokenizeRequest asks Trustly for the token of a bank account given by its details. It
// prints and logs masked, under every fmt verb and in log/slog: the account and the
// holder as provider.BankAccount and provider.Person print (the last four digits of the
// number, [redacted] for the names), and Verify.
type TokenizeRequest struct {
	// Account is the account: an IBAN, or an account number with its routing number
	// (US ABA or Canadian). HolderName, when set, is sent as nameOnAccount.
	Account provider.BankAccount
	// Holder's first and last names are sent as nameOnAccount when Account.HolderName is
	// empty.
	Holder provider.Person
	// Verify asks Trustly to verify the account as well (verifyAccount=true); without it
	// Trustly only tokenizes it (its default).
	Verify bool
}

// describe is how a TokenizeRequest prints: its account and holder masked.
func (r TokenizeRequest) describe() secret.Opaque {
	return secret.Describe("trustlyrest.TokenizeRequest", "account", r.Account.String(), "holder", r.Holder.String(),
		"verify", strconv.FormatBool(r.Verify))
}

// String shows the request with its account and holder masked.
func (r TokenizeRequest) String() string { return r.describe().String() }

// GoString shows the request with its account and holder masked.
func (r TokenizeRequest) GoString() string { return r.describe().GoString() }

// Format prints the request with its account and holder masked, whatever the verb.
func (r TokenizeRequest) Format(f fmt.State, verb rune) { r.describe().Format(f, verb) }

// LogValue logs the request with its account and holder masked. It takes the value, so
// that a request logged by value is masked by every slog handler (a JSON handler would
// otherwise marshal its fields).
func (r TokenizeRequest) LogValue() slog.Value { return r.describe().LogValue() }

// TokenizedAccount is Trustly's answer to a tokenization.
type TokenizedAccount struct {
	// Token is Trustly's stable token of the account: the same account always gets the
	// same token, which can stand in for the account's numbers.
	Token string
	// Account is the account as Trustly answers: its number's last four digits only.
	Account *UserAccount
	// Verified says Trustly verified the account (only asked for with Verify); Score is
	// the verification score, 0 to 10 (6 or more is verified), or -1 when Trustly gave none.
	Verified bool
	Score    int
}

// LogValue logs the answer as it prints, its Account masked: logged as a plain struct, a
// JSON handler would marshal the account's holder.
func (t TokenizedAccount) LogValue() slog.Value { return slog.StringValue(fmt.Sprintf("%+v", t)) }

// TokenizeAccount turns bank details into Trustly's account token with POST
// /accounts/tokenize?verifyAccount=… (https://amer.developers.trustly.com/openapi.json:
// "Convert legacy ACH ABA routing and account numbers or an International Bank Account
// Number (IBAN) into a verified token"). The account is checked as VerifyAccount checks it
// (an IBAN, or an account number with its routing number) before anything is sent. The
// body's merchantId is a JSON string here, where /accounts/verify takes a number, as the
// specification types them.
//
// Trustly keeps no record of a tokenization to read back: keep the token. An account
// Trustly cannot read is error 330, an InvalidRequest naming Account. The answer carries
// the account number's last four digits only, never the number sent.
func (c *Client) TokenizeAccount(ctx context.Context, req *TokenizeRequest) (*TokenizedAccount, error) {
	acct, err := accountFields(req.Account, req.Holder)
	if err != nil {
		return nil, err
	}
	query := "verifyAccount=false"
	if req.Verify {
		query = "verifyAccount=true"
	}
	fa, err := c.postAccount(ctx, "/accounts/tokenize", query, c.merchantID, acct)
	if err != nil {
		return nil, err
	}
	if fa.Token == "" {
		return nil, &provider.Error{Code: provider.Internal, Message: "Trustly's tokenization answer carries no token"}
	}
	ua := &UserAccount{
		Name: fa.Name, NameOnAccount: fa.NameOnAccount, Type: -1, Profile: -1, Last4: fa.last4(),
		RoutingNumber: fa.RoutingNumber, Token: fa.Token, Verified: fa.isVerified(),
	}
	// Only the last four digits are kept, whatever Trustly echoes.
	ua.AccountNumber = ua.Last4
	if fa.PaymentProvider != nil {
		ua.BankName = fa.PaymentProvider.Name
	}
	t := &TokenizedAccount{Token: fa.Token, Account: ua, Verified: req.Verify && fa.isVerified(), Score: -1}
	if fa.Verification != nil && int(fa.Verification.Score) >= 0 && req.Verify {
		t.Score = int(fa.Verification.Score)
	}
	return t, nil
}
