package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// Exit codes, the same for every command ('paybridge help exit-codes').
const (
	// exitOK: the command did what was asked (a payment may still be pending).
	exitOK = 0
	// exitFailed: the provider refused or the operation failed; a scenario failed.
	exitFailed = 1
	// exitUsage: the command line is wrong, or the request was refused as invalid or
	// unsupported; nothing moved.
	exitUsage = 2
	// exitConfig: a configuration error: the provider URL or the provider's credentials
	// are missing, malformed or refused; nothing moved.
	exitConfig = 3
	// exitUnknown: a money-moving call may or may not have taken effect.
	exitUnknown = 4
	// exitUnavailable: the provider could not be reached, did not answer in time, or
	// asked to slow down; nothing moved.
	exitUnavailable = 5
)

// helpTopic is a 'paybridge help TOPIC' page that is not a command's.
type helpTopic struct {
	name, summary, text string
}

func topics() []helpTopic {
	return []helpTopic{
		{"exit-codes", "what each exit status means and what to do next", exitCodesHelp},
		{"idempotency", "why pay, refund and payout need --idempotency-key, and how to repeat safely", idempotencyHelp},
		{"environment", "the provider URLs and the credential variables of each provider", environmentHelp},
	}
}

const exitCodesHelp = `Exit codes, the same for every paybridge command:

  0  success (a payment or payout may still be pending: its status says)
  1  the provider refused or the operation failed (declined, not found, ...);
     a conformance scenario failed
  2  usage: bad flags or arguments, or a request refused as invalid or
     unsupported for this provider, by paybridge or by the provider.
     Nothing moved: change the command.
  3  configuration error: the provider URL or the provider's credentials are
     missing, malformed or refused, or the journal (--journal) cannot be opened.
     Nothing moved: fix --url (or PAYBRIDGE_URL), --journal (or
     PAYBRIDGE_JOURNAL_URL) and the variables 'paybridge help environment' lists.
  4  outcome unknown: the provider may have acted. Run the same command again,
     with the same --idempotency-key, to learn the outcome.
  5  provider unavailable: unreachable, no answer in time, or asking to slow
     down. Nothing moved: try again later.

reconcile answers a question instead, as diff(1) does: 0 the books agree, 1 they
differ, 2 it could not tell (bad flags, an unreadable journal or ledger).

With --json a failure is printed on stdout as {"error": {...}}, whose "exitCode"
is the exit status and whose "code" is the error's code: invalid_request,
unauthenticated, permission_denied, not_found, not_supported, declined,
insufficient_funds, duplicate, rate_limited, provider_unavailable,
unknown_outcome or internal, as the library names them; or configuration,
timeout or canceled, which only this command reports.
`

const idempotencyHelp = `Idempotency: pay, refund and payout refuse to run without --idempotency-key.

If one of them times out or exits with 4 (outcome unknown), run exactly the same
command again, with the same key, to learn the outcome. A key made up afresh on
each run would turn that repeat into a second payment, so the key belongs on the
command line, where the shell history and the runbook keep it. Use something tied
to the job, such as the order or ticket number:

  paybridge refund --payment 1002600001 --amount 5.00 --currency USD \
      --idempotency-key ticket-4711-refund

With --journal (or ` + envJournal + `), the PostgreSQL journal your application's
Gateways share (package journal/pgjournal; --journal-table names its table, which
the application's migration makes), the repeat returns the first result, from any
machine, and never sends the call twice (a call whose outcome is unknown stays so
until it is learned). 'paybridge reconcile' sees the call, and so do your application's
Gateways when the provider URL names the same merchant account.

Without a journal each run has an empty one of its own, so only the provider can
recognise a repeat. Trustly JSON-RPC answers every repeat with the first result.
Trustly REST finds a repeated refund or payout by its reference (two sent at the
same moment can both act), but a repeated pay opens a second payment page while
the first is not yet approved (the reference lets only one be authorized).
Trustist, whose API has no idempotency at all, recognises no repeat: look the
reference up in the TrustistTransfer portal before paying again. mem:// forgets
everything when the command ends.

verify moves no money: without --idempotency-key it makes a key and prints it
with the result.
`

const environmentHelp = `Configuration: the operator commands (pay, refund, payout, verify, status,
reconcile) open the provider that --url or PAYBRIDGE_URL names. reconcile reads,
and pay, refund, payout and verify record their calls in, the journal that
PAYBRIDGE_JOURNAL_URL (or --journal) names, a PostgreSQL connection string
('paybridge help idempotency' says what it changes):

  trustly://test?username=merchant&notification_url=https://shop.example.com/n
                  Trustly JSON-RPC (trustly://live in production)
  trustlyrest://sandbox?merchant_id=1002463580&access_id=...
                  Trustly REST (trustlyrest://production?base_url=...)
  trustist://sandbox
                  Trustist (trustist://production)
  mem://          an in-memory provider, forgotten when the command ends

Each URL may add base_url=... to reach another endpoint, such as a simulator
'paybridge sim' started. Credentials never go in the URL: each provider reads
them from its variables, and a key variable may instead name a file with the
_FILE suffix (PAYBRIDGE_TRUSTLY_PRIVATE_KEY_FILE=key.pem):

  trustly://      PAYBRIDGE_TRUSTLY_USERNAME (or the URL's username),
                  PAYBRIDGE_TRUSTLY_PASSWORD, PAYBRIDGE_TRUSTLY_PRIVATE_KEY (PEM);
                  for an endpoint other than Trustly's (a simulator)
                  PAYBRIDGE_TRUSTLY_PUBLIC_KEY, the key that verifies its answers
  trustlyrest://  PAYBRIDGE_TRUSTLYREST_ACCESS_KEY; PAYBRIDGE_TRUSTLYREST_ACCESS_ID
                  and PAYBRIDGE_TRUSTLYREST_MERCHANT_ID unless the URL has
                  access_id and merchant_id
  trustist://     PAYBRIDGE_TRUSTIST_HAWK_ID, PAYBRIDGE_TRUSTIST_HAWK_KEY; for
                  customers, verification and webhooks also
                  PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY
  mem://          nothing

'paybridge sim' writes all of them for its simulators to an env.sh to source.
'paybridge conformance --help' lists the variables a sandbox run reads.
`

// stdio is where a command writes.
type stdio struct {
	out, err io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, s stdio, args []string) int
}

func commands() []command {
	return []command{
		{"conformance", "run the conformance suite against the simulators, or real sandboxes", conformanceCmd},
		{"sim", "start the provider simulators (the Trustist Partner API's too) on this machine, hosted pages included", simCmd},
		{"pay", "create a payment and print the page where the payer approves it", payCmd},
		{"refund", "refund a payment, in full or in part", refundCmd},
		{"payout", "send money to a verified bank account", payoutCmd},
		{"verify", "verify a bank account for payouts, from its details or by the holder at their bank", verifyCmd},
		{"status", "show a payment, refund, payout or account verification", statusCmd},
		{"reconcile", "compare the provider's books for a period with the journal", reconcileCmd},
		{"partner", "invite merchants through the Trustist Partner API and print their keys", partnerCmd},
		{"webhooks", "register the URL where Trustist sends tenant events (onboard sessions)", webhooksCmd},
		{"version", "print the module version and the Go version that built the command", versionCmd},
	}
}

const usageText = `paybridge — one payments API over Trustly (JSON-RPC and REST) and Trustist

Usage: paybridge COMMAND [flags]

For developers:
  conformance  run the conformance suite against the embedded simulators (no
               credentials needed), or against real sandboxes with --sandbox
  sim          start the provider simulators (the Trustist Partner API's too) on
               127.0.0.1 and print how to configure paybridge against them

For operators (one call each):
  pay          create a payment and print the page where the payer approves it
  refund       refund a payment, in full or in part
  payout       send money to a verified bank account
  verify       verify a bank account for payouts
  status       show a payment, refund, payout or account verification
  reconcile    compare the provider's books for a period with the journal
               (exit 0 they agree, 1 they differ, 2 an error)
  webhooks     register the URL where Trustist sends tenant events

For platforms onboarding merchants (Trustist Partner API):
  partner      invite a merchant, list the invitations, print an accepted
               merchant's API keys

The operator commands open the provider that --url or PAYBRIDGE_URL names, for
example trustlyrest://sandbox?merchant_id=... or mem:// (in memory).

Help:
  paybridge help COMMAND       a command's flags and examples (or COMMAND --help)
  paybridge help environment   provider URLs and credential variables
  paybridge help idempotency   --idempotency-key, and repeating a command safely
  paybridge help exit-codes    what each exit status means

Version:
  version      the module version and the Go version that built this command
               (also paybridge --version)
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := stdio{out: stdout, err: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "--version", "-version":
		return versionCmd(ctx, s, args[1:])
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			if c, ok := lookup(args[1]); ok {
				return c.run(ctx, s, []string{"--help"})
			}
			for _, t := range topics() {
				if t.name == args[1] {
					fmt.Fprint(stdout, t.text)
					return exitOK
				}
			}
			var names []string
			for _, t := range topics() {
				names = append(names, t.name)
			}
			fmt.Fprintf(stderr, "paybridge help: no command or topic %q (topics: %s)\nRun 'paybridge help' for the list of commands.\n",
				args[1], strings.Join(names, ", "))
			return exitUsage
		}
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "paybridge: unknown command %q\nRun 'paybridge help' for the list of commands.\n", name)
		return exitUsage
	}
	return c.run(ctx, s, args[1:])
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// newFlags returns a command's FlagSet. Parse errors go to stderr; parse prints the help.
func newFlags(s stdio, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.Usage = func() {}
	return fs
}

// parse parses args, flags and positional arguments in any order (a lone "--" ends the
// flags). It returns the positional arguments and, when parsing ended the command, its
// exit code: 0 after printing the help for --help, 2 after a usage error.
// parseFlags is parse for a command that takes no arguments: an argument is a usage
// error naming the command.
func parseFlags(fs *flag.FlagSet, s stdio, help string, args []string) (int, bool) {
	pos, code, ok := parse(fs, s, help, args)
	if !ok {
		return code, false
	}
	if len(pos) > 0 {
		return usageError(s, fs.Name(), "unexpected argument %q", pos[0]), false
	}
	return 0, true
}

func parse(fs *flag.FlagSet, s stdio, help string, args []string) ([]string, int, bool) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printHelp(s.out, fs, help)
			return nil, exitOK, false
		}
		if err != nil {
			fmt.Fprintf(s.err, "Run 'paybridge %s --help' for usage.\n", fs.Name())
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func printHelp(w io.Writer, fs *flag.FlagSet, help string) {
	fmt.Fprint(w, help)
	fmt.Fprintln(w, "\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nExit codes: 0 success, 1 failed, 2 usage, 3 configuration error, 4 outcome unknown,\n"+
		"5 provider unavailable; 'paybridge help exit-codes' says what to do after each.\n")
}

// usageError reports a command-line mistake and returns exitUsage.
func usageError(s stdio, cmd, format string, args ...any) int {
	fmt.Fprintf(s.err, "paybridge %s: %s\nRun 'paybridge %s --help' for usage.\n", cmd, fmt.Sprintf(format, args...), cmd)
	return exitUsage
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// kv prints aligned "key  value" lines, skipping empty values.
func kv(w io.Writer, pairs ...string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			fmt.Fprintf(tw, "%s\t%s\n", pairs[i], pairs[i+1])
		}
	}
	_ = tw.Flush()
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// envHelp formats environment variables for help texts, one per line.
func envHelp(lines ...[2]string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, l := range lines {
		fmt.Fprintf(tw, "  %s\t%s\n", l[0], l[1])
	}
	_ = tw.Flush()
	return b.String()
}
