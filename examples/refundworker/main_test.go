package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
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
		r.want(t, 0, []string{"Usage:", "refundworker enqueue", "refundworker work", "DATABASE_URL", "PAYBRIDGE_URL",
			"3 configuration error"}, nil)
		if r.err != "" {
			t.Errorf("%v wrote to stderr: %s", args, r.err)
		}
	}
	for _, args := range [][]string{{"help", "work"}, {"work", "-h"}, {"work", "--help"}} {
		invoke(t, args...).want(t, 0, []string{"Usage: refundworker work", "-provider-url", "$PAYBRIDGE_URL", "-database-url",
			"$DATABASE_URL", "-workers", "-rescue-after"}, nil)
	}
	invoke(t, "help", "enqueue").want(t, 0, []string{"Usage: refundworker enqueue", "-kind", "-payment", "-account", "-amount",
		"-currency", "-reference"}, nil)

	invoke(t).want(t, exitUsage, nil, []string{"Usage:"})
	invoke(t, "help", "nope").want(t, exitUsage, nil, []string{`unknown command "nope"`})
	invoke(t, "nope").want(t, exitUsage, nil, []string{`unknown command "nope"`, "refundworker help"})
	invoke(t, "work", "-bogus").want(t, exitUsage, nil, []string{"-bogus", "refundworker help work"})
	invoke(t, "work", "-job-timeout", "1m", "-rescue-after", "1m").want(t, exitUsage, nil,
		[]string{"-rescue-after (1m0s) must exceed -job-timeout (1m0s)"})
	invoke(t, "enqueue", "-amount", "5.00", "-currency", "USD").want(t, exitUsage, nil,
		[]string{"a refund needs the payment id", "a reference is required"})
	invoke(t, "enqueue", "-kind", "payout", "-amount", "5.00", "-currency", "USD", "-reference", "r").want(t, exitUsage, nil,
		[]string{"a payout needs the account id"})
	invoke(t, "enqueue", "-kind", "charge", "-amount", "5.00", "-currency", "USD").want(t, exitUsage, nil,
		[]string{`-kind must be refund or payout, not "charge"`})
}

// The database comes from DATABASE_URL and the provider from PAYBRIDGE_URL, the variable
// the paybridge command reads; the flags override them. A missing or refused URL or
// credentials is a configuration error, said in one sentence, with exit status 3, and
// nothing is sent.
func TestConfiguration(t *testing.T) {
	if EnvURL != "PAYBRIDGE_URL" || EnvDatabaseURL != "DATABASE_URL" {
		t.Fatalf("EnvURL = %q, EnvDatabaseURL = %q", EnvURL, EnvDatabaseURL)
	}
	t.Setenv(EnvURL, "")
	t.Setenv(EnvDatabaseURL, "")
	invoke(t, "work").want(t, exitConfig, nil,
		[]string{"refundworker work: configuration error: no provider URL", "-provider-url", "PAYBRIDGE_URL"})
	invoke(t, "enqueue", "-payment", "p-1", "-amount", "5.00", "-currency", "USD", "-reference", "r-1").want(t, exitConfig, nil,
		[]string{"refundworker enqueue: configuration error: no database", "-database-url", "DATABASE_URL"})

	t.Setenv(EnvURL, "trustlyrest://sandbox?merchant_id=1002463580&access_id=abc")
	invoke(t, "work").want(t, exitConfig, nil, []string{"configuration error: no database"})
	// The flag wins over the variable.
	invoke(t, "work", "-provider-url", "stripe://live").want(t, exitConfig, nil,
		[]string{`unknown provider "stripe"`, "trustlyrest://"})

	// A database that does not answer: its password never appears.
	const password = "s3cret-pw-4242"
	r := invoke(t, "work", "-database-url", "postgres://app:"+password+"@127.0.0.1:1/payments?connect_timeout=5")
	r.want(t, exitConfig, nil, []string{"refundworker work: configuration error: database: connecting to PostgreSQL"})
	if strings.Contains(r.err, password) {
		t.Errorf("the password is in:\n%s", r.err)
	}
}

// With a database, a provider URL or credentials Open refuses is a configuration error
// naming the setting and the cause.
func TestProviderCredentials(t *testing.T) {
	dbURL := pgtest.ServerURL(t)
	schema := freshSchema(t, dbURL)
	missing := filepath.Join(t.TempDir(), "key")
	t.Setenv(trustlyrest.EnvAccessKey, "")
	t.Setenv(trustlyrest.EnvAccessKey+"_FILE", missing)
	t.Setenv(EnvDatabaseURL, dbURL)
	t.Setenv(EnvURL, "trustlyrest://sandbox?merchant_id=1002463580&access_id=abc")
	r := invoke(t, "work", "-schema", schema)
	r.want(t, exitConfig, nil, []string{"refundworker work: configuration error: trustlyrest AccessKey: reading " +
		"PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE: open " + missing + ": no such file or directory"})
	for _, bad := range []string{"paybridge: ", "secret: ", "Open: ", "invalid_request", "level=ERROR"} {
		if strings.Contains(r.err, bad) {
			t.Errorf("%q in:\n%s", bad, r.err)
		}
	}
}

func TestEnqueueAmountError(t *testing.T) {
	r := invoke(t, "enqueue", "-payment", "p-1", "-amount", "10.001", "-currency", "GBP", "-reference", "r-1")
	r.want(t, exitUsage, nil, []string{"10.001 has more decimal places than GBP allows (2)", "refundworker help enqueue"})
	if strings.Contains(r.err, "money: ") {
		t.Errorf("package prefix in: %s", r.err)
	}
}

// The idempotency key is the job's: the same for every attempt at one job (River keeps
// the row's id and creation time), different for two jobs.
func TestIdempotencyKey(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	a := &rivertype.JobRow{ID: 7, CreatedAt: created, Attempt: 1}
	retried := &rivertype.JobRow{ID: 7, CreatedAt: created, Attempt: 5, Errors: []rivertype.AttemptError{{Error: "killed"}}}
	other := &rivertype.JobRow{ID: 8, CreatedAt: created}
	again := &rivertype.JobRow{ID: 7, CreatedAt: created.Add(time.Microsecond)} // id 7 of a new table
	if IdempotencyKey(a) != IdempotencyKey(retried) {
		t.Errorf("a retry changed the key: %q, then %q", IdempotencyKey(a), IdempotencyKey(retried))
	}
	if IdempotencyKey(a) == IdempotencyKey(other) || IdempotencyKey(a) == IdempotencyKey(again) {
		t.Errorf("two jobs share a key: %q %q %q", IdempotencyKey(a), IdempotencyKey(other), IdempotencyKey(again))
	}
}
