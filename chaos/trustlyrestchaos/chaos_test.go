package trustlyrestchaos_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/chaos/chaostest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// chaosOps returns how many operations each chaos test sends: 2,000, or 200 under -short.
func chaosOps() int { return chaostest.Ops(2000) }

var chaosUSD = money.MustCurrency("USD")

// chaosEnv is a simulator, a Gateway over the trustlyrest adapter with the chaos tests'
// client timeout and retry policy, and the notification receiver the simulator posts to.
type chaosEnv struct {
	sim *trustlyrestsim.Server
	gw  *paybridge.Gateway
	rec *chaostest.Receiver
}

func startChaos(t *testing.T) *chaosEnv {
	t.Helper()
	s, err := trustlyrestsim.Start(trustlyrestsim.Options{SettleDelay: time.Millisecond,
		Options: simkit.Options{RetryBase: 10 * time.Millisecond, RetryMax: 250 * time.Millisecond, MaxAttempts: 1_000_000}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	cfg.HTTPClient = chaostest.Client()
	// A write the client gave up on is processed by the simulator when it arrives (its
	// faults delay answers, not requests), so "not found" proves it absent a little after
	// the client's timeout; a real Trustly needs the default minutes.
	cfg.SettlePeriod = 3 * chaostest.ClientTimeout
	c, err := trustlyrest.New(cfg)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	gw := paybridge.New(c, paybridge.WithRetry(chaostest.Retry))
	t.Cleanup(func() { _ = gw.Close() })
	rec := chaostest.NewReceiver(t, gw)
	s.SetNotificationURL(rec.URL())
	t.Cleanup(s.Close) // first: no delivery outlives the receiver
	return &chaosEnv{sim: s, gw: gw, rec: rec}
}

// chaos turns the request faults of the plain-answer mix on.
func (e *chaosEnv) chaos(t *testing.T, seed int64) {
	t.Helper()
	req := chaostest.PlainAnswers
	req.DelayBy = chaostest.DelayBy
	if err := e.sim.SetChaos(simkit.Chaos{Seed: seed, Requests: req}); err != nil {
		t.Fatal(err)
	}
}

func (e *chaosEnv) pay(ctx context.Context, ref, key string, amount money.Amount) (*paybridge.Payment, error) {
	return e.gw.Pay(ctx, paybridge.PaymentRequest{Amount: amount, MerchantReference: ref, Description: "Chaos order",
		ReturnURL: "https://shop.example/return", Payer: trustlyrestsim.TestPayer, IdempotencyKey: key})
}

// waitStates waits until the application holds want for every object prefix+id.
func (e *chaosEnv) waitStates(t *testing.T, prefix string, ids []string, want notify.Kind) {
	t.Helper()
	chaostest.Await(t, "the application to learn the outcome of every "+prefix+"object", func() (bool, int) {
		return chaostest.Count(ids, func(id string) bool { return e.rec.State(prefix+id) == want })
	})
}

// captured pays, approves and captures n payments of amount without faults, and waits
// until the application knows every capture completed; each worker waits for its
// payment's capture before it takes the next. It returns the payments' ids.
func (e *chaosEnv) captured(t *testing.T, n int, amount money.Amount) []string {
	t.Helper()
	ids := make([]string, n)
	approved := make([]bool, n)
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("setup-pay-%d", i)
		if ids[i] == "" {
			p, err := e.pay(ctx, fmt.Sprintf("setup-%d", i), key, amount)
			if err != nil {
				return key, err
			}
			ids[i] = p.ID
		}
		if !approved[i] {
			if err := e.sim.CompletePage(ids[i], "approve"); err != nil {
				t.Errorf("setup-%d: approving payment %q: %v", i, ids[i], err)
				return key, nil
			}
			approved[i] = true
		}
		return key, e.rec.Reached(t, "payment/"+ids[i], notify.PaymentSucceeded)
	})
	if t.Failed() {
		t.FailNow()
	}
	return ids
}

// callerRef returns the caller's MerchantReference from a merchantReference the adapter
// built: "<caller's>.pb<digest>", with ".c" after it for a capture.
func callerRef(ref string) string {
	before, _, _ := strings.Cut(ref, ".pb")
	return before
}

func (e *chaosEnv) result(seed int64, op string, st chaostest.Stats, r chaostest.Reconciliation) chaostest.Result {
	return chaostest.Result{Adapter: trustlyrest.Name, Operation: op, Seed: seed, Rate: chaostest.PlainAnswers.Total(), Stats: st,
		Faults: e.sim.ChaosCounts().Requests, Reconciliation: r}
}

// TestChaosPay establishes 2,000 payments while 30% of the REST requests fail before
// processing, lose their answer after it, answer too late or answer malformed, repeating
// each with its key until it succeeds. The payer then authorizes each one, and the
// adapter captures it — from the Authorize notification and from GetPayment polls, both
// under the same faults. Every payment must be captured exactly once, with its amount,
// under the authorization the caller was given.
func TestChaosPay(t *testing.T) {
	t.Parallel() // each test has its own simulator and Gateway; most of a run waits on the faults' delays
	seed := chaostest.Seed(t)
	e := startChaos(t)
	e.chaos(t, seed)
	want, ids, st := chaostest.Payments(t, chaosOps(), chaosUSD, func(ctx context.Context, ref, key string, amount money.Amount) (string, error) {
		p, err := e.pay(ctx, ref, key, amount)
		if err != nil {
			return "", err
		}
		return p.ID, nil
	})
	approved := make([]bool, chaosOps())
	polls := chaostest.Run(t, chaosOps(), chaostest.Options{Allowed: []paybridge.Code{paybridge.CodeInternal}},
		func(ctx context.Context, i int) (string, error) {
			if !approved[i] {
				// The payer approves; the Authorize notification and these polls race
				// to capture.
				if err := e.sim.CompletePage(ids[i], "approve"); err != nil {
					t.Errorf("order-%d: approving payment %q: %v", i, ids[i], err)
				}
				approved[i] = true
			}
			p, err := e.gw.GetPayment(ctx, ids[i])
			if err == nil && p.Status != paybridge.PaymentSucceeded {
				err = chaostest.ErrPending
			}
			return "", err
		})
	t.Logf("GetPayment until captured: %d calls, %d after errors, %d polls", polls.Calls, polls.Retries, polls.Polls)
	e.waitStates(t, "payment/", ids, notify.PaymentSucceeded)
	var got []chaostest.Applied
	parent := map[string]string{}
	for _, m := range e.sim.Movements() {
		if m.Kind == "Capture" {
			got = append(got, chaostest.Applied{Key: callerRef(m.Reference), Amount: m.Amount})
			parent[callerRef(m.Reference)] = m.ParentID
		}
	}
	r := chaostest.Reconcile(t, want, got)
	for i, id := range ids {
		if ref := fmt.Sprintf("order-%d", i); parent[ref] != id {
			t.Errorf("%s: the caller was given payment %s, the capture is under %s", ref, id, parent[ref])
		}
	}
	chaostest.Log(t, e.result(seed, "Pay", st, r))
}

// TestChaosRefund refunds 500 captured payments four times each under the same faults.
// Every refund (by the merchantReference derived from its key) must be made exactly
// once with its amount. Malformed answers to the look-ups a refund makes first end the
// call with Internal, which the caller repeats.
func TestChaosRefund(t *testing.T) {
	t.Parallel() // each test has its own simulator and Gateway; most of a run waits on the faults' delays
	seed := chaostest.Seed(t)
	e := startChaos(t)
	payments := e.captured(t, chaosOps()/4, money.FromMinorCurrency(400_00, chaosUSD))
	e.chaos(t, seed)
	want := map[string]money.Amount{}
	for i := range chaosOps() {
		want[fmt.Sprintf("refund-%d", i)] = chaostest.Amount(chaosUSD, i)
	}
	st := chaostest.Run(t, chaosOps(), chaostest.Options{Allowed: []paybridge.Code{paybridge.CodeInternal}},
		func(ctx context.Context, i int) (string, error) {
			key := fmt.Sprintf("refund-key-%d", i)
			_, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: payments[i%len(payments)], Amount: chaostest.Amount(chaosUSD, i),
				MerchantReference: fmt.Sprintf("refund-%d", i), IdempotencyKey: key})
			return key, err
		})
	var got []chaostest.Applied
	for _, m := range e.sim.Movements() {
		if m.Kind == "Refund" {
			got = append(got, chaostest.Applied{Key: callerRef(m.Reference), Amount: m.Amount})
		}
	}
	chaostest.Log(t, e.result(seed, "Refund", st, chaostest.Reconcile(t, want, got)))
}

// TestChaosPayout pays out 2,000 times, 20 times each to 100 accounts verified
// interactively, under the same faults. Every payout (by the merchantReference derived
// from its key) must be deposited exactly once with its amount.
func TestChaosPayout(t *testing.T) {
	t.Parallel() // each test has its own simulator and Gateway; most of a run waits on the faults' delays
	seed := chaostest.Seed(t)
	e := startChaos(t)
	accounts := make([]string, chaosOps()/20)
	approved := make([]bool, len(accounts))
	chaostest.Run(t, len(accounts), chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("account-%d", i)
		if accounts[i] == "" {
			v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer,
				Currency: chaosUSD, ReturnURL: "https://shop.example/accounts", IdempotencyKey: key})
			if err != nil {
				return key, err
			}
			accounts[i] = v.ID
		}
		if !approved[i] {
			if err := e.sim.CompletePage(accounts[i], "approve"); err != nil {
				t.Errorf("account-%d: approving %q: %v", i, accounts[i], err)
				return key, nil
			}
			approved[i] = true
		}
		return key, e.rec.Reached(t, "account/"+accounts[i], notify.AccountVerified)
	})
	if t.Failed() {
		t.FailNow()
	}
	e.chaos(t, seed)
	want := map[string]money.Amount{}
	for i := range chaosOps() {
		want[fmt.Sprintf("payout-%d", i)] = chaostest.Amount(chaosUSD, i)
	}
	st := chaostest.Run(t, chaosOps(), chaostest.Options{Allowed: []paybridge.Code{paybridge.CodeInternal}},
		func(ctx context.Context, i int) (string, error) {
			key := fmt.Sprintf("payout-key-%d", i)
			_, err := e.gw.Payout(ctx, paybridge.PayoutRequest{AccountID: accounts[i%len(accounts)], Amount: chaostest.Amount(chaosUSD, i),
				Payee: payee, MerchantReference: fmt.Sprintf("payout-%d", i), IdempotencyKey: key})
			return key, err
		})
	var got []chaostest.Applied
	for _, m := range e.sim.Movements() {
		if m.Kind == "Deposit" {
			got = append(got, chaostest.Applied{Key: callerRef(m.Reference), Amount: m.Amount})
		}
	}
	chaostest.Log(t, e.result(seed, "Payout", st, chaostest.Reconcile(t, want, got)))
}

// TestChaosNotifications delivers the notifications of 1,000 payments — authorized and
// captured, declined, abandoned, and some refunded after their capture completed — while
// 30% of the delivery attempts are dropped, duplicated, held back behind later
// notifications or delayed. The application must process every eventId exactly once and
// hold the right final state for every payment and refund.
func TestChaosNotifications(t *testing.T) {
	t.Parallel()
	seed := chaostest.Seed(t)
	e := startChaos(t)
	if err := e.sim.SetChaos(simkit.Chaos{Seed: seed, Notifications: chaostest.Deliveries}); err != nil {
		t.Fatal(err)
	}
	n := chaostest.Ops(1000)
	actions := []string{"approve", "decline", "abandon"}
	finals := map[string]notify.Kind{"approve": notify.PaymentSucceeded, "decline": notify.PaymentFailed, "abandon": notify.PaymentCanceled}
	ids := make([]string, n)
	acted := make([]bool, n)
	refundIDs := make([]string, n)
	// Each payment is made, then the payer acts on it (and every other approved one is
	// refunded once captured), then the worker waits until the application holds its
	// outcome: at most one payment per worker has notifications in flight, as when payers
	// pay over time.
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("pay-%d", i)
		if ids[i] == "" {
			p, err := e.pay(ctx, fmt.Sprintf("order-%d", i), key, chaostest.Amount(chaosUSD, i))
			if err != nil {
				return key, err
			}
			ids[i] = p.ID
		}
		if !acted[i] {
			if err := e.sim.CompletePage(ids[i], actions[i%3]); err != nil {
				t.Errorf("order-%d: %s: %v", i, actions[i%3], err)
				return key, nil
			}
			acted[i] = true
		}
		if i%6 != 0 { // not refunded
			if !e.rec.Final("payment/" + ids[i]) {
				return key, chaostest.ErrPending
			}
			return key, nil
		}
		// Approved, and refunded once captured.
		if err := e.rec.Reached(t, "payment/"+ids[i], notify.PaymentSucceeded); err != nil {
			return key, err
		}
		key = fmt.Sprintf("refund-%d", i)
		if refundIDs[i] == "" {
			r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: ids[i], Amount: chaostest.Amount(chaosUSD, i), IdempotencyKey: key})
			if err != nil {
				return key, err
			}
			refundIDs[i] = r.ID
		}
		return key, e.rec.Reached(t, "refund/"+refundIDs[i], notify.RefundSucceeded)
	})
	var refunds []string
	for _, id := range refundIDs {
		if id != "" {
			refunds = append(refunds, id)
		}
	}
	chaostest.Await(t, "every notification acknowledged", func() (bool, int) {
		return chaostest.Count(e.sim.Deliveries(), func(d simkit.Delivery) bool { return d.Acknowledged })
	})
	deliveries := e.sim.Deliveries()
	lost, dups := 0, 0
	for _, d := range deliveries {
		switch got := e.rec.Seen(d.EventID); {
		case got == 0:
			lost++
			t.Errorf("notification %s (%s of transaction %s) never reached the application", d.EventID, d.Event, d.ObjectID)
		case got > 1:
			dups++
			t.Errorf("notification %s (%s of transaction %s) reached the application %d times", d.EventID, d.Event, d.ObjectID, got)
		}
	}
	for i, id := range ids {
		if got, want := e.rec.State("payment/"+id), finals[actions[i%3]]; got != want {
			t.Errorf("order-%d (%s): the application holds %q, want %q", i, actions[i%3], got, want)
		}
	}
	for _, id := range refunds {
		if got := e.rec.State("refund/" + id); got != notify.RefundSucceeded {
			t.Errorf("refund %s: the application holds %q, want %q", id, got, notify.RefundSucceeded)
		}
	}
	c := e.sim.ChaosCounts().Notifications
	t.Logf("chaos result: adapter=trustlyrest operation=Notifications payments=%d refunds=%d notifications=%d fault_rate=%.2f seed=%d "+
		"attempts=%d drop=%d duplicate=%d reorder=%d delay=%d duplicates=%d lost=%d",
		n, len(refunds), len(deliveries), chaostest.Deliveries.Total(), seed, c.Attempts, c.Drop, c.Duplicate, c.Reorder, c.Delay, dups, lost)
}

// TestChaosEstablishAnswerUnreadable pins down a fault TestChaosPay found: a 2xx answer
// to POST /establish that cannot be read may follow a transaction Trustly created, so Pay
// must report UnknownOutcome with its idempotency key, not Internal; the repeat with the
// key succeeds once the answers are readable.
func TestChaosEstablishAnswerUnreadable(t *testing.T) {
	e := startChaos(t)
	if err := e.sim.SetChaos(simkit.Chaos{Seed: 1, Requests: simkit.FaultRates{Malformed: 1}}); err != nil {
		t.Fatal(err)
	}
	amount := chaostest.Amount(chaosUSD, 1)
	_, err := e.pay(context.Background(), "order-1", "pay-1", amount)
	var pe *paybridge.Error
	if paybridge.CodeOf(err) != paybridge.CodeUnknownOutcome || !errors.As(err, &pe) || pe.IdempotencyKey != "pay-1" {
		t.Fatalf("Pay with an unreadable answer: %v, want UnknownOutcome with key pay-1", err)
	}
	if err := e.sim.SetChaos(simkit.Chaos{}); err != nil {
		t.Fatal(err)
	}
	// Repeated with its key until it succeeds: the answers are readable now, but a busy
	// machine may still make the client give up on one.
	var p *paybridge.Payment
	chaostest.Run(t, 1, chaostest.Options{}, func(ctx context.Context, _ int) (string, error) {
		var err error
		p, err = e.pay(ctx, "order-1", "pay-1", amount)
		return "pay-1", err
	})
	if !p.Amount.Equal(amount) {
		t.Fatalf("repeating Pay with its key: %+v, want an amount of %s", p, amount)
	}
}

// payee is the payee of chaos payouts: TestPayer without the address a Trustly deposit has
// no place for, which the Gateway refuses rather than drop.
var payee = func() paybridge.Person {
	p := trustlyrestsim.TestPayer
	p.Address = nil
	return p
}()
