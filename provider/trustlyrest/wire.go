package trustlyrest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// flexInt decodes a numeric enum (status, transactionType, paymentType) sent either as a
// JSON number or as a numeric string: Trustly's OpenAPI document
// (https://amer.developers.trustly.com/openapi.json) types them as strings while its
// examples and webhooks use numbers ([I] accept both). Absent or null is -1.
type flexInt int

// UnmarshalJSON accepts 2, "2" and null.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" || s == `""` {
		*n = -1
		return nil
	}
	s = strings.Trim(s, `"`)
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("trustlyrest: %s is not a numeric code", quoteShort(s))
	}
	*n = flexInt(v)
	return nil
}

// flexString decodes an id or amount sent either as a JSON string or as a JSON number (the
// specification once typed deposit amounts as numbers); the number's text is kept exactly.
type flexString string

// UnmarshalJSON accepts "10.00", 10.00 and null.
func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*s = ""
	case len(b) > 1 && b[0] == '"' && b[len(b)-1] == '"' && !bytes.ContainsAny(b, `\`):
		*s = flexString(b[1 : len(b)-1])
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	default:
		var num json.Number
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&num); err != nil {
			return fmt.Errorf("trustlyrest: value is neither a string nor a number")
		}
		*s = flexString(num.String())
	}
	return nil
}

// flexBool decodes true, "true" and null (false).
type flexBool bool

// UnmarshalJSON accepts true, false, "true", "false" and null.
func (v *flexBool) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	*v = flexBool(s == "true")
	return nil
}

// millis decodes a Unix epoch timestamp in milliseconds, as a number or a string.
type millis int64

// UnmarshalJSON accepts 1449176555750, "1449176555750" and null.
func (m *millis) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "null" || s == "" {
		*m = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("trustlyrest: timestamp %s is not epoch milliseconds", quoteShort(s))
	}
	*m = millis(v)
	return nil
}

// Time returns the timestamp as a time.Time in UTC (zero for 0).
func (m millis) Time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

// wireTransaction is Trustly's Transaction object (the Transaction schema of
// https://amer.developers.trustly.com/openapi.json), with the fields the adapter reads.
// Unknown fields are ignored: the documentation is versioned and grows.
type wireTransaction struct {
	TransactionID         flexString   `json:"transactionId"`
	TransactionType       flexInt      `json:"transactionType"`
	OriginalTransactionID flexString   `json:"originalTransactionId"`
	MerchantReference     string       `json:"merchantReference"`
	Currency              string       `json:"currency"`
	Amount                flexString   `json:"amount"`
	Paid                  flexString   `json:"paid"`
	Refunded              flexString   `json:"refunded"`
	Balance               flexString   `json:"balance"`
	Fee                   flexString   `json:"fee"`
	Status                flexInt      `json:"status"`
	StatusMessage         string       `json:"statusMessage"`
	SplitToken            string       `json:"splitToken"`
	CreatedAt             millis       `json:"createdAt"`
	UpdatedAt             millis       `json:"updatedAt"`
	Payment               *wirePayment `json:"payment"`
	ProviderTransaction   *struct {
		Status        string `json:"status"`
		StatusMessage string `json:"statusMessage"`
	} `json:"paymentProviderTransaction"`
}

// wirePayment is the part of Trustly's Payment object (the Payment schema of
// https://amer.developers.trustly.com/openapi.json) the adapter reads.
type wirePayment struct {
	PaymentID         flexString   `json:"paymentId"`
	PaymentType       flexInt      `json:"paymentType"`
	MerchantReference string       `json:"merchantReference"`
	Currency          string       `json:"currency"`
	Amount            flexString   `json:"amount"`
	Account           *wireAccount `json:"account"`
	PaymentProvider   *struct {
		Name string `json:"name"`
	} `json:"paymentProvider"`
	Recurrence *wireRecurrence `json:"recurrence"`
}

// wireRecurrence is the part of a Recurring payment's recurrence object the adapter reads
// (https://amer.developers.trustly.com/payments/reference/recurrence-object).
type wireRecurrence struct {
	RecurringAmount flexString `json:"recurringAmount"`
}

// recurringAmount returns the recurringAmount of the transaction's payment, or "".
func (t *wireTransaction) recurringAmount() string {
	if t.Payment == nil || t.Payment.Recurrence == nil {
		return ""
	}
	return string(t.Payment.Recurrence.RecurringAmount)
}

// wireAccount is Trustly's Account / FinancialInstitutionAccount (the Account schema and
// the POST /accounts/verify answer of https://amer.developers.trustly.com/openapi.json).
type wireAccount struct {
	Name                  string     `json:"name"`
	NameOnAccount         string     `json:"nameOnAccount"`
	AccountNumber         string     `json:"accountNumber"`
	AccountNumberLastFour string     `json:"accountNumberLastFour"`
	RoutingNumber         string     `json:"routingNumber"`
	IBAN                  string     `json:"iban"`
	Token                 string     `json:"token"`
	AccountID             flexString `json:"accountId"`
	Verified              flexBool   `json:"verified"`
	Verification          *struct {
		Verified flexBool `json:"verified"`
		Score    flexInt  `json:"score"`
	} `json:"verification"`
	PaymentProvider *struct {
		Name string `json:"name"`
	} `json:"paymentProvider"`
}

// last4 returns the last four characters of the account number or IBAN the bank reported.
func (a *wireAccount) last4() string {
	if a.AccountNumberLastFour != "" {
		return a.AccountNumberLastFour
	}
	n := a.AccountNumber
	if a.IBAN != "" {
		n = a.IBAN
	}
	if len(n) > 4 {
		n = n[len(n)-4:]
	}
	return n
}

// isVerified reads the verification outcome: verified, or verification.verified.
func (a *wireAccount) isVerified() bool {
	return bool(a.Verified) || (a.Verification != nil && bool(a.Verification.Verified))
}

// id returns the transaction id as a string.
func (t *wireTransaction) id() string { return string(t.TransactionID) }

// paymentType returns the payment type code, or -1.
func (t *wireTransaction) paymentType() int {
	if t.Payment == nil {
		return -1
	}
	return int(t.Payment.PaymentType)
}

// reference returns the transaction's merchantReference, or its payment's.
func (t *wireTransaction) reference() string {
	if t.MerchantReference != "" {
		return t.MerchantReference
	}
	if t.Payment != nil {
		return t.Payment.MerchantReference
	}
	return ""
}

// currency returns the transaction's currency, or its payment's.
func (t *wireTransaction) currency() string {
	if t.Currency != "" {
		return t.Currency
	}
	if t.Payment != nil {
		return t.Payment.Currency
	}
	return ""
}

// amount parses the transaction's amount (or its payment's) in its currency, falling back
// to fallback's currency when the transaction names none.
func (t *wireTransaction) amount(fallback money.Currency) (money.Amount, error) {
	text := string(t.Amount)
	if text == "" && t.Payment != nil {
		text = string(t.Payment.Amount)
	}
	return parseAmount(text, t.currency(), fallback)
}

// parseAmount reads a Trustly decimal amount ("10.00", "10.0", "10") in the named currency.
func parseAmount(text, currency string, fallback money.Currency) (money.Amount, error) {
	cur := fallback
	if currency != "" {
		c, err := money.ParseCurrency(currency)
		if err != nil {
			return money.Amount{}, fmt.Errorf("trustlyrest: currency %s: %w", quoteShort(currency), err)
		}
		cur = c
	}
	if text == "" {
		return money.Amount{}, fmt.Errorf("trustlyrest: the answer carries no amount")
	}
	a, err := money.NewCurrency(text, cur)
	if err != nil {
		return money.Amount{}, fmt.Errorf("trustlyrest: amount: %w", err)
	}
	return a, nil
}

// decodeTransaction reads a transaction response: {"transaction": {...}} as every example
// shows, or the bare object as the OpenAPI document models it. One example of the wrapped
// form: https://amer.developers.trustly.com/payments/docs/pay-initiate-payment-transactions.
func decodeTransaction(body []byte) (*wireTransaction, error) {
	var wrapped struct {
		Transaction *wireTransaction `json:"transaction"`
	}
	if err := json.Unmarshal(body, &wrapped); err != nil {
		return nil, fmt.Errorf("trustlyrest: decoding transaction: %w", err)
	}
	if wrapped.Transaction != nil {
		return wrapped.Transaction, nil
	}
	var bare wireTransaction
	if err := json.Unmarshal(body, &bare); err != nil {
		return nil, fmt.Errorf("trustlyrest: decoding transaction: %w", err)
	}
	if bare.TransactionID == "" {
		return nil, fmt.Errorf("trustlyrest: the answer carries no transactionId")
	}
	return &bare, nil
}

// decodeList reads a list response {"<key>": [item...]} whose items may each be wrapped as
// {"<itemKey>": item}: the OpenAPI document lists bare items, while an example rendered in
// https://amer.developers.trustly.com/api-reference wraps them ([I] accept both). An answer
// without the list, or with
// something else in its place, is an Internal error, never an empty page: the adapter's
// guards against sending twice read "no such child" from an empty list.
func decodeList[T any](body []byte, key, itemKey string) ([]*T, error) {
	bad := func(err error) error {
		return &provider.Error{Code: provider.Internal, Message: "reading Trustly's " + key + " list", Err: err}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, bad(err)
	}
	raw, ok := top[key]
	if !ok {
		return nil, bad(fmt.Errorf("trustlyrest: the answer has no %q list", key))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, bad(err)
	}
	out := make([]*T, 0, len(items))
	for _, it := range items {
		var wrapped map[string]json.RawMessage
		if err := json.Unmarshal(it, &wrapped); err == nil {
			if inner, ok := wrapped[itemKey]; ok && len(wrapped) == 1 {
				it = inner
			}
		}
		v := new(T)
		if err := json.Unmarshal(it, v); err != nil {
			return nil, bad(err)
		}
		out = append(out, v)
	}
	return out, nil
}

// quoteShort quotes an untrusted value for an error message, cut to a bounded length.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}
