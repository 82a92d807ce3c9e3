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

// Exit codes, the same for every command.
const (
	// exitOK: the command did what was asked (a payment may still be pending).
	exitOK = 0
	// exitFailed: the provider refused or the operation failed; a scenario failed.
	exitFailed = 1
	// exitUsage: the command line is wrong, or the request was refused as invalid or
	// unsupported; nothing moved.
	exitUsage = 2
	// exitConfig: configuration missing or refused, or the provider unreachable.
	exitConfig = 3
	// exitUnknown: a money-moving call may or may not have taken effect.
	exitUnknown = 4
)

const exitCodesHelp = `Exit codes:
  0  success (a payment or payout may still be pending: its status says)
  1  the provider refused or the operation failed; a conformance scenario failed
  2  usage: bad flags or arguments, or a request refused as invalid or unsupported
     for this provider, by paybridge or by the provider (nothing moved)
  3  configuration or connection: URL or credentials missing, malformed or refused,
     provider unreachable or unavailable (nothing moved)
  4  outcome unknown: the provider may have acted; run the same command again, with
     the same idempotency key, to learn the outcome
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
		{"sim", "start the three provider simulators on this machine, hosted pages included", simCmd},
		{"pay", "create a payment and print the page where the payer approves it", payCmd},
		{"refund", "refund a payment, in full or in part", refundCmd},
		{"payout", "send money to a verified bank account", payoutCmd},
		{"verify", "verify a bank account for payouts, from its details or by the holder at their bank", verifyCmd},
		{"status", "show a payment, refund, payout or account verification", statusCmd},
	}
}

const usageText = `paybridge — one payments API over Trustly (JSON-RPC and REST) and Trustist

Usage: paybridge COMMAND [flags]

For developers:
  conformance  run the conformance suite against the embedded simulators (no
               credentials needed), or against real sandboxes with --sandbox
  sim          start the three provider simulators on 127.0.0.1 and print how to
               configure paybridge against them

For operators (one call each, configured like the library):
  pay          create a payment and print the page where the payer approves it
  refund       refund a payment, in full or in part
  payout       send money to a verified bank account
  verify       verify a bank account for payouts
  status       show a payment, refund, payout or account verification

  help [COMMAND]  show this text, or a command's (same as paybridge COMMAND --help)

Configuration: the operator commands open the provider that --url or PAYBRIDGE_URL
names, the same URL a program gives paybridge.Open, for example
  trustlyrest://sandbox?merchant_id=1002463580&access_id=...
  trustist://sandbox
  trustly://test?username=merchant&notification_url=https://shop.example.com/n
  mem://                     (in memory, forgotten when the command ends)
Credentials never go in the URL: each provider reads them from its environment
variables (PAYBRIDGE_TRUSTLY_*, PAYBRIDGE_TRUSTLYREST_*, PAYBRIDGE_TRUSTIST_*), and
a key variable may name a file instead with the _FILE suffix.

` + exitCodesHelp

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := stdio{out: stdout, err: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			if c, ok := lookup(args[1]); ok {
				return c.run(ctx, s, []string{"--help"})
			}
			fmt.Fprintf(stderr, "paybridge help: unknown command %q\n", args[1])
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
	fmt.Fprint(w, "\n"+exitCodesHelp)
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
