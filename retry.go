package paybridge

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/provider"
)

// RetryPolicy says how the Gateway repeats a call that failed in a way a repeat can cure.
//
// A call is repeated, with the same request and idempotency key, when its error has code
// ProviderUnavailable (the provider did not process it) or RateLimited (after the
// provider's Retry-After, when it gave one), unless a write's wait would outlast the claim
// on its journal entry (see WithLease). A write whose outcome is unknown
// (UnknownOutcome) is repeated only when the adapter lists the operation in
// Capabilities.RepeatableWrites, because only then can the repeat not act twice; lookups
// are always safe to repeat. Waits grow exponentially with full jitter, never exceed
// MaxDelay (except to honour Retry-After), and end at once when the context ends. When no
// attempt is left the last error is returned — except that a money-moving call one of
// whose attempts may have been applied returns that attempt's UnknownOutcome error even
// when a later attempt was refused unprocessed or refused for a reference already used
// (which may be the one that attempt sent); an UnknownOutcome error carries the
// idempotency key to call again with.
type RetryPolicy struct {
	// MaxAttempts is the most attempts per call, the first included; values below 2
	// disable retries.
	MaxAttempts int
	// MaxElapsed bounds the whole call including waits; 0 means no bound beyond the
	// context's.
	MaxElapsed time.Duration
	// BaseDelay is the first wait's upper bound (default 100ms).
	BaseDelay time.Duration
	// MaxDelay caps each wait (default 5s).
	MaxDelay time.Duration
	// OnRetry, when set, is called before each wait for a repeat, for logging and
	// metrics: attempt is the number of the attempt that failed (1 for the first), wait
	// how long the Gateway waits before making attempt+1 (Retry-After included), and err
	// that attempt's error, as the adapter returned it. It is not called when the call
	// ends instead: on success, on an error a repeat cannot cure, when no attempt is left
	// or when the wait would pass MaxElapsed or a write's lease. It runs on the calling
	// goroutine, for concurrent calls concurrently, and delays the repeat by its own
	// duration: it must not block. A wait it precedes still ends at once when the context
	// ends.
	OnRetry func(attempt int, wait time.Duration, err error)
}

// NoRetry makes a single attempt per call.
var NoRetry = RetryPolicy{MaxAttempts: 1}

// DefaultRetryPolicy, the Gateway's default, is a policy suited to payment workers: up to 4 attempts within 30
// seconds, waits from up to 100ms growing to at most 5s.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 4, MaxElapsed: 30 * time.Second, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}

// WithRetry sets the retry policy; the default is DefaultRetryPolicy. WithRetry(NoRetry)
// makes every call a single attempt that returns retryable errors to the caller, for
// callers that run their own retry loop.
func WithRetry(p RetryPolicy) Option {
	return func(g *Gateway) {
		if p.BaseDelay <= 0 {
			p.BaseDelay = 100 * time.Millisecond
		}
		if p.MaxDelay <= 0 {
			p.MaxDelay = 5 * time.Second
		}
		g.retry = p
	}
}

// withRetries runs call until it succeeds, fails in a way a repeat cannot cure, or the
// policy or ctx ends. op is the Gateway method; write names the money-moving operation,
// or "" for a lookup; start is when the Gateway call began, from which MaxElapsed counts.
// It records on the call's span how many attempts it made, and counts each repeat.
func (g *Gateway) withRetries(ctx context.Context, start time.Time, op string, write provider.Operation, call func() error) error {
	p := g.retry
	attempt := 1
	defer func() { attempted(ctx, attempt) }()
	for ; ; attempt++ {
		began := time.Now()
		err := call()
		if err == nil || attempt >= p.MaxAttempts || !g.repeatable(write, err) {
			return err
		}
		wait := backoff(p, attempt)
		var pe *provider.Error
		if errors.As(err, &pe) && pe.RetryAfter > wait {
			wait = pe.RetryAfter
		}
		if p.MaxElapsed > 0 && time.Since(start)+wait > p.MaxElapsed {
			return err
		}
		if write != "" && time.Since(began)+wait > g.attemptLimit() {
			// The claim on the write's journal entry, taken or renewed as the attempt
			// began, would lapse during the wait, and another call with the key would
			// take the entry over as uncertain.
			return err
		}
		g.retried(ctx, op, err)
		if p.OnRetry != nil {
			p.OnRetry(attempt, wait, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		if ctx.Err() != nil {
			// A short wait can end as the context does, and select picks either: the
			// context wins, so that nothing is sent or journaled after it ended.
			return err
		}
	}
}

// repeatable reports whether err may be cured by repeating the call.
func (g *Gateway) repeatable(write provider.Operation, err error) bool {
	if errors.Is(err, journal.ErrClaimLost) {
		return false // another caller holds the call's journal entry now
	}
	switch provider.CodeOf(err) {
	case provider.ProviderUnavailable, provider.RateLimited:
		return true
	case provider.UnknownOutcome:
		return write == "" || slices.Contains(g.caps.RepeatableWrites, write)
	}
	return false
}

// backoff returns the wait after the given attempt: uniformly random up to
// BaseDelay·2^(attempt-1), capped at MaxDelay.
func backoff(p RetryPolicy, attempt int) time.Duration {
	d := p.BaseDelay << min(attempt-1, 30)
	if d <= 0 || d > p.MaxDelay {
		d = p.MaxDelay
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}
