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
