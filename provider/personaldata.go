package provider

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/paybridge/paybridge/internal/pairs"
	"github.com/paybridge/paybridge/secret"
)

// Printing personal data. Person, Address, BankAccount, Customer and CustomerUpdate
// describe themselves as a secret.Opaque: under every fmt verb and in log/slog they show
// the details that identify no one, and "[redacted]" for each personal field that is
// set. The request types that hold them log a summary (LogValue); fmt prints their
// fields, the personal ones through the methods below. JSON encoding is unchanged: it is
// how the data reaches the provider.

// describeAddress is the masked String of a, or "" for nil.
func describeAddress(a *Address) string {
	if a == nil {
		return ""
	}
	return a.describe().String()
}

func (p Person) describe() secret.Opaque {
	d := pairs.Set([]string{"id", p.ID}, "country", p.Country, "locale", p.Locale)
	d = pairs.Redacted(d, "firstName", p.FirstName, "lastName", p.LastName, "email", p.Email, "phone", p.Phone,
		"dateOfBirth", p.DateOfBirth, "nationalId", p.NationalID, "ip", p.IP)
	d = pairs.Set(d, "address", describeAddress(p.Address))
	return secret.Describe("provider.Person", d...)
}

// String shows the person masked.
func (p Person) String() string { return p.describe().String() }

// GoString shows the person masked.
func (p Person) GoString() string { return p.describe().GoString() }

// Format prints the person masked, whatever the verb.
func (p Person) Format(f fmt.State, verb rune) { p.describe().Format(f, verb) }

// LogValue logs the person masked. It takes the value, so that a person logged by value
// is masked by every slog handler (a JSON handler would otherwise marshal its fields).
func (p Person) LogValue() slog.Value { return p.describe().LogValue() }

func (a Address) describe() secret.Opaque {
	d := pairs.Set(nil, "country", a.Country, "region", a.Region)
	d = pairs.Redacted(d, "line1", a.Line1, "line2", a.Line2, "city", a.City, "postalCode", a.PostalCode)
	return secret.Describe("provider.Address", d...)
}

// String shows the address masked.
func (a Address) String() string { return a.describe().String() }

// GoString shows the address masked.
func (a Address) GoString() string { return a.describe().GoString() }

// Format prints the address masked, whatever the verb.
func (a Address) Format(f fmt.State, verb rune) { a.describe().Format(f, verb) }

// LogValue logs the address masked.
func (a Address) LogValue() slog.Value { return a.describe().LogValue() }

func (a BankAccount) describe() secret.Opaque {
	var d []string
	if !a.IsZero() {
		d = append(d, "account", "****"+a.Last4())
	}
	d = pairs.Set(d, "country", a.Country, "bic", a.BIC, "routingNumber", a.RoutingNumber, "clearingSystem", a.ClearingSystem)
	d = pairs.Redacted(d, "holderName", a.HolderName)
	return secret.Describe("provider.BankAccount", d...)
}

// String shows the account masked, e.g. "provider.BankAccount{account: ****6789}".
func (a BankAccount) String() string { return a.describe().String() }

// GoString shows the account masked.
func (a BankAccount) GoString() string { return a.describe().GoString() }

// Format prints the account masked, whatever the verb.
func (a BankAccount) Format(f fmt.State, verb rune) { a.describe().Format(f, verb) }

// LogValue logs the account masked.
func (a BankAccount) LogValue() slog.Value { return a.describe().LogValue() }

func (c Customer) describe() secret.Opaque {
	d := pairs.Set([]string{"id", c.ID}, "externalId", c.ExternalID, "group", c.Group)
	d = pairs.Redacted(d, "firstName", c.FirstName, "lastName", c.LastName, "email", c.Email, "phone", c.Phone,
		"dateOfBirth", c.DateOfBirth)
	d = pairs.Set(d, "address", describeAddress(c.Address))
	if !c.CreatedAt.IsZero() {
		d = append(d, "createdAt", c.CreatedAt.Format(time.RFC3339))
	}
	return secret.Describe("provider.Customer", d...)
}

// String shows the customer masked.
func (c Customer) String() string { return c.describe().String() }

// GoString shows the customer masked.
func (c Customer) GoString() string { return c.describe().GoString() }

// Format prints the customer masked, whatever the verb.
func (c Customer) Format(f fmt.State, verb rune) { c.describe().Format(f, verb) }

// LogValue logs the customer masked.
func (c Customer) LogValue() slog.Value { return c.describe().LogValue() }

// LogValue logs the page's customers masked and the next page's token. (Without it,
// slog's JSON handler would marshal the customers' fields.)
func (p CustomerPage) LogValue() slog.Value {
	cs := make([]any, len(p.Customers))
	for i, c := range p.Customers {
		if c == nil {
			cs[i] = nil
			continue
		}
		cs[i] = c.String()
	}
	return slog.GroupValue(slog.Any("customers", cs), slog.String("nextPageToken", p.NextPageToken))
}

// patchText appends how the patch changes the field named name: nothing when it leaves
// it, "cleared", or the value shown by show.
func patchText[T any](d []string, name string, p Patch[T], show func(T) string) []string {
	switch {
	case p.IsSet():
		return append(d, name, show(p.Value()))
	case p.IsClear():
		return append(d, name, "cleared")
	}
	return d
}

func (u CustomerUpdate) describe() secret.Opaque {
	same := func(s string) string { return s }
	redact := func(string) string { return secret.Redacted }
	d := patchText(nil, "externalId", u.ExternalID, same)
	d = patchText(d, "group", u.Group, same)
	for _, f := range []struct {
		name string
		p    Patch[string]
	}{{"firstName", u.FirstName}, {"lastName", u.LastName}, {"email", u.Email}, {"phone", u.Phone}, {"dateOfBirth", u.DateOfBirth}} {
		d = patchText(d, f.name, f.p, redact)
	}
	d = patchText(d, "address", u.Address, describeAddress)
	return secret.Describe("provider.CustomerUpdate", d...)
}

// String shows the update masked.
func (u CustomerUpdate) String() string { return u.describe().String() }

// GoString shows the update masked.
func (u CustomerUpdate) GoString() string { return u.describe().GoString() }

// Format prints the update masked, whatever the verb.
func (u CustomerUpdate) Format(f fmt.State, verb rune) { u.describe().Format(f, verb) }

// LogValue logs the update masked.
func (u CustomerUpdate) LogValue() slog.Value { return u.describe().LogValue() }

// LogValue logs the request's amount and references and the payer masked. (Without it,
// slog's JSON handler would marshal the payer's fields.)
func (r PaymentRequest) LogValue() slog.Value {
	return secret.Describe("provider.PaymentRequest", pairs.Set([]string{"amount", r.Amount.String(),
		"merchantReference", r.MerchantReference}, "customerId", r.CustomerID, "idempotencyKey", r.IdempotencyKey,
		"capture", string(r.Capture), "payer", r.Payer.String())...).LogValue()
}

// LogValue logs the request's amount and references and the payee masked.
func (r PayoutRequest) LogValue() slog.Value {
	return secret.Describe("provider.PayoutRequest", pairs.Set([]string{"amount", r.Amount.String(),
		"merchantReference", r.MerchantReference}, "accountId", r.AccountID, "idempotencyKey", r.IdempotencyKey,
		"payee", r.Payee.String())...).LogValue()
}

// LogValue logs the request's references, the holder and the account masked.
func (r VerifyAccountRequest) LogValue() slog.Value {
	d := pairs.Set(nil, "merchantReference", r.MerchantReference, "customerId", r.CustomerID, "idempotencyKey", r.IdempotencyKey)
	if !r.Currency.IsZero() {
		d = append(d, "currency", r.Currency.String())
	}
	return secret.Describe("provider.VerifyAccountRequest", append(d, "holder", r.Holder.String(), "account", r.Account.String())...).LogValue()
}

// LogValue logs the request's currency and references and the payer masked.
func (r MandateRequest) LogValue() slog.Value {
	d := pairs.Set([]string{"merchantReference", r.MerchantReference}, "idempotencyKey", r.IdempotencyKey)
	if !r.Currency.IsZero() {
		d = append(d, "currency", r.Currency.String())
	}
	if !r.MaxAmount.IsZero() {
		d = append(d, "maxAmount", r.MaxAmount.String())
	}
	return secret.Describe("provider.MandateRequest", append(d, "payer", r.Payer.String())...).LogValue()
}
