package money

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// validCases covers every exponent class: 0 (JPY), 2 (GBP, EUR, SEK, USD),
// 3 (KWD, BHD) and 4 (CLF).
var validCases = []struct {
	value, currency string
	fixed           string
	minor           int64
}{
	// exponent 0
	{"1050", "JPY", "1050", 1050},
	{"0", "JPY", "0", 0},
	{"-7", "JPY", "-7", -7},
	{"+3", "jpy", "3", 3},
	{"1050.000", "JPY", "1050", 1050},
	{"9223372036854775807", "JPY", "9223372036854775807", math.MaxInt64},
	{"-9223372036854775808", "JPY", "-9223372036854775808", math.MinInt64},
	// exponent 2
	{"10.5", "GBP", "10.50", 1050},
	{"10.00", "GBP", "10.00", 1000},
	{"10", "GBP", "10.00", 1000},
	{"0.01", "GBP", "0.01", 1},
	{"-3", "GBP", "-3.00", -300},
	{"-0.05", "EUR", "-0.05", -5},
	{"-0", "GBP", "0.00", 0},
	{"-0.00", "EUR", "0.00", 0},
	{"007.10", "GBP", "7.10", 710},
	{"5.00000000000000000000", "GBP", "5.00", 500},
	{"0.5", "EUR", "0.50", 50},
	{"100", "SEK", "100.00", 10000},
	{"99.99", "usd", "99.99", 9999},
	{"92233720368547758.07", "USD", "92233720368547758.07", math.MaxInt64},
	{"-92233720368547758.08", "USD", "-92233720368547758.08", math.MinInt64},
	// exponent 3
	{"1.5", "KWD", "1.500", 1500},
	{"0.001", "KWD", "0.001", 1},
	{"-0.010", "KWD", "-0.010", -10},
	{"12.345", "BHD", "12.345", 12345},
	{"12.3450000", "BHD", "12.345", 12345},
	// exponent 4
	{"1.0001", "CLF", "1.0001", 10001},
	{"0.5", "CLF", "0.5000", 5000},
	{"3", "CLF", "3.0000", 30000},
	{"1.00010000", "CLF", "1.0001", 10001},
	{"922337203685477.5807", "CLF", "922337203685477.5807", math.MaxInt64},
}

func TestNewValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.value+" "+tc.currency, func(t *testing.T) {
			a, err := New(tc.value, tc.currency)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := a.Fixed(); got != tc.fixed {
				t.Errorf("Fixed = %q, want %q", got, tc.fixed)
			}
			if got := a.Minor(); got != tc.minor {
				t.Errorf("Minor = %d, want %d", got, tc.minor)
			}
			if got, want := a.Currency().String(), strings.ToUpper(tc.currency); got != want {
				t.Errorf("Currency = %q, want %q", got, want)
			}
			if got := string(a.JSONNumber()); got != tc.fixed {
				t.Errorf("JSONNumber = %q, want %q", got, tc.fixed)
			}
			if got, want := a.String(), tc.fixed+" "+strings.ToUpper(tc.currency); got != want {
				t.Errorf("String = %q, want %q", got, want)
			}
			wantDec := decimal.New(tc.minor, -int32(a.Currency().Exponent()))
			if !a.Decimal().Equal(wantDec) {
				t.Errorf("Decimal = %s, want %s", a.Decimal(), wantDec)
			}
			if !a.IsValid() {
				t.Error("IsValid = false")
			}
			if got, want := a.IsZero(), tc.minor == 0; got != want {
				t.Errorf("IsZero = %v, want %v", got, want)
			}
			checkRoundTrips(t, a)
		})
	}
}

// checkRoundTrips checks every way an Amount is written and read back.
func checkRoundTrips(t *testing.T, a Amount) {
	t.Helper()
	c := a.Currency()
	if b, err := NewCurrency(a.Fixed(), c); err != nil || b != a {
		t.Errorf("NewCurrency(Fixed()=%q) = %v, %v; want %v", a.Fixed(), b, err, a)
	}
	if b, err := New(string(a.JSONNumber()), c.String()); err != nil || b != a {
		t.Errorf("New(JSONNumber()=%q) = %v, %v; want %v", a.JSONNumber(), b, err, a)
	}
	if b, err := FromMinor(a.Minor(), c.String()); err != nil || b != a {
		t.Errorf("FromMinor(%d) = %v, %v; want %v", a.Minor(), b, err, a)
	}
	if b := FromMinorCurrency(a.Minor(), c); b != a {
		t.Errorf("FromMinorCurrency(%d) = %v; want %v", a.Minor(), b, a)
	}
	if b, err := FromDecimal(a.Decimal(), c); err != nil || b != a {
		t.Errorf("FromDecimal(%s) = %v, %v; want %v", a.Decimal(), b, err, a)
	}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var b Amount
	if err := json.Unmarshal(data, &b); err != nil || b != a {
		t.Errorf("json round trip of %s: got %v, %v; want %v", data, b, err, a)
	}
	numeric := fmt.Sprintf(`{"value":%s,"currency":%q}`, a.JSONNumber(), c)
	if err := json.Unmarshal([]byte(numeric), &b); err != nil || b != a {
		t.Errorf("json number %s: got %v, %v; want %v", numeric, b, err, a)
	}
	if !b.Equal(a) {
		t.Errorf("Equal(%v, %v) = false", b, a)
	}
}

func TestNewPrecision(t *testing.T) {
	cases := []struct{ value, currency string }{
		{"1.5", "JPY"},
		{"0.1", "JPY"},
		{"-1.01", "JPY"},
		{"10.001", "GBP"},
		{"0.005", "EUR"},
		{"-0.001", "SEK"},
		{"99999999999999999999999.001", "USD"}, // too precise and too large: precision wins
		{"1.0001", "KWD"},
		{"0.0005", "BHD"},
		{"1.00001", "CLF"},
		{"1.000010", "CLF"},
	}
	for _, tc := range cases {
		_, err := New(tc.value, tc.currency)
		if !errors.Is(err, ErrPrecision) {
			t.Errorf("New(%q, %q) error = %v, want ErrPrecision", tc.value, tc.currency, err)
		}
	}

	_, err := New("10.001", "GBP")
	if got, want := err.Error(), "money: 10.001 has more decimal places than GBP allows (2)"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	_, err = New("1.5", "jpy")
	if got, want := err.Error(), "money: 1.5 has more decimal places than JPY allows (0)"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestNewMalformed(t *testing.T) {
	bad := []string{
		"", " 1", "1 ", " ", "\t1", "1\n", "10.00\n",
		"1e3", "1E3", "1.5e2", "1e-2", "0x10", "0X1A", "0b1", "0o7",
		"NaN", "nan", "Inf", "-Inf", "+Inf", "Infinity",
		"1,00", "1,000.00", "1_000", "1 000", "1'000",
		".5", "-.5", "5.", "-5.", ".", "-", "+", "--1", "+-1", "-+1", "++1",
		"1.2.3", "1..2", "1-", "1+", "$1", "1£", "£1", "GBP 1",
		"١٢", "１２", "٣.٥", "1\u00a0000", "\x00", "1\x00", "\xff",
		strings.Repeat("1", 65),
		"0." + strings.Repeat("0", 63),
	}
	for _, s := range bad {
		a, err := New(s, "GBP")
		if !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("New(%q) = %v, %v; want ErrInvalidAmount", s, a, err)
		}
		if a != (Amount{}) {
			t.Errorf("New(%q) returned %v with an error", s, a)
		}
	}

	// The length limit is exactly 64 bytes.
	if _, err := New("0."+strings.Repeat("0", 62), "GBP"); err != nil {
		t.Errorf("64-byte value rejected: %v", err)
	}
	// Long hostile input is cut short in the message.
	_, err := New(strings.Repeat("9", 10000), "GBP")
	if len(err.Error()) > 200 {
		t.Errorf("error message is %d bytes long", len(err.Error()))
	}
}

func TestNewOutOfRange(t *testing.T) {
	cases := []struct{ value, currency string }{
		{"9223372036854775808", "JPY"},
		{"-9223372036854775809", "JPY"},
		{"99999999999999999999", "JPY"},
		{"92233720368547758.08", "GBP"},
		{"-92233720368547758.09", "GBP"},
		{"100000000000000000", "EUR"},
		{"9223372036854775.808", "KWD"},
		{"922337203685477.5808", "CLF"},
		{"-922337203685477.5809", "CLF"},
		{"0000000000000000000000000000000000000000010000000000000000000", "JPY"},
	}
	for _, tc := range cases {
		_, err := New(tc.value, tc.currency)
		if !errors.Is(err, ErrOutOfRange) {
			t.Errorf("New(%q, %q) error = %v, want ErrOutOfRange", tc.value, tc.currency, err)
		}
	}
	// Leading zeros do not count against the range.
	if a, err := New("000000000000000000000000000000000000000009223372036854775807", "JPY"); err != nil || a.Minor() != math.MaxInt64 {
		t.Errorf("leading zeros: %v, %v", a, err)
	}
}

func TestNewUnknownCurrency(t *testing.T) {
	for _, code := range []string{"", "ZZZ", "GB", "GBPX", " GBP", "GBP ", "G1P", "ＧＢＰ", "XXX", "XTS", "XAU"} {
		if _, err := New("1", code); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("New(1, %q) error = %v, want ErrUnknownCurrency", code, err)
		}
		if _, err := FromMinor(1, code); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("FromMinor(1, %q) error = %v, want ErrUnknownCurrency", code, err)
		}
	}
	if _, err := NewCurrency("1", Currency{}); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("NewCurrency with zero Currency: error = %v", err)
	}
	if _, err := FromDecimal(decimal.NewFromInt(1), Currency{}); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("FromDecimal with zero Currency: error = %v", err)
	}
	if a := FromMinorCurrency(5, Currency{}); a != (Amount{}) {
		t.Errorf("FromMinorCurrency with zero Currency = %v, want the zero Amount", a)
	}
}

func TestMustNew(t *testing.T) {
	if got := MustNew("1.5", "KWD").Fixed(); got != "1.500" {
		t.Errorf("MustNew = %q", got)
	}
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, ErrPrecision) {
			t.Errorf("MustNew panicked with %v, want an ErrPrecision error", err)
		}
	}()
	MustNew("1.5", "JPY")
}

func TestFromMinor(t *testing.T) {
	cases := []struct {
		minor    int64
		currency string
		fixed    string
	}{
		{1050, "GBP", "10.50"},
		{1050, "JPY", "1050"},
		{1050, "KWD", "1.050"},
		{1050, "CLF", "0.1050"},
		{5, "CLF", "0.0005"},
		{-5, "BHD", "-0.005"},
		{0, "EUR", "0.00"},
		{-1, "SEK", "-0.01"},
		{math.MinInt64, "GBP", "-92233720368547758.08"},
		{math.MaxInt64, "CLF", "922337203685477.5807"},
		{math.MinInt64, "JPY", "-9223372036854775808"},
	}
	for _, tc := range cases {
		a, err := FromMinor(tc.minor, tc.currency)
		if err != nil {
			t.Fatalf("FromMinor(%d, %s): %v", tc.minor, tc.currency, err)
		}
		if got := a.Fixed(); got != tc.fixed {
			t.Errorf("FromMinor(%d, %s).Fixed() = %q, want %q", tc.minor, tc.currency, got, tc.fixed)
		}
		checkRoundTrips(t, a)
	}
}

func TestFromDecimal(t *testing.T) {
	gbp := MustCurrency("GBP")
	big1e30 := decimal.NewFromBigInt(decimal.New(1, 30).BigInt(), -30)
	valid := []struct {
		d    decimal.Decimal
		want Amount
	}{
		{decimal.RequireFromString("10.5"), MustNew("10.50", "GBP")},
		{decimal.RequireFromString("10.500000"), MustNew("10.50", "GBP")},
		{decimal.New(105, 1), MustNew("1050", "GBP")},
		{decimal.New(0, 100000), MustNew("0", "GBP")},
		{decimal.New(0, -100000), MustNew("0", "GBP")},
		{big1e30, MustNew("1", "GBP")},
		{decimal.New(math.MaxInt64, -2), FromMinorCurrency(math.MaxInt64, gbp)},
		{decimal.New(math.MinInt64, -2), FromMinorCurrency(math.MinInt64, gbp)},
	}
	for _, tc := range valid {
		got, err := FromDecimal(tc.d, gbp)
		if err != nil || got != tc.want {
			t.Errorf("FromDecimal(%s) = %v, %v; want %v", tc.d, got, err, tc.want)
		}
	}

	invalid := []struct {
		d    decimal.Decimal
		want error
	}{
		{decimal.RequireFromString("10.001"), ErrPrecision},
		{decimal.New(1, -3), ErrPrecision},
		{decimal.New(1, -1000000000), ErrPrecision},
		{decimal.New(1, math.MinInt32), ErrPrecision},
		{decimal.New(1, 1000000000), ErrOutOfRange},
		{decimal.New(1, math.MaxInt32), ErrOutOfRange},
		{decimal.New(1, 17), ErrOutOfRange},
		{decimal.New(math.MaxInt64, -1), ErrOutOfRange},
		{decimal.New(math.MinInt64, -1), ErrOutOfRange},
	}
	for _, tc := range invalid {
		got, err := FromDecimal(tc.d, gbp)
		if !errors.Is(err, tc.want) {
			t.Errorf("FromDecimal(%s) = %v, %v; want %v", describeDecimal(tc.d), got, err, tc.want)
		}
		if len(err.Error()) > 200 {
			t.Errorf("FromDecimal(%s): message is %d bytes long", describeDecimal(tc.d), len(err.Error()))
		}
	}
	if _, err := FromDecimal(decimal.RequireFromString("10.001"), gbp); err.Error() != "money: 10.001 has more decimal places than GBP allows (2)" {
		t.Errorf("message = %q", err)
	}
	// Precision is checked against the currency.
	if _, err := FromDecimal(decimal.RequireFromString("1.5"), MustCurrency("JPY")); !errors.Is(err, ErrPrecision) {
		t.Errorf("1.5 JPY: %v", err)
	}
	if a, err := FromDecimal(decimal.RequireFromString("1.0001"), MustCurrency("CLF")); err != nil || a.Minor() != 10001 {
		t.Errorf("1.0001 CLF: %v, %v", a, err)
	}
}

func TestZeroAmount(t *testing.T) {
	var z Amount
	if z.IsValid() || !z.IsZero() || z.Sign() != 0 || z.Minor() != 0 || !z.Currency().IsZero() {
		t.Errorf("zero Amount: IsValid=%v IsZero=%v Sign=%d Minor=%d Currency=%q",
			z.IsValid(), z.IsZero(), z.Sign(), z.Minor(), z.Currency())
	}
	if z.Fixed() != "" || z.JSONNumber() != "" {
		t.Errorf("zero Amount: Fixed=%q JSONNumber=%q", z.Fixed(), z.JSONNumber())
	}
	if got := z.String(); got != "<no amount>" {
		t.Errorf("String = %q", got)
	}
	if !z.Decimal().IsZero() {
		t.Errorf("Decimal = %s", z.Decimal())
	}
	if !z.Equal(Amount{}) || z.Equal(MustNew("0", "GBP")) {
		t.Error("zero Amount should equal only itself")
	}
}

func TestEqualNormalised(t *testing.T) {
	a, b := MustNew("10.0", "GBP"), MustNew("10.00", "gbp")
	if !a.Equal(b) || a != b {
		t.Errorf("10.0 GBP and 10.00 GBP differ: %#v %#v", a, b)
	}
	if c, err := a.Cmp(b); err != nil || c != 0 {
		t.Errorf("Cmp = %d, %v", c, err)
	}
	if a.Equal(MustNew("10", "EUR")) {
		t.Error("10 GBP equals 10 EUR")
	}
	if a.Equal(MustNew("10.01", "GBP")) {
		t.Error("10.00 GBP equals 10.01 GBP")
	}
	m := map[Amount]bool{a: true}
	if !m[b] {
		t.Error("normalised amounts are not the same map key")
	}
}

func TestSign(t *testing.T) {
	for s, want := range map[string]int{"-0.01": -1, "0": 0, "-0": 0, "0.01": 1, "+5": 1} {
		if got := MustNew(s, "EUR").Sign(); got != want {
			t.Errorf("Sign(%s) = %d, want %d", s, got, want)
		}
	}
}

func TestFormatVerbs(t *testing.T) {
	a := MustNew("10.5", "GBP")
	for _, f := range []string{"%v", "%s", "%+v"} {
		if got := fmt.Sprintf(f, a); got != "10.50 GBP" {
			t.Errorf("Sprintf(%q) = %q", f, got)
		}
	}
	if got := fmt.Sprintf("%v", &a); got != "10.50 GBP" {
		t.Errorf("pointer: %q", got)
	}
	if got := fmt.Sprint(Amount{}); got != "<no amount>" {
		t.Errorf("zero: %q", got)
	}
	if got := fmt.Sprint(MustCurrency("sek")); got != "SEK" {
		t.Errorf("currency: %q", got)
	}
}
