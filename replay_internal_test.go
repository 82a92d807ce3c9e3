package paybridge

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// replayAdapter is an adapter whose Pay answer is always lost and whose notifications are
// genuine by construction: a body names one of its events, as a provider's signature would
// prove it genuine. What the Handler and the Gateway do with a verified notification is
// the subject, not its verification.
type replayAdapter struct {
	payOnly
	events   map[string]notify.Event
	payments map[string]*provider.Payment
}

func (a *replayAdapter) Name() string { return "replay" }

func (a *replayAdapter) Pay(context.Context, *provider.PaymentRequest) (*provider.Payment, error) {
	return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "the answer was lost"}
}

func (a *replayAdapter) GetPayment(_ context.Context, id string) (*provider.Payment, error) {
	if p, ok := a.payments[id]; ok {
		c := *p
		return &c, nil
	}
	return nil, &provider.Error{Code: provider.NotFound, Message: "no payment " + id}
}

func (a *replayAdapter) VerifyNotification(_ context.Context, r *notify.Request) (*notify.Notification, error) {
	ev, ok := a.events[string(r.Body)]
	if !ok {
		return nil, errors.New("bad signature")
	}
	ev.Provider, ev.Raw = "replay", r.Body
	return &notify.Notification{ID: ev.ID, Event: ev}, nil
}

func (a *replayAdapter) NotificationReply(_ *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	if o == notify.Processed {
		return &notify.Reply{StatusCode: http.StatusOK}, nil
	}
	return &notify.Reply{StatusCode: http.StatusInternalServerError}, nil
}

func postNotification(h http.Handler, body string) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/n", strings.NewReader(body)))
	return rec.Code
}

// replayScene is a Gateway over replayAdapter whose notification handler records what it
// delivers, and a payment request whose answer will be lost.
type replayScene struct {
	a         *replayAdapter
	g         *Gateway
	j         *journal.Memory
	h         *notify.Handler
	delivered []string
	req       *PaymentRequest
}

func newReplayScene(t *testing.T, amount money.Amount) *replayScene {
	t.Helper()
	s := &replayScene{a: &replayAdapter{events: map[string]notify.Event{}, payments: map[string]*provider.Payment{}}, j: journal.NewMemory()}
	s.g = New(s.a, WithJournal(s.j))
	h, err := s.g.NotificationHandler(func(_ context.Context, e notify.Event) error {
		s.delivered = append(s.delivered, e.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.h = h
	s.req = &PaymentRequest{Amount: amount, MerchantReference: "order-7",
		ReturnURL: "https://shop.example/return", IdempotencyKey: "order-7-attempt-2"}
	return s
}

// payLost makes the payment, whose answer is lost: its journal entry is uncertain and
// knows no provider id.
func (s *replayScene) payLost(t *testing.T) journal.ID {
	t.Helper()
	if _, err := s.g.Pay(t.Context(), *s.req); CodeOf(err) != CodeUnknownOutcome {
		t.Fatalf("Pay: %v; want its answer lost", err)
	}
	id := journal.ID{Scope: s.g.JournalScope(), Op: string(provider.OpPay), Key: s.req.IdempotencyKey}
	if e, err := s.j.Get(t.Context(), id); err != nil || e.State != journal.Uncertain || e.ProviderID != "" {
		t.Fatalf("the lost payment's entry: %+v, %v", e, err)
	}
	return id
}

// A notification refused because it is older than the maximum age — a captured genuine
// notification replayed after the store forgot it — leaves nothing behind. It concerns a
// payment with the reference of a payment whose answer is lost, which the journal does not
// hold (made on the same merchant account outside this Gateway, or dropped after the
// journal's retention). It was once matched to the lost payment before its age was
// checked: the journal took its payment's id for the lost call's, the call repeated with
// its key returned that old, succeeded payment as its own, and the lost payment's genuine
// notification was acknowledged as not ours and never delivered.
func TestRefusedOldReplayLeavesTheJournalAlone(t *testing.T) {
	amount := money.MustNew("10.00", "EUR")
	s := newReplayScene(t, amount)
	s.a.payments["pay-old"] = &provider.Payment{ID: "pay-old", Provider: "replay", Status: provider.PaymentSucceeded, Amount: amount,
		MerchantReference: "order-7"}
	s.a.events["old"] = notify.Event{ID: "ev-old", Kind: notify.PaymentSucceeded, PaymentID: "pay-old", MerchantReference: "order-7",
		Amount: amount, OccurredAt: time.Now().Add(-10 * 24 * time.Hour)}
	s.a.events["genuine"] = notify.Event{ID: "ev-new", Kind: notify.PaymentFailed, PaymentID: "pay-new", MerchantReference: "order-7",
		Amount: amount, OccurredAt: time.Now()}
	id := s.payLost(t)

	if code := postNotification(s.h, "old"); code != http.StatusBadRequest {
		t.Fatalf("the old replay was answered %d; want 400", code)
	}
	if e, err := s.j.Get(t.Context(), id); err != nil || e.ProviderID != "" {
		t.Errorf("the refused replay recorded provider id %q for the lost payment (%v)", e.ProviderID, err)
	}
	if p, err := s.g.Pay(t.Context(), *s.req); err == nil {
		t.Errorf("the lost payment, repeated with its key, settled as %s (%s), which the refused replay named", p.ID, p.Status)
	}
	if code := postNotification(s.h, "genuine"); code != http.StatusOK || len(s.delivered) != 1 || s.delivered[0] != "ev-new" {
		t.Fatalf("the lost payment's own notification: HTTP %d, delivered %v; want it delivered", code, s.delivered)
	}
}

// TestNotOursReplayIsNotMatchedToALaterCall: a genuine notification about a payment made
// outside the Gateway with one of our references is acknowledged as not ours. Posted again
// once a Pay with that reference has lost its answer, it must be answered as before — not
// matched to the lost Pay, which would settle it as that other payment and leave its own
// notification unmatched.
func TestNotOursReplayIsNotMatchedToALaterCall(t *testing.T) {
	amount := money.MustNew("10.00", "EUR")
	s := newReplayScene(t, amount)
	s.a.payments["pay-other"] = &provider.Payment{ID: "pay-other", Provider: "replay", Status: provider.PaymentSucceeded, Amount: amount,
		MerchantReference: "order-7"}
	s.a.events["other"] = notify.Event{ID: "ev-other", Kind: notify.PaymentSucceeded, PaymentID: "pay-other", MerchantReference: "order-7",
		Amount: amount, OccurredAt: time.Now().Add(-time.Hour)}
	s.a.events["genuine"] = notify.Event{ID: "ev-new", Kind: notify.PaymentFailed, PaymentID: "pay-new", MerchantReference: "order-7",
		Amount: amount, OccurredAt: time.Now()}
	if code := postNotification(s.h, "other"); code != http.StatusOK || len(s.delivered) != 0 {
		t.Fatalf("the other payment's notification: HTTP %d, delivered %v; want acknowledged, not delivered", code, s.delivered)
	}
	id := s.payLost(t)
	if code := postNotification(s.h, "other"); code != http.StatusOK || len(s.delivered) != 0 {
		t.Fatalf("its replay: HTTP %d, delivered %v; want answered as before", code, s.delivered)
	}
	if e, _ := s.j.Get(t.Context(), id); e.ProviderID != "" {
		t.Fatalf("the replay recorded %q as the lost payment's id", e.ProviderID)
	}
	if p, err := s.g.Pay(t.Context(), *s.req); err == nil {
		t.Fatalf("the lost payment was settled as %s (%s)", p.ID, p.Status)
	}
	if postNotification(s.h, "genuine"); len(s.delivered) == 0 || s.delivered[len(s.delivered)-1] != "ev-new" {
		t.Fatalf("the lost payment's own notification was not delivered: %v", s.delivered)
	}
}
