package notify

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/pairs"
	"github.com/paybridge/paybridge/secret"
)

// describe is how an Identity prints: its provider id and country, and "[redacted]" for
// each other field that is set.
func (id Identity) describe() secret.Opaque {
	d := pairs.Set(nil, "providerId", id.ProviderID, "country", id.Country)
	d = pairs.Redacted(d, "nationalId", id.NationalID, "firstName", id.FirstName, "lastName", id.LastName,
		"name", id.Name, "dateOfBirth", id.DateOfBirth, "street", id.Street, "postalCode", id.PostalCode, "city", id.City)
	return secret.Describe("notify.Identity", d...)
}

// String shows the identity masked.
func (id Identity) String() string { return id.describe().String() }

// GoString shows the identity masked.
func (id Identity) GoString() string { return id.describe().GoString() }

// Format prints the identity masked, whatever the verb.
func (id Identity) Format(f fmt.State, verb rune) { id.describe().Format(f, verb) }

// LogValue logs the identity masked. It takes the value, so that an identity logged by
// value is masked by every slog handler (a JSON handler would otherwise marshal its
// fields).
func (id Identity) LogValue() slog.Value { return id.describe().LogValue() }

// describe is how an Event prints: its ids, kind, amount and provider texts, its Identity
// masked, the length of Raw and the type of Detail.
func (e Event) describe() secret.Opaque {
	d := pairs.Set([]string{"id", e.ID, "provider", e.Provider, "kind", string(e.Kind)},
		"paymentId", e.PaymentID, "refundId", e.RefundID, "payoutId", e.PayoutID, "accountId", e.AccountID,
		"verificationId", e.VerificationID, "captureId", e.CaptureID, "mandateId", e.MandateID,
		"merchantReference", e.MerchantReference)
	if !e.Amount.IsZero() {
		d = append(d, "amount", e.Amount.String())
	}
	d = pairs.Set(d, "providerEvent", e.ProviderEvent, "providerStatus", e.ProviderStatus)
	if !e.OccurredAt.IsZero() {
		d = append(d, "occurredAt", e.OccurredAt.Format(time.RFC3339Nano))
	}
	if e.Identity != nil {
		d = append(d, "identity", e.Identity.String())
	}
	if len(e.Raw) > 0 {
		d = append(d, "raw", strconv.Itoa(len(e.Raw))+" bytes")
	}
	if e.Detail != nil {
		d = append(d, "detail", fmt.Sprintf("%T", e.Detail))
	}
	return secret.Describe("notify.Event", d...)
}

// String shows the event without its personal data.
func (e Event) String() string { return e.describe().String() }

// GoString shows the event without its personal data.
func (e Event) GoString() string { return e.describe().GoString() }

// Format prints the event without its personal data, whatever the verb.
func (e Event) Format(f fmt.State, verb rune) { e.describe().Format(f, verb) }

// LogValue logs the event without its personal data. It takes the value, so that an
// event logged by value is described by every slog handler (a JSON handler would
// otherwise marshal its Identity).
func (e Event) LogValue() slog.Value { return e.describe().LogValue() }

// describe is how a Request prints: its method, path, header names and body length.
func (r Request) describe() secret.Opaque {
	d := []string{"method", r.Method}
	if r.URL != nil {
		d = append(d, "path", r.URL.Path)
	}
	if len(r.Header) > 0 {
		names := slices.Sorted(maps.Keys(r.Header))
		d = append(d, "header", strings.Join(names, ","))
	}
	return secret.Describe("notify.Request", append(d, "body", strconv.Itoa(len(r.Body))+" bytes")...)
}

// String shows the request's method, path, header names and body length only.
func (r Request) String() string { return r.describe().String() }

// GoString shows the request's method, path, header names and body length only.
func (r Request) GoString() string { return r.describe().GoString() }

// Format prints the request's method, path, header names and body length only, whatever
// the verb.
func (r Request) Format(f fmt.State, verb rune) { r.describe().Format(f, verb) }

// LogValue logs the request's method, path, header names and body length only, also when
// it is logged by value.
func (r Request) LogValue() slog.Value { return r.describe().LogValue() }
