package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// DefaultMaxBodyBytes is the largest notification body a Handler reads by default.
const DefaultMaxBodyBytes = 1 << 20

// Handler is an http.Handler that verifies, dedupes and acknowledges notifications and
// passes each verified event to the application once. Create it with NewHandler. It is safe
// for concurrent use.
type Handler struct {
	v        Verifier
	fn       Func
	store    Store
	maxBody  int64
	lease    time.Duration
	maxHold  time.Duration // how long the claim is renewed for one callback at most
	log      *slog.Logger
	match    Matcher
	foreign  func(ctx context.Context, e Event, reason error)
	maxAge   time.Duration
	now      func() time.Time
	tp       trace.TracerProvider
	mp       metric.MeterProvider
	tel      telemetry
	provider string // the verifier's Name, for notifications that fail verification
	scope    string // what dedupe keys begin with; "" for the event's provider
}

// Option configures a Handler.
type Option func(*Handler)

// WithStore sets the dedupe store; the default is a new MemoryStore, which suits a single
// process. Use a shared store when several processes receive notifications.
func WithStore(s Store) Option { return func(h *Handler) { h.store = s } }

// WithMaxBodyBytes sets the largest body accepted (default 1 MiB).
func WithMaxBodyBytes(n int64) Option { return func(h *Handler) { h.maxBody = n } }

// MaxCallbackHold is how long the Handler renews its claim for one run of the callback at
// most. A callback still running then (stuck on a lock, say) loses its claim: its context
// ends with ErrClaimLost, and once the lease has run out a redelivery is processed by
// another handler, so that a stuck callback cannot hold a notification until the provider
// stops delivering it.
const MaxCallbackHold = 15 * time.Minute

// WithLease sets how long a claim protects a notification being processed from a
// concurrent duplicate (default 2 minutes). With a Store that is a Renewer (MemoryStore,
// pgstore) the Handler renews the claim every third of the lease while the callback
// runs (for MaxCallbackHold at most), and the lease bounds how long a crashed handler's
// claim holds up the provider's redeliveries; with any other Store, make it longer than
// the callback can take.
func WithLease(d time.Duration) Option { return func(h *Handler) { h.lease = d } }

// DefaultMaxAge is the oldest notification a Handler delivers unless WithMaxAge says
// otherwise: longer than the providers' redelivery windows (Trustly REST redelivers for 12
// hours), shorter than the MemoryStore's 7-day memory of processed notifications.
const DefaultMaxAge = 72 * time.Hour

// WithMaxAge sets the oldest notification the Handler delivers, by the time the provider
// says it occurred (Event.OccurredAt; notifications without one are not limited). An older
// one that the store does not remember as processed — a replay after the store forgot it,
// after a restart of a MemoryStore or a Prune — is refused (HTTP 400) and never delivered.
// Keep the store's memory (MemoryStore: 7 days; pgstore: until Prune) longer than d, and
// d longer than the provider's redelivery window. 0 turns the check off.
func WithMaxAge(d time.Duration) Option { return func(h *Handler) { h.maxAge = d } }

// WithScope sets what the Handler's dedupe keys begin with: a notification is remembered
// in the Store under scope + "/" + its id. The default is the event's provider name
// (Event.Provider). Providers number notifications per environment, so a sandbox's and a
// live account's may carry the same id: when one Store serves several accounts, give each
// its own scope, or a notification of one is answered as a duplicate of the other's and
// never delivered. Gateway.NotificationHandler sets the Gateway's JournalScope (the
// provider and the merchant account).
func WithScope(scope string) Option { return func(h *Handler) { h.scope = scope } }

// WithLogger sets the logger. Logs carry the provider, notification id and kind, never the
// body.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// NewHandler returns a Handler that verifies notifications with v and calls fn for each
// new verified event.
// Matcher decides whether a verified event concerns one of the application's own orders.
// It returns nil to deliver the event, an error matching ErrNotOurs to acknowledge it
// without delivering it, and any other error (for example ErrRetryLater, or a store that
// cannot be reached) to have it delivered again later. It may complete the event, for
// example with ids learnt from its records.
type Matcher func(ctx context.Context, e *Event) error

// WithMatcher sets the Matcher every verified event passes before it reaches the
// application. The Gateway's NotificationHandler sets one that matches events against
// its operations journal. It is consulted only for a notification the store does not
// remember as processed and that is not older than the maximum age (WithMaxAge), while
// the Handler holds the store's claim on it: what it records cannot come from a replay
// the Handler then refuses. With a Store that is a Renewer, a Matcher that takes a third
// of the lease or more has the claim renewed before the callback runs; when another
// handler took the notification meanwhile, it is answered 503 and never delivered by this
// one.
func WithMatcher(m Matcher) Option { return func(h *Handler) { h.match = m } }

// WithUnmatched sets a function called with each verified event the Matcher found not to
// be the application's (ErrNotOurs), after it was acknowledged and before the reply is
// sent. Such a notification is remembered as processed, so a redelivery or a replay is
// answered as before without calling fn again. Use it to count or alert on such events — they are either notifications for orders
// made outside this application or another merchant's notifications posted to yours; it
// must not treat them as the application's own.
func WithUnmatched(fn func(ctx context.Context, e Event, reason error)) Option {
	return func(h *Handler) { h.foreign = fn }
}

func NewHandler(v Verifier, fn Func, opts ...Option) *Handler {
	h := &Handler{v: v, fn: fn, maxBody: DefaultMaxBodyBytes, lease: 2 * time.Minute, maxHold: MaxCallbackHold, maxAge: DefaultMaxAge,
		now: time.Now}
	for _, o := range opts {
		o(h)
	}
	if h.store == nil {
		h.store = NewMemoryStore()
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if p, ok := v.(interface{ Name() string }); ok {
		h.provider = p.Name()
	}
	h.newTelemetry()
	return h
}

// ServeHTTP implements http.Handler. The callback's context carries the request's values
// but does not end when the provider hangs up: the callback finishes and its result is
// recorded. It ends with ErrClaimLost when the claim ends (see WithLease).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.log.WarnContext(r.Context(), "notification rejected: body too large", "limit", h.maxBody)
			http.Error(w, "notification too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read notification", http.StatusBadRequest)
		return
	}
	// The provider hanging up (Trustly REST waits 3 seconds) does not cut the callback
	// short: finished and recorded, its notification is answered from the record when
	// delivered again, where a cancelled one would fail on every delivery.
	reply, status := h.serve(r.Context(), &Request{Method: r.Method, URL: r.URL, Header: r.Header, Body: body}, true)
	if reply == nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	for k, vs := range reply.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	code := reply.StatusCode
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	_, _ = w.Write(reply.Body)
}

// Process runs one notification through verification, dedupe and the callback, and returns
// the reply to send; when it returns a nil reply, the notification was not acknowledged and
// status is the HTTP status to answer with. ServeHTTP calls it; it is exported for servers
// that are not net/http.
//
// Each call is traced (WithTracerProvider) and counted (WithMeterProvider) with its
// result: verified, rejected, duplicate, callback_failed, not_ours, retry_later or failed.
//
// The callback runs under ctx: its end, or deadline, ends the callback's context.
func (h *Handler) Process(ctx context.Context, req *Request) (*Reply, int) {
	return h.serve(ctx, req, false)
}

// serve is Process; with detach, the callback's context does not end with ctx.
func (h *Handler) serve(ctx context.Context, req *Request, detach bool) (*Reply, int) {
	ctx, d := h.begin(ctx)
	defer h.end(ctx, &d)
	rep, status := h.process(ctx, req, &d, detach)
	if rep == nil && status == http.StatusInternalServerError {
		d.result = resultFailed
	}
	return rep, status
}

// process is Process, recording the notification's result in d.
func (h *Handler) process(ctx context.Context, req *Request, d *delivery, detach bool) (*Reply, int) {
	n, err := h.v.VerifyNotification(ctx, req)
	if err != nil {
		if errors.Is(err, ErrRetryLater) || ctx.Err() != nil {
			h.log.WarnContext(ctx, "notification not verified yet; asking for redelivery", "error", err.Error())
			d.result = resultRetryLater
			return nil, http.StatusServiceUnavailable
		}
		h.log.WarnContext(ctx, "notification rejected", "error", err.Error())
		d.result = resultRejected
		return nil, http.StatusBadRequest
	}
	d.verified(n)
	log := h.log.With("provider", n.Event.Provider, "notification_id", n.ID, "kind", string(n.Event.Kind))
	// The store and the age come before the Matcher, which may record what it learns (the
	// Gateway's records the provider's id of the call an event matched): a notification
	// answered from the store's record, or refused as too old, is never matched, so that a
	// replay cannot change how a later genuine notification is read.
	scope := h.scope
	if scope == "" {
		scope = n.Event.Provider
	}
	key := scope + "/" + n.ID
	claimedAt := time.Now() // the claim, once granted, lasts at least until lease after this
	claim, err := h.store.Claim(ctx, key, h.lease)
	if err != nil {
		log.ErrorContext(ctx, "notification store unavailable", "error", err.Error())
		d.result = resultRetryLater
		return nil, http.StatusServiceUnavailable
	}
	switch claim.State {
	case Done:
		log.InfoContext(ctx, "notification redelivered; replying as before", "outcome", claim.Outcome.String())
		d.result = resultDuplicate
		n.Decision = claim.Decision // the first answer, for a notification the provider waits on
		return h.reply(ctx, log, n, claim.Outcome)
	case Busy:
		log.InfoContext(ctx, "notification is being processed by another handler")
		d.result = resultRetryLater
		return nil, http.StatusServiceUnavailable
	}
	release := func() {
		if rerr := h.store.Release(context.WithoutCancel(ctx), key, claim.Token); rerr != nil {
			log.ErrorContext(ctx, "releasing notification claim", "error", rerr.Error())
		}
	}
	if at := n.Event.OccurredAt; h.maxAge > 0 && !at.IsZero() && h.now().Sub(at) > h.maxAge {
		log.WarnContext(ctx, "notification refused: older than the maximum age, and not remembered as processed",
			"occurred_at", at, "max_age", h.maxAge.String())
		release()
		d.result = resultRejected
		return nil, http.StatusBadRequest
	}
	switch {
	case n.NotOurs != nil:
		err = fmt.Errorf("%w: %w", ErrNotOurs, n.NotOurs)
	case h.match != nil:
		err = h.match(ctx, &n.Event)
	}
	if err != nil {
		if errors.Is(err, ErrNotOurs) {
			// Remembered as processed, under this Handler's scope: a replay is answered as
			// before, never matched against the calls made since.
			if cerr := h.store.Complete(context.WithoutCancel(ctx), key, claim.Token, Processed); cerr != nil {
				log.ErrorContext(ctx, "recording notification not ours", "error", cerr.Error())
			}
			log.WarnContext(ctx, "notification acknowledged but not delivered: it concerns no order of ours", "reason", err.Error())
			if h.foreign != nil {
				h.foreign(ctx, n.Event, err)
			}
			d.result = resultNotOurs
			return h.reply(ctx, log, n, Processed)
		}
		release()
		log.WarnContext(ctx, "notification could not be matched to our orders now; asking for redelivery", "error", err.Error())
		d.result = resultRetryLater
		return nil, http.StatusServiceUnavailable
	}
	if r, ok := h.store.(Renewer); ok && h.lease/3 > 0 && time.Since(claimedAt) >= h.lease/3 {
		// The Matcher took a third of the lease or more: the claim is renewed before the
		// callback runs, since it may have run out and been taken by another handler,
		// which then delivers the notification itself.
		at := time.Now()
		renewed, rerr := r.Renew(ctx, key, claim.Token, h.lease)
		if rerr != nil || !renewed {
			if rerr != nil {
				release()
			}
			log.WarnContext(ctx, "notification claim lost while it was matched; asking for redelivery", "error", fmt.Sprint(rerr))
			d.result = resultRetryLater
			return nil, http.StatusServiceUnavailable
		}
		claimedAt = at
	}
	ev := n.Event
	var slot *decisionSlot
	if n.AsksDecision {
		slot = &decisionSlot{}
		ev.decision = slot
	}
	base := ctx
	if detach {
		base = context.WithoutCancel(ctx)
	}
	cctx, stop := h.hold(base, log, key, claim.Token, claimedAt)
	err = h.call(cctx, ev)
	stop()
	var decision Decision
	if slot != nil {
		decision = slot.close()
	}
	if err != nil {
		log.WarnContext(ctx, "application did not process notification", "error", err.Error())
		release()
		d.result = resultCallbackFailed
		return h.reply(ctx, log, n, Failed)
	}
	if n.AsksDecision {
		// Recorded with the decision, so that a redelivery, or a captured notification
		// posted again, gets the same answer without asking the application again. A
		// Store that cannot record it leaves the notification unremembered: each delivery
		// asks the application.
		n.Decision = decision
		if r, ok := h.store.(DecisionRecorder); ok {
			if err := r.CompleteDecided(context.WithoutCancel(ctx), key, claim.Token, decision); err != nil {
				log.ErrorContext(ctx, "recording processed notification", "error", err.Error())
			}
		} else {
			release()
		}
		log.InfoContext(ctx, "notification answered with the application's decision", "decision", decision.String())
		d.result = resultVerified
		return h.reply(ctx, log, n, Processed)
	}
	if err := h.store.Complete(context.WithoutCancel(ctx), key, claim.Token, Processed); err != nil {
		// The application has the event; acknowledging is still right. A redelivery, if the
		// store lost the record, would reach the application again.
		log.ErrorContext(ctx, "recording processed notification", "error", err.Error())
	}
	log.InfoContext(ctx, "notification processed")
	d.result = resultVerified
	return h.reply(ctx, log, n, Processed)
}

func (h *Handler) reply(ctx context.Context, log *slog.Logger, n *Notification, o Outcome) (*Reply, int) {
	rep, err := h.v.NotificationReply(n, o)
	if err != nil {
		log.ErrorContext(ctx, "building notification reply", "error", err.Error())
		return nil, http.StatusInternalServerError
	}
	return rep, rep.StatusCode
}

// hold keeps the claim identified by token on key while the callback runs, when the store
// is a Renewer: it renews the claim every third of the lease, for MaxCallbackHold at most.
// It returns the callback's context, which ends with ErrClaimLost as its cause when the
// claim is found taken over, could not be renewed before its lease ended, or is renewed no
// longer, and the function that stops the renewals and waits for one in progress; call it
// before the claim is completed or released. The renewals run on a timer, so a callback
// that ends within a third of the lease (almost every one) costs one timer.
func (h *Handler) hold(ctx context.Context, log *slog.Logger, key, token string, claimedAt time.Time) (context.Context, func()) {
	r, ok := h.store.(Renewer)
	every := h.lease / 3
	if !ok || every <= 0 {
		return ctx, func() {}
	}
	cctx, lose := context.WithCancelCause(ctx)
	var (
		mu       sync.Mutex
		stopped  bool
		renewing sync.WaitGroup
		cancel   context.CancelFunc // the renewal in progress
		held     = claimedAt        // the claim lasts at least until held + lease
		timer    *time.Timer
	)
	renew := func() {
		mu.Lock()
		if stopped {
			mu.Unlock()
			return
		}
		if time.Since(claimedAt) >= h.maxHold {
			mu.Unlock()
			log.ErrorContext(ctx, "notification callback still running after the longest hold; its claim is left to run out",
				"max_hold", h.maxHold.String())
			lose(ErrClaimLost)
			return
		}
		// Bounded, so that a store that does not answer cannot keep the callback from
		// learning that its lease has ended; it outlives the request's context, since the
		// callback may go on after the provider hung up.
		call, c := context.WithTimeout(context.WithoutCancel(ctx), every)
		cancel = c
		renewing.Add(1)
		mu.Unlock()
		defer renewing.Done()
		start := time.Now()
		renewed, err := r.Renew(call, key, token, h.lease)
		c()
		mu.Lock()
		defer mu.Unlock()
		switch {
		case stopped:
			return
		case err == nil && renewed:
			held = start
		case err == nil:
			log.WarnContext(ctx, "notification claim taken over by another handler while the callback ran")
			lose(ErrClaimLost)
			return
		case time.Since(held) >= h.lease:
			log.ErrorContext(ctx, "notification claim could not be renewed before its lease ended", "error", err.Error())
			lose(ErrClaimLost)
			return
		default:
			log.WarnContext(ctx, "renewing notification claim", "error", err.Error())
		}
		timer.Reset(every)
	}
	mu.Lock()
	// From the claim's time: the Matcher ran between the claim and the callback.
	timer = time.AfterFunc(max(every-time.Since(claimedAt), 0), renew)
	mu.Unlock()
	return cctx, func() {
		mu.Lock()
		stopped = true
		timer.Stop()
		if cancel != nil {
			cancel()
		}
		mu.Unlock()
		renewing.Wait()
		lose(nil)
	}
}

// call runs the callback, turning a panic into an error so the claim is released.
func (h *Handler) call(ctx context.Context, e Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("notification callback panicked: %v", p)
		}
	}()
	return h.fn(ctx, e)
}
