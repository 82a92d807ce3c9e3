package trustist_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// seen is one request the simulator received.
type seen struct {
	method, path string
	header       http.Header
	body         []byte
}

// env is a simulator behind a recording handler, and an adapter and Gateway over it.
type env struct {
	sim *trustistsim.Server
	p   *trustist.Client
	gw  *paybridge.Gateway

	mu   sync.Mutex
	reqs []seen
	// intercept, when set, sees each request first and may answer it in place of the
	// simulator (returning true).
	intercept func(w http.ResponseWriter, r *http.Request) bool
}

// setIntercept installs f as the env's interceptor.
func (e *env) setIntercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.intercept = f
}

func (e *env) requests() []seen {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]seen(nil), e.reqs...)
}

func (e *env) last() seen {
	r := e.requests()
	return r[len(r)-1]
}

// start runs a simulator with opts and an adapter configured by cfg (nil: both keys).
func start(t *testing.T, opts trustistsim.Options, cfg func(*trustist.Config)) *env {
	t.Helper()
	if opts.RetryBase == 0 {
		opts.RetryBase, opts.RetryMax = 5*time.Millisecond, 50*time.Millisecond
	}
	if opts.DeliveryClient == nil {
		// A webhook attempt fails by the receiver's answer, never by its speed.
		opts.DeliveryClient = &http.Client{Timeout: testwait.Limit}
	}
	e := &env{}
	opts.Wrap = func(sim http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			e.mu.Lock()
			e.reqs = append(e.reqs, seen{r.Method, r.URL.RequestURI(), r.Header.Clone(), body})
			f := e.intercept
			e.mu.Unlock()
			if f != nil && f(w, r) {
				return
			}
			sim.ServeHTTP(w, r)
		})
	}
	sim, err := trustistsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.sim = sim
	t.Cleanup(e.sim.Close)
	c := e.sim.Config()
	if cfg != nil {
		cfg(&c)
	}
	p, err := trustist.New(c)
	if err != nil {
		t.Fatal(err)
	}
	e.p = p
	e.gw = paybridge.New(p, paybridge.WithRetry(paybridge.NoRetry)) // each test sees the adapter's own errors
	t.Cleanup(func() { _ = e.gw.Close() })
	return e
}

func gbp(t *testing.T, v string) money.Amount {
	t.Helper()
	a, err := money.New(v, "GBP")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func payReq(t *testing.T, v, ref string) paybridge.PaymentRequest {
	return paybridge.PaymentRequest{Amount: gbp(t, v), MerchantReference: ref, Description: "test order",
		ReturnURL: "https://shop.example.com/return", CancelURL: "https://shop.example.com/cancel",
		Payer: paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}}
}

func wantCode(t *testing.T, err error, want provider.Code) *provider.Error {
	t.Helper()
	if got := provider.CodeOf(err); got != want {
		t.Fatalf("got error %v (code %s), want %s", err, got, want)
	}
	var pe *provider.Error
	errors.As(err, &pe)
	return pe
}

// events collects what a notification handler passes to the application.
type events struct {
	mu   sync.Mutex
	list []notify.Event
	fail int
}

func (ev *events) fn(_ context.Context, e notify.Event) error {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if ev.fail > 0 {
		ev.fail--
		return errors.New("application down")
	}
	ev.list = append(ev.list, e)
	return nil
}

func (ev *events) all() []notify.Event {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return append([]notify.Event(nil), ev.list...)
}

// waitFor polls cond until it holds, failing after testwait.Limit.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.For(t, what, cond)
}

// post sends body to h and returns the status.
func post(t *testing.T, h http.Handler, body string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notifications", bytes.NewBufferString(body)))
	return rec.Code
}
