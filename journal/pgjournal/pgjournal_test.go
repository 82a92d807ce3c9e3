package pgjournal_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/journaltest"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/pgstore"
)

func open(t *testing.T, url, table string) *pgjournal.Journal {
	t.Helper()
	ctx := context.Background()
	j, err := pgjournal.Open(ctx, url, pgjournal.WithTable(table))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(j.Close)
	if err := j.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return j
}

func TestJournal(t *testing.T) {
	url := pgtest.ServerURL(t)
	table := pgtest.FreshTable(t, url, "journal")
	journaltest.Run(t, func(t *testing.T) journal.Journal { return open(t, url, table) })
}

// Two Journals on one table, as two processes would have, agree on who holds a key.
func TestTwoInstancesShareClaims(t *testing.T) {
	url := pgtest.ServerURL(t)
	table := pgtest.FreshTable(t, url, "journal_two")
	a, b := open(t, url, table), open(t, url, table)
	ctx := context.Background()
	e := journal.Entry{ID: journal.ID{Scope: "s", Op: "refund", Key: "k"}, Fingerprint: "f"}
	c, err := a.Claim(ctx, e, time.Hour)
	if err != nil || !c.Held {
		t.Fatalf("Claim on a: %+v, %v", c, err)
	}
	if _, err := b.Claim(ctx, e, time.Hour); !errors.Is(err, journal.ErrBusy) {
		t.Fatalf("Claim on b while a holds the key: %v; want ErrBusy", err)
	}
	if err := a.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{"id":"1"}`)}); err != nil {
		t.Fatal(err)
	}
	got, err := b.Claim(ctx, e, time.Hour)
	if err != nil || got.Held || string(got.Entry.Result) != `{"id":"1"}` {
		t.Fatalf("Claim on b after a settled: %+v, %v", got, err)
	}
}

// Prune removes old settled entries and never an uncertain one, nor one claimed with Keep.
func TestPruneKeepsUncertain(t *testing.T) {
	url := pgtest.ServerURL(t)
	j := open(t, url, pgtest.FreshTable(t, url, "journal_prune"))
	ctx := context.Background()
	id := func(k string) journal.ID { return journal.ID{Scope: "s", Op: "payout", Key: k} }
	for _, k := range []string{"settled", "uncertain", "pending", "kept"} {
		c, err := j.Claim(ctx, journal.Entry{ID: id(k), Fingerprint: "f", Keep: k == "kept"}, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		switch k {
		case "settled", "kept":
			err = j.Record(ctx, id(k), c.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`)})
		case "uncertain":
			err = j.Record(ctx, id(k), c.Token, journal.Outcome{State: journal.Uncertain})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	n, err := j.Prune(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("Prune: %d, %v; want the settled entry only", n, err)
	}
	for _, k := range []string{"uncertain", "pending", "kept"} {
		if _, err := j.Get(ctx, id(k)); err != nil {
			t.Errorf("%s entry after Prune: %v", k, err)
		}
	}
	if _, err := j.Get(ctx, id("settled")); !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("settled entry after Prune: %v; want ErrNotFound", err)
	}
}

func TestMigrationSQL(t *testing.T) {
	sql, err := pgjournal.MigrationSQL("billing.operations")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`CREATE TABLE IF NOT EXISTS "billing"."operations"`, `"operations_provider_id_idx"`,
		`ALTER TABLE "billing"."operations" ADD COLUMN IF NOT EXISTS parent`, `"operations_parent_idx"`,
		`"operations_created_idx" ON "billing"."operations" (scope, created_at)`,
		`ALTER TABLE "billing"."operations" ADD COLUMN IF NOT EXISTS keep`} {
		if !strings.Contains(sql, want) {
			t.Errorf("migration SQL lacks %s", want)
		}
	}
	if create, parent := strings.Index(sql, "CREATE TABLE"), strings.Index(sql, "ADD COLUMN"); create > parent {
		t.Error("migration SQL adds the parent column before it creates the table")
	}
	if strings.Contains(sql, "{{") {
		t.Error("migration SQL has a placeholder left")
	}
	if _, err := pgjournal.MigrationSQL("Bad-Name"); err == nil {
		t.Error("a bad table name was accepted")
	}
}

// The connection string's password never reaches an error.
func TestPingChecksTheTableAndChangesNothing(t *testing.T) {
	url := pgtest.ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	missing := pgtest.FreshTable(t, url, "journal_ping")
	j, err := pgjournal.Open(ctx, url, pgjournal.WithTable(missing))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer j.Close()
	err = j.Ping(ctx)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("Ping of a table never made: %v, want an error naming %s", err, missing)
	}
	if err := j.Ping(ctx); err == nil {
		t.Fatal("Ping made the table it checked")
	}
	if err := open(t, url, missing).Ping(ctx); err != nil {
		t.Fatalf("Ping after Migrate: %v", err)
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	const pw = "s3cret-Passw0rd"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := pgjournal.Open(ctx, "postgres://u:"+pw+"@127.0.0.1:1/db?connect_timeout=5")
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if strings.Contains(err.Error(), pw) {
		t.Fatalf("error reveals the password: %v", err)
	}
}

// One database and one connection pool can hold both the journal and the notification
// store, as the README says.
func TestSharesAPoolWithTheNotificationStore(t *testing.T) {
	url := pgtest.ServerURL(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	j, err := pgjournal.New(pool, pgjournal.WithTable(pgtest.FreshTable(t, url, "shared_journal")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgstore.New(pool, pgstore.WithTable(pgtest.FreshTable(t, url, "shared_store")))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := j.Claim(ctx, journal.Entry{ID: journal.ID{Scope: "s", Op: "pay", Key: "k"}, Fingerprint: "f"}, time.Hour)
	if err != nil || !c.Held {
		t.Fatalf("journal claim on the shared pool: %+v, %v", c, err)
	}
	n, err := s.Claim(ctx, "trustly/n1", time.Hour)
	if err != nil || n.State != notify.Claimed {
		t.Fatalf("store claim on the shared pool: %+v, %v", n, err)
	}
}

// A table created by the first migration alone, holding entries, is upgraded by Migrate:
// its entries are kept, without a parent, and new entries carry theirs.
func TestMigrateUpgradesFirstVersion(t *testing.T) {
	url := pgtest.ServerURL(t)
	table := pgtest.FreshTable(t, url, "journal_upgrade")
	ctx := context.Background()
	first, err := os.ReadFile("migrations/001_create.sql")
	if err != nil {
		t.Fatal(err)
	}
	ident := pgx.Identifier{table}.Sanitize()
	index := func(suffix string) string { return pgx.Identifier{table + "_" + suffix}.Sanitize() }
	sql := strings.NewReplacer("{{table}}", ident, "{{ref_index}}", index("reference_idx"),
		"{{pid_index}}", index("provider_id_idx"), "{{done_index}}", index("done_idx")).Replace(string(first))
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("the first migration: %v", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO `+ident+` (scope, op, key, fingerprint, reference, provider_id, state, result)
VALUES ('s', 'pay', 'old', 'f', 'ref-old', 'p-old', 'settled', '{}')`); err != nil {
		t.Fatal(err)
	}

	j := open(t, url, table) // migrates
	old, err := j.Get(ctx, journal.ID{Scope: "s", Op: "pay", Key: "old"})
	if err != nil || old.State != journal.Settled || old.ProviderID != "p-old" || old.Parent != "" {
		t.Fatalf("an entry written before the upgrade: %+v, %v; want it settled, without a parent", old, err)
	}
	e := journal.Entry{ID: journal.ID{Scope: "s", Op: "refund", Key: "new"}, Fingerprint: "f", Parent: "p-old"}
	if c, err := j.Claim(ctx, e, time.Hour); err != nil || !c.Held || c.Entry.Parent != "p-old" {
		t.Fatalf("Claim after the upgrade: %+v, %v", c, err)
	}
	found, err := j.FindByParent(ctx, "s", "p-old")
	if err != nil || len(found) != 1 || found[0].Key != "new" {
		t.Fatalf("FindByParent after the upgrade: %+v, %v; want the new entry", found, err)
	}
	if err := j.Migrate(ctx); err != nil {
		t.Fatalf("Migrate of an upgraded table: %v", err)
	}
	for _, suffix := range []string{"_parent_idx", "_created_idx"} {
		var indexed bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = $1 AND indexname = $2)`,
			table, table+suffix).Scan(&indexed); err != nil || !indexed {
			t.Fatalf("the index %s after the upgrade: %v, %v; want it created", table+suffix, indexed, err)
		}
	}
	created, err := j.FindCreated(ctx, "s", old.CreatedAt, old.CreatedAt.Add(time.Microsecond))
	if err != nil || len(created) != 1 || created[0].Key != "old" {
		t.Fatalf("FindCreated after the upgrade: %v, %v; want the entry written before it", created, err)
	}
}

// Entries created at the same instant come back ordered by key, then operation.
func TestFindByParentTiesByKey(t *testing.T) {
	url := pgtest.ServerURL(t)
	table := pgtest.FreshTable(t, url, "journal_ties")
	j := open(t, url, table)
	ctx := context.Background()
	for _, id := range []journal.ID{{Op: "refund", Key: "b"}, {Op: "refund", Key: "a"}, {Op: "capture", Key: "b"}} {
		id.Scope = "s"
		if _, err := j.Claim(ctx, journal.Entry{ID: id, Fingerprint: "f", Parent: "pay-1"}, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE `+pgx.Identifier{table}.Sanitize()+` SET created_at = '2026-01-01T00:00:00Z'`); err != nil {
		t.Fatal(err)
	}
	found, err := j.FindByParent(ctx, "s", "pay-1")
	var got []string
	for _, e := range found {
		got = append(got, e.Key+"/"+e.Op)
	}
	if err != nil || len(got) != 3 || got[0] != "a/refund" || got[1] != "b/capture" || got[2] != "b/refund" {
		t.Fatalf("FindByParent: %v, %v; want a/refund, b/capture, b/refund", got, err)
	}
}
