package trustist_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/secret"
)

// The adapter keeps no idempotency state: these tests hold the promises a Trustist Pay
// makes through the Gateway's operations journal, across Gateways (a restarted process, or
// another instance) that share it.

// gateway returns a Gateway over a new adapter for the env's simulator, as a restarted
// process or another instance would make them, recording calls in j. It makes one attempt
// per call, so that what a repeat sends is the journal's doing.
func (e *env) gateway(t *testing.T, j journal.Journal) *paybridge.Gateway {
	t.Helper()
	p, err := trustist.New(e.sim.Config())
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(p, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	t.Cleanup(func() { _ = gw.Close() })
	return gw
}

// clock is a journal clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// repeatSendsNothing repeats req on gw and checks that it is still UnknownOutcome and that
// nothing reached Trustist.
func repeatSendsNothing(t *testing.T, e *env, gw *paybridge.Gateway, req paybridge.PaymentRequest, what string) {
	t.Helper()
	before, sent := e.sim.Requests(), len(e.requests())
	_, err := gw.Pay(context.Background(), req)
	if !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("%s: %v; want ErrUnknownOutcome", what, err)
	}
	if e.sim.Requests() != before || len(e.requests()) != sent {
		t.Fatalf("%s sent %d requests; an uncertain Pay must not be sent again", what, len(e.requests())-sent)
	}
}

// settle posts the payment.created webhook of the only payment to the handler of gw and
// checks the event the application was given: the payment's id, the reference Pay sent
// and the amount.
func settle(t *testing.T, e *env, gw *paybridge.Gateway, req paybridge.PaymentRequest) simkit.Delivery {
	t.Helper()
	var got events
	h, err := gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	d := e.sim.Deliveries()
	if len(d) != 1 || d[0].Event != "payment.created" {
		t.Fatalf("deliveries %+v; want the payment.created webhook of one payment", d)
	}
	if code := post(t, h, string(d[0].Body)); code != http.StatusOK {
		t.Fatalf("the payment.created webhook answered %d", code)
	}
	evs := got.all()
	if len(evs) != 1 || evs[0].Kind != notify.PaymentPending || evs[0].PaymentID != d[0].ObjectID ||
		evs[0].MerchantReference != req.MerchantReference || !evs[0].Amount.Equal(req.Amount) {
		t.Fatalf("events %+v; want one payment.pending event for payment %s, reference %s, %s",
			evs, d[0].ObjectID, req.MerchantReference, req.Amount)
	}
	return d[0]
}

// wantPayment checks that p is the simulator's payment d names, ready for the payer.
func wantPayment(t *testing.T, p *paybridge.Payment, d simkit.Delivery, req paybridge.PaymentRequest) {
	t.Helper()
	if p.ID != d.ObjectID || p.Status != provider.PaymentRequiresAction || p.RedirectURL == "" ||
		!p.Amount.Equal(req.Amount) || p.IdempotencyKey != req.IdempotencyKey || p.MerchantReference != req.MerchantReference {
		t.Fatalf("payment %+v; want %s, requires_action with a RedirectURL, for %s", p, d.ObjectID, req.Amount)
	}
}

// A Pay whose answer was lost is UnknownOutcome, and a repeat sends nothing — on the same
// Gateway, on a new one on the same journal (a restarted process), and a day later by the
// journal's clock. The payment.created webhook, confirmed by the adapter and matched to
// the call by the handler, settles it: the next repeat returns the payment, and no second
// payment is ever created.
func TestPayLostAnswerIsUnknownUntilNotified(t *testing.T) {
	e := start(t, trustistsim.Options{SendCreatedEvents: true}, nil)
	ctx := context.Background()
	c := &clock{now: time.Now()}
	j := journal.NewMemory(journal.WithClock(c.Now))
	first := e.gateway(t, j)
	req := payReq(t, "4.20", "o-lost")
	req.IdempotencyKey = "key-lost"
	e.sim.DropNext(1)
	_, err := first.Pay(ctx, req)
	if !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Pay whose answer was lost: %v; want ErrUnknownOutcome", err)
	}
	if e.sim.Payments() != 1 {
		t.Fatal("the request whose answer was lost was not processed")
	}
	repeatSendsNothing(t, e, first, req, "a repeat on the same Gateway")
	_ = first.Close()

	c.Add(25 * time.Hour)
	second := e.gateway(t, j)
	repeatSendsNothing(t, e, second, req, "a repeat on a new Gateway a day later")

	d := settle(t, e, second, req)
	p, err := second.Pay(ctx, req)
	if err != nil {
		t.Fatalf("a repeat after the notification: %v", err)
	}
	wantPayment(t, p, d, req)
	before := e.sim.Requests()
	again, err := e.gateway(t, j).Pay(ctx, req)
	if err != nil || again.ID != p.ID || again.RedirectURL != p.RedirectURL {
		t.Fatalf("a repeat on a third Gateway: %+v, %v; want payment %s", again, err, p.ID)
	}
	if e.sim.Requests() != before {
		t.Fatal("a settled Pay was sent again")
	}
	if n := e.sim.Payments(); n != 1 || countPOSTs(e) != 1 {
		t.Fatalf("%d payments from %d POSTs for one idempotency key", n, countPOSTs(e))
	}
}

// loseAnswer makes the env lose the answer to the next payment POST in one of the ways
// Pay reports as UnknownOutcome; Trustist processes the request in each.
func loseAnswer(t *testing.T, e *env, how string) {
	t.Helper()
	var done atomic.Bool
	switch how {
	case "dropped":
		e.sim.DropNext(1)
	case "500", "502", "504":
		status, _ := strconv.Atoi(how)
		e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPost || r.URL.Path != "/v1/payments" || !done.CompareAndSwap(false, true) {
				return false
			}
			e.sim.ServeHTTP(httptest.NewRecorder(), r)
			w.WriteHeader(status)
			return true
		})
	case "no payLink":
		e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPost || r.URL.Path != "/v1/payments" || !done.CompareAndSwap(false, true) {
				return false
			}
			rec := httptest.NewRecorder()
			e.sim.ServeHTTP(rec, r)
			var created map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created["id"] == nil {
				t.Errorf("create answer %s: %v", rec.Body, err)
			}
			delete(created, "payLink")
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(created)
			return true
		})
	case "read-back failed":
		failGETs(e, 1, http.StatusServiceUnavailable)
	default:
		t.Fatalf("no way to lose an answer called %q", how)
	}
}

// The promise the adapter's in-process memory could not keep: a Pay whose answer was lost,
// repeated after a restart — here by several new Gateways at once, sharing the first one's
// journal — never creates a second payment, whichever way the answer was lost; and once
// the payment's webhook settles it, every repeat returns that one payment.
func TestPayRepeatedAfterRestartNeverCreatesASecondPayment(t *testing.T) {
	for _, how := range []string{"dropped", "500", "502", "504", "no payLink", "read-back failed"} {
		t.Run(how, func(t *testing.T) {
			e := start(t, trustistsim.Options{SendCreatedEvents: true}, nil)
			ctx := context.Background()
			j := journal.NewMemory()
			req := payReq(t, "6.60", "o-restart")
			req.IdempotencyKey = "key-restart"
			loseAnswer(t, e, how)
			if _, err := e.gateway(t, j).Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
				t.Fatalf("Pay whose answer was lost: %v; want ErrUnknownOutcome", err)
			}
			if e.sim.Payments() != 1 {
				t.Fatal("the request whose answer was lost was not processed")
			}
			restarted := make([]*paybridge.Gateway, 4)
			for i := range restarted {
				restarted[i] = e.gateway(t, j)
			}
			repeatAll := func() []*paybridge.Payment {
				got := make([]*paybridge.Payment, len(restarted))
				errs := make([]error, len(restarted))
				var wg sync.WaitGroup
				for i, gw := range restarted {
					wg.Go(func() { got[i], errs[i] = gw.Pay(ctx, req) })
				}
				wg.Wait()
				for i, err := range errs {
					if err != nil && !errors.Is(err, paybridge.ErrUnknownOutcome) {
						t.Fatalf("repeat %d: %v; want the payment or ErrUnknownOutcome", i, err)
					}
				}
				if n := e.sim.Payments(); n != 1 || countPOSTs(e) != 1 {
					t.Fatalf("%d payments from %d POSTs for one idempotency key", n, countPOSTs(e))
				}
				return got
			}
			for i, p := range repeatAll() {
				// A failed read-back still told the adapter the payment's id, which the
				// journal keeps: the repeats read that payment. Otherwise nothing proves it.
				if p != nil && how != "read-back failed" {
					t.Fatalf("repeat %d returned %+v before anything proved the payment", i, p)
				}
				if p == nil && how == "read-back failed" {
					t.Fatalf("repeat %d is uncertain although the journal knows the payment's id", i)
				}
			}
			d := settle(t, e, restarted[0], req)
			for _, p := range repeatAll() {
				if p == nil {
					t.Fatal("a repeat after the notification is still uncertain")
				}
				wantPayment(t, p, d, req)
			}
		})
	}
}

// A notification can overtake the answer it concerns: the payment.created webhook reaches
// the handler while Pay still waits for its answer, which is then lost. The call is still
// uncertain, but the journal now knows its payment, so the repeat reads it (one GET, no
// POST).
func TestPayNotifiedBeforeItsAnswerIsLost(t *testing.T) {
	e := start(t, trustistsim.Options{SendCreatedEvents: true}, nil)
	ctx := context.Background()
	gw := e.gateway(t, journal.NewMemory())
	var got events
	h, err := gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	var done atomic.Bool
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/payments" || !done.CompareAndSwap(false, true) {
			return false
		}
		e.sim.ServeHTTP(httptest.NewRecorder(), r)
		if d := e.sim.Deliveries(); len(d) != 1 || post(t, h, string(d[0].Body)) != http.StatusOK {
			t.Errorf("the payment.created webhook was not accepted while Pay waited: %+v", d)
		}
		w.WriteHeader(http.StatusBadGateway)
		return true
	})
	req := payReq(t, "3.10", "o-overtaken")
	req.IdempotencyKey = "key-overtaken"
	if _, err := gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Pay whose answer was lost: %v; want ErrUnknownOutcome", err)
	}
	if n := len(got.all()); n != 1 {
		t.Fatalf("%d events reached the application; want the payment's", n)
	}
	sent := len(e.requests())
	p, err := gw.Pay(ctx, req)
	if err != nil {
		t.Fatalf("a repeat: %v", err)
	}
	wantPayment(t, p, e.sim.Deliveries()[0], req)
	rs := e.requests()[sent:]
	if len(rs) != 1 || rs[0].method != http.MethodGet || rs[0].path != "/v1/payments/"+p.ID {
		t.Fatalf("the repeat sent %d requests; want one GET of the payment", len(rs))
	}
	if e.sim.Payments() != 1 {
		t.Fatal("a second payment was created")
	}
}

// With the default in-memory journal nothing survives the process: a Pay repeated by a
// new Gateway after a lost answer is sent again. This is why instances must share a
// persistent journal, and what TestPayRepeatedAfterRestartNeverCreatesASecondPayment
// holds the shared journal to.
func TestPayRepeatWithoutSharedJournalIsSentAgain(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	req := payReq(t, "2.20", "o-forgotten")
	req.IdempotencyKey = "key-forgotten"
	e.sim.DropNext(1)
	if _, err := e.gateway(t, journal.NewMemory()).Pay(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("Pay whose answer was lost: %v; want ErrUnknownOutcome", err)
	}
	if _, err := e.gateway(t, journal.NewMemory()).Pay(ctx, req); err != nil {
		t.Fatal(err)
	}
	if n := countPOSTs(e); n != 2 {
		t.Fatalf("%d POSTs; a Gateway on a journal of its own knows nothing of the first", n)
	}
}

// The adapter names its merchant by the merchant key's Hawk id, never the private key, so
// that Gateways for different merchants keep their calls apart in one journal: one
// merchant's recorded payment is never another's answer.
func TestJournalEntriesKeptApartByMerchant(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	key := e.sim.MerchantKey()
	if got := e.p.Account(); got != key.HawkID || strings.Contains(got, key.HawkKey.Reveal()) {
		t.Fatalf("Account() = %q; want the merchant key's Hawk id %q", got, key.HawkID)
	}
	j := journal.NewMemory()
	mine := e.gateway(t, j)
	if scope := mine.JournalScope(); scope != trustist.Name+"/"+key.HawkID {
		t.Fatalf("journal scope %q", scope)
	}
	req := payReq(t, "5.00", "o-merchant")
	req.IdempotencyKey = "key-merchant"
	p, err := mine.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.sim.Config()
	cfg.Merchant = trustist.Key{HawkID: "0d5c4a3e-0000-4000-8000-0000000000aa", HawkKey: secret.New("sk_test_other_merchant")}
	op, err := trustist.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	other := paybridge.New(op, paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	t.Cleanup(func() { _ = other.Close() })
	before := countPOSTs(e)
	// The simulator knows only its own merchant, so the other merchant's call is refused:
	// it reached Trustist instead of being answered with the first merchant's payment.
	got, err := other.Pay(ctx, req)
	if provider.CodeOf(err) != provider.Unauthenticated || got != nil || countPOSTs(e) != before+1 {
		t.Fatalf("the same key for another merchant: %+v, %v; want its own request, refused", got, err)
	}
	again, err := mine.Pay(ctx, req)
	if err != nil || again.ID != p.ID || countPOSTs(e) != before+1 {
		t.Fatalf("a repeat for the first merchant: %+v, %v", again, err)
	}
}
