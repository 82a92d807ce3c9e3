package trustist_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// A completion webhook whose confirming read still says PENDING (a lagging replica) is
// not acknowledged: Trustist delivers it again, and the completion reaches the
// application once the API confirms it. Nothing is delivered from the stale read.
func TestStaleConfirmationIsRedeliveredNotLost(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	var got events
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	e.sim.SetWebhookURL(srv.URL)
	p, err := e.gw.Pay(ctx, payReq(t, "14.00", "o-stale"))
	if err != nil {
		t.Fatal(err)
	}
	const lagging = 2
	e.sim.LagReads(lagging)
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the completion webhook to be acknowledged or given up", func() bool {
		d := e.sim.Deliveries()
		return len(d) == 1 && (d[0].Acknowledged || d[0].GaveUp)
	})
	d := e.sim.Deliveries()[0]
	evs := got.all()
	if !d.Acknowledged || d.Attempts != lagging+1 {
		t.Errorf("delivery acknowledged %v after %d attempts (last answered %d); want the %d attempts checked "+
			"against a lagging read refused, then one acknowledged", d.Acknowledged, d.Attempts, d.LastStatus, lagging)
	}
	if len(evs) != 1 || evs[0].Kind != notify.PaymentSucceeded || evs[0].ID != "payment/"+p.ID+"/COMPLETE" {
		t.Fatalf("events %s; want the one confirmed completion, and nothing from the stale reads", kinds(evs))
	}
}

// kinds describes events by kind and id.
func kinds(evs []notify.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "[%s %s] ", e.Kind, e.ID)
	}
	return fmt.Sprintf("%d: %s", len(evs), b.String())
}

// short describes a verification's result.
func short(n *notify.Notification, err error) string {
	if err != nil {
		return "error " + err.Error()
	}
	return fmt.Sprintf("%s %s", n.Event.Kind, n.ID)
}

// VerifyNotification reports a hint the API does not confirm yet as ErrRetryLater, and
// one the API's answer has moved past as that answer.
func TestUnconfirmedHintIsRetryLater(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, payReq(t, "3.00", "o-hint"))
	if err != nil {
		t.Fatal(err)
	}
	verify := func(body string) (*notify.Notification, error) {
		return e.p.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: []byte(body)})
	}
	body := func(event, status string) string {
		return fmt.Sprintf(`{"paymentId":%q,"status":%q,"eventType":%q}`, p.ID, status, event)
	}
	// The payment is pending: claims of an outcome are not confirmed yet.
	for _, b := range []string{body("payment.completed", "COMPLETED"), body("payment.failed", "FAILED"),
		body("payment.failed", "CANCELLED"), body("payment.completed", ""), fmt.Sprintf(`{"PaymentId":%q,"Status":"Completed"}`, p.ID)} {
		if n, err := verify(b); !errors.Is(err, notify.ErrRetryLater) || !errors.Is(err, trustist.ErrUnconfirmed) {
			t.Errorf("%s for a pending payment: %s; want ErrRetryLater and ErrUnconfirmed", b, short(n, err))
		}
	}
	// A claim of creation, or no claim, is confirmed by any status.
	for _, b := range []string{body("payment.created", "PENDING"), fmt.Sprintf(`{"paymentId":%q}`, p.ID)} {
		if n, err := verify(b); err != nil || n.Event.Kind != notify.PaymentPending || n.ID != "payment/"+p.ID+"/PENDING" {
			t.Errorf("%s: %s", b, short(n, err))
		}
	}
	// The payer's bank declined; a failure claim is confirmed, a completion claim is not.
	if err := e.sim.SetPaymentStatus(p.ID, trustistsim.StatusFailed); err != nil {
		t.Fatal(err)
	}
	if n, err := verify(body("payment.failed", "FAILED")); err != nil || n.Event.Kind != notify.PaymentFailed || n.ID != "payment/"+p.ID+"/FAILED" {
		t.Errorf("failure claim after the decline: %s", short(n, err))
	}
	if n, err := verify(body("payment.completed", "COMPLETED")); !errors.Is(err, notify.ErrRetryLater) {
		t.Errorf("completion claim for a failed payment: %s; want ErrRetryLater", short(n, err))
	}
	// A standing order claimed active while the API still reports it pending.
	so, err := e.p.CreateStandingOrder(ctx, trustist.StandingOrderRequest{Amount: gbp(t, "5.00"),
		StartDate: time.Now().UTC().Add(72 * time.Hour).Format("2006-01-02"), Frequency: trustist.Weekly,
		Reference: "so-hint", ReturnURL: "https://shop.example.com/so"})
	if err != nil {
		t.Fatal(err)
	}
	active := fmt.Sprintf(`{"standingOrderId":%q,"status":"ACTIVE","eventType":"StandingOrderCreated"}`, so.ID)
	if n, err := verify(active); !errors.Is(err, notify.ErrRetryLater) {
		t.Errorf("active claim for a pending standing order: %s; want ErrRetryLater", short(n, err))
	}
	if err := e.sim.EndUser().Approve(ctx, so.PayLink); err != nil {
		t.Fatal(err)
	}
	if n, err := verify(active); err != nil || n.Event.ProviderStatus != trustistsim.SOStatusActive {
		t.Errorf("active claim for an active standing order: %s", short(n, err))
	}
	// The payer retried and paid: the completion is read afresh, not answered by the
	// failure remembered, and a failure claim is then behind the API, which wins.
	if err := e.sim.SetPaymentStatus(p.ID, trustistsim.StatusComplete); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{body("payment.completed", "COMPLETED"), body("payment.failed", "FAILED")} {
		if n, err := verify(b); err != nil || n.Event.Kind != notify.PaymentSucceeded || n.ID != "payment/"+p.ID+"/COMPLETE" {
			t.Errorf("%s after the completion: %s", b, short(n, err))
		}
	}
}

// manualClock is a Config.Now that moves only when told.
type manualClock struct {
	base time.Time
	off  atomic.Int64
}

func newManualClock() *manualClock { return &manualClock{base: time.Now()} }

func (c *manualClock) now() time.Time          { return c.base.Add(time.Duration(c.off.Load())) }
func (c *manualClock) advance(d time.Duration) { c.off.Add(int64(d)) }

// paymentReads counts the payment reads the simulator received.
func (e *env) paymentReads() int {
	n := 0
	for _, r := range e.requests() {
		if r.method == http.MethodGet && strings.HasPrefix(r.path, "/v1/payments/") {
			n++
		}
	}
	return n
}

// A flood of unsigned webhooks naming unknown payments costs at most the configured
// burst of API reads while the clock stands still; the webhooks over the bound are
// answered 503, to be delivered again, not dropped; and once the bucket refills a
// genuine webhook is confirmed.
func TestUnknownIDFloodSpendsBoundedReads(t *testing.T) {
	clock := newManualClock()
	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Now = clock.now })
	ctx := context.Background()
	var got events
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.gw.Pay(ctx, payReq(t, "8.00", "o-flood"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.CompletePayment(p.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	before := e.paymentReads()
	const flood, workers = 10 * trustist.DefaultConfirmationBurst, 8
	codes := make(chan int, flood)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < flood; i += workers {
				codes <- post(t, h, fmt.Sprintf(`{"paymentId":%q,"status":"COMPLETED","eventType":"payment.completed"}`, uuid.NewString()))
			}
		}()
	}
	wg.Wait()
	close(codes)
	answered := map[int]int{}
	for c := range codes {
		answered[c]++
	}
	reads := e.paymentReads() - before
	if reads > trustist.DefaultConfirmationBurst {
		t.Errorf("%d webhooks for unknown payments cost %d API reads; want at most %d", flood, reads, trustist.DefaultConfirmationBurst)
	}
	if answered[http.StatusBadRequest] != reads || answered[http.StatusServiceUnavailable] != flood-reads {
		t.Errorf("answers %v for %d reads; want 400 for each payment read and found unknown, 503 (deliver again) for the rest", answered, reads)
	}
	if n := len(got.all()); n != 0 {
		t.Fatalf("%d events from webhooks for unknown payments", n)
	}
	genuine := fmt.Sprintf(`{"paymentId":%q,"status":"COMPLETED","eventType":"payment.completed"}`, p.ID)
	if code := post(t, h, genuine); code != http.StatusServiceUnavailable {
		t.Fatalf("genuine webhook with the bucket empty answered %d, want 503", code)
	}
	clock.advance(time.Second) // refills DefaultConfirmationsPerSecond reads
	if code := post(t, h, genuine); code != http.StatusOK {
		t.Fatalf("genuine webhook after the refill answered %d, want 200", code)
	}
	if evs := got.all(); len(evs) != 1 || evs[0].Kind != notify.PaymentSucceeded {
		t.Fatalf("events %s; want the genuine completion", kinds(evs))
	}
}

// Notifications about one payment arriving together share one API read.
func TestConcurrentConfirmationsShareOneRead(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, payReq(t, "4.00", "o-together"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.CompletePayment(p.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int32
	release := make(chan struct{})
	e.setIntercept(func(_ http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/payments/") {
			if reads.Add(1) == 1 {
				<-release // hold the first read until the others have arrived
			}
		}
		return false
	})
	const n = 8
	body := []byte(fmt.Sprintf(`{"paymentId":%q,"status":"COMPLETED","eventType":"payment.completed"}`, p.ID))
	results := make(chan string, n)
	for range n {
		go func() {
			nt, err := e.p.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: body})
			results <- short(nt, err)
		}()
	}
	waitFor(t, "the notifications to wait for one read, or a second read", func() bool {
		return trustist.PaymentConfirmationWaiters(e.p, p.ID) == n-1 || reads.Load() > 1
	})
	close(release)
	want := fmt.Sprintf("%s payment/%s/COMPLETE", notify.PaymentSucceeded, p.ID)
	for range n {
		if got := <-results; got != want {
			t.Errorf("verification: %s, want %s", got, want)
		}
	}
	if got := reads.Load(); got != 1 {
		t.Fatalf("%d notifications arriving together made %d API reads, want 1", n, got)
	}
}

// A payment read in a final status answers later notifications it confirms without a
// read, for a while; a claim it does not confirm is read afresh.
func TestFinalStatusSparesReads(t *testing.T) {
	clock := newManualClock()
	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Now = clock.now })
	ctx := context.Background()
	verify := func(body string) string {
		n, err := e.p.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: []byte(body)})
		return short(n, err)
	}
	paid, err := e.gw.Pay(ctx, payReq(t, "5.00", "o-final"))
	if err != nil {
		t.Fatal(err)
	}
	declined, err := e.gw.Pay(ctx, payReq(t, "6.00", "o-final-2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.CompletePayment(paid.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.CompletePayment(declined.ID, "decline"); err != nil {
		t.Fatal(err)
	}
	completion := func(id string) string {
		return fmt.Sprintf(`{"paymentId":%q,"status":"COMPLETED","eventType":"payment.completed"}`, id)
	}
	failure := func(id string) string {
		return fmt.Sprintf(`{"paymentId":%q,"status":"FAILED","eventType":"payment.failed"}`, id)
	}
	succeeded := fmt.Sprintf("%s payment/%s/COMPLETE", notify.PaymentSucceeded, paid.ID)
	failed := fmt.Sprintf("%s payment/%s/FAILED", notify.PaymentFailed, declined.ID)
	reads := func(what string, want int, f func()) {
		t.Helper()
		before := e.paymentReads()
		f()
		if got := e.paymentReads() - before; got != want {
			t.Errorf("%s: %d API reads, want %d", what, got, want)
		}
	}
	reads("five completions of a completed payment", 1, func() {
		for range 5 {
			if got := verify(completion(paid.ID)); got != succeeded {
				t.Errorf("completion: %s, want %s", got, succeeded)
			}
		}
	})
	reads("a creation notice and a failure claim for the completed payment", 0, func() {
		created := fmt.Sprintf(`{"paymentId":%q,"eventType":"payment.created"}`, paid.ID)
		if got := verify(created); got != succeeded {
			t.Errorf("creation notice: %s, want %s", got, succeeded)
		}
		if got := verify(failure(paid.ID)); got != succeeded {
			t.Errorf("failure claim: %s, want %s", got, succeeded)
		}
	})
	reads("three failures of a declined payment", 1, func() {
		for range 3 {
			if got := verify(failure(declined.ID)); got != failed {
				t.Errorf("failure: %s, want %s", got, failed)
			}
		}
	})
	// The decline remembered does not confirm a completion: each one is read afresh.
	reads("two completion claims for the declined payment", 2, func() {
		for range 2 {
			if got := verify(completion(declined.ID)); !strings.Contains(got, notify.ErrRetryLater.Error()) {
				t.Errorf("completion claim for a declined payment: %s, want ErrRetryLater", got)
			}
		}
	})
	// After a while the completion is read again. (The simulator's clock moves too, so
	// that it takes the Hawk timestamps as current.)
	clock.advance(11 * time.Minute)
	e.sim.SetClockSkew(11 * time.Minute)
	reads("a completion after the remembered status expired", 1, func() {
		if got := verify(completion(paid.ID)); got != succeeded {
			t.Errorf("completion: %s, want %s", got, succeeded)
		}
	})
}

// With RequireServerAuthorization, an answer whose Server-Authorization an intermediary
// removed is not trusted, whatever it says: a Pay whose answer was stripped and edited
// (its payLink pointing elsewhere) is UnknownOutcome, a read is an error, and a webhook
// it was to confirm is answered 503 to be delivered again. Without the setting, the
// default, such answers are accepted as Hawk allows.
func TestStrippedServerAuthorizationIsUnverified(t *testing.T) {
	const elsewhere = "https://attacker.example/pay"
	stripAndEdit := func(e *env) {
		e.sim.StripServerAuthorization(true)
		e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
			rec := httptest.NewRecorder()
			e.sim.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if r.Method == http.MethodPost {
				var m map[string]any
				if json.Unmarshal(body, &m) == nil && m["payLink"] != nil {
					m["payLink"] = elsewhere
					body, _ = json.Marshal(m)
				}
			}
			for k, vs := range rec.Header() {
				if k != "Content-Length" { // the body may have changed
					w.Header()[k] = vs
				}
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
			return true
		})
	}
	ctx := context.Background()

	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.RequireServerAuthorization = true })
	var got events
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.gw.Pay(ctx, payReq(t, "7.00", "o-signed"))
	if err != nil {
		t.Fatalf("signed answers, header required: %v", err)
	}
	if err := e.sim.CompletePayment(p.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	stripAndEdit(e)
	pay, err := e.gw.Pay(ctx, payReq(t, "7.00", "o-stripped"))
	if pe := wantCode(t, err, provider.UnknownOutcome); pay != nil || !strings.Contains(pe.Message, "Server-Authorization") {
		t.Fatalf("stripped create answer: %+v, %v", pay, err)
	}
	_, err = e.gw.GetPayment(ctx, p.ID)
	wantCode(t, err, provider.Internal)
	completion := fmt.Sprintf(`{"paymentId":%q,"status":"COMPLETED","eventType":"payment.completed"}`, p.ID)
	if code := post(t, h, completion); code != http.StatusServiceUnavailable || len(got.all()) != 0 {
		t.Fatalf("webhook confirmed by a stripped answer: HTTP %d, events %s; want 503 and none", code, kinds(got.all()))
	}
	// An error answer is signed too: a stripped 404 is unverified, not NotFound.
	e.setIntercept(nil)
	_, err = e.p.GetPayment(ctx, "6b1f6a1e-9c5d-4e0b-9f59-000000000000")
	wantCode(t, err, provider.Internal)
	// A refusal before processing is not signed, and stays what it is.
	e.sim.StripServerAuthorization(false)
	e.sim.FailNext(1)
	_, err = e.gw.GetPayment(ctx, p.ID)
	wantCode(t, err, provider.ProviderUnavailable)
	// A header that does not verify leaves the webhook to be delivered again, too.
	e.sim.CorruptServerAuthorization(true)
	if code := post(t, h, completion); code != http.StatusServiceUnavailable || len(got.all()) != 0 {
		t.Fatalf("webhook confirmed by a forged header: HTTP %d, events %s; want 503 and none", code, kinds(got.all()))
	}
	e.sim.CorruptServerAuthorization(false)
	if code := post(t, h, completion); code != http.StatusOK || len(got.all()) != 1 {
		t.Fatalf("with the header back: HTTP %d, events %s", code, kinds(got.all()))
	}

	// Off (the default): a stripped answer is accepted, as Hawk allows a server to leave
	// the header out.
	d := start(t, trustistsim.Options{}, nil)
	stripAndEdit(d)
	pay, err = d.gw.Pay(ctx, payReq(t, "7.00", "o-default"))
	if err != nil || pay.RedirectURL != elsewhere {
		t.Fatalf("header not required: %+v, %v", pay, err)
	}
}
