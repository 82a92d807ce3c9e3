package trustly

import (
	"fmt"
	"strconv"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// codeRule is how one Trustly error code maps onto the neutral codes.
type codeRule struct {
	code provider.Code
	// field names the neutral request field at fault, when the Trustly code names one.
	field string
	// hint explains the error to the developer, after Trustly's message.
	hint string
}

// codeRules maps every Trustly error code the adapter knows
// (https://eu.developers.trustly.com/doc/reference/error-messages). Codes not listed map
// to provider.Unknown with the Trustly code kept in ProviderCode.
var codeRules = map[int]codeRule{
	wire.CodeFunctionAccessDenied: {provider.PermissionDenied, "", "this merchant account may not call the method; ask Trustly to enable it"},
	wire.CodeHostAccessDenied:     {provider.PermissionDenied, "", "the calling IP address is not on Trustly's allow-list for this merchant"},
	wire.CodeInvalidAmount:        {provider.InvalidRequest, "Amount", "the amount must be positive with two decimals (for a refund: at most what remains of the deposit)"},
	wire.CodeInvalidCredentials:   {provider.Unauthenticated, "", "check Username and Password"},
	// 620 is Trustly's generic error; its TEST system also uses it for an unknown OrderID or
	// AccountID. Nothing says whether a retry could help, so it is not retryable.
	wire.CodeUnknown:             {provider.Internal, "", "Trustly's generic error (also returned for unknown order or account ids)"},
	wire.CodeInvalidCurrencyCode: {provider.InvalidRequest, "Amount", "the currency is not accepted for this merchant or order"},
	wire.CodeInvalidParameters:   {provider.InvalidRequest, "", "a parameter has the wrong format"},
	// 636 means Trustly holds a public key that does not match the merchant key that signed
	// the request: a credentials problem the caller must fix, like a wrong password.
	wire.CodeUnableToVerifyRSASignature: {provider.Unauthenticated, "", "Trustly could not verify the request signature: the private key does not match the public key registered with Trustly"},
	wire.CodeDuplicateMessageID:         {provider.Duplicate, "MerchantReference", "the MessageID (MerchantReference) was used by an earlier request; repeat that request with its idempotency key to get its result"},
	wire.CodeEndUserIsBlocked:           {provider.Declined, "", "Trustly has blocked this end user"},
	wire.CodeNoPublicKey:                {provider.Unauthenticated, "", "no merchant public key is registered with Trustly for this username"},
	wire.CodeInvalidEmail:               {provider.InvalidRequest, "Email", ""},
	wire.CodeInvalidLocale:              {provider.InvalidRequest, "Locale", "use language_TERRITORY, e.g. sv_SE"},
	// 688 is a UUID sent before with other content. It proves that an earlier request with
	// this idempotency key reached Trustly, not that Trustly refused it: a repeat whose
	// content changed (a BeforeSend hook or a Config that decides otherwise the second
	// time) meets it after its first attempt was applied. So the outcome stays unknown.
	wire.CodeDuplicateUUID: {provider.UnknownOutcome, "IdempotencyKey", "an earlier request with this idempotency key and other content reached Trustly, and may have been applied; " +
		"only the byte-identical request learns its result"},
	wire.CodeEndUserIDIsNull:          {provider.InvalidRequest, "ID", "the end user id is required"},
	wire.CodeMessageIDIsNull:          {provider.InvalidRequest, "MerchantReference", "the MessageID is required"},
	wire.CodeInvalidIP:                {provider.InvalidRequest, "IP", "give one IP address"},
	wire.CodeMalformedSuccessURL:      {provider.InvalidRequest, "ReturnURL", ""},
	wire.CodeMalformedFailURL:         {provider.InvalidRequest, "CancelURL", ""},
	wire.CodeMalformedTemplateURL:     {provider.InvalidRequest, "", ""},
	wire.CodeMalformedURLTarget:       {provider.InvalidRequest, "", ""},
	wire.CodeMalformedMessageID:       {provider.InvalidRequest, "MerchantReference", ""},
	wire.CodeMalformedNotificationURL: {provider.InvalidRequest, "NotificationURL", "it must be an absolute URL without a query"},
	wire.CodeMalformedEndUserID:       {provider.InvalidRequest, "ID", ""},
	wire.CodeDirectDebitNotAllowed:    {provider.PermissionDenied, "", "Trustly Direct Debit is not enabled for this merchant"},
	wire.CodeInvalidOrderAttribute:    {provider.InvalidRequest, "", "an attribute has a wrong value"},
	wire.CodeDisabledUser:             {provider.PermissionDenied, "", "the merchant user is disabled"},
	wire.CodePayAndPlayNotAllowed:     {provider.PermissionDenied, "", "Pay N Play is not enabled for this merchant"},
	wire.CodeNotSecureNotificationURL: {provider.InvalidRequest, "NotificationURL", "it must be https"},
	wire.CodeInvalidCountry:           {provider.InvalidRequest, "Country", ""},
}

// ErrorCode returns the neutral code for a Trustly error code, and whether the code is
// one the adapter knows.
func ErrorCode(trustlyCode int) (provider.Code, bool) {
	r, ok := codeRules[trustlyCode]
	if !ok {
		return provider.Unknown, false
	}
	return r.code, true
}

// personFields are the rule fields that belong to the request's person (Payer, Payee or
// Holder).
var personFields = map[string]bool{"ID": true, "Email": true, "Locale": true, "IP": true, "Country": true}

// rpcError turns a signed Trustly error into a *provider.Error. person is the request's
// person field ("Payer", "Payee", "Holder"), used to name person fields in full.
func rpcError(e *wire.RPCError, httpStatus int, person string) *provider.Error {
	r, ok := codeRules[e.Code]
	msg := e.Message
	if msg == "" {
		msg = wire.CodeName(e.Code)
	}
	if ok && r.hint != "" {
		msg += ": " + r.hint
	}
	code := provider.Unknown
	if ok {
		code = r.code
	}
	field := r.field
	if personFields[field] && person != "" {
		field = person + "." + field
	}
	pe := &provider.Error{Code: code, ProviderCode: strconv.Itoa(e.Code), Message: msg, Field: field,
		HTTPStatus: httpStatus, Err: e}
	if code == provider.Duplicate {
		// A signed refusal of a MessageID used under another UUID (another idempotency
		// key): Trustly created nothing for this request. A used UUID (688) is not mapped
		// to Duplicate: the earlier request with that UUID may have been applied.
		pe.Err = fmt.Errorf("%w: %w", provider.ErrNotApplied, e)
	}
	return pe
}
