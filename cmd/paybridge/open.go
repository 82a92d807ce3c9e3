package main

import (
	"context"
	"errors"
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

// errNoURL is returned when neither --url nor PAYBRIDGE_URL names a provider.
var errNoURL = errors.New("no provider URL: pass --url or set " + envURL + " (for example trustlyrest://sandbox?merchant_id=…)")

// connFlags are the flags every operator command shares.
type connFlags struct {
	url     string
	json    bool
	timeout time.Duration
	verbose bool
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "url", "", "provider URL, as paybridge.Open takes it (default $"+envURL+")")
	fs.BoolVar(&c.json, "json", false, "print the result, or the error, as JSON on stdout")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "give up after this long, retries included")
	fs.BoolVar(&c.verbose, "verbose", false, "log each call to stderr (operation, idempotency key, duration, error code; never secrets)")
}

// open opens the Gateway the flags name.
func (c *connFlags) open(ctx context.Context, stderr io.Writer) (*paybridge.Gateway, error) {
	raw := c.url
	if raw == "" {
		raw = os.Getenv(envURL)
	}
	if raw == "" {
		return nil, errNoURL
	}
	var opts []paybridge.Option
	if c.verbose {
		opts = append(opts, paybridge.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	return openGateway(ctx, raw, opts...)
}

// openGateway is paybridge.Open. A trustly:// URL honours PAYBRIDGE_TRUSTLY_PUBLIC_KEY (or
// _FILE), the public key that verifies the signatures of an endpoint other than Trustly's
// own, such as the simulator `paybridge sim` starts.
func openGateway(ctx context.Context, raw string, opts ...paybridge.Option) (*paybridge.Gateway, error) {
	return paybridge.Open(ctx, raw, opts...)
}
