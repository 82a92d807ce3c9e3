// Command paybridge runs paybridge's conformance suite, starts the provider simulators for
// local development, and makes one-off payment operations for operators.
//
// Usage:
//
//	paybridge conformance [--provider NAME] [--sandbox] [--json] [--html FILE]
//	paybridge sim [--port N]
//	paybridge pay | refund | payout | verify | status | reconcile [flags]
//	paybridge help [COMMAND | exit-codes | idempotency | environment]
//	paybridge version
//
// Every command explains itself with --help; 'paybridge help exit-codes', 'paybridge help
// idempotency' and 'paybridge help environment' explain what they share. Exit codes: 0
// success; 1 the operation or a scenario failed; 2 usage error or a request refused as
// invalid or unsupported (nothing was sent or moved); 3 configuration error: the provider
// URL or credentials missing, malformed or refused; 4 outcome unknown (repeat the same
// command, with the same idempotency key); 5 provider unavailable (try again later).
//
// pay, refund, payout and verify record their calls in the PostgreSQL journal that
// --journal or PAYBRIDGE_JOURNAL_URL names, the one the application's Gateways share: a
// repeated command then returns the first result on any machine. Without one, only the
// providers that recognise repeats do ('paybridge help idempotency').
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
