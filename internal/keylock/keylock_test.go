package keylock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testwait"
)

func TestSerialiseOneKey(t *testing.T) {
	var l Set[string]
	var mu sync.Mutex
	inside, most := 0, 0
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			held, err := l.Lock(context.Background(), "k")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
			held.Unlock()
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Fatalf("%d holders of one key at once", most)
	}
	if n := l.Len(); n != 0 {
		t.Fatalf("%d entries left after every holder unlocked", n)
	}
}

func TestOtherKeysDoNotWait(t *testing.T) {
	var l Set[string]
	held, err := l.Lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	// Waiting for "a" would last until the test ends: the limit ends such a wait.
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	u2, err := l.Lock(ctx, "b")
	if err != nil {
		t.Fatalf("another key waited for a held one: %v", err)
	}
	u2.Unlock()
}

func TestWaitHonoursContext(t *testing.T) {
	var l Set[string]
	held, err := l.Lock(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting on a held key with an ending context = %v, want DeadlineExceeded", err)
	}
	held.Unlock()
	if n := l.Len(); n != 0 {
		t.Fatalf("%d entries left after the waiter gave up and the holder unlocked", n)
	}
}

// TestReusedEntriesStartFree: an entry dropped after use and taken again for another key
// is free to hold at once.
func TestReusedEntriesStartFree(t *testing.T) {
	var l Set[int]
	// A taken entry would be waited on until the limit ends the wait.
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit)
	defer cancel()
	for i := range 2 * maxFree {
		held, err := l.Lock(ctx, i%3)
		if err != nil {
			t.Fatalf("key %d: %v", i%3, err)
		}
		held.Unlock()
	}
	if n := l.Len(); n != 0 {
		t.Fatalf("%d entries left", n)
	}
}
