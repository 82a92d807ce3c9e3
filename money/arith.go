package money

import (
	"errors"
	"strconv"
	"strings"
)

// noAmount is the error for an operation given the zero Amount.
func noAmount(op string) error {
	return errorf(ErrInvalidAmount, "cannot %s: no amount (the zero Amount has no currency)", op)
}

// sameCurrency checks that a and b can be combined by op.
func sameCurrency(op string, a, b Amount) error {
	if !a.IsValid() || !b.IsValid() {
		return noAmount(op)
	}
	if a.cur != b.cur {
		return errorf(ErrCurrencyMismatch, "cannot %s %s and %s: different currencies", op, a, b)
	}
	return nil
}

// Add returns a + b. Both must be in the same currency ([ErrCurrencyMismatch])
// and the sum must fit ([ErrOutOfRange]). On error the returned Amount is the
// zero Amount.
func (a Amount) Add(b Amount) (Amount, error) {
	if err := sameCurrency("add", a, b); err != nil {
		return Amount{}, err
	}
	sum := a.minor + b.minor
	if (a.minor^sum)&(b.minor^sum) < 0 { // both operands differ in sign from the result
		return Amount{}, errorf(ErrOutOfRange, "%s + %s is out of range", a, b)
	}
	return Amount{minor: sum, cur: a.cur}, nil
}

// Sub returns a - b, with the same rules as [Amount.Add]. The result may be
// negative.
func (a Amount) Sub(b Amount) (Amount, error) {
	if err := sameCurrency("subtract", a, b); err != nil {
		return Amount{}, err
	}
	diff := a.minor - b.minor
	if (a.minor^b.minor)&(a.minor^diff) < 0 { // operands differ in sign and the result differs in sign from a
		return Amount{}, errorf(ErrOutOfRange, "%s - %s is out of range", a, b)
	}
	return Amount{minor: diff, cur: a.cur}, nil
}

// Cmp compares a and b and returns -1 if a < b, 0 if a == b and +1 if a > b.
// Amounts in different currencies cannot be compared ([ErrCurrencyMismatch]).
func (a Amount) Cmp(b Amount) (int, error) {
	if err := sameCurrency("compare", a, b); err != nil {
		return 0, err
	}
	switch {
	case a.minor < b.minor:
		return -1, nil
	case a.minor > b.minor:
		return 1, nil
	}
	return 0, nil
}

// Equal reports whether a and b have the same currency and the same value. It
// never fails: amounts in different currencies are simply not equal. Two zero
// Amounts are equal. Equal gives the same answer as ==.
func (a Amount) Equal(b Amount) bool {
	return a == b
}

// Sum returns the total of its arguments, which must all be in the same
// currency. It fails like [Amount.Add], and the error says which argument
// (counting from 0) could not be added.
func Sum(first Amount, rest ...Amount) (Amount, error) {
	if !first.IsValid() {
		return Amount{}, noAmount("sum")
	}
	total := first
	for i, b := range rest {
		var err error
		total, err = total.Add(b)
		if err != nil {
			return Amount{}, inSum(i+1, err)
		}
	}
	return total, nil
}

// inSum adds the position of the failing argument to an error from Add.
func inSum(arg int, err error) error {
	var me *moneyError
	if !errors.As(err, &me) {
		return err
	}
	return &moneyError{
		msg:   "money: sum: argument " + strconv.Itoa(arg) + ": " + strings.TrimPrefix(me.msg, "money: "),
		kinds: me.kinds,
	}
}

// CheckPositive returns nil if a is greater than zero, and otherwise an error
// wrapping [ErrNotPositive]. Amounts may be negative or zero (a refund
// computation can produce either), so operations that move money call this
// first. For the zero Amount the error wraps both [ErrNotPositive] and
// [ErrInvalidAmount].
func (a Amount) CheckPositive() error {
	if !a.IsValid() {
		return newError([]error{ErrInvalidAmount, ErrNotPositive}, "no amount given; a positive amount is required")
	}
	if a.minor <= 0 {
		return errorf(ErrNotPositive, "%s is not a positive amount", a)
	}
	return nil
}

// CheckMaxDigits returns an error wrapping [ErrOutOfRange] when the integer
// part of a (in major units, ignoring the sign) has more than intDigits digits.
// A zero integer part, as in 0.50, counts as no digits. Providers limit amount
// fields this way; for example, with intDigits 3, 999.99 GBP passes and
// 1000.00 GBP fails. A negative intDigits is treated as 0. The zero Amount fails
// with [ErrInvalidAmount].
func (a Amount) CheckMaxDigits(intDigits int) error {
	if !a.IsValid() {
		return noAmount("check digits")
	}
	mag := uint64(a.minor)
	if a.minor < 0 {
		mag = -mag
	}
	for range a.cur.Exponent() {
		mag /= 10
	}
	n := 0
	for ; mag > 0; mag /= 10 {
		n++
	}
	if n > max(intDigits, 0) {
		return errorf(ErrOutOfRange, "%s has %d digits before the decimal point; at most %d allowed", a, n, max(intDigits, 0))
	}
	return nil
}
