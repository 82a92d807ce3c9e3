package money_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/money"
	"github.com/shopspring/decimal"
)

// Read an amount, refuse one that cannot be paid exactly, and write it in the
// forms providers expect.
func Example() {
	price, err := money.New("10.5", "gbp")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(price)
	fmt.Println(price.Fixed(), price.Minor())

	_, err = money.New("10.001", "GBP")
	fmt.Println(err)
	fmt.Println(errors.Is(err, money.ErrPrecision))
	// Output:
	// 10.50 GBP
	// 10.50 1050
	// money: 10.001 has more decimal places than GBP allows (2)
	// true
}

func ExampleNew() {
	for _, in := range []struct{ value, currency string }{
		{"1050", "JPY"},
		{"5.00000000000000000000", "GBP"}, // trailing zeros are fine
		{"1.5", "KWD"},
		{"1.5", "JPY"},   // JPY has no minor unit
		{"1e3", "EUR"},   // exponents are not accepted
		{"10.00", "ZZZ"}, // not a currency
	} {
		a, err := money.New(in.value, in.currency)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(a)
	}
	// Output:
	// 1050 JPY
	// 5.00 GBP
	// 1.500 KWD
	// error: money: 1.5 has more decimal places than JPY allows (0)
	// error: money: "1e3" is not a plain decimal amount (want ASCII digits with an optional sign and decimal point, such as "10.50")
	// error: money: "ZZZ" is not a known ISO 4217 currency code
}

func ExampleFromMinor() {
	for _, code := range []string{"GBP", "JPY", "KWD", "CLF"} {
		a, err := money.FromMinor(1050, code)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(a)
	}
	// Output:
	// 10.50 GBP
	// 1050 JPY
	// 1.050 KWD
	// 0.1050 CLF
}

func ExampleFromDecimal() {
	gbp := money.MustCurrency("GBP")
	a, err := money.FromDecimal(decimal.RequireFromString("12.3400"), gbp)
	fmt.Println(a, err)
	_, err = money.FromDecimal(decimal.RequireFromString("12.345"), gbp)
	fmt.Println(err)
	// Output:
	// 12.34 GBP <nil>
	// money: 12.345 has more decimal places than GBP allows (2)
}

// Trustly takes amounts as strings with the currency's number of decimals.
func ExampleAmount_Fixed() {
	fmt.Println(money.MustNew("10", "EUR").Fixed())
	fmt.Println(money.MustNew("1050", "JPY").Fixed())
	fmt.Println(money.MustNew("1.5", "KWD").Fixed())
	fmt.Println(money.MustNew("-0.5", "SEK").Fixed())
	// Output:
	// 10.00
	// 1050
	// 1.500
	// -0.50
}

// Trustist takes amounts as JSON numbers in pounds.
func ExampleAmount_JSONNumber() {
	a := money.MustNew("12.34", "GBP")
	body, err := json.Marshal(map[string]any{"amount": a.JSONNumber(), "currency": a.Currency()})
	fmt.Println(string(body), err)

	// Read a reply the same way: decode numbers as json.Number, never float64.
	var reply struct {
		Amount json.Number `json:"amount"`
	}
	if err := json.Unmarshal([]byte(`{"amount":12.34}`), &reply); err != nil {
		fmt.Println(err)
		return
	}
	echoed, err := money.NewCurrency(reply.Amount.String(), a.Currency())
	fmt.Println(echoed.Equal(a), err)
	// Output:
	// {"amount":12.34,"currency":"GBP"} <nil>
	// true <nil>
}

func ExampleAmount_Add() {
	a := money.MustNew("10.00", "GBP")
	total, err := a.Add(money.MustNew("0.50", "GBP"))
	fmt.Println(total, err)

	_, err = a.Add(money.MustNew("0.50", "EUR"))
	fmt.Println(err)
	fmt.Println(errors.Is(err, money.ErrCurrencyMismatch))
	// Output:
	// 10.50 GBP <nil>
	// money: cannot add 10.00 GBP and 0.50 EUR: different currencies
	// true
}

// Work out what is left to refund after earlier partial refunds.
func ExampleAmount_Sub() {
	captured := money.MustNew("100.00", "EUR")
	refunded, err := money.Sum(money.MustNew("30.00", "EUR"), money.MustNew("45.50", "EUR"))
	if err != nil {
		fmt.Println(err)
		return
	}
	left, err := captured.Sub(refunded)
	fmt.Println(left, err)

	request := money.MustNew("30.00", "EUR")
	if c, _ := request.Cmp(left); c > 0 {
		fmt.Println("refund of", request, "is more than the", left, "left")
	}
	// Output:
	// 24.50 EUR <nil>
	// refund of 30.00 EUR is more than the 24.50 EUR left
}

func ExampleSum() {
	total, err := money.Sum(
		money.MustNew("1.10", "SEK"),
		money.MustNew("2.20", "SEK"),
		money.MustNew("3.30", "SEK"),
	)
	fmt.Println(total, err)
	// Output:
	// 6.60 SEK <nil>
}

func ExampleAmount_Cmp() {
	a, b := money.MustNew("9.99", "USD"), money.MustNew("10", "USD")
	c, err := a.Cmp(b)
	fmt.Println(c, err)
	fmt.Println(money.MustNew("10.0", "USD").Equal(money.MustNew("10.00", "USD")))
	// Output:
	// -1 <nil>
	// true
}

func ExampleAmount_CheckPositive() {
	for _, v := range []string{"0.01", "0", "-5"} {
		fmt.Println(money.MustNew(v, "GBP").CheckPositive())
	}
	var missing money.Amount
	err := missing.CheckPositive()
	fmt.Println(errors.Is(err, money.ErrNotPositive), errors.Is(err, money.ErrInvalidAmount))
	// Output:
	// <nil>
	// money: 0.00 GBP is not a positive amount
	// money: -5.00 GBP is not a positive amount
	// true true
}

// A provider field that takes at most 10 digits before the decimal point.
func ExampleAmount_CheckMaxDigits() {
	fmt.Println(money.MustNew("9999999999.99", "GBP").CheckMaxDigits(10))
	fmt.Println(money.MustNew("10000000000.00", "GBP").CheckMaxDigits(10))
	// Output:
	// <nil>
	// money: 10000000000.00 GBP has 11 digits before the decimal point; at most 10 allowed
}

func ExampleAmount_MarshalJSON() {
	type refund struct {
		Amount money.Amount `json:"amount"`
		Fee    money.Amount `json:"fee"`
	}
	out, err := json.Marshal(refund{Amount: money.MustNew("25.5", "EUR")})
	fmt.Println(string(out), err)
	// Output:
	// {"amount":{"value":"25.50","currency":"EUR"},"fee":null} <nil>
}

func ExampleAmount_UnmarshalJSON() {
	for _, in := range []string{
		`{"value":"25.50","currency":"EUR"}`,
		`{"value":25.5,"currency":"eur"}`,
		`null`,
		`{"value":"25.505","currency":"EUR"}`,
	} {
		var a money.Amount
		err := json.Unmarshal([]byte(in), &a)
		fmt.Println(a, err)
	}
	// Output:
	// 25.50 EUR <nil>
	// 25.50 EUR <nil>
	// <no amount> <nil>
	// <no amount> money: 25.505 has more decimal places than EUR allows (2)
}

func ExampleParseCurrency() {
	for _, code := range []string{"sek", "CLF", "XXX", "GBPX"} {
		c, err := money.ParseCurrency(code)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(c, c.Exponent())
	}
	// Output:
	// SEK 2
	// CLF 4
	// money: XXX is an ISO 4217 code but not a currency that can be paid in
	// money: "GBPX" is not a known ISO 4217 currency code
}

func ExampleCurrency_Exponent() {
	for _, code := range []string{"JPY", "GBP", "KWD", "CLF"} {
		fmt.Println(code, money.MustCurrency(code).Exponent())
	}
	// Output:
	// JPY 0
	// GBP 2
	// KWD 3
	// CLF 4
}
