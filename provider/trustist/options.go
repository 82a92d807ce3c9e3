package trustist

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/internal/pairs"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// PaymentBody is the body of POST /v1/payments as Trustist documents it
// (https://trustisttransfer.com/docs/create-payment-post). Pay builds it from the neutral
// request and hands it to the request's BeforeSend hook, whose as function sets a
// **PaymentBody target to it, before anything is sent: set there what the neutral request
// cannot say (the page's workflow, a logo, a partner). Pay checks the body again after
// the hook, and refuses with an InvalidRequest error naming the field (PaymentBody.X)
// what Trustist documents as invalid, and any change to Amount or Reference, which the
// Gateway's journal has recorded from the neutral request.
//
// CustomerDetails and PayerEmail are the payer's personal data: a PaymentBody prints and
// logs, under every fmt verb and in log/slog, its other members and "[redacted]" for each
// of the two that is set. encoding/json writes them all: it is the body sent.
type PaymentBody struct {
	// Amount is a JSON number in pounds, written from the exact decimal (never a float).
	// Set from PaymentRequest.Amount; the hook may not change it.
	Amount json.Number `json:"amount"`
	// Reference is Trustist's unique payment reference, the neutral MerchantReference.
	// The hook may not change it: notifications are matched to the call by it.
	Reference string `json:"reference"`
	// ReturnURL is where the payer is sent afterwards (required, absolute http or https).
	ReturnURL string `json:"returnUrl,omitempty"`
	// CancelURL is where a payer who cancels is sent; Trustist defaults it to ReturnURL.
	CancelURL string `json:"cancelUrl,omitempty"`
	// Description is free text shown with the payment and echoed in its webhooks.
	Description string `json:"description,omitempty"`
	// CustomerDetails is "a single-line text entry to identify the customer"; Pay sets
	// it to the payer's first and last name. It must hold no line break.
	CustomerDetails string `json:"customerDetails,omitempty"`
	// PayerEmail is the payer's e-mail address (Payer.Email).
	PayerEmail string `json:"payerEmail,omitempty"`
	// LogoURL is a custom logo shown while the payer pays. The hosted page is served
	// over https, so it must be an absolute https URL. [I]
	LogoURL string `json:"logoUrl,omitempty"`
	// PartnerID names the Trustist partner the payment is made through: a GUID or a
	// ShortGuid (the GUID's 16 bytes in 22 characters of URL-safe base64), as documented.
	PartnerID string `json:"partnerId,omitempty"`
	// PartnerReference is the partner's own reference for the payment.
	PartnerReference string `json:"partnerReference,omitempty"`
	// Workflow chooses how the hosted page runs; nil leaves Trustist's default.
	Workflow *Workflow `json:"workflow,omitempty"`
	// CustomerID links a tenant customer (PaymentRequest.CustomerID). [I] Documented for
	// the server-to-server endpoint (trustist.md §3.5); sent only when the caller gives one.
	CustomerID string `json:"customerId,omitempty"`
}

// describe is how a PaymentBody prints: never the payer's name or e-mail address.
func (b PaymentBody) describe() secret.Opaque {
	d := pairs.Set([]string{"amount", b.Amount.String(), "reference", b.Reference}, "returnUrl", b.ReturnURL,
		"cancelUrl", b.CancelURL, "description", b.Description)
	d = pairs.Redacted(d, "customerDetails", b.CustomerDetails, "payerEmail", b.PayerEmail)
	d = pairs.Set(d, "logoUrl", b.LogoURL, "partnerId", b.PartnerID, "partnerReference", b.PartnerReference)
	if b.Workflow != nil {
		d = append(d, "workflow", string(b.Workflow.Mode))
	}
	return secret.Describe("trustist.PaymentBody", pairs.Set(d, "customerId", b.CustomerID)...)
}

// String shows the body without the payer's name and e-mail address.
func (b PaymentBody) String() string { return b.describe().String() }

// GoString shows the body without the payer's name and e-mail address.
func (b PaymentBody) GoString() string { return b.describe().GoString() }

// Format prints the body without the payer's name and e-mail address, whatever the verb.
func (b PaymentBody) Format(f fmt.State, verb rune) { b.describe().Format(f, verb) }

// LogValue logs the body without the payer's name and e-mail address. It takes the value,
// so that a body logged by value is masked by every slog handler (a JSON handler would
// otherwise marshal its members).
func (b PaymentBody) LogValue() slog.Value { return b.describe().LogValue() }

// Workflow is the workflow member of PaymentBody.
type Workflow struct {
	// Mode is one of the documented WorkflowMode values.
	Mode WorkflowMode `json:"mode"`
}

// WorkflowMode is how Trustist's hosted payment page runs.
type WorkflowMode string

// The workflow modes https://trustisttransfer.com/docs/create-payment-post lists (its
// older revision listed Default and RemoteOnly only).
const (
	// WorkflowDefault is the page's usual flow.
	WorkflowDefault WorkflowMode = "Default"
	// WorkflowSkipIntro leaves out the page's introduction.
	WorkflowSkipIntro WorkflowMode = "SkipIntro"
	// WorkflowRemoteOnly has the payer complete the payment on their phone, through a QR
	// code.
	WorkflowRemoteOnly WorkflowMode = "RemoteOnly"
	// WorkflowMOTO is for mail and telephone orders, keyed in by the merchant's staff.
	WorkflowMOTO WorkflowMode = "MOTO"
)

var workflowModes = []WorkflowMode{WorkflowDefault, WorkflowSkipIntro, WorkflowRemoteOnly, WorkflowMOTO}

// check refuses a body Trustist documents as invalid, and a hook's change to what the
// Gateway recorded.
func (b *PaymentBody) check(req *provider.PaymentRequest) error {
	const fixed = "is set from the neutral request, which the Gateway's journal recorded; the BeforeSend hook may not change it"
	if b.Amount != req.Amount.JSONNumber() {
		return provider.FieldError("PaymentBody.Amount", fixed)
	}
	if b.Reference != req.MerchantReference {
		return provider.FieldError("PaymentBody.Reference", fixed)
	}
	if !httpURL(b.ReturnURL, false) {
		return provider.FieldError("PaymentBody.ReturnURL", "must be an absolute http or https URL")
	}
	if b.CancelURL != "" && !httpURL(b.CancelURL, false) {
		return provider.FieldError("PaymentBody.CancelURL", "must be empty or an absolute http or https URL")
	}
	if b.LogoURL != "" && !httpURL(b.LogoURL, true) {
		return provider.FieldError("PaymentBody.LogoURL", "must be an absolute https URL (the hosted page shows it)")
	}
	if strings.ContainsAny(b.CustomerDetails, "\r\n") {
		return provider.FieldError("PaymentBody.CustomerDetails", "must be a single line (Trustist: \"a single-line text entry to identify the customer\")")
	}
	if b.PayerEmail != "" {
		if a, err := mail.ParseAddress(b.PayerEmail); err != nil || a.Address != b.PayerEmail {
			return provider.FieldError("PaymentBody.PayerEmail", "must be a bare e-mail address")
		}
	}
	if b.PartnerID != "" && !partnerID(b.PartnerID) {
		return provider.FieldError("PaymentBody.PartnerID", "must be a GUID or a ShortGuid (22 characters of URL-safe base64)")
	}
	if b.Workflow != nil {
		i := slices.IndexFunc(workflowModes, func(m WorkflowMode) bool { return strings.EqualFold(string(m), string(b.Workflow.Mode)) })
		if i < 0 {
			return provider.FieldError("PaymentBody.Workflow.Mode", "must be Default, SkipIntro, RemoteOnly or MOTO")
		}
		b.Workflow.Mode = workflowModes[i] // the documented spelling
	}
	return nil
}

// httpURL reports whether s is an absolute http or https URL with a host (https only when
// httpsOnly).
func httpURL(s string, httpsOnly bool) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && u.Host != "" && (u.Scheme == "https" || (!httpsOnly && u.Scheme == "http"))
}

// partnerID reports whether s is a GUID (32 hex digits, with or without the four hyphens
// or braces) or a ShortGuid: the GUID's 16 bytes in 22 characters of URL-safe base64
// without padding.
func partnerID(s string) bool {
	if len(s) == 22 {
		b, err := base64.RawURLEncoding.DecodeString(s)
		return err == nil && len(b) == 16
	}
	_, err := uuid.Parse(s)
	return err == nil && !strings.HasPrefix(s, "urn:")
}
