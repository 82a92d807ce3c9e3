package provider

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Code classifies an error by what the caller should do about it.
type Code int

// The error codes. Each says whether a retry can help.
const (
	// Unknown is an error that carries no code; treat it like Internal.
	Unknown Code = iota
	// InvalidRequest: the request is malformed or refused as it stands (bad field, amount above
	// what remains refundable, ...). Do not retry unchanged.
	InvalidRequest
	// Unauthenticated: the credentials were refused. Do not retry until they are fixed.
	Unauthenticated
	// PermissionDenied: the credentials are valid but not allowed to do this.
	PermissionDenied
	// NotFound: the referenced object does not exist for these credentials.
	NotFound
	// NotSupported: the provider or adapter does not offer this operation or option;
	// Capabilities says so before anyone calls.
	NotSupported
	// Declined: the provider or the bank declined the payment. Final.
	Declined
	// InsufficientFunds: not enough money on the account that would pay. Final for this attempt.
	InsufficientFunds
	// Duplicate: the provider has already seen this reference or message id.
	Duplicate
	// RateLimited: slow down, then retry.
	RateLimited
	// ProviderUnavailable: the provider could not process the request (5xx, maintenance,
	// connection refused before sending). Safe to retry with the same idempotency key.
	ProviderUnavailable
	// UnknownOutcome: a write may or may not have taken effect (timeout after sending, lost
	// reply). Call again with the same idempotency key to resolve it; never assume either way.
	UnknownOutcome
	// Internal: a bug or an answer the adapter cannot understand.
	Internal
)

var codeNames = [...]string{
	Unknown:             "unknown",
	InvalidRequest:      "invalid_request",
	Unauthenticated:     "unauthenticated",
	PermissionDenied:    "permission_denied",
	NotFound:            "not_found",
	NotSupported:        "not_supported",
	Declined:            "declined",
	InsufficientFunds:   "insufficient_funds",
	Duplicate:           "duplicate",
	RateLimited:         "rate_limited",
	ProviderUnavailable: "provider_unavailable",
	UnknownOutcome:      "unknown_outcome",
	Internal:            "internal",
}

// String returns the code's snake_case name, e.g. "insufficient_funds".
func (c Code) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "code(" + strconv.Itoa(int(c)) + ")"
}

// Retryable reports whether repeating the same call (with the same idempotency key) may
// succeed: true for RateLimited, ProviderUnavailable and UnknownOutcome.
func (c Code) Retryable() bool {
	return c == RateLimited || c == ProviderUnavailable || c == UnknownOutcome
}

// Error is an error reported by a provider or detected by an adapter. Adapters return it
// (or an error wrapping it); callers reach it with errors.As to read the provider's own code
// and message.
type Error struct {
	// Code classifies the error.
	Code Code
	// ProviderCode is the provider's own error code ("616", "375", "403"), if any.
	ProviderCode string
	// Message is the provider's message or the adapter's description. It never contains
	// credentials.
	Message string
	// Field names the request field at fault, when known (e.g. "Amount").
	Field string
	// HTTPStatus is the HTTP status of the provider's answer, or 0.
	HTTPStatus int
	// CorrelationID is the provider's request or correlation id, for support tickets.
	CorrelationID string
	// RetryAfter is how long the provider asked the caller to wait before retrying
	// (an HTTP Retry-After header), or 0.
	RetryAfter time.Duration
	// ObjectID is the provider's id of the object an UnknownOutcome write created, when
	// the adapter learnt it although the rest of the answer was lost (a payment created
	// whose read-back failed). The Gateway records it in its journal, so that a repeat
	// of the call settles by reading the object instead of waiting for a notification.
	ObjectID string
	// Err is the underlying cause, if any.
	Err error
}

// Error returns "<code>: <message> (provider code X, correlation id Y)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code.String())
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	var extra []string
	if e.ProviderCode != "" {
		extra = append(extra, "provider code "+e.ProviderCode)
	}
	if e.HTTPStatus != 0 {
		extra = append(extra, "HTTP "+strconv.Itoa(e.HTTPStatus))
	}
	if e.CorrelationID != "" {
		extra = append(extra, "correlation id "+e.CorrelationID)
	}
	if len(extra) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(extra, ", "))
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the Sentinel of e's Code, so that errors.Is(err, paybridge.ErrDeclined)
// holds for an adapter's own methods' errors as for a Gateway's.
func (e *Error) Is(target error) bool {
	s, ok := target.(Sentinel)
	return ok && Code(s) == e.Code
}

// Sentinel is the error that stands for one Code under errors.Is: an *Error, and a
// *paybridge.Error, matches the Sentinel of its Code. The paybridge.Err* values
// (paybridge.ErrDeclined, ...) are the Sentinels; compare with those. When an error with
// one code wraps an error with another (an unknown outcome whose look-up failed), both
// match: CodeOf gives the outer one, which says what to do.
type Sentinel Code

// Error returns "paybridge: <code>", e.g. "paybridge: declined".
func (s Sentinel) Error() string { return "paybridge: " + Code(s).String() }

// Errorf returns an *Error with the given code and message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: sprintf(format, args...)}
}

// FieldError returns an InvalidRequest *Error naming a request field, for adapters whose
// provider needs a field that the neutral request leaves optional.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: InvalidRequest, Field: field, Message: sprintf(format, args...)}
}

// NotSupportedf returns a NotSupported *Error.
func NotSupportedf(format string, args ...any) *Error {
	return &Error{Code: NotSupported, Message: sprintf(format, args...)}
}

// CodeOf returns the Code of the first error in err's chain with an ErrorCode method (a
// *paybridge.Error), else of the first *Error in it, else Unknown.
func CodeOf(err error) Code {
	var c interface{ ErrorCode() Code } // a *paybridge.Error
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return Unknown
}
