package paybridge

import (
	"context"
	"errors"
	"strings"

	"github.com/paybridge/paybridge/provider"
)

// Code classifies an error by what the caller should do: see the constants.
type Code = provider.Code

// The error codes (see provider.Code for each one's meaning).
const (
	CodeUnknown             = provider.Unknown
	CodeInvalidRequest      = provider.InvalidRequest
	CodeUnauthenticated     = provider.Unauthenticated
	CodePermissionDenied    = provider.PermissionDenied
	CodeNotFound            = provider.NotFound
	CodeNotSupported        = provider.NotSupported
	CodeDeclined            = provider.Declined
	CodeInsufficientFunds   = provider.InsufficientFunds
	CodeDuplicate           = provider.Duplicate
	CodeRateLimited         = provider.RateLimited
	CodeProviderUnavailable = provider.ProviderUnavailable
	CodeUnknownOutcome      = provider.UnknownOutcome
	CodeInternal            = provider.Internal
)

// Sentinel errors, one per code, for errors.Is:
//
//	if errors.Is(err, paybridge.ErrDeclined) { ... }
//
// They match the errors of the Gateway's methods and equally those of the adapters' own
// methods reached through Gateway.As (*provider.Error values).
var (
	ErrInvalidRequest      error = provider.Sentinel(provider.InvalidRequest)
	ErrUnauthenticated     error = provider.Sentinel(provider.Unauthenticated)
	ErrPermissionDenied    error = provider.Sentinel(provider.PermissionDenied)
	ErrNotFound            error = provider.Sentinel(provider.NotFound)
	ErrNotSupported        error = provider.Sentinel(provider.NotSupported)
	ErrDeclined            error = provider.Sentinel(provider.Declined)
	ErrInsufficientFunds   error = provider.Sentinel(provider.InsufficientFunds)
	ErrDuplicate           error = provider.Sentinel(provider.Duplicate)
	ErrRateLimited         error = provider.Sentinel(provider.RateLimited)
	ErrProviderUnavailable error = provider.Sentinel(provider.ProviderUnavailable)
	ErrUnknownOutcome      error = provider.Sentinel(provider.UnknownOutcome)
	ErrInternal            error = provider.Sentinel(provider.Internal)
)

// Error is the error every Gateway method returns (context errors excepted, which are
// returned as they are). errors.Is matches it against the Err* sentinels by Code; errors.As
// reaches the adapter's error beneath it (*provider.Error, or a provider-specific type).
type Error struct {
	// Code tells the caller what to do.
	Code Code
	// Op is the Gateway method, e.g. "Refund".
	Op string
	// Provider is the adapter's name.
	Provider string
	// IdempotencyKey is the key the call used; repeat the call with it to resolve an
	// UnknownOutcome or to retry safely.
	IdempotencyKey string
	// Fields lists the invalid request fields of an InvalidRequest error found before
	// anything was sent: by the Gateway's checks, or by the adapter, for a field its
	// provider needs that the neutral request leaves optional (provider.FieldError; the
	// adapter's error stays reachable with errors.As). A field the provider's answer
	// names is not listed: read it from the *provider.Error.
	Fields []FieldError
	err    error
}

// FieldError is one invalid request field.
type FieldError struct {
	// Field is the field's path in the request, e.g. "Payer.Email".
	Field string
	// Problem says what is wrong, e.g. "must be a valid e-mail address".
	Problem string
}

// Error returns "paybridge: <provider>: <Op>: <details>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("paybridge: ")
	if e.Provider != "" {
		b.WriteString(e.Provider)
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	switch {
	case len(e.Fields) > 0:
		b.WriteString("invalid request: ")
		for i, f := range e.Fields {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(f.Field)
			b.WriteString(" ")
			b.WriteString(f.Problem)
		}
	case e.err != nil:
		b.WriteString(e.err.Error())
	default:
		b.WriteString(e.Code.String())
	}
	return b.String()
}

// Unwrap returns the adapter's error.
func (e *Error) Unwrap() error { return e.err }

// Is matches the Err* sentinel of e's Code.
func (e *Error) Is(target error) bool {
	s, ok := target.(provider.Sentinel)
	return ok && Code(s) == e.Code
}

// ErrorCode returns e.Code.
func (e *Error) ErrorCode() Code { return e.Code }

// CodeOf returns the Code of err: the Code of a paybridge or provider error in its chain,
// or CodeUnknown (also for context errors, which callers check with errors.Is).
func CodeOf(err error) Code { return provider.CodeOf(err) }

// wrap turns an adapter error into a *Error, exactly once.
func (g *Gateway) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if provider.CodeOf(err) == provider.Unknown {
			return err
		}
	}
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	code := provider.CodeOf(err)
	if code == provider.Unknown {
		code = provider.Internal
	}
	out := &Error{Code: code, Op: op, Provider: g.name, IdempotencyKey: key, err: err}
	if f, ok := refusedField(err); ok && code == provider.InvalidRequest {
		out.Fields = []FieldError{f}
	}
	return out
}

// refusedField returns the field an adapter refused before sending: an InvalidRequest
// *provider.Error naming a field and carrying nothing from a provider's answer (no
// provider code, no HTTP status) nor an underlying cause.
func refusedField(err error) (FieldError, bool) {
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field == "" ||
		pe.ProviderCode != "" || pe.HTTPStatus != 0 || pe.Err != nil {
		return FieldError{}, false
	}
	problem := pe.Message
	if problem == "" {
		problem = "is invalid"
	}
	return FieldError{Field: pe.Field, Problem: problem}, true
}

func (g *Gateway) invalid(op, key string, fields ...FieldError) error {
	return &Error{Code: CodeInvalidRequest, Op: op, Provider: g.name, IdempotencyKey: key, Fields: fields}
}
