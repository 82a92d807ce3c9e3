// Package journaltest holds the tests every journal.Journal implementation must pass. Call
// Run from a test in the implementation's package with a function that returns a fresh,
// empty journal.
package journaltest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
)

// Run runs the shared tests against the journals newJournal returns. Each subtest gets a
// new journal, and uses scopes of its own, so journals sharing one database may be passed.
func Run(t *testing.T, newJournal func(t *testing.T) journal.Journal) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, j journal.Journal, scope string)
	}{
		{"NewClaimIsPendingAndHeld", testNewClaim},
		{"SecondClaimIsBusy", testBusy},
		{"OtherFingerprintConflicts", testConflict},
		{"SettledIsReturned", testSettled},
		{"FailedIsReturned", testFailed},
		{"UncertainIsHeldAgain", testUncertain},
		{"ReleasedPendingIsForgotten", testReleasePending},
		{"ExpiredPendingBecomesUncertain", testExpired},
		{"LostClaimRecordsOnlySettled", testLostClaim},
		{"SentCountsAttempts", testSent},
		{"UncertainRecordMovesSentAt", testUncertainRecordSentAt},
		{"TakeoverMovesSentAtToTheLapse", testTakeoverSentAt},
		{"ConcurrentClaimsOneHolder", testConcurrent},
		{"FindByReferenceAndProviderID", testFind},
		{"FindByParentOldestFirst", testFindByParent},
		{"FindByParentForgetsReleasedPending", testFindByParentReleased},
		{"ParentIsKept", testParentKept},
		{"KeepIsRecorded", testKeep},
		{"FindCreatedHalfOpenOldestFirst", testFindCreated},
		{"AttachKeepsOneProviderID", testAttach},
		{"SettleFromOutside", testSettle},
		{"SettleWaitsForAHolderWhoseCallWasNamed", testSettleAfterAttach},
		{"Forget", testForget},
		{"ScopesAreSeparate", testScopes},
		{"RejectsMalformed", testMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newJournal(t), fmt.Sprintf("test/%s/%d", tc.name, time.Now().UnixNano()))
		})
	}
}

const long = time.Hour

// lapse is a lease the tests wait out.
const lapse = 40 * time.Millisecond

func entry(scope, key string) journal.Entry {
	return journal.Entry{
		ID:          journal.ID{Scope: scope, Op: "refund", Key: key},
		Fingerprint: "fp-" + key,
		Reference:   "ref-" + key,
		Amount:      money.MustNew("12.34", "EUR"),
	}
}

func claim(t *testing.T, j journal.Journal, e journal.Entry, lease time.Duration) journal.Claim {
	t.Helper()
	c, err := j.Claim(context.Background(), e, lease)
	if err != nil {
		t.Fatalf("Claim(%s): %v", e.Key, err)
	}
	return c
}

func testNewClaim(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	before := time.Now().Add(-time.Minute) // database clocks may differ a little
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	if !c.Held || c.Token == "" {
		t.Fatalf("a new entry's claim: Held %v, token %q; want held with a token", c.Held, c.Token)
	}
	got := c.Entry
	if got.State != journal.Pending || got.Attempts != 1 {
		t.Errorf("state %s, attempts %d; want pending, 1", got.State, got.Attempts)
	}
	if got.ID != e.ID || got.Fingerprint != e.Fingerprint || got.Reference != e.Reference || !got.Amount.Equal(e.Amount) {
		t.Errorf("entry %+v does not carry what was claimed (%+v)", got, e)
	}
	if got.SentAt.Before(before) || got.CreatedAt.Before(before) {
		t.Errorf("SentAt %v, CreatedAt %v: not set to the claim's time", got.SentAt, got.CreatedAt)
	}
	stored, err := j.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != journal.Pending || stored.Amount.String() != "12.34 EUR" {
		t.Errorf("Get: state %s, amount %s", stored.State, stored.Amount)
	}
}

func testBusy(t *testing.T, j journal.Journal, scope string) {
	e := entry(scope, "k1")
	claim(t, j, e, long)
	if _, err := j.Claim(context.Background(), e, long); !errors.Is(err, journal.ErrBusy) {
		t.Fatalf("second Claim while the first is held: %v; want ErrBusy", err)
	}
}

func testConflict(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	other := e
	other.Fingerprint = "another request"
	if _, err := j.Claim(ctx, other, long); !errors.Is(err, journal.ErrConflict) {
		t.Fatalf("Claim with another fingerprint while held: %v; want ErrConflict", err)
	}
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Claim(ctx, other, long); !errors.Is(err, journal.ErrConflict) {
		t.Fatalf("Claim with another fingerprint once settled: %v; want ErrConflict", err)
	}
}

func testSettled(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	result := []byte(`{"id":"r-1","amount":{"value":"12.34","currency":"EUR"}}`)
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Settled, Result: result, ProviderID: "r-1"}); err != nil {
		t.Fatalf("Record settled: %v", err)
	}
	again := claim(t, j, e, long)
	if again.Held {
		t.Fatal("a settled entry was held again; it must be returned")
	}
	if again.Entry.State != journal.Settled || string(again.Entry.Result) != string(result) || again.Entry.ProviderID != "r-1" {
		t.Fatalf("settled entry: state %s, result %s, provider id %q", again.Entry.State, again.Entry.Result, again.Entry.ProviderID)
	}
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); !errors.Is(err, journal.ErrClaimLost) {
		t.Errorf("Record after the claim ended: %v; want ErrClaimLost", err)
	}
}

func testFailed(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	refusal := &journal.RecordedError{Code: "declined", Message: "the bank said no"}
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Failed, Error: refusal}); err != nil {
		t.Fatalf("Record failed: %v", err)
	}
	again := claim(t, j, e, long)
	if again.Held || again.Entry.State != journal.Failed || again.Entry.Error == nil || *again.Entry.Error != *refusal {
		t.Fatalf("failed entry: held %v, state %s, error %+v", again.Held, again.Entry.State, again.Entry.Error)
	}
}

func testUncertain(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	again := claim(t, j, e, long)
	if !again.Held || again.Entry.State != journal.Uncertain || again.Token == c.Token {
		t.Fatalf("uncertain entry: held %v, state %s; want held again, uncertain, with a new token", again.Held, again.Entry.State)
	}
	if _, err := j.Claim(ctx, e, long); !errors.Is(err, journal.ErrBusy) {
		t.Fatalf("Claim while the uncertain entry is held: %v; want ErrBusy", err)
	}
	if err := j.Release(ctx, e.ID, again.Token); err != nil {
		t.Fatal(err)
	}
	got, err := j.Get(ctx, e.ID)
	if err != nil || got.State != journal.Uncertain {
		t.Fatalf("after Release: %v, state %s; an uncertain entry must stay uncertain", err, got.State)
	}
	third := claim(t, j, e, long)
	if !third.Held || third.Entry.State != journal.Uncertain {
		t.Fatalf("after Release: held %v, state %s", third.Held, third.Entry.State)
	}
}

func testReleasePending(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	if err := j.Release(ctx, e.ID, "not the token"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Get(ctx, e.ID); err != nil {
		t.Fatalf("Release with a wrong token removed the entry: %v", err)
	}
	if err := j.Release(ctx, e.ID, c.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Get(ctx, e.ID); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("Get after releasing a pending entry: %v; want ErrNotFound", err)
	}
	other := e
	other.Fingerprint = "another request"
	if c := claim(t, j, other, long); !c.Held || c.Entry.State != journal.Pending {
		t.Fatalf("a released key claimed afresh: held %v, state %s", c.Held, c.Entry.State)
	}
}

// expire claims e with a short lease and waits until the lease has certainly ended.
func expire(t *testing.T, j journal.Journal, e journal.Entry) journal.Claim {
	t.Helper()
	c := claim(t, j, e, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	return c
}

func testExpired(t *testing.T, j journal.Journal, scope string) {
	e := entry(scope, "k1")
	expire(t, j, e)
	c := claim(t, j, e, long)
	if !c.Held || c.Entry.State != journal.Uncertain {
		t.Fatalf("an expired pending claim taken over: held %v, state %s; want held, uncertain", c.Held, c.Entry.State)
	}
	if c.Entry.Attempts != 1 {
		t.Errorf("attempts %d after a takeover; want 1 (nothing sent since)", c.Entry.Attempts)
	}
}

func testLostClaim(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	first := expire(t, j, e)
	second := claim(t, j, e, long)
	if err := j.Record(ctx, e.ID, first.Token, journal.Outcome{State: journal.Uncertain}); !errors.Is(err, journal.ErrClaimLost) {
		t.Fatalf("Record uncertain on a lost claim: %v; want ErrClaimLost", err)
	}
	if err := j.Record(ctx, e.ID, first.Token, journal.Outcome{State: journal.Failed, Error: &journal.RecordedError{Code: "declined"}}); !errors.Is(err, journal.ErrClaimLost) {
		t.Fatalf("Record failed on a lost claim: %v; want ErrClaimLost", err)
	}
	if err := j.Release(ctx, e.ID, first.Token); err != nil {
		t.Fatal(err)
	}
	if got, _ := j.Get(ctx, e.ID); got.State != journal.Uncertain {
		t.Fatalf("a lost claim's Release changed the entry to %s", got.State)
	}
	// The first holder learns the call was applied: that is recorded whoever holds it.
	if err := j.Record(ctx, e.ID, first.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{"id":"x"}`), ProviderID: "x"}); err != nil {
		t.Fatalf("Record settled on a lost claim: %v; want it recorded", err)
	}
	if err := j.Record(ctx, e.ID, second.Token, journal.Outcome{State: journal.Uncertain}); err == nil {
		t.Fatal("the new holder overwrote a settled entry with uncertain")
	}
	got, err := j.Get(ctx, e.ID)
	if err != nil || got.State != journal.Settled || got.ProviderID != "x" {
		t.Fatalf("entry %+v, %v; want settled with provider id x", got, err)
	}
	if err := j.Record(ctx, e.ID, first.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{"id":"y"}`)}); err == nil {
		t.Fatal("a settled entry was settled again")
	}
}

func testSent(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	c = claim(t, j, e, long)
	time.Sleep(5 * time.Millisecond)
	if err := j.Sent(ctx, e.ID, c.Token, long); err != nil {
		t.Fatalf("Sent: %v", err)
	}
	got, _ := j.Get(ctx, e.ID)
	if got.Attempts != 2 || !got.SentAt.After(c.Entry.SentAt) {
		t.Fatalf("after Sent: attempts %d, SentAt %v (was %v); want 2 and later", got.Attempts, got.SentAt, c.Entry.SentAt)
	}
	if err := j.Sent(ctx, e.ID, "not the token", long); !errors.Is(err, journal.ErrClaimLost) {
		t.Fatalf("Sent with a wrong token: %v; want ErrClaimLost", err)
	}
}

// testUncertainRecordSentAt: an attempt recorded uncertain may have been sending until it
// was recorded, so SentAt, from which a look-up's settle period runs, is then.
func testUncertainRecordSentAt(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	time.Sleep(30 * time.Millisecond)
	recorded := time.Now()
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	got, err := j.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	// SentAt is on this process's clock, late by the answer's time and never early.
	if got.SentAt.Before(recorded.Add(-time.Millisecond)) {
		t.Fatalf("SentAt %v after an uncertain Record at %v (claimed at %v); want the Record's time",
			got.SentAt, recorded, c.Entry.SentAt)
	}
}

// testTakeoverSentAt: a claim that lapsed may have been sending until its lease ended, so
// a takeover's SentAt is no earlier than that.
func testTakeoverSentAt(t *testing.T, j journal.Journal, scope string) {
	const lease = 40 * time.Millisecond
	e := entry(scope, "k1")
	before := time.Now()
	claim(t, j, e, lease)
	time.Sleep(2 * lease)
	c := claim(t, j, e, long)
	if !c.Held || c.Entry.State != journal.Uncertain {
		t.Fatalf("the lapsed claim taken over: held %v, state %s", c.Held, c.Entry.State)
	}
	if c.Entry.SentAt.Before(before.Add(lease - time.Millisecond)) {
		t.Fatalf("SentAt %v after a takeover; want no earlier than the lapsed lease's end (%v or later)",
			c.Entry.SentAt, before.Add(lease))
	}
}

func testConcurrent(t *testing.T, j journal.Journal, scope string) {
	e := entry(scope, "k1")
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	held, busy := 0, 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := j.Claim(context.Background(), e, long)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && c.Held:
				held++
			case errors.Is(err, journal.ErrBusy):
				busy++
			default:
				t.Errorf("Claim: held %v, %v", c.Held, err)
			}
		}()
	}
	wg.Wait()
	if held != 1 || busy != n-1 {
		t.Fatalf("%d concurrent claims: %d held, %d busy; want exactly one held", n, held, busy)
	}
}

func testFind(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	a, b := entry(scope, "a"), entry(scope, "b")
	b.Reference = a.Reference // the caller's reference, sent for two keys
	ca := claim(t, j, a, long)
	time.Sleep(2 * time.Millisecond)
	cb := claim(t, j, b, long)
	found, err := j.FindByReference(ctx, scope, a.Reference)
	if err != nil || len(found) != 2 || found[0].Key != "b" || found[1].Key != "a" {
		t.Fatalf("FindByReference: %v, %v; want b then a", keys(found), err)
	}
	if found, err := j.FindByReference(ctx, scope, "nothing"); err != nil || len(found) != 0 {
		t.Fatalf("FindByReference of an unknown reference: %v, %v; want none", keys(found), err)
	}
	if _, err := j.FindByProviderID(ctx, scope, "p-a"); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("FindByProviderID before any is known: %v; want ErrNotFound", err)
	}
	if err := j.Record(ctx, a.ID, ca.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`), ProviderID: "p-a"}); err != nil {
		t.Fatal(err)
	}
	if err := j.Record(ctx, b.ID, cb.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	got, err := j.FindByProviderID(ctx, scope, "p-a")
	if err != nil || got.Key != "a" || got.State != journal.Settled {
		t.Fatalf("FindByProviderID: %+v, %v", got, err)
	}
	if _, err := j.FindByProviderID(ctx, scope+"/other", "p-a"); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("FindByProviderID in another scope: %v; want ErrNotFound", err)
	}
}

// child is an entry for a call acting on the provider's object parent.
func child(scope, op, key, parent string) journal.Entry {
	e := entry(scope, key)
	e.Op, e.Parent = op, parent
	return e
}

func testFindByParent(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	other := scope + "/other"
	// Created in the order m, z, a: neither the keys' order (a, m, z) nor its reverse nor
	// newest first passes for oldest first.
	m := child(scope, "capture", "m", "pay-1")
	cm := claim(t, j, m, long)
	time.Sleep(2 * time.Millisecond)
	z := child(scope, "refund", "z", "pay-1")
	cz := claim(t, j, z, long)
	time.Sleep(2 * time.Millisecond)
	a := child(scope, "refund", "a", "pay-1")
	claim(t, j, a, long) // still pending: found too
	claim(t, j, child(scope, "refund", "b", "pay-2"), long)
	claim(t, j, child(other, "refund", "c", "pay-1"), long)
	claim(t, j, child(scope, "refund", "d", ""), long)
	if err := j.Record(ctx, z.ID, cz.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{"id":"r-z"}`), ProviderID: "r-z"}); err != nil {
		t.Fatal(err)
	}
	if err := j.Record(ctx, m.ID, cm.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	found, err := j.FindByParent(ctx, scope, "pay-1")
	if err != nil || fmt.Sprint(keys(found)) != "[m z a]" {
		t.Fatalf("FindByParent(pay-1): %v, %v; want [m z a], oldest first", keys(found), err)
	}
	for i, want := range []journal.State{journal.Uncertain, journal.Settled, journal.Pending} {
		if found[i].Parent != "pay-1" || found[i].State != want {
			t.Errorf("FindByParent(pay-1)[%d]: parent %q, state %s; want pay-1, %s", i, found[i].Parent, found[i].State, want)
		}
	}
	if found[0].Op != "capture" || string(found[1].Result) != `{"id":"r-z"}` || found[1].ProviderID != "r-z" {
		t.Errorf("FindByParent(pay-1): %+v, %+v do not carry what was recorded", found[0], found[1])
	}
	if !found[0].CreatedAt.Before(found[1].CreatedAt) || !found[1].CreatedAt.Before(found[2].CreatedAt) {
		t.Errorf("CreatedAt %v, %v, %v: not ascending", found[0].CreatedAt, found[1].CreatedAt, found[2].CreatedAt)
	}
	if found, err := j.FindByParent(ctx, scope, "pay-2"); err != nil || fmt.Sprint(keys(found)) != "[b]" {
		t.Fatalf("FindByParent(pay-2): %v, %v; want [b]", keys(found), err)
	}
	if found, err := j.FindByParent(ctx, other, "pay-1"); err != nil || fmt.Sprint(keys(found)) != "[c]" {
		t.Fatalf("FindByParent(pay-1) in another scope: %v, %v; want [c] only", keys(found), err)
	}
	if found, err := j.FindByParent(ctx, scope, ""); err != nil || len(found) != 0 {
		t.Fatalf("FindByParent of an empty parent: %v, %v; want none, although an entry has no parent", keys(found), err)
	}
	if found, err := j.FindByParent(ctx, scope, "pay-unknown"); err != nil || len(found) != 0 {
		t.Fatalf("FindByParent of an unknown parent: %v, %v; want none", keys(found), err)
	}
	if found, err := j.FindByParent(ctx, scope+"/none", "pay-1"); err != nil || len(found) != 0 {
		t.Fatalf("FindByParent in a scope without entries: %v, %v; want none", keys(found), err)
	}
}

func testFindByParentReleased(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	pending := child(scope, "refund", "pending", "pay-1")
	uncertain := child(scope, "refund", "uncertain", "pay-1")
	cp := claim(t, j, pending, long)
	cu := claim(t, j, uncertain, long)
	if err := j.Record(ctx, uncertain.ID, cu.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	cu = claim(t, j, uncertain, long)
	if found, err := j.FindByParent(ctx, scope, "pay-1"); err != nil || len(found) != 2 {
		t.Fatalf("FindByParent before Release: %v, %v; want both entries", keys(found), err)
	}
	if err := j.Release(ctx, pending.ID, cp.Token); err != nil {
		t.Fatal(err)
	}
	if err := j.Release(ctx, uncertain.ID, cu.Token); err != nil {
		t.Fatal(err)
	}
	found, err := j.FindByParent(ctx, scope, "pay-1")
	if err != nil || fmt.Sprint(keys(found)) != "[uncertain]" || found[0].State != journal.Uncertain {
		t.Fatalf("FindByParent after Release: %v, %v; want only the uncertain entry, which Release keeps", keys(found), err)
	}
	// The released key claimed afresh, for another object, is found under that one only.
	again := pending
	again.Fingerprint, again.Parent = "another request", "pay-2"
	claim(t, j, again, long)
	if found, err := j.FindByParent(ctx, scope, "pay-1"); err != nil || fmt.Sprint(keys(found)) != "[uncertain]" {
		t.Fatalf("FindByParent(pay-1) after the key was claimed afresh: %v, %v; want [uncertain]", keys(found), err)
	}
	if found, err := j.FindByParent(ctx, scope, "pay-2"); err != nil || fmt.Sprint(keys(found)) != "[pending]" {
		t.Fatalf("FindByParent(pay-2) after the key was claimed afresh: %v, %v; want [pending]", keys(found), err)
	}
}

func testParentKept(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := child(scope, "refund", "k1", "pay-1")
	c := claim(t, j, e, long)
	if c.Entry.Parent != "pay-1" {
		t.Fatalf("Claim: parent %q; want pay-1", c.Entry.Parent)
	}
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`), ProviderID: "r-1"}); err != nil {
		t.Fatal(err)
	}
	if got, err := j.Get(ctx, e.ID); err != nil || got.Parent != "pay-1" {
		t.Errorf("Get: parent %q, %v; want pay-1", got.Parent, err)
	}
	if found, err := j.FindByReference(ctx, scope, e.Reference); err != nil || len(found) != 1 || found[0].Parent != "pay-1" {
		t.Errorf("FindByReference: %+v, %v; want one entry with parent pay-1", found, err)
	}
	if got, err := j.FindByProviderID(ctx, scope, "r-1"); err != nil || got.Parent != "pay-1" {
		t.Errorf("FindByProviderID: parent %q, %v; want pay-1", got.Parent, err)
	}
	// A repeat naming another parent gets the entry as recorded: the parent never changes.
	repeat := e
	repeat.Parent = "pay-2"
	again := claim(t, j, repeat, long)
	if again.Held || again.Entry.Parent != "pay-1" {
		t.Errorf("a repeat's Claim: held %v, parent %q; want the settled entry with parent pay-1", again.Held, again.Entry.Parent)
	}
	if found, err := j.FindByParent(ctx, scope, "pay-2"); err != nil || len(found) != 0 {
		t.Errorf("FindByParent(pay-2) after a repeat named it: %v, %v; want none", keys(found), err)
	}
	none := entry(scope, "k2")
	if c := claim(t, j, none, long); c.Entry.Parent != "" {
		t.Errorf("an entry claimed without a parent has parent %q", c.Entry.Parent)
	}
	if got, err := j.Get(ctx, none.ID); err != nil || got.Parent != "" {
		t.Errorf("Get of an entry without a parent: parent %q, %v; want none", got.Parent, err)
	}
}

// testFindCreated checks the listing a reconciliation reads: every entry of the scope
// created in [from, to), whatever its state, oldest first. The bounds are the entries' own
// CreatedAt, so a database clock that differs from the test's does not matter.
func testFindCreated(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	other := scope + "/other"
	// Created in the order m, z, a, b: neither the keys' order nor newest first passes.
	var made []journal.Entry
	for _, key := range []string{"m", "z", "a", "b"} {
		if len(made) > 0 {
			time.Sleep(2 * time.Millisecond)
		}
		e := entry(scope, key)
		e.Op = "pay"
		c := claim(t, j, e, long)
		claim(t, j, entry(other, key), long) // same times, another scope: never listed
		made = append(made, c.Entry)
		switch key {
		case "m":
			if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{"id":"p-m"}`), ProviderID: "p-m"}); err != nil {
				t.Fatal(err)
			}
		case "z":
			if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Failed, Error: &journal.RecordedError{Code: "Declined", Message: "no"}}); err != nil {
				t.Fatal(err)
			}
		case "a":
			if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
				t.Fatal(err)
			}
		} // b stays pending
	}
	for i := 1; i < len(made); i++ {
		if !made[i-1].CreatedAt.Before(made[i].CreatedAt) {
			t.Fatalf("CreatedAt %v then %v: entries claimed 2ms apart are not ascending", made[i-1].CreatedAt, made[i].CreatedAt)
		}
	}
	first, last := made[0].CreatedAt, made[len(made)-1].CreatedAt
	all, err := j.FindCreated(ctx, scope, first, last.Add(time.Microsecond))
	if err != nil || fmt.Sprint(keys(all)) != "[m z a b]" {
		t.Fatalf("FindCreated(all): %v, %v; want [m z a b], oldest first", keys(all), err)
	}
	for i, want := range []journal.State{journal.Settled, journal.Failed, journal.Uncertain, journal.Pending} {
		if all[i].State != want || all[i].Scope != scope || all[i].Op != "pay" || !all[i].CreatedAt.Equal(made[i].CreatedAt) {
			t.Errorf("FindCreated(all)[%d]: %+v; want state %s, scope %s, op pay, created %v", i, all[i], want, scope, made[i].CreatedAt)
		}
	}
	if all[0].ProviderID != "p-m" || string(all[0].Result) != `{"id":"p-m"}` || all[1].Error == nil || !all[0].Amount.Equal(made[0].Amount) {
		t.Errorf("FindCreated(all): %+v, %+v do not carry what was recorded", all[0], all[1])
	}
	// [from, to): the entry created at to is left out, the one created at from kept.
	if got, err := j.FindCreated(ctx, scope, made[1].CreatedAt, made[3].CreatedAt); err != nil || fmt.Sprint(keys(got)) != "[z a]" {
		t.Fatalf("FindCreated(z's time, b's time): %v, %v; want [z a]: from included, to excluded", keys(got), err)
	}
	if got, err := j.FindCreated(ctx, scope, last.Add(time.Microsecond), last.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("FindCreated after the last entry: %v, %v; want none", keys(got), err)
	}
	if got, err := j.FindCreated(ctx, scope, last, first); err != nil || len(got) != 0 {
		t.Fatalf("FindCreated with to before from: %v, %v; want none", keys(got), err)
	}
	if got, err := j.FindCreated(ctx, scope+"/none", first, last.Add(time.Microsecond)); err != nil || len(got) != 0 {
		t.Fatalf("FindCreated in a scope without entries: %v, %v; want none", keys(got), err)
	}
	// A released pending entry is no longer recorded, so no longer listed.
	e := entry(scope, "gone")
	c := claim(t, j, e, long)
	if err := j.Release(ctx, e.ID, c.Token); err != nil {
		t.Fatal(err)
	}
	if got, err := j.FindCreated(ctx, scope, first, c.Entry.CreatedAt.Add(time.Microsecond)); err != nil || fmt.Sprint(keys(got)) != "[m z a b]" {
		t.Fatalf("FindCreated after a release: %v, %v; want [m z a b]", keys(got), err)
	}
}

func keys(es []journal.Entry) []string {
	var k []string
	for _, e := range es {
		k = append(k, e.Key)
	}
	return k
}

func testAttach(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	a, b := entry(scope, "a"), entry(scope, "b")
	claim(t, j, a, long)
	claim(t, j, b, long)
	if err := j.Attach(ctx, a.ID, "p-1"); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if err := j.Attach(ctx, a.ID, "p-1"); err != nil {
		t.Fatalf("Attach of the same id again: %v", err)
	}
	if err := j.Attach(ctx, a.ID, "p-2"); !errors.Is(err, journal.ErrConflict) {
		t.Fatalf("Attach of another id: %v; want ErrConflict", err)
	}
	if err := j.Attach(ctx, b.ID, "p-1"); !errors.Is(err, journal.ErrConflict) {
		t.Fatalf("Attach of an id another entry has: %v; want ErrConflict", err)
	}
	if err := j.Attach(ctx, journal.ID{Scope: scope, Op: "refund", Key: "none"}, "p-3"); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("Attach to no entry: %v; want ErrNotFound", err)
	}
	got, err := j.FindByProviderID(ctx, scope, "p-1")
	if err != nil || got.Key != "a" || got.State != journal.Pending {
		t.Fatalf("FindByProviderID after Attach: %+v, %v", got, err)
	}
}

func testSettle(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	held := claim(t, j, e, long) // someone is trying to settle it from the provider
	if err := j.Sent(ctx, e.ID, held.Token, long); err != nil {
		t.Fatal(err)
	}
	// The holder journaled a repeat and may be sending it: an operator's "never applied" or
	// "unknown", from a look at the provider made before, cannot account for it.
	failed := journal.Outcome{State: journal.Failed, Error: &journal.RecordedError{Code: "Declined", Message: "no"}}
	for _, o := range []journal.Outcome{failed, {State: journal.Uncertain}} {
		if err := j.Settle(ctx, e.ID, o); !errors.Is(err, journal.ErrBusy) {
			t.Fatalf("Settle %s of an entry whose holder is sending: %v; want ErrBusy", o.State, err)
		}
	}
	if got, err := j.Get(ctx, e.ID); err != nil || got.State != journal.Uncertain {
		t.Fatalf("after the refused Settle: %+v, %v; want the uncertain entry", got, err)
	}
	// Proof that the provider applied the call is recorded whoever holds it.
	if err := j.Settle(ctx, e.ID, journal.Outcome{State: journal.Settled, Result: []byte(`{"id":"r"}`), ProviderID: "r"}); err != nil {
		t.Fatalf("Settle: %v", err)
	}
	again := claim(t, j, e, long)
	if again.Held || again.Entry.State != journal.Settled || again.Entry.ProviderID != "r" {
		t.Fatalf("after Settle: held %v, state %s", again.Held, again.Entry.State)
	}
	if err := j.Settle(ctx, e.ID, journal.Outcome{State: journal.Uncertain}); !errors.Is(err, journal.ErrConflict) {
		t.Fatalf("Settle of a settled entry: %v; want ErrConflict", err)
	}
	if err := j.Settle(ctx, journal.ID{Scope: scope, Op: "refund", Key: "none"}, journal.Outcome{State: journal.Uncertain}); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("Settle of no entry: %v; want ErrNotFound", err)
	}
}

// testSettleAfterAttach: a notification or a look-up naming the provider's object while
// the call's holder is still sending (its answer not back yet) does not end the holder's
// protection: an operator's "failed", from a look at the provider made before, must still
// wait, or the call that moved money is recorded as refused and the application makes it
// again under a new key.
func testSettleAfterAttach(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	failed := journal.Outcome{State: journal.Failed, Error: &journal.RecordedError{Code: "declined", Message: "no"}}
	first := entry(scope, "k-first")
	repeat := entry(scope, "k-repeat")
	c := claim(t, j, repeat, long)
	if err := j.Record(ctx, repeat.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	held := claim(t, j, repeat, long)
	if err := j.Sent(ctx, repeat.ID, held.Token, long); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		e     journal.Entry
		token string
	}{{first, claim(t, j, first, long).Token}, {repeat, held.Token}} {
		if err := j.Attach(ctx, tc.e.ID, "p-"+tc.e.Key); err != nil {
			t.Fatalf("Attach(%s): %v", tc.e.Key, err)
		}
		for _, o := range []journal.Outcome{failed, {State: journal.Uncertain}} {
			if err := j.Settle(ctx, tc.e.ID, o); !errors.Is(err, journal.ErrBusy) {
				t.Fatalf("Settle %s of %s, whose holder is sending and whose object a notification named: %v; want ErrBusy",
					o.State, tc.e.Key, err)
			}
		}
		if err := j.Record(ctx, tc.e.ID, tc.token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`)}); err != nil {
			t.Fatalf("the holder's Record of %s: %v", tc.e.Key, err)
		}
		if got, err := j.Get(ctx, tc.e.ID); err != nil || got.State != journal.Settled || got.ProviderID != "p-"+tc.e.Key {
			t.Fatalf("%s after the holder's Record: %+v, %v; want it settled with its provider id", tc.e.Key, got, err)
		}
	}
}

func testForget(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	c := claim(t, j, e, long)
	if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	// A caller holds it and has journaled a repeat (Sent) while the operator proves it
	// never applied: the caller may be sending it, which the operator's check cannot have
	// seen.
	held := claim(t, j, e, lapse)
	if err := j.Sent(ctx, e.ID, held.Token, lapse); err != nil {
		t.Fatal(err)
	}
	if err := j.Forget(ctx, e.ID); !errors.Is(err, journal.ErrBusy) {
		t.Fatalf("Forget of an entry whose holder is sending: %v; want ErrBusy", err)
	}
	time.Sleep(2 * lapse) // the holder stopped; its claim lapsed
	// A caller that claimed it and has sent nothing yet (still deciding) does not stop the
	// operator: once the entry is gone, its Sent fails and it sends nothing.
	deciding := claim(t, j, e, long)
	if !deciding.Held {
		t.Fatalf("claim of the lapsed entry: %+v", deciding)
	}
	if err := j.Forget(ctx, e.ID); err != nil {
		t.Fatalf("Forget of an uncertain entry whose holder has sent nothing: %v", err)
	}
	if err := j.Sent(ctx, e.ID, deciding.Token, long); !errors.Is(err, journal.ErrClaimLost) {
		t.Fatalf("the holder's Sent after Forget: %v; want ErrClaimLost", err)
	}
	if _, err := j.Get(ctx, e.ID); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("Get after Forget: %v; want ErrNotFound", err)
	}
	if found, err := j.FindByReference(ctx, scope, e.Reference); err != nil || len(found) != 0 {
		t.Fatalf("FindByReference after Forget: %+v, %v; want nothing", found, err)
	}
	fresh := claim(t, j, e, long)
	if !fresh.Held || fresh.Entry.State != journal.Pending || fresh.Entry.Attempts != 1 {
		t.Fatalf("Claim after Forget: held %v, state %s, attempts %d; want a new pending entry", fresh.Held, fresh.Entry.State, fresh.Entry.Attempts)
	}
	if err := j.Record(ctx, e.ID, fresh.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Forget(ctx, e.ID); !errors.Is(err, journal.ErrConflict) {
		t.Fatalf("Forget of a settled entry: %v; want ErrConflict", err)
	}
	if err := j.Forget(ctx, journal.ID{Scope: scope, Op: "refund", Key: "none"}); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("Forget of no entry: %v; want ErrNotFound", err)
	}

	// An uncertain entry whose object the provider named (a notification, a look-up, an
	// answer that said the object exists) was applied: an operator who checked the
	// provider before its id arrived must not erase it, or the next call pays again.
	applied := entry(scope, "k-applied")
	ca := claim(t, j, applied, long)
	if err := j.Record(ctx, applied.ID, ca.Token, journal.Outcome{State: journal.Uncertain}); err != nil {
		t.Fatal(err)
	}
	if err := j.Attach(ctx, applied.ID, "p-applied"); err != nil {
		t.Fatal(err)
	}
	if err := j.Forget(ctx, applied.ID); !errors.Is(err, journal.ErrConflict) {
		t.Fatalf("Forget of an uncertain entry with a provider id: %v; want ErrConflict", err)
	}
	if got, err := j.Get(ctx, applied.ID); err != nil || got.State != journal.Uncertain || got.ProviderID != "p-applied" {
		t.Fatalf("after the refused Forget: %+v, %v; want the uncertain entry with its provider id", got, err)
	}

	// A new entry's first attempt is in flight while its claim holds.
	inFlight := entry(scope, "k-in-flight")
	claim(t, j, inFlight, long)
	if err := j.Forget(ctx, inFlight.ID); !errors.Is(err, journal.ErrBusy) {
		t.Fatalf("Forget of a new entry whose first attempt is in flight: %v; want ErrBusy", err)
	}
	if err := j.Settle(ctx, inFlight.ID, journal.Outcome{State: journal.Uncertain}); !errors.Is(err, journal.ErrBusy) {
		t.Fatalf("Settle uncertain of a new entry whose first attempt is in flight: %v; want ErrBusy", err)
	}
}

func testScopes(t *testing.T, j journal.Journal, scope string) {
	a := entry(scope+"/merchant-a", "k1")
	b := entry(scope+"/merchant-b", "k1")
	b.Fingerprint = "another request"
	if c := claim(t, j, a, long); !c.Held {
		t.Fatal("not held")
	}
	if c := claim(t, j, b, long); !c.Held || c.Entry.State != journal.Pending {
		t.Fatalf("the same key in another scope: held %v, state %s; want a new entry", c.Held, c.Entry.State)
	}
	payout := a
	payout.Op = "payout"
	payout.Fingerprint = "a payout"
	if c := claim(t, j, payout, long); !c.Held || c.Entry.State != journal.Pending {
		t.Fatalf("the same key for another operation: held %v, state %s; want a new entry", c.Held, c.Entry.State)
	}
}

func testMalformed(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	e := entry(scope, "k1")
	if _, err := j.Claim(ctx, journal.Entry{ID: e.ID}, long); err == nil {
		t.Error("Claim without a fingerprint succeeded")
	}
	if _, err := j.Claim(ctx, e, 0); err == nil {
		t.Error("Claim with a zero lease succeeded")
	}
	c := claim(t, j, e, long)
	for _, o := range []journal.Outcome{{State: journal.Settled}, {State: journal.Failed}, {State: journal.Pending}, {}} {
		if err := j.Record(ctx, e.ID, c.Token, o); err == nil {
			t.Errorf("Record(%+v) succeeded", o)
		}
	}
	if got, _ := j.Get(ctx, e.ID); got.State != journal.Pending {
		t.Errorf("a refused Record changed the entry to %s", got.State)
	}
}

// testKeep: an entry claimed with Keep reads so from then on, settled included; one
// claimed without does not, and a later claim does not change it.
func testKeep(t *testing.T, j journal.Journal, scope string) {
	ctx := context.Background()
	kept, plain := entry(scope, "mandate"), entry(scope, "refund")
	kept.Keep = true
	c := claim(t, j, kept, long)
	if !c.Entry.Keep {
		t.Fatalf("Claim with Keep: %+v", c.Entry)
	}
	if err := j.Record(ctx, kept.ID, c.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`), ProviderID: "m-1"}); err != nil {
		t.Fatal(err)
	}
	for _, get := range []func() (journal.Entry, error){
		func() (journal.Entry, error) { return j.Get(ctx, kept.ID) },
		func() (journal.Entry, error) { return j.FindByProviderID(ctx, scope, "m-1") },
	} {
		if e, err := get(); err != nil || !e.Keep || e.State != journal.Settled {
			t.Fatalf("the kept entry read back: %+v, %v; want settled and kept", e, err)
		}
	}
	c = claim(t, j, plain, long)
	if c.Entry.Keep {
		t.Fatalf("Claim without Keep: %+v", c.Entry)
	}
	plain.Keep = true
	if _, err := j.Claim(ctx, plain, long); !errors.Is(err, journal.ErrBusy) {
		t.Fatalf("a second claim: %v; want busy", err)
	}
	if e, err := j.Get(ctx, plain.ID); err != nil || e.Keep {
		t.Fatalf("an entry claimed without Keep, claimed again with it: %+v, %v; want it unchanged", e, err)
	}
}
