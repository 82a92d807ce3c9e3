package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// Scenario is one named conformance check.
type Scenario struct {
	Name string
	// Doc says what the scenario proves.
	Doc string
	run func(ctx context.Context, t T, s *suite)
}

// Scenarios returns the suite's scenarios in the order they run.
func Scenarios() []Scenario { return scenarios }

// RunConformanceTests runs every scenario as a subtest of t, named after the scenario.
func RunConformanceTests(t *testing.T, h Harness) {
	t.Helper()
	if h.NewGateway == nil {
		t.Fatal("conformance: Harness.NewGateway is required")
	}
	if h.Currency.IsZero() {
		t.Fatal("conformance: Harness.Currency is required")
	}
	s, cleanup := newSuite(t, h)
	t.Cleanup(cleanup)
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), s.h.Timeout)
			defer cancel()
			sc.run(ctx, t, s)
		})
	}
}

// newSuite opens the Gateway and the notification endpoint shared by the scenarios.
func newSuite(t T, h Harness) (*suite, func()) {
	h.defaults()
	s := &suite{h: h, logs: &syncBuffer{}, changed: make(chan struct{}), failNext: map[string]int{}}
	logger := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.opts = append([]paybridge.Option{paybridge.WithLogger(logger)}, h.GatewayOptions...)
	setup, cancel := context.WithTimeout(context.Background(), h.Timeout)
	defer cancel()
	s.gw = h.NewGateway(setup, t, s.opts...)
	s.caps = s.gw.Capabilities()
	s.startNotifications(t, logger)
	return s, func() {
		if s.srv != nil {
			s.srv.Close()
		}
		_ = s.gw.Close()
	}
}

// suite is the state shared by the scenarios of one run.
type suite struct {
	h    Harness
	gw   *paybridge.Gateway
	caps paybridge.Capabilities
	opts []paybridge.Option
	logs *syncBuffer

	srv       *httptest.Server
	notifyURL string

	mu        sync.Mutex
	events    []notify.Event
	calls     map[string]int // callback calls per notification id
	changed   chan struct{}
	exchanges []exchange
	inflight  int            // notification requests being handled now
	failNext  map[string]int // payment id -> failures to inject into its success notification
	errTexts  []string       // error messages seen, checked for secrets
}

// exchange is one notification request and the handler's response.
type exchange struct {
	body     []byte
	header   http.Header
	status   int
	respBody []byte
}

func (s *suite) startNotifications(t T, logger *slog.Logger) {
	if !s.caps.Supports(paybridge.OpNotifications) || !s.h.LoopbackNotifications {
		return
	}
	s.calls = map[string]int{}
	h, err := s.gw.NotificationHandler(s.onEvent, notify.WithLogger(logger))
	if err != nil {
		t.Fatalf("NotificationHandler: %v", err)
	}
	s.srv = httptest.NewServer(s.record(h))
	s.notifyURL = s.srv.URL + "/notifications"
	if s.h.SetNotificationURL != nil {
		s.h.SetNotificationURL(s.notifyURL)
	}
}

// onEvent is the application callback: it records the event, failing on request. It lets
// a payout the provider asks about go on (the payee's payouts are the suite's own).
func (s *suite) onEvent(_ context.Context, e notify.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[e.ID]++
	if e.Kind == notify.PayoutRequested && e.AsksDecision() {
		if err := e.Decide(notify.Continue); err != nil {
			return err
		}
	}
	// Failures are injected into the payment's success notification, the one the
	// scenario counts; earlier notifications of the payment (authorized, pending) pass.
	if e.Kind == notify.PaymentSucceeded && e.PaymentID != "" && s.failNext[e.PaymentID] > 0 {
		s.failNext[e.PaymentID]--
		s.broadcastLocked()
		return fmt.Errorf("conformance: injected callback failure for %s", e.PaymentID)
	}
	s.events = append(s.events, e)
	s.broadcastLocked()
	return nil
}

func (s *suite) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// record captures each notification exchange.
func (s *suite) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.inflight++
		s.mu.Unlock()
		body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		s.mu.Lock()
		s.inflight--
		s.exchanges = append(s.exchanges, exchange{body: body, header: r.Header.Clone(), status: rec.Code, respBody: rec.Body.Bytes()})
		s.broadcastLocked()
		s.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// sentNothing runs f and reports how many requests the provider received meanwhile. A
// notification handled during f may itself call the provider (adapters of providers that
// do not sign notifications fetch the object again), so the measurement is repeated,
// up to a few times, until no notification was handled while f ran.
func (s *suite) sentNothing(ctx context.Context, f func()) int64 {
	var sent int64
	for attempt := 0; attempt < 5; attempt++ {
		s.mu.Lock()
		busy, seen := s.inflight, len(s.exchanges)
		s.mu.Unlock()
		before := s.requests()
		f()
		sent = s.requests() - before
		s.mu.Lock()
		quiet := busy == 0 && s.inflight == 0 && len(s.exchanges) == seen
		s.mu.Unlock()
		if quiet || sent == 0 {
			return sent
		}
		select {
		case <-ctx.Done():
			return sent
		case <-time.After(50 * time.Millisecond):
		}
	}
	return sent
}

// waitEvent waits for a delivered event matching pred.
func (s *suite) waitEvent(ctx context.Context, pred func(notify.Event) bool) (notify.Event, error) {
	for {
		s.mu.Lock()
		for _, e := range s.events {
			if pred(e) {
				s.mu.Unlock()
				return e, nil
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return notify.Event{}, fmt.Errorf("no matching notification arrived: %w", ctx.Err())
		case <-ch:
		}
	}
}

func (s *suite) callCount(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[id]
}

// exchangeFor waits until the suite's server has answered the delivery of body.
func (s *suite) exchangeFor(ctx context.Context, body []byte) (exchange, bool) {
	for {
		s.mu.Lock()
		for i := len(s.exchanges) - 1; i >= 0; i-- {
			if bytes.Equal(s.exchanges[i].body, body) {
				ex := s.exchanges[i]
				s.mu.Unlock()
				return ex, true
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return exchange{}, false
		case <-ch:
		}
	}
}

// noteErr keeps an error's text for the secrets scenario.
func (s *suite) noteErr(err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	s.errTexts = append(s.errTexts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	s.mu.Unlock()
}

// amount returns a test amount in the harness currency.
func (s *suite) amount(t T, value string) money.Amount {
	t.Helper()
	a, err := money.NewCurrency(value, s.h.Currency)
	if err != nil {
		t.Fatalf("amount %s: %v", value, err)
	}
	return a
}

func newRef(prefix string) string {
	return prefix + "-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:20]
}

// paymentRequest returns a valid request for value, with the optional fields the
// provider carries.
func (s *suite) paymentRequest(t T, value string) paybridge.PaymentRequest {
	return paybridge.PaymentRequest{
		Amount:            s.amount(t, value),
		MerchantReference: newRef("order"),
		Description:       s.carried("PaymentRequest.Description", "conformance test order"),
		ReturnURL:         "https://merchant.example.com/return",
		CancelURL:         "https://merchant.example.com/cancel",
		NotificationURL:   s.notifyURL,
		Payer:             s.person("PaymentRequest.Payer"),
	}
}

// carried returns v unless name is an optional request field (see
// provider.RequestFieldNames) that the provider does not carry, which the Gateway would
// refuse; then "".
func (s *suite) carried(name, v string) string {
	if s.refuses(name) {
		return ""
	}
	return v
}

// refuses reports whether the Gateway refuses a request setting name, an optional request
// field the provider does not carry.
func (s *suite) refuses(name string) bool {
	return slices.Contains(provider.RequestFieldNames, name) && !s.caps.CarriesRequestField(name)
}

// person returns the Harness's Payer without the optional fields the provider does not
// carry for the request field prefix ("PaymentRequest.Payer", "PayoutRequest.Payee").
func (s *suite) person(prefix string) paybridge.Person {
	p := s.h.Payer
	p.Phone = s.carried(prefix+".Phone", p.Phone)
	p.DateOfBirth = s.carried(prefix+".DateOfBirth", p.DateOfBirth)
	p.NationalID = s.carried(prefix+".NationalID", p.NationalID)
	if s.refuses(prefix + ".Address") {
		p.Address = nil
	}
	return p
}

// requireCap skips the scenario unless every operation is supported.
func (s *suite) requireCap(t T, ops ...paybridge.Operation) {
	t.Helper()
	for _, op := range ops {
		if !s.caps.Supports(op) {
			reason := "provider does not support " + string(op)
			if n := s.caps.Notes[op]; n != "" {
				reason += " (" + n + ")"
			}
			t.Skip(reason + "; the Capabilities scenario checks it returns ErrNotSupported")
		}
	}
}

func (s *suite) requireEndUser(t T) {
	t.Helper()
	if s.h.EndUser == nil {
		t.Skip("harness has no EndUser to act on hosted pages")
	}
}

func (s *suite) requireNotifications(t T) {
	t.Helper()
	s.requireCap(t, paybridge.OpNotifications)
	if s.srv == nil {
		t.Skip("provider cannot deliver notifications to this machine (Harness.LoopbackNotifications is false)")
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// poll calls f with growing waits until it reports done or ctx ends.
func (s *suite) poll(ctx context.Context, f func() (bool, error)) error {
	wait := s.h.PollInterval
	for {
		done, err := f()
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}
