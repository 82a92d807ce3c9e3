package trustlyrest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
)

// Trustly error codes the adapter distinguishes
// (https://amer.developers.trustly.com/payments/reference/errors).
const (
	codeInternal          = 100
	codeRemote            = 150
	codeInvalidParameter  = 200
	codeDuplicate         = 210
	codeSecurity          = 300
	codeExpiredSplitToken = 326
	codeInvalidAccount    = 330
	codeNotEnoughBalance  = 331
	codeAccessControl     = 375
	codeBankRequest       = 378
	codeInvalidSplitToken = 380
	codeFraud             = 390
	codeSplitTokenInvalid = 397
)

// ErrorDetail is one entry of Trustly's error body {"errors":[{domain,code,message}]}.
type ErrorDetail struct {
	// Domain is the Java exception class Trustly reports, e.g.
	// "com.paywithmybank.merchantgateway.v1.exception.AccessControlException".
	Domain string `json:"domain"`
	// Code is Trustly's numeric error code (375, 200, 210, ...).
	Code int `json:"code"`
	// Message is Trustly's text.
	Message string `json:"message"`
	// Location names the parameter at fault, when Trustly gives it.
	Location string `json:"location,omitempty"`
}

// UnmarshalJSON reads an error entry leniently: the code as a number or a numeric string,
// the text fields as strings or any other JSON (kept as text), and an entry that is not an
// object as the message. An error answer is never mistaken for a success because one of its
// fields is oddly typed.
func (d *ErrorDetail) UnmarshalJSON(b []byte) error {
	*d = ErrorDetail{}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		d.Message = jsonText(b)
		return nil
	}
	var code flexInt
	if raw, ok := fields["code"]; ok && code.UnmarshalJSON(raw) == nil && code > 0 {
		d.Code = int(code)
	}
	d.Domain, d.Message, d.Location = jsonText(fields["domain"]), jsonText(fields["message"]), jsonText(fields["location"])
	return nil
}

// jsonText returns a JSON string's value, or any other JSON value's text, cut to a bounded
// length; null and absent are "".
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	const limit = 500
	if len(s) > limit {
		s = cutRunes(s[:limit], limit)
	}
	return s
}

// APIError is an error answer from Trustly's REST API, whatever its HTTP status (a 200 may
// carry errors). The *provider.Error the adapter returns wraps it; reach it with errors.As.
type APIError struct {
	// HTTPStatus is the answer's HTTP status.
	HTTPStatus int
	// Errors lists every error entry in the body (empty when the body had none).
	Errors []ErrorDetail
	// Message is the top-level message of an error answer without an errors list
	// ({"message": "..."}, as Trustly models some 400s of /accounts/verify).
	Message string
}

// Error returns "trustly error <code>: <message>" for the first entry.
func (e *APIError) Error() string {
	if len(e.Errors) == 0 {
		if e.Message != "" {
			return "trustly: HTTP " + strconv.Itoa(e.HTTPStatus) + ": " + e.Message
		}
		return "trustly: HTTP " + strconv.Itoa(e.HTTPStatus) + " without an error body"
	}
	d := e.Errors[0]
	s := "trustly error " + strconv.Itoa(d.Code) + ": " + d.Message
	if len(e.Errors) > 1 {
		s += " (and " + strconv.Itoa(len(e.Errors)-1) + " more)"
	}
	return s
}

// Code returns the first entry's Trustly code, or 0.
func (e *APIError) Code() int {
	if len(e.Errors) == 0 {
		return 0
	}
	return e.Errors[0].Code
}

// TrustlyCode returns the Trustly error code carried by err (0 when none).
func TrustlyCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code()
	}
	return 0
}

// mentionsErrors reports whether body holds the text "errors" in quotes, which an error
// answer's member name is. It looks for the rare 'o' rather than the quote every member
// name starts with.
func mentionsErrors(body []byte) bool {
	const word = `"errors"`
	for i := 4; i+4 <= len(body); {
		j := bytes.IndexByte(body[i:], 'o')
		if j < 0 {
			return false
		}
		i += j
		if i+4 <= len(body) && string(body[i-4:i+4]) == word {
			return true
		}
		i++
	}
	return false
}

// parseErrorBody reads {"errors":[...]} from a body; ok is false when the body is not a JSON
// object or its "errors" is absent, null or an empty list. Any other "errors" value — a
// non-empty list, whatever its entries hold, or even an object — makes the body an error.
func parseErrorBody(body []byte) (details []ErrorDetail, ok bool) {
	if !mentionsErrors(body) {
		return nil, false
	}
	var e struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return nil, false
	}
	raw := bytes.TrimSpace(e.Errors)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return []ErrorDetail{{Message: "unreadable error answer: " + jsonText(raw)}}, true
	}
	if len(items) == 0 {
		return nil, false
	}
	details = make([]ErrorDetail, len(items))
	for i, it := range items {
		_ = details[i].UnmarshalJSON(it)
	}
	return details, true
}

// parseMessageBody reads the top-level "message" of an error answer without an errors list.
func parseMessageBody(body []byte) string {
	if !bytes.Contains(body, []byte(`"message"`)) {
		return ""
	}
	var m struct {
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	return jsonText(m.Message)
}

// lookupKind tells errorFor whether an invalid-parameter error answers a lookup by id, where
// Trustly's code 200 ("Could not find a transaction using Id …") means the id is unknown.
type lookupKind bool

const (
	isLookup lookupKind = true
	isAction lookupKind = false
)

// errorFor maps an API error
// (https://amer.developers.trustly.com/payments/reference/errors) to a *provider.Error:
//
//	375, 300 → Unauthenticated      200 → InvalidRequest (NotFound on a lookup by id)
//	210 → Duplicate (callers resolve it by looking the earlier transaction up)
//	326, 380, 397 → Declined (the split token is expired or invalid: the payer must authorize again)
//	330 → InvalidRequest            331 → InsufficientFunds
//	390 → Declined                  100, 150, 378, HTTP 5xx → ProviderUnavailable
//
// Unknown codes fall back on the HTTP status. The raw code is kept as ProviderCode.
// transport.Refusal then makes UnknownOutcome the answers after which the request may
// have been processed.
func errorFor(ae *APIError, kind lookupKind) *provider.Error {
	pe := &provider.Error{HTTPStatus: ae.HTTPStatus, Err: ae}
	code := ae.Code()
	switch {
	case len(ae.Errors) > 0:
		if code != 0 {
			pe.ProviderCode = strconv.Itoa(code)
		}
		pe.Message = ae.Errors[0].Message
	case ae.Message != "":
		pe.Message = ae.Message
	}
	switch code {
	case codeAccessControl, codeSecurity:
		pe.Code = provider.Unauthenticated
	case codeInvalidParameter:
		pe.Code = provider.InvalidRequest
		if kind == isLookup {
			pe.Code = provider.NotFound
		}
	case codeDuplicate:
		pe.Code = provider.Duplicate
	case codeExpiredSplitToken, codeInvalidSplitToken, codeSplitTokenInvalid:
		pe.Code = provider.Declined
		pe.Message += " (the authorization's split token cannot be used; the payer must authorize again)"
	case codeInvalidAccount:
		pe.Code = provider.InvalidRequest
	case codeNotEnoughBalance:
		pe.Code = provider.InsufficientFunds
	case codeFraud:
		pe.Code = provider.Declined
	case codeInternal, codeRemote, codeBankRequest:
		pe.Code = provider.ProviderUnavailable
	default:
		pe.Code = codeForHTTP(ae.HTTPStatus, kind)
	}
	return pe
}

// codeForHTTP classifies an error answer by its HTTP status alone.
func codeForHTTP(status int, kind lookupKind) provider.Code {
	switch {
	case status == http.StatusUnauthorized:
		return provider.Unauthenticated
	case status == http.StatusForbidden:
		return provider.PermissionDenied
	case status == http.StatusNotFound && kind == isLookup:
		return provider.NotFound
	case status == http.StatusTooManyRequests:
		return provider.RateLimited
	case status >= 500:
		return provider.ProviderUnavailable
	case status >= 400:
		return provider.InvalidRequest
	}
	return provider.Internal
}

// unreadableAnswer reports a 2xx answer to a write that cannot be used: Trustly accepted
// the request and may have acted on it, so the outcome is unknown, and the call is to be
// repeated with the same idempotency key.
func unreadableAnswer(err error) error {
	return transport.Unusable(true, 0, "", "Trustly accepted the request but its answer cannot be read", err)
}

// isCode reports whether err is a *provider.Error with the given code.
func isCode(err error, c provider.Code) bool { return provider.CodeOf(err) == c }
