package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/paybridge/paybridge"
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
}

func (c *connFlags) register(fs *flag.FlagSet) {
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
