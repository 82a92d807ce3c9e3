package journal_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/journaltest"
)

func TestMemory(t *testing.T) {
	journaltest.Run(t, func(*testing.T) journal.Journal { return journal.NewMemory() })
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// An uncertain entry is kept however old, so a repeat long after never sends again; settled
// entries go after the retention.
func TestMemoryUncertainNeverExpires(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	j := journal.NewMemory(journal.WithClock(clock.Now), journal.WithRetention(24*time.Hour))
	id := func(k string) journal.ID { return journal.ID{Scope: "s", Op: "pay", Key: k} }
	for _, k := range []string{"uncertain", "settled"} {
		c, err := j.Claim(ctx, journal.Entry{ID: id(k), Fingerprint: "f"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		o := journal.Outcome{State: journal.Uncertain}
		if k == "settled" {
			o = journal.Outcome{State: journal.Settled, Result: []byte(`{}`)}
		}
		if err := j.Record(ctx, id(k), c.Token, o); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(400 * 24 * time.Hour)
	c, err := j.Claim(ctx, journal.Entry{ID: id("uncertain"), Fingerprint: "f"}, time.Minute)
	if err != nil || !c.Held || c.Entry.State != journal.Uncertain {
		t.Fatalf("an uncertain entry 400 days later: held %v, state %s, %v; want still uncertain", c.Held, c.Entry.State, err)
	}
	if _, err := j.Get(ctx, id("settled")); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("a settled entry past the retention: %v; want it dropped", err)
	}
}

// A pending entry whose holder vanished is never dropped either: it becomes uncertain.
func TestMemoryAbandonedPendingBecomesUncertain(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	j := journal.NewMemory(journal.WithClock(clock.Now), journal.WithRetention(time.Hour))
	e := journal.Entry{ID: journal.ID{Scope: "s", Op: "pay", Key: "k"}, Fingerprint: "f"}
	if _, err := j.Claim(ctx, e, time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.Add(90 * 24 * time.Hour)
	c, err := j.Claim(ctx, e, time.Minute)
	if err != nil || !c.Held || c.Entry.State != journal.Uncertain {
		t.Fatalf("held %v, state %s, %v; want held, uncertain", c.Held, c.Entry.State, err)
	}
}

// Entries created at the same instant come back ordered by key, then operation, whatever
// the order they were claimed in.
func TestMemoryFindByParentTiesByKey(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	j := journal.NewMemory(journal.WithClock(clock.Now))
	for _, id := range []journal.ID{{Op: "refund", Key: "b"}, {Op: "refund", Key: "a"}, {Op: "capture", Key: "b"}} {
		id.Scope = "s"
		if _, err := j.Claim(ctx, journal.Entry{ID: id, Fingerprint: "f", Parent: "pay-1"}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	found, err := j.FindByParent(ctx, "s", "pay-1")
	var got []string
	for _, e := range found {
		got = append(got, e.Key+"/"+e.Op)
	}
	if err != nil || len(got) != 3 || got[0] != "a/refund" || got[1] != "b/capture" || got[2] != "b/refund" {
		t.Fatalf("FindByParent: %v, %v; want a/refund, b/capture, b/refund", got, err)
	}
}

// A settled entry dropped after the retention is no longer found by its parent, while an
// uncertain one with the same parent is.
func TestMemoryFindByParentAfterRetention(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	j := journal.NewMemory(journal.WithClock(clock.Now), journal.WithRetention(time.Hour))
	id := func(k string) journal.ID { return journal.ID{Scope: "s", Op: "refund", Key: k} }
	for _, k := range []string{"settled", "uncertain"} {
		c, err := j.Claim(ctx, journal.Entry{ID: id(k), Fingerprint: "f", Parent: "pay-1"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		o := journal.Outcome{State: journal.Uncertain}
		if k == "settled" {
			o = journal.Outcome{State: journal.Settled, Result: []byte(`{}`)}
		}
		if err := j.Record(ctx, id(k), c.Token, o); err != nil {
			t.Fatal(err)
		}
	}
	if found, err := j.FindByParent(ctx, "s", "pay-1"); err != nil || len(found) != 2 {
		t.Fatalf("FindByParent within the retention: %d entries, %v; want 2", len(found), err)
	}
	clock.Add(2 * time.Hour)
	// The next claim sweeps.
	if _, err := j.Claim(ctx, journal.Entry{ID: id("later"), Fingerprint: "f"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	found, err := j.FindByParent(ctx, "s", "pay-1")
	if err != nil || len(found) != 1 || found[0].Key != "uncertain" {
		t.Fatalf("FindByParent past the retention: %+v, %v; want the uncertain entry only", found, err)
	}
}

// FindByParent returns copies: changing one changes nothing recorded.
func TestMemoryFindByParentCopies(t *testing.T) {
	ctx := context.Background()
	j := journal.NewMemory()
	id := journal.ID{Scope: "s", Op: "refund", Key: "k"}
	c, err := j.Claim(ctx, journal.Entry{ID: id, Fingerprint: "f", Parent: "pay-1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Record(ctx, id, c.Token, journal.Outcome{State: journal.Failed, Error: &journal.RecordedError{Code: "declined"}}); err != nil {
		t.Fatal(err)
	}
	found, err := j.FindByParent(ctx, "s", "pay-1")
	if err != nil || len(found) != 1 {
		t.Fatalf("FindByParent: %v, %v", found, err)
	}
	found[0].Error.Code = "changed"
	found[0].Parent = "changed"
	again, err := j.FindByParent(ctx, "s", "pay-1")
	if err != nil || len(again) != 1 || again[0].Error.Code != "declined" || again[0].Parent != "pay-1" {
		t.Fatalf("after changing a returned entry: %+v, %v; want the recorded entry unchanged", again, err)
	}
}

// An entry claimed with Keep (a mandate's record) outlives the retention, settled or
// failed; the others do not.
func TestMemoryKeptEntryOutlivesRetention(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	j := journal.NewMemory(journal.WithClock(clock.Now), journal.WithRetention(time.Hour))
	kept := journal.Entry{ID: journal.ID{Scope: "s", Op: "create_mandate", Key: "m"}, Fingerprint: "f", Keep: true}
	plain := journal.Entry{ID: journal.ID{Scope: "s", Op: "pay", Key: "p"}, Fingerprint: "f"}
	for _, e := range []journal.Entry{kept, plain} {
		c, err := j.Claim(ctx, e, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Record(ctx, e.ID, c.Token, journal.Outcome{State: journal.Settled, Result: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(400 * 24 * time.Hour)
	if _, err := j.Claim(ctx, journal.Entry{ID: journal.ID{Scope: "s", Op: "pay", Key: "other"}, Fingerprint: "f"}, time.Minute); err != nil {
		t.Fatal(err) // a claim sweeps
	}
	if e, err := j.Get(ctx, kept.ID); err != nil || e.State != journal.Settled {
		t.Fatalf("the kept entry after the retention: %+v, %v", e, err)
	}
	if _, err := j.Get(ctx, plain.ID); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("the other entry after the retention: %v; want it dropped", err)
	}
}
