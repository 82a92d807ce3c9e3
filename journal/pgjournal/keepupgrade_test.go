package pgjournal_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal"
)

// A table written before 004_keep.sql holds the records of live mandates (the
// CreateMandate call and the marks the Trustly adapter's Charge reads). After the upgrade,
// Prune leaves them, as it leaves those of mandates created since, and still removes the
// other old entries.
func TestUpgradeKeepsMandatesRecordedBefore(t *testing.T) {
	url := pgtest.ServerURL(t)
	table := pgtest.FreshTable(t, url, "journal_keep_upgrade")
	ctx := context.Background()
	ident := pgx.Identifier{table}.Sanitize()
	index := func(suffix string) string { return pgx.Identifier{table + "_" + suffix}.Sanitize() }
	r := strings.NewReplacer("{{table}}", ident, "{{ref_index}}", index("reference_idx"),
		"{{pid_index}}", index("provider_id_idx"), "{{done_index}}", index("done_idx"),
		"{{parent_index}}", index("parent_idx"), "{{created_index}}", index("created_idx"))
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, f := range []string{"001_create.sql", "002_parent.sql", "003_created.sql"} {
		sql, err := os.ReadFile("migrations/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, r.Replace(string(sql))); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// A mandate created a year ago, and the account its notification recorded.
	if _, err := conn.Exec(ctx, `INSERT INTO `+ident+` (scope, op, key, fingerprint, reference, provider_id, state, result, created_at, updated_at)
VALUES ('trustly/m', 'create_mandate', 'mandate-1', 'f', 'ref', 'order-1', 'settled', '{}', now() - interval '365 days', now() - interval '365 days'),
       ('trustly/m', 'mark:trustly.mandate.active', 'order-1', 'acct-1', '', NULL, 'settled', 'acct-1', now() - interval '365 days', now() - interval '365 days'),
       ('trustly/m', 'pay', 'pay-1', 'f', 'ref', 'order-2', 'settled', '{}', now() - interval '365 days', now() - interval '365 days')`); err != nil {
		t.Fatal(err)
	}
	j := open(t, url, table) // migrates through 004_keep.sql
	if n, err := j.Prune(ctx, 90*24*time.Hour); err != nil || n != 1 {
		t.Fatalf("Prune: %d, %v; want the old payment's entry only", n, err)
	}
	for _, id := range []journal.ID{{Scope: "trustly/m", Op: "create_mandate", Key: "mandate-1"},
		{Scope: "trustly/m", Op: "mark:trustly.mandate.active", Key: "order-1"}} {
		if _, err := j.Get(ctx, id); errors.Is(err, journal.ErrNotFound) {
			t.Errorf("%s/%s, a live mandate's record written before the upgrade, was pruned: its charges now fail", id.Op, id.Key)
		} else if err != nil {
			t.Fatal(err)
		}
	}
}
