package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/pgkit"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/money"
)

// RefundArgs is a refund job: everything the refund needs, stored by River as the job's
// arguments. The idempotency key is not stored here but derived from the job (see
// IdempotencyKey), so every attempt at one job sends the same key.
type RefundArgs struct {
	// PaymentID is the provider's id of the payment to refund.
	PaymentID string       `json:"payment_id"`
	Amount    money.Amount `json:"amount"`
	// Reference is the merchant reference the provider records with the refund.
	Reference string `json:"reference"`
	// Reason is a note for the refund, sent where the provider has a place for it.
	Reason string `json:"reason,omitempty"`
}

// Kind names refund jobs in River's table.
func (RefundArgs) Kind() string { return "paybridge_refund" }

// InsertOpts makes a refund job unique by its arguments: enqueueing the same refund twice
// (the same payment, amount, reference and reason) while the first is queued, running or
// completed adds nothing.
func (RefundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func (a RefundArgs) check() error {
	var errs []error
	if a.PaymentID == "" {
		errs = append(errs, errors.New("a refund needs the payment id"))
	}
	return checkCommon(errs, a.Amount, a.Reference)
}

// PayoutArgs is a payout job: everything the payout needs, like RefundArgs.
type PayoutArgs struct {
	// AccountID is the verified account to pay into, and PayeeID its holder's id where
	// the provider ties accounts to people (Trustly).
	AccountID string       `json:"account_id"`
	PayeeID   string       `json:"payee_id,omitempty"`
	Amount    money.Amount `json:"amount"`
	// Reference is the merchant reference the provider records with the payout.
	Reference string `json:"reference"`
	// Description is a note for the payout, sent where the provider has a place for it.
	Description string `json:"description,omitempty"`
}

// Kind names payout jobs in River's table.
func (PayoutArgs) Kind() string { return "paybridge_payout" }

// InsertOpts makes a payout job unique by its arguments, like a refund job.
func (PayoutArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func (a PayoutArgs) check() error {
	var errs []error
	if a.AccountID == "" {
		errs = append(errs, errors.New("a payout needs the account id"))
	}
	return checkCommon(errs, a.Amount, a.Reference)
}

func checkCommon(errs []error, amount money.Amount, reference string) error {
	if err := amount.CheckPositive(); err != nil {
		errs = append(errs, fmt.Errorf("amount: %w", err))
	}
	if reference == "" {
		errs = append(errs, errors.New("a reference is required"))
	}
	return errors.Join(errs...)
}

// IdempotencyKey is the key every attempt at a job sends: made of the job's id and its
// creation time, which River never changes, so a job retried after a crash — on this
// worker or another — repeats the first attempt's key, and the Gateway's journal returns
// the refund or payout that attempt made instead of making another. The creation time
// keeps keys apart should job ids ever start again from 1 (a new River table on the same
// journal).
func IdempotencyKey(job *rivertype.JobRow) string {
	return fmt.Sprintf("refundworker-%d-%d", job.ID, job.CreatedAt.UnixMicro())
}

// Output is what a completed job records (River keeps it with the job): the provider's
// id of the refund or payout and its neutral status (it may still be settling).
type Output struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// caller makes the calls of the jobs through a Gateway whose journal every worker process
// shares.
type caller struct {
	Gateway *paybridge.Gateway
	Log     *slog.Logger
	// Retry spaces the attempts at a job whose call's outcome is not known yet.
	Retry retryPolicy
}

// carried returns a job's text for the optional request field name when the provider
// carries it, and nothing otherwise: a provider without a place for a field refuses a
// request that sets it rather than drop it, and the text is only a note.
func (c *caller) carried(name, text string) string {
	if c.Gateway.Capabilities().CarriesRequestField(name) {
		return text
	}
	return ""
}

// finish turns a call's result into the job's. A call whose outcome is unknown — the
// provider may have acted, and cannot tell yet — is asked about again later, with the same
// key, for as long as it takes: the job is snoozed, which River does not count as an
// attempt, so such a job is never given up. Another error a repeat may cure (an
// unavailable provider, a rate limit, a timeout) fails the attempt, and River runs the job
// again later; a refusal (invalid request, declined...) cancels the job.
func (c *caller) finish(ctx context.Context, job *rivertype.JobRow, out Output, err error) error {
	log := c.Log.With("job", job.ID, "kind", job.Kind, "attempt", job.Attempt, "idempotency_key", IdempotencyKey(job))
	if err == nil {
		log.Info("job done", "provider_id", out.ID, "status", out.Status)
		return river.RecordOutput(ctx, out)
	}
	code := paybridge.CodeOf(err)
	switch {
	case code == paybridge.CodeUnknownOutcome:
		var meta struct {
			Snoozes int `json:"snoozes"`
		}
		_ = json.Unmarshal(job.Metadata, &meta)
		wait := c.Retry.wait(meta.Snoozes)
		log.Warn("the outcome is not known yet; asking again with the same idempotency key", "after", wait.String(),
			"error", err.Error())
		return river.JobSnooze(wait)
	case code.Retryable() || ctx.Err() != nil:
		log.Warn("no definite answer; River repeats the job with the same idempotency key", "code", code.String(),
			"error", err.Error())
		return err
	}
	log.Warn("refused", "code", code.String(), "error", err.Error())
	return river.JobCancel(err)
}

// RefundWorker makes the refunds of refund jobs.
type RefundWorker struct {
	river.WorkerDefaults[RefundArgs]
	*caller
}

// Work makes one attempt at a refund job.
func (w *RefundWorker) Work(ctx context.Context, job *river.Job[RefundArgs]) error {
	a := job.Args
	r, err := w.Gateway.Refund(ctx, paybridge.RefundRequest{PaymentID: a.PaymentID, Amount: a.Amount,
		MerchantReference: a.Reference, Reason: w.carried("RefundRequest.Reason", a.Reason),
		IdempotencyKey: IdempotencyKey(job.JobRow)})
	var out Output
	if err == nil {
		out = Output{ID: r.ID, Status: string(r.Status)}
	}
	return w.finish(ctx, job.JobRow, out, err)
}

// PayoutWorker makes the payouts of payout jobs.
type PayoutWorker struct {
	river.WorkerDefaults[PayoutArgs]
	*caller
}

// Work makes one attempt at a payout job.
func (w *PayoutWorker) Work(ctx context.Context, job *river.Job[PayoutArgs]) error {
	a := job.Args
	p, err := w.Gateway.Payout(ctx, paybridge.PayoutRequest{AccountID: a.AccountID, Amount: a.Amount,
		Payee: paybridge.Person{ID: a.PayeeID}, MerchantReference: a.Reference,
		Description: w.carried("PayoutRequest.Description", a.Description), IdempotencyKey: IdempotencyKey(job.JobRow)})
	var out Output
	if err == nil {
		out = Output{ID: p.ID, Status: string(p.Status)}
	}
	return w.finish(ctx, job.JobRow, out, err)
}

// retryPolicy waits Backoff after a job's first failed attempt, doubling up to Max.
type retryPolicy struct{ Backoff, Max time.Duration }

// NextRetry implements river.ClientRetryPolicy.
func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p.wait(job.Attempt - 1))
}

// wait is the wait after n earlier waits.
func (p retryPolicy) wait(n int) time.Duration {
	wait := time.Duration(float64(p.Backoff) * math.Pow(2, float64(max(n, 0))))
	if wait <= 0 || wait > p.Max {
		wait = p.Max
	}
	return wait
}

// store is the database the workers share: River's tables and the Gateway's journal, on
// one connection pool.
type store struct {
	pool    *pgxpool.Pool
	schema  string
	journal *pgjournal.Journal
}

// journalTable is the journal's table, in the schema River's tables are in.
func journalTable(schema string) string {
	if schema == "" {
		return pgjournal.DefaultTable
	}
	return schema + "." + pgjournal.DefaultTable
}

// openStore connects to the database and brings its tables up to date: River's
// migrations (rivermigrate) and the journal's. Several processes may start at once: the
// migrations run under an advisory lock. Errors never contain the password.
func openStore(ctx context.Context, databaseURL, schema string, maxConns int) (*store, error) {
	if schema != "" {
		if _, err := pgkit.ParseTable("refundworker", schema); err != nil {
			return nil, usagef("-schema %q: a lower-case identifier (a-z, 0-9, _) of at most 48 characters", schema)
		}
	}
	pool, _, err := pgkit.OpenPool(ctx, "database", databaseURL, maxConns)
	if err != nil {
		return nil, &configError{err}
	}
	s := &store{pool: pool, schema: schema}
	if s.journal, err = pgjournal.New(pool, pgjournal.WithTable(journalTable(schema))); err == nil {
		err = s.migrate(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *store) Close() { s.pool.Close() }

func (s *store) migrate(ctx context.Context) error {
	migrator, err := rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Schema: s.schema,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	// River's migrations cannot all run in one transaction (a later one uses an enum value
	// an earlier one adds), so one connection holds a session lock while they run.
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	h := fnv.New64a()
	h.Write([]byte("refundworker river migrations " + s.schema))
	lock := int64(h.Sum64())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
		return err
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lock) }()
	if s.schema != "" {
		if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{s.schema}.Sanitize()); err != nil {
			return err
		}
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("running River's migrations: %w", err)
	}
	if err := s.journal.Migrate(ctx); err != nil {
		return fmt.Errorf("migrating the journal: %w", err)
	}
	return nil
}

// client returns a River client on the store. Without workers it only inserts and lists.
func (s *store) client(cfg river.Config) (*river.Client[pgx.Tx], error) {
	cfg.Schema = s.schema
	return river.NewClient(riverpgxv5.New(s.pool), &cfg)
}

// job is a refund or payout job's arguments.
type job interface {
	river.JobArgs
	check() error
}

// enqueue adds a job; it reports false when the same job was already queued.
func enqueue(ctx context.Context, c *river.Client[pgx.Tx], args job) (*rivertype.JobRow, bool, error) {
	if err := args.check(); err != nil {
		return nil, false, usagef("%v", err)
	}
	res, err := c.Insert(ctx, args, nil)
	if err != nil {
		return nil, false, err
	}
	return res.Job, !res.UniqueSkippedAsDuplicate, nil
}
