package main

import (
	"testing"
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
		if got := flagOf(field); got != want {
			t.Errorf("flagOf(%q) = %q, want %q", field, got, want)
		}
	}
}
