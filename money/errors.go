package money

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one or more of
// these, so callers can classify a failure with [errors.Is]; the message of the
// returned error says what exactly was wrong.
var (
	// ErrInvalidAmount reports text or JSON that is not a well-formed amount, and
	// any operation given the zero Amount, which holds no amount at all.
	ErrInvalidAmount = errors.New("money: invalid amount")

	// ErrUnknownCurrency reports a currency code that is not a recognised ISO 4217
	// currency, and a missing (zero) Currency where one is required.
	ErrUnknownCurrency = errors.New("money: unknown currency")

	// ErrPrecision reports a value that is not a whole number of the currency's
	// minor units, such as 10.001 GBP or 1.5 JPY. Such values are rejected, never
	// rounded.
	ErrPrecision = errors.New("money: more decimal places than the currency allows")

	// ErrCurrencyMismatch reports arithmetic or comparison between amounts in
	// different currencies.
	ErrCurrencyMismatch = errors.New("money: currency mismatch")

	// ErrOutOfRange reports an amount whose count of minor units does not fit in a
	// signed 64-bit integer, and an amount that breaks a digit limit given to
	// [Amount.CheckMaxDigits].
	ErrOutOfRange = errors.New("money: amount out of range")

	// ErrNotPositive reports an amount that is zero or negative where a positive
	// amount is required (see [Amount.CheckPositive]).
	ErrNotPositive = errors.New("money: amount not positive")
)

// moneyError carries a specific message and the sentinels it matches.
type moneyError struct {
	msg   string
	kinds []error
}

func (e *moneyError) Error() string   { return e.msg }
func (e *moneyError) Unwrap() []error { return e.kinds }

// newError returns an error with the message "money: " + the formatted text,
// matching the given sentinel kinds under errors.Is.
func newError(kinds []error, format string, args ...any) error {
	return &moneyError{msg: "money: " + fmt.Sprintf(format, args...), kinds: kinds}
}

func errorf(kind error, format string, args ...any) error {
	return newError([]error{kind}, format, args...)
}

// quoteInput renders untrusted input for an error message: quoted, with
// non-printable characters escaped, and cut short when long.
func quoteInput(s string) string {
	const limit = 40
	if len(s) > limit {
		return fmt.Sprintf("%q...", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}
