// Package pgkit holds what paybridge's PostgreSQL stores share: connecting without letting the
// password reach an error, table names, and migrations run under an advisory lock.
package pgkit

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// redactedError stands in for an error whose text or fields may carry the connection
// password. It keeps only the scrubbed message and never unwraps to the original, so
// errors.As cannot reach the *pgconn.ConnectError (whose Config holds the password). It
// still matches context.Canceled and context.DeadlineExceeded when the original did.
type redactedError struct {
	msg string
	ctx error // context.Canceled, context.DeadlineExceeded or nil
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Is(target error) bool { return e.ctx != nil && target == e.ctx }

// Redactor scrubs the secrets of one connection string from error text, and names the
// package whose errors it makes.
type Redactor struct {
	pkg     string
	secrets []string // longest first
}

// NewRedactor returns a Redactor for errors of package pkg (e.g. "pgstore") that scrubs
// connString and password, in every form a URL may spell it.
func NewRedactor(pkg, connString, password string) *Redactor {
	r := &Redactor{pkg: pkg}
	add := func(s string) {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	add(connString)
	if password != "" {
		add(password)
		add(url.QueryEscape(password))
		add(url.PathEscape(password))
		add(url.UserPassword("u", password).String()[2:])
	}
	// Longest first, so that a password contained in the connection string is not left
	// half-replaced.
	for i := 1; i < len(r.secrets); i++ {
		for j := i; j > 0 && len(r.secrets[j]) > len(r.secrets[j-1]); j-- {
			r.secrets[j], r.secrets[j-1] = r.secrets[j-1], r.secrets[j]
		}
	}
	return r
}

// ConnectError returns a password-free error for a failed connection attempt. It is used
// for every error from connecting, whatever its text, because the original error value
// carries the configuration.
func (r *Redactor) ConnectError(err error) error {
	return &redactedError{msg: r.pkg + ": connecting to PostgreSQL: " + r.scrub(err.Error()), ctx: ctxErr(err)}
}

// QueryError wraps an error from a statement. It keeps the original (for example a
// *pgconn.PgError) reachable with errors.As unless its text mentions a secret or it holds a
// *pgconn.ConnectError (a pool given to New may connect lazily and return one).
func (r *Redactor) QueryError(op string, err error) error {
	var re *redactedError
	if errors.As(err, &re) {
		return &redactedError{msg: r.pkg + ": " + op + ": " + re.msg, ctx: re.ctx}
	}
	msg := err.Error()
	var ce *pgconn.ConnectError
	if s := r.scrub(msg); s != msg || errors.As(err, &ce) {
		return &redactedError{msg: r.pkg + ": " + op + ": " + s, ctx: ctxErr(err)}
	}
	return &wrapped{pkg: r.pkg, op: op, err: err}
}

func (r *Redactor) scrub(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return s
}

type wrapped struct {
	pkg, op string
	err     error
}

func (e *wrapped) Error() string { return e.pkg + ": " + e.op + ": " + e.err.Error() }
func (e *wrapped) Unwrap() error { return e.err }

func ctxErr(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}
