package money

import (
	"golang.org/x/text/currency"
)

// Currency is an ISO 4217 currency, such as GBP, EUR, SEK, JPY or KWD.
//
// The zero value means "no currency": it is what an unset field holds, and no
// [Amount] can be made with it. Currency values are comparable with ==, so they
// can be used as map keys.
type Currency struct {
	// unit is never the zero currency.Unit (which x/text uses for XXX) unless
	// the Currency itself is the zero value.
	unit currency.Unit
}

// nonCurrencies lists codes that x/text/currency recognises but which ISO 4217
// gives no minor unit because they are not money anyone pays with: precious
// metals, bond-market and fund units, special drawing rights, retired units of
// account, the testing code XTS and the "no currency" code XXX.
var nonCurrencies = map[string]bool{
	"XAG": true, "XAU": true, "XPD": true, "XPT": true, // precious metals
	"XBA": true, "XBB": true, "XBC": true, "XBD": true, // European bond-market units
	"XDR": true, "XSU": true, "XUA": true, // special drawing rights and similar units
	"XEU": true, "XFO": true, "XFU": true, "XRE": true, // retired units of account
	"XTS": true, // reserved for testing
	"XXX": true, // no currency
}

// ParseCurrency returns the currency with the given three-letter ISO 4217 code.
// Letter case is ignored ("gbp" gives GBP); anything else around or inside the
// code, such as spaces, is an error.
//
// The known codes come from golang.org/x/text/currency, whose table is built
// from CLDR 32. It knows some withdrawn currencies (for example DEM) but not
// the newest ones: MRU, VES, VED, SLE, ZWG, XCG and UYW are unknown. Codes for
// precious metals, funds, special drawing rights, testing (XTS) and "no
// currency" (XXX) are rejected because they have no minor unit. Every error
// wraps [ErrUnknownCurrency].
func ParseCurrency(code string) (Currency, error) {
	u, err := currency.ParseISO(code)
	if err != nil {
		return Currency{}, errorf(ErrUnknownCurrency, "%s is not a known ISO 4217 currency code", quoteInput(code))
	}
	iso := u.String()
	if u == (currency.Unit{}) || nonCurrencies[iso] {
		return Currency{}, errorf(ErrUnknownCurrency, "%s is an ISO 4217 code but not a currency that can be paid in", iso)
	}
	return Currency{unit: u}, nil
}

// MustCurrency is like [ParseCurrency] but panics when code is not a known
// currency. It is meant for constants and tests, where the code is fixed in the
// source.
func MustCurrency(code string) Currency {
	c, err := ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// String returns the upper-case ISO 4217 code, such as "GBP", or "" for the zero
// Currency.
func (c Currency) String() string {
	if c.IsZero() {
		return ""
	}
	return c.unit.String()
}

// Exponent returns the number of digits after the decimal point in the
// currency's minor unit: 0 for JPY, 2 for GBP, EUR, SEK and USD, 3 for KWD and
// BHD, 4 for CLF. It returns 0 for the zero Currency.
//
// The figure is the standard (non-cash) rounding of golang.org/x/text/currency,
// which follows CLDR. For a few currencies CLDR uses fewer digits than the ISO
// 4217 list because the smaller units are not used in practice; for example IQD,
// IDR and COP have exponent 0 here.
func (c Currency) Exponent() int {
	if c.IsZero() {
		return 0
	}
	scale, _ := currency.Standard.Rounding(c.unit)
	return scale
}

// IsZero reports whether c is the zero Currency, that is, no currency.
func (c Currency) IsZero() bool {
	return c == Currency{}
}

// MarshalText implements [encoding.TextMarshaler]. It returns the ISO code, or
// empty text for the zero Currency.
func (c Currency) MarshalText() ([]byte, error) {
	return []byte(c.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with the rules of
// [ParseCurrency]. Empty text gives the zero Currency, so that a zero Currency
// survives a round trip through text or JSON. On error, c is left unchanged.
func (c *Currency) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*c = Currency{}
		return nil
	}
	parsed, err := ParseCurrency(string(text))
	if err != nil {
		return err
	}
	*c = parsed
	return nil
}
