package money

import (
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// fuzzCurrencies has one or more currencies of every exponent class.
var fuzzCurrencies = []string{"JPY", "GBP", "EUR", "KWD", "BHD", "CLF"}

var (
	amountSyntax = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)
	sentinels    = []error{ErrInvalidAmount, ErrUnknownCurrency, ErrPrecision, ErrCurrencyMismatch, ErrOutOfRange, ErrNotPositive}
)

func fuzzCurrency(i uint8) Currency {
	return MustCurrency(fuzzCurrencies[int(i)%len(fuzzCurrencies)])
}

// kindOf returns the sentinel err matches, failing the test when it matches none.
func kindOf(t *testing.T, err error) error {
	t.Helper()
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	t.Fatalf("error %q matches no sentinel", err)
	return nil
}

// checkFixedForm checks the text of Fixed for a valid Amount.
func checkFixedForm(t *testing.T, a Amount) {
	t.Helper()
	exp := a.Currency().Exponent()
	pattern := `^-?(0|[1-9][0-9]*)$`
	if exp > 0 {
		pattern = `^-?(0|[1-9][0-9]*)\.[0-9]{` + strconv.Itoa(exp) + `}$`
	}
	if !regexp.MustCompile(pattern).MatchString(a.Fixed()) {
		t.Errorf("Fixed() = %q does not match %s", a.Fixed(), pattern)
	}
	if a.Minor() == 0 && strings.HasPrefix(a.Fixed(), "-") {
		t.Errorf("Fixed() = %q for zero", a.Fixed())
	}
	if a.String() != a.Fixed()+" "+a.Currency().String() {
		t.Errorf("String() = %q, Fixed() = %q", a.String(), a.Fixed())
	}
}

func FuzzNew(f *testing.F) {
	for i, tc := range validCases {
		f.Add(tc.value, uint8(i))
	}
	for i, s := range []string{
		"", " 1", "1e3", "0x10", "NaN", "Inf", "1,00", "١٢", ".5", "5.", "-", "+-1",
		"10.001", "1.5", "1.0001", "1.00001", "92233720368547758.08", "9223372036854775808",
		"-0", "0.000000", "00000000000000000000000000000000000000001.5",
		strings.Repeat("9", 64), "0." + strings.Repeat("0", 62), "1\x00",
	} {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, s string, ci uint8) {
		c := fuzzCurrency(ci)
		a, err := NewCurrency(s, c)
		wellFormed := len(s) <= maxTextLength && amountSyntax.MatchString(s)

		if err != nil {
			kind := kindOf(t, err)
			if a != (Amount{}) {
				t.Fatalf("NewCurrency(%q) returned %v with error %v", s, a, err)
			}
			if !wellFormed {
				if kind != ErrInvalidAmount {
					t.Fatalf("NewCurrency(%q): malformed input gave %v", s, err)
				}
				return
			}
			if kind != ErrPrecision && kind != ErrOutOfRange {
				t.Fatalf("NewCurrency(%q) well-formed input gave %v", s, err)
			}
			// FromDecimal must reject the same value for the same reason.
			d, derr := decimal.NewFromString(s)
			if derr != nil {
				t.Fatalf("decimal cannot parse well-formed %q: %v", s, derr)
			}
			if _, ferr := FromDecimal(d, c); !errors.Is(ferr, kind) {
				t.Fatalf("NewCurrency(%q) failed with %v but FromDecimal gave %v", s, err, ferr)
			}
			return
		}

		if !wellFormed {
			t.Fatalf("NewCurrency accepted malformed %q as %v", s, a)
		}
		if a.Currency() != c || !a.IsValid() {
			t.Fatalf("NewCurrency(%q, %s) has currency %q", s, c, a.Currency())
		}
		// The value is exactly the decimal the text spells.
		d, derr := decimal.NewFromString(s)
		if derr != nil {
			t.Fatalf("decimal cannot parse accepted %q: %v", s, derr)
		}
		if !a.Decimal().Equal(d) {
			t.Fatalf("NewCurrency(%q) = %s, decimal says %s", s, a.Decimal(), d)
		}
		if b, err := FromDecimal(d, c); err != nil || b != a {
			t.Fatalf("FromDecimal(%s) = %v, %v; NewCurrency gave %v", d, b, err, a)
		}
		if a.Sign() != d.Sign() || a.IsZero() != d.IsZero() {
			t.Fatalf("sign of %q: %d, decimal %d", s, a.Sign(), d.Sign())
		}
		checkFixedForm(t, a)
		checkRoundTrips(t, a)
	})
}

func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range []string{
		`{"value":"10.50","currency":"GBP"}`,
		`{"value":10.50,"currency":"gbp"}`,
		`{"currency":"JPY","value":1050}`,
		`{"value":"1.0001","currency":"CLF"}`,
		`{"value":"-0.005","currency":"KWD"}`,
		`{"value":"5.00000000000000000000","currency":"EUR"}`,
		`{"value":92233720368547758.07,"currency":"USD"}`,
		`{"value":1e3,"currency":"GBP"}`,
		`{"value":"1","value":"2","currency":"GBP"}`,
		`{"value":"1","currency":"GBP"} {}`,
		`{"value":"\u0031","currency":"\u0047BP"}`,
		`{"value":null,"currency":"GBP"}`,
		`null`, `{}`, `[]`, `"1"`, ``, `{`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := MustNew("42.42", "SEK")
		a := before
		err := a.UnmarshalJSON(data)
		if err != nil {
			kindOf(t, err)
			if a != before {
				t.Fatalf("UnmarshalJSON(%q) failed with %v but changed the value to %v", data, err, a)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("UnmarshalJSON accepted invalid JSON %q as %v", data, a)
		}
		// encoding/json agrees.
		var viaPkg Amount
		if err := json.Unmarshal(data, &viaPkg); err != nil || viaPkg != a {
			t.Fatalf("json.Unmarshal(%q) = %v, %v; method gave %v", data, viaPkg, err, a)
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("Marshal(%v): %v", a, err)
		}
		var b Amount
		if err := json.Unmarshal(out, &b); err != nil || b != a {
			t.Fatalf("round trip of %q via %s: %v, %v", data, out, b, err)
		}
		if a.IsValid() {
			checkFixedForm(t, a)
			checkRoundTrips(t, a)
		} else if string(out) != "null" {
			t.Fatalf("zero Amount marshalled as %s", out)
		}
	})
}

func FuzzFromMinor(f *testing.F) {
	for i, m := range []int64{0, 1, -1, 5, 1050, -1050, 99, 100, 10000, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		f.Add(m, uint8(i))
	}
	f.Fuzz(func(t *testing.T, minor int64, ci uint8) {
		c := fuzzCurrency(ci)
		a, err := FromMinor(minor, c.String())
		if err != nil {
			t.Fatalf("FromMinor(%d, %s): %v", minor, c, err)
		}
		if a != FromMinorCurrency(minor, c) || a.Minor() != minor || a.Currency() != c {
			t.Fatalf("FromMinor(%d, %s) = %#v", minor, c, a)
		}
		if want := decimal.New(minor, -int32(c.Exponent())); !a.Decimal().Equal(want) {
			t.Fatalf("Decimal() = %s, want %s", a.Decimal(), want)
		}
		if want := decimal.New(minor, -int32(c.Exponent())).StringFixed(int32(c.Exponent())); a.Fixed() != want {
			t.Fatalf("Fixed() = %q, decimal says %q", a.Fixed(), want)
		}
		wantSign := 0
		if minor > 0 {
			wantSign = 1
		} else if minor < 0 {
			wantSign = -1
		}
		if a.Sign() != wantSign {
			t.Fatalf("Sign() = %d for %d", a.Sign(), minor)
		}
		if err := a.CheckPositive(); (err == nil) != (minor > 0) {
			t.Fatalf("CheckPositive(%v) = %v", a, err)
		}
		checkFixedForm(t, a)
		checkRoundTrips(t, a)
	})
}
