package money

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/currency"
)

func TestParseCurrency(t *testing.T) {
	cases := []struct {
		code, want string
		exponent   int
	}{
		{"JPY", "JPY", 0},
		{"jpy", "JPY", 0},
		{"KRW", "KRW", 0},
		{"GBP", "GBP", 2},
		{"gBp", "GBP", 2},
		{"EUR", "EUR", 2},
		{"SEK", "SEK", 2},
		{"USD", "USD", 2},
		{"KWD", "KWD", 3},
		{"BHD", "BHD", 3},
		{"CLF", "CLF", 4},
		{"XOF", "XOF", 0}, // a real currency despite the X
		{"XCD", "XCD", 2},
	}
	for _, tc := range cases {
		c, err := ParseCurrency(tc.code)
		if err != nil {
			t.Errorf("ParseCurrency(%q): %v", tc.code, err)
			continue
		}
		if c.String() != tc.want || c.Exponent() != tc.exponent || c.IsZero() {
			t.Errorf("ParseCurrency(%q) = %q exponent %d, want %q exponent %d", tc.code, c, c.Exponent(), tc.want, tc.exponent)
		}
		if c != MustCurrency(tc.want) {
			t.Errorf("ParseCurrency(%q) != MustCurrency(%q)", tc.code, tc.want)
		}
	}

	bad := []string{
		"", "G", "GB", "GBPP", " GBP", "GBP ", "G P", "G1P", "123", "ZZZ", "ABC",
		"ＧＢＰ", "gb\u0130", "GBP\x00", "\xff\xfe\xfd", strings.Repeat("GBP", 1000),
		"XXX", "xxx", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XSU", "XUA",
	}
	for _, code := range bad {
		c, err := ParseCurrency(code)
		if !errors.Is(err, ErrUnknownCurrency) || !c.IsZero() {
			t.Errorf("ParseCurrency(%q) = %q, %v; want ErrUnknownCurrency", code, c, err)
		}
		if len(code) < 100 && err != nil && !strings.HasPrefix(err.Error(), "money: ") {
			t.Errorf("message %q", err)
		}
	}
}

func TestMustCurrencyPanics(t *testing.T) {
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("MustCurrency panicked with %v", err)
		}
	}()
	MustCurrency("ZZZ")
}

func TestZeroCurrency(t *testing.T) {
	var c Currency
	if !c.IsZero() || c.String() != "" || c.Exponent() != 0 {
		t.Errorf("zero Currency: IsZero=%v String=%q Exponent=%d", c.IsZero(), c, c.Exponent())
	}
}

// TestEveryKnownCode checks every three-letter code: ParseCurrency accepts
// exactly what x/text accepts apart from the non-currencies, the exponent is one
// of the supported classes, and the minor unit is a plain power of ten (an
// increment other than 1 would mean some whole minor-unit counts are not valid
// amounts).
func TestEveryKnownCode(t *testing.T) {
	accepted := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			for d := 'A'; d <= 'Z'; d++ {
				code := string([]rune{a, b, d})
				u, isoErr := currency.ParseISO(code)
				c, err := ParseCurrency(code)
				wantOK := isoErr == nil && u != (currency.Unit{}) && !nonCurrencies[code]
				if (err == nil) != wantOK {
					t.Errorf("ParseCurrency(%q) error = %v; x/text error = %v", code, err, isoErr)
				}
				if err != nil {
					continue
				}
				accepted++
				if c.String() != code {
					t.Errorf("ParseCurrency(%q).String() = %q", code, c)
				}
				if lower, err := ParseCurrency(strings.ToLower(code)); err != nil || lower != c {
					t.Errorf("ParseCurrency(%q) = %v, %v", strings.ToLower(code), lower, err)
				}
				switch c.Exponent() {
				case 0, 2, 3, 4:
				default:
					t.Errorf("%s has exponent %d", code, c.Exponent())
				}
				if _, inc := currency.Standard.Rounding(u); inc != 1 {
					t.Errorf("%s has rounding increment %d", code, inc)
				}
			}
		}
	}
	if accepted < 150 {
		t.Errorf("only %d currencies accepted", accepted)
	}
	for code := range nonCurrencies {
		if _, err := currency.ParseISO(code); err != nil {
			t.Errorf("non-currency %s is not known to x/text at all; drop it from the list", code)
		}
	}
}

func TestCurrencyText(t *testing.T) {
	type doc struct {
		C Currency          `json:"c"`
		M map[Currency]bool `json:"m,omitempty"`
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"c":"sek","m":{"gbp":true}}`), &d); err != nil {
		t.Fatal(err)
	}
	if d.C != MustCurrency("SEK") || !d.M[MustCurrency("GBP")] {
		t.Errorf("decoded %+v", d)
	}
	out, err := json.Marshal(d)
	if err != nil || string(out) != `{"c":"SEK","m":{"GBP":true}}` {
		t.Errorf("Marshal = %s, %v", out, err)
	}

	// The zero Currency survives a round trip as "".
	out, err = json.Marshal(doc{})
	if err != nil || string(out) != `{"c":""}` {
		t.Errorf("Marshal zero = %s, %v", out, err)
	}
	d = doc{C: MustCurrency("EUR")}
	if err := json.Unmarshal(out, &d); err != nil || !d.C.IsZero() {
		t.Errorf("Unmarshal %s = %+v, %v", out, d, err)
	}

	// Bad codes fail and leave the value alone.
	c := MustCurrency("JPY")
	if err := c.UnmarshalText([]byte("ZZZ")); !errors.Is(err, ErrUnknownCurrency) || c != MustCurrency("JPY") {
		t.Errorf("UnmarshalText(ZZZ) = %v, value %q", err, c)
	}
	if err := json.Unmarshal([]byte(`{"c":"XXX"}`), &d); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("Unmarshal XXX: %v", err)
	}
}

// TestNewestCodesUnknown pins the gap documented on ParseCurrency. If it fails
// after an upgrade of golang.org/x/text, the codes are now known: update the
// ParseCurrency documentation and this list.
func TestNewestCodesUnknown(t *testing.T) {
	for _, code := range []string{"MRU", "VES", "VED", "SLE", "ZWG", "XCG", "UYW"} {
		if _, err := ParseCurrency(code); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("%s is now known (error %v): update the ParseCurrency documentation", code, err)
		}
	}
	if got := currency.CLDRVersion; got != "32" {
		t.Errorf("x/text currency data is now CLDR %s: update the ParseCurrency documentation", got)
	}
}
