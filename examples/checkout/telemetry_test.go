package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/paybridge/paybridge/internal/testwait"
)

// lockedBuffer is a bytes.Buffer the exporters' goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// With -otel, a payment's calls and notifications are served to Prometheus at /metrics
// and written to standard output as spans and metrics, without the buyer's details.
func TestOtelExportsTracesAndMetrics(t *testing.T) {
	out := &lockedBuffer{}
	a, err := start(context.Background(), config{addr: "127.0.0.1:0", otel: true, telemetryOut: out},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			_ = a.Close(context.Background())
		}
	}()
	o, hosted := checkout(t, a, "trustly")
	if err := a.sims.trustly.EndUser().Approve(t.Context(), hosted); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, a, o.ID, StatusPaid)

	// The order is paid inside the notification's callback; the notification is counted
	// when the handler has replied.
	verified := regexp.MustCompile(`(?m)^paybridge_notifications_total\{[^}]*paybridge_notification_result="verified"[^}]*paybridge_provider="trustly"`)
	var r reply
	testwait.For(t, "/metrics to count the verified notification", func() bool {
		r = do(t, http.MethodGet, a.url+"/metrics", nil)
		if r.status != http.StatusOK {
			t.Fatalf("/metrics answered %d: %s", r.status, r.body)
		}
		return verified.MatchString(r.body)
	})
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^paybridge_calls_total\{[^}]*paybridge_operation="Pay"[^}]*paybridge_outcome="ok"[^}]*paybridge_provider="trustly"[^}]*\} 1$`),
		regexp.MustCompile(`(?m)^paybridge_call_duration_seconds_count\{[^}]*paybridge_operation="Pay"`),
	} {
		if !want.MatchString(r.body) {
			t.Errorf("/metrics has no line matching %s:\n%s", want, r.body)
		}
	}

	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	closed = true
	printed := out.String()
	for _, want := range []string{`"Name":"paybridge.Pay"`, `"Name":"paybridge.notification"`, `"Name":"paybridge.calls"`} {
		if !strings.Contains(printed, want) {
			t.Errorf("standard output lacks %s", want)
		}
	}
	for _, private := range []string{"ada@example.com", "Lovelace", "+441632960961", o.PayKey} {
		if strings.Contains(printed, private) || strings.Contains(r.body, private) {
			t.Errorf("the telemetry carries the order's %q", private)
		}
	}
}
