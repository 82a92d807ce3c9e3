package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// invocation is one in-process run of the command line.
type invocation struct {
	code     int
	out, err string
}

func invoke(t *testing.T, args ...string) invocation {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return invocation{code, out.String(), errOut.String()}
}

func (i invocation) want(t *testing.T, code int, stdout, stderr []string) {
	t.Helper()
	if i.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", i.code, code, i.out, i.err)
	}
	for _, w := range stdout {
		if !strings.Contains(i.out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, i.out)
		}
	}
	for _, w := range stderr {
		if !strings.Contains(i.err, w) {
			t.Errorf("stderr lacks %q:\n%s", w, i.err)
		}
	}
}

// help, -h and --help explain the command on stdout and exit 0; so do a command's.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := invoke(t, args...)
		r.want(t, 0, []string{"Usage:", "refundworker enqueue", "refundworker run", "refundworker list", "PAYBRIDGE_URL",
			"3 configuration error", "4 jobs left pending"}, nil)
		if r.err != "" {
			t.Errorf("%v wrote to stderr: %s", args, r.err)
		}
	}
	for _, args := range [][]string{{"help", "run"}, {"run", "-h"}, {"run", "--help"}} {
		invoke(t, args...).want(t, 0, []string{"Usage: refundworker run", "-provider-url", "$PAYBRIDGE_URL", "-queue"}, nil)
	}
	invoke(t, "help", "enqueue").want(t, 0, []string{"Usage: refundworker enqueue", "-amount", "-currency"}, nil)
	invoke(t, "help", "list").want(t, 0, []string{"Usage: refundworker list"}, nil)

	invoke(t).want(t, exitUsage, nil, []string{"Usage:"})
	invoke(t, "help", "nope").want(t, exitUsage, nil, []string{`unknown command "nope"`})
	invoke(t, "nope").want(t, exitUsage, nil, []string{`unknown command "nope"`, "refundworker help"})
	invoke(t, "run", "-bogus").want(t, exitUsage, nil, []string{"-bogus", "refundworker help run"})
	invoke(t, "list").want(t, exitUsage, nil, []string{"-queue is required"})
}

// The provider URL comes from PAYBRIDGE_URL, the variable the paybridge command reads;
// -provider-url overrides it. A URL or credentials Open refuses is a configuration
// error, said in one sentence, with exit status 3.
func TestProviderURL(t *testing.T) {
	if EnvURL != "PAYBRIDGE_URL" {
		t.Fatalf("EnvURL = %q", EnvURL)
	}
	queue := t.TempDir()
	missing := filepath.Join(t.TempDir(), "key")
	t.Setenv(trustlyrest.EnvAccessKey, "")
	t.Setenv(trustlyrest.EnvAccessKey+"_FILE", missing)

	t.Setenv(EnvURL, "")
	invoke(t, "run", "-queue", queue).want(t, exitConfig, nil,
		[]string{"refundworker run: configuration error: no provider URL", "-provider-url", "PAYBRIDGE_URL"})

	t.Setenv(EnvURL, "trustlyrest://sandbox?merchant_id=1002463580&access_id=abc")
	r := invoke(t, "run", "-queue", queue)
	r.want(t, exitConfig, nil, []string{"refundworker run: configuration error: trustlyrest AccessKey: reading " +
		"PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE: open " + missing + ": no such file or directory"})
	for _, bad := range []string{"paybridge: ", "secret: ", "Open: ", "invalid_request", "level=ERROR"} {
		if strings.Contains(r.err, bad) {
			t.Errorf("%q in:\n%s", bad, r.err)
		}
	}

	// The flag wins over the variable.
	invoke(t, "run", "-queue", queue, "-provider-url", "stripe://live").want(t, exitConfig, nil,
		[]string{`unknown provider "stripe"`, "trustlyrest://"})
}

func TestEnqueueAmountError(t *testing.T) {
	r := invoke(t, "enqueue", "-queue", t.TempDir(), "-kind", "refund", "-payment", "p-1", "-amount", "10.001", "-currency", "GBP",
		"-reference", "r-1")
	r.want(t, exitUsage, nil, []string{"10.001 has more decimal places than GBP allows (2)", "refundworker help enqueue"})
	if strings.Contains(r.err, "money: ") {
		t.Errorf("package prefix in: %s", r.err)
	}
}
