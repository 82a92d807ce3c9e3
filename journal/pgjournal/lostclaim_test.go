package pgjournal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal"
)

// lostAnswers is a pool whose claim statements run to completion but whose answers never
// reach the caller, as when the caller's context ends, or the connection breaks, after
// the server committed the statement.
type lostAnswers struct{ *pgxpool.Pool }

type lostRow struct{}

func (lostRow) Scan(...any) error { return context.Canceled }

func (p lostAnswers) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if !strings.HasPrefix(strings.TrimSpace(sql), "INSERT INTO") {
		return p.Pool.QueryRow(ctx, sql, args...)
	}
	if rows, err := p.Pool.Query(ctx, sql, args...); err == nil {
		rows.Close() // the statement ran and committed; its answer is dropped
	}
	return lostRow{}
}

// A claim whose answer was lost was made for nobody: the caller, which never learnt its
// token, sends nothing under it. Left in place, it keeps every caller with the key
// waiting for its lease, and then reads as an attempt that may have been sent — for a
// provider with no look-up (Trustist), an uncertain call that only an operator can
// settle, although nothing was sent.
func TestClaimWhoseAnswerWasLostHoldsNothing(t *testing.T) {
	url := pgtest.ServerURL(t)
	table := pgtest.FreshTable(t, url, "journal_lost_claim")
	healthy := open(t, url, table)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	lossy, err := pgjournal.New(lostAnswers{pool}, pgjournal.WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := journal.Entry{ID: journal.ID{Scope: "s", Op: "pay", Key: "lost-1"}, Fingerprint: "f"}
	if _, err := lossy.Claim(ctx, e, time.Hour); err == nil {
		t.Fatal("Claim whose answer was lost: no error")
	}
	c, err := healthy.Claim(ctx, e, time.Hour)
	if err != nil || !c.Held || c.Entry.State != journal.Pending {
		t.Fatalf("the next Claim: %+v, %v; want a new pending entry, as if the lost claim had never been made", c, err)
	}

	// A lost answer to the claim that takes an uncertain entry over leaves it uncertain
	// and free to claim.
	if err := healthy.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	if _, err := lossy.Claim(ctx, e, time.Hour); err == nil {
		t.Fatal("Claim whose answer was lost: no error")
	}
	c, err = healthy.Claim(ctx, e, time.Hour)
	if err != nil || !c.Held || c.Entry.State != journal.Uncertain {
		t.Fatalf("the next Claim of the uncertain entry: %+v, %v; want it held, uncertain", c, err)
	}
}
