package trustlyrest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// The adapter keeps no locks and no memory of calls: what stops one idempotency key from
// refunding or paying out twice is the Gateway's journal, and — for processes that do not
// share one — the look-up of the derived merchantReference before sending. These tests run
// several Gateways, each with its own Client over one simulator, as several instances of an
// application would.

// instance is one process of an application: a Client of its own over the simulator and a
// Gateway on journal j. rt, when not nil, carries its requests.
func instance(t *testing.T, e *env, j journal.Journal, rt http.RoundTripper) *paybridge.Gateway {
	t.Helper()
	cfg := e.sim.Config()
	if rt != nil {
		cfg.HTTPClient = &http.Client{Transport: rt}
	}
	c, err := trustlyrest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	t.Cleanup(func() { _ = gw.Close() })
	return gw
}

// atOnce calls f once for each Gateway, all at the same moment, and returns the results
// in order.
func atOnce[T any](t *testing.T, gws []*paybridge.Gateway, f func(context.Context, *paybridge.Gateway) (*T, error)) ([]*T, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	out, errs := make([]*T, len(gws)), make([]error, len(gws))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, gw := range gws {
		wg.Go(func() {
			<-start
			out[i], errs[i] = f(ctx, gw)
		})
	}
	close(start)
	wg.Wait()
	return out, errs
}

// TestSameKeyRefundOnSharedJournalRefundsOnce: two instances sharing one journal refund
// with one key at the same moment, over a link slow enough (150 ms a request) that both
// would look for the refund before either sent it. The journal lets one send while the
// other waits, and gives the waiter the recorded refund: Trustly holds exactly one.
func TestSameKeyRefundOnSharedJournalRefundsOnce(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	p := e.paid("50.00", provider.PaymentSucceeded)
	j := journal.NewMemory()
	gws := []*paybridge.Gateway{instance(t, e, j, nil), instance(t, e, j, nil)}
	e.sim.SetLatency(150 * time.Millisecond)
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("5.00"), IdempotencyKey: "shared-refund"}
	got, errs := atOnce(t, gws, func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Refund, error) {
		return gw.Refund(ctx, req)
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	if got[0].ID != got[1].ID {
		t.Errorf("the instances returned different refunds, %s and %s", got[0].ID, got[1].ID)
	}
	if n := refunds(e); n != 1 {
		t.Fatalf("one idempotency key on a shared journal made %d refunds at Trustly, want 1", n)
	}
}

// TestSameKeyPayoutOnSharedJournalPaysOnce is the same for a payout: Trustly dedupes a
// deposit's reference only once the deposit is authorized.
func TestSameKeyPayoutOnSharedJournalPaysOnce(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	account := verifiedAccount(t, e, "shared-verify")
	j := journal.NewMemory()
	gws := []*paybridge.Gateway{instance(t, e, j, nil), instance(t, e, j, nil)}
	e.sim.SetLatency(150 * time.Millisecond)
	req := paybridge.PayoutRequest{Amount: usd("5.00"), AccountID: account, Payee: testPayee,
		MerchantReference: "w1", IdempotencyKey: "shared-payout"}
	got, errs := atOnce(t, gws, func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payout, error) {
		return gw.Payout(ctx, req)
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	if got[0].ID != got[1].ID {
		t.Errorf("the instances returned different payouts, %s and %s", got[0].ID, got[1].ID)
	}
	if n := deposits(e); n != 1 {
		t.Fatalf("one idempotency key on a shared journal made %d deposits at Trustly, want 1", n)
	}
}

// TestSameKeyRefundOnSeparateJournalsIsFoundByReference: an instance with a journal of its
// own repeats a refund another instance has made. Its journal knows nothing of the key, but
// the adapter looks the capture's refunds up by the merchantReference derived from the key
// before sending: it returns the refund made, and refuses the key with another amount.
func TestSameKeyRefundOnSeparateJournalsIsFoundByReference(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	p := e.paid("50.00", provider.PaymentSucceeded)
	first, second := instance(t, e, journal.NewMemory(), nil), instance(t, e, journal.NewMemory(), nil)
	ctx := context.Background()
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("5.00"), IdempotencyKey: "separate-later"}
	r, err := first.Refund(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := second.Refund(ctx, req)
	if err != nil || again.ID != r.ID {
		t.Fatalf("the repeat on another journal = %+v, %v; want refund %s", again, err, r.ID)
	}
	other := req
	other.Amount = usd("6.00")
	if _, err := second.Refund(ctx, other); !errors.Is(err, paybridge.ErrDuplicate) {
		t.Fatalf("the key with another amount on another journal = %v; want ErrDuplicate", err)
	}
	if n := refunds(e); n != 1 {
		t.Fatalf("%d refunds at Trustly, want 1", n)
	}
}

// meetingTransport holds each refund POST until n of them are on their way, so that every
// caller has made its look-up before any refund reaches Trustly.
type meetingTransport struct {
	n       int
	mu      sync.Mutex
	arrived int
	all     chan struct{}
}

func (m *meetingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/refund") {
		m.mu.Lock()
		if m.arrived++; m.arrived == m.n {
			close(m.all)
		}
		m.mu.Unlock()
		select {
		case <-m.all:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestSameKeyRefundOnSeparateJournalsAtOnceCanRefundTwice documents the window that only a
// shared journal closes. Two instances with journals of their own refund with one key at
// the same moment; each looks the refund's merchantReference up, finds nothing, and sends.
// Trustly does not dedupe refunds (https://amer.developers.trustly.com/payments/docs/idempotency),
// so it makes both. (The meeting transport
// holds each POST until both look-ups are done, the order 150 ms a request makes likely
// without deciding it.) Run every instance on one journal — package journal/pgjournal —
// where a refund must not be made twice.
func TestSameKeyRefundOnSeparateJournalsAtOnceCanRefundTwice(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	p := e.paid("50.00", provider.PaymentSucceeded)
	meet := &meetingTransport{n: 2, all: make(chan struct{})}
	gws := []*paybridge.Gateway{instance(t, e, journal.NewMemory(), meet), instance(t, e, journal.NewMemory(), meet)}
	e.sim.SetLatency(150 * time.Millisecond)
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("5.00"), IdempotencyKey: "separate-at-once"}
	got, errs := atOnce(t, gws, func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Refund, error) {
		return gw.Refund(ctx, req)
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	if got[0].ID == got[1].ID {
		t.Fatalf("both instances returned refund %s; the look-ups were expected to miss each other", got[0].ID)
	}
	var refs []string
	for _, m := range e.sim.Movements() {
		if m.Kind == "Refund" {
			refs = append(refs, m.Reference)
		}
	}
	if len(refs) != 2 || refs[0] != refs[1] {
		t.Fatalf("refunds at Trustly carry the references %q; want two with the one reference derived from the key", refs)
	}
	// A later repeat on a third journal finds one of them by that reference and sends
	// nothing more.
	e.sim.SetLatency(0)
	third, err := instance(t, e, journal.NewMemory(), nil).Refund(context.Background(), req)
	if err != nil || (third.ID != got[0].ID && third.ID != got[1].ID) {
		t.Fatalf("a later repeat = %+v, %v; want one of the refunds made", third, err)
	}
	if n := refunds(e); n != 2 {
		t.Fatalf("%d refunds at Trustly after the later repeat, want still 2", n)
	}
}
