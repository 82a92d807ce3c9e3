package pgjournal_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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

// Prune removes old settled entries and never an uncertain one.
func TestPruneKeepsUncertain(t *testing.T) {
	url := pgtest.ServerURL(t)
	j := open(t, url, pgtest.FreshTable(t, url, "journal_prune"))
	ctx := context.Background()
	id := func(k string) journal.ID { return journal.ID{Scope: "s", Op: "payout", Key: k} }
	for _, k := range []string{"settled", "uncertain", "pending"} {
		c, err := j.Claim(ctx, journal.Entry{ID: id(k), Fingerprint: "f"}, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		switch k {
		case "settled":
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
	for _, k := range []string{"uncertain", "pending"} {
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
	for _, want := range []string{`CREATE TABLE IF NOT EXISTS "billing"."operations"`, `"operations_provider_id_idx"`} {
		if !strings.Contains(sql, want) {
			t.Errorf("migration SQL lacks %s", want)
		}
	}
	if strings.Contains(sql, "{{") {
		t.Error("migration SQL has a placeholder left")
	}
	if _, err := pgjournal.MigrationSQL("Bad-Name"); err == nil {
		t.Error("a bad table name was accepted")
	}
}

// The connection string's password never reaches an error.
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
