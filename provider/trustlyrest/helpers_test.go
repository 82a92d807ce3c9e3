package trustlyrest_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// env is a simulator, an adapter over it, a Gateway, and a notification endpoint that
// records the events the application receives.
type env struct {
	t      *testing.T
	sim    *trustlyrestsim.Server
	client *trustlyrest.Client
	gw     *paybridge.Gateway
	user   *trustlyrestsim.EndUser
	hook   *httptest.Server

	mu     sync.Mutex
	events []notify.Event
	fail   func(notify.Event) bool
}

func newEnv(t *testing.T, opts trustlyrestsim.Options, tweak func(*trustlyrest.Config)) *env {
	t.Helper()
	if opts.RetryBase == 0 {
		opts.RetryBase, opts.RetryMax = 5*time.Millisecond, 50*time.Millisecond
	}
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 2 * time.Millisecond
	}
	if opts.AckTimeout == 0 {
		opts.AckTimeout = testwait.Limit // an answer counts by its status, not by its speed
	}
	sim, err := trustlyrestsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, sim: sim}
	t.Cleanup(e.sim.Close)
	cfg := e.sim.Config()
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := trustlyrest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Slow API work must not make the handler answer 503: notifybudget_test.go tests that.
	trustlyrest.SetNotificationBudget(c, testwait.Limit)
	e.client, e.gw, e.user = c, paybridge.New(c, paybridge.WithRetry(paybridge.NoRetry)), e.sim.EndUser() // the adapter's own errors
	h, err := e.gw.NotificationHandler(e.onEvent)
	if err != nil {
		t.Fatal(err)
	}
	e.hook = httptest.NewServer(h)
	t.Cleanup(e.hook.Close)
	e.sim.SetNotificationURL(e.hook.URL)
	return e
}

func (e *env) onEvent(_ context.Context, ev notify.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil && e.fail(ev) {
		return errors.New("injected failure")
	}
	e.events = append(e.events, ev)
	return nil
}

// waitEvent waits until an event matching pred was processed.
func (e *env) waitEvent(pred func(notify.Event) bool) notify.Event {
	e.t.Helper()
	var found notify.Event
	testwait.For(e.t, "a matching event", func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, ev := range e.events {
			if pred(ev) {
				found = ev
				return true
			}
		}
		return false
	})
	return found
}

func usd(v string) money.Amount { return money.MustNew(v, "USD") }

func (e *env) payReq(amount string) paybridge.PaymentRequest {
	return paybridge.PaymentRequest{
		Amount: usd(amount), MerchantReference: "order-" + time.Now().Format("150405.000000000"),
		Description: "test order", ReturnURL: "https://shop.example/return", CancelURL: "https://shop.example/cancel",
		Payer: trustlyrestsim.TestPayer,
	}
}

// paid pays and approves, and waits until the payment reports want.
func (e *env) paid(amount string, want provider.PaymentStatus) *paybridge.Payment {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payReq(amount))
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.user.Approve(ctx, p.RedirectURL); err != nil {
		e.t.Fatal(err)
	}
	return e.waitPayment(p.ID, want)
}

func (e *env) waitPayment(id string, want provider.PaymentStatus) *paybridge.Payment {
	e.t.Helper()
	var last *paybridge.Payment
	testwait.For(e.t, "payment "+id+" to be "+string(want), func() bool {
		p, err := e.gw.GetPayment(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		last = p
		return p.Status == want
	})
	return last
}

func codeOf(err error) paybridge.Code { return paybridge.CodeOf(err) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// testPayee is the payee of test payouts: TestPayer without the address a Trustly deposit
// has no place for (the Gateway refuses it rather than drop it).
var testPayee = func() paybridge.Person {
	p := trustlyrestsim.TestPayer
	p.Address = nil
	return p
}()

// waitFor waits until cond holds, bounded by progress as testwait bounds it.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	testwait.For(e.t, what, cond)
}

// capturesOf lists a payment's captures with the adapter's own listing.
func capturesOf(t *testing.T, e *env, paymentID string) []*trustlyrest.Transaction {
	t.Helper()
	var out []*trustlyrest.Transaction
	for tx, err := range e.client.Transactions(context.Background(), trustlyrest.TransactionFilter{OriginalTransactionID: paymentID, Types: []int{3}}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tx)
	}
	return out
}
