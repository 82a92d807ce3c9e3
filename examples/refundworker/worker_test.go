package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
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

// TestKilledWorkerPaysOnce runs the worker as a real process against the Trustly REST
// simulator, kills it with SIGKILL several times — twice at the worst moment, after the
// provider made a refund or payout and before the worker heard of it — and once loses
// the provider's answer, restarts it each time, and then proves from the provider's own
// transaction list that every job was applied exactly once. Trustly REST does not
// deduplicate refunds itself, so only the job's stored idempotency key stands between a
// restart and a second refund.
func TestKilledWorkerPaysOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the worker binary")
	}
	bin := buildWorker(t)
	f := newFixture(t)

	// Four paid payments of 20.00 with three partial refunds each, and eight payouts to
	// one verified account.
	q, err := OpenQueue(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var jobs []Job
	for p := range 4 {
		payment := f.paidPayment(t, fmt.Sprintf("order-%d", p), "20.00")
		for r, value := range []string{"2.00", "3.50", "4.25"} {
			jobs = append(jobs, Job{Kind: KindRefund, PaymentID: payment, Amount: usd(t, value),
				Reference: fmt.Sprintf("rf-%d-%d", p, r), Description: "returned goods"})
		}
	}
	account := f.verifiedAccount(t)
	for i := range 8 {
		jobs = append(jobs, Job{Kind: KindPayout, AccountID: account, Amount: usd(t, fmt.Sprintf("1.%02d", 10+i)),
			Reference: fmt.Sprintf("po-%d", i), Description: "seller payout"})
	}
	for i, j := range jobs {
		if jobs[i], err = q.Enqueue(j); err != nil {
			t.Fatal(err)
		}
	}
	// One job through the command line, as an operator would add it.
	out, err := exec.CommandContext(t.Context(), bin, "enqueue", "-queue", q.dir, "-kind", "refund", "-payment", jobs[0].PaymentID,
		"-amount", "1.00", "-currency", "USD", "-reference", "rf-cli").CombinedOutput()
	if err != nil {
		t.Fatalf("enqueue: %v\n%s", err, out)
	}
	if jobs, err = q.Pending(); err != nil || len(jobs) != 21 {
		t.Fatalf("%d jobs pending after enqueueing 21 (%v)", len(jobs), err)
	}

	// Each API request takes 10ms, so a run lasts long enough to be killed at a random
	// moment.
	f.sim.SetLatency(10 * time.Millisecond)
	chaos := newChaos(t, f.sim)
	w := &workerProcess{t: t, bin: bin, queue: q.dir, providerURL: "trustlyrest://sandbox?merchant_id=" + f.sim.MerchantID() +
		"&access_id=" + f.sim.AccessID() + "&base_url=" + url.QueryEscape(chaos.URL+"/api/v1"), accessKey: f.sim.AccessKey()}
	seed := uint64(time.Now().UnixNano())
	rnd := rand.New(rand.NewPCG(seed, 0))
	t.Logf("random kill times from seed %d", seed)

	// Round 1: SIGKILL right after the provider applied the 3rd refund, before the
	// worker reads the answer.
	chaos.killAfter(3, w)
	w.run(killed)
	withheld := chaos.withheldJob()
	if withheld == "" {
		t.Fatal("round 1 did not reach the 3rd refund")
	}
	// The kill left a job the provider applied and the queue still holds as pending: the
	// case a restart must not pay again.
	if applied, recorded := f.appliedNotRecorded(t, q, jobs); len(applied) != 1 || recorded {
		t.Fatalf("after the kill %d jobs were applied without a result (%v); want exactly the withheld one", len(applied), applied)
	}

	// Round 2: SIGKILL at a random moment.
	w.run(killed, func() { chaos.killAt(time.Duration(100+rnd.IntN(200))*time.Millisecond, w) })

	// Round 3: SIGTERM at a random moment once the worker works (before, it has not yet
	// installed its handler, and the signal would kill it). The worker finishes the call in
	// flight and records it, so no job is left applied but unrecorded.
	sent := chaos.requests.Load()
	w.run(stopped, func() {
		testwait.For(t, "a request from the worker", func() bool { return chaos.requests.Load() > sent })
		time.AfterFunc(time.Duration(100+rnd.IntN(200))*time.Millisecond, func() { w.signal(syscall.SIGTERM) })
	})
	if applied, twice := f.appliedNotRecorded(t, q, jobs); len(applied) != 0 || twice {
		t.Fatalf("after SIGTERM, jobs %v were applied but not recorded (or some twice: %v)", applied, twice)
	}

	// Round 4: the answer to a refund or payout is lost and the worker's look-up fails
	// too, so the worker gets UnknownOutcome and must repeat with the same key; later in
	// the same round, SIGKILL after the provider applied another job.
	chaos.loseAnswer(1)
	chaos.killAfter(3, w)
	w.run(killed)
	if chaos.withheldJob() == "" {
		t.Fatal("round 3 was not killed after the provider applied a job")
	}
	if !strings.Contains(w.logs(), "repeating with the same idempotency key") || !strings.Contains(w.logs(), "code=unknown_outcome") {
		t.Fatalf("the worker did not repeat an unknown outcome with the same key; its log:\n%s", w.logs())
	}

	// Round 5: no more faults; the worker drains the queue and exits 0.
	chaos.calm()
	w.run(drained)

	pending, err := q.Pending()
	if err != nil || len(pending) != 0 {
		t.Fatalf("%d jobs still pending after the last run (%v)", len(pending), err)
	}
	results, err := q.Results()
	if err != nil {
		t.Fatal(err)
	}
	ledger := f.ledger(t, jobs)
	for _, j := range jobs {
		r := results[j.ID]
		txs := ledger[j.Reference]
		if r.Outcome != Done {
			t.Errorf("job %s (%s) ended %q: %s %s", j.ID, j.Reference, r.Outcome, r.Code, r.Error)
		}
		if len(txs) != 1 {
			t.Errorf("the provider applied job %s (%s %s %s) %d times: %s", j.ID, j.Kind, j.Reference, j.Amount, len(txs), describe(txs))
			continue
		}
		if !txs[0].Amount.Equal(j.Amount) || txs[0].ID != r.ProviderID {
			t.Errorf("job %s: the provider holds %s %v, the result names %s", j.ID, txs[0].ID, txs[0].Amount, r.ProviderID)
		}
	}
	if n := f.transactionsUnder(t, jobs); n != len(jobs) {
		t.Errorf("the provider holds %d refunds and payouts for %d jobs", n, len(jobs))
	}
}

func describe(txs []*trustlyrest.Transaction) string {
	var parts []string
	for _, tx := range txs {
		parts = append(parts, tx.ID+" "+tx.MerchantReference+" "+tx.Amount.String())
	}
	return strings.Join(parts, "; ")
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

// fixture is a Trustly REST simulator with a Gateway of the test's own to set up payments
// and an account, and to read the provider's transactions.
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
		if sleep(ctx, 5*time.Millisecond) != nil {
			t.Fatalf("payment %s still %q", p.ID, got.Status)
		}
	}
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
		if sleep(ctx, 5*time.Millisecond) != nil {
			t.Fatalf("account verification %s still %q", v.ID, got.Status)
		}
	}
}

// parents returns the transactions whose children the jobs create: each refunded
// payment's capture, and each payout account's authorization.
func (f *fixture) parents(t *testing.T, jobs []Job) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, j := range jobs {
		switch j.Kind {
		case KindPayout:
			out[j.AccountID] = typeDeposit
		case KindRefund:
			for c, err := range f.client.Transactions(t.Context(), trustlyrest.TransactionFilter{OriginalTransactionID: j.PaymentID,
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
func (f *fixture) ledger(t *testing.T, jobs []Job) map[string][]*trustlyrest.Transaction {
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
func (f *fixture) transactionsUnder(t *testing.T, jobs []Job) int {
	t.Helper()
	n := 0
	for _, txs := range f.ledger(t, jobs) {
		n += len(txs)
	}
	return n
}

// appliedNotRecorded returns the jobs the provider applied that have no result yet, and
// whether any job was applied more than once.
func (f *fixture) appliedNotRecorded(t *testing.T, q *Queue, jobs []Job) ([]string, bool) {
	t.Helper()
	results, err := q.Results()
	if err != nil {
		t.Fatal(err)
	}
	ledger := f.ledger(t, jobs)
	var out []string
	twice := false
	for _, j := range jobs {
		n := len(ledger[j.Reference])
		twice = twice || n > 1
		if _, ok := results[j.ID]; n > 0 && !ok {
			out = append(out, j.Reference)
		}
	}
	return out, twice
}

// workerProcess runs the worker binary against one queue.
type workerProcess struct {
	t           *testing.T
	bin, queue  string
	providerURL string
	accessKey   string

	mu  sync.Mutex
	cmd *exec.Cmd
	log bytes.Buffer
}

// How a run of the worker is to end.
type ending int

const (
	killed  ending = iota // by SIGKILL
	stopped               // exit status 1 after SIGTERM
	drained               // exit status 0, every job finished
)

// run runs the worker to its end and checks that it ended as wanted. afterStart runs once
// the process has started.
func (w *workerProcess) run(want ending, afterStart ...func()) {
	t := w.t
	t.Helper()
	// The provider URL comes from PAYBRIDGE_URL, as the paybridge command reads it.
	cmd := exec.CommandContext(t.Context(), w.bin, "run", "-queue", w.queue,
		"-backoff", "20ms", "-attempts", "6", "-call-timeout", testwait.Limit.String())
	cmd.Env = append(os.Environ(), EnvURL+"="+w.providerURL, trustlyrest.EnvAccessKey+"="+w.accessKey)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	w.mu.Lock()
	w.cmd = cmd
	err := cmd.Start()
	w.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range afterStart {
		f()
	}
	err = cmd.Wait()
	w.mu.Lock()
	w.log.Write(stderr.Bytes())
	w.mu.Unlock()
	var exit *exec.ExitError
	ok := false
	switch want {
	case killed:
		ws, isWait := cmd.ProcessState.Sys().(syscall.WaitStatus)
		ok = isWait && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	case stopped:
		ok = errors.As(err, &exit) && exit.ExitCode() == exitFailed
	case drained:
		ok = err == nil
	}
	if !ok {
		t.Fatalf("the worker was to end %s but ended with %v; its log:\n%s", [...]string{"killed", "stopped", "drained"}[want],
			err, stderr.String())
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

// kill sends SIGKILL to the running worker.
func (w *workerProcess) kill() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Kill()
	}
}

func (w *workerProcess) logs() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.String()
}

// chaos is a proxy in front of the simulator's API that can kill the worker just after
// the provider applied a refund or payout, kill it after a delay, or lose the answer to
// a refund or payout together with the adapter's look-up that follows.
type chaos struct {
	*httptest.Server

	requests atomic.Int64 // requests forwarded or answered

	mu        sync.Mutex
	writes    int // refunds and deposits forwarded since the last arming
	killN     int // kill after the killN-th; 0: off
	loseN     int // lose the answer of the loseN-th; 0: off
	failReads int // answer this many more reads with 503
	victim    *workerProcess
	withheld  string // path of the write whose answer the kill withheld
	timer     *time.Timer
}

func newChaos(t *testing.T, sim *trustlyrestsim.Server) *chaos {
	target, _ := url.Parse(sim.URL())
	c := &chaos{}
	rp := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = target.Host },
		Transport: c,
		// An error stands for an answer that never arrived: close the connection.
		ErrorHandler: func(http.ResponseWriter, *http.Request, error) { panic(http.ErrAbortHandler) },
	}
	c.Server = httptest.NewServer(rp)
	t.Cleanup(c.Close)
	t.Cleanup(c.calm)
	return c
}

// RoundTrip forwards a request to the simulator and applies the armed fault.
func (c *chaos) RoundTrip(req *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	write := req.Method == http.MethodPost &&
		(strings.HasSuffix(req.URL.Path, "/refund") || strings.HasSuffix(req.URL.Path, "/deposit"))
	c.mu.Lock()
	n := 0
	if write {
		c.writes++
		n = c.writes
	}
	failRead := req.Method == http.MethodGet && c.failReads > 0
	if failRead {
		c.failReads--
	}
	c.mu.Unlock()
	if failRead {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Proto: "HTTP/1.1",
			ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"Content-Type": {"text/plain"}},
			Body: io.NopCloser(strings.NewReader("service unavailable")), Request: req}, nil
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !write {
		return resp, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case n == c.killN && resp.StatusCode == http.StatusOK:
		// The provider has made the refund or payout; the worker never hears of it.
		_ = resp.Body.Close()
		c.killN, c.withheld = 0, req.URL.Path
		c.victim.kill()
		return nil, errors.New("worker killed")
	case n == c.loseN && resp.StatusCode == http.StatusOK:
		_ = resp.Body.Close()
		// The adapter's look-up after the lost answer fails too, in each of its attempts.
		c.loseN, c.failReads = 0, 3
		return nil, errors.New("answer lost")
	}
	return resp, nil
}

// killAfter arms a SIGKILL of w right after the provider applies the n-th refund or
// payout from now.
func (c *chaos) killAfter(n int, w *workerProcess) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes, c.killN, c.victim, c.withheld = 0, n, w, ""
}

// loseAnswer arms the loss of the answer to the n-th refund or payout from now.
func (c *chaos) loseAnswer(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes, c.loseN = 0, n
}

// killAt kills w after d, wherever it is.
func (c *chaos) killAt(d time.Duration, w *workerProcess) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer = time.AfterFunc(d, w.kill)
}

// calm disarms every fault.
func (c *chaos) calm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.killN, c.loseN, c.failReads = 0, 0, 0
	if c.timer != nil {
		c.timer.Stop()
	}
}

func (c *chaos) withheldJob() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.withheld
}
