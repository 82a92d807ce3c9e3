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
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// holdingTransport holds the first POST whose path ends with suffix: the caller gives up
// on it (its context ends), and the request reaches the server only when release is
// closed — a write Trustly processes after the client stopped waiting.
type holdingTransport struct {
	next    http.RoundTripper
	suffix  string
	release chan struct{}
	landed  chan struct{}
	once    sync.Once
}

func (h *holdingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	held := false
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, h.suffix) {
		h.once.Do(func() { held = true })
	}
	if !held {
		return h.next.RoundTrip(r)
	}
	late := r.Clone(context.Background())
	go func() {
		<-h.release
		if resp, err := h.next.RoundTrip(late); err == nil {
			resp.Body.Close()
		}
		close(h.landed)
	}()
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// heldEnv is a Gateway over the simulator whose first POST to suffix is held, with a
// settle period far longer than the test.
func heldEnv(t *testing.T, suffix string) (*env, *holdingTransport) {
	ht := &holdingTransport{next: http.DefaultTransport, suffix: suffix, release: make(chan struct{}), landed: make(chan struct{})}
	e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) {
		c.HTTPClient = &http.Client{Transport: ht}
		c.SettlePeriod = time.Hour
	})
	return e, ht
}

// A refund whose POST the client gave up on, repeated while the POST has not reached
// Trustly yet, is not sent again; once the late POST lands, the repeat returns it. Trustly
// does not dedupe refunds, so a second POST would refund twice.
func TestRefundHeldPOSTRefundsOnce(t *testing.T) {
	e, ht := heldEnv(t, "/refund")
	p := e.paid("30.00", provider.PaymentSucceeded)
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("10.00", "USD"), IdempotencyKey: "refund-held"}
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := e.gw.Refund(short, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("refund whose POST was held: %v; want ErrUnknownOutcome", err)
	}
	ctx := context.Background()
	if _, err := e.gw.Refund(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("repeat while the first POST may still land: %v; want ErrUnknownOutcome and nothing sent", err)
	}
	close(ht.release)
	<-ht.landed
	r, err := e.gw.Refund(ctx, req)
	if err != nil || !r.Amount.Equal(req.Amount) {
		t.Fatalf("repeat after the first POST landed: %+v, %v; want its refund", r, err)
	}
	if n := refunds(e); n != 1 {
		t.Fatalf("Trustly holds %d refunds for one idempotency key; want 1", n)
	}
}

// The same for a payout: Trustly answers a repeated deposit reference with 210 only once
// the first deposit is authorized or later, so while it is pending a second POST would pay
// out twice.
func TestPayoutHeldPOSTPaysOnce(t *testing.T) {
	e, ht := heldEnv(t, "/deposit")
	account := heldAccount(t, e)
	req := paybridge.PayoutRequest{Amount: money.MustNew("25.00", "USD"), AccountID: account, Payee: testPayee,
		MerchantReference: "withdrawal-held", IdempotencyKey: "payout-held"}
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := e.gw.Payout(short, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("payout whose POST was held: %v; want ErrUnknownOutcome", err)
	}
	ctx := context.Background()
	if _, err := e.gw.Payout(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("repeat while the first POST may still land: %v; want ErrUnknownOutcome and nothing sent", err)
	}
	close(ht.release)
	<-ht.landed
	po, err := e.gw.Payout(ctx, req)
	if err != nil || !po.Amount.Equal(req.Amount) {
		t.Fatalf("repeat after the first POST landed: %+v, %v; want its payout", po, err)
	}
	if n := deposits(e); n != 1 {
		t.Fatalf("Trustly holds %d deposits for one idempotency key; want 1", n)
	}
}

func heldAccount(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer,
		ReturnURL: "https://shop.example/verified", IdempotencyKey: "verify-held"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

func refunds(e *env) int  { return countMovements(e, "Refund") }
func deposits(e *env) int { return countMovements(e, "Deposit") }
func countMovements(e *env, kind string) int {
	n := 0
	for _, m := range e.sim.Movements() {
		if m.Kind == kind {
			n++
		}
	}
	return n
}
