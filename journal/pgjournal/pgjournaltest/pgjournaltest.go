// Package pgjournaltest gives tests a PostgreSQL journal on a table of their own.
package pgjournaltest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal/pgjournal"
)

// Open returns a migrated journal on a fresh table of the test server named by
// PAYBRIDGE_TEST_POSTGRES_URL, closed and dropped when the test ends. Without a server it
// returns nil — except in CI (CI=true), where the test fails.
func Open(t testing.TB) *pgjournal.Journal {
	t.Helper()
	if os.Getenv(pgtest.EnvURL) == "" && os.Getenv("CI") != "true" {
		return nil
	}
	url := pgtest.ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	j, err := pgjournal.Open(ctx, url, pgjournal.WithTable(pgtest.FreshTable(t, url, "journal")))
	if err != nil {
		t.Fatalf("pgjournal.Open: %v", err)
	}
	t.Cleanup(j.Close)
	if err := j.Migrate(ctx); err != nil {
		t.Fatalf("pgjournal.Migrate: %v", err)
	}
	return j
}
