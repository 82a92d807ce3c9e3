package trustly_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

// kycNotification is the kyc notification of Trustly's documentation
// (https://eu.developers.trustly.com/doc/reference/kyc-notification).
func kycNotification() map[string]any {
	return map[string]any{"orderid": "87654567", "messageid": "mytransaction-001",
		"kycentityid": "29a750aa-0bad-4a28-a42d-ffb9a690d93a", "notificationid": "9876543456",
		"attributes": map[string]any{"personid": "SE196512171957", "firstname": "Joe", "lastname": "Johnson",
			"dob": "1965-12-17", "street": "Street 10", "zipcode": "11253", "city": "STOCKHOLM", "country": "Sweden"}}
}

const docUUID = "258a2184-2842-b485-25ca-293525152425" // the uuid signed() sends

// TestKYCWithoutADecisionIsDenied: a kyc notification answered without the application
// deciding is denied (FINISH): nobody vetted the payer, so the deposit must not go on.
func TestKYCWithoutADecisionIsDenied(t *testing.T) {
	c, merchantPub := notifyClient(t)
	n, err := c.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: signed(t, "kyc", kycNotification())})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.NotificationReply(n, notify.Processed)
	if err != nil {
		t.Fatal(err)
	}
	status, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "kyc", docUUID)
	if err != nil || rep.StatusCode != http.StatusOK || status != "FINISH" {
		t.Fatalf("reply %d %s: status %q, %v; want 200 and a signed FINISH", rep.StatusCode, rep.Body, status, err)
	}
}

// TestKYCNotificationAndReply: the kyc notification reaches the application as
// payment.identified with the payer's identity, and the reply is signed with the
// merchant's key, echoes the uuid and method, and carries the application's decision.
func TestKYCNotificationAndReply(t *testing.T) {
	c, merchantPub := notifyClient(t)
	n, err := c.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: signed(t, "kyc", kycNotification())})
	if err != nil {
		t.Fatal(err)
	}
	ev := n.Event
	want := notify.Identity{ProviderID: "29a750aa-0bad-4a28-a42d-ffb9a690d93a", NationalID: "SE196512171957",
		FirstName: "Joe", LastName: "Johnson", DateOfBirth: "1965-12-17", Street: "Street 10", PostalCode: "11253",
		City: "STOCKHOLM", Country: "Sweden"}
	if ev.Kind != notify.PaymentIdentified || ev.PaymentID != "87654567" || ev.MerchantReference != "mytransaction-001" ||
		ev.ID != "9876543456" || ev.ProviderEvent != "kyc" || !n.AsksDecision || ev.Identity == nil || *ev.Identity != want {
		t.Fatalf("event %s identity %+v asks %v", brief(ev), ev.Identity, n.AsksDecision)
	}
	for _, c2 := range []struct {
		decision notify.Decision
		want     string
	}{{notify.Continue, "CONTINUE"}, {notify.Abort, "FINISH"}, {notify.Undecided, "FINISH"}} {
		n.Decision = c2.decision
		rep, err := c.NotificationReply(n, notify.Processed)
		if err != nil {
			t.Fatal(err)
		}
		status, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "kyc", docUUID)
		if err != nil || rep.StatusCode != http.StatusOK || status != c2.want {
			t.Errorf("%v: reply %d %s: status %q, %v; want a signed %s", c2.decision, rep.StatusCode, rep.Body, status, err, c2.want)
		}
	}
	// A failed callback is neither answer: HTTP 500 and no signed reply, so that Trustly
	// delivers the notification again.
	n.Decision = notify.Continue
	rep, err := c.NotificationReply(n, notify.Failed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "kyc", docUUID); rep.StatusCode != http.StatusInternalServerError || err == nil {
		t.Fatalf("failed: reply %d %s", rep.StatusCode, rep.Body)
	}
}

// kycEnv is a merchant whose deposits ask Trustly for kyc, against the simulator, with a
// notification endpoint whose callback decides with decide.
type kycEnv struct {
	sim *trustlysim.Server
	gw  *paybridge.Gateway
	url string

	mu     sync.Mutex
	events []notify.Event
	calls  int // callback runs on kyc events
}

func newKYCEnv(t *testing.T, decide func(run int, ev notify.Event) error) *kycEnv {
	t.Helper()
	sim, err := trustlysim.Start(trustlysim.Options{Options: simkit.Options{RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond},
		AllowLoopbackHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	creds, err := sim.NewMerchant("merchant")
	if err != nil {
		t.Fatal(err)
	}
	c, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: sim.APIURL(), TrustlyPublicKey: sim.PublicKeyPEM(), RequestKYC: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &kycEnv{sim: sim, gw: paybridge.New(c, paybridge.WithRetry(fastRetry))}
	h, err := e.gw.NotificationHandler(func(_ context.Context, ev notify.Event) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if ev.Kind == notify.PaymentIdentified {
			e.calls++
			if err := decide(e.calls, ev); err != nil {
				return err
			}
		}
		e.events = append(e.events, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.url = srv.URL + "/trustly"
	return e
}

// pay makes a deposit, has the end user approve it at the bank, and waits for the
// deposit's last notification (succeeded or canceled).
func (e *kycEnv) pay(t *testing.T, ref string) (*paybridge.Payment, []notify.Event) {
	t.Helper()
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, paybridge.PaymentRequest{Amount: money.MustNew("12.50", "EUR"), MerchantReference: ref,
		ReturnURL: "https://shop.example.com/ok", CancelURL: "https://shop.example.com/fail", NotificationURL: e.url,
		Payer: paybridge.Person{ID: "u-1", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE",
			NationalID: "19151210-1234"},
		IdempotencyKey: "key-" + ref})
	if err != nil {
		t.Fatal(err)
	}
	// The page answers once the merchant has answered the kyc notification.
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	var evs []notify.Event
	testwait.For(t, "the deposit's outcome", func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		evs = nil
		done := false
		for _, ev := range e.events {
			if ev.PaymentID == p.ID {
				evs = append(evs, ev)
				done = done || ev.Kind == notify.PaymentSucceeded || ev.Kind == notify.PaymentCanceled
			}
		}
		return done
	})
	return p, evs
}

func (e *kycEnv) kycDeliveries(orderID string) []simkit.Delivery {
	var out []simkit.Delivery
	for _, d := range e.sim.Deliveries() {
		if d.ObjectID == orderID && d.Event == "kyc" {
			out = append(out, d)
		}
	}
	return out
}

func eventKinds(evs []notify.Event) []notify.Kind {
	var out []notify.Kind
	for _, ev := range evs {
		out = append(out, ev.Kind)
	}
	return out
}

// TestKYCContinueLetsTheDepositGoOn: the simulator's kyc notification reaches the
// application with the end user's identity; Continue is answered CONTINUE and the deposit
// is paid.
func TestKYCContinueLetsTheDepositGoOn(t *testing.T) {
	var got notify.Event
	e := newKYCEnv(t, func(_ int, ev notify.Event) error {
		got = ev
		return ev.Decide(notify.Continue)
	})
	p, evs := e.pay(t, "kyc-continue")
	if k := eventKinds(evs); len(k) != 2 || k[0] != notify.PaymentIdentified || k[1] != notify.PaymentSucceeded {
		t.Fatalf("events %v, want payment.identified then payment.succeeded", k)
	}
	id := got.Identity
	if got.PaymentID != p.ID || got.MerchantReference != "kyc-continue" || id == nil || id.FirstName != "Ada" ||
		id.LastName != "Lovelace" || id.NationalID != "SE191512101234" || id.Country != "Sweden" || id.ProviderID == "" ||
		id.DateOfBirth == "" || id.City == "" {
		t.Fatalf("kyc event %s identity %+v", brief(got), id)
	}
	d := e.kycDeliveries(p.ID)
	if len(d) != 1 || !d[0].Acknowledged || d[0].Reply != "CONTINUE" {
		t.Fatalf("kyc deliveries %+v", d)
	}
	if b := e.sim.Balance("merchant", "EUR"); b != "12.50" {
		t.Fatalf("balance %s, want 12.50", b)
	}
}

// TestKYCAbortCancelsTheDeposit: Abort is answered FINISH and the simulator cancels the
// deposit; no money moves. Without a decision the answer is the same.
func TestKYCAbortCancelsTheDeposit(t *testing.T) {
	for name, decide := range map[string]func(int, notify.Event) error{
		"abort":     func(_ int, ev notify.Event) error { return ev.Decide(notify.Abort) },
		"undecided": func(int, notify.Event) error { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			e := newKYCEnv(t, decide)
			p, evs := e.pay(t, "kyc-"+name)
			if k := eventKinds(evs); len(k) != 2 || k[0] != notify.PaymentIdentified || k[1] != notify.PaymentCanceled {
				t.Fatalf("events %v, want payment.identified then payment.canceled", k)
			}
			if d := e.kycDeliveries(p.ID); len(d) != 1 || !d[0].Acknowledged || d[0].Reply != "FINISH" {
				t.Fatalf("kyc deliveries %+v", d)
			}
			if b := e.sim.Balance("merchant", "EUR"); b != "0.00" {
				t.Fatalf("balance %s, want 0.00", b)
			}
			if m := e.sim.Movements(); len(m) != 0 {
				t.Fatalf("movements %+v", m)
			}
		})
	}
}

// TestKYCFailedCallbackIsRedelivered: a callback that fails gets HTTP 500 and no signed
// answer, even when it had decided; Trustly delivers the notification again and the
// callback's next decision is the one sent.
func TestKYCFailedCallbackIsRedelivered(t *testing.T) {
	e := newKYCEnv(t, func(run int, ev notify.Event) error {
		if err := ev.Decide(notify.Continue); err != nil {
			return err
		}
		if run == 1 {
			return errors.New("identity store unavailable")
		}
		return nil
	})
	p, evs := e.pay(t, "kyc-retry")
	if k := eventKinds(evs); len(k) != 2 || k[1] != notify.PaymentSucceeded {
		t.Fatalf("events %v", k)
	}
	d := e.kycDeliveries(p.ID)
	if len(d) != 1 || d[0].Attempts != 2 || d[0].Reply != "CONTINUE" {
		t.Fatalf("kyc deliveries %+v, want one answered CONTINUE at the second attempt", d)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.calls != 2 {
		t.Fatalf("callback ran %d times on the kyc event, want 2", e.calls)
	}
}

// TestReplayedKYCIsAnsweredAsFirstDecided: a kyc notification carries no timestamp, so no
// maximum age stops a captured one posted again. It is remembered with the decision sent:
// a redelivery or a replay gets the same signed answer and never reaches the application
// again (trustly-jsonrpc.md §6.1: an already-processed notificationid is not processed
// again, and gets the same status).
func TestReplayedKYCIsAnsweredAsFirstDecided(t *testing.T) {
	c, merchantPub := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPay, Key: "k", Reference: "mytransaction-001",
		ProviderID: "87654567", Amount: money.MustNew("10.00", "SEK")}}}
	asked := 0
	h := notify.NewHandler(withCalls{c, calls}, func(_ context.Context, e notify.Event) error {
		asked++
		if asked == 1 {
			return e.Decide(notify.Abort)
		}
		return e.Decide(notify.Continue)
	})
	body := signed(t, "kyc", kycNotification())
	for range 3 {
		rep, _ := h.Process(context.Background(), &notify.Request{Method: http.MethodPost, Body: body})
		if rep == nil {
			t.Fatal("no reply")
		}
		status, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "kyc", docUUID)
		if err != nil || status != "FINISH" {
			t.Fatalf("answered %q (%v), want the first decision, FINISH", status, err)
		}
	}
	if asked != 1 {
		t.Fatalf("the application was asked %d times, want once", asked)
	}
}

// TestKYCAfterTheDepositWentOnIsNotAsked: Trustly sends a deposit's kyc before the end
// user signs the transfer and waits for the answer, so a kyc of a deposit already pending
// or credited is not Trustly asking: it is a captured one posted again after the store
// forgot it (a kyc carries no timestamp to refuse it by). It is not passed to the
// application, and is answered FINISH.
func TestKYCAfterTheDepositWentOnIsNotAsked(t *testing.T) {
	c, merchantPub := notifyClient(t)
	for _, mark := range []string{"trustly.pending", "trustly.credited"} {
		calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPay, Key: "k", Reference: "mytransaction-001",
			ProviderID: "87654567", Amount: money.MustNew("10.00", "SEK")}}, marks: map[string]string{}}
		if _, err := calls.Mark(context.Background(), mark, "87654567", "5550001"); err != nil {
			t.Fatal(err)
		}
		asked := 0
		h := notify.NewHandler(withCalls{c, calls}, func(_ context.Context, e notify.Event) error {
			asked++
			return e.Decide(notify.Continue)
		})
		rep, _ := h.Process(context.Background(), &notify.Request{Method: http.MethodPost, Body: signed(t, "kyc", kycNotification())})
		if rep == nil {
			t.Fatalf("%s: no reply", mark)
		}
		status, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "kyc", docUUID)
		if err != nil || status != "FINISH" || asked != 0 {
			t.Fatalf("%s: answered %q (%v), the application asked %d times; want FINISH unasked", mark, status, err, asked)
		}
	}
}
