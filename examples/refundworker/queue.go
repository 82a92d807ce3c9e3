package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
)

// Kind is what a job does.
type Kind string

// The job kinds.
const (
	KindRefund Kind = "refund"
	KindPayout Kind = "payout"
)

// Job is one refund or payout to make. Its IdempotencyKey is chosen when the job is
// enqueued and never changes: every attempt, in this run or after a restart, sends the
// same key, which is what keeps a repeat from moving money twice.
type Job struct {
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// PaymentID is the payment a refund returns money from.
	PaymentID string `json:"paymentId,omitempty"`
	// AccountID is the verified account a payout pays into, and Payee its holder.
	AccountID string            `json:"accountId,omitempty"`
	Payee     *paybridge.Person `json:"payee,omitempty"`
	Amount    money.Amount      `json:"amount"`
	// Reference is the merchant reference the provider records.
	Reference      string    `json:"reference"`
	Description    string    `json:"description,omitempty"`
	IdempotencyKey string    `json:"idempotencyKey"`
	EnqueuedAt     time.Time `json:"enqueuedAt"`
}

// Outcome is how a job ended.
type Outcome string

// The outcomes.
const (
	// Done: the provider accepted the refund or payout.
	Done Outcome = "done"
	// Refused: the provider, or the Gateway before sending, refused it for a reason a
	// repeat cannot cure (invalid request, declined, insufficient funds...).
	Refused Outcome = "refused"
)

// Result is the record of a finished job.
type Result struct {
	JobID   string  `json:"jobId"`
	Outcome Outcome `json:"outcome"`
	// ProviderID is the refund's or payout's id at the provider, and Status its neutral
	// status when accepted (a refund or payout may still be settling).
	ProviderID string `json:"providerId,omitempty"`
	Status     string `json:"status,omitempty"`
	// Code and Error say why a job was refused.
	Code       string    `json:"code,omitempty"`
	Error      string    `json:"error,omitempty"`
	Attempts   int       `json:"attempts"`
	FinishedAt time.Time `json:"finishedAt"`
}

// Queue is a durable job queue in a directory: each job is a file in jobs/, and each
// finished job's result a file of the same name in results/. Every file is written to a
// temporary name, synced and renamed into place, so a process killed at any moment leaves
// either the whole file or none of it. A job is pending while it has no result.
type Queue struct {
	dir string
}

// OpenQueue opens (creating if needed) the queue in dir.
func OpenQueue(dir string) (*Queue, error) {
	for _, sub := range []string{"jobs", "results"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	return &Queue{dir: dir}, nil
}

// Enqueue validates j, gives it an id and an idempotency key when it has none, and
// stores it durably. It returns the stored job.
func (q *Queue) Enqueue(j Job) (Job, error) {
	if err := j.check(); err != nil {
		return Job{}, err
	}
	if j.ID == "" {
		j.ID = newJobID()
	}
	if j.IdempotencyKey == "" {
		j.IdempotencyKey = string(j.Kind) + "-" + j.ID
	}
	if j.EnqueuedAt.IsZero() {
		j.EnqueuedAt = time.Now().UTC()
	}
	path := q.jobPath(j.ID)
	if _, err := os.Stat(path); err == nil {
		return Job{}, fmt.Errorf("job %s is already queued", j.ID)
	}
	if err := writeJSONAtomic(path, j); err != nil {
		return Job{}, err
	}
	return j, nil
}

func (j *Job) check() error {
	var errs []error
	switch j.Kind {
	case KindRefund:
		if j.PaymentID == "" {
			errs = append(errs, errors.New("a refund needs the payment id"))
		}
	case KindPayout:
		if j.AccountID == "" {
			errs = append(errs, errors.New("a payout needs the account id"))
		}
	default:
		errs = append(errs, fmt.Errorf("kind must be %q or %q, not %q", KindRefund, KindPayout, j.Kind))
	}
	if err := j.Amount.CheckPositive(); err != nil {
		errs = append(errs, fmt.Errorf("amount: %w", err))
	}
	if j.Reference == "" {
		errs = append(errs, errors.New("a reference is required"))
	}
	if strings.ContainsAny(j.ID, `/\`) || strings.HasPrefix(j.ID, ".") {
		errs = append(errs, fmt.Errorf("job id %q cannot be a file name", j.ID))
	}
	return errors.Join(errs...)
}

// Pending returns the jobs without a result, oldest first.
func (q *Queue) Pending() ([]Job, error) {
	names, err := q.names("jobs")
	if err != nil {
		return nil, err
	}
	done, err := q.names("results")
	if err != nil {
		return nil, err
	}
	finished := make(map[string]bool, len(done))
	for _, name := range done {
		finished[name] = true
	}
	var out []Job
	for _, name := range names {
		if finished[name] {
			continue
		}
		var j Job
		if err := readJSON(filepath.Join(q.dir, "jobs", name), &j); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// Results returns every recorded result, by job id.
func (q *Queue) Results() (map[string]Result, error) {
	names, err := q.names("results")
	if err != nil {
		return nil, err
	}
	out := map[string]Result{}
	for _, name := range names {
		var r Result
		if err := readJSON(filepath.Join(q.dir, "results", name), &r); err != nil {
			return nil, err
		}
		out[r.JobID] = r
	}
	return out, nil
}

// Finish records a job's result durably.
func (q *Queue) Finish(r Result) error {
	return writeJSONAtomic(filepath.Join(q.dir, "results", r.JobID+".json"), r)
}

func (q *Queue) jobPath(id string) string { return filepath.Join(q.dir, "jobs", id+".json") }

// names lists the .json files of a subdirectory, sorted (job ids sort by enqueue time).
// Temporary files left by a process killed mid-write are skipped.
func (q *Queue) names(sub string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(q.dir, sub))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// newJobID returns an id that sorts by creation time: nanoseconds since 1970, then random
// hex to keep ids made in the same nanosecond apart.
func newJobID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%019d-%s", time.Now().UnixNano(), hex.EncodeToString(b))
}

// writeJSONAtomic writes v as JSON to path so that path holds either its old content or
// the whole new content, even across a crash: a synced temporary file renamed into place,
// then the directory synced so the rename itself is durable.
func writeJSONAtomic(path string, v any) (err error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(append(data, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// removeTemporaries deletes temporary files a killed process left behind, once they are
// old enough that no live writer can still be filling them.
func (q *Queue) removeTemporaries(olderThan time.Duration) {
	for _, sub := range []string{"jobs", "results"} {
		matches, _ := filepath.Glob(filepath.Join(q.dir, sub, ".tmp-*"))
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && time.Since(fi.ModTime()) > olderThan {
				_ = os.Remove(m)
			}
		}
	}
}
