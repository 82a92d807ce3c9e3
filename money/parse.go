package money

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// maxTextLength is the longest amount text, in bytes, that is accepted. It
// leaves room for every int64 count of minor units with plenty of padding
// zeros, and keeps hostile input cheap to reject.
const maxTextLength = 64

// parseMinor parses amount text in the syntax described in the package
// documentation and returns the value as a count of c's minor units.
func parseMinor(s string, c Currency) (int64, error) {
	if c.IsZero() {
		return 0, errorf(ErrUnknownCurrency, "no currency given for amount %s", quoteInput(s))
	}
	if s == "" {
		return 0, errorf(ErrInvalidAmount, "empty amount")
	}
	if len(s) > maxTextLength {
		return 0, errorf(ErrInvalidAmount, "amount %s is longer than %d characters", quoteInput(s), maxTextLength)
	}

	i := 0
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	whole := s[start:i]
	frac := ""
	hasPoint := i < len(s) && s[i] == '.'
	if hasPoint {
		i++
		start = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[start:i]
	}
	if whole == "" || (hasPoint && frac == "") || i != len(s) {
		return 0, errorf(ErrInvalidAmount,
			"%s is not a plain decimal amount (want ASCII digits with an optional sign and decimal point, such as \"10.50\")",
			quoteInput(s))
	}

	exp := c.Exponent()
	frac = strings.TrimRight(frac, "0")
	if len(frac) > exp {
		return 0, precisionError(s, c)
	}

	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // the magnitude of math.MinInt64
	}
	var mag uint64
	push := func(d uint64) bool {
		if mag > (limit-d)/10 {
			return false
		}
		mag = mag*10 + d
		return true
	}
	for _, digits := range []string{strings.TrimLeft(whole, "0"), frac} {
		for j := 0; j < len(digits); j++ {
			if !push(uint64(digits[j] - '0')) {
				return 0, rangeError(s, c)
			}
		}
	}
	for range exp - len(frac) {
		if !push(0) {
			return 0, rangeError(s, c)
		}
	}

	if neg {
		// Two's complement negation is exact for every magnitude up to 1<<63.
		return int64(-mag), nil
	}
	return int64(mag), nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func precisionError(value string, c Currency) error {
	return errorf(ErrPrecision, "%s has more decimal places than %s allows (%d)", value, c, c.Exponent())
}

func rangeError(value string, c Currency) error {
	return errorf(ErrOutOfRange, "%s %s is out of range: the amount in minor units must fit in a signed 64-bit integer", value, c)
}

// decimalMinor converts d to a count of c's minor units, rejecting values that
// are not whole minor units or that do not fit in an int64. It never builds a
// number larger than d itself, so a decimal with an extreme exponent is
// rejected quickly.
func decimalMinor(d decimal.Decimal, c Currency) (int64, error) {
	if c.IsZero() {
		return 0, errorf(ErrUnknownCurrency, "no currency given for amount %s", describeDecimal(d))
	}
	coef := d.Coefficient()
	if coef.Sign() == 0 {
		return 0, nil
	}
	// value in minor units = coef × 10^shift
	shift := int64(d.Exponent()) + int64(c.Exponent())
	ten := big.NewInt(10)
	switch {
	case shift >= 19:
		// |coef| ≥ 1, so the result is at least 10^19 > MaxInt64.
		return 0, rangeError(describeDecimal(d), c)
	case shift >= 0:
		coef.Mul(coef, new(big.Int).Exp(ten, big.NewInt(shift), nil))
	default:
		k := -shift
		// 10^k > 2^k ≥ 2^BitLen > |coef|: coef cannot be a multiple of 10^k.
		if k > int64(coef.BitLen()) {
			return 0, precisionError(describeDecimal(d), c)
		}
		var rem big.Int
		coef.QuoRem(coef, new(big.Int).Exp(ten, big.NewInt(k), nil), &rem)
		if rem.Sign() != 0 {
			return 0, precisionError(describeDecimal(d), c)
		}
	}
	if !coef.IsInt64() {
		return 0, rangeError(describeDecimal(d), c)
	}
	return coef.Int64(), nil
}

// describeDecimal renders d for an error message without ever producing
// enormous text for a decimal with an extreme exponent or coefficient.
func describeDecimal(d decimal.Decimal) string {
	exp := d.Exponent()
	bits := d.Coefficient().BitLen()
	if exp >= -maxTextLength && exp <= maxTextLength && bits <= 256 {
		return d.String()
	}
	if bits <= 256 {
		return d.Coefficient().String() + "e" + strconv.Itoa(int(exp))
	}
	return "a decimal with a " + strconv.Itoa(bits) + "-bit coefficient"
}
