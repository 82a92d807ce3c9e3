package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal/pgjournal"
	_ "github.com/paybridge/paybridge/provider/memprovider" // registers mem://
	_ "github.com/paybridge/paybridge/provider/trustist"    // registers trustist://
	_ "github.com/paybridge/paybridge/provider/trustly"     // registers trustly://
	_ "github.com/paybridge/paybridge/provider/trustlyrest" // registers trustlyrest://
)

// envURL names the provider URL when --url is not given.
const envURL = "PAYBRIDGE_URL"

// connFlags are the flags every operator command shares.
type connFlags struct {
	url     string
	json    bool
	timeout time.Duration
	verbose bool
	// journal is set for the commands whose calls the Gateway journals (pay, refund,
	// payout, verify): they take --journal.
	journal *journalFlags
	// flags is the command's flag set (register), for naming a refused field's flag.
	flags *flag.FlagSet
}

// journalFlags name the PostgreSQL journal a write is recorded in, the one the
// application's Gateways share: a repeat then returns the first result, whichever
// machine made it, and reconcile sees the call.
type journalFlags struct {
	url, table string
}

// registerJournal adds --journal and --journal-table to the command.
func (c *connFlags) registerJournal(fs *flag.FlagSet) {
	c.journal = &journalFlags{}
	fs.StringVar(&c.journal.url, "journal", "", "PostgreSQL connection string of the journal your application's Gateways share "+
		"(default $"+envJournal+"): a repeat with the same --idempotency-key then returns the first result, "+
		"on any machine, and 'paybridge reconcile' sees the call; without one only providers that recognise "+
		"repeats do ('paybridge help idempotency')")
	fs.StringVar(&c.journal.table, "journal-table", pgjournal.DefaultTable, "the journal's table")
}

// open opens the journal the flags or $PAYBRIDGE_JOURNAL_URL name, or returns
// nil when neither names one. Every error it returns is a *configError; none contains the
// connection string or its password.
func (f *journalFlags) open(ctx context.Context) (*pgjournal.Journal, error) {
	raw := f.url
	if raw == "" {
		raw = os.Getenv(envJournal)
	}
	if raw == "" {
		return nil, nil
	}
	j, err := pgjournal.Open(ctx, raw, pgjournal.WithTable(f.table))
	if err != nil {
		return nil, &configError{err: journalError{err}, journal: true}
	}
	// The table is the application's: its migration makes it (pgjournal's Migrate). An
	// operator's command changes no schema, and refuses before sending when the table
	// is not there.
	if err := j.Ping(ctx); err != nil {
		j.Close()
		return nil, &configError{err: journalError{err}, journal: true}
	}
	return j, nil
}

// journalError is a failure to open the journal, in a sentence without package prefix.
type journalError struct{ err error }

func (e journalError) Error() string {
	return "the journal: " + strings.TrimPrefix(e.err.Error(), "pgjournal: ")
}

func (e journalError) Unwrap() error { return e.err }

func (c *connFlags) register(fs *flag.FlagSet) {
	c.flags = fs
	fs.StringVar(&c.url, "url", "", "provider URL, e.g. trustlyrest://sandbox?merchant_id=… (default $"+envURL+"; see 'paybridge help environment')")
	fs.BoolVar(&c.json, "json", false, "print the result, or the error, as JSON on stdout")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "give up after this long, retries included")
	fs.BoolVar(&c.verbose, "verbose", false, "log each call to stderr (operation, idempotency key, duration, error code; never secrets)")
}

// open opens the Gateway the flags name. Every error it returns is a *configError.
func (c *connFlags) open(ctx context.Context, stderr io.Writer, extra ...paybridge.Option) (*paybridge.Gateway, error) {
	raw := c.url
	if raw == "" {
		raw = os.Getenv(envURL)
	}
	if raw == "" {
		return nil, errNoURL
	}
	if err := checkScheme(raw); err != nil {
		return nil, err
	}
	opts := extra
	if c.verbose {
		opts = append(opts, paybridge.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	gw, err := openGateway(ctx, raw, opts...)
	if err != nil {
		return nil, &configError{err: err}
	}
	return gw, nil
}

// openGateway is paybridge.Open. A trustly:// URL honours PAYBRIDGE_TRUSTLY_PUBLIC_KEY (or
// _FILE), the public key that verifies the signatures of an endpoint other than Trustly's
// own, such as the simulator `paybridge sim` starts.
func openGateway(ctx context.Context, raw string, opts ...paybridge.Option) (*paybridge.Gateway, error) {
	return paybridge.Open(ctx, raw, opts...)
}
