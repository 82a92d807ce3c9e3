package paybridge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/paybridge/paybridge/provider"
)

// instrumentationScope names the tracer and meter of the Gateway and of package notify.
const instrumentationScope = "github.com/paybridge/paybridge"

// The attributes of the Gateway's spans and metrics (docs/observability.md lists them all).
const (
	attrProvider  = attribute.Key("paybridge.provider")
	attrOperation = attribute.Key("paybridge.operation")
	attrOutcome   = attribute.Key("paybridge.outcome")
	attrAttempts  = attribute.Key("paybridge.attempts")
	attrKeyHash   = attribute.Key("paybridge.idempotency_key.sha256")
	attrRequestID = attribute.Key("paybridge.provider.request_id")
	attrErrorCode = attribute.Key("paybridge.error.code")
	attrClaim     = attribute.Key("paybridge.journal.claim")
)

// outcomeOK is the outcome of a call that succeeded; a failed call's outcome is its error
// code's name ("declined", "unknown_outcome", ...).
const outcomeOK = "ok"

// WithTracerProvider sets where the Gateway's spans go: one per call, with a child per
// HTTP attempt the adapter makes, and one per notification its NotificationHandler
// receives. Without it the Gateway uses the global provider (otel.GetTracerProvider),
// which records nothing until the application sets one. docs/observability.md lists the
// spans and their attributes; none carries a credential, a request or response body, a
// URL or an idempotency key (only its SHA-256).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(g *Gateway) {
		if tp != nil {
			g.tp = tp
		}
	}
}

// WithMeterProvider sets where the Gateway's metrics go: calls and their duration by
// provider, operation and outcome, retries, journal claims, conflicts and uncertain
// calls, and notifications by result. Without it the Gateway uses the global provider
// (otel.GetMeterProvider), which records nothing until the application sets one.
// docs/observability.md lists the instruments and their attributes.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(g *Gateway) {
		if mp != nil {
			g.mp = mp
		}
	}
}

// telemetry holds the Gateway's tracer and instruments.
type telemetry struct {
	tracer    trace.Tracer
	calls     metric.Int64Counter
	duration  metric.Float64Histogram
	retries   metric.Int64Counter
	claims    metric.Int64Counter
	conflicts metric.Int64Counter
	uncertain metric.Int64Counter
	provider  attribute.KeyValue
}

// newTelemetry makes the tracer and instruments from the Gateway's providers, the global
// ones when none was given. An instrument the meter provider refuses is replaced by the
// API's no-op one, and the refusal logged.
func (g *Gateway) newTelemetry() {
	if g.tp == nil {
		g.tp = otel.GetTracerProvider()
	}
	if g.mp == nil {
		g.mp = otel.GetMeterProvider()
	}
	m := g.mp.Meter(instrumentationScope)
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	t := telemetry{
		tracer:    g.tp.Tracer(instrumentationScope),
		provider:  attrProvider.String(g.name),
		calls:     counter("paybridge.calls", "{call}", "Gateway calls, by provider, operation and outcome."),
		retries:   counter("paybridge.retries", "{retry}", "Repeats of a Gateway call's request after an attempt failed."),
		claims:    counter("paybridge.journal.claims", "{claim}", "Journal claims of money-moving calls, by result."),
		conflicts: counter("paybridge.journal.conflicts", "{call}", "Calls refused because their idempotency key was used with another request."),
		uncertain: counter("paybridge.journal.uncertain", "{call}", "Calls recorded in the journal with an unknown outcome."),
	}
	var err error
	t.duration, err = m.Float64Histogram("paybridge.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of Gateway calls, retries and waits included."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		g.log.Warn("paybridge: the meter provider refused an instrument; it records nothing", "error", err.Error())
	}
	g.tel = t
}

// spanNames are the call spans' names, made once.
var spanNames = map[string]string{}

func init() {
	for _, op := range []string{"Pay", "GetPayment", "Refund", "GetRefund", "Payout", "GetPayout", "VerifyAccount",
		"GetAccountVerification", "Capture", "GetCapture", "Void", "CreateMandate", "GetMandate", "Charge",
		"CancelMandate", "CreateCustomer", "GetCustomer", "UpdateCustomer", "ListCustomers", "Ledger"} {
		spanNames[op] = "paybridge." + op
	}
}

// open starts a call's span, whose context the call passes to the adapter, so that the
// adapter's HTTP attempts become its children (package transport starts them). It
// returns the call's start time, for finish.
func (g *Gateway) open(ctx context.Context, op string) (context.Context, time.Time) {
	name, ok := spanNames[op]
	if !ok {
		name = "paybridge." + op
	}
	ctx, _ = g.tel.tracer.Start(ctx, name)
	return ctx, time.Now()
}

// observe ends the call's span and records its metrics. err is the error the call
// returns.
func (g *Gateway) observe(ctx context.Context, op, key string, start time.Time, err error) {
	outcome := outcomeOK
	if err != nil {
		outcome = CodeOf(err).String()
	}
	span := trace.SpanFromContext(ctx)
	if span.IsRecording() {
		span.SetAttributes(g.tel.provider, attrOperation.String(op), attrOutcome.String(outcome))
		if key != "" {
			span.SetAttributes(attrKeyHash.String(keyHash(key)))
		}
		var pe *provider.Error
		if errors.As(err, &pe) && pe.CorrelationID != "" {
			span.SetAttributes(attrRequestID.String(pe.CorrelationID))
		}
		if err != nil {
			// The code only: an error's text may quote what the provider said about the
			// request, and a span leaves the process.
			span.SetStatus(codes.Error, outcome)
		}
	}
	span.End()
	if g.tel.calls.Enabled(ctx) || g.tel.duration.Enabled(ctx) {
		attrs := metric.WithAttributeSet(attribute.NewSet(g.tel.provider, attrOperation.String(op), attrOutcome.String(outcome)))
		g.tel.calls.Add(ctx, 1, attrs)
		g.tel.duration.Record(ctx, time.Since(start).Seconds(), attrs)
	}
}

// keyHash is what spans carry of an idempotency key, which a caller may have made of
// personal data: its SHA-256, in hex.
func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// attempted records on the call's span how many attempts withRetries made.
func attempted(ctx context.Context, n int) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attrAttempts.Int(n))
	}
}

// retried counts a repeat withRetries is about to make after the failed attempt err.
func (g *Gateway) retried(ctx context.Context, op string, err error) {
	if g.tel.retries.Enabled(ctx) {
		g.tel.retries.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(g.tel.provider, attrOperation.String(op),
			attrErrorCode.String(provider.CodeOf(err).String()))))
	}
}

// journaled counts a journal claim: held when the call goes ahead, recorded when the
// journal answers it with an earlier call's outcome, conflict when the key was used with
// another request.
func (g *Gateway) journaled(ctx context.Context, op, result string) {
	c := g.tel.claims
	if result == "conflict" {
		c = g.tel.conflicts
	}
	if c.Enabled(ctx) {
		set := attribute.NewSet(g.tel.provider, attrOperation.String(op))
		if result != "conflict" {
			set = attribute.NewSet(g.tel.provider, attrOperation.String(op), attrClaim.String(result))
		}
		c.Add(ctx, 1, metric.WithAttributeSet(set))
	}
}

// uncertainRecorded counts a call recorded with an unknown outcome.
func (g *Gateway) uncertainRecorded(ctx context.Context, op string) {
	if g.tel.uncertain.Enabled(ctx) {
		g.tel.uncertain.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(g.tel.provider, attrOperation.String(op))))
	}
}
