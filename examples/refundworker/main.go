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
//	refundworker run -queue q -provider-url 'trustlyrest://sandbox?merchant_id=…&access_id=…'
//	refundworker list -queue q
//
// run exits 0 when every job has a result, 3 when some jobs are left pending because no
// attempt got a definite answer (run it again later: they are repeated with their keys),
// and 1 on other errors or when stopped early. SIGINT and SIGTERM stop it after the call in
// flight; SIGKILL at any moment is safe too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	_ "github.com/paybridge/paybridge/provider/trustist"    // registers trustist://
	_ "github.com/paybridge/paybridge/provider/trustly"     // registers trustly://
	_ "github.com/paybridge/paybridge/provider/trustlyrest" // registers trustlyrest://
)

// Exit statuses of run.
const (
	exitFailed     = 1
	exitUsage      = 2
	exitUnresolved = 3
)

// EnvProviderURL is read when -provider-url is not given.
const EnvProviderURL = "PAYBRIDGE_PROVIDER_URL"

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, log)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, out io.Writer, log *slog.Logger) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: refundworker enqueue|run|list [flags]")
		return exitUsage
	}
	var err error
	code := exitFailed
	switch args[0] {
	case "enqueue":
		err = enqueueCmd(args[1:], out)
	case "run":
		code, err = runCmd(ctx, args[1:], log)
	case "list":
		err = listCmd(args[1:], out)
	default:
		fmt.Fprintf(os.Stderr, "refundworker: unknown command %q (enqueue, run, list)\n", args[0])
		return exitUsage
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitUsage
	case err != nil:
		log.Error("refundworker "+args[0], "error", err.Error())
		return code
	}
	if args[0] == "run" {
		return code
	}
	return 0
}

func enqueueCmd(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("enqueue", flag.ContinueOnError)
	dir := fs.String("queue", "", "queue directory (required)")
	kind := fs.String("kind", "", "refund or payout")
	payment := fs.String("payment", "", "payment id to refund")
	account := fs.String("account", "", "verified account id to pay out to")
	payeeID := fs.String("payee-id", "", "payout: the account holder's id, where the provider ties accounts to people (Trustly)")
	value := fs.String("amount", "", "amount as decimal text, e.g. 12.50")
	currency := fs.String("currency", "", "ISO 4217 currency code")
	reference := fs.String("reference", "", "merchant reference the provider records")
	description := fs.String("description", "", "refund reason or payout description")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-queue is required")
	}
	amount, err := money.New(*value, *currency)
	if err != nil {
		return fmt.Errorf("amount: %w", err)
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
	fmt.Fprintf(out, "queued %s %s %s key=%s\n", j.ID, j.Kind, j.Amount, j.IdempotencyKey)
	return nil
}

func runCmd(ctx context.Context, args []string, log *slog.Logger) (int, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	dir := fs.String("queue", "", "queue directory (required)")
	providerURL := fs.String("provider-url", os.Getenv(EnvProviderURL), "provider URL for paybridge.Open (default $"+EnvProviderURL+")")
	attempts := fs.Int("attempts", 5, "attempts per job in one run")
	backoff := fs.Duration("backoff", 500*time.Millisecond, "first wait between attempts (doubles, up to 30s)")
	callTimeout := fs.Duration("call-timeout", time.Minute, "bound on each provider call")
	follow := fs.Duration("follow", 0, "keep running, reading the queue again at this interval (0: drain once and exit)")
	if err := fs.Parse(args); err != nil {
		return exitUsage, err
	}
	if *dir == "" || *providerURL == "" {
		return exitUsage, errors.New("-queue and -provider-url (or $" + EnvProviderURL + ") are required")
	}
	if *attempts < 1 || *backoff <= 0 || *callTimeout <= 0 {
		return exitUsage, errors.New("-attempts, -backoff and -call-timeout must be positive")
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
		return exitFailed, err
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

func listCmd(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	dir := fs.String("queue", "", "queue directory (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-queue is required")
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
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
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
