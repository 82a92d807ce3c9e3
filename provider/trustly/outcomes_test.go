package trustly_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly"
)

// paidDeposit pays 12.50 EUR, approves it and waits for its credit.
func (e *env) paidDeposit(t *testing.T, ref string) *paybridge.Payment {
	t.Helper()
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payment(ref))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, func(evs []notify.Event) bool {
		for _, ev := range evs {
			if ev.PaymentID == p.ID && ev.Kind == notify.PaymentSucceeded {
				return true
			}
		}
		return false
	})
	return p
}

// TestProcessedWritesWithoutATrustworthyAnswerAreUnknownOutcome covers answers that come
// after Trustly acted but prove nothing: a non-Trustly 500 or 502 page and an unsigned
// error. A write is UnknownOutcome, and repeating it with the same idempotency key gets
// the first result without moving money twice.
func TestProcessedWritesWithoutATrustworthyAnswerAreUnknownOutcome(t *testing.T) {
	faults := map[string]func(*env){
		"HTTP 500 page":   func(e *env) { e.sim.GarbleNextReplies(1, http.StatusInternalServerError) },
		"HTTP 502 page":   func(e *env) { e.sim.GarbleNextReplies(1, http.StatusBadGateway) },
		"unsigned 620":    func(e *env) { e.sim.UnsignedErrorNext(1) },
		"dropped answers": func(e *env) { e.sim.DropNext(1) },
	}
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	balance := func() money.Amount { return money.MustNew(e.sim.Balance("merchant", "EUR"), "EUR") }
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			p := e.paidDeposit(t, "order-uo-"+name)
			req := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "refund-uo-" + name}
			before := balance()
			want, _ := before.Sub(req.Amount)
			fault(e)
			_, err := e.gw.Refund(ctx, req)
			if !errors.Is(err, paybridge.ErrUnknownOutcome) {
				t.Fatalf("got %v, want UnknownOutcome", err)
			}
			if got := balance(); !got.Equal(want) {
				t.Fatalf("the simulator did not process the refund: balance %v, want %v", got, want)
			}
			r, err := e.gw.Refund(ctx, req)
			if err != nil {
				t.Fatalf("repeating with the same key: %v", err)
			}
			if r.Status != paybridge.RefundPending {
				t.Fatalf("refund %+v", r)
			}
			if got := balance(); !got.Equal(want) {
				t.Fatalf("the repeated refund moved money again: balance %v, want %v", got, want)
			}
		})
	}
}

// TestReadsWithoutATrustworthyAnswerAreClassifiedAsWrites: a read is classified by the
// rule every call follows: a page under a 5xx other than 503, or an unsigned error, may
// follow a processed request, and a 503 page says it was refused unprocessed. Repeating
// the read is the Gateway's choice (it repeats both).
func TestReadsWithoutATrustworthyAnswerAreClassifiedAsWrites(t *testing.T) {
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	for status, want := range map[int]provider.Code{
		http.StatusInternalServerError: provider.UnknownOutcome,
		http.StatusBadGateway:          provider.UnknownOutcome,
		http.StatusServiceUnavailable:  provider.ProviderUnavailable,
	} {
		e.sim.GarbleNextReplies(1, status)
		_, err := e.c.Balance(ctx)
		if pe := providerError(t, err); pe.Code != want || pe.HTTPStatus != status {
			t.Fatalf("HTTP %d: got %v (%s), want %s", status, err, pe.Code, want)
		}
	}
	e.sim.UnsignedErrorNext(1)
	_, err := e.c.Balance(ctx)
	pe := providerError(t, err)
	if pe.Code != provider.UnknownOutcome {
		t.Fatalf("unsigned error: got %v", err)
	}
	// The unsigned error's code and message stay visible, although unauthenticated.
	if pe.ProviderCode != "620" || !strings.Contains(pe.Message, "ERROR_UNKNOWN") {
		t.Fatalf("unsigned error lost its code: ProviderCode %q Message %q", pe.ProviderCode, pe.Message)
	}
}

// TestRetriedWriteAfterProcessedFailureMovesMoneyOnce: the Gateway's retry policy resends
// the identical request and Trustly answers with the first result.
func TestRetriedWriteAfterProcessedFailureMovesMoneyOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-rt")
	e.sim.GarbleNextReplies(1, http.StatusBadGateway)
	e.sim.UnsignedErrorNext(1)
	before := e.sim.Requests()
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("2.00", "EUR")}); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Requests() - before; n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	if got := e.sim.Balance("merchant", "EUR"); got != "10.50" {
		t.Fatalf("balance %s, want one refund of 2.00", got)
	}
}

// TestWriteAnsweredWithABadSignatureIsUnknownOutcome: Trustly acted, but the answer does
// not verify (here: the Client trusts Trustly's real TEST key, not the simulator's). The
// refund is reported as UnknownOutcome naming the signature problem, never as a failure.
func TestWriteAnsweredWithABadSignatureIsUnknownOutcome(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-sig")
	cfg := e.cfg
	cfg.TrustlyPublicKey = nil // the embedded TEST key
	c, err := trustly.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c)
	_, err = gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "r-sig"})
	pe := providerError(t, err)
	if pe.Code != provider.UnknownOutcome || !strings.Contains(pe.Message, "signature") || !strings.Contains(pe.Message, "TEST") {
		t.Fatalf("got %v (%s)", err, pe.Code)
	}
	if got := e.sim.Balance("merchant", "EUR"); got != "7.50" {
		t.Fatalf("balance %s: the simulator should have processed the refund", got)
	}
	// A read with the wrong key is still a configuration error.
	_, err = c.Balance(ctx)
	if pe := providerError(t, err); pe.Code != provider.Internal || !strings.Contains(pe.Message, "signature") {
		t.Fatalf("read: got %v", err)
	}
}

// silentLossTransport delivers each request through a transport that reports nothing to
// the caller's trace, as a RoundTripper other than net/http's may, and when armed loses
// the answer after Trustly processed the request.
type silentLossTransport struct{ lose atomic.Bool }

func (s *silentLossTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r.Clone(context.Background()))
	if err != nil || !s.lose.CompareAndSwap(true, false) {
		return resp, err
	}
	_ = resp.Body.Close()
	return nil, errors.New("connection reset by peer")
}

// A transport that reports nothing to the trace cannot show that a request was not
// written: a write whose answer it lost is UnknownOutcome, never ProviderUnavailable.
func TestLostAnswerThroughASilentTransportIsUnknownOutcome(t *testing.T) {
	st := &silentLossTransport{}
	e := newSingleAttemptEnv(t, func(c *trustly.Config) { c.HTTPClient = &http.Client{Transport: st} })
	p := e.paidDeposit(t, "order-silent")
	balance := func() money.Amount { return money.MustNew(e.sim.Balance("merchant", "EUR"), "EUR") }
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "refund-silent"}
	want, _ := balance().Sub(req.Amount)
	st.lose.Store(true)
	_, err := e.gw.Refund(context.Background(), req)
	if !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("got %v, want UnknownOutcome", err)
	}
	if got := balance(); !got.Equal(want) {
		t.Fatalf("the simulator did not process the refund: balance %v, want %v", got, want)
	}
}
