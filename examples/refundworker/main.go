// Command refundworker makes refunds and payouts from a job queue on PostgreSQL (River),
// with several worker processes draining one queue, and survives any of them being killed
// at any moment without paying anything twice.
//
// A job carries what its call needs: the payment to refund or the account to pay into,
// the amount, the merchant reference. Every attempt at a job sends the same idempotency
// key, derived from the job's id and creation time. River runs a job again when its
// attempt failed, or when the worker running it died; the Gateway's journal, in the same
// database and shared by every worker, then returns the refund or payout the earlier
// attempt made instead of making another:
//
//	export DATABASE_URL='postgres://…/payments'
//	refundworker enqueue -payment 1002600001 -amount 5.00 -currency USD -reference rma-1
//	refundworker enqueue -kind payout -account 1002600007 -amount 20.00 -currency USD -reference fee-7
//	PAYBRIDGE_URL='trustlyrest://sandbox?merchant_id=…&access_id=…' refundworker work
//
// The exit statuses are those of the paybridge command where they mean the same: 0 done
// (work: stopped by SIGINT or SIGTERM after the jobs in flight); 1 failed; 2 usage error;
// 3 configuration error (the database or provider URL, or credentials). SIGKILL at any
// moment is safe too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	_ "github.com/paybridge/paybridge/provider/trustist"    // registers trustist://
	_ "github.com/paybridge/paybridge/provider/trustly"     // registers trustly://
	_ "github.com/paybridge/paybridge/provider/trustlyrest" // registers trustlyrest://
)

// Exit statuses, the paybridge command's where they mean the same.
const (
	exitFailed = 1
	exitUsage  = 2
	exitConfig = 3
)

// EnvURL names the provider when -provider-url is not given: the variable the paybridge
// command and the checkout example read too.
const EnvURL = "PAYBRIDGE_URL"

// EnvDatabaseURL names the database when -database-url is not given.
const EnvDatabaseURL = "DATABASE_URL"

const usageText = `refundworker makes refunds and payouts from a job queue on PostgreSQL (River);
run as many workers as you like on one database, and kill any of them at any moment:
nothing is paid twice.

Usage:
  refundworker enqueue -payment ID -amount 5.00 -currency USD -reference REF  queue a refund
  refundworker enqueue -kind payout -account ID -amount 5.00 ...             queue a payout
  refundworker work [-provider-url URL] [-workers N]                         make the calls
  refundworker help [COMMAND]                                                this text, or a command's flags

Both commands connect to the PostgreSQL database that -database-url or $DATABASE_URL
names, and create or upgrade River's tables and the journal's there. work opens the
provider that -provider-url or $PAYBRIDGE_URL names, for example
trustlyrest://sandbox?merchant_id=…&access_id=…; credentials come from the provider's
variables ('paybridge help environment' lists them). work runs until SIGINT or SIGTERM,
and then finishes the calls in flight.

Exit status: 0 done; 1 failed; 2 usage error; 3 configuration error (the database or
provider URL, or credentials).
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

// configError is a missing or refused database URL, provider URL or credentials.
type configError struct{ err error }

func (e *configError) Error() string { return "configuration error: " + openProblem(e.err) }
func (e *configError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	cmds := map[string]func() error{
		"enqueue": func() error { return enqueueCmd(ctx, rest, stdout) },
		"work":    func() error { return workCmd(ctx, rest, stdout, log) },
	}
	switch name {
	case "help", "-h", "-help", "--help":
		if name == "help" && len(rest) > 0 {
			if _, ok := cmds[rest[0]]; !ok {
				fmt.Fprintf(stderr, "refundworker help: unknown command %q (enqueue, work)\n", rest[0])
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
		fmt.Fprintf(stderr, "refundworker: unknown command %q (enqueue, work)\nRun 'refundworker help' for usage.\n", name)
		return exitUsage
	}
	err := cmd()
	var ue *usageError
	var ce *configError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "refundworker %s: %s\nRun 'refundworker help %s' for usage.\n", name, ue.msg, name)
		return exitUsage
	case errors.As(err, &ce):
		check := "-database-url (or " + EnvDatabaseURL + ")"
		if name == "work" {
			check += ", -provider-url (or " + EnvURL + ") and the provider's variables"
		}
		fmt.Fprintf(stderr, "refundworker %s: %s\nNothing was sent. Check %s.\n", name, ce.Error(), check)
		return exitConfig
	case err != nil:
		log.Error("refundworker "+name, "error", err.Error())
		return exitFailed
	}
	return 0
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

// databaseFlags adds the flags every command has: the database and the schema.
func databaseFlags(fs *flags) (databaseURL, schema *string) {
	databaseURL = fs.String("database-url", "", "PostgreSQL connection URL (default $"+EnvDatabaseURL+")")
	schema = fs.String("schema", "", "schema holding River's tables and the journal, created if missing (default: the search_path)")
	return databaseURL, schema
}

func needDatabase(databaseURL *string) error {
	if *databaseURL == "" {
		*databaseURL = os.Getenv(EnvDatabaseURL)
	}
	if *databaseURL == "" {
		return &configError{errors.New("no database: pass -database-url or set " + EnvDatabaseURL +
			" (for example postgres://user:password@localhost/payments)")}
	}
	return nil
}

func enqueueCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("enqueue", "-kind refund|payout -amount 5.00 -currency USD -reference REF [flags]", stdout)
	databaseURL, schema := databaseFlags(fs)
	kind := fs.String("kind", "refund", "refund or payout")
	payment := fs.String("payment", "", "refund: the provider's id of the payment to refund")
	account := fs.String("account", "", "payout: the verified account id to pay into")
	payeeID := fs.String("payee-id", "", "payout: the account holder's id, where the provider ties accounts to people (Trustly)")
	value := fs.String("amount", "", "amount as a plain decimal number, e.g. 12.50; the currency goes in -currency")
	currency := fs.String("currency", "", "ISO 4217 currency code, e.g. USD")
	reference := fs.String("reference", "", "merchant reference the provider records")
	description := fs.String("description", "", "refund reason or payout description, sent where the provider has a place for it")
	if err := fs.parse(args); err != nil {
		return err
	}
	amount, err := money.New(*value, *currency)
	if err != nil {
		// money's errors name the problem ("10.001 has more decimal places than GBP
		// allows (2)"); drop the package's prefix.
		return usagef("-amount %q -currency %q: %s", *value, *currency, strings.TrimPrefix(err.Error(), "money: "))
	}
	var job job
	switch *kind {
	case "refund":
		job = RefundArgs{PaymentID: *payment, Amount: amount, Reference: *reference, Reason: *description}
	case "payout":
		job = PayoutArgs{AccountID: *account, PayeeID: *payeeID, Amount: amount, Reference: *reference,
			Description: *description}
	default:
		return usagef("-kind must be refund or payout, not %q", *kind)
	}
	if err := job.check(); err != nil {
		return usagef("%v", err)
	}
	if err := needDatabase(databaseURL); err != nil {
		return err
	}
	s, err := openStore(ctx, *databaseURL, *schema, 2)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.client(river.Config{})
	if err != nil {
		return err
	}
	row, added, err := enqueue(ctx, c, job)
	if err != nil {
		return err
	}
	if !added {
		fmt.Fprintf(stdout, "already queued as job %d (%s)\n", row.ID, row.State)
		return nil
	}
	fmt.Fprintf(stdout, "queued job %d: %s %s, idempotency key %s\n", row.ID, *kind, amount, IdempotencyKey(row))
	return nil
}

func workCmd(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := newFlags("work", "[-provider-url URL] [-workers N] [flags]", stdout)
	databaseURL, schema := databaseFlags(fs)
	providerURL := fs.String("provider-url", "", "provider URL, e.g. trustlyrest://sandbox?merchant_id=… (default $"+EnvURL+")")
	workers := fs.Int("workers", 4, "jobs this process works on at once")
	jobTimeout := fs.Duration("job-timeout", time.Minute, "bound on one attempt at a job")
	rescueAfter := fs.Duration("rescue-after", 5*time.Minute,
		"run again a job whose worker has run it this long without an answer (it died); must exceed -job-timeout")
	backoff := fs.Duration("backoff", time.Second, "wait before a failed job's next attempt (doubles, up to -max-backoff)")
	maxBackoff := fs.Duration("max-backoff", 10*time.Minute, "longest wait between a failed job's attempts")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *workers < 1 || *jobTimeout <= 0 || *backoff <= 0 || *maxBackoff < *backoff {
		return usagef("-workers, -job-timeout and -backoff must be positive, and -max-backoff at least -backoff")
	}
	if *rescueAfter <= *jobTimeout {
		return usagef("-rescue-after (%v) must exceed -job-timeout (%v)", *rescueAfter, *jobTimeout)
	}
	if *providerURL == "" {
		*providerURL = os.Getenv(EnvURL)
	}
	if *providerURL == "" {
		return &configError{errors.New("no provider URL: pass -provider-url or set " + EnvURL +
			" (for example trustlyrest://sandbox?merchant_id=…&access_id=…)")}
	}
	if err := checkScheme(*providerURL); err != nil {
		return err
	}
	if err := needDatabase(databaseURL); err != nil {
		return err
	}
	// Each call holds a connection only while a journal statement runs; River keeps a
	// few of its own (listening for new jobs, electing the leader, fetching).
	s, err := openStore(ctx, *databaseURL, *schema, *workers+6)
	if err != nil {
		return err
	}
	defer s.Close()
	// The lease on a call's journal entry is as long as River waits before it runs the
	// job of a dead worker again: longer than any live attempt (bounded by -job-timeout),
	// so no worker takes over a call another is still making.
	retry := paybridge.DefaultRetryPolicy
	retry.MaxElapsed = min(retry.MaxElapsed, *jobTimeout/2) // answer before River gives up on the attempt
	gw, err := paybridge.Open(ctx, *providerURL, paybridge.WithLogger(log), paybridge.WithRetry(retry),
		paybridge.WithJournal(s.journal), paybridge.WithLease(*rescueAfter))
	if err != nil {
		return &configError{err}
	}
	defer gw.Close()

	w := river.NewWorkers()
	retries := retryPolicy{Backoff: *backoff, Max: *maxBackoff}
	calls := &caller{Gateway: gw, Log: log.With("provider", gw.Provider()), Retry: retries}
	river.AddWorker(w, &RefundWorker{caller: calls})
	river.AddWorker(w, &PayoutWorker{caller: calls})
	c, err := s.client(river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: *workers}},
		Workers:              w,
		JobTimeout:           *jobTimeout,
		RescueStuckJobsAfter: *rescueAfter,
		RetryPolicy:          retries,
		Logger:               log,
	})
	if err != nil {
		return err
	}
	// A signal ends ctx: River then fetches no more jobs and waits for those in flight,
	// whose answers it records.
	if err := c.Start(ctx); err != nil {
		return err
	}
	log.Info("working", "provider", gw.Provider(), "workers", *workers)
	<-c.Stopped()
	log.Info("stopped")
	return nil
}
