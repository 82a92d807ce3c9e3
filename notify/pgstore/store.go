// Package pgstore is a [notify.Store] on PostgreSQL, for running several notification
// handlers (processes behind a load balancer, or replicas) that must never both pass one
// notification to the application.
//
// # How it works
//
// Each notification key is one row of a single table (default paybridge_notifications).
// [Store.Claim] is one INSERT ... ON CONFLICT DO UPDATE statement that takes the row only
// when it does not exist yet or holds an expired, uncompleted claim; PostgreSQL's row lock
// makes that decision atomic across every connection, so of any number of concurrent
// claims for one key exactly one is granted. The others learn that the key is completed
// (Done, with the recorded outcome) or leased by someone else (Busy, which the
// [notify.Handler] answers with 503 so the provider delivers again later).
//
// Leases are measured on the database clock (now()), never the client's, so handler hosts
// with skewed clocks agree on when a lease ends. When a handler crashes after claiming —
// for example between the application's callback and the acknowledgement — its lease
// runs out and the provider's redelivery claims the key again and is processed. Once
// [Store.Complete] has recorded an outcome, every later delivery gets Done and the same
// reply.
//
// Every claim carries a random token, returned by [Store.Claim]. [Store.Release] deletes
// a claim only while it still holds that token, so a handler whose lease expired and was
// taken over, in this process or another, cannot release the new holder's claim.
// [Store.Renew] likewise extends a claim only while it holds the token: the
// [notify.Handler] renews its claim while the application's callback runs, so a callback
// slower than the lease keeps its notification, while a crashed handler's claim ends with
// its lease.
//
// # Setting up
//
// The table is created by [Store.Migrate] (CREATE TABLE IF NOT EXISTS; safe to run on every
// start and from several processes at once). The SQL ships in the package
// (migrations/*.sql, run in the order of their names; 002_decision.sql adds the column
// holding the application's decision on a notification the provider waits on, see
// [notify.DecisionRecorder]); [MigrationSQL] returns it for a given table name for those
// who apply migrations with their own tool. Run it when upgrading, before the new version
// serves notifications: Claim reads the columns the migrations add.
//
// Completed rows are kept until [Store.Prune] removes them; keep them longer than the
// provider's redelivery window and than the Handler's maximum age
// ([notify.DefaultMaxAge], 72 hours, unless [notify.WithMaxAge] says otherwise), and prune
// periodically.
//
// # Connections and secrets
//
// [Open] takes a pgx connection string (postgres://user:password@host:5432/db or
// "host=... password=...") and manages a pgxpool.Pool of its own. [New] uses a connection
// pool you already have, such as a *pgxpool.Pool. The connection string's password never
// appears in an error returned by this package: errors from connecting are replaced by
// scrubbed copies that do not unwrap to pgx's connection error (whose configuration holds
// the password), and the package logs nothing.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/internal/pgkit"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/secret"
)

// DefaultTable is the table name used unless WithTable is given.
const DefaultTable = "paybridge_notifications"

// DefaultMaxConns is the size of the connection pool Open creates unless WithMaxConns is
// given.
const DefaultMaxConns = 4

// migrations holds the table's migrations; migrationSQL runs them in the order of their
// names.
//
//go:embed migrations/*.sql
var migrations embed.FS

// createSQL is every migration, in order, with its placeholders left in.
var createSQL = func() string {
	files, err := fs.Glob(migrations, "migrations/*.sql") // sorted by name
	if err != nil || len(files) == 0 {
		panic(fmt.Sprintf("pgstore: no embedded migrations (%v)", err))
	}
	var b strings.Builder
	for _, f := range files {
		sql, err := migrations.ReadFile(f)
		if err != nil {
			panic(fmt.Sprintf("pgstore: reading embedded %s: %v", f, err))
		}
		b.Write(sql)
		b.WriteString("\n")
	}
	return b.String()
}()

// DB is what the Store needs from a connection pool. *pgxpool.Pool satisfies it. It must be
// safe for concurrent use: a single *pgx.Conn is not, unless the Store is used by one
// goroutine only.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Option configures a Store.
type Option func(*options)

type options struct {
	table    string
	maxConns int
}

// WithTable sets the table name: a lower-case identifier (letters, digits, underscores; at
// most 48 characters), optionally qualified by a schema ("billing.notifications").
func WithTable(name string) Option { return func(o *options) { o.table = name } }

// WithMaxConns sets how many connections the pool created by Open may hold (default 4). It
// has no effect on New.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// Store is a notify.Store backed by a PostgreSQL table. It is safe for concurrent use.
// Create it with Open or New.
type Store struct {
	// Printed is the table, never the connection string, whose password the Store keeps
	// behind red to scrub it from errors.
	secret.Printed
	db     DB
	pool   *pgxpool.Pool // set by Open; nil for New
	red    *pgkit.Redactor
	tbl    pgkit.Table
	sqlFor struct {
		claim, state, complete, release, renew, prune string
	}
}

var (
	_ notify.Store            = (*Store)(nil)
	_ notify.Renewer          = (*Store)(nil)
	_ notify.DecisionRecorder = (*Store)(nil)
)

// Open connects to the PostgreSQL server named by connString (a pgx connection string or
// URL) and returns a Store with its own connection pool. It fails if the server cannot be
// reached. Close the Store when done. Open does not create the table; call Migrate.
func Open(ctx context.Context, connString string, opts ...Option) (*Store, error) {
	o := options{table: DefaultTable, maxConns: DefaultMaxConns}
	for _, f := range opts {
		f(&o)
	}
	if _, err := pgkit.ParseTable(pkgName, o.table); err != nil {
		return nil, err
	}
	pool, red, err := pgkit.OpenPool(ctx, pkgName, connString, o.maxConns)
	if err != nil {
		return nil, err
	}
	s, err := newStore(pool, o)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.pool, s.red = pool, red
	return s, nil
}

// New returns a Store that runs its statements on db, for example a *pgxpool.Pool the
// application already has. The Store does not close db. New does not create the table;
// call Migrate.
func New(db DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("pgstore: New: nil DB")
	}
	o := options{table: DefaultTable, maxConns: DefaultMaxConns}
	for _, f := range opts {
		f(&o)
	}
	return newStore(db, o)
}

const pkgName = "pgstore"

func newStore(db DB, o options) (*Store, error) {
	tbl, err := pgkit.ParseTable(pkgName, o.table)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, red: pgkit.NewRedactor(pkgName, "", ""), tbl: tbl,
		Printed: secret.PrintAs("pgstore.Store", "table", tbl.Name)}
	t := tbl.Ident
	// Claim: insert a new claim, or take over an uncompleted claim whose lease has ended.
	// When the row exists and is completed or still leased, the WHERE clause is false and
	// no row is returned. Concurrent statements on one key serialise on its row (or on
	// the primary key for a fresh insert), and each re-checks the WHERE clause against
	// the latest committed row, so only one of them can succeed.
	s.sqlFor.claim = `INSERT INTO ` + t + ` AS n (key, claim_token, lease_until)
VALUES ($1, $2, now() + make_interval(secs => $3::float8))
ON CONFLICT (key) DO UPDATE
   SET claim_token = excluded.claim_token, lease_until = excluded.lease_until
 WHERE n.outcome IS NULL AND n.lease_until <= now()
RETURNING n.claim_token`
	s.sqlFor.state = `SELECT outcome, decision, coalesce(lease_until > now(), false) FROM ` + t + ` WHERE key = $1`
	// Complete records the outcome (and, for CompleteDecided, the decision) even when the
	// claim was lost (the application has processed the notification either way); a
	// completed row is never changed.
	s.sqlFor.complete = `INSERT INTO ` + t + ` AS n (key, outcome, decision, completed_at)
VALUES ($1, $2, $3, now())
ON CONFLICT (key) DO UPDATE
   SET outcome = excluded.outcome, decision = excluded.decision, completed_at = excluded.completed_at,
       claim_token = NULL, lease_until = NULL
 WHERE n.outcome IS NULL`
	// Renew extends the claim only while it holds the token: a claim taken over carries
	// another, and a released or completed one none.
	s.sqlFor.renew = `UPDATE ` + t + ` SET lease_until = now() + make_interval(secs => $3::float8)
 WHERE key = $1 AND claim_token = $2 AND outcome IS NULL`
	s.sqlFor.release = `DELETE FROM ` + t + ` WHERE key = $1 AND claim_token = $2 AND outcome IS NULL`
	s.sqlFor.prune = `DELETE FROM ` + t + ` WHERE key IN (
  SELECT key FROM ` + t + `
   WHERE completed_at < now() - make_interval(secs => $1::float8)
      OR (outcome IS NULL AND lease_until < now() - make_interval(secs => $1::float8))
   LIMIT $2)`
	return s, nil
}

// Table returns the configured table name.
func (s *Store) Table() string { return s.tbl.Name }

// Close closes the connection pool created by Open. It does nothing for a Store made with
// New.
func (s *Store) Close() {
	if s.pool != nil {
		s.pool.Close()
	}
}

// MigrationSQL returns the SQL that creates the table (and its index) named table, as
// Migrate runs it. Every statement is idempotent.
func MigrationSQL(table string) (string, error) {
	tbl, err := pgkit.ParseTable(pkgName, table)
	if err != nil {
		return "", err
	}
	return migrationSQL(tbl), nil
}

func migrationSQL(t pgkit.Table) string {
	return strings.NewReplacer("{{table}}", t.Ident, "{{index}}", t.IndexIdent("completed_at_idx")).Replace(createSQL)
}

// Migrate creates the table if it does not exist. It is safe to call on every start and
// from several processes at once: the statements run in one transaction holding an
// advisory lock derived from the table name.
func (s *Store) Migrate(ctx context.Context) error {
	err := pgkit.Migrate(ctx, func(ctx context.Context, sql string) error {
		_, err := s.db.Exec(ctx, sql)
		return err
	}, "paybridge/notify/pgstore:"+s.tbl.Ident, migrationSQL(s.tbl))
	if err != nil {
		return s.red.QueryError("migrate "+s.tbl.Name, err)
	}
	return nil
}

func checkKey(key string) error {
	if key == "" {
		return errors.New("pgstore: empty notification key")
	}
	if strings.IndexByte(key, 0) >= 0 {
		return errors.New("pgstore: notification key contains a NUL byte")
	}
	return nil
}

func outcomeText(o notify.Outcome) (string, error) {
	switch o {
	case notify.Processed:
		return "processed", nil
	case notify.Failed:
		return "failed", nil
	}
	return "", fmt.Errorf("pgstore: cannot record outcome %d", int(o))
}

func parseOutcome(s string) (notify.Outcome, error) {
	switch s {
	case "processed":
		return notify.Processed, nil
	case "failed":
		return notify.Failed, nil
	}
	return 0, fmt.Errorf("pgstore: unknown outcome %q in the table", s)
}

func parseDecision(s *string) (notify.Decision, error) {
	switch {
	case s == nil:
		return notify.Undecided, nil
	case *s == "continue":
		return notify.Continue, nil
	case *s == "abort":
		return notify.Abort, nil
	}
	return 0, fmt.Errorf("pgstore: unknown decision %q in the table", *s)
}

// claimAttempts bounds how often Claim retries when the row changes between its two
// statements (released, or its lease ended, in between).
const claimAttempts = 5

// Claim implements notify.Store. It returns Claimed when this call now holds key for
// lease (on the database clock), Done with the recorded outcome when key was completed,
// and Busy while another unexpired claim holds it. lease must be positive.
func (s *Store) Claim(ctx context.Context, key string, lease time.Duration) (notify.ClaimResult, error) {
	if err := checkKey(key); err != nil {
		return notify.ClaimResult{}, err
	}
	if lease <= 0 {
		return notify.ClaimResult{}, fmt.Errorf("pgstore: lease %v: must be positive", lease)
	}
	for range claimAttempts {
		token := pgkit.NewToken()
		var got string
		err := s.db.QueryRow(ctx, s.sqlFor.claim, key, token, lease.Seconds()).Scan(&got)
		if err == nil {
			return notify.ClaimResult{State: notify.Claimed, Token: token}, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return notify.ClaimResult{}, s.red.QueryError("claim", err)
		}
		var outcome, decision *string
		var leased bool
		err = s.db.QueryRow(ctx, s.sqlFor.state, key).Scan(&outcome, &decision, &leased)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			continue // released meanwhile: try again
		case err != nil:
			return notify.ClaimResult{}, s.red.QueryError("claim", err)
		case outcome != nil:
			o, err := parseOutcome(*outcome)
			if err != nil {
				return notify.ClaimResult{}, err
			}
			d, err := parseDecision(decision)
			if err != nil {
				return notify.ClaimResult{}, err
			}
			return notify.ClaimResult{State: notify.Done, Outcome: o, Decision: d}, nil
		case leased:
			return notify.ClaimResult{State: notify.Busy}, nil
		}
		// The lease ended between the two statements: try again.
	}
	// The row keeps changing under us; answering Busy makes the provider deliver again
	// later, which is always safe.
	return notify.ClaimResult{State: notify.Busy}, nil
}

// Complete implements notify.Store: it records outcome o for key and ends the claim. The
// first recorded outcome is kept; completing a completed key changes nothing. The outcome
// is recorded even when this Store's claim had expired and been taken over, because the
// notification has been processed either way.
func (s *Store) Complete(ctx context.Context, key, _ string, o notify.Outcome) error {
	if err := checkKey(key); err != nil {
		return err
	}
	text, err := outcomeText(o)
	if err != nil {
		return err
	}
	return s.complete(ctx, key, text, nil)
}

// CompleteDecided implements notify.DecisionRecorder: it is Complete with outcome
// processed, recording d with it, which every later Claim of key returns.
func (s *Store) CompleteDecided(ctx context.Context, key, _ string, d notify.Decision) error {
	if err := checkKey(key); err != nil {
		return err
	}
	var text *string
	switch d {
	case notify.Undecided:
	case notify.Continue, notify.Abort:
		t := d.String()
		text = &t
	default:
		return fmt.Errorf("pgstore: cannot record decision %d", int(d))
	}
	processed, _ := outcomeText(notify.Processed)
	return s.complete(ctx, key, processed, text)
}

// complete records outcome, and decision when not nil, for key.
func (s *Store) complete(ctx context.Context, key, outcome string, decision *string) error {
	if _, err := s.db.Exec(ctx, s.sqlFor.complete, key, outcome, decision); err != nil {
		return s.red.QueryError("complete", err)
	}
	return nil
}

// Release implements notify.Store: it deletes the uncompleted claim on key that token
// identifies, so a redelivery is processed again. It never removes a completed key, nor a
// claim taken over since (which carries another token). An empty token does nothing.
func (s *Store) Release(ctx context.Context, key, token string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if token == "" {
		return nil
	}
	if _, err := s.db.Exec(ctx, s.sqlFor.release, key, token); err != nil {
		return s.red.QueryError("release", err)
	}
	return nil
}

// Renew implements notify.Renewer: it makes the claim on key that token identifies last
// lease from now (on the database clock), and reports false, changing nothing, when that
// claim no longer holds key (completed, released, or taken over). lease must be positive.
func (s *Store) Renew(ctx context.Context, key, token string, lease time.Duration) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	if lease <= 0 {
		return false, fmt.Errorf("pgstore: lease %v: must be positive", lease)
	}
	if token == "" {
		return false, nil
	}
	tag, err := s.db.Exec(ctx, s.sqlFor.renew, key, token, lease.Seconds())
	if err != nil {
		return false, s.red.QueryError("renew", err)
	}
	return tag.RowsAffected() == 1, nil
}

// pruneBatch is how many rows one Prune statement deletes, so that pruning a large
// backlog does not hold locks on it all at once.
const pruneBatch = 5000

// Prune deletes notifications completed more than olderThan ago (on the database clock),
// and claims whose lease ended more than olderThan ago (a claim left by a crashed handler;
// such a key can be claimed again anyway). It returns how many rows it deleted. Keep
// olderThan above the providers' redelivery windows and above the Handler's maximum age
// (notify.DefaultMaxAge unless notify.WithMaxAge says otherwise): a notification
// redelivered, or a genuine one replayed, after its row is pruned and before it is older
// than the maximum age reaches the application again.
func (s *Store) Prune(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan < 0 {
		return 0, fmt.Errorf("pgstore: Prune(%v): negative age", olderThan)
	}
	var total int64
	for {
		tag, err := s.db.Exec(ctx, s.sqlFor.prune, olderThan.Seconds(), pruneBatch)
		if err != nil {
			return total, s.red.QueryError("prune", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < pruneBatch {
			return total, nil
		}
	}
}
