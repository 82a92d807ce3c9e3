package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/paybridge/paybridge"
)

// telemetry is what -otel sets up: the Gateways' spans and metrics written to standard
// output as JSON, and the metrics served to Prometheus at /metrics.
type telemetry struct {
	tp      *sdktrace.TracerProvider
	mp      *sdkmetric.MeterProvider
	metrics http.Handler
}

// metricsInterval is how often the metrics are written to standard output.
const metricsInterval = 30 * time.Second

// newTelemetry makes the providers: spans are written to w as each batch ends, metrics
// every metricsInterval and at exit, and kept for a Prometheus scrape of /metrics, from a
// registry of the shop's own.
func newTelemetry(w io.Writer) (*telemetry, error) {
	spans, err := stdouttrace.New(stdouttrace.WithWriter(w))
	if err != nil {
		return nil, err
	}
	printed, err := stdoutmetric.New(stdoutmetric.WithWriter(w))
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	scraped, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	return &telemetry{
		tp: sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans)),
		mp: sdkmetric.NewMeterProvider(
			sdkmetric.WithReader(sdkmetric.NewPeriodicReader(printed, sdkmetric.WithInterval(metricsInterval))),
			sdkmetric.WithReader(scraped)),
		metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}, nil
}

// options are the Gateway options that send the Gateways' telemetry to t's providers.
func (t *telemetry) options() []paybridge.Option {
	return []paybridge.Option{paybridge.WithTracerProvider(t.tp), paybridge.WithMeterProvider(t.mp)}
}

// handler serves /metrics beside the shop.
func (t *telemetry) handler(shop http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", t.metrics)
	mux.Handle("/", shop)
	return mux
}

// Close writes what is left and stops the exporters.
func (t *telemetry) Close(ctx context.Context) error {
	return errors.Join(t.tp.Shutdown(ctx), t.mp.Shutdown(ctx))
}
