// Package pgjournal is a [journal.Journal] on PostgreSQL, for applications that run several
// instances (processes behind a load balancer, workers draining one queue) or must keep their
// idempotency promises across restarts. Every Gateway given the same table serialises its
// calls with every other one, and none sends a call another has recorded.
//
// # How it works
//
// Each call is one row named by (scope, op, key). [Journal.Claim] is one INSERT ... ON
// CONFLICT DO UPDATE statement: it creates the row, or takes over an unsettled row whose
// lease has passed, and otherwise changes nothing; PostgreSQL's row lock makes the decision
// atomic across every connection. Leases are measured on the database clock (now()), so
// hosts with skewed clocks agree on when one ends; an entry's SentAt is read as an age on
// that clock and returned on the reading host's, so that an adapter's look-up measures
// the time since a request was sent correctly however far its clock is off. A call that
// succeeds the first time costs two statements: the claim and the outcome.
//
// Settled and failed rows are kept until [Journal.Prune] removes them; pending and uncertain
// rows are never pruned, since a repeat of such a call must not send it again, nor are rows
// claimed with Keep (a mandate's record).
//
// # Setting up
//
// [Journal.Migrate] creates the table, or upgrades a table created by an earlier version, by
// running the package's migrations (migrations/*.sql) in the order of their names, every one
// idempotent: it is safe on every start and from several processes at once. [MigrationSQL]
// returns the same SQL for those who apply migrations with their own tool. The table can
// live in the same database as notify/pgstore's notification table, on one connection pool:
// pass the pool to both [New] and pgstore.New.
//
// [Open] takes a pgx connection string and manages a pool of its own. Its errors never
// contain the connection string's password.
//
// # Sizing the pool
//
// A call holds a connection only while one of its statements runs, never while the
// provider answers, so the pool needs far fewer connections than there are calls in flight.
// On average it keeps busy
//
//	calls per second × 2 statements × the time a statement takes
//
// connections: 64 concurrent callers of a provider that answers in 50 ms make about 1,250
// calls a second, which keep one connection busy at 0.4 ms a statement (a server on the
// same host) and five at 2 ms (a server across a network that flushes each commit to
// disk). Give the pool a few times that, for bursts: [DefaultMaxConns], 8, for those 64
// callers on the near server, 16 or more on the far one. Measured with 64 callers on two
// cores shared with the server (docs/performance.md), 8 connections kept a statement's
// mean wait for a connection between 0.1 and 2.2 ms, and pools of 32 and 64 were no faster:
// more connections only move the wait from the pool into the server. When several
// Gateways or a notify/pgstore share the pool, add their calls.
//
// [Open] creates a pool of DefaultMaxConns unless [WithMaxConns] says otherwise. A
// *pgxpool.Pool given to [New] has the size its configuration gives (pool_max_conns in
// the connection string, or Config.MaxConns) or else pgxpool's default, the greater of 4
// and the number of CPUs — fewer than the five busy connections of the example above.
// pgxpool.Pool.Stat reports how often a statement found no idle connection
// (EmptyAcquireCount) and how long statements waited (AcquireDuration).
package pgjournal

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
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/secret"
)

// DefaultTable is the table name used unless WithTable is given.
const DefaultTable = "paybridge_operations"

// DefaultMaxConns is the size of the pool Open creates unless WithMaxConns is given:
// enough for about 64 concurrent calls on a server that runs a statement in under half a
// millisecond. See "Sizing the pool" in the package documentation.
const DefaultMaxConns = 8

const pkgName = "pgjournal"

// migrations holds the schema's migrations; migrationSQL runs them in the order of their
// names.
//
//go:embed migrations/*.sql
var migrations embed.FS

// schemaSQL is every migration, in order, with its placeholders left in.
var schemaSQL = func() string {
	files, err := fs.Glob(migrations, "migrations/*.sql") // sorted by name
	if err != nil || len(files) == 0 {
		panic(fmt.Sprintf("pgjournal: no embedded migrations (%v)", err))
	}
	var b strings.Builder
	for _, f := range files {
		sql, err := migrations.ReadFile(f)
		if err != nil {
			panic(fmt.Sprintf("pgjournal: reading embedded %s: %v", f, err))
		}
		b.Write(sql)
		b.WriteString("\n")
	}
	return b.String()
}()

// DB is what the Journal needs from a connection pool; *pgxpool.Pool satisfies it. It must
// be safe for concurrent use.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Option configures a Journal.
type Option func(*options)

type options struct {
	table    string
	maxConns int
}

// WithTable sets the table name: a lower-case identifier (letters, digits, underscores; at
// most 48 characters), optionally qualified by a schema ("billing.operations").
func WithTable(name string) Option { return func(o *options) { o.table = name } }

// WithMaxConns sets how many connections the pool created by Open may hold (default
// DefaultMaxConns, 8): size it for the calls in flight and the time a statement takes, as
// "Sizing the pool" in the package documentation describes. It has no effect on New.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// Journal is a journal.Journal backed by a PostgreSQL table. It is safe for concurrent use.
type Journal struct {
	// Printed is the table, never the connection string, whose password the Journal keeps
	// behind red to scrub it from errors.
	secret.Printed
	db   DB
	pool *pgxpool.Pool // set by Open
	red  *pgkit.Redactor
	tbl  pgkit.Table
	sql  struct {
		claim, get, sent, record, recordLost, settle, release, forget, findRef, findPID, findParent, findCreated, attach, prune string
	}
}

var _ journal.Journal = (*Journal)(nil)

// Open connects to the server named by connString and returns a Journal with its own pool.
// Close it when done. Open does not create the table; call Migrate.
func Open(ctx context.Context, connString string, opts ...Option) (*Journal, error) {
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
	j, err := newJournal(pool, o)
	if err != nil {
		pool.Close()
		return nil, err
	}
	j.pool, j.red = pool, red
	return j, nil
}

// New returns a Journal that runs its statements on db, for example a *pgxpool.Pool the
// application already has. The Journal does not close db. Call Migrate to create the table.
func New(db DB, opts ...Option) (*Journal, error) {
	if db == nil {
		return nil, errors.New("pgjournal: New: nil DB")
	}
	o := options{table: DefaultTable, maxConns: DefaultMaxConns}
	for _, f := range opts {
		f(&o)
	}
	return newJournal(db, o)
}

// columns is what every statement that returns an entry returns, in scan order. The last
// is how long ago the latest request was sent, in microseconds on the database clock, from
// which scanEntry puts SentAt on this host's clock.
const columns = `scope, op, key, fingerprint, reference, parent, keep, amount_minor, currency, coalesce(provider_id, ''),
  state, result, error_code, error_message, attempts, sent_at, created_at, updated_at,
  (extract(epoch from now() - sent_at) * 1000000)::bigint`

func newJournal(db DB, o options) (*Journal, error) {
	tbl, err := pgkit.ParseTable(pkgName, o.table)
	if err != nil {
		return nil, err
	}
	j := &Journal{db: db, red: pgkit.NewRedactor(pkgName, "", ""), tbl: tbl,
		Printed: secret.PrintAs("pgjournal.Journal", "table", tbl.Name)}
	t := tbl.Ident
	id := `scope = $1 AND op = $2 AND key = $3`
	// Claim: a new row held by the caller, or an unsettled row with the same fingerprint
	// whose lease has passed, taken over as uncertain. Otherwise no row is returned.
	j.sql.claim = `INSERT INTO ` + t + ` AS j (scope, op, key, fingerprint, reference, parent, keep, amount_minor, currency,
  state, attempts, claim_token, lease_until, sent_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $11, $7, $8, 'pending', 1, $9, now() + make_interval(secs => $10::float8), now(), now(), now())
ON CONFLICT (scope, op, key) DO UPDATE
   SET claim_token = excluded.claim_token, lease_until = excluded.lease_until,
       state = 'uncertain', updated_at = now(),
       sent_at = CASE WHEN j.lease_until > j.sent_at THEN j.lease_until ELSE j.sent_at END
 WHERE j.fingerprint = excluded.fingerprint AND j.state IN ('pending', 'uncertain')
   AND (j.lease_until IS NULL OR j.lease_until <= now())
RETURNING ` + columns
	j.sql.get = `SELECT ` + columns + `, coalesce(lease_until > now(), false) FROM ` + t + ` WHERE ` + id
	j.sql.sent = `UPDATE ` + t + ` SET attempts = attempts + 1, sent_at = now(), updated_at = now(),
  lease_until = now() + make_interval(secs => $5::float8)
 WHERE ` + id + ` AND claim_token = $4`
	set := `state = $5, result = $6, error_code = $7, error_message = $8,
  provider_id = coalesce(provider_id, nullif($9, '')), claim_token = NULL, lease_until = NULL, updated_at = now(),
  sent_at = CASE WHEN $5 = 'uncertain' THEN now() ELSE sent_at END`
	pidOK := `(nullif($9, '') IS NULL OR provider_id IS NULL OR provider_id = $9)`
	j.sql.record = `UPDATE ` + t + ` SET ` + set + ` WHERE ` + id + ` AND claim_token = $4 AND ` + pidOK
	// A settled outcome is a fact about the provider: it is kept even when the claim was
	// taken over, unless the row is final already.
	j.sql.recordLost = `UPDATE ` + t + ` SET ` + set + `
 WHERE ` + id + ` AND $4 <> '' AND state IN ('pending', 'uncertain') AND ` + pidOK
	// Forget, and Settle with anything but a settled outcome, act only on a row whose
	// holder, if any, is not sending: the first attempt of a new row and a repeat recorded
	// by Sent leave sent_at = updated_at, which a claim of an existing row moves past it
	// (a holder that has not sent yet cannot start once the row is gone or closed: its
	// Sent changes no row). Settle passes an empty token ($4).
	unheld := `(lease_until IS NULL OR lease_until <= now() OR sent_at < updated_at)`
	j.sql.settle = `UPDATE ` + t + ` SET ` + set + `
 WHERE ` + id + ` AND $4::text = '' AND state IN ('pending', 'uncertain') AND ($5 = 'settled' OR ` + unheld + `) AND ` + pidOK
	j.sql.release = `WITH gone AS (
  DELETE FROM ` + t + ` WHERE ` + id + ` AND claim_token = $4 AND state = 'pending' RETURNING 1)
UPDATE ` + t + ` SET claim_token = NULL, lease_until = NULL, updated_at = now()
 WHERE ` + id + ` AND claim_token = $4 AND state = 'uncertain'`
	j.sql.forget = `DELETE FROM ` + t + ` WHERE ` + id + ` AND state IN ('pending', 'uncertain') AND ` + unheld + ` AND provider_id IS NULL`
	j.sql.findRef = `SELECT ` + columns + ` FROM ` + t + ` WHERE scope = $1 AND reference = $2 AND reference <> ''
 ORDER BY created_at DESC, key DESC`
	j.sql.findPID = `SELECT ` + columns + ` FROM ` + t + ` WHERE scope = $1 AND provider_id = $2`
	// Keys and operations compare byte by byte, as Go's strings do, whatever the database's
	// collation.
	j.sql.findParent = `SELECT ` + columns + ` FROM ` + t + ` WHERE scope = $1 AND parent = $2 AND parent <> ''
 ORDER BY created_at, key COLLATE "C", op COLLATE "C"`
	j.sql.findCreated = `SELECT ` + columns + ` FROM ` + t + ` WHERE scope = $1 AND created_at >= $2 AND created_at < $3
 ORDER BY created_at, key COLLATE "C", op COLLATE "C"`
	// Attach leaves updated_at alone, as the holder's claim and the row's outcome are
	// unchanged: moved past sent_at, it would say that a holder sending its request is not
	// (see unheld).
	j.sql.attach = `UPDATE ` + t + ` SET provider_id = $4
 WHERE ` + id + ` AND (provider_id IS NULL OR provider_id = $4)`
	j.sql.prune = `DELETE FROM ` + t + ` WHERE ctid IN (
  SELECT ctid FROM ` + t + `
   WHERE state IN ('settled', 'failed') AND updated_at < now() - make_interval(secs => $1::float8) AND NOT keep
   LIMIT $2)`
	return j, nil
}

// Table returns the configured table name.
func (j *Journal) Table() string { return j.tbl.Name }

// Close closes the pool created by Open; it does nothing for a Journal made with New.
func (j *Journal) Close() {
	if j.pool != nil {
		j.pool.Close()
	}
}

// MigrationSQL returns the SQL that creates the table named table and its indexes, or
// upgrades them, as Migrate runs it: every migration in order. Every statement is idempotent.
func MigrationSQL(table string) (string, error) {
	tbl, err := pgkit.ParseTable(pkgName, table)
	if err != nil {
		return "", err
	}
	return migrationSQL(tbl), nil
}

func migrationSQL(t pgkit.Table) string {
	return strings.NewReplacer("{{table}}", t.Ident, "{{ref_index}}", t.IndexIdent("reference_idx"),
		"{{pid_index}}", t.IndexIdent("provider_id_idx"), "{{done_index}}", t.IndexIdent("done_idx"),
		"{{parent_index}}", t.IndexIdent("parent_idx"), "{{created_index}}", t.IndexIdent("created_idx")).Replace(schemaSQL)
}

// Ping checks that the server answers and that the journal's table exists and can be
// read, and changes nothing: for a readiness probe, or for a tool that must not alter the
// schema of the application's table (Migrate is the application's to run).
func (j *Journal) Ping(ctx context.Context) error {
	if _, err := j.db.Exec(ctx, `SELECT FROM `+j.tbl.Ident+` LIMIT 0`); err != nil {
		return j.red.QueryError("ping "+j.tbl.Name, err)
	}
	return nil
}

// Migrate creates the table and its indexes if they do not exist, and upgrades a table
// created by an earlier version. It is safe to call on every start and from several
// processes at once.
func (j *Journal) Migrate(ctx context.Context) error {
	err := pgkit.Migrate(ctx, func(ctx context.Context, sql string) error {
		_, err := j.db.Exec(ctx, sql)
		return err
	}, "paybridge/journal/pgjournal:"+j.tbl.Ident, migrationSQL(j.tbl))
	if err != nil {
		return j.red.QueryError("migrate "+j.tbl.Name, err)
	}
	return nil
}

// claimAttempts bounds how often Claim tries again when the row changes between its two
// statements.
const claimAttempts = 5

// Claim implements journal.Journal.
func (j *Journal) Claim(ctx context.Context, e journal.Entry, lease time.Duration) (journal.Claim, error) {
	if err := e.Check(); err != nil {
		return journal.Claim{}, err
	}
	if err := checkID(e.ID); err != nil {
		return journal.Claim{}, err
	}
	if strings.IndexByte(e.Parent, 0) >= 0 {
		return journal.Claim{}, errors.New("pgjournal: an entry's parent contains a NUL byte")
	}
	if lease <= 0 {
		return journal.Claim{}, errors.New("pgjournal: a lease must be positive")
	}
	var minor *int64
	var cur *string
	if e.Amount.IsValid() {
		m, c := e.Amount.Minor(), e.Amount.Currency().String()
		minor, cur = &m, &c
	}
	for range claimAttempts {
		token := pgkit.NewToken()
		got, err := scanEntry(j.db.QueryRow(ctx, j.sql.claim, e.Scope, e.Op, e.Key, e.Fingerprint, e.Reference,
			e.Parent, minor, cur, token, lease.Seconds(), e.Keep))
		if err == nil {
			return journal.Claim{Entry: got, Held: true, Token: token}, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			// The statement may have made the claim although its answer never arrived
			// (the context ended, or the connection broke, after the commit). The caller
			// never learns the token and sends nothing under it: end the claim, rather
			// than leave the entry held by nobody for the lease and then taken over as
			// an attempt that may have been sent. (Not when the server refused the
			// statement, or it provably never reached the server.)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) && !pgconn.SafeToRetry(err) {
				j.abandon(ctx, e.ID, token)
			}
			return journal.Claim{}, j.red.QueryError("claim", err)
		}
		got, leased, err := j.get(ctx, e.ID)
		switch {
		case errors.Is(err, journal.ErrNotFound):
			continue // released meanwhile
		case err != nil:
			return journal.Claim{}, err
		case got.Fingerprint != e.Fingerprint:
			return journal.Claim{}, journal.ErrConflict
		case got.State == journal.Settled || got.State == journal.Failed:
			return journal.Claim{Entry: got}, nil
		case leased:
			return journal.Claim{}, journal.ErrBusy
		}
		// The lease ended between the two statements: try again.
	}
	return journal.Claim{}, journal.ErrBusy
}

// abandonWait bounds how long Claim tries to end a claim whose answer was lost.
const abandonWait = 5 * time.Second

// abandon ends the claim token may have made, whatever became of ctx. It is best effort:
// when the server cannot be reached either, the claim's lease ends it.
func (j *Journal) abandon(ctx context.Context, id journal.ID, token string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abandonWait)
	defer cancel()
	_ = j.Release(ctx, id, token)
}

func (j *Journal) get(ctx context.Context, id journal.ID) (journal.Entry, bool, error) {
	var leased bool
	e, err := scanEntry(j.db.QueryRow(ctx, j.sql.get, id.Scope, id.Op, id.Key), &leased)
	if errors.Is(err, pgx.ErrNoRows) {
		return journal.Entry{}, false, journal.ErrNotFound
	}
	if err != nil {
		return journal.Entry{}, false, j.red.QueryError("get", err)
	}
	return e, leased, nil
}

// Get implements journal.Journal.
func (j *Journal) Get(ctx context.Context, id journal.ID) (journal.Entry, error) {
	e, _, err := j.get(ctx, id)
	return e, err
}

// Sent implements journal.Journal.
func (j *Journal) Sent(ctx context.Context, id journal.ID, token string, lease time.Duration) error {
	if lease <= 0 {
		return errors.New("pgjournal: a lease must be positive")
	}
	tag, err := j.db.Exec(ctx, j.sql.sent, id.Scope, id.Op, id.Key, token, lease.Seconds())
	if err != nil {
		return j.red.QueryError("sent", err)
	}
	if tag.RowsAffected() == 0 {
		return journal.ErrClaimLost
	}
	return nil
}

func outcomeArgs(id journal.ID, token string, o journal.Outcome) []any {
	var code, msg *string
	if o.Error != nil {
		code, msg = &o.Error.Code, &o.Error.Message
	}
	var result []byte
	if o.State == journal.Settled {
		result = o.Result
	}
	return []any{id.Scope, id.Op, id.Key, token, string(o.State), result, code, msg, o.ProviderID}
}

// Record implements journal.Journal.
func (j *Journal) Record(ctx context.Context, id journal.ID, token string, o journal.Outcome) error {
	if err := o.Valid(); err != nil {
		return err
	}
	args := outcomeArgs(id, token, o)
	tag, err := j.db.Exec(ctx, j.sql.record, args...)
	if err != nil {
		return j.writeError("record", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if o.State == journal.Settled {
		if tag, err = j.db.Exec(ctx, j.sql.recordLost, args...); err != nil {
			return j.writeError("record", err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
	}
	return j.whyNot(ctx, id, o, journal.ErrClaimLost)
}

// whyNot explains an update that changed no row: another provider id recorded, or def.
func (j *Journal) whyNot(ctx context.Context, id journal.ID, o journal.Outcome, def error) error {
	cur, err := j.Get(ctx, id)
	if err != nil {
		return err
	}
	if o.ProviderID != "" && cur.ProviderID != "" && cur.ProviderID != o.ProviderID {
		return journal.ErrConflict
	}
	return def
}

// Settle implements journal.Journal.
func (j *Journal) Settle(ctx context.Context, id journal.ID, o journal.Outcome) error {
	if err := o.Valid(); err != nil {
		return err
	}
	tag, err := j.db.Exec(ctx, j.sql.settle, outcomeArgs(id, "", o)...)
	if err != nil {
		return j.writeError("settle", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	return j.refused(ctx, id, o.State != journal.Settled, func(cur journal.Entry) bool {
		return o.ProviderID != "" && cur.ProviderID != "" && cur.ProviderID != o.ProviderID
	})
}

// Forget implements journal.Journal.
func (j *Journal) Forget(ctx context.Context, id journal.ID) error {
	tag, err := j.db.Exec(ctx, j.sql.forget, id.Scope, id.Op, id.Key)
	if err != nil {
		return j.red.QueryError("forget", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	return j.refused(ctx, id, true, func(cur journal.Entry) bool { return cur.ProviderID != "" })
}

// refused explains why Settle or Forget changed no row: ErrNotFound; ErrConflict when the
// row is final or its provider id conflicts (as conflicts says); ErrBusy while a claim
// holds the open row, if held is a reason to refuse; otherwise ErrConflict.
func (j *Journal) refused(ctx context.Context, id journal.ID, heldRefuses bool, conflicts func(journal.Entry) bool) error {
	cur, leased, err := j.get(ctx, id)
	switch {
	case err != nil:
		return err // ErrNotFound, or the database's error
	case cur.State != journal.Pending && cur.State != journal.Uncertain, conflicts(cur):
		return journal.ErrConflict
	case heldRefuses && leased:
		return journal.ErrBusy // held by a caller that may be sending
	}
	return journal.ErrConflict
}

// Release implements journal.Journal.
func (j *Journal) Release(ctx context.Context, id journal.ID, token string) error {
	if token == "" {
		return nil
	}
	if _, err := j.db.Exec(ctx, j.sql.release, id.Scope, id.Op, id.Key, token); err != nil {
		return j.red.QueryError("release", err)
	}
	return nil
}

// FindByReference implements journal.Journal.
func (j *Journal) FindByReference(ctx context.Context, scope, ref string) ([]journal.Entry, error) {
	return j.find(ctx, "find by reference", j.sql.findRef, scope, ref)
}

// FindByParent implements journal.Journal.
func (j *Journal) FindByParent(ctx context.Context, scope, parent string) ([]journal.Entry, error) {
	if parent == "" || strings.IndexByte(parent, 0) >= 0 {
		return nil, nil // no entry has such a parent
	}
	return j.find(ctx, "find by parent", j.sql.findParent, scope, parent)
}

// FindCreated implements journal.Journal. The index the 003 migration adds serves it.
func (j *Journal) FindCreated(ctx context.Context, scope string, from, to time.Time) ([]journal.Entry, error) {
	if !to.After(from) {
		return nil, nil
	}
	return j.find(ctx, "find by creation time", j.sql.findCreated, scope, from, to)
}

// find returns the entries the query selects, in its order.
func (j *Journal) find(ctx context.Context, op, query string, args ...any) ([]journal.Entry, error) {
	rows, err := j.db.Query(ctx, query, args...)
	if err != nil {
		return nil, j.red.QueryError(op, err)
	}
	defer rows.Close()
	var found []journal.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, j.red.QueryError(op, err)
		}
		found = append(found, e)
	}
	if err := rows.Err(); err != nil {
		return nil, j.red.QueryError(op, err)
	}
	return found, nil
}

// FindByProviderID implements journal.Journal.
func (j *Journal) FindByProviderID(ctx context.Context, scope, pid string) (journal.Entry, error) {
	e, err := scanEntry(j.db.QueryRow(ctx, j.sql.findPID, scope, pid))
	if errors.Is(err, pgx.ErrNoRows) {
		return journal.Entry{}, journal.ErrNotFound
	}
	if err != nil {
		return journal.Entry{}, j.red.QueryError("find by provider id", err)
	}
	return e, nil
}

// Attach implements journal.Journal.
func (j *Journal) Attach(ctx context.Context, id journal.ID, providerID string) error {
	if providerID == "" {
		return errors.New("pgjournal: empty provider id")
	}
	tag, err := j.db.Exec(ctx, j.sql.attach, id.Scope, id.Op, id.Key, providerID)
	if err != nil {
		return j.writeError("attach", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if _, err := j.Get(ctx, id); err != nil {
		return err
	}
	return journal.ErrConflict
}

// writeError maps a unique violation on the provider id to journal.ErrConflict.
func (j *Journal) writeError(op string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return journal.ErrConflict
	}
	return j.red.QueryError(op, err)
}

// pruneBatch is how many rows one Prune statement deletes.
const pruneBatch = 5000

// Prune deletes settled and failed entries last changed more than olderThan ago (on the
// database clock) and returns how many it deleted. Pending and uncertain entries are never
// pruned, nor are entries claimed with Keep. A key repeated after its entry was pruned
// runs as a new call, and a notification about it is no longer matched as the merchant's
// (the Gateway acknowledges it without delivering it), so keep olderThan above the longest
// time your callers may repeat a call and your providers may report on it.
func (j *Journal) Prune(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan < 0 {
		return 0, fmt.Errorf("pgjournal: Prune(%v): negative age", olderThan)
	}
	var total int64
	for {
		tag, err := j.db.Exec(ctx, j.sql.prune, olderThan.Seconds(), pruneBatch)
		if err != nil {
			return total, j.red.QueryError("prune", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < pruneBatch {
			return total, nil
		}
	}
}

func checkID(id journal.ID) error {
	for _, s := range []string{id.Scope, id.Op, id.Key} {
		if strings.IndexByte(s, 0) >= 0 {
			return errors.New("pgjournal: an entry's scope, operation or key contains a NUL byte")
		}
	}
	return nil
}

// scanEntry reads the columns of one entry, then extra.
func scanEntry(row pgx.Row, extra ...any) (journal.Entry, error) {
	var e journal.Entry
	var minor *int64
	var cur, code, msg *string
	var state string
	var sentAgo int64 // microseconds, on the database clock
	dest := append([]any{&e.Scope, &e.Op, &e.Key, &e.Fingerprint, &e.Reference, &e.Parent, &e.Keep, &minor, &cur, &e.ProviderID, &state,
		&e.Result, &code, &msg, &e.Attempts, &e.SentAt, &e.CreatedAt, &e.UpdatedAt, &sentAgo}, extra...)
	if err := row.Scan(dest...); err != nil {
		return journal.Entry{}, err
	}
	// Adapters compare SentAt with their own clock (a look-up proves a request absent only
	// well after it was sent); this host's may be ahead of the server's. Measured from the
	// row's arrival here, SentAt errs late by the time the answer took, never early.
	e.SentAt = time.Now().Add(-time.Duration(sentAgo) * time.Microsecond)
	e.State = journal.State(state)
	if minor != nil && cur != nil {
		a, err := money.FromMinor(*minor, *cur)
		if err != nil {
			return journal.Entry{}, fmt.Errorf("pgjournal: the stored amount of %s/%s: %w", e.Op, e.Key, err)
		}
		e.Amount = a
	}
	if code != nil {
		e.Error = &journal.RecordedError{Code: *code}
		if msg != nil {
			e.Error.Message = *msg
		}
	}
	return e, nil
}
