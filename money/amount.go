package money

import (
	"encoding/json"
	"strconv"

	"github.com/shopspring/decimal"
)

// Amount is an exact amount of money in one currency, such as 10.50 GBP.
//
// An Amount is an immutable value: methods return new Amounts and never change
// the receiver, so Amounts can be copied and shared freely. It always holds a
// whole number of the currency's minor units (pence, cents, fils) and that
// number fits in an int64.
//
// The zero value is "no amount": it has no currency, [Amount.IsValid] reports
// false, and arithmetic, comparison and the Check methods reject it with
// [ErrInvalidAmount].
//
// Amounts are stored in normalised form, so 10.0 GBP and 10.00 GBP are the same
// value: == and [Amount.Equal] agree, and Amounts can be map keys.
type Amount struct {
	minor int64    // value in minor units of cur
	cur   Currency // zero only for the zero Amount
}

// New parses value as an amount of the currency with ISO 4217 code currency
// (letter case ignored). The value must be plain decimal text as described in
// the package documentation, such as "10.50", "-3" or "5.000". Values with more
// decimal places than the currency allows fail with [ErrPrecision] (trailing
// zeros do not count), values too large fail with [ErrOutOfRange], malformed
// text fails with [ErrInvalidAmount] and an unknown code with
// [ErrUnknownCurrency].
func New(value, currency string) (Amount, error) {
	c, err := ParseCurrency(currency)
	if err != nil {
		return Amount{}, err
	}
	return NewCurrency(value, c)
}

// NewCurrency is like [New] for a currency that has already been parsed. A zero
// c fails with [ErrUnknownCurrency].
func NewCurrency(value string, c Currency) (Amount, error) {
	minor, err := parseMinor(value, c)
	if err != nil {
		return Amount{}, err
	}
	return Amount{minor: minor, cur: c}, nil
}

// MustNew is like [New] but panics on error. It is meant for constants and
// tests, where the value is fixed in the source.
func MustNew(value, currency string) Amount {
	a, err := New(value, currency)
	if err != nil {
		panic(err)
	}
	return a
}

// FromMinor returns the amount of minor units of the currency with the given
// ISO 4217 code: 1050 GBP is 10.50 GBP, 1050 JPY is 1050 JPY and 1050 KWD is
// 1.050 KWD. It fails only when the currency is unknown.
func FromMinor(minor int64, currency string) (Amount, error) {
	c, err := ParseCurrency(currency)
	if err != nil {
		return Amount{}, err
	}
	return FromMinorCurrency(minor, c), nil
}

// FromMinorCurrency is like [FromMinor] for a currency that has already been
// parsed. Every int64 is a valid count of minor units. With the zero Currency
// it returns the zero Amount (no amount), which every later check rejects.
func FromMinorCurrency(minor int64, c Currency) Amount {
	if c.IsZero() {
		return Amount{}
	}
	return Amount{minor: minor, cur: c}
}

// FromDecimal returns d as an amount of currency c, with the same rules as
// [New]: d must be a whole number of c's minor units ([ErrPrecision]) whose count
// fits in an int64 ([ErrOutOfRange]), and c must not be zero
// ([ErrUnknownCurrency]). The exponent d happens to carry does not matter:
// 10.5 and 10.500 give the same Amount.
func FromDecimal(d decimal.Decimal, c Currency) (Amount, error) {
	minor, err := decimalMinor(d, c)
	if err != nil {
		return Amount{}, err
	}
	return Amount{minor: minor, cur: c}, nil
}

// Currency returns the currency of a, or the zero Currency for the zero Amount.
func (a Amount) Currency() Currency { return a.cur }

// Decimal returns the value of a in major units (10.50 for 10.50 GBP) as an
// exact decimal. Its exponent is minus the currency's exponent. It returns zero
// for the zero Amount.
func (a Amount) Decimal() decimal.Decimal {
	return decimal.New(a.minor, -int32(a.cur.Exponent()))
}

// Minor returns the value of a as a count of the currency's minor units: 1050
// for 10.50 GBP, 1050 for 1050 JPY. The result is always exact. It returns 0 for
// the zero Amount.
func (a Amount) Minor() int64 { return a.minor }

// IsZero reports whether the value of a is zero, whatever its currency. It is
// also true for the zero Amount; use [Amount.IsValid] to tell the two apart.
func (a Amount) IsZero() bool { return a.minor == 0 }

// IsValid reports whether a has a currency, that is, whether it is anything but
// the zero Amount.
func (a Amount) IsValid() bool { return !a.cur.IsZero() }

// Sign returns -1, 0 or +1 as the value of a is negative, zero or positive.
func (a Amount) Sign() int {
	switch {
	case a.minor < 0:
		return -1
	case a.minor > 0:
		return 1
	}
	return 0
}

// Fixed returns the value of a in major units with exactly as many digits after
// the decimal point as the currency's exponent: "10.00" GBP, "1050" JPY,
// "1.500" KWD, "-0.05" EUR. The text uses ASCII digits, '.' as the decimal
// point, a leading '-' for negative values and nothing else (no '+', no
// grouping, no exponent), and parses back to a with [NewCurrency]. This is the
// form Trustly expects for amounts. It returns "" for the zero Amount.
func (a Amount) Fixed() string {
	if !a.IsValid() {
		return ""
	}
	var buf [48]byte
	return string(a.appendFixed(buf[:0]))
}

// appendFixed appends the text Fixed returns to b.
func (a Amount) appendFixed(b []byte) []byte {
	neg := a.minor < 0
	mag := uint64(a.minor)
	if neg {
		mag = -mag // exact for math.MinInt64 too
	}
	var digitBuf [24]byte
	digits := strconv.AppendUint(digitBuf[:0], mag, 10)
	if neg {
		b = append(b, '-')
	}
	exp := a.cur.Exponent()
	if exp == 0 {
		return append(b, digits...)
	}
	// At least one digit before the point: pad with zeros to exp+1 digits.
	var wholeBuf [48]byte
	whole := wholeBuf[:0]
	for range exp - len(digits) + 1 {
		whole = append(whole, '0')
	}
	whole = append(whole, digits...)
	b = append(b, whole[:len(whole)-exp]...)
	b = append(b, '.')
	return append(b, whole[len(whole)-exp:]...)
}

// JSONNumber returns the value of a in major units as a [json.Number], for wire
// formats that carry amounts as JSON numbers (Trustist sends and expects 12.34,
// meaning £12.34). Its text is exactly that of [Amount.Fixed], so no float is
// ever involved.
//
// For the zero Amount it returns an empty json.Number. Note that encoding/json
// writes an empty json.Number as 0, so check [Amount.IsValid] before encoding.
func (a Amount) JSONNumber() json.Number {
	return json.Number(a.Fixed())
}

// String returns the amount followed by a space and the currency code, such as
// "10.00 GBP" or "-1050 JPY", for logs and messages. The zero Amount gives
// "<no amount>". The %v verb of package fmt prints this text.
func (a Amount) String() string {
	if !a.IsValid() {
		return "<no amount>"
	}
	var buf [48]byte
	b := append(a.appendFixed(buf[:0]), ' ')
	return string(append(b, a.cur.String()...))
}
