package main

import (
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	r := cli(t, "help").mustCode(t, exitOK)
	contains(t, r.out, "Usage: paybridge COMMAND", "Exit codes:", "PAYBRIDGE_URL")
	for _, c := range commands() {
		contains(t, r.out, "  "+c.name+" ")
		// Each command teaches: what it does, an example, the variables, the exit codes.
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			h := cli(t, args...).mustCode(t, exitOK)
			contains(t, h.out, "Usage: paybridge "+c.name, "Example", "Flags:", "Exit codes:", "  4  outcome unknown")
			if h.err != "" {
				t.Errorf("%v wrote to stderr: %s", args, h.err)
			}
		}
	}
	for _, name := range []string{"pay", "refund", "payout", "verify", "status", "conformance"} {
		contains(t, cli(t, name, "--help").out, "Environment", "PAYBRIDGE_")
	}
	for _, name := range []string{"pay", "refund", "payout"} {
		contains(t, cli(t, name, "--help").out, "refuse to run without --idempotency-key", "same key")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"nope"},
		{"help", "nope"},
		{"conformance", "--provider", "nosuch"},
		{"conformance", "--bogus"},
		{"conformance", "extra"},
		{"conformance", "--sandbox", "--provider", "mem"},
		{"sim", "--port", "-1"},
		{"sim", "extra"},
		{"pay", "--url", "mem://", "--amount", "1.00"},
		{"pay", "--url", "mem://", "--amount", "ten", "--currency", "GBP", "--reference", "r", "--return-url", "https://x.example", "--idempotency-key", "k"},
		{"pay", "--url", "mem://", "--amount", "1.00", "--currency", "GBP", "--reference", "r", "--idempotency-key", "k"},
		{"refund", "--url", "mem://", "--amount", "1.00", "--currency", "GBP", "--idempotency-key", "k"},
		{"refund", "--url", "mem://", "--payment", "p", "--amount", "1.00", "--currency", "GBP"},
		{"payout", "--url", "mem://", "--account-id", "a", "--amount", "1.00", "--currency", "GBP", "--reference", "r"},
		{"verify", "--url", "mem://", "--routing-number", "124003116"},
		{"verify", "--url", "mem://", "--currency", "nope"},
		{"status", "--url", "mem://"},
		{"status", "--url", "mem://", "a", "b", "c"},
		{"status", "--url", "mem://", "parcel", "id"},
	} {
		r := cli(t, args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, r.code, exitUsage, r.err)
		}
		if r.out != "" {
			t.Errorf("%v wrote to stdout: %s", args, r.out)
		}
		if len(args) > 0 && args[0] != "nope" && args[0] != "help" && !strings.Contains(r.err, "--help") {
			t.Errorf("%v: the error does not point to --help:\n%s", args, r.err)
		}
	}
}

// Flags may follow positional arguments, and "--" ends the flags.
func TestFlagsAfterArguments(t *testing.T) {
	clearProviderEnv(t)
	r := cli(t, "status", "payment", "pay_1", "--url", "mem://", "--json").mustCode(t, exitFailed)
	if e := decode[errorOut](t, r); e.Error.Code != "not_found" {
		t.Fatalf("error %+v", e)
	}
	r = cli(t, "status", "--url", "mem://", "--", "--json").mustCode(t, exitFailed)
	contains(t, r.err, "not_found")
}
