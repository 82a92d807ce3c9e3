// Package pgtest gives tests a PostgreSQL server and tables of their own.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the test server's connection URL; .ci/postgres.sh
// starts a server on loopback and exports it.
const EnvURL = "PAYBRIDGE_TEST_POSTGRES_URL"

// ServerURL returns the test server's URL, skipping the test when none is configured —
// except in CI (CI=true), where these tests must run.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set but CI=true: the PostgreSQL tests must run in CI (source .ci/postgres.sh first)", EnvURL)
		}
		t.Skipf("%s is not set: no PostgreSQL server to test against (source .ci/postgres.sh to start one on loopback)", EnvURL)
	}
	return u
}

// runSuffix makes this run's table names unique, so concurrent runs on one server do not
// meet.
var runSuffix = func() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

var tableSeq atomic.Int64

// FreshTable returns a table name unique to this test run and call, and drops the table
// when the test ends.
func FreshTable(t testing.TB, url, name string) string {
	t.Helper()
	table := fmt.Sprintf("pbtest_%s_%s_%d", name, runSuffix, tableSeq.Add(1))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("connecting to drop %s: %v", table, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{table}.Sanitize()); err != nil {
			t.Errorf("dropping %s: %v", table, err)
		}
	})
	return table
}
