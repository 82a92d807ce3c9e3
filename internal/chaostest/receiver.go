package chaostest

import (
	"context"
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

	mu     sync.Mutex
	seen   map[string]int
	events []notify.Event
	states map[string]notify.Kind
}

// NewReceiver starts a Receiver for gw's notifications; the test's cleanup stops it.
func NewReceiver(t testing.TB, gw *paybridge.Gateway) *Receiver {
	t.Helper()
	r := &Receiver{seen: map[string]int{}, states: map[string]notify.Kind{}}
	h, err := gw.NotificationHandler(r.record, notify.WithStore(notify.NewMemoryStore()))
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
