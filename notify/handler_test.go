package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/notify"
)

// plainVerifier accepts bodies "ok:<id>" and rejects everything else.
type plainVerifier struct{}

func (plainVerifier) VerifyNotification(_ context.Context, r *notify.Request) (*notify.Notification, error) {
	if string(r.Body) == "later" {
		return nil, fmt.Errorf("provider API timed out: %w", notify.ErrRetryLater)
	}
	id, ok := strings.CutPrefix(string(r.Body), "ok:")
	if !ok || id == "" {
		return nil, errors.New("bad signature")
	}
	return &notify.Notification{ID: id, Event: notify.Event{ID: id, Provider: "plain", Kind: notify.PaymentSucceeded, Raw: r.Body}}, nil
}

func (plainVerifier) NotificationReply(n *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	code := http.StatusOK
	if o == notify.Failed {
		code = http.StatusInternalServerError
	}
	return &notify.Reply{StatusCode: code, Header: http.Header{"X-Reply": {n.ID}}, Body: []byte(o.String() + ":" + n.ID)}, nil
}

func post(h http.Handler, method, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/n", strings.NewReader(body)))
	return rec
}

func TestHandlerProcessesOnceAndRepliesTheSame(t *testing.T) {
	var calls atomic.Int32
	h := notify.NewHandler(plainVerifier{}, func(_ context.Context, e notify.Event) error {
		calls.Add(1)
		if e.ID != "n1" {
			t.Errorf("event id %q", e.ID)
		}
		return nil
	})
	first := post(h, http.MethodPost, "ok:n1")
	second := post(h, http.MethodPost, "ok:n1")
	if first.Code != 200 || first.Body.String() != "processed:n1" || first.Header().Get("X-Reply") != "n1" {
		t.Fatalf("first reply %d %q", first.Code, first.Body)
	}
	if second.Code != first.Code || second.Body.String() != first.Body.String() {
		t.Fatalf("redelivery reply %d %q differs from %d %q", second.Code, second.Body, first.Code, first.Body)
	}
	if calls.Load() != 1 {
		t.Fatalf("callback ran %d times", calls.Load())
	}
}

func TestHandlerRejectsWithoutCallback(t *testing.T) {
	var calls atomic.Int32
	h := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error { calls.Add(1); return nil },
		notify.WithMaxBodyBytes(64))
	for name, tc := range map[string]struct {
		method, body string
		want         int
	}{
		"bad signature": {http.MethodPost, "forged:n1", http.StatusBadRequest},
		"retry later":   {http.MethodPost, "later", http.StatusServiceUnavailable},
		"empty":         {http.MethodPost, "", http.StatusBadRequest},
		"too large":     {http.MethodPost, "ok:" + strings.Repeat("x", 100), http.StatusRequestEntityTooLarge},
		"GET":           {http.MethodGet, "ok:n1", http.StatusMethodNotAllowed},
	} {
		if rec := post(h, tc.method, tc.body); rec.Code != tc.want {
			t.Errorf("%s: HTTP %d, want %d", name, rec.Code, tc.want)
		}
	}
	if calls.Load() != 0 {
		t.Fatalf("rejected notifications reached the callback %d times", calls.Load())
	}
}

func TestHandlerFailedCallbackIsRetried(t *testing.T) {
	var calls atomic.Int32
	h := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error {
		if calls.Add(1) == 1 {
			return errors.New("database down")
		}
		return nil
	})
	if rec := post(h, http.MethodPost, "ok:n2"); rec.Code != 500 || rec.Body.String() != "failed:n2" {
		t.Fatalf("failed callback replied %d %q, want the provider's not-processed reply", rec.Code, rec.Body)
	}
	if rec := post(h, http.MethodPost, "ok:n2"); rec.Code != 200 {
		t.Fatalf("redelivery after failure replied %d", rec.Code)
	}
	if rec := post(h, http.MethodPost, "ok:n2"); rec.Code != 200 || calls.Load() != 2 {
		t.Fatalf("third delivery: HTTP %d, calls %d; want 200 and 2", rec.Code, calls.Load())
	}
}

func TestHandlerPanickingCallbackReleasesClaim(t *testing.T) {
	var calls atomic.Int32
	h := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error {
		if calls.Add(1) == 1 {
			panic("bug")
		}
		return nil
	})
	if rec := post(h, http.MethodPost, "ok:n3"); rec.Code != 500 {
		t.Fatalf("panic replied %d", rec.Code)
	}
	if rec := post(h, http.MethodPost, "ok:n3"); rec.Code != 200 || calls.Load() != 2 {
		t.Fatalf("after panic: HTTP %d, calls %d", rec.Code, calls.Load())
	}
}

func TestConcurrentDuplicatesRunCallbackOnce(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	store := notify.NewMemoryStore()
	h := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error {
		calls.Add(1)
		<-release
		return nil
	}, notify.WithStore(store))
	// Two handler instances sharing one store, as behind a load balancer.
	h2 := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error { calls.Add(1); return nil }, notify.WithStore(store))
	var wg sync.WaitGroup
	codes := make([]int, 8)
	wg.Add(1)
	go func() { defer wg.Done(); codes[0] = post(h, http.MethodPost, "ok:n4").Code }()
	testwait.For(t, "the first delivery's callback", func() bool { return calls.Load() > 0 })
	for i := 1; i < len(codes); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hh := h
			if i%2 == 0 {
				hh = h2
			}
			codes[i] = post(hh, http.MethodPost, "ok:n4").Code
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("callback ran %d times for one notification", calls.Load())
	}
	if codes[0] != 200 {
		t.Fatalf("first delivery got %d", codes[0])
	}
	for i, c := range codes[1:] {
		if c != http.StatusServiceUnavailable && c != 200 {
			t.Errorf("duplicate %d got HTTP %d, want 503 (busy) or 200 (done)", i+1, c)
		}
	}
}

// failingStore fails every claim.
type failingStore struct{ notify.MemoryStore }

func (*failingStore) Claim(context.Context, string, time.Duration) (notify.ClaimResult, error) {
	return notify.ClaimResult{}, errors.New("store down")
}

func TestStoreFailureIsNotAcknowledged(t *testing.T) {
	called := false
	h := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error { called = true; return nil },
		notify.WithStore(&failingStore{}))
	if rec := post(h, http.MethodPost, "ok:n5"); rec.Code != http.StatusServiceUnavailable || called {
		t.Fatalf("store failure: HTTP %d, callback %v", rec.Code, called)
	}
}

func TestMemoryStoreLeaseExpires(t *testing.T) {
	s := notify.NewMemoryStore()
	now := time.Unix(1_700_000_000, 0)
	notify.SetMemoryStoreClock(s, func() time.Time { return now })
	ctx := context.Background()
	first, _ := s.Claim(ctx, "k", 10*time.Millisecond)
	if first.State != notify.Claimed || first.Token == "" {
		t.Fatalf("first claim: %+v", first)
	}
	now = now.Add(9 * time.Millisecond)
	if c, _ := s.Claim(ctx, "k", time.Minute); c.State != notify.Busy {
		t.Fatal("second claim should be busy")
	}
	now = now.Add(time.Millisecond) // the lease has ended
	second, _ := s.Claim(ctx, "k", time.Minute)
	if second.State != notify.Claimed || second.Token == first.Token {
		t.Fatalf("expired claim should be taken over with a new token: %+v", second)
	}
	// The first handler, late, must not end the second's claim.
	_ = s.Release(ctx, "k", first.Token)
	if c, _ := s.Claim(ctx, "k", time.Minute); c.State != notify.Busy {
		t.Fatal("a late Release ended another handler's claim")
	}
	_ = s.Complete(ctx, "k", second.Token, notify.Processed)
	if c, _ := s.Claim(ctx, "k", time.Minute); c.State != notify.Done || c.Outcome != notify.Processed {
		t.Fatalf("completed key: %+v", c)
	}
	_ = s.Release(ctx, "k", second.Token)
	if c, _ := s.Claim(ctx, "k", time.Minute); c.State != notify.Done {
		t.Fatal("Release must not forget a completed key")
	}
}

func TestLogsCarryNoBody(t *testing.T) {
	var buf bytes.Buffer
	h := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error { return nil },
		notify.WithLogger(newTextLogger(&buf)))
	post(h, http.MethodPost, "ok:n6-secretpayload")
	post(h, http.MethodPost, "forged-secretpayload")
	if strings.Contains(buf.String(), "forged-secretpayload") {
		t.Fatalf("log contains a notification body: %s", buf.String())
	}
}

// A Matcher decides which verified events are the application's: others are acknowledged
// with the provider's reply, reported to WithUnmatched, and never delivered; a Matcher that
// cannot decide now has the notification delivered again.
func TestHandlerMatcher(t *testing.T) {
	var delivered []string
	var unmatched []string
	h := notify.NewHandler(plainVerifier{}, func(_ context.Context, e notify.Event) error {
		delivered = append(delivered, e.ID)
		return nil
	}, notify.WithMatcher(func(_ context.Context, e *notify.Event) error {
		switch e.ID {
		case "foreign":
			return fmt.Errorf("%w: not one of ours", notify.ErrNotOurs)
		case "busy":
			return errors.New("journal unavailable")
		}
		e.PaymentID = "filled-in"
		return nil
	}), notify.WithUnmatched(func(_ context.Context, e notify.Event, reason error) {
		unmatched = append(unmatched, e.ID+": "+reason.Error())
	}))
	if rec := post(h, http.MethodPost, "ok:foreign"); rec.Code != http.StatusOK || rec.Body.String() != "processed:foreign" {
		t.Fatalf("foreign notification answered %d %q; want the provider's acknowledgement", rec.Code, rec.Body)
	}
	if rec := post(h, http.MethodPost, "ok:busy"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("a notification the matcher cannot decide answered %d; want 503", rec.Code)
	}
	if rec := post(h, http.MethodPost, "ok:mine"); rec.Code != http.StatusOK {
		t.Fatalf("own notification answered %d", rec.Code)
	}
	if len(delivered) != 1 || delivered[0] != "mine" {
		t.Fatalf("delivered %v; want only the application's own", delivered)
	}
	if len(unmatched) != 1 || !strings.HasPrefix(unmatched[0], "foreign: ") {
		t.Fatalf("unmatched %v; want the foreign one", unmatched)
	}
}

// foreignVerifier is plainVerifier that marks every notification NotOurs.
type foreignVerifier struct{ plainVerifier }

func (v foreignVerifier) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	n, err := v.plainVerifier.VerifyNotification(ctx, r)
	if n != nil {
		n.NotOurs = errors.New("no call created order 9")
	}
	return n, err
}

// A notification its Verifier found not to be the application's is acknowledged with the
// provider's reply, reported to WithUnmatched, and never delivered, whatever the Matcher.
func TestHandlerNeverDeliversWhatTheVerifierFoundNotOurs(t *testing.T) {
	var delivered, matched atomic.Int32
	var reason error
	h := notify.NewHandler(foreignVerifier{}, func(context.Context, notify.Event) error {
		delivered.Add(1)
		return nil
	}, notify.WithMatcher(func(context.Context, *notify.Event) error {
		matched.Add(1)
		return nil
	}), notify.WithUnmatched(func(_ context.Context, _ notify.Event, err error) { reason = err }))
	rec := post(h, http.MethodPost, "ok:n9")
	if rec.Code != http.StatusOK || rec.Body.String() != "processed:n9" {
		t.Fatalf("reply %d %q; want the processed reply", rec.Code, rec.Body)
	}
	if delivered.Load() != 0 || matched.Load() != 0 {
		t.Fatalf("delivered %d times, matched %d times; want neither", delivered.Load(), matched.Load())
	}
	if !errors.Is(reason, notify.ErrNotOurs) || !strings.Contains(reason.Error(), "order 9") {
		t.Fatalf("WithUnmatched got %v", reason)
	}
}

// agedVerifier is plainVerifier whose events occurred at a fixed time.
type agedVerifier struct {
	plainVerifier
	at time.Time
}

func (v agedVerifier) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	n, err := v.plainVerifier.VerifyNotification(ctx, r)
	if n != nil {
		n.Event.OccurredAt = v.at
	}
	return n, err
}

// A genuine notification older than the maximum age that the store does not remember — a
// replay after the store forgot it — is refused and never delivered; one the store
// remembers is answered as before; a young one is delivered; and the check can be off.
func TestHandlerRefusesNotificationsOlderThanTheMaximumAge(t *testing.T) {
	var delivered atomic.Int32
	count := func(context.Context, notify.Event) error { delivered.Add(1); return nil }
	old := agedVerifier{at: time.Now().Add(-notify.DefaultMaxAge - time.Hour)}

	store := notify.NewMemoryStore()
	young := notify.NewHandler(agedVerifier{at: time.Now().Add(-time.Hour)}, count, notify.WithStore(store))
	if rec := post(young, http.MethodPost, "ok:n1"); rec.Code != http.StatusOK || delivered.Load() != 1 {
		t.Fatalf("an hour-old notification: HTTP %d, delivered %d times", rec.Code, delivered.Load())
	}
	// The same notification, now past the maximum age: the store remembers it, so the
	// provider gets the same answer and the application nothing new.
	remembered := notify.NewHandler(old, count, notify.WithStore(store))
	if rec := post(remembered, http.MethodPost, "ok:n1"); rec.Code != http.StatusOK || rec.Body.String() != "processed:n1" || delivered.Load() != 1 {
		t.Fatalf("a remembered old notification: HTTP %d %q, delivered %d times", rec.Code, rec.Body, delivered.Load())
	}
	// A store that forgot it (a restart): the replay is refused.
	forgot := notify.NewHandler(old, count)
	if rec := post(forgot, http.MethodPost, "ok:n1"); rec.Code != http.StatusBadRequest || delivered.Load() != 1 {
		t.Fatalf("a replay past the maximum age: HTTP %d, delivered %d times; want 400 and no delivery", rec.Code, delivered.Load())
	}
	unlimited := notify.NewHandler(old, count, notify.WithMaxAge(0))
	if rec := post(unlimited, http.MethodPost, "ok:n1"); rec.Code != http.StatusOK || delivered.Load() != 2 {
		t.Fatalf("with the check off: HTTP %d, delivered %d times", rec.Code, delivered.Load())
	}
}

// A callback whose claim is taken over while it runs — its handler was paused past the
// lease, say — is told so through its context, so that it can stop before the other
// handler's delivery of the same notification does the work twice.
func TestCallbackLearnsItsClaimWasTakenOver(t *testing.T) {
	s := notify.NewMemoryStore()
	var mu sync.Mutex
	now := time.Unix(1_700_000_000, 0)
	notify.SetMemoryStoreClock(s, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	const lease = 300 * time.Millisecond
	started, cause := make(chan struct{}), make(chan error, 1)
	h := notify.NewHandler(plainVerifier{}, func(ctx context.Context, _ notify.Event) error {
		close(started)
		<-ctx.Done()
		cause <- context.Cause(ctx)
		return ctx.Err()
	}, notify.WithStore(s), notify.WithLease(lease))
	reply := make(chan int, 1)
	go func() { reply <- post(h, http.MethodPost, "ok:taken-over").Code }()
	testwait.Recv(t, "the callback", started)
	// Another handler takes the claim over once the store sees the lease ended (a renewal
	// landing between the clock's move and the claim extends it: move the clock again).
	testwait.For(t, "another handler to take the claim over", func() bool {
		mu.Lock()
		now = now.Add(time.Hour)
		mu.Unlock()
		c, err := s.Claim(context.Background(), "plain/taken-over", time.Hour)
		if err != nil {
			t.Fatalf("another handler's claim: %v", err)
		}
		return c.State == notify.Claimed
	})
	if err := testwait.Recv(t, "the callback's context to end", cause); !errors.Is(err, notify.ErrClaimLost) {
		t.Fatalf("the callback's context ended with %v; want notify.ErrClaimLost", err)
	}
	if code := testwait.Recv(t, "the reply", reply); code != http.StatusInternalServerError {
		t.Fatalf("a callback that lost its claim and failed: HTTP %d; want 500", code)
	}
	if c, _ := s.Claim(context.Background(), "plain/taken-over", time.Hour); c.State != notify.Busy {
		t.Fatalf("the other handler's claim after the first released late: %+v; want Busy", c)
	}
}

// A callback stuck for good (on a lock, say) does not hold its notification until the
// provider stops delivering it: the claim is renewed for a bounded time only, the callback
// is told, and once the lease has run out a redelivery to another handler is processed.
func TestStuckCallbackLetsItsClaimGo(t *testing.T) {
	s := notify.NewMemoryStore()
	const lease = 300 * time.Millisecond
	cause := make(chan error, 1)
	stuck := make(chan struct{})
	defer close(stuck)
	h := notify.NewHandler(plainVerifier{}, func(ctx context.Context, _ notify.Event) error {
		<-ctx.Done()
		cause <- context.Cause(ctx)
		<-stuck // it never returns by itself
		return nil
	}, notify.WithStore(s), notify.WithLease(lease))
	notify.SetMaxHold(h, 3*lease)
	var later atomic.Int32
	h2 := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error { later.Add(1); return nil },
		notify.WithStore(s), notify.WithLease(lease))
	go post(h, http.MethodPost, "ok:stuck")
	if err := testwait.Recv(t, "the stuck callback to be told its claim ends", cause); !errors.Is(err, notify.ErrClaimLost) {
		t.Fatalf("the stuck callback's context ended with %v; want notify.ErrClaimLost", err)
	}
	testwait.For(t, "a redelivery to be processed by another handler", func() bool {
		switch rec := post(h2, http.MethodPost, "ok:stuck"); rec.Code {
		case http.StatusOK:
			return true
		case http.StatusServiceUnavailable:
			time.Sleep(10 * time.Millisecond)
			return false
		default:
			t.Fatalf("redelivery: HTTP %d %q", rec.Code, rec.Body)
			return false
		}
	})
	if later.Load() != 1 {
		t.Fatalf("the redelivery reached the other handler's callback %d times; want 1", later.Load())
	}
}

// A provider that stops waiting for the answer (Trustly REST waits 3 seconds) hangs up
// while the callback runs. The callback is not cut short by that: it finishes, its result
// is recorded, and the redelivery is answered from the record. Were it cancelled, a
// callback slower than the provider's patience would fail on every delivery until the
// provider gave up.
func TestProviderHangingUpDoesNotCancelTheCallback(t *testing.T) {
	var calls atomic.Int32
	started, finish := make(chan context.Context, 1), make(chan struct{})
	h := notify.NewHandler(plainVerifier{}, func(ctx context.Context, _ notify.Event) error {
		if calls.Add(1) > 1 {
			return nil
		}
		started <- ctx
		select {
		case <-finish:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	requests := make(chan context.Context, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests <- r.Context()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx, hangUp := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("ok:hung-up"))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if resp, err := srv.Client().Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	reqCtx := testwait.Recv(t, "the request", requests)
	cbCtx := testwait.Recv(t, "the callback", started)
	hangUp()
	testwait.For(t, "the server to see the hang-up", func() bool { return reqCtx.Err() != nil })
	if err := cbCtx.Err(); err != nil {
		t.Fatalf("the callback's context ended (%v) when the provider hung up", context.Cause(cbCtx))
	}
	close(finish)
	testwait.For(t, "the redelivery to be answered from the record", func() bool {
		switch rec := post(h, http.MethodPost, "ok:hung-up"); rec.Code {
		case http.StatusOK:
			return true
		case http.StatusServiceUnavailable: // the first delivery is still finishing
			time.Sleep(5 * time.Millisecond)
			return false
		default:
			t.Fatalf("redelivery: HTTP %d %q", rec.Code, rec.Body)
			return false
		}
	})
	if calls.Load() != 1 {
		t.Fatalf("the callback ran %d times; want once", calls.Load())
	}
}

// hungRenewals is a MemoryStore whose renewals never get an answer: a store that stopped
// answering while the callback ran.
type hungRenewals struct{ *notify.MemoryStore }

func (hungRenewals) Renew(ctx context.Context, _, _ string, _ time.Duration) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

// A store that stops answering while the callback runs cannot keep the callback from
// learning that its claim may have ended.
func TestUnansweredRenewalEndsTheClaim(t *testing.T) {
	const lease = 300 * time.Millisecond
	cause := make(chan error, 1)
	h := notify.NewHandler(plainVerifier{}, func(ctx context.Context, _ notify.Event) error {
		<-ctx.Done()
		cause <- context.Cause(ctx)
		return ctx.Err()
	}, notify.WithStore(hungRenewals{notify.NewMemoryStore()}), notify.WithLease(lease))
	reply := make(chan int, 1)
	go func() { reply <- post(h, http.MethodPost, "ok:hung-store").Code }()
	if err := testwait.Recv(t, "the callback to learn that its claim may have ended", cause); !errors.Is(err, notify.ErrClaimLost) {
		t.Fatalf("the callback's context ended with %v; want notify.ErrClaimLost", err)
	}
	if code := testwait.Recv(t, "the reply", reply); code != http.StatusInternalServerError {
		t.Fatalf("HTTP %d; want 500, so that the provider delivers again", code)
	}
}

// TestScopesKeepAlikeIDsApart: a sandbox and a live account served by one store may see
// the same notification id; each is delivered under its own scope, and a redelivery in
// one scope is still a duplicate.
func TestScopesKeepAlikeIDsApart(t *testing.T) {
	store := notify.NewMemoryStore()
	var sandbox, live atomic.Int32
	hs := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error { sandbox.Add(1); return nil },
		notify.WithStore(store), notify.WithScope("plain/sandbox-merchant"))
	hl := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error { live.Add(1); return nil },
		notify.WithStore(store), notify.WithScope("plain/live-merchant"))
	for _, h := range []http.Handler{hs, hl, hs, hl} {
		if rec := post(h, http.MethodPost, "ok:1002593570"); rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d %q", rec.Code, rec.Body)
		}
	}
	if sandbox.Load() != 1 || live.Load() != 1 {
		t.Fatalf("deliveries: sandbox %d, live %d; want one each", sandbox.Load(), live.Load())
	}
	c, err := store.Claim(t.Context(), "plain/live-merchant/1002593570", time.Minute)
	if err != nil || c.State != notify.Done {
		t.Fatalf("the live notification's key: %+v, %v; want done", c, err)
	}
}

// The Matcher, which may record what it learns (the Gateway's records the provider's id of
// the call an event matched), is consulted only for a notification that will be delivered
// if it matches: not for one the store remembers as processed, which is answered as before,
// nor for one refused as older than the maximum age.
func TestMatcherIsNotConsultedForRememberedOrTooOldNotifications(t *testing.T) {
	var delivered, matched atomic.Int32
	count := func(context.Context, notify.Event) error { delivered.Add(1); return nil }
	match := notify.WithMatcher(func(context.Context, *notify.Event) error { matched.Add(1); return nil })
	store := notify.NewMemoryStore()
	young := notify.NewHandler(agedVerifier{at: time.Now().Add(-time.Hour)}, count, match, notify.WithStore(store))
	if rec := post(young, http.MethodPost, "ok:n1"); rec.Code != http.StatusOK || delivered.Load() != 1 || matched.Load() != 1 {
		t.Fatalf("a young notification: HTTP %d, delivered %d, matched %d times", rec.Code, delivered.Load(), matched.Load())
	}
	if rec := post(young, http.MethodPost, "ok:n1"); rec.Code != http.StatusOK || rec.Body.String() != "processed:n1" || matched.Load() != 1 {
		t.Fatalf("its redelivery: HTTP %d %q, matched %d times; want the first answer without matching it again",
			rec.Code, rec.Body, matched.Load())
	}
	old := notify.NewHandler(agedVerifier{at: time.Now().Add(-notify.DefaultMaxAge - time.Hour)}, count, match)
	if rec := post(old, http.MethodPost, "ok:n2"); rec.Code != http.StatusBadRequest || matched.Load() != 1 || delivered.Load() != 1 {
		t.Fatalf("a replay past the maximum age: HTTP %d, matched %d, delivered %d times; want 400 without matching it",
			rec.Code, matched.Load(), delivered.Load())
	}
}
