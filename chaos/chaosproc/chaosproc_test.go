package chaosproc_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/chaos/chaosproc"
	"github.com/paybridge/paybridge/chaos/chaostest"
	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// The environment a worker process reads its task from. Each adapter's configuration
// travels the same way (see chaosproc_<adapter>_test.go), secrets included: they reach
// no log.
const (
	envPostgres  = pgtest.EnvURL
	envQueue     = "PAYBRIDGE_CHAOSPROC_QUEUE"
	envJournal   = "PAYBRIDGE_CHAOSPROC_JOURNAL"
	envOperation = "PAYBRIDGE_CHAOSPROC_OPERATION"
	// envAdapter names the adapter the worker makes its calls through (its Name).
	envAdapter = "PAYBRIDGE_CHAOSPROC_ADAPTER"
	// envOps sets how many operations each test makes (see opsCount).
	envOps = "PAYBRIDGE_CHAOSPROC_OPS"
)

// workerAdapter is how a worker process makes its calls through one adapter.
type workerAdapter struct {
	// fromEnv makes the adapter from the environment its simulator's workerEnv set.
	fromEnv func() (provider.Provider, error)
	// payee is the payee of every payout, the person the accounts were verified for, and
	// the payer of every payment.
	payee paybridge.Person
}

// workerAdapters are the adapters run across processes, by name.
var workerAdapters = map[string]workerAdapter{
	trustlyrest.Name: {fromEnv: trustlyRESTFromEnv, payee: trustlyRESTPayer},
	trustly.Name:     {fromEnv: trustlyFromEnv, payee: trustlyPayer},
	trustist.Name:    {fromEnv: trustistFromEnv, payee: trustistPayer},
}

// simulator is an adapter's simulator as the test process drives it.
type simulator interface {
	// workerEnv is the environment a worker makes the adapter from (workerAdapter.fromEnv).
	workerEnv() []string
	// payments makes n payments succeed, without faults, waits until the application
	// knows, and returns their ids.
	payments(t *testing.T, e *env, n int) []string
	// accounts verifies n accounts to pay out to, without faults, waits until the
	// application knows when the adapter reports it by notification, and returns their ids.
	accounts(t *testing.T, e *env, n int) []string
	// chaos turns the request fault mix and the notification delivery faults on, and
	// returns the request mix's total rate.
	chaos(seed int64) (rate float64, err error)
	// movements returns the payments (op OpPay), refunds (OpRefund) or payouts (OpPayout)
	// in the ledger.
	movements(op provider.Operation) []movement
	// deliveries returns every notification the simulator sent, oldest first.
	deliveries() []delivery
	// requestFaults counts the faults the API requests met.
	requestFaults() simkit.FaultCounts
}

// approver is a simulator whose payments wait for the payer: run has the payer approve
// every payment the workers made, once they are all made, before it checks the outcome.
type approver interface {
	// approve approves the payments ids, as the payer would.
	approve(t *testing.T, e *env, ids []string)
}

// reconciler is implemented by the simulators of providers that cannot settle an uncertain
// call themselves: it does what a merchant's reconciliation job does, beside the run.
type reconciler interface {
	// reconcile settles or forgets the uncertain calls of the journal that the
	// simulator's ledger proves the outcome of.
	reconcile(t *testing.T, e *env)
}

// reconcileWhile runs r every two seconds until the returned function is called.
func reconcileWhile(t *testing.T, e *env, r reconciler) (stop func()) {
	return chaostest.Every(2*time.Second, func() { r.reconcile(t, e) })
}

// movement is a payment, refund or payout in a simulator's ledger.
type movement struct {
	// ref is the caller's MerchantReference; amount what moved.
	ref    string
	amount money.Amount
	// id is the provider's id of the refund or payout, as the Gateway's journal records it
	// and notifications name it; "" when the simulator does not know it (a Trustly
	// refund is known by the request's UUID alone), and then the journal's id is taken.
	id string
	// order is what the simulator's notifications about it name: the movement itself, or
	// the order it was made on.
	order string
}

// delivery is one notification a simulator sent.
type delivery struct {
	id, order, what string
	attempts        int
	lastStatus      int
	acknowledged    bool
}

// workers is how many worker processes run at once, and claimers how many operations each
// makes at a time.
const (
	workers  = 3
	claimers = 4
)

// retry is the workers' Gateway retry policy: chaostest.Retry, bounded so that a call
// finding its key's journal entry held by a killed worker gives up (ProviderUnavailable,
// nothing sent) instead of waiting out the lease; the queue repeats it later.
var retry = func() paybridge.RetryPolicy {
	r := chaostest.Retry
	r.MaxElapsed = time.Second
	return r
}()

// opsCount is how many operations a test makes: envOps when set, 200 under -short, and
// 2,000 otherwise.
func opsCount(t *testing.T) int {
	t.Helper()
	if v := os.Getenv(envOps); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q is not a positive integer", envOps, v)
		}
		return n
	}
	if testing.Short() {
		return 200
	}
	return 2000
}

// TestWorkerProcess is the worker: it runs only in a process Supervise started.
func TestWorkerProcess(t *testing.T) {
	if !chaosproc.IsWorker() {
		t.Skip("runs only as a worker process started by the chaos tests across processes")
	}
	ctx := context.Background()
	url := os.Getenv(envPostgres)
	j, err := pgjournal.Open(ctx, url, pgjournal.WithTable(os.Getenv(envJournal)))
	if err != nil {
		t.Fatalf("pgjournal.Open: %v", err)
	}
	defer j.Close()
	a, ok := workerAdapters[os.Getenv(envAdapter)]
	if !ok {
		t.Fatalf("%s=%q: no such adapter", envAdapter, os.Getenv(envAdapter))
	}
	p, err := a.fromEnv()
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(p, paybridge.WithJournal(j), paybridge.WithRetry(retry), paybridge.WithLease(chaosproc.Lease))
	defer func() { _ = gw.Close() }()
	var apply func(ctx context.Context, op chaosproc.Op) error
	switch o := os.Getenv(envOperation); o {
	case string(provider.OpPay):
		apply = func(ctx context.Context, op chaosproc.Op) error {
			_, err := gw.Pay(ctx, paybridge.PaymentRequest{Amount: amountOf(op.Params), MerchantReference: op.Params.Reference,
				Description: "Chaos order", ReturnURL: "https://shop.example/return", Payer: a.payee, IdempotencyKey: op.Key})
			return err
		}
	case string(provider.OpRefund):
		apply = func(ctx context.Context, op chaosproc.Op) error {
			_, err := gw.Refund(ctx, paybridge.RefundRequest{PaymentID: op.Params.Target, Amount: amountOf(op.Params),
				MerchantReference: op.Params.Reference, IdempotencyKey: op.Key})
			return err
		}
	case string(provider.OpPayout):
		// The payee's optional details go only where the provider carries them: a
		// provider without a place for them refuses the payout rather than drop them.
		payee, caps := a.payee, gw.Capabilities()
		if !caps.CarriesRequestField("PayoutRequest.Payee.Address") {
			payee.Address = nil
		}
		if !caps.CarriesRequestField("PayoutRequest.Payee.DateOfBirth") {
			payee.DateOfBirth = ""
		}
		apply = func(ctx context.Context, op chaosproc.Op) error {
			_, err := gw.Payout(ctx, paybridge.PayoutRequest{AccountID: op.Params.Target, Amount: amountOf(op.Params), Payee: payee,
				MerchantReference: op.Params.Reference, IdempotencyKey: op.Key})
			return err
		}
	default:
		t.Fatalf("%s=%q: no such operation", envOperation, o)
	}
	if err := chaosproc.Work(ctx, chaosproc.Queue{URL: url, Table: os.Getenv(envQueue)}, claimers, apply); err != nil {
		t.Fatal(err)
	}
}

func amountOf(p chaosproc.Params) money.Amount {
	return money.FromMinorCurrency(p.Amount, money.MustCurrency(p.Currency))
}

// env is one test's simulator, journal, and the application's Gateway and notification
// receiver on that journal: the Gateway the workers use must find its record there to
// read a notification as the application's.
type env struct {
	adapter  string
	currency money.Currency
	url      string
	journal  *pgjournal.Journal
	sim      simulator
	gw       *paybridge.Gateway
	rec      *chaostest.Receiver
	// began is when the test began, for the time its setup took.
	began time.Time
}

// newEnv opens a fresh journal table; attach then puts the adapter on it.
func newEnv(t *testing.T, adapter string, cur money.Currency) *env {
	t.Helper()
	url := pgtest.ServerURL(t)
	ctx := context.Background()
	j, err := pgjournal.Open(ctx, url, pgjournal.WithTable(pgtest.FreshTable(t, url, "journal")))
	if err != nil {
		t.Fatalf("pgjournal.Open: %v", err)
	}
	t.Cleanup(j.Close)
	if err := j.Migrate(ctx); err != nil {
		t.Fatalf("pgjournal.Migrate: %v", err)
	}
	return &env{adapter: adapter, currency: cur, url: url, journal: j, began: time.Now()}
}

// attach makes the application's Gateway over p on the journal and its notification
// receiver; closeSim, which stops the simulator, runs at the test's end before the
// receiver stops, so that no delivery outlives it.
func (e *env) attach(t *testing.T, p provider.Provider, closeSim func()) {
	t.Helper()
	e.gw = paybridge.New(p, paybridge.WithJournal(e.journal), paybridge.WithRetry(chaostest.Retry))
	t.Cleanup(func() { _ = e.gw.Close() })
	e.rec = chaostest.NewReceiver(t, e.gw)
	t.Cleanup(closeSim)
}

// waitStates waits until the application holds want for every object prefix+id.
func (e *env) waitStates(t *testing.T, prefix string, ids []string, want notify.Kind) {
	t.Helper()
	reached := false
	t.Cleanup(func() {
		if !reached {
			t.Log(e.rec.Explain(prefix, ids, want))
		}
	})
	chaostest.Await(t, "the application to learn the outcome of every "+prefix+"object", func() (bool, int) {
		return chaostest.Count(ids, func(id string) bool { return e.rec.State(prefix+id) == want })
	})
	reached = true
}

// testPay makes payments from worker processes that SIGKILL interrupts at random moments,
// under the adapter's chaos mix of request faults and notification delivery faults; the
// payer then approves each. Every reference must have exactly one payment, with its
// amount, and its notifications must reach the application exactly once.
func testPay(t *testing.T, start func(t *testing.T) *env) {
	seed := chaostest.Seed(t)
	n := opsCount(t)
	e := start(t)
	ops := make([]chaosproc.Op, n)
	for i := range ops {
		ops[i] = chaosproc.Op{Index: i, Key: fmt.Sprintf("pay-key-%d", i), Params: chaosproc.Params{
			Amount: chaostest.Amount(e.currency, i).Minor(), Currency: e.currency.String(), Reference: fmt.Sprintf("order-%d", i)}}
	}
	e.run(t, seed, provider.OpPay, ops, "payment/", notify.PaymentSucceeded)
}

// testRefund refunds payments (four refunds each) from worker processes that SIGKILL
// interrupts at random moments, under the adapter's chaos mix of request faults and
// notification delivery faults. Every refund must be applied exactly once with its amount,
// and its notifications must reach the application exactly once.
func testRefund(t *testing.T, start func(t *testing.T) *env) {
	seed := chaostest.Seed(t)
	n := opsCount(t)
	e := start(t)
	ids := e.sim.payments(t, e, (n+3)/4)
	ops := make([]chaosproc.Op, n)
	for i := range ops {
		ops[i] = chaosproc.Op{Index: i, Key: fmt.Sprintf("refund-key-%d", i), Params: chaosproc.Params{Target: ids[i%len(ids)],
			Amount: chaostest.Amount(e.currency, i).Minor(), Currency: e.currency.String(), Reference: fmt.Sprintf("refund-%d", i)}}
	}
	e.run(t, seed, provider.OpRefund, ops, "refund/", notify.RefundSucceeded)
}

// testPayout pays out to verified accounts (20 payouts each) from worker processes that
// SIGKILL interrupts at random moments, under the same faults. Every payout must be made
// exactly once with its amount, and its notifications must reach the application exactly
// once.
func testPayout(t *testing.T, start func(t *testing.T) *env) {
	seed := chaostest.Seed(t)
	n := opsCount(t)
	e := start(t)
	accounts := e.sim.accounts(t, e, (n+19)/20)
	ops := make([]chaosproc.Op, n)
	for i := range ops {
		ops[i] = chaosproc.Op{Index: i, Key: fmt.Sprintf("payout-key-%d", i), Params: chaosproc.Params{Target: accounts[i%len(accounts)],
			Amount: chaostest.Amount(e.currency, i).Minor(), Currency: e.currency.String(), Reference: fmt.Sprintf("payout-%d", i)}}
	}
	e.run(t, seed, provider.OpPayout, ops, "payout/", notify.PayoutSucceeded)
}

// tracked is an applied operation whose final state the application must learn.
type tracked struct {
	op    chaosproc.Op
	id    string // the provider's id, as the journal records it
	order string // what the simulator's notifications about it name
	entry journal.Entry
}

// run turns the faults on, has worker processes make ops under random SIGKILLs, and
// checks the outcome: the simulator's ledger against the ops, the journal, and the
// notifications the application received.
func (e *env) run(t *testing.T, seed int64, op provider.Operation, ops []chaosproc.Op, prefix string, final notify.Kind) {
	t.Helper()
	setup := time.Since(e.began)
	rate, err := e.sim.chaos(seed)
	if err != nil {
		t.Fatal(err)
	}
	q := chaosproc.Queue{URL: e.url, Table: pgtest.FreshTable(t, e.url, "queue")}
	if err := q.Create(context.Background(), ops); err != nil {
		t.Fatalf("creating the queue: %v", err)
	}
	if r, ok := e.sim.(reconciler); ok {
		stop := reconcileWhile(t, e, r)
		defer stop()
	}
	run := chaosproc.Supervise(t, q, chaosproc.Options{Workers: workers, Seed: seed, KillEvery: 3 * time.Second,
		Stall: 2 * time.Minute, Env: append([]string{envPostgres + "=" + e.url, envQueue + "=" + q.Table,
			envJournal + "=" + e.journal.Table(), envOperation + "=" + string(op), envAdapter + "=" + e.adapter}, e.sim.workerEnv()...)})

	ran := time.Now()

	if a, ok := e.sim.(approver); ok {
		e.approve(t, a, op, ops)
	}

	// The ledger: every key applied once, with its amount.
	want := make(map[string]money.Amount, len(ops))
	for _, o := range ops {
		want[o.Params.Reference] = amountOf(o.Params)
	}
	moved := e.sim.movements(op)
	got := make([]chaostest.Applied, len(moved))
	byRef := map[string][]movement{}
	for i, m := range moved {
		got[i] = chaostest.Applied{Key: m.ref, Amount: m.amount}
		byRef[m.ref] = append(byRef[m.ref], m)
	}
	r := chaostest.Reconcile(t, want, got)

	// The journal: every call settled, with the provider's id of what was applied, no
	// two with the same.
	var objects []tracked
	ids := map[string]string{}
	for _, o := range ops {
		en, err := e.journal.Get(context.Background(), journal.ID{Scope: e.gw.JournalScope(), Op: string(op), Key: o.Key})
		if err != nil {
			t.Errorf("journal entry of %s: %v", o.Key, err)
			continue
		}
		ms := byRef[o.Params.Reference]
		if len(ms) != 1 {
			continue // reported by Reconcile
		}
		if en.State != journal.Settled || en.ProviderID == "" || ms[0].id != "" && en.ProviderID != ms[0].id {
			t.Errorf("journal entry of %s: state %s, provider id %q; want settled with the id of the %s applied (%q)", o.Key,
				en.State, en.ProviderID, op, ms[0].id)
			continue
		}
		if other, dup := ids[en.ProviderID]; dup {
			t.Errorf("journal entries of %s and %s both record provider id %s", other, o.Key, en.ProviderID)
		}
		ids[en.ProviderID] = o.Key
		objects = append(objects, tracked{op: o, id: en.ProviderID, order: ms[0].order, entry: en})
	}

	// The notifications: each delivered one acknowledged, each reaching the application
	// exactly once, none the simulator did not send, and every applied operation's final
	// state known.
	acked := func() int {
		_, n := chaostest.Count(e.sim.deliveries(), func(d delivery) bool { return d.acknowledged })
		return n
	}
	if !waitProgress(chaostest.Stall, func() (int, bool) { a := acked(); return a, a == len(e.sim.deliveries()) }) {
		var open []string
		for _, d := range e.sim.deliveries() {
			if !d.acknowledged && len(open) < 10 {
				open = append(open, fmt.Sprintf("%s of %s (%d attempts, last HTTP %d)", d.what, d.order, d.attempts, d.lastStatus))
			}
		}
		t.Fatalf("the simulator's notifications stopped being acknowledged: %d of %d; not acknowledged: %s", acked(),
			len(e.sim.deliveries()), strings.Join(open, "; "))
	}
	inFinal := func() int {
		_, n := chaostest.Count(objects, func(o tracked) bool { return e.rec.State(prefix+o.id) == final })
		return n
	}
	if !waitProgress(chaostest.Stall, func() (int, bool) { n := inFinal(); return n, n == len(objects) }) {
		e.explainStates(t, prefix, objects, final)
	}
	deliveries := e.sim.deliveries()
	sent := map[string]bool{}
	dups, lost := 0, 0
	for _, d := range deliveries {
		sent[d.id] = true
		switch seen := e.rec.Seen(d.id); {
		case seen == 0:
			lost++
			t.Errorf("notification %s (%s of %s) never reached the application", d.id, d.what, d.order)
		case seen > 1:
			dups++
			t.Errorf("notification %s (%s of %s) reached the application %d times", d.id, d.what, d.order, seen)
		}
	}
	for _, ev := range e.rec.Events() {
		if !sent[ev.ID] {
			t.Errorf("the application received notification %s (%s), which the simulator never sent", ev.ID, ev.Kind)
		}
	}
	if d := e.rec.Duplicates(); len(d) > 0 {
		t.Errorf("notifications processed more than once: %v", d)
	}
	f := e.sim.requestFaults()
	t.Logf("chaos result: adapter=%s operation=%s processes=%d ops=%d fault_rate=%.2f seed=%d kills=%d restarts=%d attempts=%d "+
		"duplicates=%d lost=%d wrong_amount=%d requests=%d faults=fail:%d,drop:%d,delay:%d,malformed:%d,unsigned:%d,bad_signature:%d "+
		"notifications=%d notification_duplicates=%d notification_lost=%d total=%s setup=%s elapsed=%s checks=%s",
		e.adapter, op, workers, len(ops), rate, seed, run.Kills, run.Restarts, run.Status.Attempts, r.Duplicates, r.Lost,
		r.WrongAmount, f.Requests, f.Fail, f.Drop, f.Delay, f.Malformed, f.Unsigned, f.BadSignature, len(deliveries), dups, lost,
		r.Got, setup.Round(100*time.Millisecond), run.Elapsed.Round(100*time.Millisecond), time.Since(ran).Round(100*time.Millisecond))
	if run.Kills == 0 {
		t.Errorf("no worker was killed: the run proves nothing about killed workers")
	}
}

// approve has a approve the objects the workers made, named by their journal entries.
func (e *env) approve(t *testing.T, a approver, op provider.Operation, ops []chaosproc.Op) {
	t.Helper()
	var ids []string
	for _, o := range ops {
		en, err := e.journal.Get(context.Background(), journal.ID{Scope: e.gw.JournalScope(), Op: string(op), Key: o.Key})
		if err != nil || en.State != journal.Settled || en.ProviderID == "" {
			t.Errorf("journal entry of %s: state %s, provider id %q, error %v; want settled with the provider's id", o.Key,
				en.State, en.ProviderID, err)
			continue
		}
		ids = append(ids, en.ProviderID)
	}
	if t.Failed() {
		t.FailNow()
	}
	a.approve(t, e, ids)
}

// waitProgress polls cond until it reports done, and reports false when its progress
// figure does not grow for stall.
func waitProgress(stall time.Duration, cond func() (int, bool)) bool {
	last, at := -1, time.Now()
	for {
		n, done := cond()
		if done {
			return true
		}
		if n > last {
			last, at = n, time.Now()
		} else if time.Since(at) > stall {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// explainStates fails the test naming the objects whose final state the application
// does not hold, with their journal entries and the simulator's notifications about
// them, and the notifications the Gateway kept from the application.
func (e *env) explainStates(t *testing.T, prefix string, objects []tracked, final notify.Kind) {
	t.Helper()
	byOrder := map[string][]delivery{}
	for _, d := range e.sim.deliveries() {
		byOrder[d.order] = append(byOrder[d.order], d)
	}
	shown := 0
	for _, o := range objects {
		if got := e.rec.State(prefix + o.id); got != final && shown < 10 {
			shown++
			var ds []string
			for _, d := range byOrder[o.order] {
				ds = append(ds, fmt.Sprintf("%s %s attempts %d last HTTP %d acknowledged %v seen %d",
					d.what, d.id, d.attempts, d.lastStatus, d.acknowledged, e.rec.Seen(d.id)))
			}
			en := o.entry
			t.Errorf("%s%s (key %s, journal entry created %s sent %s updated %s attempts %d): the application holds %q, want %q; "+
				"notifications of %s: %s", prefix, o.id, o.op.Key, en.CreatedAt.Format("15:04:05.000"), en.SentAt.Format("15:04:05.000"),
				en.UpdatedAt.Format("15:04:05.000"), en.Attempts, got, final, o.order, strings.Join(ds, "; "))
		}
	}
	for _, u := range e.rec.Unmatched() {
		t.Errorf("kept from the application: %s %s (payment %q refund %q payout %q reference %q): %s",
			u.Event.Kind, u.Event.ID, u.Event.PaymentID, u.Event.RefundID, u.Event.PayoutID, u.Event.MerchantReference, u.Reason)
	}
	t.FailNow()
}
