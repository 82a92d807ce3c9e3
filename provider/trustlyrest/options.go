package trustlyrest

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/paybridge/paybridge/internal/pairs"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/secret"
)

// EstablishOptions is what a BeforeSend hook on Pay or CreateMandate reaches: the optional
// establish data fields the neutral request cannot say
// (https://amer.developers.trustly.com/integrate/core-concepts/the-establish-data-object).
// Set it with
//
//	req.BeforeSend = func(as func(any) bool) error {
//		var o *trustlyrest.EstablishOptions
//		if as(&o) {
//			o.Metadata.IntegrationContext = "InAppBrowser"
//		}
//		return nil
//	}
//
// The hook runs before the establish data is signed, so DisplayAmount and TimeZone, which
// the requestSignature covers, are signed as the hook left them; the other fields are not
// part of the signature (https://amer.developers.trustly.com/payments/reference/generate-request-signatures).
// The amount, currency, merchantReference, payment type and customer are the adapter's:
// they are not reachable here.
type EstablishOptions struct {
	// DisplayAmount is the amount the hosted page shows, when it differs from amount.
	DisplayAmount string `json:"displayAmount,omitempty"`
	// TimeZone is an IANA zone for the transaction's dates.
	TimeZone string `json:"timeZone,omitempty"`
	// AllowedPaymentProviderTypes limits the payer's choices: 1 Online Banking, 2 Manual
	// Electronic Check ([I] sent as JSON numbers; Trustly's pages name the codes, not their
	// JSON type).
	AllowedPaymentProviderTypes []int `json:"allowedPaymentProviderTypes,omitempty"`
	// Metadata is establish data's metadata object: page options, not the merchant's
	// key/value pairs (Trustly has no place for those on a payment).
	Metadata EstablishMetadata `json:"metadata,omitzero"`
}

// EstablishMetadata is establish data's metadata object. Lang is set from Payer.Locale.
type EstablishMetadata struct {
	Lang                  string `json:"lang,omitempty"`
	FinishButtonLabelType string `json:"finishButtonLabelType,omitempty"`
	IntegrationContext    string `json:"integrationContext,omitempty"`
	URLScheme             string `json:"urlScheme,omitempty"`
	UniversalLink         string `json:"universalLink,omitempty"`
	DeepLinkStrategy      string `json:"deepLinkStrategy,omitempty"`
}

// Recurrence is establish data's recurrence object of a mandate (paymentType Recurring,
// https://amer.developers.trustly.com/payments/reference/recurrence-object). CreateMandate
// sets StartDate to the time of the call and RecurringAmount to MaxAmount; a BeforeSend
// hook on CreateMandate reaches it (as a *Recurrence) to describe a schedule. Dates are
// Unix epoch milliseconds ([I] Trustly says "Unix timestamp"; every other Trustly time is
// in milliseconds). FrequencyUnitType is Trustly's name (Day, Week, Month or Year).
// AutomaticCapture is not offered: the merchant charges with Charge.
type Recurrence struct {
	StartDate         int64  `json:"startDate,omitempty"`
	EndDate           int64  `json:"endDate,omitempty"`
	Frequency         int    `json:"frequency,omitempty"`
	FrequencyUnit     int    `json:"frequencyUnit,omitempty"`
	FrequencyUnitType string `json:"frequencyUnitType,omitempty"`
	RecurringAmount   string `json:"recurringAmount,omitempty"`
}

// TransactionOptions is what a BeforeSend hook on Capture, Charge, Refund, Payout and Void
// reaches: the optional parameters of POST /transactions/{id}/capture, /refund, /deposit
// and /cancel beyond the amount and merchantReference the adapter sets
// (https://amer.developers.trustly.com/api-reference). The hook sees the values the
// adapter chose and may change them.
//
// TransactionOptions print and log with the split token and Extra's values redacted.
type TransactionOptions struct {
	// SplitToken is the authorization's split token, which a capture (and a charge) needs.
	// Trustly documents it only in the Authorize notification (SplitToken reads it from
	// notify.Event.Raw); the adapter fills it in when Trustly's transaction carries it.
	SplitToken string
	// InteractionID is "consumerNotPresent" on a Charge, a capture the payer does not take
	// part in.
	InteractionID string
	// Message is a cancel's message, cut to Trustly's 40 characters: Void's Reason.
	Message string
	// Extra holds further documented parameters, sent after the others in this order, for
	// example {"metadata.remittance.withdrawalMethod", "BankDeposit"} on a capture or
	// {"instantPayoutRequest", "true"} on a deposit. A key the adapter sets itself is
	// refused.
	Extra []Param
}

// describe is how TransactionOptions print: the split token, a bearer of the payer's
// authorization, redacted, and of Extra only the keys, since its values can name a
// beneficiary and their account.
func (o TransactionOptions) describe() secret.Opaque {
	d := pairs.Redacted(nil, "splitToken", o.SplitToken)
	d = pairs.Set(d, "interactionId", o.InteractionID, "message", o.Message)
	if len(o.Extra) > 0 {
		keys := make([]string, len(o.Extra))
		for i, p := range o.Extra {
			keys[i] = p.Key
		}
		d = append(d, "extra", strings.Join(keys, " "))
	}
	return secret.Describe("trustlyrest.TransactionOptions", d...)
}

// String shows the options with the split token and Extra's values redacted.
func (o TransactionOptions) String() string { return o.describe().String() }

// GoString shows the options with the split token and Extra's values redacted.
func (o TransactionOptions) GoString() string { return o.describe().GoString() }

// Format prints the options with the split token and Extra's values redacted, whatever
// the verb.
func (o TransactionOptions) Format(f fmt.State, verb rune) { o.describe().Format(f, verb) }

// LogValue logs the options with the split token and Extra's values redacted, by every
// slog handler.
func (o TransactionOptions) LogValue() slog.Value { return o.describe().LogValue() }

// Param is one parameter of a request body.
type Param struct{ Key, Value string }

// form returns the body: the adapter's own pairs, then the options.
func (o *TransactionOptions) form(own signing.Form) (signing.Form, error) {
	f := own
	add := func(k, v string) {
		if v != "" {
			f = append(f, signing.Pair{Key: k, Value: v})
		}
	}
	add("splitToken", o.SplitToken)
	add("interactionId", o.InteractionID)
	add("message", cutRunes(o.Message, maxCancelMessage))
	for _, p := range o.Extra {
		if p.Key == "" {
			return nil, errBadExtra("an empty key")
		}
		for _, q := range f {
			if q.Key == p.Key {
				return nil, errBadExtra("key " + quoteShort(p.Key) + " twice")
			}
		}
		f = append(f, signing.Pair{Key: p.Key, Value: p.Value})
	}
	return f, nil
}

func errBadExtra(what string) error {
	return provider.FieldError("BeforeSend", "TransactionOptions.Extra has %s", what)
}

// actionForm runs a request's BeforeSend hook on its TransactionOptions and returns the
// body to send: own (the adapter's amount and merchantReference), then the options.
func actionForm(hook provider.BeforeSend, own signing.Form, opts *TransactionOptions) (signing.Form, error) {
	if err := hook.Run(opts); err != nil {
		return nil, err
	}
	return opts.form(own)
}
