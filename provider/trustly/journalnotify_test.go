package trustly_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/secret"
)

// settledDeliveries waits until every delivery of method on orderID was acknowledged or given up,
// and at least one exists.
func (e *env) settledDeliveries(t *testing.T, orderID, method string) []simkit.Delivery {
	t.Helper()
	var out []simkit.Delivery
	testwait.For(t, method+" deliveries of "+orderID+" to finish", func() bool {
		out = nil
		for _, d := range e.sim.Deliveries() {
			if d.ObjectID == orderID && d.Event == method {
				out = append(out, d)
			}
		}
		if len(out) == 0 {
			return false
		}
		for _, d := range out {
			if !d.Acknowledged && d.Attempts < 20 {
				return false
			}
		}
		return true
	})
	return out
}

// newPatientEnv is newSingleAttemptEnv with a simulator that delivers each notification
// until it is acknowledged (up to a million times, every 20 ms at most), as Trustly does
// for days: a test can settle a call while Trustly keeps asking.
func newPatientEnv(t *testing.T) *env {
	t.Helper()
	return newEnvSim(t, paybridge.NoRetry, trustlysim.Options{Options: simkit.Options{RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond,
		MaxAttempts: 1_000_000}, AllowLoopbackHTTP: true, HoldRefunds: true})
}

// answered waits until the first delivery of method on orderID got an answer, and returns it.
func (e *env) answered(t *testing.T, orderID, method string) simkit.Delivery {
	t.Helper()
	var out simkit.Delivery
	testwait.For(t, method+" of "+orderID+" to be answered", func() bool {
		for _, d := range e.sim.Deliveries() {
			if d.ObjectID == orderID && d.Event == method && d.LastStatus != 0 {
				out = d
				return true
			}
		}
		return false
	})
	return out
}

// acknowledged waits until the first delivery of method on orderID was acknowledged.
func (e *env) acknowledged(t *testing.T, orderID, method string) {
	t.Helper()
	testwait.For(t, method+" of "+orderID+" to be acknowledged", func() bool {
		for _, d := range e.sim.Deliveries() {
			if d.ObjectID == orderID && d.Event == method && d.Acknowledged {
				return true
			}
		}
		return false
	})
}

// otherMerchant returns a Client of another merchant of the simulator, whose
// notifications Trustly signs with the key that signs ours.
func (e *env) otherMerchant(t *testing.T, name string) *trustly.Client {
	t.Helper()
	creds, err := e.sim.NewMerchant(name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: e.sim.APIURL(), TrustlyPublicKey: e.sim.PublicKeyPEM()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) eventsFor(orderID string) []notify.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []notify.Event
	for _, ev := range e.events {
		if ev.PaymentID == orderID || ev.PayoutID == orderID || ev.VerificationID == orderID {
			out = append(out, ev)
		}
	}
	return out
}

// TestRefusedRefundTakesNoOutcome: a refund Trustly refused created nothing, so the
// confirmation of a later refund of the same amount names the later one.
func TestRefusedRefundTakesNoOutcome(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-refused")
	e.sim.FailNextWith(wire.CodeEndUserIsBlocked) // a signed refusal: Declined, recorded Failed
	_, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "refund-refused"})
	if !errors.Is(err, paybridge.ErrDeclined) {
		t.Fatalf("first refund: %v; want it declined", err)
	}
	good, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "refund-good"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.ConfirmRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	ev := e.nthEvent(t, p.ID, 2)
	if ev.Kind != notify.RefundSucceeded || ev.RefundID != good.ID {
		t.Fatalf("the accepted refund's confirmation reached the application as %s of refund %q; want refund.succeeded of %q",
			ev.Kind, ev.RefundID, good.ID)
	}
}

// TestRefundOutcomeOfADepositPastRetention: a refund's outcome reaches the application
// when the journal no longer keeps the deposit's Pay (past its retention, or pruned) but
// keeps the Refund it reports on.
func TestRefundOutcomeOfADepositPastRetention(t *testing.T) {
	// One clock for the journal and for Trustly's timestamps, moved on by the test.
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	e := newEnvSim(t, fastRetry, trustlysim.Options{Options: simkit.Options{RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond},
		AllowLoopbackHTTP: true, HoldRefunds: true, Clock: clock})
	e.journal = journal.NewMemory(journal.WithClock(clock), journal.WithRetention(time.Hour))
	e.restart(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-old")
	ahead.Store(int64(2 * time.Hour)) // the deposit is older than the journal's retention
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "refund-late"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.ConfirmRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	e.settledDeliveries(t, p.ID, "payoutconfirmation")
	for _, ev := range e.eventsFor(p.ID) {
		if ev.RefundID == r.ID {
			return
		}
	}
	t.Fatalf("the confirmation of refund %s (in the journal) was acknowledged and never delivered: events %v", r.ID, kinds(e.eventsFor(p.ID), p.ID))
}

// TestCancelOfAnUncertainDepositIsDelivered: a deposit whose Pay answer was lost is
// abandoned by the end user. Its cancel names our call only by the MessageID, which
// another merchant's order may share, so it is neither delivered nor dropped but asked
// for again; once the Pay, repeated with its key, is settled from Trustly with the order,
// the redelivered cancel reaches the application.
func TestCancelOfAnUncertainDepositIsDelivered(t *testing.T) {
	e := newPatientEnv(t)
	ctx := context.Background()
	req := e.payment("order-lost-cancel")
	e.sim.DropNext(1)
	if _, err := e.gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Pay: %v; want unknown outcome", err)
	}
	// Learn the order id without touching the journal: the identical request gets the
	// stored answer.
	direct := req
	p, err := e.c.Pay(ctx, &direct)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.CompleteOrder(p.ID, trustlysim.ActionAbandon); err != nil {
		t.Fatal(err)
	}
	if d := e.answered(t, p.ID, "cancel"); d.Acknowledged {
		t.Fatalf("the cancel of our uncertain deposit %s was acknowledged before the Pay was settled", p.ID)
	}
	if got := e.eventsFor(p.ID); len(got) > 0 {
		t.Fatalf("the cancel of order %s, matched by MessageID alone, reached the application: %s", p.ID, brief(got[0]))
	}
	settled, err := e.gw.Pay(ctx, req)
	if err != nil || settled.ID != p.ID {
		t.Fatalf("the repeated Pay: %v, %v; want order %s", settled, err, p.ID)
	}
	if ev := e.nthEvent(t, p.ID, 1); ev.Kind != notify.PaymentCanceled {
		t.Fatalf("the cancel of our deposit %s reached the application as %s", p.ID, brief(ev))
	}
}

// TestRefundOutcomeMatchedAmongRefundsSharingAReference: refunds carry the order's
// reference (as applications often do). Refund R1's answer was lost; a later refund R2
// of another amount was declined. R1's failure must reach the application as R1's: the
// Gateway's matcher, which finds refunds by the notification's messageid (the deposit's),
// passes over R2, refused and of another amount.
func TestRefundOutcomeMatchedAmongRefundsSharingAReference(t *testing.T) {
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-p")
	e.sim.DropNext(1)
	r1req := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), MerchantReference: "order-p", IdempotencyKey: "r1"}
	if _, err := e.gw.Refund(ctx, r1req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("R1: %v; want unknown outcome", err)
	}
	e.sim.FailNextWith(wire.CodeEndUserIsBlocked)
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("2.00", "EUR"), MerchantReference: "order-p",
		IdempotencyKey: "r2"}); !errors.Is(err, paybridge.ErrDeclined) {
		t.Fatalf("R2: %v; want declined", err)
	}
	if err := e.sim.FailRefund(p.ID); err != nil { // R1, the only refund Trustly accepted
		t.Fatal(err)
	}
	e.settledDeliveries(t, p.ID, "credit")
	direct := r1req
	r1, err := e.c.Refund(ctx, &direct) // the identical request: R1's id, without the journal
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range e.eventsFor(p.ID) {
		if ev.Kind == notify.RefundFailed && ev.RefundID == r1.ID {
			return
		}
	}
	t.Fatalf("R1's failure was acknowledged and never delivered; events: %v", kinds(e.eventsFor(p.ID), p.ID))
}

// TestDuplicateHintNamesTheCallThatSentTheReference: after two retries with fresh keys,
// each refused with 637, the hint still names the call that sent the MessageID first.
func TestDuplicateHintNamesTheCallThatSentTheReference(t *testing.T) {
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	req := e.payment("order-hint")
	e.sim.DropNext(1)
	if _, err := e.gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Pay: %v", err)
	}
	second := req
	second.IdempotencyKey = "second-key"
	if _, err := e.gw.Pay(ctx, second); !errors.Is(err, paybridge.ErrDuplicate) || !strings.Contains(err.Error(), strconv.Quote(req.IdempotencyKey)) {
		t.Fatalf("second: %v", err)
	}
	third := req
	third.IdempotencyKey = "third-key"
	_, err := e.gw.Pay(ctx, third)
	if !errors.Is(err, paybridge.ErrDuplicate) || !strings.Contains(err.Error(), strconv.Quote(req.IdempotencyKey)) {
		t.Fatalf("third: %v; want the hint to name %q, the call that sent the MessageID", err, req.IdempotencyKey)
	}
}

// TestRefused637MatchesNoNotification: our deposit for "order-888" was made and answered;
// the end user abandons it. A retry with a fresh key meets 637: Trustly created nothing,
// so the journal records the call as failed. Another merchant's genuine deposit with
// MessageID "order-888", posted to our URL, must not reach the application.
func TestRefused637MatchesNoNotification(t *testing.T) {
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	req := e.payment("order-888")
	ours, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Abandon(ctx, ours.RedirectURL); err != nil {
		t.Fatal(err)
	}
	retry := req
	retry.IdempotencyKey = "fresh-key-888"
	if _, err := e.gw.Pay(ctx, retry); !errors.Is(err, paybridge.ErrDuplicate) {
		t.Fatalf("retry: %v; want 637", err)
	}
	evil := e.otherMerchant(t, "evil")
	foreignReq := req
	foreignReq.IdempotencyKey = "evil-key"
	foreign, err := evil.Pay(ctx, &foreignReq)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, foreign.RedirectURL); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the foreign credit to be answered by our endpoint", func() bool {
		for _, d := range e.sim.Deliveries() {
			if d.ObjectID == foreign.ID && d.LastStatus != 0 {
				return true
			}
		}
		return false
	})
	if got := e.eventsFor(foreign.ID); len(got) > 0 {
		t.Fatalf("another merchant's order %s reached the application: %s", foreign.ID, brief(got[0]))
	}
}

// flakyCalls fails the first Marked call of a name, and otherwise is recordedCalls.
type flakyCalls struct {
	*recordedCalls
	failMarked map[string]bool
}

func (f *flakyCalls) Marked(ctx context.Context, name, key string) (string, error) {
	if f.failMarked[name] {
		f.failMarked[name] = false
		return "", errors.New("journal: connection reset")
	}
	return f.recordedCalls.Marked(ctx, name, key)
}

// TestJournalErrorLeavesNoMark: a transient journal error while reading the deposit's
// credit mark refuses the notification for redelivery and records nothing, so the
// refund's own confirmation later still names the refund.
func TestJournalErrorLeavesNoMark(t *testing.T) {
	c, _ := notifyClient(t)
	eur := func(s string) money.Amount { return money.MustNew(s, "EUR") }
	rec := &recordedCalls{calls: []provider.Call{
		{Op: provider.OpPay, Key: "k-600", Reference: "m-600", ProviderID: "600", Amount: eur("100.00"), Settled: true},
		// A full refund accepted while the deposit was pending; Trustly queues it.
		{Op: provider.OpRefund, Key: "r-600", Parent: "600", Amount: eur("100.00"), Settled: true},
	}}
	calls := &flakyCalls{recordedCalls: rec, failMarked: map[string]bool{"trustly.credited": true}}
	ctx := provider.WithCalls(context.Background(), calls)
	verify := func(method, id string) (*notify.Notification, error) {
		return c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, method,
			map[string]any{"orderid": "600", "messageid": "m-600", "notificationid": id, "currency": "EUR", "amount": "100.00"})})
	}
	if _, err := verify("credit", "n-deposit-credit"); !errors.Is(err, notify.ErrRetryLater) {
		t.Fatalf("credit with the journal failing: %v; want ErrRetryLater", err)
	}
	n, err := verify("credit", "n-deposit-credit") // Trustly redelivers
	if err != nil || n.Event.Kind != notify.PaymentSucceeded {
		t.Fatalf("redelivered credit: %v %+v", err, n)
	}
	n, err = verify("payoutconfirmation", "n-refund-done")
	if err != nil || n.Event.Kind != notify.RefundSucceeded || n.Event.RefundID == "" {
		t.Fatalf("the refund's confirmation: %v %s (marks %v); want refund.succeeded naming refund r-600", err, brief(n.Event), rec.marks)
	}
}

// TestRedeliveryAfterFailedCallbackReadsTheSame: a refund failure whose callback fails is
// redelivered, to another instance on the same journal, and read as the same refund's;
// the deposit's credit whose callback fails likewise.
func TestRedeliveryAfterFailedCallbackReadsTheSame(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mu.Lock()
	e.fail["credit"] = 2
	e.mu.Unlock()
	p := e.paidDeposit(t, "order-redeliver")
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("12.50", "EUR")})
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.fail["credit"] = 2
	e.mu.Unlock()
	e.restart(t) // another instance on the same journal handles the redeliveries
	if err := e.sim.FailRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	ev := e.nthEvent(t, p.ID, 2)
	if ev.Kind != notify.RefundFailed || ev.RefundID != r.ID {
		t.Fatalf("redelivered refund failure: %s", brief(ev))
	}
	if k := kinds(e.eventsFor(p.ID), p.ID); len(k) != 2 || k[0] != notify.PaymentSucceeded {
		t.Fatalf("kinds %v", k)
	}
}

// TestRefundOutcomeBeforeItsAnswerIsRecorded: a refund's confirmation that arrives while
// the Refund call's answer is missing (lost: the entry is uncertain, as it is pending
// while the answer is in flight) names the refund.
func TestRefundOutcomeBeforeItsAnswerIsRecorded(t *testing.T) {
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-overtake")
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("3.00", "EUR"), IdempotencyKey: "r-overtake"}
	e.sim.DropNext(1)
	if _, err := e.gw.Refund(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Refund: %v", err)
	}
	if err := e.sim.ConfirmRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	ev := e.nthEvent(t, p.ID, 2)
	r, err := e.gw.Refund(ctx, req) // the repeat settles it
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != notify.RefundSucceeded || ev.RefundID != r.ID {
		t.Fatalf("confirmation: %s; want refund %s", brief(ev), r.ID)
	}
}

// TestForeignDepositWithOurReferenceWhileOurPayIsUncertain: our Pay for "order-twin" was
// sent and its answer lost, so the journal does not know Trustly's orderid for it.
// Another merchant makes a deposit with MessageID "order-twin" and our amount, with our
// notification URL. Its credit matches our call only by the MessageID, which cannot tell
// our order from another merchant's: it must not reach the application as our payment,
// nor be dropped, but be asked for again. Once our Pay, repeated with its key, is settled
// from Trustly with our orderid, the redelivery is acknowledged as not ours, and our own
// deposit's credit reaches the application.
func TestForeignDepositWithOurReferenceWhileOurPayIsUncertain(t *testing.T) {
	e := newPatientEnv(t)
	ctx := context.Background()
	req := e.payment("order-twin")
	e.sim.DropNext(1)
	if _, err := e.gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Pay: %v; want unknown outcome", err)
	}
	foreignReq := req
	foreignReq.IdempotencyKey = "evil-key"
	foreign, err := e.otherMerchant(t, "evil").Pay(ctx, &foreignReq)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, foreign.RedirectURL); err != nil {
		t.Fatal(err)
	}
	d := e.answered(t, foreign.ID, "credit")
	if got := e.eventsFor(foreign.ID); len(got) > 0 {
		t.Fatalf("another merchant's deposit %s, matched to our uncertain Pay by its MessageID, reached the application: %s",
			foreign.ID, brief(got[0]))
	}
	if d.LastStatus == http.StatusOK {
		t.Fatalf("the credit of order %s was acknowledged before our Pay was settled: it is lost if it was ours", foreign.ID)
	}
	ours, err := e.gw.Pay(ctx, req) // Trustly answers the identical request with our order
	if err != nil {
		t.Fatal(err)
	}
	if ours.ID == foreign.ID {
		t.Fatalf("our Pay was settled with the other merchant's order %s", foreign.ID)
	}
	// Our endpoint acknowledges it now (HTTP 200 and our signed OK, which Trustly, checking
	// the other merchant's key, does not take).
	testwait.For(t, "the foreign credit to be acknowledged as not ours", func() bool {
		for _, d := range e.sim.Deliveries() {
			if d.ObjectID == foreign.ID && d.Event == "credit" && d.LastStatus == http.StatusOK {
				return true
			}
		}
		return false
	})
	if got := e.eventsFor(foreign.ID); len(got) > 0 {
		t.Fatalf("another merchant's deposit %s reached the application: %s", foreign.ID, brief(got[0]))
	}
	if err := e.sim.EndUser().Approve(ctx, ours.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, ours.ID, 1); ev.Kind != notify.PaymentSucceeded || !ev.Amount.Equal(req.Amount) {
		t.Fatalf("our deposit's credit: %s", brief(ev))
	}
}

// TestAccountSelectionWithoutReferenceWhoseAnswerWasLost: an interactive VerifyAccount
// without MerchantReference sends a MessageID the adapter derives from the idempotency
// key, and its answer is lost. The holder picks an account. The account notification
// must not be dropped as another merchant's: the journal recorded the derived MessageID
// before the request was sent. Found by it alone, it waits for redelivery until the
// VerifyAccount repeated with its key is settled from Trustly, then reaches the
// application naming the verification.
func TestAccountSelectionWithoutReferenceWhoseAnswerWasLost(t *testing.T) {
	e := newPatientEnv(t)
	ctx := context.Background()
	req := paybridge.VerifyAccountRequest{Holder: paybridge.Person{ID: "u-9", FirstName: "Ada", LastName: "Lovelace", Country: "SE",
		Locale: "sv_SE"}, ReturnURL: "https://shop.example.com/r", NotificationURL: e.notifyURL(), IdempotencyKey: "va-lost"}
	e.sim.DropNext(1)
	if _, err := e.gw.VerifyAccount(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("VerifyAccount: %v; want unknown outcome", err)
	}
	direct := req // the identical request gets the stored answer, without the journal
	v, err := e.c.VerifyAccount(ctx, &direct)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if d := e.answered(t, v.ID, "account"); d.LastStatus == http.StatusOK {
		t.Fatalf("the account notification of our verification %s was acknowledged before the call was settled; events: %v",
			v.ID, e.eventsFor(v.ID))
	}
	settled, err := e.gw.VerifyAccount(ctx, req)
	if err != nil || settled.ID != v.ID {
		t.Fatalf("the repeated VerifyAccount: %+v, %v; want verification %s", settled, err, v.ID)
	}
	e.acknowledged(t, v.ID, "account")
	evs := e.eventsFor(v.ID)
	if len(evs) != 1 || evs[0].Kind != notify.AccountVerified || evs[0].AccountID == "" {
		t.Fatalf("the account notification of verification %s reached the application as %v", v.ID, evs)
	}
}

// instances is a merchant's application run as two instances: two Gateways sharing one
// journal, over a stand-in for Trustly's API that accepts every Deposit and Refund. The
// tests sign notifications with the Trustly key and post them to either instance, in the
// order a network may bring them.
type instances struct {
	gw     [2]*paybridge.Gateway
	h      [2]*notify.Handler
	mu     sync.Mutex
	events []notify.Event
}

func newInstances(t *testing.T) *instances {
	t.Helper()
	priv, pub := trustlySide(t)
	var orders atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := wire.ReadBody(r.Body, 1<<20)
		if err != nil {
			t.Error(err)
			return
		}
		req, err := wire.ParseRequest(body)
		if err != nil {
			t.Error(err)
			return
		}
		var data map[string]any
		switch req.Method {
		case "Deposit":
			id := strconv.FormatInt(7000+orders.Add(1), 10)
			data = map[string]any{"orderid": id, "url": "https://trustly.example/checkout/" + id}
		case "Refund":
			id, _ := req.Get("OrderID")
			data = map[string]any{"orderid": id, "result": "1"}
		default:
			t.Errorf("unexpected %s request", req.Method)
			return
		}
		b, err := wire.EncodeResult(priv, req.Method, req.UUID, data)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(api.Close)
	m := &instances{}
	j := journal.NewMemory()
	for i := range m.gw {
		c, err := trustly.New(trustly.Config{Username: "merchant", Password: secret.New("pw"), PrivateKey: trustlyKeyPEM(t),
			BaseURL: api.URL, TrustlyPublicKey: pub, NotificationURL: "http://127.0.0.1/trustly"})
		if err != nil {
			t.Fatal(err)
		}
		m.gw[i] = paybridge.New(c, paybridge.WithRetry(paybridge.NoRetry), paybridge.WithJournal(j))
		m.h[i], err = m.gw[i].NotificationHandler(func(_ context.Context, ev notify.Event) error {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.events = append(m.events, ev)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// post delivers a notification signed by Trustly to instance i and returns the HTTP
// status of the answer: 200 when it was acknowledged.
func (m *instances) post(t *testing.T, i int, method string, data map[string]any) int {
	t.Helper()
	_, status := m.h[i].Process(context.Background(), &notify.Request{Method: http.MethodPost, Body: signed(t, method, data)})
	return status
}

func (m *instances) eventsFor(orderID string) []notify.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []notify.Event
	for _, ev := range m.events {
		if ev.PaymentID == orderID {
			out = append(out, ev)
		}
	}
	return out
}

// orderNotification is the data of a notification on order p (with its amount unless
// amount is empty).
func orderNotification(p *paybridge.Payment, id, amount string) map[string]any {
	d := map[string]any{"orderid": p.ID, "messageid": p.MerchantReference, "enduserid": "u-1", "notificationid": id}
	if amount != "" {
		d["amount"], d["currency"] = amount, "EUR"
	}
	return d
}

// TestRefundCancelOvertakesTheDepositCreditOnAnotherInstance: the application runs as two
// instances on one journal. A deposit is pending, and the merchant refunds it in full;
// Trustly queues the refund. The deposit settles and its credit goes to instance 0, where
// it is lost on the way (Trustly will deliver it again); the refund then fails, and its
// cancel, on the deposit's order, reaches instance 1 first. It must not reach the
// application as the payment's cancellation or failure: it is attributed to the refund,
// or left for Trustly to deliver again until it can be.
func TestRefundCancelOvertakesTheDepositCreditOnAnotherInstance(t *testing.T) {
	m := newInstances(t)
	ctx := context.Background()
	p, err := m.gw[0].Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("12.50", "EUR"), MerchantReference: "order-two",
		ReturnURL: "https://shop.example.com/ok", Payer: paybridge.Person{ID: "u-1", FirstName: "Ada", LastName: "Lovelace",
			Country: "SE", Locale: "sv_SE"}, IdempotencyKey: "pay-two"})
	if err != nil {
		t.Fatal(err)
	}
	if st := m.post(t, 0, "pending", orderNotification(p, "n-pending", "12.50")); st != http.StatusOK {
		t.Fatalf("pending: HTTP %d", st)
	}
	r, err := m.gw[1].Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("12.50", "EUR"), IdempotencyKey: "refund-two"})
	if err != nil {
		t.Fatal(err)
	}
	cancel := orderNotification(p, "n-refund-cancel", "")
	early := m.post(t, 1, "cancel", cancel)
	for _, ev := range m.eventsFor(p.ID) {
		if ev.Kind == notify.PaymentCanceled || ev.Kind == notify.PaymentFailed {
			t.Fatalf("the refund's cancel, before the deposit's credit was processed, reached the application as %s", brief(ev))
		}
	}
	if st := m.post(t, 0, "credit", orderNotification(p, "n-deposit-credit", "12.50")); st != http.StatusOK {
		t.Fatalf("the deposit's credit: HTTP %d", st)
	}
	if early != http.StatusOK { // Trustly delivers it again
		if st := m.post(t, 1, "cancel", cancel); st != http.StatusOK {
			t.Fatalf("the refund's cancel, after the deposit's credit: HTTP %d", st)
		}
	}
	got := m.eventsFor(p.ID)
	want := []notify.Kind{notify.PaymentPending, notify.PaymentSucceeded, notify.RefundFailed}
	if k := kinds(got, p.ID); !slices.Equal(k, want) {
		t.Fatalf("events %v; want %v", k, want)
	}
	if ev := got[2]; ev.RefundID != r.ID || ev.ID != "n-refund-cancel" {
		t.Fatalf("the refund's cancel reached the application as %s; want the failure of refund %s", brief(ev), r.ID)
	}
}

// TestCreditOfAnAmountNoCallRecordedIsNotOurs: a credit on our credited deposit's order
// whose amount is neither the deposit's nor that of any refund the journal holds (here a
// refund made outside the Gateway fails) reports nothing we did: it is acknowledged as
// not ours and reaches the application as no money event. The failure of the refund the
// journal holds still reaches it, naming the refund.
func TestCreditOfAnAmountNoCallRecordedIsNotOurs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.paidDeposit(t, "order-stray")
	outside := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "refund-outside"}
	if _, err := e.c.Refund(ctx, &outside); err != nil { // not through the Gateway: the journal holds nothing of it
		t.Fatal(err)
	}
	ours, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("2.00", "EUR"), IdempotencyKey: "refund-ours"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.FailRefund(p.ID); err != nil { // the 5.00 refund, queued first
		t.Fatal(err)
	}
	for _, d := range e.settledDeliveries(t, p.ID, "credit") {
		if !d.Acknowledged {
			t.Fatalf("credit %s was not acknowledged (last HTTP %d)", d.EventID, d.LastStatus)
		}
	}
	if k := kinds(e.eventsFor(p.ID), p.ID); len(k) != 1 {
		t.Fatalf("a credit of 5.00 EUR, which no call of ours moved, reached the application: %s", brief(e.eventsFor(p.ID)[1]))
	}
	if err := e.sim.FailRefund(p.ID); err != nil { // ours
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, p.ID, 2); ev.Kind != notify.RefundFailed || ev.RefundID != ours.ID || !ev.Amount.Equal(ours.Amount) {
		t.Fatalf("our refund's failure: %s; want refund.failed of %s", brief(ev), ours.ID)
	}
}

// TestReplayedOutcomeOfAnOlderRefundTakesNoLaterOne: a refund made outside the Gateway
// fails, and its credit, a genuine signed notification, is acknowledged as not ours. An
// hour later the merchant refunds the same amount through the Gateway. The old credit,
// posted again (captured on the way, say), cannot report on a refund made after Trustly
// sent it: it must neither reach the application as the new refund's failure — which would
// have the merchant refund again — nor take the new refund's place, so that the
// confirmation Trustly sends for it reaches the application.
func TestReplayedOutcomeOfAnOlderRefundTakesNoLaterOne(t *testing.T) {
	var later atomic.Bool
	e := newEnvSim(t, fastRetry, trustlysim.Options{Options: simkit.Options{RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond},
		AllowLoopbackHTTP: true, HoldRefunds: true, Clock: func() time.Time {
			if later.Load() {
				return time.Now()
			}
			return time.Now().Add(-time.Hour) // Trustly sent what comes first an hour ago
		}})
	ctx := context.Background()
	p := e.paidDeposit(t, "order-replay")
	outside := paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "refund-outside"}
	if _, err := e.c.Refund(ctx, &outside); err != nil { // not through the Gateway: the journal holds nothing of it
		t.Fatal(err)
	}
	if err := e.sim.FailRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	credits := e.settledDeliveries(t, p.ID, "credit") // the deposit's, then the outside refund's
	if len(credits) != 2 || !credits[1].Acknowledged {
		t.Fatalf("%d credits of %s; want the deposit's and the outside refund's, acknowledged", len(credits), p.ID)
	}
	old := credits[1]
	if k := kinds(e.eventsFor(p.ID), p.ID); len(k) != 1 {
		t.Fatalf("events of %s: %v; want the payment's only", p.ID, k)
	}

	later.Store(true)
	ours, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("5.00", "EUR"), IdempotencyKey: "refund-ours"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(e.srv.URL, "application/json", bytes.NewReader(old.Body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ev := range e.eventsFor(p.ID) {
		if ev.RefundID == ours.ID {
			t.Fatalf("the replayed credit of an older refund reached the application as ours: %s", brief(ev))
		}
	}
	if err := e.sim.ConfirmRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.nthEvent(t, p.ID, 2); ev.Kind != notify.RefundSucceeded || ev.RefundID != ours.ID {
		t.Fatalf("our refund's confirmation: %s; want refund.succeeded of %s", brief(ev), ours.ID)
	}
}
