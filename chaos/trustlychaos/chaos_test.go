package trustlychaos_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/chaos/chaostest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

// chaosOps returns how many operations each chaos test sends: 2,000, or 200 under -short.
func chaosOps() int { return chaostest.Ops(2000) }

var chaosEUR = money.MustCurrency("EUR")

// chaosEnv is a simulator with one merchant, a Gateway over the trustly adapter with the
// chaos tests' client timeout and retry policy, and a notification receiver.
type chaosEnv struct {
	sim *trustlysim.Server
	gw  *paybridge.Gateway
	rec *chaostest.Receiver
}

var chaosPayer = paybridge.Person{ID: "enduser-7", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
	Country: "SE", Locale: "sv_SE"}

func startChaos(t *testing.T, opts trustlysim.Options) *chaosEnv {
	t.Helper()
	opts.AllowLoopbackHTTP = true
	opts.HoldRefunds = true // the tests confirm refunds themselves
	opts.RetryBase, opts.RetryMax, opts.MaxAttempts = 2*time.Millisecond, 20*time.Millisecond, 1_000_000
	s, err := trustlysim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := s.NewMerchant("chaos-merchant")
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	c, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: s.APIURL(), TrustlyPublicKey: s.PublicKeyPEM(), HTTPClient: chaostest.Client(), ShopperStatement: "Chaos test"})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	gw := paybridge.New(c, paybridge.WithRetry(chaostest.Retry))
	t.Cleanup(func() { _ = gw.Close() })
	rec := chaostest.NewReceiver(t, gw)
	t.Cleanup(s.Close) // first: no delivery outlives the receiver
	return &chaosEnv{sim: s, gw: gw, rec: rec}
}

// chaos turns the request faults of the signed-answer mix on.
func (e *chaosEnv) chaos(t *testing.T, seed int64, notifications simkit.DeliveryRates) {
	t.Helper()
	req := chaostest.SignedAnswers
	req.DelayBy = chaostest.DelayBy
	if err := e.sim.SetChaos(simkit.Chaos{Seed: seed, Requests: req, Notifications: notifications}); err != nil {
		t.Fatal(err)
	}
}

func (e *chaosEnv) pay(ctx context.Context, ref, key string, amount money.Amount) (*paybridge.Payment, error) {
	return e.gw.Pay(ctx, paybridge.PaymentRequest{Amount: amount, MerchantReference: ref, ReturnURL: "https://shop.example/return",
		NotificationURL: e.rec.URL(), Payer: chaosPayer, IdempotencyKey: key})
}

// credited pays and approves n deposits of amount without faults, and waits until the
// application knows each one succeeded; each worker waits for its deposit's credit
// before it takes the next. It returns their order ids.
func (e *chaosEnv) credited(t *testing.T, n int, amount money.Amount) []string {
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
			if err := e.sim.CompleteOrder(ids[i], trustlysim.ActionApprove); err != nil {
				t.Errorf("setup-%d: approving deposit %q: %v", i, ids[i], err)
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

// waitStates waits until the application holds want for every object prefix+id.
func (e *chaosEnv) waitStates(t *testing.T, prefix string, ids []string, want notify.Kind) {
	t.Helper()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Log(e.rec.Explain(prefix, ids, want))
		stuck := map[string]bool{}
		for _, id := range ids {
			if e.rec.State(prefix+id) != want {
				stuck[id] = true
			}
		}
		for _, d := range e.sim.Deliveries() {
			if stuck[d.ObjectID] {
				t.Logf("simulator: %s for order %s: %d attempts, last HTTP %d, verified reply %q acknowledged=%v %s",
					d.Event, d.ObjectID, d.Attempts, d.LastStatus, d.Reply, d.Acknowledged, d.ReplyError)
			}
		}
	})
	chaostest.Await(t, "the application to learn the outcome of every "+prefix+"object", func() (bool, int) {
		return chaostest.Count(ids, func(id string) bool { return e.rec.State(prefix+id) == want })
	})
}

func (e *chaosEnv) result(seed int64, op string, st chaostest.Stats, r chaostest.Reconciliation) chaostest.Result {
	return chaostest.Result{Adapter: trustly.Name, Operation: op, Seed: seed, Rate: chaostest.SignedAnswers.Total(), Stats: st,
		Faults: e.sim.ChaosCounts().Requests, Reconciliation: r}
}

// TestChaosPay sends 2,000 deposits while 30% of the API requests fail before
// processing, lose their answer after it, answer too late, malformed, unsigned or wrongly
// signed, repeating each with its key until it succeeds; the end user then approves each
// deposit. Every MessageID must be credited exactly once with its amount, on the order
// the caller was given, and the application must learn of every credit.
func TestChaosPay(t *testing.T) {
	t.Parallel() // each test has its own simulator and Gateway; most of a run waits on the faults' delays
	seed := chaostest.Seed(t)
	e := startChaos(t, trustlysim.Options{})
	e.chaos(t, seed, simkit.DeliveryRates{})
	want, ids, st := chaostest.Payments(t, chaosOps(), chaosEUR, func(ctx context.Context, ref, key string, amount money.Amount) (string, error) {
		p, err := e.pay(ctx, ref, key, amount)
		if err != nil {
			return "", err
		}
		return p.ID, nil
	})
	// The end user approves each deposit; each worker waits until the application learns
	// of its credit before it takes the next.
	approved := make([]bool, len(ids))
	chaostest.Run(t, len(ids), chaostest.Options{}, func(_ context.Context, i int) (string, error) {
		if !approved[i] {
			if err := e.sim.CompleteOrder(ids[i], trustlysim.ActionApprove); err != nil {
				t.Errorf("order-%d: approving deposit %q: %v", i, ids[i], err)
				return "", nil
			}
			approved[i] = true
		}
		return "", e.rec.Reached(t, "payment/"+ids[i], notify.PaymentSucceeded)
	})
	var got []chaostest.Applied
	byRef := map[string]string{}
	for _, m := range e.sim.Movements() {
		if m.Kind == "Deposit" {
			got = append(got, chaostest.Applied{Key: m.Reference, Amount: m.Amount})
			byRef[m.Reference] = m.ID
		}
	}
	r := chaostest.Reconcile(t, want, got)
	for i, id := range ids {
		if ref := fmt.Sprintf("order-%d", i); byRef[ref] != id {
			t.Errorf("%s: the caller was given order %s, the deposit credited is %s", ref, id, byRef[ref])
		}
	}
	chaostest.Log(t, e.result(seed, "Pay", st, r))
}

// TestChaosRefund refunds 500 credited deposits four times each under the same faults.
// Every refund (by its ExternalReference) must be accepted exactly once with its amount.
func TestChaosRefund(t *testing.T) {
	t.Parallel() // each test has its own simulator and Gateway; most of a run waits on the faults' delays
	seed := chaostest.Seed(t)
	e := startChaos(t, trustlysim.Options{})
	deposits := e.credited(t, chaosOps()/4, money.FromMinorCurrency(400_00, chaosEUR))
	e.chaos(t, seed, simkit.DeliveryRates{})
	want := map[string]money.Amount{}
	for i := range chaosOps() {
		want[fmt.Sprintf("refund-%d", i)] = chaostest.Amount(chaosEUR, i)
	}
	st := chaostest.Run(t, chaosOps(), chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("refund-key-%d", i)
		_, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: deposits[i%len(deposits)], Amount: chaostest.Amount(chaosEUR, i),
			MerchantReference: fmt.Sprintf("refund-%d", i), IdempotencyKey: key})
		return key, err
	})
	var got []chaostest.Applied
	for _, m := range e.sim.Movements() {
		if m.Kind == "Refund" {
			got = append(got, chaostest.Applied{Key: m.Reference, Amount: m.Amount})
		}
	}
	chaostest.Log(t, e.result(seed, "Refund", st, chaostest.Reconcile(t, want, got)))
}

// TestChaosPayout sends 2,000 payouts to a registered account under the same faults.
// Every MessageID must be paid out exactly once with its amount, and the application
// must learn of every payout's confirmation.
func TestChaosPayout(t *testing.T) {
	t.Parallel() // each test has its own simulator and Gateway; most of a run waits on the faults' delays
	seed := chaostest.Seed(t)
	e := startChaos(t, trustlysim.Options{})
	var account string
	chaostest.Run(t, 1, chaostest.Options{}, func(ctx context.Context, _ int) (string, error) {
		v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: chaosPayer,
			Account: paybridge.BankAccount{HolderName: "Ada Lovelace", Country: "SE", IBAN: trustlysim.TestIBAN}, IdempotencyKey: "account"})
		if err == nil {
			account = v.AccountID
		}
		return "account", err
	})
	e.chaos(t, seed, simkit.DeliveryRates{})
	want := map[string]money.Amount{}
	ids := make([]string, chaosOps())
	for i := range chaosOps() {
		want[fmt.Sprintf("payout-%d", i)] = chaostest.Amount(chaosEUR, i)
	}
	st := chaostest.Run(t, chaosOps(), chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("payout-key-%d", i)
		p, err := e.gw.Payout(ctx, paybridge.PayoutRequest{AccountID: account, Amount: chaostest.Amount(chaosEUR, i), Payee: chaosPayer,
			MerchantReference: fmt.Sprintf("payout-%d", i), Description: "Chaos payout", NotificationURL: e.rec.URL(), IdempotencyKey: key})
		if err == nil {
			ids[i] = p.ID
		}
		return key, err
	})
	e.waitStates(t, "payout/", ids, notify.PayoutSucceeded)
	var got []chaostest.Applied
	for _, m := range e.sim.Movements() {
		if m.Kind == "AccountPayout" {
			got = append(got, chaostest.Applied{Key: m.Reference, Amount: m.Amount})
		}
	}
	chaostest.Log(t, e.result(seed, "Payout", st, chaostest.Reconcile(t, want, got)))
}

// TestChaosNotifications delivers the notifications of 1,000 deposits — approved,
// approved and settled later, declined at the bank, abandoned, some approved and then
// refunded — while 30% of the delivery attempts are dropped (before reaching the
// handler or on the way back), duplicated, held back behind later notifications or
// delayed. The application must process every notification id exactly once, and hold
// the right final state for every deposit and refund.
func TestChaosNotifications(t *testing.T) {
	t.Parallel()
	seed := chaostest.Seed(t)
	e := startChaos(t, trustlysim.Options{})
	if err := e.sim.SetChaos(simkit.Chaos{Seed: seed, Notifications: chaostest.Deliveries}); err != nil {
		t.Fatal(err)
	}
	n := chaostest.Ops(1000)
	type outcome struct {
		id, action string
		refund     string // the refund's id, for the approved deposits refunded
	}
	orders := make([]outcome, n)
	acted := make([]bool, n)
	// Each deposit is made, then the end user acts on it (and the bank settles it, or
	// the merchant refunds it), then the worker waits until the application holds its
	// outcome: at most one deposit per worker has notifications in flight, as when end
	// users pay over time.
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		o := &orders[i]
		key := fmt.Sprintf("pay-%d", i)
		if o.id == "" {
			p, err := e.pay(ctx, fmt.Sprintf("order-%d", i), key, chaostest.Amount(chaosEUR, i))
			if err != nil {
				return key, err
			}
			o.id = p.ID
			o.action = []string{trustlysim.ActionApprove, trustlysim.ActionApproveDelayed, trustlysim.ActionDecline, trustlysim.ActionAbandon}[i%4]
		}
		if !acted[i] {
			if err := e.sim.CompleteOrder(o.id, o.action); err != nil {
				t.Errorf("order-%d: %s: %v", i, o.action, err)
				return key, nil
			}
			if o.action == trustlysim.ActionApproveDelayed {
				if err := e.sim.Settle(o.id); err != nil {
					t.Errorf("order-%d: settling: %v", i, err)
					return key, nil
				}
			}
			acted[i] = true
		}
		if o.action == trustlysim.ActionApprove && i%8 == 0 && o.refund == "" {
			key = fmt.Sprintf("refund-%d", i)
			r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: o.id, Amount: chaostest.Amount(chaosEUR, i), IdempotencyKey: key})
			if err != nil {
				return key, err
			}
			if err := e.sim.ConfirmRefund(o.id); err != nil {
				t.Errorf("order-%d: confirming refund %s: %v", i, r.ID, err)
				return key, nil
			}
			o.refund = r.ID
		}
		if !e.rec.Final("payment/"+o.id) || o.refund != "" && !e.rec.Final("refund/"+o.refund) {
			return key, chaostest.ErrPending
		}
		return key, nil
	})
	chaostest.Await(t, "every notification acknowledged", func() (bool, int) {
		return chaostest.Count(e.sim.Deliveries(), func(d simkit.Delivery) bool { return d.Acknowledged })
	})
	deliveries := e.sim.Deliveries()
	lost, dups := 0, 0
	for _, d := range deliveries {
		switch got := e.rec.Seen(d.EventID); {
		case got == 0:
			lost++
			t.Errorf("notification %s (%s of order %s) never reached the application", d.EventID, d.Event, d.ObjectID)
		case got > 1:
			dups++
			t.Errorf("notification %s (%s of order %s) reached the application %d times", d.EventID, d.Event, d.ObjectID, got)
		}
	}
	if extra := e.rec.Duplicates(); len(extra) != dups {
		t.Errorf("the application processed %d notification ids more than once", len(extra))
	}
	for i, o := range orders {
		got := e.rec.State("payment/" + o.id)
		ok := false
		switch o.action {
		case trustlysim.ActionApprove, trustlysim.ActionApproveDelayed:
			ok = got == notify.PaymentSucceeded
		case trustlysim.ActionDecline:
			// pending then cancel: failed; when the cancel overtakes the pending, the
			// adapter cannot tell a declined deposit from an abandoned one.
			ok = got == notify.PaymentFailed || got == notify.PaymentCanceled
		case trustlysim.ActionAbandon:
			ok = got == notify.PaymentCanceled
		}
		if !ok {
			t.Errorf("order-%d (%s): the application holds %q", i, o.action, got)
		}
		if o.refund != "" {
			if got := e.rec.State("refund/" + o.refund); got != notify.RefundSucceeded {
				t.Errorf("order-%d: the refund's state is %q, want %q", i, got, notify.RefundSucceeded)
			}
		}
	}
	c := e.sim.ChaosCounts().Notifications
	refunds := 0
	for _, o := range orders {
		if o.refund != "" {
			refunds++
		}
	}
	t.Logf("chaos result: adapter=trustly operation=Notifications orders=%d refunds=%d notifications=%d fault_rate=%.2f seed=%d attempts=%d "+
		"drop=%d duplicate=%d reorder=%d overtaken=%d delay=%d duplicates=%d lost=%d",
		n, refunds, len(deliveries), chaostest.Deliveries.Total(), seed, c.Attempts, c.Drop, c.Duplicate, c.Reorder, c.Overtaken, c.Delay, dups, lost)
}
