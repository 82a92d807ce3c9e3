package paybridge

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Gateway is the portable payments client: the same methods, types, statuses and error
// codes whatever provider is behind it. Create one with Open (by URL) or New (from an
// adapter built in code), keep it for the program's life, and Close it at the end. A
// Gateway is safe for concurrent use.
//
// Before any request reaches the provider, the Gateway validates it — every field and the
// money rules — and returns an InvalidRequest *Error naming each bad field; it checks the
// operation and currency against Capabilities (NotSupported otherwise); and it sets an
// idempotency key when the caller gave none. After the provider answers, it checks that the
// amount and currency reported match the request.
type Gateway struct {
	// Printed is the adapter's name and journal scope. The adapter and the journal hold
	// credentials; they print the same way (see secret.Printed).
	secret.Printed
	p        provider.Provider
	name     string
	caps     Capabilities
	validate *validator.Validate
	log      *slog.Logger
	newKey   func() string
	closed   atomic.Bool
	retry    RetryPolicy
	journal  journal.Journal
	scope    string // of the journal's entries
	lease    time.Duration
	tp       trace.TracerProvider
	mp       metric.MeterProvider
	tel      telemetry
}

// Option configures a Gateway.
type Option func(*Gateway)

// WithLogger sets the logger. The Gateway logs each call at debug level with the operation,
// provider, idempotency key, duration and error code — never request bodies or credentials.
func WithLogger(l *slog.Logger) Option {
	return func(g *Gateway) {
		if l != nil {
			g.log = l
		}
	}
}

// WithIdempotencyKeys sets the function that makes idempotency keys for calls that do not
// carry one (default: random UUIDs).
func WithIdempotencyKeys(f func() string) Option {
	return func(g *Gateway) {
		if f != nil {
			g.newKey = f
		}
	}
}

// New returns a Gateway over the adapter p. Which operations it supports follows from the
// interfaces p implements (provider.OperationsOf). An adapter whose Capabilities disagree
// with those interfaces (provider.CheckCapabilities) is a fault in the adapter: New panics
// with an *Error of Code CodeInternal naming each disagreement, which Open returns instead.
func New(p provider.Provider, opts ...Option) *Gateway {
	g, err := newGateway("New", p, opts...)
	if err != nil {
		panic(err)
	}
	return g
}

// newGateway is New, returning the disagreement as an error of operation op.
func newGateway(op string, p provider.Provider, opts ...Option) (*Gateway, error) {
	name := p.Name()
	if err := provider.CheckCapabilities(p); err != nil {
		return nil, &Error{Code: CodeInternal, Op: op, Provider: name, err: err}
	}
	g := &Gateway{
		p:        p,
		name:     name,
		caps:     Capabilities{Operations: provider.OperationsOf(p), Capabilities: p.Capabilities()},
		validate: newValidator(),
		log:      slog.New(slog.DiscardHandler),
		newKey:   uuid.NewString,
		retry:    DefaultRetryPolicy,
		lease:    DefaultLease,
	}
	for _, o := range opts {
		o(g)
	}
	if g.journal == nil {
		g.journal = journal.NewMemory()
	}
	g.newTelemetry()
	g.scope = g.name
	if a, ok := p.(provider.Accounted); ok && a.Account() != "" {
		g.scope += "/" + a.Account()
	}
	g.Printed = secret.PrintAs("paybridge.Gateway", "provider", g.name, "scope", g.scope)
	return g, nil
}

// Provider returns the adapter's name, e.g. "trustly".
func (g *Gateway) Provider() string { return g.name }

// Capabilities reports what the provider supports. Operations it leaves out return
// NotSupported errors without contacting the provider.
func (g *Gateway) Capabilities() Capabilities { return g.caps }

// As reaches the adapter's own client for provider-specific calls: pass a pointer to the
// adapter's client type (each adapter documents which), or a *provider.Provider for the
// adapter itself. It reports whether it was set. Calls made on the adapter directly bypass
// the Gateway: they are not validated, not journaled, and notifications about the orders
// they create are not delivered to NotificationHandler's callback.
func (g *Gateway) As(target any) bool {
	if p, ok := target.(*provider.Provider); ok {
		*p = g.p
		return true
	}
	return g.p.As(target)
}

// Close releases the provider's resources. Calls after Close fail.
func (g *Gateway) Close() error {
	if g.closed.Swap(true) {
		return nil
	}
	return g.p.Close()
}

// begin checks the common preconditions of a call. The operations it lets through are
// provided by interfaces the adapter implements (provider.OperationsOf), so the callers'
// assertions to those interfaces after it cannot fail.
func (g *Gateway) begin(op string, need provider.Operation, key string) error {
	if g.closed.Load() {
		return &Error{Code: CodeInvalidRequest, Op: op, Provider: g.name, IdempotencyKey: key,
			err: errors.New("gateway is closed")}
	}
	if need != "" && !g.caps.Supports(need) {
		msg := g.name + " does not support " + string(need)
		if note := g.caps.Notes[need]; note != "" {
			msg += ": " + note
		}
		return &Error{Code: CodeNotSupported, Op: op, Provider: g.name, IdempotencyKey: key,
			err: provider.NotSupportedf("%s", msg)}
	}
	return nil
}

func (g *Gateway) checkCurrency(op, key string, c money.Currency) error {
	if !g.caps.SupportsCurrency(c) {
		return &Error{Code: CodeNotSupported, Op: op, Provider: g.name, IdempotencyKey: key,
			err: provider.NotSupportedf("%s does not accept %s", g.name, c)}
	}
	return nil
}

func (g *Gateway) key(k string) string {
	if k == "" {
		return g.newKey()
	}
	return k
}

// finish ends a call that open began: it wraps its error, ends its span, records its
// metrics and logs it.
func (g *Gateway) finish(ctx context.Context, op, key string, start time.Time, err error) error {
	err = g.wrap(op, key, err)
	g.observe(ctx, op, key, start, err)
	if !g.log.Enabled(ctx, slog.LevelDebug) {
		return err
	}
	attrs := []any{"op", op, "provider", g.name, "idempotency_key", key, "duration", time.Since(start)}
	if err != nil {
		attrs = append(attrs, "code", CodeOf(err).String(), "error", err.Error())
	}
	g.log.DebugContext(ctx, "paybridge call", attrs...)
	return err
}

// echoed checks that the provider reported the amount that was asked for.
func (g *Gateway) echoed(op, key string, want, got money.Amount) error {
	if !got.IsValid() {
		return &Error{Code: CodeInternal, Op: op, Provider: g.name, IdempotencyKey: key,
			err: errors.New("the provider's answer carried no amount")}
	}
	if !got.Equal(want) {
		return &Error{Code: CodeInternal, Op: op, Provider: g.name, IdempotencyKey: key,
			err: errors.New("the provider reported " + got.String() + " for a request of " + want.String())}
	}
	return nil
}

// written is what a money-moving call reports back, for the Gateway's checks.
type written struct {
	id       string
	amount   money.Amount
	provider *string
	key      *string
}

// checkWrite runs the checks every money-moving call shares before anything is sent:
// capability, validation (struct tags, text and Metadata rules, amount, fields the
// provider cannot carry) and currency.
func (g *Gateway) checkWrite(op string, need provider.Operation, key string, amount money.Amount, req any) error {
	if err := g.begin(op, need, key); err != nil {
		return err
	}
	fields := append(checkAmount("Amount", amount), g.checkRequest(req)...)
	if len(fields) > 0 {
		return g.invalid(op, key, fields...)
	}
	return g.checkCurrency(op, key, amount.Currency())
}

// checkCall runs the checks of a write that moves no money itself (Void, CreateMandate,
// CancelMandate): capability, validation and fields the provider cannot carry.
func (g *Gateway) checkCall(op string, need provider.Operation, key string, req any) error {
	if err := g.begin(op, need, key); err != nil {
		return err
	}
	if fields := g.checkRequest(req); len(fields) > 0 {
		return g.invalid(op, key, fields...)
	}
	return nil
}

// checkRequest validates req with its struct tags and refuses the optional fields it sets
// that the provider has no place for (Capabilities.RequestFields), so that none is
// dropped silently.
func (g *Gateway) checkRequest(req any) []FieldError {
	fields := g.checkStruct(req)
	for _, name := range provider.RequestFieldsSet(req) {
		if !g.caps.CarriesRequestField(name) {
			_, field, _ := strings.Cut(name, ".")
			fields = append(fields, FieldError{Field: field,
				Problem: "is not carried by " + g.name + "; leave it empty rather than have it dropped"})
		}
	}
	return fields
}

// fetch runs the checks every lookup by id shares around do.
func fetch[T any](ctx context.Context, g *Gateway, start time.Time, op string, need provider.Operation, id string,
	do func() (*T, error), prov func(*T) *string) (*T, error) {
	if err := g.begin(op, need, ""); err != nil {
		return nil, err
	}
	if err := g.checkIDArg(op, "id", id); err != nil {
		return nil, err
	}
	var v *T
	err := g.withRetries(ctx, start, op, "", func() error {
		var err error
		v, err = do()
		return err
	})
	if err != nil {
		return nil, err
	}
	if prov != nil {
		g.stamp(prov(v), nil, "")
	}
	return v, nil
}

// Pay creates a pay-in. Send the end user to the result's RedirectURL while its Status is
// PaymentRequiresAction, then learn the outcome from a notification or GetPayment.
// Calling Pay again with the same IdempotencyKey returns the same payment.
func (g *Gateway) Pay(ctx context.Context, req PaymentRequest) (p *Payment, err error) {
	const op = "Pay"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	if err := g.checkWrite(op, provider.OpPay, req.IdempotencyKey, req.Amount, &req); err != nil {
		return nil, err
	}
	if req.Capture == CaptureManual {
		// Without Capture the provider would take the money at once: refuse rather than
		// drop the caller's choice.
		if err := g.begin(op, provider.OpCapture, req.IdempotencyKey); err != nil {
			return nil, err
		}
	}
	if req.CancelURL == "" {
		req.CancelURL = req.ReturnURL
	}
	return write(ctx, g, start, writeCall[Payment]{op: op, need: provider.OpPay, key: req.IdempotencyKey, amount: req.Amount, req: &req,
		send:  func(ctx context.Context) (*Payment, error) { return g.p.Pay(ctx, &req) },
		facts: func(p *Payment) written { return written{p.ID, p.Amount, &p.Provider, &p.IdempotencyKey} },
		get:   func(ctx context.Context, id string) (*Payment, error) { return payAgain(ctx, g.p, id) },
	})
}

// payAgain reads the payment an uncertain Pay created, to answer the Pay with it: like a
// new payment, a pending one the payer can still be sent to is PaymentRequiresAction.
func payAgain(ctx context.Context, p provider.Provider, id string) (*Payment, error) {
	pm, err := p.GetPayment(ctx, id)
	if err == nil && pm.Status == PaymentPending && pm.RedirectURL != "" {
		pm.Status = PaymentRequiresAction
	}
	return pm, err
}

// GetPayment returns a payment's current state; ErrNotFound when the id is unknown.
func (g *Gateway) GetPayment(ctx context.Context, id string) (p *Payment, err error) {
	const op = "GetPayment"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	return fetch(ctx, g, start, op, provider.OpGetPayment, id,
		func() (*Payment, error) { return g.p.GetPayment(ctx, id) },
		func(p *Payment) *string { return &p.Provider })
}

// Refund returns money from a succeeded payment. Partial and repeated refunds are allowed
// where Capabilities supports them. Calling Refund again with the same IdempotencyKey never
// refunds twice.
func (g *Gateway) Refund(ctx context.Context, req RefundRequest) (r *Refund, err error) {
	const op = "Refund"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	if err := g.checkWrite(op, provider.OpRefund, req.IdempotencyKey, req.Amount, &req); err != nil {
		return nil, err
	}
	rf := g.p.(provider.Refunder)
	return write(ctx, g, start, writeCall[Refund]{op: op, need: provider.OpRefund, key: req.IdempotencyKey, amount: req.Amount, req: &req,
		send:  func(ctx context.Context) (*Refund, error) { return rf.Refund(ctx, &req) },
		facts: func(r *Refund) written { return written{r.ID, r.Amount, &r.Provider, &r.IdempotencyKey} },
		get:   rf.GetRefund,
	})
}

// GetRefund returns a refund by the ID Refund returned.
func (g *Gateway) GetRefund(ctx context.Context, id string) (r *Refund, err error) {
	const op = "GetRefund"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	return fetch(ctx, g, start, op, provider.OpGetRefund, id,
		func() (*Refund, error) { return g.p.(provider.Refunder).GetRefund(ctx, id) },
		func(r *Refund) *string { return &r.Provider })
}

// Payout sends money to an account verified with VerifyAccount. With req.AccountID empty
// and req.ReturnURL set (where Capabilities supports OpPayoutInteractive) the payee
// chooses the account instead: send them to the result's RedirectURL while its Status is
// PayoutPending, and learn the outcome from notifications — where the provider asks
// whether the amount may be paid (a notify.PayoutRequested event), the application
// answers with Event.Decide. Calling Payout again with the same IdempotencyKey never pays
// twice.
func (g *Gateway) Payout(ctx context.Context, req PayoutRequest) (p *Payout, err error) {
	const op = "Payout"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	need := provider.OpPayout
	if req.AccountID == "" && req.ReturnURL != "" {
		need = provider.OpPayoutInteractive
	}
	// An interactive payout on an adapter without it is refused here, before the
	// request's fields are looked at.
	if err := g.begin(op, need, req.IdempotencyKey); err != nil {
		return nil, err
	}
	if err := g.checkWrite(op, provider.OpPayout, req.IdempotencyKey, req.Amount, &req); err != nil {
		return nil, err
	}
	if req.AccountID != "" && req.ReturnURL != "" {
		// A payout to a known account has no page to return from: refuse rather than
		// drop the field.
		return nil, g.invalid(op, req.IdempotencyKey, FieldError{Field: "ReturnURL",
			Problem: "is only for a payout whose payee chooses the account (AccountID empty); leave it empty with AccountID"})
	}
	po := g.p.(provider.Payouter)
	return write(ctx, g, start, writeCall[Payout]{op: op, need: provider.OpPayout, key: req.IdempotencyKey, amount: req.Amount, req: &req,
		send:  func(ctx context.Context) (*Payout, error) { return po.Payout(ctx, &req) },
		facts: func(p *Payout) written { return written{p.ID, p.Amount, &p.Provider, &p.IdempotencyKey} },
		get:   po.GetPayout,
	})
}

// GetPayout returns a payout by ID.
func (g *Gateway) GetPayout(ctx context.Context, id string) (p *Payout, err error) {
	const op = "GetPayout"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	return fetch(ctx, g, start, op, provider.OpGetPayout, id,
		func() (*Payout, error) { return g.p.(provider.Payouter).GetPayout(ctx, id) },
		func(p *Payout) *string { return &p.Provider })
}

// VerifyAccount verifies a bank account for payouts. With req.Account set the provider
// checks the details directly; with it empty the holder is sent to the result's RedirectURL
// (where Capabilities supports OpVerifyAccountInteractive).
func (g *Gateway) VerifyAccount(ctx context.Context, req VerifyAccountRequest) (v *AccountVerification, err error) {
	const op = "VerifyAccount"
	ctx, start := g.open(ctx, op)
	req.IdempotencyKey = g.key(req.IdempotencyKey)
	defer func() { err = g.finish(ctx, op, req.IdempotencyKey, start, err) }()
	need := provider.OpVerifyAccount
	if req.Account.IsZero() {
		need = provider.OpVerifyAccountInteractive
	}
	if err := g.begin(op, need, req.IdempotencyKey); err != nil {
		return nil, err
	}
	av := g.p.(provider.AccountVerifier)
	fields := g.checkRequest(&req)
	if need == provider.OpVerifyAccountInteractive && req.ReturnURL == "" {
		fields = append(fields, FieldError{Field: "ReturnURL", Problem: "is required when Account is empty (interactive verification)"})
	}
	if len(fields) > 0 {
		return nil, g.invalid(op, req.IdempotencyKey, fields...)
	}
	return write(ctx, g, start, writeCall[AccountVerification]{op: op, need: provider.OpVerifyAccount, key: req.IdempotencyKey, req: &req,
		send:  func(ctx context.Context) (*AccountVerification, error) { return av.VerifyAccount(ctx, &req) },
		facts: func(v *AccountVerification) written { return written{id: v.ID, provider: &v.Provider} },
		get:   av.GetAccountVerification,
	})
}

// GetAccountVerification returns a verification by ID, for example after the holder
// returned from an interactive verification.
func (g *Gateway) GetAccountVerification(ctx context.Context, id string) (v *AccountVerification, err error) {
	const op = "GetAccountVerification"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	return fetch(ctx, g, start, op, provider.OpGetAccountVerification, id,
		func() (*AccountVerification, error) {
			return g.p.(provider.AccountVerifier).GetAccountVerification(ctx, id)
		},
		func(v *AccountVerification) *string { return &v.Provider })
}

// NotificationHandler returns an http.Handler for the provider's notifications that
// verifies each one, passes new verified events to fn, and replies as the provider expects.
// The Gateway's logger, tracer provider and meter provider are used unless opts set
// others; each notification gets a span and is counted by result (docs/observability.md).
//
// Only events about this merchant's own calls reach fn: a payment, refund, payout or
// account event must match a call recorded in the Gateway's journal (by the provider's id
// of the object, or the reference the call sent) and report the amount recorded. Any
// other verified notification is acknowledged, so that the provider stops sending it, and
// logged, but never passed to fn. With the default in-memory journal that means events
// about calls made before a restart, or by another instance, are not delivered: give
// every instance the same persistent journal (WithJournal).
//
// The handler remembers notifications under the Gateway's JournalScope (notify.WithScope):
// the provider and the merchant account, so that one notification Store may serve a
// sandbox and a live Gateway, or several merchants, whose notification ids may be alike.
func (g *Gateway) NotificationHandler(fn notify.Func, opts ...notify.Option) (*notify.Handler, error) {
	const op = "NotificationHandler"
	if err := g.begin(op, provider.OpNotifications, ""); err != nil {
		return nil, err
	}
	v := g.p.(notify.Verifier)
	if fn == nil {
		return nil, g.invalid(op, "", FieldError{Field: "fn", Problem: "is required"})
	}
	opts = append(append([]notify.Option{notify.WithLogger(g.log), notify.WithTracerProvider(g.tp), notify.WithMeterProvider(g.mp),
		notify.WithScope(g.scope)}, opts...), notify.WithMatcher(g.ownEvent))
	return notify.NewHandler(journalVerifier{Verifier: v, calls: calls{g}, name: g.name}, fn, opts...), nil
}

func (g *Gateway) checkID(op, key, id string) error {
	if id == "" {
		return &Error{Code: CodeInternal, Op: op, Provider: g.name, IdempotencyKey: key,
			err: errors.New("the provider's answer carried no id")}
	}
	return nil
}

func (g *Gateway) checkIDArg(op, field, id string) error {
	if id == "" || len(id) > 256 {
		return g.invalid(op, "", FieldError{Field: field, Problem: "must be 1 to 256 characters"})
	}
	if p := textProblem(id, false); p != "" {
		return g.invalid(op, "", FieldError{Field: field, Problem: p})
	}
	return nil
}

func (g *Gateway) stamp(prov, key *string, k string) {
	if *prov == "" {
		*prov = g.name
	}
	if key != nil && *key == "" {
		*key = k
	}
}

// pageSeq walks pages until one has no next token.
func pageSeq[T any](ctx context.Context, fetch func(ctx context.Context, token string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token := ""
		for {
			items, next, err := fetch(ctx, token)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" || next == token {
				return
			}
			token = next
		}
	}
}
