package pgkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,47}$`)

// Table is a validated table name.
type Table struct {
	// Name is the name as configured, e.g. "billing.operations".
	Name string
	// Parts are its schema (if any) and table, unquoted.
	Parts []string
	// Ident is the name quoted for SQL.
	Ident string
}

// ParseTable checks a table name for package pkg: a lower-case identifier (letters, digits,
// underscores; at most 48 characters), optionally qualified by a schema.
func ParseTable(pkg, name string) (Table, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return Table{}, fmt.Errorf("%s: table name %q: at most one schema qualifier", pkg, name)
	}
	for _, p := range parts {
		if !identRE.MatchString(p) {
			return Table{}, fmt.Errorf("%s: table name %q: each part must be a lower-case identifier (a-z, 0-9, _) of at most 48 characters", pkg, name)
		}
	}
	return Table{Name: name, Parts: parts, Ident: pgx.Identifier(parts).Sanitize()}, nil
}

// IndexIdent returns the quoted name of the table's index with the given suffix.
func (t Table) IndexIdent(suffix string) string {
	return pgx.Identifier{t.Parts[len(t.Parts)-1] + "_" + suffix}.Sanitize()
}

// OpenPool connects to the server named by connString with at most maxConns connections
// and checks that it answers. Its errors never contain the password.
func OpenPool(ctx context.Context, pkg, connString string, maxConns int) (*pgxpool.Pool, *Redactor, error) {
	if maxConns < 1 {
		return nil, nil, fmt.Errorf("%s: WithMaxConns(%d): need at least 1", pkg, maxConns)
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// The parse error quotes the connection string, and pgx can only guess where the
		// password is in a malformed one: say nothing about its content.
		return nil, nil, errors.New(pkg + ": the connection string is not valid (details withheld: it may contain a password)")
	}
	cfg.MaxConns = int32(maxConns)
	red := NewRedactor(pkg, connString, cfg.ConnConfig.Password)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, red.ConnectError(err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, nil, red.ConnectError(err)
	}
	return pool, red, nil
}

// Migrate runs sql (idempotent statements) in one transaction holding an advisory lock
// derived from lockName, so that several processes starting at once do not race.
func Migrate(ctx context.Context, exec func(ctx context.Context, sql string) error, lockName, sql string) error {
	h := fnv.New64a()
	h.Write([]byte(lockName))
	lock := int64(h.Sum64())
	// Without arguments pgx sends the text as one simple-protocol query, which PostgreSQL
	// runs as a single implicit transaction; the advisory lock is held until it ends.
	return exec(ctx, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d);\n%s", lock, sql))
}

// NewToken returns a random claim token.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read panics instead)
	return hex.EncodeToString(b[:])
}
