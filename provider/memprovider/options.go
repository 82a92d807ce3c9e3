package memprovider

import (
	"log/slog"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/provider"
)

// PaymentOptions is what a Pay or a Charge can ask of mem beyond the neutral request. mem
// has no wire request, so this is the target of the request's BeforeSend hook: the hook's
// as function sets a **PaymentOptions target, and what the hook writes through it is kept
// with the payment (PaymentDetail.Options).
//
//	req.BeforeSend = func(as func(any) bool) error {
//		var o *memprovider.PaymentOptions
//		if as(&o) {
//			o.StatementText = "SHOP ORDER 42"
//		}
//		return nil
//	}
type PaymentOptions struct {
	// StatementText is what the payer's bank statement shows: at most 35 printable ASCII
	// characters.
	StatementText string
	// PageTitle is the heading of the hosted page (Pay only): at most 100 characters.
	PageTitle string
}

// check refuses options mem would not accept, naming the field.
func (o *PaymentOptions) check() error {
	for _, c := range o.StatementText {
		if c < ' ' || c > '~' {
			return provider.FieldError("PaymentOptions.StatementText", "must be printable ASCII")
		}
	}
	if len(o.StatementText) > 35 {
		return provider.FieldError("PaymentOptions.StatementText", "is longer than 35 characters")
	}
	if utf8.RuneCountInString(o.PageTitle) > 100 {
		return provider.FieldError("PaymentOptions.PageTitle", "is longer than 100 characters")
	}
	if strings.ContainsAny(o.PageTitle, "\r\n") {
		return provider.FieldError("PaymentOptions.PageTitle", "must be one line")
	}
	return nil
}

// PaymentDetail is what mem records about a payment beyond provider.Payment. Every
// Payment a Client returns (Pay, GetPayment, Void, Charge) carries one as its Detail:
//
//	var d *memprovider.PaymentDetail
//	if p.As(&d) { ... }
//
// Payments a Gateway answers from its journal (a repeated call) carry none.
//
// Payer prints and logs masked (see provider.Person), so the detail does too; LogValue
// keeps slog's JSON handler from marshalling the payer's fields.
type PaymentDetail struct {
	// Options are what the request's BeforeSend hook set.
	Options PaymentOptions
	// Capture is the request's capture mode.
	Capture provider.CaptureMode
	// CaptureIDs lists the payment's captures, oldest first.
	CaptureIDs []string
	// AuthorizedAt is when the payer authorized a payment made with CaptureManual.
	AuthorizedAt time.Time
	// VoidReason is the Reason of the Void that canceled the authorization.
	VoidReason string
	// The optional request fields mem carries, as the request set them.
	Description string
	Metadata    map[string]string
	CustomerID  string
	Payer       provider.Person
}

func (d *PaymentDetail) clone() *PaymentDetail {
	out := *d
	out.CaptureIDs = append([]string(nil), d.CaptureIDs...)
	out.Metadata = maps.Clone(d.Metadata)
	out.Payer.Address = cloneAddress(d.Payer.Address)
	return &out
}

// LogValue logs the detail with the payer masked.
func (d PaymentDetail) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("options", d.Options), slog.String("capture", string(d.Capture)),
		slog.Any("captureIds", d.CaptureIDs), slog.Time("authorizedAt", d.AuthorizedAt), slog.String("voidReason", d.VoidReason),
		slog.String("description", d.Description), slog.Any("metadata", d.Metadata), slog.String("customerId", d.CustomerID),
		slog.Any("payer", d.Payer))
}

// RefundDetail is the Detail of every Refund a Client returns: the optional request
// fields mem carries.
type RefundDetail struct {
	Reason   string
	Metadata map[string]string
}

// PayoutDetail is the Detail of every Payout a Client returns: the optional request
// fields mem carries. Payee prints and logs masked (see provider.Person).
type PayoutDetail struct {
	Description string
	Metadata    map[string]string
	Payee       provider.Person
}

// LogValue logs the detail with the payee masked.
func (d PayoutDetail) LogValue() slog.Value {
	return slog.GroupValue(slog.String("description", d.Description), slog.Any("metadata", d.Metadata),
		slog.Any("payee", d.Payee))
}

// MandateDetail is the Detail of every Mandate a Client returns: the optional request
// fields mem carries, and the charges made under the mandate. Payer prints and logs
// masked (see provider.Person).
type MandateDetail struct {
	Description string
	Payer       provider.Person
	// ChargeIDs lists the payments charged under the mandate, oldest first.
	ChargeIDs []string
}

// LogValue logs the detail with the payer masked.
func (d MandateDetail) LogValue() slog.Value {
	return slog.GroupValue(slog.String("description", d.Description), slog.Any("payer", d.Payer),
		slog.Any("chargeIds", d.ChargeIDs))
}

func (d *MandateDetail) clone() *MandateDetail {
	out := *d
	out.ChargeIDs = append([]string(nil), d.ChargeIDs...)
	out.Payer.Address = cloneAddress(d.Payer.Address)
	return &out
}

// withDetail returns a copy of a stored refund or payout whose Detail is a copy too, so
// that no caller holds what the Backend keeps.
func withDetail[T any](v *T, detail func(*T) *provider.Detailed) *T {
	out := *v
	d := detail(&out)
	switch x := d.Detail.(type) {
	case *RefundDetail:
		c := *x
		c.Metadata = maps.Clone(x.Metadata)
		d.Detail = &c
	case *PayoutDetail:
		c := *x
		c.Metadata = maps.Clone(x.Metadata)
		c.Payee.Address = cloneAddress(x.Payee.Address)
		d.Detail = &c
	}
	return &out
}
