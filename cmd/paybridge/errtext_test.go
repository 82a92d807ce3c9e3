package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// noStutter fails when text carries a package prefix, a Go hint or a code in the sentence.
func noStutter(t *testing.T, text string) {
	t.Helper()
	for _, bad := range []string{"paybridge: ", "secret: ", "wire: ", "money: ", "Open: ", "invalid_request:", "import ",
		" Config", "adapter"} {
		if strings.Contains(text, bad) {
			t.Errorf("%q in:\n%s", bad, text)
		}
	}
}

// A configuration error is one sentence naming the provider, the setting and the cause;
// it is labelled, has its own exit code, and echoes no idempotency key.
func TestConfigurationErrors(t *testing.T) {
	clearProviderEnv(t)
	missing := filepath.Join(t.TempDir(), "key")
	pay := []string{"pay", "--amount", "10.00", "--currency", "USD", "--reference", "r-1", "--return-url", "https://shop.example.com/r",
		"--idempotency-key", "order-77-pay"}

	t.Setenv(trustlyrest.EnvAccessKey+"_FILE", missing)
	r := cli(t, append(pay, "--url", "trustlyrest://sandbox?merchant_id=1002463580&access_id=abc")...).mustCode(t, exitConfig)
	want := "paybridge pay: configuration error: trustlyrest AccessKey: reading PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE: open " +
		missing + ": no such file or directory\n"
	if !strings.HasPrefix(r.err, want) {
		t.Errorf("stderr:\n%s\nwant it to begin with:\n%s", r.err, want)
	}
	contains(t, r.err, "'paybridge help environment'")
	noStutter(t, r.err)
	if strings.Contains(r.err, "order-77-pay") || r.out != "" {
		t.Errorf("a configuration error echoed the idempotency key or wrote to stdout:\n%s%s", r.out, r.err)
	}
	j := decode[errorOut](t, cli(t, append(pay, "--json", "--url", "trustlyrest://sandbox?merchant_id=1002463580&access_id=abc")...).mustCode(t, exitConfig))
	if j.Error.Code != "configuration" || j.Error.ExitCode != exitConfig || j.Error.IdempotencyKey != "" || j.Error.Provider != "trustlyrest" ||
		j.Error.Message != strings.TrimSuffix(strings.TrimPrefix(want, "paybridge pay: configuration error: "), "\n") {
		t.Errorf("JSON %+v", j.Error)
	}

	// The cause stays reachable under the message.
	var c connFlags
	c.url = "trustlyrest://sandbox?merchant_id=1002463580&access_id=abc"
	_, err := c.open(context.Background(), io.Discard)
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Errorf("open: %v does not match fs.ErrNotExist and ErrInvalidRequest", err)
	}
	var pe *paybridge.Error
	if !errors.As(err, &pe) || pe.Provider != "trustlyrest" {
		t.Errorf("open: %v does not reach the *paybridge.Error", err)
	}
	t.Setenv(trustlyrest.EnvAccessKey+"_FILE", "")

	t.Setenv(trustly.EnvPassword, "pw")
	t.Setenv(trustly.EnvPrivateKey, "not a key")
	for _, tc := range []struct {
		url  string
		want []string
	}{
		{"stripe://live", []string{`unknown provider "stripe"`, "mem://, trustist://, trustly://, trustlyrest://"}},
		{"sandbox", []string{"has no scheme", "trustlyrest://"}},
		{"trustly://merchant:pw@test", []string{"must not carry credentials", "'paybridge help environment'"}},
		{"trustlyrest://sandbox", []string{"trustlyrest MerchantID is missing", "merchant_id", trustlyrest.EnvMerchantID}},
		{"trustlyrest://sandbox?merchant_id=1", []string{"trustlyrest AccessID is missing", "access_id", trustlyrest.EnvAccessID}},
		{"trustlyrest://sandbox?merchant_id=1&access_id=a", []string{"trustlyrest AccessKey is missing", trustlyrest.EnvAccessKey + "_FILE"}},
		{"trustly://test", []string{"trustly Username is missing", trustly.EnvUsername}},
		{"trustly://test?username=m", []string{"trustly PrivateKey is not PEM"}},
		{"trustly://staging?username=m", []string{"trustly environment", `"staging"`}},
		{"trustist://staging", []string{"trustist environment must be sandbox or production", `"staging"`}},
		{"trustist://sandbox", []string{"trustist Merchant.HawkID is missing", trustist.EnvHawkID}},
		{"mem://?colour=red", []string{"mem: unknown URL parameters: colour"}},
	} {
		r := cli(t, "status", "pay_1", "--url", tc.url).mustCode(t, exitConfig)
		if !strings.HasPrefix(r.err, "paybridge status: configuration error: ") {
			t.Errorf("%s: not labelled a configuration error:\n%s", tc.url, r.err)
		}
		contains(t, r.err, tc.want...)
		noStutter(t, r.err)
		if strings.Contains(r.err, "code ") {
			t.Errorf("%s: a code line on a configuration error:\n%s", tc.url, r.err)
		}
	}
	t.Setenv(trustly.EnvPrivateKey, "")

	// No URL at all.
	r = cli(t, "status", "pay_1").mustCode(t, exitConfig)
	contains(t, r.err, "configuration error: no provider URL", "--url", "PAYBRIDGE_URL")
}

func TestAmountFlags(t *testing.T) {
	for _, tc := range []struct {
		value, currency string
		ok              string   // the amount, when it parses
		want            []string // the error's parts otherwise
	}{
		{value: "12.34", currency: "GBP", ok: "12.34 GBP"},
		{value: " 12.30 ", currency: "eur", ok: "12.30 EUR"},
		{value: "100", currency: "JPY", ok: "100 JPY"},
		{value: "10.001 GBP", want: []string{`--amount "10.001 GBP"`, "the currency goes in its own flag: --amount 10.001 --currency GBP",
			"GBP amounts have at most 2 decimal places", "never rounds"}},
		{value: "GBP 10.00", want: []string{"--amount 10.00 --currency GBP"}},
		{value: "10.00 gbp", currency: "GBP", want: []string{"--amount 10.00 --currency GBP"}},
		{value: "10.001", currency: "GBP", want: []string{"--amount 10.001: GBP amounts have at most 2 decimal places", "10.001 is refused"}},
		{value: "10.5", currency: "JPY", want: []string{"JPY amounts are whole numbers"}},
		{value: "1,000.00", currency: "GBP", want: []string{"not a plain decimal number", "12.34"}},
		{value: "10", currency: "pounds", want: []string{`--currency "pounds"`, "ISO 4217"}},
		{value: "10", want: []string{"--currency is required", "--amount 10 --currency GBP"}},
		{currency: "GBP", want: []string{"--amount is required"}},
		{want: []string{"--amount and --currency are required"}},
	} {
		f := amountFlags{value: tc.value, currency: tc.currency}
		a, err := f.amount()
		if tc.ok != "" {
			if err != nil || a.String() != tc.ok {
				t.Errorf("--amount %q --currency %q = %v, %v; want %s", tc.value, tc.currency, a, err, tc.ok)
			}
			continue
		}
		if err == nil {
			t.Errorf("--amount %q --currency %q = %v, want an error", tc.value, tc.currency, a)
			continue
		}
		contains(t, err.Error(), tc.want...)
		noStutter(t, err.Error())
	}
	// On the command line it is a usage error.
	r := cli(t, "pay", "--url", "mem://", "--amount", "10.001 GBP", "--reference", "r", "--return-url", "https://x.example",
		"--idempotency-key", "k").mustCode(t, exitUsage)
	contains(t, r.err, "the currency goes in its own flag", "Run 'paybridge pay --help'")
}

// An operation's error is one sentence too: provider, operation, the problem; its code
// on a line of its own.
func TestOperationErrorText(t *testing.T) {
	clearProviderEnv(t)
	r := cli(t, "pay", "--url", "mem://", "--amount", "-1", "--currency", "GBP", "--reference", "r", "--return-url", "https://x.example",
		"--idempotency-key", "k").mustCode(t, exitUsage)
	contains(t, r.err, "paybridge pay: mem Pay: Amount ", "  code             invalid_request", "  idempotency key  k",
		"Nothing moved")
	noStutter(t, r.err)
	r = cli(t, "status", "--url", "mem://", "pay_1").mustCode(t, exitFailed)
	contains(t, r.err, "paybridge status: mem GetPayment: ", "not_found")
	noStutter(t, r.err)
}

// The advice after a failed read speaks of reading, never of money moving or of keys; a
// write's speaks of money.
func TestReadAdviceFitsARead(t *testing.T) {
	refused := &paybridge.Error{Code: paybridge.CodeUnauthenticated}
	for _, exit := range []int{exitFailed, exitUsage, exitConfig, exitUnknown, exitUnavailable} {
		e := describe(refused, exit, "")
		got := nextStep("status", callKind{read: true}, refused, e, exit)
		for _, bad := range []string{"moved", "idempotency", "may have acted"} {
			if strings.Contains(got, bad) {
				t.Errorf("exit %d: the advice after a read says %q:\n%s", exit, bad, got)
			}
		}
		if exit != exitFailed && got == "" {
			t.Errorf("exit %d: no advice after a read", exit)
		}
	}
	if got := nextStep("refund", callKind{}, refused, describe(refused, exitUsage, "k"), exitUsage); !strings.Contains(got, "Nothing moved") {
		t.Errorf("the advice after a refused write: %q", got)
	}
}

// After an unknown outcome the advice says what a repeat does: with the journal it returns
// the first result; without one it depends on the provider.
func TestUnknownOutcomeAdvice(t *testing.T) {
	lost := &paybridge.Error{Code: paybridge.CodeUnknownOutcome}
	advice := func(cmd, prov string, how callKind) string {
		e := describe(lost, exitUnknown, "k-1")
		e.Provider = prov
		return strings.Join(strings.Fields(nextStep(cmd, how, lost, e, exitUnknown)), " ")
	}
	contains(t, advice("pay", trustlyrest.Name, callKind{journaled: true}), "--idempotency-key k-1",
		"the journal returns the first result once it is known, and never sends the call twice")
	contains(t, advice("pay", trustlyrest.Name, callKind{}), "--idempotency-key k-1", "Without --journal", "second payment page")
	contains(t, advice("refund", trustlyrest.Name, callKind{}), "finds the first refund")
	contains(t, advice("pay", trustly.Name, callKind{}), "Trustly answers it with the first result")
	contains(t, advice("pay", trustist.Name, callKind{}), "TrustistTransfer portal")
	contains(t, advice("pay", "mem", callKind{}), "'paybridge help idempotency'")
}
