package main

import (
	"strconv"
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	r := cli(t, "help").mustCode(t, exitOK)
	contains(t, r.out, "Usage: paybridge COMMAND", "PAYBRIDGE_URL", "paybridge help exit-codes", "paybridge help idempotency",
		"paybridge help environment")
	for _, c := range commands() {
		contains(t, r.out, "  "+c.name+" ")
		// Each command teaches: what it does, an example, its flags, and where the exit
		// codes are explained.
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			h := cli(t, args...).mustCode(t, exitOK)
			contains(t, h.out, "Usage: paybridge "+c.name, "Example", "Flags:", "3 configuration error", "'paybridge help exit-codes'")
			if h.err != "" {
				t.Errorf("%v wrote to stderr: %s", args, h.err)
			}
			// Short: the prose above the flags fits a screen; the long explanations are
			// topics of their own.
			prose, _, _ := strings.Cut(h.out, "\nFlags:")
			if n := strings.Count(prose, "\n"); n > 45 {
				t.Errorf("%v: %d lines before the flags, want a page of at most 45", args, n)
			}
			if strings.Contains(prose, "Idempotency: pay, refund and payout") || strings.Contains(prose, "  4  outcome unknown") {
				t.Errorf("%v repeats a help topic instead of pointing to it:\n%s", args, prose)
			}
		}
	}
	for _, name := range []string{"pay", "refund", "payout", "verify", "status"} {
		contains(t, cli(t, name, "--help").out, "'paybridge help environment'")
	}
	for _, name := range []string{"pay", "refund", "payout"} {
		contains(t, cli(t, name, "--help").out, "--idempotency-key", "'paybridge help idempotency'")
	}
}

// The long explanations are 'paybridge help TOPIC' pages.
func TestHelpTopics(t *testing.T) {
	r := cli(t, "help", "exit-codes").mustCode(t, exitOK)
	contains(t, r.out, "  0  success", "  1  ", "  2  usage", "  3  configuration error", "  4  outcome unknown",
		"  5  provider unavailable", `"exitCode"`, "unknown_outcome")
	// Every exit code the command uses is explained.
	for _, code := range []int{exitOK, exitFailed, exitUsage, exitConfig, exitUnknown, exitUnavailable} {
		contains(t, r.out, "\n  "+strconv.Itoa(code)+"  ")
	}
	r = cli(t, "help", "idempotency").mustCode(t, exitOK)
	contains(t, r.out, "refuse to run without --idempotency-key", "same key", "TrustistTransfer portal")
	r = cli(t, "help", "environment").mustCode(t, exitOK)
	contains(t, r.out, "PAYBRIDGE_URL", "trustly://", "trustlyrest://", "trustist://", "mem://", "_FILE",
		"PAYBRIDGE_TRUSTLY_PASSWORD", "PAYBRIDGE_TRUSTLYREST_ACCESS_KEY", "PAYBRIDGE_TRUSTIST_HAWK_KEY")
	for _, tp := range topics() {
		if r := cli(t, "help", tp.name).mustCode(t, exitOK); r.err != "" || r.out == "" {
			t.Errorf("help %s: stdout %q, stderr %q", tp.name, r.out, r.err)
		}
		contains(t, cli(t, "help").out, "paybridge help "+tp.name)
	}
	r = cli(t, "help", "nope").mustCode(t, exitUsage)
	contains(t, r.err, "exit-codes", "idempotency", "environment")
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
		{"pay", "--url", "mem://", "--amount", "10.001 GBP", "--reference", "r", "--return-url", "https://x.example", "--idempotency-key", "k"},
		{"conformance", "--provider", "trustlyxml"},
		{"pay", "--url", "mem://", "--amount", "1.00", "--currency", "GBP", "--reference", "r", "--idempotency-key", "k"},
		{"refund", "--url", "mem://", "--amount", "1.00", "--currency", "GBP", "--idempotency-key", "k"},
		{"refund", "--url", "mem://", "--payment", "p", "--amount", "1.00", "--currency", "GBP"},
		{"payout", "--url", "mem://", "--account-id", "a", "--amount", "1.00", "--currency", "GBP", "--reference", "r"},
		{"verify", "--url", "mem://", "--routing-number", "124003116"},
		{"verify", "--url", "mem://", "--currency", "nope"},
		{"status", "--url", "mem://"},
		{"status", "--url", "mem://", "a", "b", "c"},
		{"status", "--url", "mem://", "parcel", "id"},
		{"status", "--url", "mem://", "payout"},
		{"status", "--url", "mem://", "refund", "--json"},
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

// A kind without its id is a usage error naming what is missing, not a payment id.
func TestStatusMissingID(t *testing.T) {
	clearProviderEnv(t)
	for _, kind := range []string{"payment", "refund", "payout", "verification"} {
		r := cli(t, "status", kind, "--url", "mem://").mustCode(t, exitUsage)
		contains(t, r.err, "the "+kind+" id is missing", "paybridge status "+kind+" ID")
	}
	r := cli(t, "status", "--url", "mem://").mustCode(t, exitUsage)
	contains(t, r.err, "the id is missing")
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
