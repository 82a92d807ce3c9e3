package main

import (
	"flag"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
)

// A refused request names the Gateway's field and, for a field the command sets from a
// flag, that flag: the user wrote --email, not Payer.Email. The JSON keeps the field and
// adds the flag.
func TestRefusedFieldsNameTheirFlags(t *testing.T) {
	clearProviderEnv(t)
	r := cli(t, "pay", "--url", "mem://", "--amount", "12.34", "--currency", "GBP", "--reference", "order 1\x01",
		"--return-url", "https://shop.example.com/r", "--email", "nope", "--first-name", "Ada\x00", "--idempotency-key", "k1").mustCode(t, exitUsage)
	contains(t, r.err, "Payer.Email (--email) must be a valid e-mail address",
		"Payer.FirstName (--first-name) must not contain control characters", "MerchantReference (--reference) must")

	r = cli(t, "pay", "--json", "--url", "mem://", "--amount", "12.34", "--currency", "GBP", "--reference", "order-1",
		"--return-url", "https://shop.example.com/r", "--email", "nope", "--idempotency-key", "k2").mustCode(t, exitUsage)
	e := decode[errorOut](t, r)
	if len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "Payer.Email" || e.Error.Fields[0].Flag != "--email" {
		t.Fatalf("fields %+v; want Payer.Email with its flag --email", e.Error.Fields)
	}

	r = cli(t, "payout", "--url", "mem://", "--amount", "1.00", "--currency", "GBP", "--account-id", "acc\n1", "--reference", "po-1",
		"--idempotency-key", "k3").mustCode(t, exitUsage)
	contains(t, r.err, "AccountID (--account-id) must not contain control characters")

	for field, want := range map[string]string{"Holder.LastName": "--last-name", "Account.IBAN": "--iban",
		"Metadata": "", "Payer.Address.Line1": "", "Payer.Address": "", "Username": ""} {
		if got := flagOf(nil, field); got != want {
			t.Errorf("flagOf(%q) = %q, want %q", field, got, want)
		}
	}
}

// definedFlags returns the flag set the command builds, as its --help lists it.
func definedFlags(t *testing.T, cmd string) *flag.FlagSet {
	t.Helper()
	r := cli(t, cmd, "--help").mustCode(t, exitOK)
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`).FindAllStringSubmatch(r.out, -1) {
		fs.Bool(m[1], false, "")
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		t.Fatalf("paybridge %s --help lists no flags:\n%s", cmd, r.out)
	}
	return fs
}

// fieldPaths lists the paths of t's fields as the Gateway names them ("Payer.Email"),
// nested request structs and struct pointers included.
func fieldPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		out = append(out, prefix+sf.Name)
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == reflect.TypeFor[paybridge.Person]().PkgPath() {
			out = append(out, fieldPaths(ft, prefix+sf.Name+".")...)
		}
	}
	return out
}

// A refused field is named with a flag only where the command that sent the request
// defines that flag (a payout's ReturnURL and a verification's CustomerID have none),
// and every flag the field-to-flag table names is defined by a command whose request has
// the field: a refused request never tells the user to fix a flag the command lacks.
func TestFieldFlagsAreTheCommandsFlags(t *testing.T) {
	clearProviderEnv(t)
	commands := []struct {
		cmd, op string
		req     reflect.Type
	}{
		{"pay", "Pay", reflect.TypeFor[paybridge.PaymentRequest]()},
		{"refund", "Refund", reflect.TypeFor[paybridge.RefundRequest]()},
		{"payout", "Payout", reflect.TypeFor[paybridge.PayoutRequest]()},
		{"verify", "VerifyAccount", reflect.TypeFor[paybridge.VerifyAccountRequest]()},
	}
	used := map[string]bool{}
	for _, c := range commands {
		fs := definedFlags(t, c.cmd)
		for _, field := range fieldPaths(c.req, "") {
			if f := flagOf(nil, field); f != "" && fs.Lookup(strings.TrimPrefix(f, "--")) != nil {
				used[f] = true
			}
			// The error as the command reports it.
			err := &flagsError{&paybridge.Error{Code: paybridge.CodeInvalidRequest, Op: c.op, Provider: "mem",
				Fields: []paybridge.FieldError{{Field: field, Problem: "is invalid"}}}, fs}
			e := describe(err, exitUsage, "")
			if e.Code != "invalid_request" {
				t.Fatalf("the command's error reports code %s; want invalid_request", e.Code)
			}
			if f := e.Fields[0].Flag; f != "" && fs.Lookup(strings.TrimPrefix(f, "--")) == nil {
				t.Errorf("paybridge %s: field %s is named with %s, which the command does not define", c.cmd, field, f)
			}
			if m := regexp.MustCompile(`\((--[a-z-]+)\)`).FindStringSubmatch(e.Message); m != nil && m[1] != e.Fields[0].Flag {
				t.Errorf("paybridge %s: field %s: the message names %s, the JSON %q: %s", c.cmd, field, m[1], e.Fields[0].Flag, e.Message)
			}
		}
	}
	for _, table := range []map[string]string{fieldFlags, personFieldFlags} {
		for field, f := range table {
			if !used[f] {
				t.Errorf("the table names %s for %s, which no command whose request has the field defines", f, field)
			}
		}
	}
}
