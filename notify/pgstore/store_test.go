package pgstore_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/pgstore"
	"github.com/paybridge/paybridge/notify/storetest"
)

func serverURL(t *testing.T) string { return pgtest.ServerURL(t) }

func freshTable(t *testing.T, url string, name string) string { return pgtest.FreshTable(t, url, name) }

func open(t *testing.T, url, table string) *pgstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	s, err := pgstore.Open(ctx, url, pgstore.WithTable(table), pgstore.WithMaxConns(8))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// migrated opens a store on a fresh table and creates the table.
func migrated(t *testing.T, name string) (url, table string, s *pgstore.Store) {
	t.Helper()
	url = serverURL(t)
	table = freshTable(t, url, name)
	s = open(t, url, table)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return url, table, s
}

// TestSharedStoreTests runs the tests every notify.Store must pass. Each instance the
// tests ask for is a separate Store with its own connection pool on one table, as separate
// handler processes would have.
func TestSharedStoreTests(t *testing.T) {
	url, table, _ := migrated(t, "shared")
	storetest.Run(t, func(t *testing.T) notify.Store { return open(t, url, table) })
}

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	url := serverURL(t)
	table := freshTable(t, url, "migrate")
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		s := open(t, url, table)
		wg.Go(func() { errs <- s.Migrate(context.Background()) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Migrate on a new table: %v", err)
		}
	}
	s := open(t, url, table)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate on an existing table: %v", err)
	}
	if r, err := s.Claim(context.Background(), "k", time.Minute); err != nil || r.State != notify.Claimed {
		t.Fatalf("Claim after Migrate: %v, %v", r, err)
	}
	// Migrating again keeps the data.
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(context.Background(), "k", "", notify.Processed); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Claim(context.Background(), "k", time.Minute); err != nil || r.State != notify.Done || r.Outcome != notify.Processed {
		t.Fatalf("Claim after a second Migrate: %+v %v", r, err)
	}
}

func TestSchemaQualifiedTable(t *testing.T) {
	url := serverURL(t)
	schema := freshTable(t, url, "schema") // only used for its unique name
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("connecting to drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	s := open(t, url, schema+".notifications")
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Claim(ctx, "k", time.Minute); err != nil || r.State != notify.Claimed {
		t.Fatalf("Claim: %v %v", r, err)
	}
	var n int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema, "notifications"}.Sanitize()).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows in %s.notifications: %d, %v", schema, n, err)
	}
}

// TestLeaseUsesDatabaseClock checks the stored lease end against the database's own
// clock, not the test process's.
func TestLeaseUsesDatabaseClock(t *testing.T) {
	url, table, s := migrated(t, "clock")
	ctx := context.Background()
	if r, err := s.Claim(ctx, "k", 90*time.Second); err != nil || r.State != notify.Claimed {
		t.Fatalf("Claim: %v %v", r, err)
	}
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var secs float64
	err = c.QueryRow(ctx, "SELECT extract(epoch FROM lease_until - created_at)::float8 FROM "+pgx.Identifier{table}.Sanitize()+" WHERE key = 'k'").Scan(&secs)
	if err != nil {
		t.Fatal(err)
	}
	if secs != 90 {
		t.Fatalf("lease_until - created_at = %vs; want exactly 90s (both from the database clock in one statement)", secs)
	}
}

// TestLateReleaseWithinOneStore: one Store granted two claims on one key (the first
// expired). The late Release of the first must not delete the second, which its own token
// then releases.
func TestLateReleaseWithinOneStore(t *testing.T) {
	_, _, s := migrated(t, "samestore")
	other := func() *pgstore.Store { u, tb := serverURL(t), s.Table(); return open(t, u, tb) }()
	ctx := context.Background()
	mustClaim := func(st notify.Store, lease time.Duration, want notify.ClaimState) string {
		t.Helper()
		got, err := st.Claim(ctx, "k", lease)
		if err != nil || got.State != want {
			t.Fatalf("Claim = %v, %v; want %v", got, err, want)
		}
		return got.Token
	}
	first := mustClaim(s, 200*time.Millisecond, notify.Claimed) // handler 1, which then stalls
	var second string
	testwait.For(t, "the first lease to end", func() bool {
		r, err := s.Claim(ctx, "k", time.Minute) // handler 2, same Store
		if err != nil {
			t.Fatal(err)
		}
		second = r.Token
		if r.State != notify.Claimed {
			time.Sleep(20 * time.Millisecond)
		}
		return r.State == notify.Claimed
	})
	if err := s.Release(ctx, "k", first); err != nil { // handler 1, late
		t.Fatal(err)
	}
	mustClaim(other, time.Minute, notify.Busy)
	// Handler 2 fails too and releases: now the claim is gone.
	if err := s.Release(ctx, "k", second); err != nil {
		t.Fatal(err)
	}
	mustClaim(other, time.Minute, notify.Claimed)
}

func TestPrune(t *testing.T) {
	_, _, s := migrated(t, "prune")
	ctx := context.Background()
	for _, k := range []string{"done1", "done2", "leased", "expired"} {
		lease := time.Minute
		if k == "expired" {
			lease = time.Millisecond
		}
		if r, err := s.Claim(ctx, k, lease); err != nil || r.State != notify.Claimed {
			t.Fatalf("Claim %s: %v %v", k, r, err)
		}
	}
	for _, k := range []string{"done1", "done2"} {
		if err := s.Complete(ctx, k, "", notify.Processed); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Prune(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("Prune(1h) right after completing: %d rows, %v; want 0", n, err)
	}
	time.Sleep(50 * time.Millisecond)
	n, err := s.Prune(ctx, 10*time.Millisecond)
	if err != nil || n != 3 {
		t.Fatalf("Prune(10ms): %d rows, %v; want 3 (two completed, one expired claim)", n, err)
	}
	if r, err := s.Claim(ctx, "leased", time.Minute); err != nil || r.State != notify.Busy {
		t.Fatalf("the unexpired claim after Prune: %v %v; want Busy", r, err)
	}
	if r, err := s.Claim(ctx, "done1", time.Minute); err != nil || r.State != notify.Claimed {
		t.Fatalf("a pruned key: %v %v; want Claimed", r, err)
	}
	if _, err := s.Prune(ctx, -time.Second); err == nil {
		t.Fatal("Prune accepted a negative age")
	}
}

func TestBadInput(t *testing.T) {
	_, _, s := migrated(t, "input")
	ctx := context.Background()
	if _, err := s.Claim(ctx, "", time.Minute); err == nil {
		t.Error("Claim accepted an empty key")
	}
	if _, err := s.Claim(ctx, "a\x00b", time.Minute); err == nil {
		t.Error("Claim accepted a key with a NUL byte")
	}
	if _, err := s.Claim(ctx, "k", 0); err == nil {
		t.Error("Claim accepted a zero lease")
	}
	if err := s.Complete(ctx, "k", "", notify.Outcome(0)); err == nil {
		t.Error("Complete accepted outcome 0")
	}
	// A key with quotes and SQL in it is just a key.
	k := `x'); DROP TABLE t; --`
	if r, err := s.Claim(ctx, k, time.Minute); err != nil || r.State != notify.Claimed {
		t.Fatalf("Claim(%q): %v %v", k, r, err)
	}
	if r, err := s.Claim(ctx, k, time.Minute); err != nil || r.State != notify.Busy {
		t.Fatalf("second Claim(%q): %v %v", k, r, err)
	}
}

func TestContextHonoured(t *testing.T) {
	_, _, s := migrated(t, "ctx")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Claim(ctx, "k", time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Claim with a canceled context: %v; want context.Canceled", err)
	}
	// The store still works afterwards.
	if r, err := s.Claim(context.Background(), "k", time.Minute); err != nil || r.State != notify.Claimed {
		t.Fatalf("Claim after a canceled one: %v %v", r, err)
	}
}

func TestClosedStore(t *testing.T) {
	url, table, _ := migrated(t, "closed")
	s := open(t, url, table)
	s.Close()
	if _, err := s.Claim(context.Background(), "k", time.Minute); err == nil {
		t.Fatal("Claim on a closed store succeeded")
	}
}

// TestNewWithConn runs a Store on a DB the caller owns (here one connection, used from one
// goroutine).
func TestNewWithConn(t *testing.T) {
	url := serverURL(t)
	table := freshTable(t, url, "new")
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	s, err := pgstore.New(c, pgstore.WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Claim(ctx, "k", time.Minute); err != nil || r.State != notify.Claimed {
		t.Fatalf("Claim: %v %v", r, err)
	}
	if err := s.Complete(ctx, "k", "", notify.Failed); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Claim(ctx, "k", time.Minute); err != nil || r.State != notify.Done || r.Outcome != notify.Failed {
		t.Fatalf("Claim: %+v %v", r, err)
	}
	s.Close() // does not close c
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("Close closed the caller's connection: %v", err)
	}
}

func TestTableNameValidation(t *testing.T) {
	for _, name := range []string{"", "Upper", "a-b", "a;drop table x", `a"b`, "a.b.c", ".a", strings.Repeat("a", 49), "1abc"} {
		if _, err := pgstore.New(nilDB{}, pgstore.WithTable(name)); err == nil {
			t.Errorf("WithTable(%q) accepted", name)
		}
		if _, err := pgstore.MigrationSQL(name); err == nil {
			t.Errorf("MigrationSQL(%q) accepted", name)
		}
	}
	for _, name := range []string{"n", "paybridge_notifications", "billing.notify_2", strings.Repeat("a", 48)} {
		if _, err := pgstore.New(nilDB{}, pgstore.WithTable(name)); err != nil {
			t.Errorf("WithTable(%q): %v", name, err)
		}
	}
	if _, err := pgstore.New(nil); err == nil {
		t.Error("New(nil) accepted")
	}
}

type nilDB struct{}

func (nilDB) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, errors.New("no database")
}
func (nilDB) QueryRow(context.Context, string, ...any) pgx.Row { return nil }

const password = "Sup3r-s3cret:pw/with@chars"

// assertNoSecret fails if err's text, or any error it wraps, shows the password, or if a
// *pgconn.ConnectError (whose Config holds it) can be reached with errors.As.
func assertNoSecret(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, form := range []string{password, url.QueryEscape(password), url.PathEscape(password), "s3cret"} {
			if strings.Contains(e.Error(), form) {
				t.Fatalf("%s: error shows the password: %v", what, e)
			}
		}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		t.Fatalf("%s: the error unwraps to a *pgconn.ConnectError, whose Config carries the password", what)
	}
	t.Logf("%s: %v", what, err)
}

func TestErrorsNeverShowThePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	userinfo := url.UserPassword("paybridge", password).String()
	// Nothing listens on port 1 of the loopback interface.
	_, err := pgstore.Open(ctx, "postgres://"+userinfo+"@127.0.0.1:1/db?sslmode=disable&connect_timeout=5")
	assertNoSecret(t, "unreachable server (URL)", err)
	_, err = pgstore.Open(ctx, "host=127.0.0.1 port=1 user=paybridge dbname=db sslmode=disable connect_timeout=5 password="+password)
	assertNoSecret(t, "unreachable server (keyword/value)", err)
	_, err = pgstore.Open(ctx, "postgres://"+userinfo+"@127.0.0.1:notaport/db")
	assertNoSecret(t, "malformed URL", err)
	_, err = pgstore.Open(ctx, "host=127.0.0.1 password='"+password)
	assertNoSecret(t, "malformed keyword/value string", err)
	_, err = pgstore.Open(ctx, "postgres://"+userinfo+"@127.0.0.1:1/db?sslmode=disable", pgstore.WithTable("Bad Name"))
	assertNoSecret(t, "bad option", err)
}

// TestWrongPasswordAgainstServer checks the authentication failure from a real server.
func TestWrongPasswordAgainstServer(t *testing.T) {
	u, err := url.Parse(serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	s, err := pgstore.Open(ctx, u.String())
	if err == nil {
		s.Close()
		t.Skip("the test server accepted a wrong password (trust authentication); nothing to check")
	}
	assertNoSecret(t, "wrong password", err)
}
