package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/paybridge/paybridge"
)

// Worker drains a Queue through a Gateway, one job at a time, oldest first.
//
// It relies on the idempotency key stored with each job, not on a record of its own, to
// avoid paying twice: a job whose result was not recorded — because the process was
// killed after the provider acted, or because the provider's answer was lost — is simply
// sent again with the same key, and the Gateway returns the refund or payout the first
// attempt made instead of making another.
type Worker struct {
	Queue   *Queue
	Gateway *paybridge.Gateway
	Log     *slog.Logger
	// Attempts bounds the attempts per job in one run, the first included. A job still
	// without a definite answer after them stays pending for the next run.
	Attempts int
	// Backoff is the first wait between attempts; it doubles up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// CallTimeout bounds each call. A call that times out may still have reached the
	// provider, so it is repeated with the same key like any other unknown outcome.
	CallTimeout time.Duration
}

// Summary counts what one run did.
type Summary struct {
	// Done and Refused count jobs finished in this run; Unresolved counts jobs left
	// pending because no attempt got a definite answer.
	Done, Refused, Unresolved int
}

// Run processes every pending job once and returns what it did. When ctx ends it finishes
// the call in flight, records its result and returns ctx's error. It also stops when a
// result cannot be recorded, returning that error; the job is then sent again, with its
// key, on the next run.
func (w *Worker) Run(ctx context.Context) (Summary, error) {
	var sum Summary
	w.Queue.removeTemporaries(time.Hour)
	jobs, err := w.Queue.Pending()
	if err != nil {
		return sum, err
	}
	w.Log.Info("queue read", "pending", len(jobs))
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		r, final := w.process(ctx, j)
		if !final {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
			sum.Unresolved++
			continue
		}
		if err := w.Queue.Finish(r); err != nil {
			return sum, err
		}
		if r.Outcome == Done {
			sum.Done++
		} else {
			sum.Refused++
		}
	}
	return sum, nil
}

// process makes up to Attempts attempts at a job and reports its result, or false when no
// attempt got a definite answer (or ctx ended).
func (w *Worker) process(ctx context.Context, j Job) (Result, bool) {
	log := w.Log.With("job", j.ID, "kind", string(j.Kind), "amount", j.Amount.String(), "idempotency_key", j.IdempotencyKey)
	wait := w.Backoff
	for attempt := 1; attempt <= w.Attempts; attempt++ {
		// A call in flight is not abandoned when ctx ends (a stop signal): cutting it short
		// would turn its answer into an unknown outcome. CallTimeout still bounds it, and
		// ctx ends the waits between attempts.
		id, status, err := w.submit(context.WithoutCancel(ctx), j)
		if err == nil {
			log.Info("job done", "provider_id", id, "status", status, "attempts", attempt)
			return Result{JobID: j.ID, Outcome: Done, ProviderID: id, Status: status, Attempts: attempt,
				FinishedAt: time.Now().UTC()}, true
		}
		code := paybridge.CodeOf(err)
		if !code.Retryable() && !errors.Is(err, context.DeadlineExceeded) {
			log.Warn("job refused", "code", code.String(), "error", err.Error(), "attempts", attempt)
			return Result{JobID: j.ID, Outcome: Refused, Code: code.String(), Error: err.Error(), Attempts: attempt,
				FinishedAt: time.Now().UTC()}, true
		}
		if ctx.Err() != nil {
			log.Info("stopping; the job stays pending and is repeated with its key on the next run", "code", code.String())
			return Result{}, false
		}
		// UnknownOutcome, ProviderUnavailable, RateLimited or a timeout: the provider may or
		// may not have acted. Sending the same request with the same key is safe either way.
		log.Warn("no definite answer; repeating with the same idempotency key", "code", code.String(),
			"error", err.Error(), "attempt", attempt)
		if attempt == w.Attempts || sleep(ctx, wait) != nil {
			break
		}
		wait = min(2*wait, w.MaxBackoff)
	}
	if ctx.Err() == nil {
		log.Error("job left pending: no definite answer; the next run repeats it with the same key")
	}
	return Result{}, false
}

// submit sends one attempt at a job and returns the provider's id and the neutral status.
func (w *Worker) submit(ctx context.Context, j Job) (id, status string, err error) {
	ctx, cancel := context.WithTimeout(ctx, w.CallTimeout)
	defer cancel()
	switch j.Kind {
	case KindRefund:
		r, err := w.Gateway.Refund(ctx, paybridge.RefundRequest{PaymentID: j.PaymentID, Amount: j.Amount,
			MerchantReference: j.Reference, Reason: w.carried("RefundRequest.Reason", j.Description), IdempotencyKey: j.IdempotencyKey})
		if err != nil {
			return "", "", err
		}
		return r.ID, string(r.Status), nil
	case KindPayout:
		var payee paybridge.Person
		if j.Payee != nil {
			payee = *j.Payee
		}
		p, err := w.Gateway.Payout(ctx, paybridge.PayoutRequest{AccountID: j.AccountID, Amount: j.Amount, Payee: payee,
			MerchantReference: j.Reference, Description: w.carried("PayoutRequest.Description", j.Description),
			IdempotencyKey: j.IdempotencyKey})
		if err != nil {
			return "", "", err
		}
		return p.ID, string(p.Status), nil
	}
	return "", "", &paybridge.Error{Code: paybridge.CodeInvalidRequest, Op: "job", Fields: []paybridge.FieldError{{Field: "Kind", Problem: "is unknown"}}}
}

// carried returns a job's text for the optional request field name when the provider
// carries it, and nothing otherwise: a provider without a place for a field refuses a
// request that sets it rather than drop it, and the job's description is only a note.
func (w *Worker) carried(name, text string) string {
	if w.Gateway.Capabilities().CarriesRequestField(name) {
		return text
	}
	return ""
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
