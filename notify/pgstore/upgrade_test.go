package pgstore_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paybridge/paybridge/notify"
)

// TestUpgradeAddsTheDecision: a table created before decisions were recorded (by
// 001_create.sql alone) keeps its completed notifications, undecided, and records
// decisions once Migrate has run again.
func TestUpgradeAddsTheDecision(t *testing.T) {
	url := serverURL(t)
	table := freshTable(t, url, "upgrade")
	first, err := os.ReadFile("migrations/001_create.sql")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier(strings.Split(table, ".")).Sanitize()
	sql := strings.NewReplacer("{{table}}", ident, "{{index}}", pgx.Identifier{"upgrade_idx_" + strings.ReplaceAll(table, ".", "_")}.Sanitize()).Replace(string(first))
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO `+ident+` (key, outcome, completed_at) VALUES ('old', 'processed', now())`); err != nil {
		t.Fatal(err)
	}
	s := open(t, url, table)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate over the first table: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	if r, err := s.Claim(ctx, "old", time.Minute); err != nil || r.State != notify.Done || r.Decision != notify.Undecided {
		t.Fatalf("the notification completed before the upgrade: %+v, %v", r, err)
	}
	r, err := s.Claim(ctx, "new", time.Minute)
	if err != nil || r.State != notify.Claimed {
		t.Fatalf("Claim: %+v, %v", r, err)
	}
	if err := s.CompleteDecided(ctx, "new", r.Token, notify.Continue); err != nil {
		t.Fatalf("CompleteDecided after the upgrade: %v", err)
	}
	if r, err := s.Claim(ctx, "new", time.Minute); err != nil || r.State != notify.Done || r.Decision != notify.Continue {
		t.Fatalf("after CompleteDecided: %+v, %v", r, err)
	}
}
