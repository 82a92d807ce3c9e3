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
	"github.com/paybridge/paybridge/internal/chaosproc"
	"github.com/paybridge/paybridge/internal/chaostest"
	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/secret"
)

// The environment a worker process reads its configuration from. The simulator's access
// key travels this way too: it reaches no log.
const (
	envPostgres   = pgtest.EnvURL
	envQueue      = "PAYBRIDGE_CHAOSPROC_QUEUE"
	envJournal    = "PAYBRIDGE_CHAOSPROC_JOURNAL"
	envOperation  = "PAYBRIDGE_CHAOSPROC_OPERATION"
	envSimURL     = "PAYBRIDGE_CHAOSPROC_SIM_URL"
	envAccessID   = "PAYBRIDGE_CHAOSPROC_ACCESS_ID"
	envAccessKey  = "PAYBRIDGE_CHAOSPROC_ACCESS_KEY"
	envMerchantID = "PAYBRIDGE_CHAOSPROC_MERCHANT_ID"
	// envOps sets how many operations each test makes (see opsCount).
	envOps = "PAYBRIDGE_CHAOSPROC_OPS"
)

// settlePeriod is the Trustly REST adapter's SettlePeriod in these tests. A refund or
// payout whose answer was lost, or whose worker was killed after sending it, is looked up
// by its merchantReference when repeated; "not found" proves it was never applied only
// once the simulator can no longer be processing it. The simulator applies a request when
// it arrives and at most holds its answer back (chaostest.DelayBy, 1s) past the client's
// timeout (chaostest.ClientTimeout, 400ms), so 3s is well above any time a request can
// spend in flight, while short enough that uncertain calls settle within the run.
const settlePeriod = 3 * time.Second

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

var usd = money.MustCurrency("USD")

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
	c, err := trustlyrest.New(trustlyrest.Config{AccessID: os.Getenv(envAccessID), AccessKey: secret.New(os.Getenv(envAccessKey)),
		MerchantID: os.Getenv(envMerchantID), BaseURL: os.Getenv(envSimURL), HTTPClient: chaostest.Client(), SettlePeriod: settlePeriod})
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c, paybridge.WithJournal(j), paybridge.WithRetry(retry), paybridge.WithLease(chaosproc.Lease))
	defer func() { _ = gw.Close() }()
	var apply func(ctx context.Context, op chaosproc.Op) error
	switch o := os.Getenv(envOperation); o {
	case "Refund":
		apply = func(ctx context.Context, op chaosproc.Op) error {
			_, err := gw.Refund(ctx, refundRequest(op))
			return err
		}
	case "Payout":
		apply = func(ctx context.Context, op chaosproc.Op) error {
			_, err := gw.Payout(ctx, payoutRequest(op))
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

func refundRequest(op chaosproc.Op) paybridge.RefundRequest {
	return paybridge.RefundRequest{PaymentID: op.Params.Target, Amount: amountOf(op.Params), MerchantReference: op.Params.Reference,
		IdempotencyKey: op.Key}
}

func payoutRequest(op chaosproc.Op) paybridge.PayoutRequest {
	return paybridge.PayoutRequest{AccountID: op.Params.Target, Amount: amountOf(op.Params), Payee: trustlyrestsim.TestPayer,
		MerchantReference: op.Params.Reference, IdempotencyKey: op.Key}
}

// env is one test's simulator, journal, and the application's Gateway and notification
// receiver on that journal.
type env struct {
	url     string
	journal *pgjournal.Journal
	sim     *trustlyrestsim.Server
	gw      *paybridge.Gateway
	rec     *chaostest.Receiver
}

func start(t *testing.T) *env {
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
	s := trustlyrestsim.Start(trustlyrestsim.Options{SettleDelay: time.Millisecond, RetryBase: 10 * time.Millisecond,
		RetryMax: 250 * time.Millisecond, MaxAttempts: 1_000_000})
	cfg := s.Config()
	cfg.HTTPClient = chaostest.Client()
	cfg.SettlePeriod = settlePeriod
	c, err := trustlyrest.New(cfg)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	gw := paybridge.New(c, paybridge.WithJournal(j), paybridge.WithRetry(chaostest.Retry))
	t.Cleanup(func() { _ = gw.Close() })
	rec := chaostest.NewReceiver(t, gw)
	s.SetNotificationURL(rec.URL())
	t.Cleanup(s.Close) // first: no delivery outlives the receiver
	return &env{url: url, journal: j, sim: s, gw: gw, rec: rec}
}

// waitStates waits until the application holds want for every object prefix+id.
func (e *env) waitStates(t *testing.T, prefix string, ids []string, want notify.Kind) {
	t.Helper()
	chaostest.WaitFor(t, 2*time.Minute, "the application to learn the outcome of every "+prefix+"object", func() bool {
		for _, id := range ids {
			if e.rec.State(prefix+id) != want {
				return false
			}
		}
		return true
	})
}

// callerRef returns the caller's MerchantReference from a merchantReference the adapter
// built: "<caller's>.pb<digest>".
func callerRef(ref string) string {
	before, _, _ := strings.Cut(ref, ".pb")
	return before
}

// TestChaosProcRefund refunds captured payments (four refunds each) from worker processes
// that SIGKILL interrupts at random moments, under the Trustly REST chaos mix of request
// faults and notification delivery faults. Every refund must be applied exactly once with
// its amount, and its notifications must reach the application exactly once.
func TestChaosProcRefund(t *testing.T) {
	seed := chaostest.Seed(t)
	n := opsCount(t)
	e := start(t)
	ids := make([]string, (n+3)/4)
	for i := range ids {
		p, err := e.gw.Pay(context.Background(), paybridge.PaymentRequest{Amount: money.FromMinorCurrency(400_00, usd),
			MerchantReference: fmt.Sprintf("order-%d", i), Description: "Chaos order", ReturnURL: "https://shop.example/return",
			Payer: trustlyrestsim.TestPayer, IdempotencyKey: fmt.Sprintf("pay-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sim.CompletePage(p.ID, "approve"); err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	e.waitStates(t, "payment/", ids, notify.PaymentSucceeded)
	ops := make([]chaosproc.Op, n)
	for i := range ops {
		ops[i] = chaosproc.Op{Index: i, Key: fmt.Sprintf("refund-key-%d", i), Params: chaosproc.Params{Target: ids[i%len(ids)],
			Amount: chaostest.Amount(usd, i).Minor(), Currency: "USD", Reference: fmt.Sprintf("refund-%d", i)}}
	}
	e.run(t, seed, "Refund", ops, provider.OpRefund, "Refund", "refund/", notify.RefundSucceeded)
}

// TestChaosProcPayout pays out to accounts verified interactively (20 payouts each) from
// worker processes that SIGKILL interrupts at random moments, under the same faults.
// Every payout must be deposited exactly once with its amount, and its notifications must
// reach the application exactly once.
func TestChaosProcPayout(t *testing.T) {
	seed := chaostest.Seed(t)
	n := opsCount(t)
	e := start(t)
	accounts := make([]string, (n+19)/20)
	for i := range accounts {
		v, err := e.gw.VerifyAccount(context.Background(), paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer,
			Currency: usd, ReturnURL: "https://shop.example/accounts", IdempotencyKey: fmt.Sprintf("account-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sim.CompletePage(v.ID, "approve"); err != nil {
			t.Fatal(err)
		}
		accounts[i] = v.ID
	}
	e.waitStates(t, "account/", accounts, notify.AccountVerified)
	ops := make([]chaosproc.Op, n)
	for i := range ops {
		ops[i] = chaosproc.Op{Index: i, Key: fmt.Sprintf("payout-key-%d", i), Params: chaosproc.Params{Target: accounts[i%len(accounts)],
			Amount: chaostest.Amount(usd, i).Minor(), Currency: "USD", Reference: fmt.Sprintf("payout-%d", i)}}
	}
	e.run(t, seed, "Payout", ops, provider.OpPayout, "Deposit", "payout/", notify.PayoutSucceeded)
}

// run turns the faults on, has worker processes make ops under random SIGKILLs, and
// checks the outcome: the simulator's movements of kind moveKind against the ops, the
// journal, and the notifications the application received.
func (e *env) run(t *testing.T, seed int64, operation string, ops []chaosproc.Op, op provider.Operation, moveKind, prefix string,
	final notify.Kind) {
	t.Helper()
	req := chaostest.PlainAnswers
	req.DelayBy = chaostest.DelayBy
	if err := e.sim.SetChaos(trustlyrestsim.Chaos{Seed: seed, Requests: req, Notifications: chaostest.Deliveries}); err != nil {
		t.Fatal(err)
	}
	q := chaosproc.Queue{URL: e.url, Table: pgtest.FreshTable(t, e.url, "queue")}
	if err := q.Create(context.Background(), ops); err != nil {
		t.Fatalf("creating the queue: %v", err)
	}
	run := chaosproc.Supervise(t, q, chaosproc.Options{Workers: workers, Seed: seed, KillEvery: 3 * time.Second,
		Stall: 2 * time.Minute, Env: []string{
			envPostgres + "=" + e.url, envQueue + "=" + q.Table, envJournal + "=" + e.journal.Table(), envOperation + "=" + operation,
			envSimURL + "=" + e.sim.URL(), envAccessID + "=" + e.sim.AccessID(), envAccessKey + "=" + e.sim.AccessKey(),
			envMerchantID + "=" + e.sim.MerchantID()}})

	// The ledger: every key applied once, with its amount.
	want := make(map[string]money.Amount, len(ops))
	for _, o := range ops {
		want[o.Params.Reference] = amountOf(o.Params)
	}
	var got []chaostest.Applied
	var moved []string
	for _, m := range e.sim.Movements() {
		if m.Kind == moveKind {
			got = append(got, chaostest.Applied{Key: callerRef(m.Reference), Amount: m.Amount})
			moved = append(moved, m.TransactionID)
		}
	}
	r := chaostest.Reconcile(t, want, got)

	// The journal: every call settled, with the provider's id of what was applied.
	movedSet := map[string]bool{}
	for _, id := range moved {
		movedSet[id] = true
	}
	for _, o := range ops {
		en, err := e.journal.Get(context.Background(), journal.ID{Scope: e.gw.JournalScope(), Op: string(op), Key: o.Key})
		switch {
		case err != nil:
			t.Errorf("journal entry of %s: %v", o.Key, err)
		case en.State != journal.Settled || !movedSet[en.ProviderID]:
			t.Errorf("journal entry of %s: state %s, provider id %q; want settled with the id of an applied %s", o.Key, en.State,
				en.ProviderID, moveKind)
		}
	}

	// The notifications: each delivered one acknowledged, each reaching the application
	// exactly once, none the simulator did not send, and every movement's final state known.
	acked := func() int {
		n := 0
		for _, d := range e.sim.Deliveries() {
			if d.Acknowledged {
				n++
			}
		}
		return n
	}
	if !waitProgress(t, time.Minute, func() (int, bool) { a := acked(); return a, a == len(e.sim.Deliveries()) }) {
		t.Fatalf("the simulator's notifications stopped being acknowledged: %d of %d", acked(), len(e.sim.Deliveries()))
	}
	inFinal := func() int {
		n := 0
		for _, id := range moved {
			if e.rec.State(prefix+id) == final {
				n++
			}
		}
		return n
	}
	if !waitProgress(t, time.Minute, func() (int, bool) { n := inFinal(); return n, n == len(moved) }) {
		e.explainStates(t, prefix, moved, final, func(txid string) string {
			for _, m := range e.sim.Movements() {
				if m.TransactionID != txid {
					continue
				}
				for _, o := range ops {
					if o.Params.Reference == callerRef(m.Reference) {
						en, err := e.journal.Get(context.Background(), journal.ID{Scope: e.gw.JournalScope(), Op: string(op), Key: o.Key})
						return fmt.Sprintf("key %s, journal entry %s created %s sent %s updated %s attempts %d (%v)", o.Key, en.State,
							en.CreatedAt.Format("15:04:05.000"), en.SentAt.Format("15:04:05.000"), en.UpdatedAt.Format("15:04:05.000"), en.Attempts, err)
					}
				}
			}
			return "no operation"
		})
	}
	deliveries := e.sim.Deliveries()
	sent := map[string]bool{}
	dups, lost := 0, 0
	for _, d := range deliveries {
		sent[d.EventID] = true
		switch seen := e.rec.Seen(d.EventID); {
		case seen == 0:
			lost++
			t.Errorf("notification %s (transaction %s, status %d) never reached the application", d.EventID, d.ObjectID, d.Status)
		case seen > 1:
			dups++
			t.Errorf("notification %s (transaction %s, status %d) reached the application %d times", d.EventID, d.ObjectID, d.Status, seen)
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
	f := e.sim.ChaosCounts().Requests
	t.Logf("chaos result: adapter=%s operation=%s processes=%d ops=%d fault_rate=%.2f seed=%d kills=%d restarts=%d attempts=%d "+
		"duplicates=%d lost=%d wrong_amount=%d requests=%d faults=fail:%d,drop:%d,delay:%d,malformed:%d notifications=%d "+
		"notification_duplicates=%d notification_lost=%d total=%s elapsed=%s",
		trustlyrest.Name, operation, workers, len(ops), chaostest.PlainAnswers.Total(), seed, run.Kills, run.Restarts,
		run.Status.Attempts, r.Duplicates, r.Lost, r.WrongAmount, f.Requests, f.Fail, f.Drop, f.Delay, f.Malformed,
		len(deliveries), dups, lost, r.Got, run.Elapsed.Round(100*time.Millisecond))
	if run.Kills == 0 {
		t.Errorf("no worker was killed: the run proves nothing about killed workers")
	}
}

// waitProgress polls cond until it reports done, and reports false when its progress
// figure does not grow for stall.
func waitProgress(t *testing.T, stall time.Duration, cond func() (int, bool)) bool {
	t.Helper()
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
// does not hold, with the simulator's notifications about them.
func (e *env) explainStates(t *testing.T, prefix string, ids []string, final notify.Kind, about func(id string) string) {
	t.Helper()
	byObject := map[string][]trustlyrestsim.Delivery{}
	for _, d := range e.sim.Deliveries() {
		byObject[d.ObjectID] = append(byObject[d.ObjectID], d)
	}
	shown := 0
	for _, id := range ids {
		if got := e.rec.State(prefix + id); got != final && shown < 10 {
			shown++
			var ds []string
			for _, d := range byObject[id] {
				ds = append(ds, fmt.Sprintf("event %s status %d attempts %d last HTTP %d acknowledged %v seen %d",
					d.EventID, d.Status, d.Attempts, d.LastStatus, d.Acknowledged, e.rec.Seen(d.EventID)))
			}
			t.Errorf("%s%s (%s): the application holds %q, want %q; notifications: %s", prefix, id, about(id), got, final, strings.Join(ds, "; "))
		}
	}
	t.FailNow()
}
