package notify_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/notify"
)

// askingVerifier accepts bodies "ask:<id>" as notifications the provider waits on and
// "ok:<id>" as ordinary ones; its reply body is the outcome and the decision.
type askingVerifier struct{}

func (askingVerifier) VerifyNotification(_ context.Context, r *notify.Request) (*notify.Notification, error) {
	if id, ok := strings.CutPrefix(string(r.Body), "ask:"); ok {
		return &notify.Notification{ID: id, AsksDecision: true,
			Event: notify.Event{ID: id, Provider: "asking", Kind: notify.PaymentIdentified,
				Identity: &notify.Identity{FirstName: "Ada", LastName: "Lovelace"}}}, nil
	}
	return plainVerifier{}.VerifyNotification(context.Background(), r)
}

func (askingVerifier) NotificationReply(n *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	code := http.StatusOK
	if o == notify.Failed {
		code = http.StatusInternalServerError
	}
	return &notify.Reply{StatusCode: code, Body: []byte(o.String() + ":" + n.Decision.String())}, nil
}

// TestHandlerPassesTheCallbacksDecisionToTheReply: the Decision the callback gives through
// Event.Decide reaches NotificationReply; without one it is Undecided.
func TestHandlerPassesTheCallbacksDecisionToTheReply(t *testing.T) {
	for _, c := range []struct {
		name   string
		decide []notify.Decision
		want   string
	}{
		{"continue", []notify.Decision{notify.Continue}, "processed:continue"},
		{"abort", []notify.Decision{notify.Abort}, "processed:abort"},
		{"the last one counts", []notify.Decision{notify.Continue, notify.Abort}, "processed:abort"},
		{"none", nil, "processed:undecided"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got notify.Event
			h := notify.NewHandler(askingVerifier{}, func(_ context.Context, e notify.Event) error {
				got = e
				if !e.AsksDecision() {
					t.Error("the event does not ask for a decision")
				}
				for _, d := range c.decide {
					if err := e.Decide(d); err != nil {
						t.Errorf("Decide(%v): %v", d, err)
					}
				}
				return nil
			})
			rec := post(h, http.MethodPost, "ask:k1")
			if rec.Code != http.StatusOK || rec.Body.String() != c.want {
				t.Fatalf("reply %d %q, want 200 %q", rec.Code, rec.Body, c.want)
			}
			if got.Kind != notify.PaymentIdentified || got.Identity == nil || got.Identity.LastName != "Lovelace" {
				t.Fatalf("event %+v", got)
			}
			// Deciding after the callback returned changes nothing.
			if err := got.Decide(notify.Continue); !errors.Is(err, notify.ErrNoDecision) {
				t.Fatalf("Decide after the callback returned: %v", err)
			}
		})
	}
}

// TestHandlerFailedDecisionCallbackIsNotAnswered: a callback that decided and then failed
// gets the failed reply, never its decision, and is asked again on redelivery.
func TestHandlerFailedDecisionCallbackIsNotAnswered(t *testing.T) {
	calls := 0
	h := notify.NewHandler(askingVerifier{}, func(_ context.Context, e notify.Event) error {
		calls++
		if err := e.Decide(notify.Continue); err != nil {
			t.Fatal(err)
		}
		if calls == 1 {
			return errors.New("database down")
		}
		return nil
	})
	if rec := post(h, http.MethodPost, "ask:k2"); rec.Code != http.StatusInternalServerError || rec.Body.String() != "failed:undecided" {
		t.Fatalf("failed callback: reply %d %q", rec.Code, rec.Body)
	}
	if rec := post(h, http.MethodPost, "ask:k2"); rec.Code != http.StatusOK || rec.Body.String() != "processed:continue" {
		t.Fatalf("redelivery: reply %d %q", rec.Code, rec.Body)
	}
	if calls != 2 {
		t.Fatalf("callback called %d times, want 2", calls)
	}
}

// TestHandlerAnswersARedeliveryWithTheRecordedDecision: a notification the provider waits
// on is remembered with the application's decision, as Trustly asks of every notification
// ("do not process it again, but return the same result.data.status as the first time",
// trustly-jsonrpc.md §6.1): a redelivery, or a captured one posted again — a Trustly kyc
// carries no timestamp, so the maximum age never stops it — gets the first answer without
// reaching the application again.
func TestHandlerAnswersARedeliveryWithTheRecordedDecision(t *testing.T) {
	for _, first := range []notify.Decision{notify.Continue, notify.Abort, notify.Undecided} {
		calls := 0
		h := notify.NewHandler(askingVerifier{}, func(_ context.Context, e notify.Event) error {
			calls++
			if calls == 1 && first != notify.Undecided {
				_ = e.Decide(first)
			} else if calls > 1 {
				_ = e.Decide(notify.Continue)
			}
			return nil
		})
		want := "processed:" + first.String()
		for range 3 {
			if rec := post(h, http.MethodPost, "ask:k3"); rec.Code != http.StatusOK || rec.Body.String() != want {
				t.Fatalf("first decision %v: reply %d %q, want %q", first, rec.Code, rec.Body, want)
			}
		}
		if calls != 1 {
			t.Fatalf("first decision %v: callback called %d times, want once", first, calls)
		}
	}
}

// onlyStore is a Store that records no decisions (it hides MemoryStore's other methods).
type onlyStore struct{ notify.Store }

// TestHandlerAsksAgainWithAStoreThatRecordsNoDecision: with a Store that is not a
// DecisionRecorder, a notification the provider waits on is not remembered, so that a
// redelivery — the provider did not receive the answer — is answered at all; an ordinary
// notification is still delivered once.
func TestHandlerAsksAgainWithAStoreThatRecordsNoDecision(t *testing.T) {
	decisions := []notify.Decision{notify.Continue, notify.Abort}
	calls := 0
	h := notify.NewHandler(askingVerifier{}, func(_ context.Context, e notify.Event) error {
		if e.AsksDecision() {
			_ = e.Decide(decisions[calls%2])
		} else if err := e.Decide(notify.Continue); !errors.Is(err, notify.ErrNoDecision) {
			t.Errorf("Decide on an event that takes none: %v", err)
		}
		calls++
		return nil
	}, notify.WithStore(onlyStore{notify.NewMemoryStore()}))
	for _, want := range []string{"processed:continue", "processed:abort"} {
		if rec := post(h, http.MethodPost, "ask:k3"); rec.Body.String() != want {
			t.Fatalf("reply %q, want %q", rec.Body, want)
		}
	}
	post(h, http.MethodPost, "ok:n3")
	post(h, http.MethodPost, "ok:n3")
	if calls != 3 {
		t.Fatalf("callback called %d times, want 3 (twice for the question, once for the report)", calls)
	}
}

// TestHandlerAnswersANotificationNotOursUndecided: a notification the provider waits on
// that concerns no order of ours is answered without asking the application.
func TestHandlerAnswersANotificationNotOursUndecided(t *testing.T) {
	h := notify.NewHandler(askingVerifier{}, func(context.Context, notify.Event) error {
		t.Error("the callback was asked about a notification that is not ours")
		return nil
	}, notify.WithMatcher(func(context.Context, *notify.Event) error { return notify.ErrNotOurs }))
	if rec := post(h, http.MethodPost, "ask:k4"); rec.Code != http.StatusOK || rec.Body.String() != "processed:undecided" {
		t.Fatalf("reply %d %q", rec.Code, rec.Body)
	}
}

func TestDecideRefusesUndecided(t *testing.T) {
	var err error
	h := notify.NewHandler(askingVerifier{}, func(_ context.Context, e notify.Event) error {
		err = e.Decide(notify.Undecided)
		return nil
	})
	post(h, http.MethodPost, "ask:k5")
	if err == nil || errors.Is(err, notify.ErrNoDecision) {
		t.Fatalf("Decide(Undecided): %v, want a refusal of the value", err)
	}
}
