// Command checkout is a small web shop that takes payments through paybridge.
//
// With no configuration it starts the Trustly, Trustly REST and Trustist simulators in
// this process and lets the buyer choose among them:
//
//	go run ./examples/checkout
//
// With a provider URL, in PAYBRIDGE_URL as the paybridge command reads it or in
// -provider-url, it pays through that one provider (credentials come from the provider's
// environment variables; see 'paybridge help environment'):
//
//	export PAYBRIDGE_URL='trustly://test?username=shop'
//	PAYBRIDGE_TRUSTLY_PASSWORD=… PAYBRIDGE_TRUSTLY_PRIVATE_KEY_FILE=key.pem \
//	  go run ./examples/checkout -public-url https://shop.example.com
//
// The shop shows a product, starts a payment with an idempotency key kept with the
// order, sends the buyer to the provider's hosted page, and marks the order paid only
// when a verified notification says so. Paid orders can be refunded where the provider
// supports refunds.
//
// With -otel it writes the payments' OpenTelemetry spans and metrics to standard output
// and serves the metrics to Prometheus at /metrics (see docs/observability.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	_ "github.com/paybridge/paybridge/provider/trustist"    // registers trustist://
	_ "github.com/paybridge/paybridge/provider/trustly"     // registers trustly://
	_ "github.com/paybridge/paybridge/provider/trustlyrest" // registers trustlyrest://
)

// config is the shop's configuration.
type config struct {
	// addr is the address to listen on.
	addr string
	// publicURL is the shop's base URL as buyers and providers reach it; empty means the
	// address listened on.
	publicURL string
	// providerURL names the one provider to pay through (paybridge.Open); empty starts
	// the simulators.
	providerURL string
	// currency is the currency to charge in with providerURL; empty picks the first the
	// provider accepts that the catalog has a price in.
	currency string
	// otel exports the Gateways' traces and metrics: to telemetryOut, and to Prometheus
	// at /metrics.
	otel bool
	// telemetryOut is where -otel writes spans and metrics (run sets standard output).
	telemetryOut io.Writer
}

// EnvURL is the environment variable read when -provider-url is not given: the one the
// paybridge command and the refund worker read too.
const EnvURL = "PAYBRIDGE_URL"

// Exit statuses, the paybridge command's where they mean the same.
const (
	exitFailed = 1
	exitUsage  = 2
	exitConfig = 3
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return
	case err != nil:
		os.Exit(exitUsage)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = run(ctx, cfg, os.Stdout, log)
	var ce *configError
	switch {
	case errors.As(err, &ce):
		fmt.Fprintf(os.Stderr, "checkout: %v\nCheck -provider-url (or %s) and the provider's variables.\n", ce, EnvURL)
		stop()
		os.Exit(exitConfig)
	case err != nil:
		log.Error("checkout", "error", err.Error())
		stop()
		os.Exit(exitFailed)
	}
}

// parseFlags reads the command line; the provider URL defaults to $PAYBRIDGE_URL.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("checkout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&cfg.publicURL, "public-url", "", "the shop's base URL as buyers and providers reach it (default: the listening address)")
	fs.StringVar(&cfg.providerURL, "provider-url", os.Getenv(EnvURL),
		"provider to pay through, e.g. trustly://test?username=shop (default $"+EnvURL+"; empty starts the simulators)")
	fs.StringVar(&cfg.currency, "currency", "", "currency to charge in with -provider-url (default: the first the provider accepts)")
	fs.BoolVar(&cfg.otel, "otel", false, "write the payments' OpenTelemetry traces and metrics to standard output, and serve the metrics to Prometheus at /metrics")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "checkout: unexpected argument %q\n", fs.Arg(0))
		return cfg, errors.New("unexpected argument")
	}
	return cfg, nil
}

// configError is a provider URL or credentials that paybridge.Open refused: nothing
// was sent.
type configError struct{ err error }

func (e *configError) Error() string { return "configuration error: " + openProblem(e.err) }
func (e *configError) Unwrap() error { return e.err }

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

// openProvider opens the provider the URL names, refusing a scheme this program does
// not include with the list of those it does.
func openProvider(ctx context.Context, raw string, opts ...paybridge.Option) (*paybridge.Gateway, error) {
	if u, err := url.Parse(raw); err == nil && !slices.Contains(paybridge.Schemes(), u.Scheme) {
		var known []string
		for _, s := range paybridge.Schemes() {
			known = append(known, s+"://")
		}
		return nil, &configError{fmt.Errorf("unknown provider %q in the URL: the shop knows %s", u.Scheme, strings.Join(known, ", "))}
	}
	gw, err := paybridge.Open(ctx, raw, opts...)
	if err != nil {
		return nil, &configError{err}
	}
	return gw, nil
}

// run serves the shop until ctx ends.
func run(ctx context.Context, cfg config, out io.Writer, log *slog.Logger) error {
	if cfg.telemetryOut == nil {
		cfg.telemetryOut = out
	}
	a, err := start(ctx, cfg, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "shop: %s/\n", a.url)
	if a.tel != nil {
		fmt.Fprintf(out, "metrics: %s/metrics\n", a.url)
	}
	if a.sims != nil {
		fmt.Fprintln(out, "paying through the Trustly, Trustly REST and Trustist simulators running in this process")
	}
	select {
	case <-ctx.Done():
	case err := <-a.served:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return a.Close(shutdown)
}

// app is a running shop.
type app struct {
	url    string
	shop   *Shop
	srv    *http.Server
	served chan error
	sims   *simulators // nil when paying through a configured provider
	gw     *paybridge.Gateway
	tel    *telemetry // nil without -otel
}

// start listens, sets up the payment methods and serves the shop.
func start(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, err
	}
	a := &app{url: strings.TrimRight(cfg.publicURL, "/"), served: make(chan error, 1)}
	if a.url == "" {
		a.url = "http://" + ln.Addr().String()
	}
	ok := false
	defer func() {
		if !ok {
			_ = ln.Close()
			a.closeProviders()
		}
	}()

	// A buyer waits on the other end of every call: bound the Gateway's own retries to a
	// few seconds rather than the default policy's thirty.
	opts := []paybridge.Option{paybridge.WithLogger(log), paybridge.WithRetry(paybridge.RetryPolicy{
		MaxAttempts: 3, MaxElapsed: 5 * time.Second, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second})}
	if cfg.otel {
		out := cfg.telemetryOut
		if out == nil {
			out = os.Stdout
		}
		if a.tel, err = newTelemetry(out); err != nil {
			return nil, err
		}
		opts = append(opts, a.tel.options()...)
	}
	var methods []*Method
	if cfg.providerURL == "" {
		if a.sims, err = startSimulators(a.url+"/notifications/", opts...); err != nil {
			return nil, err
		}
		methods = a.sims.methods
	} else {
		if a.gw, err = openProvider(ctx, cfg.providerURL, opts...); err != nil {
			return nil, err
		}
		m, err := configuredMethod(a.gw, cfg.currency)
		if err != nil {
			return nil, err
		}
		methods = []*Method{m}
	}
	if a.shop, err = NewShop(a.url, methods, notify.NewMemoryStore(), log); err != nil {
		return nil, err
	}
	handler := a.shop.Handler()
	if a.tel != nil {
		handler = a.tel.handler(handler)
	}
	a.srv = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		err := a.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.served <- err
	}()
	ok = true
	return a, nil
}

// configuredMethod is the payment method of a Gateway opened by URL.
func configuredMethod(gw *paybridge.Gateway, currency string) (*Method, error) {
	caps := gw.Capabilities()
	if !caps.Supports(paybridge.OpNotifications) {
		return nil, fmt.Errorf("%s delivers no notifications; this shop confirms payments only by notification", gw.Provider())
	}
	var cur money.Currency
	if currency != "" {
		c, err := money.ParseCurrency(currency)
		if err != nil {
			return nil, err
		}
		if !caps.SupportsCurrency(c) {
			return nil, fmt.Errorf("%s does not accept %s", gw.Provider(), c)
		}
		cur = c
	} else {
		for _, c := range caps.Currencies {
			if _, ok := catalog[0].Prices[c.String()]; ok {
				cur = c
				break
			}
		}
		if cur.IsZero() {
			return nil, fmt.Errorf("the catalog has no price in a currency %s accepts; set -currency", gw.Provider())
		}
	}
	if _, err := catalog[0].Price(cur); err != nil {
		return nil, err
	}
	label, ok := providerLabels[gw.Provider()]
	if !ok {
		label = gw.Provider()
	}
	return &Method{Name: gw.Provider(), Label: label, Gateway: gw, Currency: cur}, nil
}

// providerLabels are the names buyers know the providers by.
var providerLabels = map[string]string{"trustly": "Trustly", "trustlyrest": "Trustly Pay", "trustist": "Trustist"}

// Close stops serving, waits for requests in progress, then closes the Gateways and
// simulators, and writes the telemetry not written yet.
func (a *app) Close(ctx context.Context) error {
	err := a.srv.Shutdown(ctx)
	err = errors.Join(err, a.closeProviders())
	if a.tel != nil {
		err = errors.Join(err, a.tel.Close(ctx))
	}
	return err
}

func (a *app) closeProviders() error {
	var errs []error
	if a.sims != nil {
		errs = append(errs, a.sims.Close())
	}
	if a.gw != nil {
		errs = append(errs, a.gw.Close())
	}
	return errors.Join(errs...)
}
