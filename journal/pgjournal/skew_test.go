package pgjournal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal"
)

// skewedDB runs the journal's statements on a server whose clock is behind this host's by
// lag: every now() the statements read is moved back by it.
type skewedDB struct {
	*pgxpool.Pool
	lag time.Duration
}

func (s skewedDB) skew(sql string) string {
	return strings.ReplaceAll(sql, "now()", fmt.Sprintf("(now() - interval '%d seconds')", int(s.lag.Seconds())))
}

func (s skewedDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return s.Pool.Exec(ctx, s.skew(sql), args...)
}

func (s skewedDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return s.Pool.QueryRow(ctx, s.skew(sql), args...)
}

func (s skewedDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return s.Pool.Query(ctx, s.skew(sql), args...)
}

// An adapter proves a lost request absent only when its look-up is made well after
// Entry.SentAt, measuring the time since on its own host's clock. With the database's
// clock behind the host's, a SentAt read as the database wrote it makes a request sent a
// moment ago look minutes old: a look-up right after the answer was lost would count it
// as never applied while it may still land, and the call would be sent twice.
func TestSentAtIsUsableOnASkewedHost(t *testing.T) {
	url := pgtest.ServerURL(t)
	table := pgtest.FreshTable(t, url, "journal_skew")
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	const lag = 10 * time.Minute
	j, err := pgjournal.New(skewedDB{Pool: pool, lag: lag}, pgjournal.WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	if err := open(t, url, table).Migrate(ctx); err != nil { // the table as the server's clock makes it
		t.Fatal(err)
	}
	e := journal.Entry{ID: journal.ID{Scope: "s", Op: "refund", Key: "k"}, Fingerprint: "f"}
	before := time.Now()
	c, err := j.Claim(ctx, e, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The request goes out, its answer is lost, and the call is repeated at once.
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	again, err := j.Claim(ctx, e, time.Hour)
	if err != nil || !again.Held || again.Entry.State != journal.Uncertain {
		t.Fatalf("repeat's claim: %+v, %v", again, err)
	}
	after := time.Now()
	for name, got := range map[string]time.Time{"first claim": c.Entry.SentAt, "repeat's claim": again.Entry.SentAt} {
		if got.Before(before.Add(-time.Second)) || got.After(after.Add(time.Second)) {
			t.Errorf("%s: SentAt %v, %v before this host's now: want the moment it was sent, between %v and %v",
				name, got, after.Sub(got).Round(time.Second), before, after)
		}
	}
	got, err := j.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if since := time.Since(got.SentAt); since > time.Minute {
		t.Errorf("Get: %v since SentAt on this host; want a moment", since.Round(time.Second))
	}
}
