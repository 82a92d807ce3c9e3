// Command refundworker drains a queue of refund and payout jobs through paybridge, and
// survives being killed at any moment without paying anything twice.
//
// Each job's idempotency key is fixed when the job is enqueued and stored with it. The
// worker sends every attempt — after a timeout, a lost answer or a restart — with that
// key, so the provider (through the Gateway) returns the first refund or payout instead
// of making another:
//
//	refundworker enqueue -queue q -kind refund -payment 1002600001 -amount 5.00 -currency USD -reference rma-1
//	refundworker enqueue -queue q -kind payout -account 1002600007 -amount 20.00 -currency USD -reference fee-7
//	PAYBRIDGE_URL='trustlyrest://sandbox?merchant_id=…&access_id=…' refundworker run -queue q
//	refundworker list -queue q
//
// The exit statuses are those of the paybridge command where they mean the same: 0 every
// job has a result; 1 failed, or stopped early; 2 usage error; 3 configuration error
// (the provider URL or credentials); 4 some jobs are left pending because no attempt got
// a definite answer (run it again later: they are repeated with their keys). SIGINT and
// SIGTERM stop it after the call in flight; SIGKILL at any moment is safe too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	_ "github.com/paybridge/paybridge/provider/trustist"    // registers trustist://
	_ "github.com/paybridge/paybridge/provider/trustly"     // registers trustly://
	_ "github.com/paybridge/paybridge/provider/trustlyrest" // registers trustlyrest://
)

// Exit statuses, the paybridge command's where they mean the same.
const (
	exitFailed     = 1
	exitUsage      = 2
	exitConfig     = 3
	exitUnresolved = 4
)

// EnvURL names the provider when -provider-url is not given: the variable the paybridge
// command and the checkout example read too.
const EnvURL = "PAYBRIDGE_URL"

const usageText = `refundworker drains a durable queue of refund and payout jobs through paybridge;
it can be killed at any moment and restarted without paying anything twice.

Usage:
  refundworker enqueue -queue DIR -kind refund|payout ... add a job, with its idempotency key
  refundworker run -queue DIR [-provider-url URL]        make every pending job's call
  refundworker list -queue DIR                            show the jobs and their results
  refundworker help [COMMAND]                             this text, or a command's flags

run opens the provider that -provider-url or $PAYBRIDGE_URL names, for example
trustlyrest://sandbox?merchant_id=…&access_id=…; credentials come from the provider's
variables ('paybridge help environment' lists them).

Exit status: 0 every job has a result; 1 failed, or stopped early; 2 usage error;
3 configuration error (the provider URL or credentials); 4 jobs left pending without a
definite answer: run again later, and they are repeated with their keys.
`

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, log)
	stop()
	os.Exit(code)
}

// usageError is a command-line mistake.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// configError is a provider URL or credentials that paybridge.Open refused.
type configError struct{ err error }

func (e *configError) Error() string { return "configuration error: " + openProblem(e.err) }
func (e *configError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	cmds := map[string]func() (int, error){
		"enqueue": func() (int, error) { return 0, enqueueCmd(rest, stdout) },
		"run":     func() (int, error) { return runCmd(ctx, rest, stdout, log) },
		"list":    func() (int, error) { return 0, listCmd(rest, stdout) },
	}
	switch name {
	case "help", "-h", "-help", "--help":
		if name == "help" && len(rest) > 0 {
			if _, ok := cmds[rest[0]]; !ok {
				fmt.Fprintf(stderr, "refundworker help: unknown command %q (enqueue, run, list)\n", rest[0])
				return exitUsage
			}
			name, rest = rest[0], []string{"-h"}
			break
		}
		fmt.Fprint(stdout, usageText)
		return 0
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "refundworker: unknown command %q (enqueue, run, list)\nRun 'refundworker help' for usage.\n", name)
		return exitUsage
	}
	code, err := cmd()
	var ue *usageError
	var ce *configError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "refundworker %s: %s\nRun 'refundworker help %s' for usage.\n", name, ue.msg, name)
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "refundworker %s: %s\nNothing was sent. Check -provider-url (or %s) and the provider's variables.\n",
			name, ce.Error(), EnvURL)
		return exitConfig
	case err != nil:
		log.Error("refundworker "+name, "error", err.Error())
		if code == 0 {
			code = exitFailed
		}
		return code
	}
	return code
}

// flags is a command's flag set and its one-line synopsis.
type flags struct {
	*flag.FlagSet
	synopsis string
	out      io.Writer
}

func newFlags(name, synopsis string, stdout io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, help by parse
	return &flags{FlagSet: fs, synopsis: synopsis, out: stdout}
}

// parse parses args. -h prints the command's flags on stdout and returns flag.ErrHelp;
// any other problem is a usage error.
func (f *flags) parse(args []string) error {
	err := f.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(f.out, "Usage: refundworker %s %s\n\nFlags:\n", f.Name(), f.synopsis)
		f.SetOutput(f.out)
		f.PrintDefaults()
		return err
	case err != nil:
		return usagef("%v", err)
	case f.NArg() > 0:
		return usagef("unexpected argument %q", f.Arg(0))
	}
	return nil
}

// openProblem says in one sentence why paybridge.Open refused a URL, without the
// library's prefixes: "trustlyrest AccessKey: reading PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE:
// open /run/keys/trustly: no such file or directory".
func openProblem(err error) string {
	var pe *paybridge.Error
	if !errors.As(err, &pe) || pe.Unwrap() == nil {
		return err.Error()
	}
	pv, ok := pe.Unwrap().(*provider.Error)
	if !ok {
		return strings.TrimSpace(pe.Provider + " " + pe.Unwrap().Error())
	}
	msg := pv.Message
	if pv.Err != nil {
		msg = strings.TrimPrefix(msg+": "+pv.Err.Error(), ": ")
	}
	switch {
	case pv.Field == "":
		return pe.Provider + ": " + msg
	case strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must "):
		return pe.Provider + " " + pv.Field + " " + msg
	}
	return pe.Provider + " " + pv.Field + ": " + msg
}

// checkScheme refuses a URL whose provider this program does not include.
func checkScheme(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || slices.Contains(paybridge.Schemes(), u.Scheme) {
		return nil // paybridge.Open describes a malformed URL
	}
	var known []string
	for _, s := range paybridge.Schemes() {
		known = append(known, s+"://")
	}
	return &configError{fmt.Errorf("unknown provider %q in the URL: refundworker knows %s", u.Scheme, strings.Join(known, ", "))}
}

func enqueueCmd(args []string, stdout io.Writer) error {
	fs := newFlags("enqueue", "-queue DIR -kind refund|payout -amount 5.00 -currency USD -reference REF [flags]", stdout)
	dir := fs.String("queue", "", "queue directory (required)")
	kind := fs.String("kind", "", "refund or payout")
	payment := fs.String("payment", "", "payment id to refund")
	account := fs.String("account", "", "verified account id to pay out to")
	payeeID := fs.String("payee-id", "", "payout: the account holder's id, where the provider ties accounts to people (Trustly)")
	value := fs.String("amount", "", "amount as a plain decimal number, e.g. 12.50; the currency goes in -currency")
	currency := fs.String("currency", "", "ISO 4217 currency code, e.g. USD")
	reference := fs.String("reference", "", "merchant reference the provider records")
	description := fs.String("description", "", "refund reason or payout description")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return usagef("-queue is required")
	}
	amount, err := money.New(*value, *currency)
	if err != nil {
		// money's errors name the problem ("10.001 has more decimal places than GBP
		// allows (2)"); drop the package's prefix.
		return usagef("-amount %q -currency %q: %s", *value, *currency, strings.TrimPrefix(err.Error(), "money: "))
	}
	q, err := OpenQueue(*dir)
	if err != nil {
		return err
	}
	j := Job{Kind: Kind(*kind), PaymentID: *payment, AccountID: *account, Amount: amount, Reference: *reference,
		Description: *description}
	if *payeeID != "" {
		j.Payee = &paybridge.Person{ID: *payeeID}
	}
	j, err = q.Enqueue(j)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "queued %s %s %s key=%s\n", j.ID, j.Kind, j.Amount, j.IdempotencyKey)
	return nil
}

func runCmd(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) (int, error) {
	fs := newFlags("run", "-queue DIR [-provider-url URL] [flags]", stdout)
	dir := fs.String("queue", "", "queue directory (required)")
	providerURL := fs.String("provider-url", "", "provider URL, e.g. trustlyrest://sandbox?merchant_id=… (default $"+EnvURL+")")
	attempts := fs.Int("attempts", 5, "attempts per job in one run")
	backoff := fs.Duration("backoff", 500*time.Millisecond, "first wait between attempts (doubles, up to 30s)")
	callTimeout := fs.Duration("call-timeout", time.Minute, "bound on each provider call")
	follow := fs.Duration("follow", 0, "keep running, reading the queue again at this interval (0: drain once and exit)")
	if err := fs.parse(args); err != nil {
		return exitUsage, err
	}
	if *providerURL == "" {
		*providerURL = os.Getenv(EnvURL)
	}
	if *dir == "" {
		return exitUsage, usagef("-queue is required")
	}
	if *providerURL == "" {
		return exitConfig, &configError{errors.New("no provider URL: pass -provider-url or set " + EnvURL +
			" (for example trustlyrest://sandbox?merchant_id=…&access_id=…)")}
	}
	if *attempts < 1 || *backoff <= 0 || *callTimeout <= 0 {
		return exitUsage, usagef("-attempts, -backoff and -call-timeout must be positive")
	}
	if err := checkScheme(*providerURL); err != nil {
		return exitConfig, err
	}
	q, err := OpenQueue(*dir)
	if err != nil {
		return exitFailed, err
	}
	release, err := lockQueue(*dir)
	if err != nil {
		return exitFailed, err
	}
	defer release()
	gw, err := paybridge.Open(ctx, *providerURL, paybridge.WithLogger(log), paybridge.WithRetry(paybridge.DefaultRetryPolicy))
	if err != nil {
		return exitConfig, &configError{err}
	}
	defer gw.Close()

	w := &Worker{Queue: q, Gateway: gw, Log: log.With("provider", gw.Provider()), Attempts: *attempts,
		Backoff: *backoff, MaxBackoff: 30 * time.Second, CallTimeout: *callTimeout}
	for {
		sum, err := w.Run(ctx)
		log.Info("run finished", "done", sum.Done, "refused", sum.Refused, "unresolved", sum.Unresolved)
		switch {
		case ctx.Err() != nil:
			return exitFailed, nil // stopped by a signal; pending jobs resume next time
		case err != nil:
			return exitFailed, err
		case *follow == 0 && sum.Unresolved > 0:
			return exitUnresolved, nil
		case *follow == 0:
			return 0, nil
		}
		if sleep(ctx, *follow) != nil {
			return 0, nil
		}
	}
}

func listCmd(args []string, stdout io.Writer) error {
	fs := newFlags("list", "-queue DIR", stdout)
	dir := fs.String("queue", "", "queue directory (required)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return usagef("-queue is required")
	}
	q, err := OpenQueue(*dir)
	if err != nil {
		return err
	}
	results, err := q.Results()
	if err != nil {
		return err
	}
	pending, err := q.Pending()
	if err != nil {
		return err
	}
	ids := slices.Sorted(maps.Keys(results))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tOUTCOME\tPROVIDER ID\tSTATUS\tDETAIL")
	for _, id := range ids {
		r := results[id]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.JobID, r.Outcome, r.ProviderID, r.Status, r.Code)
	}
	for _, j := range pending {
		fmt.Fprintf(tw, "%s\tpending\t\t\t%s %s\n", j.ID, j.Kind, j.Amount)
	}
	return tw.Flush()
}
