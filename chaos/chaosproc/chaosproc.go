// Package chaosproc runs chaos tests across operating-system processes: a work queue of
// money-moving operations in a PostgreSQL table, worker processes that claim operations
// from it and make them through a Gateway on a journal they share, and a supervisor that
// SIGKILLs workers at random moments and starts replacements until every operation is
// done. What the workers did is then reconciled with the simulator's ledger by the test.
package chaosproc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paybridge/paybridge"
)

// WorkerEnv marks a process started as a worker; its value is unused beyond being set.
const WorkerEnv = "PAYBRIDGE_CHAOSPROC_WORKER"

// IsWorker reports whether this process was started as a worker.
func IsWorker() bool { return os.Getenv(WorkerEnv) != "" }

// Op is one operation of the queue: its index, the idempotency key every attempt uses,
// and the request's parameters, which never change between attempts.
type Op struct {
	Index  int
	Key    string
	Params Params
}

// Params are an operation's request parameters.
type Params struct {
	// Target is the object the operation acts on: the payment refunded, the account paid
	// out to.
	Target string `json:"target"`
	// Amount is in minor units of Currency.
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Reference string `json:"reference"`
}

// Queue is a work queue in a PostgreSQL table.
type Queue struct {
	URL, Table string
}

func (q Queue) ident() string { return pgx.Identifier{q.Table}.Sanitize() }

// Create creates the queue's table and adds ops to it.
func (q Queue) Create(ctx context.Context, ops []Op) error {
	c, err := pgx.Connect(ctx, q.URL)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `CREATE TABLE `+q.ident()+` (
  idx int PRIMARY KEY,
  key text NOT NULL UNIQUE,
  params jsonb NOT NULL,
  done boolean NOT NULL DEFAULT false,
  failed text,
  attempts int NOT NULL DEFAULT 0,
  last_error text,
  not_before timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	rows := make([][]any, len(ops))
	for i, op := range ops {
		p, err := json.Marshal(op.Params)
		if err != nil {
			return err
		}
		rows[i] = []any{op.Index, op.Key, string(p)}
	}
	_, err = c.CopyFrom(ctx, pgx.Identifier{q.Table}, []string{"idx", "key", "params"}, pgx.CopyFromRows(rows))
	return err
}

// Status is the queue's state as the supervisor sees it.
type Status struct {
	Done, Open int
	// Attempts is how many attempts ended (an attempt cut short by a kill is not counted).
	Attempts int
	// Failed names the operations a worker recorded as failed, with their errors.
	Failed []string
}

// Status reads the queue's state.
func (q Queue) Status(ctx context.Context, c *pgx.Conn) (Status, error) {
	var s Status
	if err := c.QueryRow(ctx, `SELECT count(*) FILTER (WHERE done), count(*) FILTER (WHERE NOT done AND failed IS NULL),
  coalesce(sum(attempts), 0) FROM `+q.ident()).Scan(&s.Done, &s.Open, &s.Attempts); err != nil {
		return s, err
	}
	rows, err := c.Query(ctx, `SELECT idx, key, failed FROM `+q.ident()+` WHERE failed IS NOT NULL ORDER BY idx LIMIT 20`)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var idx int
		var key, failed string
		if err := rows.Scan(&idx, &key, &failed); err != nil {
			return s, err
		}
		s.Failed = append(s.Failed, fmt.Sprintf("operation %d (key %s): %s", idx, key, failed))
	}
	return s, rows.Err()
}

// Stuck lists up to 20 open operations with their attempts and last errors, to explain a
// run that stopped making progress.
func (q Queue) Stuck(ctx context.Context, c *pgx.Conn) ([]string, error) {
	rows, err := c.Query(ctx, `SELECT idx, key, attempts, coalesce(last_error, '') FROM `+q.ident()+
		` WHERE NOT done AND failed IS NULL ORDER BY idx LIMIT 20`)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var idx, attempts int
		var key, last string
		if err := rows.Scan(&idx, &key, &attempts, &last); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("operation %d (key %s): %d attempts, last error: %s", idx, key, attempts, last))
	}
	return out, rows.Err()
}

// Retryable are the error codes after which a worker leaves an operation for a later
// attempt with the same key: the call may or may not have been applied (UnknownOutcome),
// nothing was sent (ProviderUnavailable, also when another process holds the key's journal
// entry), or an answer could not be read (Internal, which the Trustly REST adapter returns
// for a malformed answer to a look-up). Any other error is definitive.
var Retryable = []paybridge.Code{paybridge.CodeUnknownOutcome, paybridge.CodeProviderUnavailable,
	paybridge.CodeRateLimited, paybridge.CodeInternal}

// CallTimeout bounds one Gateway call in a worker; Lease, the journal lease the workers'
// Gateways take, must be well above it, so that a live worker never loses its entry to
// another while still sending. A killed worker's entries stay held until their lease ends,
// after which the next caller with the key takes them over as uncertain.
const (
	CallTimeout = 3 * time.Second
	Lease       = 8 * time.Second
)

// Work runs n claimers in this process until no operation is open: each claims an
// operation (SELECT ... FOR UPDATE SKIP LOCKED in a transaction held for the whole call,
// so that a killed process's claims end with its connections), calls apply, and marks the
// operation done, leaves it for later or records it as failed by apply's error.
func Work(ctx context.Context, q Queue, n int, apply func(ctx context.Context, op Op) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = claimer(ctx, q, apply)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func claimer(ctx context.Context, q Queue, apply func(ctx context.Context, op Op) error) error {
	c, err := pgx.Connect(ctx, q.URL)
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	for {
		more, err := q.one(ctx, c, apply)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
}

// one claims and runs one operation. It reports false when no operation is open.
func (q Queue) one(ctx context.Context, c *pgx.Conn, apply func(ctx context.Context, op Op) error) (bool, error) {
	tx, err := c.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var op Op
	var params []byte
	err = tx.QueryRow(ctx, `SELECT idx, key, params FROM `+q.ident()+
		` WHERE NOT done AND failed IS NULL AND not_before <= now() ORDER BY not_before, idx LIMIT 1 FOR UPDATE SKIP LOCKED`).
		Scan(&op.Index, &op.Key, &params)
	if errors.Is(err, pgx.ErrNoRows) {
		var open int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+q.ident()+` WHERE NOT done AND failed IS NULL`).Scan(&open); err != nil {
			return false, err
		}
		if open == 0 {
			return false, nil
		}
		_ = tx.Rollback(ctx)
		time.Sleep(20 * time.Millisecond)
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(params, &op.Params); err != nil {
		return false, err
	}
	callCtx, cancel := context.WithTimeout(ctx, CallTimeout)
	err = apply(callCtx, op)
	cancel()
	switch verdict(op, err) {
	case "done":
		_, err = tx.Exec(ctx, `UPDATE `+q.ident()+` SET done = true, attempts = attempts + 1 WHERE idx = $1`, op.Index)
	case "again":
		_, err = tx.Exec(ctx, `UPDATE `+q.ident()+` SET attempts = attempts + 1, last_error = $2,
  not_before = now() + least(0.02 * power(2, least(attempts, 7)), 2.0) * interval '1 second' WHERE idx = $1`, op.Index, err.Error())
	default:
		_, err = tx.Exec(ctx, `UPDATE `+q.ident()+` SET failed = $2, attempts = attempts + 1 WHERE idx = $1`,
			op.Index, fmt.Sprintf("%v (code %s)", err, paybridge.CodeOf(err)))
	}
	if err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// verdict says what becomes of an operation after an attempt that returned err: "done",
// "again" (a later attempt with the same key) or "failed".
func verdict(op Op, err error) string {
	if err == nil {
		return "done"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "again"
	}
	code := paybridge.CodeOf(err)
	for _, c := range Retryable {
		if c != code {
			continue
		}
		var pe *paybridge.Error
		if code == paybridge.CodeUnknownOutcome && (!errors.As(err, &pe) || pe.IdempotencyKey != op.Key) {
			return "failed" // an uncertain call must name the key to repeat it with
		}
		return "again"
	}
	return "failed"
}

// Options configure Supervise.
type Options struct {
	// Workers is how many worker processes run at once (at least 2).
	Workers int
	// Env is added to each worker's environment, after WorkerEnv.
	Env []string
	// Seed seeds the choice of the worker to kill and of the moment.
	Seed int64
	// KillEvery bounds the random wait between kills: uniform in [KillEvery/4, KillEvery].
	KillEvery time.Duration
	// Stall is how long the run may go without an operation completing before it fails.
	Stall time.Duration
}

// Run is what Supervise did.
type Run struct {
	Kills, Restarts int
	Status          Status
	Elapsed         time.Duration
}

type worker struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
	killed bool
}

// Supervise starts Workers worker processes — this test binary again, running only
// TestWorkerProcess, with WorkerEnv set — kills a random one with SIGKILL at random
// moments and starts a replacement for each, until no operation of q is open. It fails the
// test when a worker records an operation as failed, when a worker exits on its own with
// an error, and when no operation completes for Stall.
func Supervise(t testing.TB, q Queue, o Options) Run {
	t.Helper()
	if o.Workers < 2 {
		o.Workers = 2
	}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x63686169))
	ctx := context.Background()
	c, err := pgx.Connect(ctx, q.URL)
	if err != nil {
		t.Fatalf("connecting to the queue: %v", err)
	}
	defer c.Close(ctx)

	var run Run
	var live []*worker
	var crashes []string
	start := func() {
		w := &worker{out: &syncBuffer{}, exited: make(chan struct{})}
		w.cmd = exec.Command(os.Args[0], "-test.run=^TestWorkerProcess$", "-test.v", "-test.count=1")
		w.cmd.Env = append(append(os.Environ(), WorkerEnv+"=1"), o.Env...)
		w.cmd.Stdout, w.cmd.Stderr = w.out, w.out
		if err := w.cmd.Start(); err != nil {
			t.Fatalf("starting a worker: %v", err)
		}
		go func() { _ = w.cmd.Wait(); close(w.exited) }()
		live = append(live, w)
	}
	stopAll := func() {
		for _, w := range live {
			w.killed = true
			_ = w.cmd.Process.Kill()
			<-w.exited
		}
		live = nil
	}
	defer stopAll()
	for range o.Workers {
		start()
	}
	began := time.Now()
	nextKill := began.Add(randDuration(rng, o.KillEvery))
	lastDone, lastProgress := -1, began
	for {
		time.Sleep(50 * time.Millisecond)
		// Workers that ended on their own: a clean exit once nothing is open, or a crash.
		kept := live[:0]
		for _, w := range live {
			select {
			case <-w.exited:
				if code := w.cmd.ProcessState.ExitCode(); code != 0 && len(crashes) < 5 {
					crashes = append(crashes, fmt.Sprintf("worker %d exited with %d:\n%s", w.cmd.Process.Pid, code, w.out.tail(4000)))
				}
			default:
				kept = append(kept, w)
			}
		}
		live = kept
		s, err := q.Status(ctx, c)
		if err != nil {
			t.Fatalf("reading the queue: %v", err)
		}
		run.Status = s
		if len(s.Failed) > 0 || len(crashes) > 0 {
			stopAll()
			for _, f := range s.Failed {
				t.Errorf("a worker recorded %s", f)
			}
			for _, cr := range crashes {
				t.Error(cr)
			}
			t.FailNow()
		}
		if s.Open == 0 {
			break
		}
		now := time.Now()
		if s.Done > lastDone {
			lastDone, lastProgress = s.Done, now
		} else if now.Sub(lastProgress) > o.Stall {
			stuck, _ := q.Stuck(ctx, c)
			stopAll()
			t.Fatalf("no operation completed for %v (%d done, %d open, %d kills); open operations:\n%s",
				o.Stall, s.Done, s.Open, run.Kills, strings.Join(stuck, "\n"))
		}
		if now.After(nextKill) && len(live) > 0 {
			i := rng.IntN(len(live))
			w := live[i]
			w.killed = true
			if err := w.cmd.Process.Kill(); err == nil {
				run.Kills++
			}
			<-w.exited
			live = append(live[:i], live[i+1:]...)
			nextKill = now.Add(randDuration(rng, o.KillEvery))
		}
		for len(live) < o.Workers {
			start()
			run.Restarts++
		}
	}
	run.Elapsed = time.Since(began)
	return run
}

func randDuration(rng *rand.Rand, max time.Duration) time.Duration {
	return max/4 + time.Duration(rng.Int64N(int64(max-max/4)+1))
}

// syncBuffer collects a worker's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.b.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
