// Package storetest checks that a notify.Store keeps the promises notify.Handler relies on:
// one claim per key at a time, completed keys remembered with their outcome, expired
// claims taken over, released claims processed again, claims renewed only by their holder
// (for a notify.Renewer), and — across store instances that share their data — one
// callback per notification under concurrent deliveries, and a callback slower than the
// lease keeping its claim.
//
// Call Run from a store's tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) notify.Store { return openStore(t) })
//	}
package storetest

import (
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

// Run runs the shared store tests as subtests of t.
//
// newStore returns a store instance. Every instance it returns within one call of Run must
// share its data with the others — for a database store, a new instance with its own
// connection pool on the same table; for an in-process store, the same value — because
// several tests act on one key through two instances, as two handler processes would. Each
// test uses keys of its own, so instances may share data across tests. Run registers no
// cleanup itself: newStore should (t.Cleanup).
//
// The lease tests wait for real leases of a few hundred milliseconds to end.
func Run(t *testing.T, newStore func(t *testing.T) notify.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T) notify.Store)
	}{
		{"ClaimCompleteDone", testClaimCompleteDone},
		{"BusyWhileLeased", testBusyWhileLeased},
		{"LeaseExpiryTakeover", testLeaseExpiryTakeover},
		{"ReleaseThenReclaim", testReleaseThenReclaim},
		{"ReleaseKeepsCompleted", testReleaseKeepsCompleted},
		{"LateReleaseAfterTakeover", testLateReleaseAfterTakeover},
		{"ConcurrentClaims", testConcurrentClaims},
		{"RedeliveryAfterCrash", testRedeliveryAfterCrash},
		{"TwoInstanceRace", testTwoInstanceRace},
		{"Renew", testRenew},
		{"SlowCallbackKeepsItsClaim", testSlowCallbackKeepsItsClaim},
		{"Decision", testDecision},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore) })
	}
}

// key returns a key unique to the running test.
func key(t *testing.T, suffix string) string {
	return "storetest/" + t.Name() + "/" + suffix
}

func claim(t *testing.T, s notify.Store, k string, lease time.Duration) notify.ClaimResult {
	t.Helper()
	r, err := s.Claim(context.Background(), k, lease)
	if err != nil {
		t.Fatalf("Claim(%q): %v", k, err)
	}
	if r.State == notify.Claimed && r.Token == "" {
		t.Fatalf("Claim(%q) granted a claim without a token", k)
	}
	return r
}

// wantClaim claims k and checks the answer; it returns the claim's token.
func wantClaim(t *testing.T, s notify.Store, k string, lease time.Duration, want notify.ClaimState, wantOutcome notify.Outcome, why string) string {
	t.Helper()
	r := claim(t, s, k, lease)
	if r.State != want || r.Outcome != wantOutcome {
		t.Fatalf("%s: Claim(%q) = %s, %s; want %s, %s", why, k, stateName(r.State), r.Outcome, stateName(want), wantOutcome)
	}
	return r.Token
}

func complete(t *testing.T, s notify.Store, k, token string, o notify.Outcome) {
	t.Helper()
	if err := s.Complete(context.Background(), k, token, o); err != nil {
		t.Fatalf("Complete(%q, %s): %v", k, o, err)
	}
}

func release(t *testing.T, s notify.Store, k, token string) {
	t.Helper()
	if err := s.Release(context.Background(), k, token); err != nil {
		t.Fatalf("Release(%q): %v", k, err)
	}
}

func stateName(s notify.ClaimState) string {
	switch s {
	case notify.Claimed:
		return "Claimed"
	case notify.Done:
		return "Done"
	case notify.Busy:
		return "Busy"
	}
	return fmt.Sprintf("ClaimState(%d)", int(s))
}

// shortLease is long enough for a claim to be checked as Busy right after it is made on an
// idle machine, and short enough to wait out. On a busy machine it may have ended by the
// check: leaseMayHaveEnded tells whether it may.
const shortLease = 300 * time.Millisecond

// leaseMayHaveEnded reports whether a lease taken no earlier than since may have ended by
// now. Stores count a lease from when they grant it, which is after since.
func leaseMayHaveEnded(since time.Time, lease time.Duration) bool {
	return time.Since(since) >= lease
}

// waitClaimed claims k on s until it is Claimed, failing after testwait.Limit. Busy
// answers on the way are expected while the lease runs out.
func waitClaimed(t *testing.T, s notify.Store, k string, lease time.Duration) string {
	t.Helper()
	var token string
	testwait.For(t, "the lease on "+k+" to end", func() bool {
		r := claim(t, s, k, lease)
		switch r.State {
		case notify.Claimed:
			token = r.Token
			return true
		case notify.Busy:
		default:
			t.Fatalf("waiting for the lease on %q to end: Claim = %s, %s", k, stateName(r.State), r.Outcome)
		}
		time.Sleep(25 * time.Millisecond)
		return false
	})
	return token
}

func testClaimCompleteDone(t *testing.T, newStore func(*testing.T) notify.Store) {
	a, b := newStore(t), newStore(t)
	k := key(t, "processed")
	ta := wantClaim(t, a, k, time.Minute, notify.Claimed, 0, "new key")
	complete(t, a, k, ta, notify.Processed)
	wantClaim(t, a, k, time.Minute, notify.Done, notify.Processed, "completed key, same instance")
	wantClaim(t, b, k, time.Minute, notify.Done, notify.Processed, "completed key, other instance")

	kf := key(t, "failed")
	tb := wantClaim(t, b, kf, time.Minute, notify.Claimed, 0, "new key")
	complete(t, b, kf, tb, notify.Failed)
	wantClaim(t, a, kf, time.Minute, notify.Done, notify.Failed, "key completed as failed")

	// Keys are compared exactly.
	wantClaim(t, a, k+"/other", time.Minute, notify.Claimed, 0, "a different key")
	wantClaim(t, a, strings.ToUpper(k), time.Minute, notify.Claimed, 0, "the key in upper case")
}

func testBusyWhileLeased(t *testing.T, newStore func(*testing.T) notify.Store) {
	a, b := newStore(t), newStore(t)
	k := key(t, "k")
	ta := wantClaim(t, a, k, time.Minute, notify.Claimed, 0, "new key")
	wantClaim(t, a, k, time.Minute, notify.Busy, 0, "leased key, same instance")
	wantClaim(t, b, k, time.Minute, notify.Busy, 0, "leased key, other instance")
	// A Busy answer does not extend or take the lease: completing still works and is seen.
	complete(t, a, k, ta, notify.Processed)
	wantClaim(t, b, k, time.Minute, notify.Done, notify.Processed, "after Complete")
}

func testLeaseExpiryTakeover(t *testing.T, newStore func(*testing.T) notify.Store) {
	a, b := newStore(t), newStore(t)
	k := key(t, "k")
	// The first holder crashes between callback and acknowledgement: it never completes.
	since := time.Now()
	wantClaim(t, a, k, shortLease, notify.Claimed, 0, "new key")
	var tb string
	switch r := claim(t, b, k, time.Minute); {
	case r.State == notify.Busy:
		tb = waitClaimed(t, b, k, time.Minute)
	case r.State == notify.Claimed && leaseMayHaveEnded(since, shortLease):
		tb = r.Token // the machine was slower than the lease
	default:
		t.Fatalf("right after a claim with a %v lease: Claim(%q) = %s, %s; want Busy", shortLease, k, stateName(r.State), r.Outcome)
	}
	// The new claim is as exclusive as the first.
	wantClaim(t, a, k, time.Minute, notify.Busy, 0, "after the takeover")
	complete(t, b, k, tb, notify.Processed)
	wantClaim(t, a, k, time.Minute, notify.Done, notify.Processed, "after the new holder completed")
}

func testReleaseThenReclaim(t *testing.T, newStore func(*testing.T) notify.Store) {
	a, b := newStore(t), newStore(t)
	k := key(t, "k")
	ta := wantClaim(t, a, k, time.Minute, notify.Claimed, 0, "new key")
	release(t, a, k, ta)
	tb := wantClaim(t, b, k, time.Minute, notify.Claimed, 0, "released key, other instance")
	release(t, b, k, tb)
	ta = wantClaim(t, a, k, time.Minute, notify.Claimed, 0, "released again, first instance")
	complete(t, a, k, ta, notify.Processed)
	wantClaim(t, b, k, time.Minute, notify.Done, notify.Processed, "after Complete")

	// Releasing a key nobody claimed is harmless and does not block it.
	kn := key(t, "never-claimed")
	release(t, a, kn, "")
	wantClaim(t, b, kn, time.Minute, notify.Claimed, 0, "released before any claim")
}

func testReleaseKeepsCompleted(t *testing.T, newStore func(*testing.T) notify.Store) {
	a, b := newStore(t), newStore(t)
	k := key(t, "k")
	ta := wantClaim(t, a, k, time.Minute, notify.Claimed, 0, "new key")
	complete(t, a, k, ta, notify.Processed)
	release(t, a, k, ta)
	release(t, b, k, "")
	wantClaim(t, a, k, time.Minute, notify.Done, notify.Processed, "Release after Complete")
	wantClaim(t, b, k, time.Minute, notify.Done, notify.Processed, "Release after Complete, other instance")
}

// testLateReleaseAfterTakeover: the holder of an expired claim, taken over by another
// instance, releases late; the new holder's claim must survive.
func testLateReleaseAfterTakeover(t *testing.T, newStore func(*testing.T) notify.Store) {
	a, b := newStore(t), newStore(t)
	k := key(t, "k")
	ta := wantClaim(t, a, k, shortLease, notify.Claimed, 0, "new key")
	tb := waitClaimed(t, b, k, time.Minute)
	if ta == tb {
		t.Fatal("the taken-over claim has the same token as the expired one")
	}
	release(t, a, k, ta) // late: a's lease ended and b holds the key now
	wantClaim(t, a, k, time.Minute, notify.Busy, 0, "after a late Release by the previous holder")
	wantClaim(t, newStore(t), k, time.Minute, notify.Busy, 0, "after a late Release, third instance")
	complete(t, b, k, tb, notify.Processed)
	wantClaim(t, a, k, time.Minute, notify.Done, notify.Processed, "after the holder completed")
}

func testConcurrentClaims(t *testing.T, newStore func(*testing.T) notify.Store) {
	stores := []notify.Store{newStore(t), newStore(t)}
	const rounds, workers = 20, 16
	for r := range rounds {
		k := key(t, fmt.Sprint(r))
		var claimed, busy atomic.Int32
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				<-start
				r, err := stores[w%len(stores)].Claim(context.Background(), k, time.Minute)
				st := r.State
				switch {
				case err != nil:
					errs <- err
				case st == notify.Claimed:
					claimed.Add(1)
				case st == notify.Busy:
					busy.Add(1)
				default:
					errs <- fmt.Errorf("unexpected %s for a key never completed", stateName(st))
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", r, err)
		}
		if claimed.Load() != 1 || busy.Load() != workers-1 {
			t.Fatalf("round %d: %d concurrent claims of one key: %d Claimed, %d Busy; want exactly 1 Claimed",
				r, workers, claimed.Load(), busy.Load())
		}
	}
}

// plainVerifier accepts bodies "ok:<id>" as notification <id> and rejects everything else.
type plainVerifier struct{}

func (plainVerifier) VerifyNotification(_ context.Context, r *notify.Request) (*notify.Notification, error) {
	id, ok := strings.CutPrefix(string(r.Body), "ok:")
	if !ok || id == "" {
		return nil, errors.New("not a test notification")
	}
	return &notify.Notification{ID: id, Event: notify.Event{ID: id, Provider: "storetest", Kind: notify.PaymentSucceeded, Raw: r.Body}}, nil
}

func (plainVerifier) NotificationReply(n *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	code := http.StatusOK
	if o != notify.Processed {
		code = http.StatusInternalServerError
	}
	return &notify.Reply{StatusCode: code, Body: []byte(o.String() + ":" + n.ID)}, nil
}

func deliver(h http.Handler, id string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notifications", strings.NewReader("ok:"+id)))
	return rec
}

// testRedeliveryAfterCrash: a handler that claimed a notification and died before
// completing it leaves a claim behind; the provider's redelivery is answered 503 while
// the lease lasts and processed once it has ended. A handler that died after completing
// but before its acknowledgement arrived leaves a completed key; the redelivery gets the
// same reply without the callback.
func testRedeliveryAfterCrash(t *testing.T, newStore func(*testing.T) notify.Store) {
	crashed, live := newStore(t), newStore(t)
	var calls atomic.Int32
	h := notify.NewHandler(plainVerifier{}, func(context.Context, notify.Event) error { calls.Add(1); return nil },
		notify.WithStore(live), notify.WithLease(time.Minute))

	id := strings.ReplaceAll(t.Name(), "/", "-") + "-before-ack"
	since := time.Now()
	wantClaim(t, crashed, "storetest/"+id, shortLease, notify.Claimed, 0, "the crashed handler's claim")
	rec := deliver(h, id)
	processed := rec.Code == http.StatusOK && leaseMayHaveEnded(since, shortLease) // the machine was slower than the lease
	if !processed && (rec.Code != http.StatusServiceUnavailable || calls.Load() != 0) {
		t.Fatalf("redelivery while the crashed claim is leased: HTTP %d, %d callbacks; want 503 and none", rec.Code, calls.Load())
	}
	testwait.For(t, "a redelivery processed after the crashed claim's lease", func() bool {
		if !processed {
			rec = deliver(h, id)
		}
		switch {
		case rec.Code == http.StatusOK:
			if rec.Body.String() != "processed:"+id {
				t.Fatalf("redelivery reply %q", rec.Body)
			}
			return true
		case rec.Code != http.StatusServiceUnavailable:
			t.Fatalf("redelivery after the crashed claim's lease: HTTP %d %q", rec.Code, rec.Body)
		}
		time.Sleep(25 * time.Millisecond)
		return false
	})
	if calls.Load() != 1 {
		t.Fatalf("callback ran %d times for the redelivered notification; want 1", calls.Load())
	}

	id2 := strings.ReplaceAll(t.Name(), "/", "-") + "-after-complete"
	tc := wantClaim(t, crashed, "storetest/"+id2, time.Minute, notify.Claimed, 0, "the crashed handler's claim")
	complete(t, crashed, "storetest/"+id2, tc, notify.Processed)
	if rec := deliver(h, id2); rec.Code != http.StatusOK || rec.Body.String() != "processed:"+id2 || calls.Load() != 1 {
		t.Fatalf("redelivery of a completed notification: HTTP %d %q, %d callbacks; want 200, the processed reply, no new callback",
			rec.Code, rec.Body, calls.Load())
	}
}

// testTwoInstanceRace: two store instances, two handlers on each, every notification
// delivered concurrently to all of them several times. The callback must run exactly once
// per notification, and every delivery that was not acknowledged (503 while another
// handler held the claim) must be acknowledged when delivered again.
func testTwoInstanceRace(t *testing.T, newStore func(*testing.T) notify.Store) {
	const notifications, copies = 25, 4 // copies per handler
	var mu sync.Mutex
	calls := map[string]int{}
	callback := func(_ context.Context, e notify.Event) error {
		mu.Lock()
		calls[e.ID]++
		mu.Unlock()
		time.Sleep(2 * time.Millisecond) // widen the window for a duplicate to slip in
		return nil
	}
	var handlers []*notify.Handler
	for range 2 {
		s := newStore(t)
		for range 2 {
			handlers = append(handlers, notify.NewHandler(plainVerifier{}, callback, notify.WithStore(s), notify.WithLease(time.Minute)))
		}
	}
	prefix := strings.ReplaceAll(t.Name(), "/", "-")
	var acked, busy atomic.Int32
	for n := range notifications {
		id := fmt.Sprintf("%s-%d", prefix, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		codes := make(chan int, len(handlers)*copies)
		for _, h := range handlers {
			for range copies {
				wg.Go(func() {
					<-start
					codes <- deliver(h, id).Code
				})
			}
		}
		close(start)
		wg.Wait()
		close(codes)
		for c := range codes {
			switch c {
			case http.StatusOK:
				acked.Add(1)
			case http.StatusServiceUnavailable:
				busy.Add(1)
			default:
				t.Errorf("notification %s: a delivery got HTTP %d; want 200 or 503", id, c)
			}
		}
		// The provider delivers again until acknowledged: every handler must now answer 200.
		for i, h := range handlers {
			if rec := deliver(h, id); rec.Code != http.StatusOK || rec.Body.String() != "processed:"+id {
				t.Errorf("notification %s: redelivery to handler %d: HTTP %d %q", id, i, rec.Code, rec.Body)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for n := range notifications {
		id := fmt.Sprintf("%s-%d", prefix, n)
		if calls[id] != 1 {
			t.Errorf("notification %s: callback ran %d times across %d handlers on 2 store instances; want exactly 1", id, calls[id], len(handlers))
		}
	}
	if len(calls) != notifications {
		t.Errorf("callback saw %d notifications; want %d", len(calls), notifications)
	}
	t.Logf("%d notifications x %d concurrent deliveries over %d handlers: %d acknowledged at once, %d answered 503 (busy), callback once each",
		notifications, len(handlers)*copies, len(handlers), acked.Load(), busy.Load())
}

// testSlowCallbackKeepsItsClaim: a callback that runs for several leases holds its
// notification all along: a redelivery to another instance meanwhile is answered 503
// and never reaches the application a second time, and once the callback has returned
// the notification is answered as processed everywhere.
//
// The Handler renews its claim while the callback runs. On a machine so busy that a
// renewal comes after the lease ended, another instance may take the claim over; the
// first callback's context must then end with notify.ErrClaimLost, and the attempt is
// made again. An attempt must succeed.
func testSlowCallbackKeepsItsClaim(t *testing.T, newStore func(*testing.T) notify.Store) {
	const lease, attempts = time.Second, 5
	a, b := newStore(t), newStore(t)
	prefix := strings.ReplaceAll(t.Name(), "/", "-")
	for attempt := range attempts {
		id := fmt.Sprintf("%s-%d", prefix, attempt)
		var calls atomic.Int32
		started, finish := make(chan struct{}), make(chan struct{})
		lost := make(chan error, 1)
		callback := func(ctx context.Context, _ notify.Event) error {
			if calls.Add(1) > 1 {
				return nil
			}
			close(started)
			select {
			case <-finish:
				return nil
			case <-ctx.Done():
				lost <- context.Cause(ctx)
				return context.Cause(ctx)
			}
		}
		ha := notify.NewHandler(plainVerifier{}, callback, notify.WithStore(a), notify.WithLease(lease))
		hb := notify.NewHandler(plainVerifier{}, callback, notify.WithStore(b), notify.WithLease(lease))
		first := make(chan int, 1)
		go func() { first <- deliver(ha, id).Code }()
		testwait.Recv(t, "the first delivery's callback", started)
		time.Sleep(3 * lease) // the lease would have ended three times over
		dup := deliver(hb, id)
		if dup.Code == http.StatusOK || calls.Load() > 1 {
			// Taken over: acceptable only when the first holder was told its claim ended.
			cause := testwait.Recv(t, "the first callback to learn that its claim ended", lost)
			if !errors.Is(cause, notify.ErrClaimLost) {
				t.Fatalf("a redelivery during a callback running for %v (lease %v) reached the application again "+
					"(HTTP %d, %d callbacks), and the first callback's context ended with %v; want 503 and one callback",
					3*lease, lease, dup.Code, calls.Load(), cause)
			}
			<-first
			t.Logf("attempt %d: the claim was renewed too late on this machine and was taken over; trying again", attempt)
			continue
		}
		if dup.Code != http.StatusServiceUnavailable {
			t.Fatalf("a redelivery during a slow callback: HTTP %d %q; want 503", dup.Code, dup.Body)
		}
		close(finish)
		if code := testwait.Recv(t, "the first delivery's reply", first); code != http.StatusOK {
			t.Fatalf("the slow callback's delivery: HTTP %d; want 200", code)
		}
		select {
		case cause := <-lost:
			t.Fatalf("the callback's context ended (%v) although its claim was kept", cause)
		default:
		}
		if rec := deliver(hb, id); rec.Code != http.StatusOK || rec.Body.String() != "processed:"+id || calls.Load() != 1 {
			t.Fatalf("a redelivery after the slow callback returned: HTTP %d %q, %d callbacks; want 200, processed, 1",
				rec.Code, rec.Body, calls.Load())
		}
		return
	}
	t.Fatalf("in %d attempts, the claim of a callback running for %v was never kept past its %v lease", attempts, 3*lease, lease)
}

// testRenew: a Renewer extends only the claim it is given the token of, and only while
// that claim holds the key.
func testRenew(t *testing.T, newStore func(*testing.T) notify.Store) {
	a, b := newStore(t), newStore(t)
	ra, ok := a.(notify.Renewer)
	if !ok {
		t.Skip("the store is not a notify.Renewer")
	}
	ctx := context.Background()
	renew := func(k, token string, lease time.Duration) bool {
		t.Helper()
		ok, err := ra.Renew(ctx, k, token, lease)
		if err != nil {
			t.Fatalf("Renew(%q): %v", k, err)
		}
		return ok
	}

	// A renewed claim outlasts its first lease.
	k := key(t, "renewed")
	ta := wantClaim(t, a, k, shortLease, notify.Claimed, 0, "new key")
	if !renew(k, ta, time.Minute) {
		t.Fatal("Renew of the claim just granted reported it lost")
	}
	time.Sleep(2 * shortLease)
	wantClaim(t, b, k, time.Minute, notify.Busy, 0, "a renewed claim after its first lease")
	if renew(k, "another token", time.Minute) {
		t.Fatal("Renew with another token reported the claim held")
	}
	complete(t, a, k, ta, notify.Processed)
	if renew(k, ta, time.Minute) {
		t.Fatal("Renew of a completed key reported the claim held")
	}
	wantClaim(t, b, k, time.Minute, notify.Done, notify.Processed, "Renew after Complete")

	// A claim whose lease ended and that nobody took over is still the holder's.
	kl := key(t, "lapsed")
	tl := wantClaim(t, a, kl, shortLease, notify.Claimed, 0, "new key")
	time.Sleep(2 * shortLease)
	if !renew(kl, tl, time.Minute) {
		t.Fatal("Renew of a lapsed claim nobody took over reported it lost")
	}
	wantClaim(t, b, kl, time.Minute, notify.Busy, 0, "a lapsed claim renewed")

	// A claim taken over, or released, is not renewed, and the new holder keeps it.
	kt := key(t, "taken-over")
	tt := wantClaim(t, a, kt, shortLease, notify.Claimed, 0, "new key")
	tb := waitClaimed(t, b, kt, time.Minute)
	if renew(kt, tt, time.Minute) {
		t.Fatal("Renew of a claim taken over reported it held")
	}
	release(t, b, kt, tb)
	if renew(kt, tb, time.Minute) {
		t.Fatal("Renew of a released claim reported it held")
	}
	wantClaim(t, a, kt, time.Minute, notify.Claimed, 0, "after the release")
}

// testDecision: a DecisionRecorder returns the decision recorded with a processed key to
// every later claim, through every instance; the first recorded outcome stays.
func testDecision(t *testing.T, newStore func(*testing.T) notify.Store) {
	a, b := newStore(t), newStore(t)
	ra, ok := a.(notify.DecisionRecorder)
	if !ok {
		t.Skip("the store is not a notify.DecisionRecorder")
	}
	ctx := context.Background()
	for _, d := range []notify.Decision{notify.Continue, notify.Abort, notify.Undecided} {
		k := key(t, d.String())
		tok := wantClaim(t, a, k, time.Minute, notify.Claimed, 0, "new key")
		if err := ra.CompleteDecided(ctx, k, tok, d); err != nil {
			t.Fatalf("CompleteDecided(%q, %v): %v", k, d, err)
		}
		for _, s := range []notify.Store{a, b} {
			if r := claim(t, s, k, time.Minute); r.State != notify.Done || r.Outcome != notify.Processed || r.Decision != d {
				t.Fatalf("Claim(%q) after CompleteDecided(%v) = %s, %s, %v", k, d, stateName(r.State), r.Outcome, r.Decision)
			}
		}
		// A later completion changes nothing.
		if err := ra.CompleteDecided(ctx, k, tok, notify.Continue); err != nil {
			t.Fatal(err)
		}
		complete(t, b, k, tok, notify.Failed)
		if r := claim(t, b, k, time.Minute); r.State != notify.Done || r.Outcome != notify.Processed || r.Decision != d {
			t.Fatalf("Claim(%q) after a second completion = %s, %s, %v; want the first", k, stateName(r.State), r.Outcome, r.Decision)
		}
	}
	// A key completed without a decision has none.
	k := key(t, "plain")
	complete(t, a, k, wantClaim(t, a, k, time.Minute, notify.Claimed, 0, "new key"), notify.Processed)
	if r := claim(t, b, k, time.Minute); r.Decision != notify.Undecided {
		t.Fatalf("a key completed without a decision has decision %v", r.Decision)
	}
}
