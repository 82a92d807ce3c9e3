package chaostest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
)

// Receiver serves a Gateway's notification handler, with a MemoryStore, on a loopback
// port, and keeps what the application callback saw: how many times each notification
// id reached it, and the state the application holds for each object. It is safe for
// concurrent use.
type Receiver struct {
	srv *httptest.Server

	mu        sync.Mutex
	seen      map[string]int
	events    []notify.Event
	states    map[string]notify.Kind
	unmatched []Unmatched
}

// Unmatched is a verified notification the Gateway acknowledged without passing it to
// the application, and why.
type Unmatched struct {
	Event  notify.Event
	Reason string
}

// NewReceiver starts a Receiver for gw's notifications; the test's cleanup stops it.
func NewReceiver(t testing.TB, gw *paybridge.Gateway) *Receiver {
	t.Helper()
	r := &Receiver{seen: map[string]int{}, states: map[string]notify.Kind{}}
	h, err := gw.NotificationHandler(r.record, notify.WithStore(notify.NewMemoryStore()),
		notify.WithUnmatched(func(_ context.Context, e notify.Event, reason error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.unmatched = append(r.unmatched, Unmatched{Event: e, Reason: reason.Error()})
		}))
	if err != nil {
		t.Fatalf("NotificationHandler: %v", err)
	}
	r.srv = httptest.NewUnstartedServer(h)
	r.srv.Config.ReadHeaderTimeout = 10 * time.Second
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

// URL returns the notification URL.
func (r *Receiver) URL() string { return r.srv.URL + "/notifications" }

// record is the application callback: it counts the event's id and moves the state of
// the object the event concerns, never backwards (see rank), so that the state does not
// depend on the order notifications arrive in.
func (r *Receiver) record(_ context.Context, e notify.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[e.ID]++
	r.events = append(r.events, e)
	if obj := Object(e); obj != "" && rank(e.Kind) > rank(r.states[obj]) {
		r.states[obj] = e.Kind
	}
	return nil
}

// Object names the object an event concerns, as the application keys its state:
// "payment/<PaymentID>", "refund/<RefundID>", "payout/<PayoutID>" or
// "account/<AccountID>" by the event's kind; "" for Other.
func Object(e notify.Event) string {
	switch k := string(e.Kind); {
	case strings.HasPrefix(k, "payment."):
		return "payment/" + e.PaymentID
	case strings.HasPrefix(k, "refund."):
		return "refund/" + e.RefundID
	case strings.HasPrefix(k, "payout."):
		return "payout/" + e.PayoutID
	case strings.HasPrefix(k, "account."):
		return "account/" + e.AccountID
	}
	return ""
}

// rank orders the kinds an object passes through: nothing, pending, authorized, then
// every final kind. The application keeps the first final kind it sees.
func rank(k notify.Kind) int {
	switch k {
	case "", notify.Other:
		return 0
	case notify.PaymentPending:
		return 1
	case notify.PaymentAuthorized:
		return 2
	}
	return 3
}

// State returns the state the application holds for an object (see Object), "" when
// no event concerned it.
func (r *Receiver) State(object string) notify.Kind {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.states[object]
}

// Final reports whether the application holds a final state for an object (see Object):
// a payment that succeeded, failed or was canceled, or any refund, payout or account
// outcome.
func (r *Receiver) Final(object string) bool { return rank(r.State(object)) == 3 }

// Reached is for a Run that waits for an object's outcome: it returns ErrPending until
// the application holds a final state for object, then nil, reporting a test error when
// that state is not want. Unlike a wait for want itself, it does not wait in vain for an
// object that ended otherwise.
func (r *Receiver) Reached(t testing.TB, object string, want notify.Kind) error {
	switch got := r.State(object); {
	case rank(got) < 3:
		return ErrPending
	case got != want:
		t.Errorf("%s: the application holds %q, want %q", object, got, want)
	}
	return nil
}

// Seen returns how many times the application processed the notification id.
func (r *Receiver) Seen(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[id]
}

// Duplicates returns the notification ids the application processed more than once,
// sorted.
func (r *Receiver) Duplicates() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for id, n := range r.seen {
		if n > 1 {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Events returns the events the application processed, in the order it processed them.
func (r *Receiver) Events() []notify.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Event(nil), r.events...)
}

// Unmatched returns the verified notifications the Gateway kept from the application
// as not its own, in the order they arrived.
func (r *Receiver) Unmatched() []Unmatched {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Unmatched(nil), r.unmatched...)
}

// Explain describes, for a failed wait, what the application holds for each object
// prefix+id that is not in state want (at most ten), and every notification the Gateway
// kept from the application.
func (r *Receiver) Explain(prefix string, ids []string, want notify.Kind) string {
	var b strings.Builder
	shown := 0
	for i, id := range ids {
		if got := r.State(prefix + id); got != want && shown < 10 {
			shown++
			fmt.Fprintf(&b, "operation %d: %s%s: the application holds %q\n", i, prefix, id, got)
		}
	}
	for _, u := range r.Unmatched() {
		fmt.Fprintf(&b, "kept from the application: %s %s (payment %q refund %q payout %q reference %q): %s\n",
			u.Event.Kind, u.Event.ID, u.Event.PaymentID, u.Event.RefundID, u.Event.PayoutID, u.Event.MerchantReference, u.Reason)
	}
	return b.String()
}

// Count returns how many events the application processed.
func (r *Receiver) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Client returns an HTTP client for an adapter under chaos: ClientTimeout, and enough
// idle connections to the simulator for the workers.
func Client() *http.Client { return pooled(ClientTimeout) }

// DeliveryClient returns an HTTP client for a simulator's notification deliveries: a
// 10-second timeout, and enough idle connections to the receiver that deliveries do not
// open a connection each.
func DeliveryClient() *http.Client { return pooled(10 * time.Second) }

func pooled(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Timeout: timeout, Transport: tr}
}
