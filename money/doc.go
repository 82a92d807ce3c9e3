// Package money represents amounts of money exactly, in a form every payment
// provider can be given.
//
// An [Amount] is a value in one ISO 4217 [Currency], such as 10.50 GBP. It is
// never a floating-point number: it is held as a whole number of the
// currency's minor units (1050 pence), and is read and written as decimal text.
//
// # Currencies and minor units
//
// [ParseCurrency] accepts three-letter ISO 4217 codes in any letter case. The
// number of decimal places a currency allows, its [Currency.Exponent], comes
// from golang.org/x/text/currency: 0 for JPY, 2 for GBP, EUR, SEK and USD, 3
// for KWD and BHD, 4 for CLF. Codes that are not money one can pay in (XXX,
// XTS, precious metals, fund units) are rejected.
//
// # Reading amounts
//
// [New], [NewCurrency] and [Amount.UnmarshalJSON] accept plain decimal text and
// nothing else:
//
//   - an optional sign, '+' or '-';
//   - one or more ASCII digits (leading zeros are allowed);
//   - optionally a '.' followed by one or more ASCII digits;
//   - at most 64 bytes in all.
//
// So "10.50", "-3", "+0.5" and "007.10" are accepted, while "", " 1", "1 ",
// ".5", "5.", "1e3", "0x10", "1,00", "1_000", "NaN", "Inf" and non-ASCII digits
// are rejected with [ErrInvalidAmount]. A value is never rounded: one with more
// decimal places than its currency allows, such as "10.001" GBP or "1.5" JPY,
// is rejected with [ErrPrecision]. Trailing zeros are not extra precision, so
// "5.00000000000000000000" GBP is accepted and equals 5.00 GBP. A value whose
// count of minor units does not fit in an int64 is rejected with
// [ErrOutOfRange]. "-0" and "-0.00" read as zero.
//
// [FromMinor] builds an amount from a count of minor units, and [FromDecimal]
// from a [decimal.Decimal], under the same precision and range rules.
//
// # Writing amounts
//
// [Amount.Fixed] gives the value with exactly as many decimal places as the
// currency has ("10.00", "1050" for JPY, "1.500" for KWD), which is the string
// form providers such as Trustly expect. [Amount.JSONNumber] gives the same
// text as an [encoding/json.Number] for providers that want a JSON number in
// major units, such as Trustist. [Amount.Minor] gives the integer count of minor
// units. Each of these reads back to an equal Amount.
//
// # Arithmetic and checks
//
// Amounts are values. [Amount.Add], [Amount.Sub], [Sum] and [Amount.Cmp] work
// only on amounts of the same currency and fail with [ErrCurrencyMismatch]
// otherwise; a result that would not fit fails with [ErrOutOfRange]. Amounts may
// be negative, as refund arithmetic needs; code that moves money calls
// [Amount.CheckPositive] first, and [Amount.CheckMaxDigits] for providers that
// limit the size of amount fields.
//
// The zero Amount means "no amount": it has no currency, is written as null in
// JSON and is rejected by arithmetic, comparison and the checks.
//
// # Errors
//
// Every error from this package has a message saying what was wrong, for
// example
//
//	money: 10.001 has more decimal places than GBP allows (2)
//
// and matches one of the sentinel errors [ErrInvalidAmount],
// [ErrUnknownCurrency], [ErrPrecision], [ErrCurrencyMismatch], [ErrOutOfRange]
// and [ErrNotPositive] under [errors.Is].
package money
