package trustist

import (
	"container/list"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/notify"
)

func TestFinalCacheEvictsLeastRecentlyUsedAndExpires(t *testing.T) {
	fc := finalCache{max: 3, ttl: time.Minute, byKey: map[objectKey]*list.Element{}}
	t0 := time.Unix(1_700_000_000, 0)
	key := func(id string) objectKey { return objectKey{paymentObject, id} }
	for _, id := range []string{"a", "b", "c"} {
		fc.put(key(id), id, t0)
	}
	if _, ok := fc.get(key("a"), t0); !ok { // a is now the most recently used
		t.Fatal("a missing")
	}
	fc.put(key("d"), "d", t0)
	if _, ok := fc.get(key("b"), t0); ok || fc.len() != 3 {
		t.Fatalf("b kept (or %d entries): the least recently used goes first, and the cache holds at most 3", fc.len())
	}
	for _, id := range []string{"a", "c", "d"} {
		if v, ok := fc.get(key(id), t0); !ok || v != id {
			t.Fatalf("%s: %v %v", id, v, ok)
		}
	}
	if _, ok := fc.get(key("a"), t0.Add(time.Minute)); ok || fc.len() != 2 {
		t.Fatalf("an expired entry answered (or stayed: %d entries)", fc.len())
	}
	if _, ok := fc.get(objectKey{standingOrderObject, "c"}, t0); ok {
		t.Fatal("a standing order answered from a payment's entry")
	}
}

func TestConfirmationBucket(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	now := t0
	c, err := newConfirmations(&Config{ConfirmationsPerSecond: 1, ConfirmationBurst: 2}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	fetch := func(context.Context) (any, bool, error) { reads++; return "pending", false, nil }
	yes := func(any) bool { return true }
	ctx := context.Background()
	for i, id := range []string{"a", "b", "c"} {
		_, err := c.read(ctx, objectKey{paymentObject, id}, yes, fetch)
		if over := i >= 2; over != (err != nil) || (over && (!errors.Is(err, ErrConfirmationLimit) || !errors.Is(err, notify.ErrRetryLater))) {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	now = t0.Add(time.Second)
	if _, err := c.read(ctx, objectKey{paymentObject, "c"}, yes, fetch); err != nil || reads != 3 {
		t.Fatalf("after a second's refill: %v (%d reads)", err, reads)
	}
	unbounded, err := newConfirmations(&Config{ConfirmationsPerSecond: -1}, func() time.Time { return t0 })
	if err != nil || unbounded.limit != nil {
		t.Fatalf("a negative rate must remove the bound: %v", err)
	}
}

// A notification that gives up waiting for another's read ends; the read goes on and
// answers the notification that made it.
func TestConfirmationWaiterGivesUpAlone(t *testing.T) {
	c, err := newConfirmations(&Config{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	key := objectKey{paymentObject, "p1"}
	release, started := make(chan struct{}), make(chan struct{})
	fetch := func(ctx context.Context) (any, bool, error) {
		close(started)
		select {
		case <-release:
			return "COMPLETE", true, nil
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
	yes := func(any) bool { return true }
	leader := make(chan error, 1)
	go func() {
		v, err := c.read(context.Background(), key, yes, fetch)
		if err == nil && v != "COMPLETE" {
			err = errors.New("wrong value")
		}
		leader <- err
	}()
	<-started
	short, cancel := context.WithCancel(context.Background())
	waiter := make(chan error, 1)
	go func() {
		_, err := c.read(short, key, yes, func(context.Context) (any, bool, error) { panic("a second read") })
		waiter <- err
	}()
	testwait.For(t, "the waiter to join the read", func() bool { return c.waiters(key) == 1 })
	cancel()
	if err := <-waiter; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter: %v", err)
	}
	close(release)
	if err := <-leader; err != nil {
		t.Fatalf("leader: %v", err)
	}
	if v, err := c.read(context.Background(), key, yes, func(context.Context) (any, bool, error) { panic("read again") }); err != nil || v != "COMPLETE" {
		t.Fatalf("the final status was not remembered: %v %v", v, err)
	}
}
