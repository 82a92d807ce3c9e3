package transport

import (
	"context"
	"net/http"
	"time"
)

// attemptEndKey is the context key of the moment by which an attempt must have ended.
type attemptEndKey struct{}

// WithAttemptEnd returns a copy of ctx under which every request Do makes ends by end:
// the caller holds a claim on the call (the Gateway's journal lease) that lapses soon
// after, and a request still awaiting its answer then could be overtaken by another
// caller's. It costs no timer of its own: Do gives a request a deadline only when neither
// its context nor its client's Timeout ends it by then.
func WithAttemptEnd(ctx context.Context, end time.Time) context.Context {
	return context.WithValue(ctx, attemptEndKey{}, end)
}

// bound returns ctx with the attempt's end (WithAttemptEnd) as its deadline, when a
// request made with c under ctx could otherwise outlast it, and the function that
// releases that deadline.
func bound(ctx context.Context, c *http.Client) (context.Context, context.CancelFunc) {
	end, ok := ctx.Value(attemptEndKey{}).(time.Time)
	if !ok {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && !dl.After(end) {
		return ctx, func() {}
	}
	if c != nil && c.Timeout > 0 && !time.Now().Add(c.Timeout).After(end) {
		return ctx, func() {} // the client's own timeout ends the request first
	}
	return context.WithDeadline(ctx, end)
}
