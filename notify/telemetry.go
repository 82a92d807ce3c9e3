package notify

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// instrumentationScope is the Gateway's: the Handler is its notification side.
const instrumentationScope = "github.com/paybridge/paybridge"

// The results a Handler records for each notification it processes, as the
// paybridge.notification.result attribute.
const (
	// resultVerified: verified, new, and delivered to the callback, which accepted it.
	resultVerified = "verified"
	// resultRejected: its verification failed, or it is older than WithMaxAge allows.
	resultRejected = "rejected"
	// resultDuplicate: a redelivery of one already processed, answered as before.
	resultDuplicate = "duplicate"
	// resultCallbackFailed: the callback returned an error or panicked; the provider
	// is asked to deliver it again.
	resultCallbackFailed = "callback_failed"
	// resultNotOurs: verified, but about no order of the application's; acknowledged
	// and not delivered.
	resultNotOurs = "not_ours"
	// resultRetryLater: not processed now (the verifier, the matcher or the store asked
	// for a redelivery, or another handler is processing it).
	resultRetryLater = "retry_later"
	// resultFailed: the reply could not be built.
	resultFailed = "failed"
)

// WithTracerProvider sets where the Handler's spans go: one per notification, named
// paybridge.notification, with its provider, kind, notification id and result. The
// default is the global provider (otel.GetTracerProvider). The Gateway's
// NotificationHandler passes the Gateway's.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(h *Handler) {
		if tp != nil {
			h.tp = tp
		}
	}
}

// WithMeterProvider sets where the Handler's metrics go: paybridge.notifications and
// paybridge.notification.duration by provider and result. The default is the global
// provider (otel.GetMeterProvider). The Gateway's NotificationHandler passes the
// Gateway's.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(h *Handler) {
		if mp != nil {
			h.mp = mp
		}
	}
}

// telemetry is a Handler's tracer and instruments.
type telemetry struct {
	tracer   trace.Tracer
	count    metric.Int64Counter
	duration metric.Float64Histogram
}

var (
	attrProvider = attribute.Key("paybridge.provider")
	attrResult   = attribute.Key("paybridge.notification.result")
	attrKind     = attribute.Key("paybridge.notification.kind")
	attrID       = attribute.Key("paybridge.notification.id")
)

func (h *Handler) newTelemetry() {
	if h.tp == nil {
		h.tp = otel.GetTracerProvider()
	}
	if h.mp == nil {
		h.mp = otel.GetMeterProvider()
	}
	m := h.mp.Meter(instrumentationScope)
	// An instrument the provider refuses comes back as a no-op one: telemetry must not
	// stop notifications.
	h.tel.tracer = h.tp.Tracer(instrumentationScope)
	h.tel.count, _ = m.Int64Counter("paybridge.notifications", metric.WithUnit("{notification}"),
		metric.WithDescription("Notifications received, by provider and result."))
	h.tel.duration, _ = m.Float64Histogram("paybridge.notification.duration", metric.WithUnit("s"),
		metric.WithDescription("Time to verify, match and deliver a notification and build its reply."),
		metric.WithExplicitBucketBoundaries(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
}

// delivery is the record of one notification being processed.
type delivery struct {
	span     trace.Span
	start    time.Time
	provider string
	result   string
}

// begin starts a notification's span; the returned context carries it to the verifier,
// the matcher and the callback.
func (h *Handler) begin(ctx context.Context) (context.Context, delivery) {
	ctx, span := h.tel.tracer.Start(ctx, "paybridge.notification")
	return ctx, delivery{span: span, start: time.Now(), provider: h.provider}
}

// verified adds what the verified notification n says about itself.
func (d *delivery) verified(n *Notification) {
	if n.Event.Provider != "" {
		d.provider = n.Event.Provider
	}
	if d.span.IsRecording() {
		d.span.SetAttributes(attrKind.String(string(n.Event.Kind)), attrID.String(n.ID))
	}
}

// end ends the span and counts the notification under its result.
func (h *Handler) end(ctx context.Context, d *delivery) {
	if d.span.IsRecording() {
		d.span.SetAttributes(attrProvider.String(d.provider), attrResult.String(d.result))
		switch d.result {
		case resultRejected, resultCallbackFailed, resultFailed:
			d.span.SetStatus(codes.Error, d.result)
		}
	}
	d.span.End()
	if h.tel.count.Enabled(ctx) || h.tel.duration.Enabled(ctx) {
		attrs := metric.WithAttributeSet(attribute.NewSet(attrProvider.String(d.provider), attrResult.String(d.result)))
		h.tel.count.Add(ctx, 1, attrs)
		h.tel.duration.Record(ctx, time.Since(d.start).Seconds(), attrs)
	}
}
