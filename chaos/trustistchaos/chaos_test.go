package trustistchaos_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/chaos/chaostest"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

var chaosGBP = money.MustCurrency("GBP")

var chaosPayer = paybridge.Person{ID: "user-7", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Country: "GB"}

// chaosEnv is a simulator that also sends payment.created webhooks, a Gateway over the
// trustist adapter with the chaos tests' client timeout and retry policy, and the
// webhook receiver.
type chaosEnv struct {
	sim *trustistsim.Server
	gw  *paybridge.Gateway
	rec *chaostest.Receiver
}

func startChaos(t *testing.T) *chaosEnv {
	t.Helper()
	s, err := trustistsim.Start(trustistsim.Options{SendCreatedEvents: true, Options: simkit.Options{RetryBase: 10 * time.Millisecond,
		RetryMax: 250 * time.Millisecond, MaxAttempts: 1_000_000, DeliveryClient: chaostest.DeliveryClient()}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	cfg.HTTPClient = chaostest.Client()
	// Thousands of webhooks in a few seconds: the bound on confirmation reads, which
	// TestUnknownIDFloodSpendsBoundedReads covers, would only pace them.
	cfg.ConfirmationsPerSecond = -1
	p, err := trustist.New(cfg)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	gw := paybridge.New(p, paybridge.WithRetry(chaostest.Retry))
	t.Cleanup(func() { _ = gw.Close() })
	rec := chaostest.NewReceiver(t, gw)
	s.SetWebhookURL(rec.URL())
	t.Cleanup(s.Close) // first: no delivery outlives the receiver
	return &chaosEnv{sim: s, gw: gw, rec: rec}
}

func (e *chaosEnv) pay(ctx context.Context, ref, key string, amount money.Amount) (*paybridge.Payment, error) {
	return e.gw.Pay(ctx, paybridge.PaymentRequest{Amount: amount, MerchantReference: ref, Description: "Chaos order",
		ReturnURL: "https://shop.example/return", Payer: chaosPayer, IdempotencyKey: key})
}

// payments makes n payments "order-<i>", with keys "pay-<i>", through chaostest.Payments.
func (e *chaosEnv) payments(t *testing.T, n int) (want map[string]money.Amount, ids []string, st chaostest.Stats) {
	t.Helper()
	return chaostest.Payments(t, n, chaosGBP, func(ctx context.Context, ref, key string, amount money.Amount) (string, error) {
		p, err := e.pay(ctx, ref, key, amount)
		if err != nil {
			return "", err
		}
		return p.ID, nil
	})
}

// TestChaosPay creates 2,000 payments while 30% of the API requests fail before
// processing, lose their answer after it, answer too late, answer malformed or with a
// Server-Authorization that does not verify, repeating each with its key until it
// succeeds. Trustist has no idempotency mechanism and no look-up by reference: a call
// whose answer was lost stays UnknownOutcome until the payment's payment.created webhook
// reaches the adapter's handler, so the repeats wait for that; one whose request never
// reached Trustist (written, then its connection lost under load) has no payment and no
// webhook, and is forgotten by the operator's reconciliation the test runs beside the
// callers (reconcileWhile), then sent afresh with its key. The payer then completes
// each payment. Every reference must have exactly one payment, completed, with its
// amount, the one the caller was given; and the application must learn of each.
func TestChaosPay(t *testing.T) {
	t.Parallel() // each test has its own simulator and Gateway; most of a run waits on the faults' delays
	seed := chaostest.Seed(t)
	e := startChaos(t)
	req := chaostest.AuthenticatedAnswers
	req.DelayBy = chaostest.DelayBy
	if err := e.sim.SetChaos(simkit.Chaos{Seed: seed, Requests: req}); err != nil {
		t.Fatal(err)
	}
	n := chaostest.Ops(2000)
	t.Cleanup(func() {
		if t.Failed() {
			e.explainUnsettled(t, n)
		}
	})
	stop := e.reconcileWhile(t, n)
	want, ids, st := e.payments(t, n)
	stop()
	// The payer completes each payment; the application learns of it from the
	// payment.completed webhook, which the adapter confirms over the faulty API.
	approved := make([]bool, n)
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		if !approved[i] {
			if err := e.sim.CompletePayment(ids[i], "approve"); err != nil {
				t.Errorf("order-%d: completing payment %q: %v", i, ids[i], err)
			}
			approved[i] = true
		}
		return "", e.rec.Reached(t, "payment/"+ids[i], notify.PaymentSucceeded)
	})
	var got []chaostest.Applied
	byRef := map[string]string{}
	for _, m := range e.sim.Movements() {
		if m.Status != trustistsim.StatusComplete {
			// Created but never paid: a second payment for a reference would show here.
			got = append(got, chaostest.Applied{Key: m.Reference, Amount: m.Amount})
			t.Errorf("payment %s (%s) was created but not completed", m.ID, m.Reference)
			continue
		}
		got = append(got, chaostest.Applied{Key: m.Reference, Amount: m.Amount})
		byRef[m.Reference] = m.ID
	}
	r := chaostest.Reconcile(t, want, got)
	for i, id := range ids {
		if ref := fmt.Sprintf("order-%d", i); byRef[ref] != id {
			t.Errorf("%s: the caller was given payment %s, the payment completed is %s", ref, id, byRef[ref])
		}
	}
	chaostest.Log(t, chaostest.Result{Adapter: trustist.Name, Operation: "Pay", Seed: seed, Rate: req.Total(), Stats: st,
		Faults: e.sim.ChaosCounts().Requests, Reconciliation: r})
}

// TestChaosNotifications delivers the webhooks of 1,000 payments — completed, failed at
// the bank, cancelled — while 30% of the delivery attempts are dropped, duplicated, held
// back behind later webhooks or delayed. Trustist's webhooks are unsigned hints: the
// adapter reads each payment back, and names the event after the payment's status, so
// the event of a status is delivered once however many webhooks report it. The
// application must process each payment's final event exactly once and hold the right
// final state for every payment.
func TestChaosNotifications(t *testing.T) {
	t.Parallel() // each test has its own simulator and Gateway; most of a run waits on the faults' delays
	seed := chaostest.Seed(t)
	e := startChaos(t)
	if err := e.sim.SetChaos(simkit.Chaos{Seed: seed, Notifications: chaostest.Deliveries}); err != nil {
		t.Fatal(err)
	}
	n := chaostest.Ops(1000)
	actions := []string{"approve", "decline", "abandon"}
	finals := map[string]notify.Kind{"approve": notify.PaymentSucceeded, "decline": notify.PaymentFailed, "abandon": notify.PaymentCanceled}
	statuses := map[string]string{"approve": "COMPLETE", "decline": "FAILED", "abandon": "CANCELLED"}
	// Each payment is made, then the payer acts on it, then the worker waits until the
	// application holds its outcome: at most one payment per worker has its webhooks
	// in flight, as when payers pay over time.
	ids := make([]string, n)
	acted := make([]bool, n)
	chaostest.Run(t, n, chaostest.Options{}, func(ctx context.Context, i int) (string, error) {
		key := fmt.Sprintf("pay-%d", i)
		if ids[i] == "" {
			p, err := e.pay(ctx, fmt.Sprintf("order-%d", i), key, chaostest.Amount(chaosGBP, i))
			if err != nil {
				return key, err
			}
			ids[i] = p.ID
		}
		if !acted[i] {
			if err := e.sim.CompletePayment(ids[i], actions[i%3]); err != nil {
				t.Errorf("order-%d: %s on payment %s: %v", i, actions[i%3], ids[i], err)
				return key, nil
			}
			acted[i] = true
		}
		if !e.rec.Final("payment/" + ids[i]) {
			return key, chaostest.ErrPending
		}
		return key, nil
	})
	chaostest.Await(t, "every webhook acknowledged", func() (bool, int) {
		return chaostest.Count(e.sim.Deliveries(), func(d simkit.Delivery) bool { return d.Acknowledged })
	})
	lost, dups := 0, 0
	for i, id := range ids {
		final := "payment/" + id + "/" + statuses[actions[i%3]]
		switch got := e.rec.Seen(final); {
		case got == 0:
			lost++
			t.Errorf("order-%d: event %s never reached the application", i, final)
		case got > 1:
			dups++
			t.Errorf("order-%d: event %s reached the application %d times", i, final, got)
		}
		if got, want := e.rec.State("payment/"+id), finals[actions[i%3]]; got != want {
			t.Errorf("order-%d (%s): the application holds %q, want %q", i, actions[i%3], got, want)
		}
	}
	if extra := e.rec.Duplicates(); len(extra) > 0 {
		t.Errorf("the application processed %d event ids more than once, e.g. %s", len(extra), extra[0])
	}
	c := e.sim.ChaosCounts().Notifications
	t.Logf("chaos result: adapter=trustist operation=Notifications payments=%d webhooks=%d events=%d fault_rate=%.2f seed=%d "+
		"attempts=%d drop=%d duplicate=%d reorder=%d delay=%d duplicates=%d lost=%d",
		n, len(e.sim.Deliveries()), e.rec.Count(), chaostest.Deliveries.Total(), seed, c.Attempts, c.Drop, c.Duplicate, c.Reorder, c.Delay, dups, lost)
}

// TestChaosReadRepeatedByTransport pins down a fault TestChaosPay found: when a reused
// connection closes after Trustist processed a GET, net/http sends the request again by
// itself, with the same Hawk nonce, and Trustist refuses the copy as a replay (401
// "Invalid nonce"). The read must be made again with a fresh nonce, not reported as
// refused credentials.
func TestChaosReadRepeatedByTransport(t *testing.T) {
	e := startChaos(t)
	var c *trustist.Client
	if !e.gw.As(&c) {
		t.Fatal("no *trustist.Client behind the Gateway")
	}
	ctx := context.Background()
	_, ids, _ := e.payments(t, 1)
	id := ids[0]
	// The payment's payment.created webhook is confirmed by a read through the same
	// client. Once it has reached the application no other read runs beside the loop's,
	// so each read below finds the connection the one before it left, as the fault needs.
	testwait.For(t, "payment.created of "+id+" to reach the application", func() bool { return e.rec.State("payment/"+id) != "" })
	for i := range 3 {
		// The Pay's read-back left a connection to reuse; each read leaves one again.
		e.sim.DropNext(1)
		got, err := c.GetPayment(ctx, id)
		if err != nil {
			t.Fatalf("read %d after a lost answer: %v", i, err)
		}
		if got.ID != id {
			t.Fatalf("read %d: payment %s, want %s", i, got.ID, id)
		}
	}
}

// explainUnsettled names up to ten Pays "pay-<i>" whose journal entries are not settled,
// each with the payments the simulator holds for its reference and their webhooks, so that
// a run that stalls says whether the webhook never came, was refused, or came before the
// call was journalled.
func (e *chaosEnv) explainUnsettled(t *testing.T, n int) {
	t.Helper()
	byRef := map[string][]simkit.Movement{}
	for _, m := range e.sim.Movements() {
		byRef[m.Reference] = append(byRef[m.Reference], m)
	}
	hooks := map[string][]string{}
	for _, d := range e.sim.Deliveries() {
		hooks[d.ObjectID] = append(hooks[d.ObjectID], fmt.Sprintf("#%d %s: %d attempts, last HTTP %d, acknowledged %v",
			d.Seq, d.Event, d.Attempts, d.LastStatus, d.Acknowledged))
	}
	shown := 0
	for i := 0; i < n && shown < 10; i++ {
		key, ref := fmt.Sprintf("pay-%d", i), fmt.Sprintf("order-%d", i)
		en, err := e.gw.Journal().Get(context.Background(), journal.ID{Scope: e.gw.JournalScope(), Op: string(provider.OpPay), Key: key})
		if err == nil && en.State == journal.Settled {
			continue
		}
		shown++
		var ps []string
		for _, m := range byRef[ref] {
			ps = append(ps, fmt.Sprintf("%s (%s; webhooks: %s; application holds %q)", m.ID, m.Status,
				strings.Join(hooks[m.ID], "; "), e.rec.State("payment/"+m.ID)))
		}
		t.Logf("Pay %s (%s): journal entry %+v, error %v; the simulator's payments for it: %s", key, ref, en, err,
			strings.Join(ps, ", "))
	}
}

// reconcileWhile runs, until stop, what a Trustist merchant's operator does for the Pays
// the journal holds as uncertain with no payment id (chaostest.ForgetNeverApplied): under
// load a request can be written and its connection lost before the simulator reads it,
// and then no payment and no webhook will ever settle it.
func (e *chaosEnv) reconcileWhile(t *testing.T, n int) (stop func()) {
	ids := make([]journal.ID, n)
	for i := range ids {
		ids[i] = journal.ID{Scope: e.gw.JournalScope(), Op: string(provider.OpPay), Key: fmt.Sprintf("pay-%d", i)}
	}
	return chaostest.Every(2*time.Second, func() {
		paid := map[string]bool{}
		for _, m := range e.sim.Movements() {
			paid[m.Reference] = true
		}
		chaostest.ForgetNeverApplied(t, e.gw.Journal(), ids, paid)
	})
}
