package money

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestAddSub(t *testing.T) {
	cases := []struct {
		a, b, sum, diff string
		currency        string
	}{
		{"10.50", "0.50", "11.00", "10.00", "GBP"},
		{"0.01", "-0.02", "-0.01", "0.03", "EUR"},
		{"1000", "1", "1001", "999", "JPY"},
		{"1.005", "0.995", "2.000", "0.010", "KWD"},
		{"0.0001", "0.0001", "0.0002", "0.0000", "CLF"},
		{"0", "0", "0.00", "0.00", "SEK"},
	}
	for _, tc := range cases {
		a, b := MustNew(tc.a, tc.currency), MustNew(tc.b, tc.currency)
		sum, err := a.Add(b)
		if err != nil || sum != MustNew(tc.sum, tc.currency) {
			t.Errorf("%v + %v = %v, %v; want %s", a, b, sum, err, tc.sum)
		}
		diff, err := a.Sub(b)
		if err != nil || diff != MustNew(tc.diff, tc.currency) {
			t.Errorf("%v - %v = %v, %v; want %s", a, b, diff, err, tc.diff)
		}
	}
}

func TestAddSubOverflow(t *testing.T) {
	gbp := MustCurrency("GBP")
	maxA := FromMinorCurrency(math.MaxInt64, gbp)
	minA := FromMinorCurrency(math.MinInt64, gbp)
	one := FromMinorCurrency(1, gbp)
	minusOne := FromMinorCurrency(-1, gbp)
	zero := FromMinorCurrency(0, gbp)

	overflows := []struct {
		name string
		op   func() (Amount, error)
	}{
		{"max+1", func() (Amount, error) { return maxA.Add(one) }},
		{"min+(-1)", func() (Amount, error) { return minA.Add(minusOne) }},
		{"min+min", func() (Amount, error) { return minA.Add(minA) }},
		{"max+max", func() (Amount, error) { return maxA.Add(maxA) }},
		{"min-1", func() (Amount, error) { return minA.Sub(one) }},
		{"max-(-1)", func() (Amount, error) { return maxA.Sub(minusOne) }},
		{"0-min", func() (Amount, error) { return zero.Sub(minA) }},
		{"max-min", func() (Amount, error) { return maxA.Sub(minA) }},
	}
	for _, tc := range overflows {
		got, err := tc.op()
		if !errors.Is(err, ErrOutOfRange) || got != (Amount{}) {
			t.Errorf("%s = %v, %v; want ErrOutOfRange", tc.name, got, err)
		}
	}

	fits := []struct {
		name string
		op   func() (Amount, error)
		want int64
	}{
		{"max+min", func() (Amount, error) { return maxA.Add(minA) }, -1},
		{"min-(-1)", func() (Amount, error) { return minA.Sub(minusOne) }, math.MinInt64 + 1},
		{"-1-max", func() (Amount, error) { return minusOne.Sub(maxA) }, math.MinInt64},
		{"max-0", func() (Amount, error) { return maxA.Sub(zero) }, math.MaxInt64},
		{"min-min", func() (Amount, error) { return minA.Sub(minA) }, 0},
	}
	for _, tc := range fits {
		got, err := tc.op()
		if err != nil || got.Minor() != tc.want {
			t.Errorf("%s = %v, %v; want %d minor units", tc.name, got, err, tc.want)
		}
	}
}

func TestCurrencyMismatch(t *testing.T) {
	gbp, eur := MustNew("1.00", "GBP"), MustNew("1.00", "EUR")
	if _, err := gbp.Add(eur); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Add: %v", err)
	} else if !strings.Contains(err.Error(), "1.00 GBP") || !strings.Contains(err.Error(), "1.00 EUR") {
		t.Errorf("Add message does not name both amounts: %q", err)
	}
	if _, err := gbp.Sub(eur); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Sub: %v", err)
	}
	if _, err := gbp.Cmp(eur); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Cmp: %v", err)
	}
	if _, err := Sum(gbp, gbp, eur); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Sum: %v", err)
	}
	// Same exponent is not enough: GBP and EUR never mix, nor JPY and KRW.
	if _, err := MustNew("1", "JPY").Add(MustNew("1", "KRW")); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("JPY+KRW: %v", err)
	}
}

func TestNoAmountOperands(t *testing.T) {
	var z Amount
	a := MustNew("1", "GBP")
	checks := map[string]error{}
	_, checks["z.Add(a)"] = z.Add(a)
	_, checks["a.Add(z)"] = a.Add(z)
	_, checks["z.Add(z)"] = z.Add(z)
	_, checks["a.Sub(z)"] = a.Sub(z)
	_, checks["z.Cmp(a)"] = z.Cmp(a)
	_, checks["z.Cmp(z)"] = z.Cmp(z)
	_, checks["Sum(z)"] = Sum(z)
	_, checks["Sum(a, z)"] = Sum(a, z)
	checks["z.CheckMaxDigits"] = z.CheckMaxDigits(10)
	checks["z.CheckPositive"] = z.CheckPositive()
	for name, err := range checks {
		if !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("%s: error = %v, want ErrInvalidAmount", name, err)
		}
	}
}

func TestSum(t *testing.T) {
	got, err := Sum(MustNew("1.10", "EUR"), MustNew("2.20", "EUR"), MustNew("-0.30", "EUR"))
	if err != nil || got != MustNew("3.00", "EUR") {
		t.Errorf("Sum = %v, %v", got, err)
	}
	one := MustNew("7", "JPY")
	if got, err := Sum(one); err != nil || got != one {
		t.Errorf("Sum(one) = %v, %v", got, err)
	}

	_, err = Sum(MustNew("1", "GBP"), MustNew("1", "GBP"), MustNew("1", "EUR"))
	if !errors.Is(err, ErrCurrencyMismatch) || !strings.Contains(err.Error(), "argument 2") {
		t.Errorf("Sum mismatch: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "money: sum: ") {
		t.Errorf("Sum message: %q", err)
	}

	maxA := FromMinorCurrency(math.MaxInt64, MustCurrency("GBP"))
	_, err = Sum(maxA, MustNew("-1", "GBP"), MustNew("0.01", "GBP"), MustNew("1", "GBP"))
	if !errors.Is(err, ErrOutOfRange) || !strings.Contains(err.Error(), "argument 3") {
		t.Errorf("Sum overflow: %v", err)
	}
}

func TestCmp(t *testing.T) {
	cases := []struct {
		a, b     string
		currency string
		want     int
	}{
		{"1.00", "2.00", "GBP", -1},
		{"2", "1.99", "GBP", 1},
		{"10.0", "10.00", "GBP", 0},
		{"-5", "-4", "JPY", -1},
		{"0", "-0", "KWD", 0},
		{"0.0001", "0", "CLF", 1},
	}
	for _, tc := range cases {
		got, err := MustNew(tc.a, tc.currency).Cmp(MustNew(tc.b, tc.currency))
		if err != nil || got != tc.want {
			t.Errorf("Cmp(%s, %s) = %d, %v; want %d", tc.a, tc.b, got, err, tc.want)
		}
	}
}

func TestCheckPositive(t *testing.T) {
	if err := MustNew("0.01", "GBP").CheckPositive(); err != nil {
		t.Errorf("0.01: %v", err)
	}
	for _, s := range []string{"0", "-0.01", "-100"} {
		err := MustNew(s, "GBP").CheckPositive()
		if !errors.Is(err, ErrNotPositive) || errors.Is(err, ErrInvalidAmount) {
			t.Errorf("%s: %v", s, err)
		}
	}
	err := Amount{}.CheckPositive()
	if !errors.Is(err, ErrNotPositive) || !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("zero Amount: %v", err)
	}
}

func TestCheckMaxDigits(t *testing.T) {
	cases := []struct {
		value, currency string
		limit           int
		ok              bool
	}{
		{"999.99", "GBP", 3, true},
		{"1000.00", "GBP", 3, false},
		{"-999.99", "GBP", 3, true},
		{"-1000", "GBP", 3, false},
		{"0.99", "GBP", 0, true},
		{"1", "GBP", 0, false},
		{"0", "GBP", 0, true},
		{"0.5", "EUR", -1, true},
		{"1", "EUR", -1, false},
		{"1050", "JPY", 4, true},
		{"1050", "JPY", 3, false},
		{"12.345", "KWD", 2, true},
		{"123.456", "KWD", 2, false},
		{"9999.9999", "CLF", 4, true},
		{"10000", "CLF", 4, false},
		{"-9223372036854775808", "JPY", 19, true},
		{"-9223372036854775808", "JPY", 18, false},
		{"92233720368547758.07", "GBP", 17, true},
		{"92233720368547758.07", "GBP", 16, false},
	}
	for _, tc := range cases {
		err := MustNew(tc.value, tc.currency).CheckMaxDigits(tc.limit)
		if tc.ok && err != nil {
			t.Errorf("%s %s limit %d: %v", tc.value, tc.currency, tc.limit, err)
		}
		if !tc.ok && !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%s %s limit %d: error = %v, want ErrOutOfRange", tc.value, tc.currency, tc.limit, err)
		}
	}
}

func TestImmutable(t *testing.T) {
	a := MustNew("1.00", "GBP")
	b := a
	if _, err := a.Add(MustNew("5", "GBP")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sub(MustNew("5", "GBP")); err != nil {
		t.Fatal(err)
	}
	if a != b || a.Fixed() != "1.00" {
		t.Errorf("receiver changed: %v", a)
	}
}
