package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// Trustly REST transaction types, as the provider numbers them.
const (
	typeCapture = 3
	typeRefund  = 4
	typeDeposit = 6
)

// TestKilledWorkersPayOnce runs two worker processes on one River queue against the
// Trustly REST simulator, SIGKILLs both twice — each time right after the provider made a
// refund or payout and before the worker that asked for it heard the answer — restarts
// them, waits until the queue is drained, and then proves from the provider's own
// transactions that every job was applied exactly once. Trustly REST does not deduplicate
// refunds or payouts itself: only the job's idempotency key and the journal the workers
// share stand between River running a dead worker's job again and paying twice.
func TestKilledWorkersPayOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the worker binary")
	}
	dbURL := pgtest.ServerURL(t)
	schema := freshSchema(t, dbURL)
	bin := buildWorker(t)
	f := newFixture(t)
	ctx := t.Context()

	s, err := openStore(ctx, dbURL, schema, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	rc, err := s.client(river.Config{})
	if err != nil {
		t.Fatal(err)
	}

	// Four paid payments of 20.00 with three partial refunds each, six payouts to one
	// verified account, and one more refund and payout through 'refundworker enqueue',
	// as an operator would add them.
	var jobs []testJob
	for p := range 4 {
		payment := f.paidPayment(t, fmt.Sprintf("order-%d", p), "20.00")
		for r, value := range []string{"2.00", "3.50", "4.25"} {
			jobs = append(jobs, testJob{RefundArgs{PaymentID: payment, Amount: usd(t, value), Reference: fmt.Sprintf("rf-%d-%d", p, r),
				Reason: "returned goods"}})
		}
	}
	account := f.verifiedAccount(t)
	for i := range 6 {
		jobs = append(jobs, testJob{PayoutArgs{AccountID: account, Amount: usd(t, fmt.Sprintf("1.%02d", 10+i)),
			Reference: fmt.Sprintf("po-%d", i), Description: "seller payout"}})
	}
	for _, j := range jobs {
		if _, added, err := enqueue(ctx, rc, j.job); err != nil || !added {
			t.Fatalf("enqueue %s: added %v, %v", j.reference(), added, err)
		}
	}
	jobs = append(jobs, testJob{RefundArgs{PaymentID: jobs[0].paymentID(), Amount: usd(t, "1.00"), Reference: "rf-cli"}},
		testJob{PayoutArgs{AccountID: account, Amount: usd(t, "2.00"), Reference: "po-cli"}})
	for _, args := range [][]string{
		{"-payment", jobs[0].paymentID(), "-amount", "1.00", "-currency", "USD", "-reference", "rf-cli"},
		{"-kind", "payout", "-account", account, "-amount", "2.00", "-currency", "USD", "-reference", "po-cli"},
	} {
		for i, want := range []string{"queued job ", "already queued as job "} {
			cmd := exec.CommandContext(ctx, bin, append([]string{"enqueue", "-schema", schema}, args...)...)
			cmd.Env = append(os.Environ(), EnvDatabaseURL+"="+dbURL)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), want) {
				t.Fatalf("enqueue %v #%d: %v\n%s\nwant %q…", args, i+1, err, out, want)
			}
		}
	}
	if n := f.countJobs(t, s, ""); n != len(jobs) {
		t.Fatalf("%d jobs queued, want %d", n, len(jobs))
	}

	// Each API request takes 10ms, so the workers are mid-run when they are killed. Each
	// worker reaches the simulator through a proxy of its own, which can kill both
	// workers the moment the provider made a refund or payout, before the worker hears of
	// it.
	f.sim.SetLatency(10 * time.Millisecond)
	faults := &faults{}
	workers := []*workerProcess{
		{t: t, name: "A", bin: bin, dbURL: dbURL, schema: schema, accessKey: f.sim.AccessKey()},
		{t: t, name: "B", bin: bin, dbURL: dbURL, schema: schema, accessKey: f.sim.AccessKey()},
	}
	for _, w := range workers {
		proxy := faults.proxy(t, f.sim)
		w.providerURL = "trustlyrest://sandbox?merchant_id=" + f.sim.MerchantID() + "&access_id=" + f.sim.AccessID() +
			"&base_url=" + url.QueryEscape(proxy.URL+"/api/v1")
	}

	t.Cleanup(func() {
		if t.Failed() {
			for _, w := range workers {
				t.Logf("worker %s's log:\n%s", w.name, w.logs())
			}
			for ref, o := range f.outputs(t, s) {
				t.Logf("job %s: %s after %d attempts, output %q", ref, o.state, o.attempts, o.ID)
			}
		}
	})
	for round := 1; round <= 2; round++ {
		for _, w := range workers {
			w.start()
		}
		faults.killAfter(3, workers)
		for _, w := range workers {
			w.wait(killed)
		}
		if !faults.fired() {
			t.Fatalf("round %d: the workers were not killed after a refund or payout", round)
		}
		// The kill left a refund or payout the provider made and River still holds as
		// running: the case a restarted worker must not pay again.
		if applied, twice := f.appliedNotCompleted(t, s, jobs); len(applied) == 0 || len(twice) > 0 {
			t.Fatalf("round %d: jobs applied without being completed: %v (want at least the withheld one); applied twice: %v",
				round, applied, twice)
		}
	}

	// No more faults: the restarted workers drain the queue, rescuing the jobs the
	// killed ones were running.
	for _, w := range workers {
		w.start()
	}
	// A job whose request the kill cut short stays uncertain until Trustly REST's settle
	// period after the request has passed: only then does the adapter take "no such
	// transaction" as proof that it was never made. So the queue drains about that long
	// after the last kill, and the wait is that much longer than the usual bound.
	deadline := time.Now().Add(trustlyrest.DefaultSettlePeriod + testwait.Limit)
	for drained := false; !drained; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the queue is not drained %v after the workers restarted", trustlyrest.DefaultSettlePeriod+testwait.Limit)
		}
		for _, w := range workers {
			if w.exited() {
				t.Fatalf("worker %s exited while the queue was not drained; its log:\n%s", w.name, w.logs())
			}
		}
		if n := f.countJobs(t, s, "cancelled', 'discarded"); n > 0 {
			t.Fatalf("%d jobs cancelled or discarded; the workers' logs:\n%s\n%s", n, workers[0].logs(), workers[1].logs())
		}
		drained = f.countJobs(t, s, "completed") == len(jobs)
	}
	for _, w := range workers {
		w.signal(syscall.SIGTERM)
	}
	for _, w := range workers {
		w.wait(stopped)
	}

	// Every job completed, once, with the refund or payout the provider made for it.
	ledger := f.ledger(t, jobs)
	outputs := f.outputs(t, s)
	retried := 0
	for _, j := range jobs {
		out, txs := outputs[j.reference()], ledger[j.reference()]
		if out.attempts > 1 {
			retried++
		}
		if len(txs) != 1 {
			t.Errorf("the provider applied job %s (%s) %d times: %s", j.reference(), j.amount(), len(txs), describe(txs))
			continue
		}
		if !txs[0].Amount.Equal(j.amount()) || txs[0].ID != out.ID {
			t.Errorf("job %s: the provider holds %s of %v, the job's output names %q", j.reference(), txs[0].ID,
				txs[0].Amount, out.ID)
		}
	}
	if n := f.transactionsUnder(t, jobs); n != len(jobs) {
		t.Errorf("the provider holds %d refunds and payouts for %d jobs", n, len(jobs))
	}
	if retried < 2 {
		t.Errorf("%d jobs ran more than once; the two withheld calls at least should have", retried)
	}
}

func describe(txs []*trustlyrest.Transaction) string {
	var parts []string
	for _, tx := range txs {
		parts = append(parts, tx.ID+" "+tx.MerchantReference+" "+tx.Amount.String())
	}
	return strings.Join(parts, "; ")
}

// freshSchema returns a schema name of this test alone (River's tables and the journal go
// there), dropped with everything in it when the test ends.
func freshSchema(t *testing.T, dbURL string) string {
	t.Helper()
	// FreshTable gives a name unique to this run and drops a table of that name; the
	// schema of that name is dropped here.
	schema := pgtest.FreshTable(t, dbURL, "refundworker")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Errorf("connecting to drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

// buildWorker builds the worker binary into the test's temporary directory.
func buildWorker(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the worker: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "refundworker")
	out, err := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func usd(t *testing.T, value string) money.Amount {
	t.Helper()
	a, err := money.New(value, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fixture is a Trustly REST simulator with a Gateway of the test's own to make payments
// and read the provider's transactions.
type fixture struct {
	sim    *trustlyrestsim.Server
	gw     *paybridge.Gateway
	client *trustlyrest.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sim, err := trustlyrestsim.Start(trustlyrestsim.Options{SettleDelay: 5 * time.Millisecond,
		Options: simkit.Options{RetryBase: 10 * time.Millisecond, RetryMax: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := trustlyrest.New(sim.Config())
	if err != nil {
		sim.Close()
		t.Fatal(err)
	}
	gw := paybridge.New(c)
	// The adapter captures a payment when its Authorize notification arrives, so the
	// test serves notifications (and accepts every verified one).
	h, err := gw.NotificationHandler(func(context.Context, notify.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(h)
	t.Cleanup(hook.Close)
	t.Cleanup(func() { _ = gw.Close() })
	t.Cleanup(sim.Close) // runs first: stops deliveries before the hook closes
	sim.SetNotificationURL(hook.URL)
	return &fixture{sim: sim, gw: gw, client: c}
}

// paidPayment pays value, approves it at the simulated bank and waits until the capture
// has completed, so it can be refunded.
func (f *fixture) paidPayment(t *testing.T, ref, value string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testwait.Limit)
	defer cancel()
	p, err := f.gw.Pay(ctx, paybridge.PaymentRequest{Amount: usd(t, value), MerchantReference: ref, Description: "test order",
		ReturnURL: "https://shop.example.com/return", Payer: trustlyrestsim.TestPayer})
	if err != nil {
		t.Fatalf("Pay: %v", err)
	}
	if err := f.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatalf("approving: %v", err)
	}
	for {
		got, err := f.gw.GetPayment(ctx, p.ID)
		if err != nil {
			t.Fatalf("GetPayment: %v", err)
		}
		if got.Status == paybridge.PaymentSucceeded {
			return p.ID
		}
		if got.Status.Final() {
			t.Fatalf("payment %s ended %q", p.ID, got.Status)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("payment %s still %q", p.ID, got.Status)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// testJob is a refund or payout job of the test.
type testJob struct{ job }

func (j testJob) reference() string {
	if r, ok := j.job.(RefundArgs); ok {
		return r.Reference
	}
	return j.job.(PayoutArgs).Reference
}

func (j testJob) amount() money.Amount {
	if r, ok := j.job.(RefundArgs); ok {
		return r.Amount
	}
	return j.job.(PayoutArgs).Amount
}

func (j testJob) paymentID() string {
	r, _ := j.job.(RefundArgs)
	return r.PaymentID
}

// verifiedAccount verifies the test payer's account interactively (the Disbursement
// authorization payouts are made under) and returns its AccountID.
func (f *fixture) verifiedAccount(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testwait.Limit)
	defer cancel()
	v, err := f.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer,
		Currency: money.MustCurrency("USD"), MerchantReference: "payee-1", ReturnURL: "https://shop.example.com/verified"})
	if err != nil {
		t.Fatalf("VerifyAccount: %v", err)
	}
	if err := f.sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatalf("approving the account: %v", err)
	}
	for {
		got, err := f.gw.GetAccountVerification(ctx, v.ID)
		if err != nil {
			t.Fatalf("GetAccountVerification: %v", err)
		}
		if got.Status == paybridge.VerificationVerified && got.AccountID != "" {
			return got.AccountID
		}
		if got.Status.Final() {
			t.Fatalf("account verification %s ended %q", v.ID, got.Status)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("account verification %s still %q", v.ID, got.Status)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// parents returns the transactions whose children the jobs create: each refunded
// payment's capture, and each payout account's authorization.
func (f *fixture) parents(t *testing.T, jobs []testJob) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, j := range jobs {
		switch a := j.job.(type) {
		case PayoutArgs:
			out[a.AccountID] = typeDeposit
		case RefundArgs:
			for c, err := range f.client.Transactions(t.Context(), trustlyrest.TransactionFilter{OriginalTransactionID: a.PaymentID,
				Types: []int{typeCapture}}) {
				if err != nil {
					t.Fatal(err)
				}
				out[c.ID] = typeRefund
			}
		}
	}
	return out
}

// ledger returns the provider's refunds and deposits under the jobs' parents, by the job
// reference they carry (the adapter sends "<reference>.<suffix>").
func (f *fixture) ledger(t *testing.T, jobs []testJob) map[string][]*trustlyrest.Transaction {
	t.Helper()
	out := map[string][]*trustlyrest.Transaction{}
	for parent, typ := range f.parents(t, jobs) {
		for tx, err := range f.client.Transactions(t.Context(), trustlyrest.TransactionFilter{OriginalTransactionID: parent, Types: []int{typ}}) {
			if err != nil {
				t.Fatal(err)
			}
			ref, _, _ := strings.Cut(tx.MerchantReference, ".")
			out[ref] = append(out[ref], tx)
		}
	}
	return out
}

// transactionsUnder counts every refund and deposit under the jobs' parents, whatever
// reference it carries.
func (f *fixture) transactionsUnder(t *testing.T, jobs []testJob) int {
	t.Helper()
	n := 0
	for _, txs := range f.ledger(t, jobs) {
		n += len(txs)
	}
	return n
}

// countJobs counts the jobs in River's table (the test's alone) in one of the given
// states ("" for all); states is a quoted list's inside: "completed" or
// "cancelled', 'discarded".
func (f *fixture) countJobs(t *testing.T, s *store, states string) int {
	t.Helper()
	q := "SELECT count(*) FROM " + pgx.Identifier{s.schema, "river_job"}.Sanitize()
	if states != "" {
		q += " WHERE state IN ('" + states + "')"
	}
	var n int
	if err := s.pool.QueryRow(t.Context(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// jobOutcome is what River holds of a job: its output and how many attempts it took.
type jobOutcome struct {
	Output
	state    string
	attempts int
}

// outputs returns River's record of every job, by reference.
func (f *fixture) outputs(t *testing.T, s *store) map[string]jobOutcome {
	t.Helper()
	rc, err := s.client(river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // also after the test, for its log
	defer cancel()
	res, err := rc.JobList(ctx, river.NewJobListParams().First(1000))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]jobOutcome{}
	for _, row := range res.Jobs {
		var args struct {
			Reference string `json:"reference"`
		}
		if err := json.Unmarshal(row.EncodedArgs, &args); err != nil {
			t.Fatal(err)
		}
		o := jobOutcome{state: string(row.State), attempts: row.Attempt}
		if b := row.Output(); b != nil {
			if err := json.Unmarshal(b, &o.Output); err != nil {
				t.Fatal(err)
			}
		}
		out[args.Reference] = o
	}
	return out
}

// appliedNotCompleted returns the jobs the provider applied that River does not hold as
// completed, and the jobs applied more than once.
func (f *fixture) appliedNotCompleted(t *testing.T, s *store, jobs []testJob) (applied, twice []string) {
	t.Helper()
	outputs := f.outputs(t, s)
	for ref, txs := range f.ledger(t, jobs) {
		if len(txs) > 1 {
			twice = append(twice, ref)
		}
		if outputs[ref].state != "completed" {
			applied = append(applied, ref)
		}
	}
	return applied, twice
}

// workerProcess runs 'refundworker work' on the test's queue.
type workerProcess struct {
	t                        *testing.T
	name, bin, dbURL, schema string
	providerURL, accessKey   string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	err  error         // cmd.Wait's
	log  bytes.Buffer  // every run's stderr, the current one's included
}

// How a run of the worker is to end.
type ending int

const (
	killed  ending = iota // by SIGKILL
	stopped               // exit status 0 after SIGTERM
)

// start starts the worker: two jobs at a time; a dead worker's jobs are run again 10s
// after they started, and a failed job 100ms after it failed, then at most 2s.
func (w *workerProcess) start() {
	t := w.t
	t.Helper()
	cmd := exec.Command(w.bin, "work", "-schema", w.schema, "-workers", "2", "-job-timeout", "8s",
		"-rescue-after", "10s", "-backoff", "100ms", "-max-backoff", "2s")
	// The URLs come from the environment, as an operator would set them.
	cmd.Env = append(os.Environ(), EnvDatabaseURL+"="+w.dbURL, EnvURL+"="+w.providerURL,
		trustlyrest.EnvAccessKey+"="+w.accessKey)
	w.mu.Lock()
	defer w.mu.Unlock()
	fmt.Fprintf(&w.log, "--- worker %s starts\n", w.name)
	cmd.Stderr = &lockedWriter{mu: &w.mu, w: &w.log}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.cmd, w.done = cmd, make(chan struct{})
	done := w.done
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	go func() {
		err := cmd.Wait()
		w.mu.Lock()
		w.err = err
		w.mu.Unlock()
		close(done)
	}()
}

// wait waits for the worker to exit and checks that it ended as wanted.
func (w *workerProcess) wait(want ending) {
	t := w.t
	t.Helper()
	w.mu.Lock()
	cmd, done := w.cmd, w.done
	w.mu.Unlock()
	testwait.Recv(t, "worker "+w.name+" to exit", done)
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	ok := false
	switch want {
	case killed:
		ws, isWait := cmd.ProcessState.Sys().(syscall.WaitStatus)
		ok = isWait && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	case stopped:
		ok = err == nil
	}
	if !ok {
		t.Fatalf("worker %s was to end %s but ended with %v; its log:\n%s", w.name, [...]string{"killed", "stopped"}[want],
			err, w.logs())
	}
}

func (w *workerProcess) exited() bool {
	w.mu.Lock()
	done := w.done
	w.mu.Unlock()
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// signal sends sig to the running worker.
func (w *workerProcess) signal(sig os.Signal) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Signal(sig)
	}
}

func (w *workerProcess) logs() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// faults arms the workers' proxies: after the n-th refund or payout the provider makes
// through any of them, the answer is withheld and every worker is killed.
type faults struct {
	mu      sync.Mutex
	writes  int // refunds and payouts made since the last arming
	killN   int // kill after the killN-th; 0: off
	victims []*workerProcess
	done    bool
}

// proxy starts a proxy in front of the simulator's API that applies the armed fault.
func (f *faults) proxy(t *testing.T, sim *trustlyrestsim.Server) *httptest.Server {
	target, _ := url.Parse(sim.URL())
	rp := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = target.Host },
		Transport: roundTripper(f.roundTrip),
		// An error stands for an answer that never arrived: close the connection.
		ErrorHandler: func(http.ResponseWriter, *http.Request, error) { panic(http.ErrAbortHandler) },
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (f *faults) roundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	write := req.Method == http.MethodPost &&
		(strings.HasSuffix(req.URL.Path, "/refund") || strings.HasSuffix(req.URL.Path, "/deposit"))
	if err != nil || !write || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if f.killN == 0 || f.writes < f.killN {
		return resp, nil
	}
	// The provider has made the refund or payout; the worker that asked never hears of it, and
	// every worker dies now, whatever it is doing.
	_ = resp.Body.Close()
	for _, w := range f.victims {
		w.signal(syscall.SIGKILL)
	}
	f.killN, f.done = 0, true
	return nil, errors.New("worker killed")
}

// killAfter arms the kill of every worker right after the n-th refund or payout from now.
func (f *faults) killAfter(n int, victims []*workerProcess) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes, f.killN, f.victims, f.done = 0, n, victims, false
}

func (f *faults) fired() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.done
}
