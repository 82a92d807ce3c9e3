package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// The provider URL comes from PAYBRIDGE_URL, the variable the paybridge command and the
// refund worker read; -provider-url wins over it.
func TestProviderURLFromEnvironment(t *testing.T) {
	const fromEnv = "trustlyrest://sandbox?merchant_id=1002463580&access_id=abc"
	t.Setenv("PAYBRIDGE_URL", fromEnv)
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil || cfg.providerURL != fromEnv {
		t.Fatalf("provider URL %q, %v; want %q from PAYBRIDGE_URL", cfg.providerURL, err, fromEnv)
	}
	cfg, err = parseFlags([]string{"-provider-url", "trustist://sandbox"}, io.Discard)
	if err != nil || cfg.providerURL != "trustist://sandbox" {
		t.Fatalf("provider URL %q, %v; want the flag's", cfg.providerURL, err)
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
}

// A URL or credentials the provider's adapter refuses stop the shop before it listens,
// with one sentence naming the setting and the cause.
func TestConfigurationError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "key")
	t.Setenv(trustlyrest.EnvAccessKey, "")
	t.Setenv(trustlyrest.EnvAccessKey+"_FILE", missing)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := start(context.Background(), config{addr: "127.0.0.1:0",
		providerURL: "trustlyrest://sandbox?merchant_id=1002463580&access_id=abc"}, log)
	var ce *configError
	if !errors.As(err, &ce) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("start: %v, want a configuration error about the missing file", err)
	}
	want := "configuration error: trustlyrest AccessKey: reading PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE: open " + missing +
		": no such file or directory"
	if err.Error() != want {
		t.Fatalf("error\n%s\nwant\n%s", err, want)
	}
	_, err = start(context.Background(), config{addr: "127.0.0.1:0", providerURL: "stripe://live"}, log)
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `unknown provider "stripe"`) || !strings.Contains(err.Error(), "trustly://") ||
		strings.Contains(err.Error(), "import") {
		t.Fatalf("unknown scheme: %v", err)
	}
}

// TestTrustlyRefundSettles: the Trustly simulator executes a refund by itself, as Trustly
// does, and its payoutconfirmation marks the order refunded; nothing in the shop pokes
// the simulator.
func TestTrustlyRefundSettles(t *testing.T) {
	a := startTestShop(t)
	o, hosted := checkout(t, a, "trustly")
	if err := a.sims.trustly.EndUser().Approve(t.Context(), hosted); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, a, o.ID, StatusPaid)
	if r := do(t, http.MethodPost, a.url+"/orders/"+o.ID+"/refund", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("refund answered %d: %s", r.status, r.body)
	}
	refunded := waitStatus(t, a, o.ID, StatusRefunded)
	if !slices.Contains(refunded.Events, "refund.succeeded") || refunded.RefundID == "" {
		t.Fatalf("refunded without its confirmation: refund %q, events %v", refunded.RefundID, refunded.Events)
	}
}
