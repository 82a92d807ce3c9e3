package trustlyrest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestKeyLocksSerialiseOneKey(t *testing.T) {
	var l keyLocks
	var mu sync.Mutex
	inside, most := 0, 0
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := l.lock(context.Background(), "k")
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
			unlock()
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Fatalf("%d holders of one key at once", most)
	}
	if n := l.size(); n != 0 {
		t.Fatalf("%d entries left after every holder unlocked", n)
	}
}

func TestKeyLocksOtherKeysDoNotWait(t *testing.T) {
	var l keyLocks
	unlock, err := l.lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	u2, err := l.lock(ctx, "b")
	if err != nil {
		t.Fatalf("another key waited for a held one: %v", err)
	}
	u2()
}

func TestKeyLocksWaitHonoursContext(t *testing.T) {
	var l keyLocks
	unlock, err := l.lock(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.lock(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting on a held key with an ending context = %v, want DeadlineExceeded", err)
	}
	unlock()
	if n := l.size(); n != 0 {
		t.Fatalf("%d entries left after the waiter gave up and the holder unlocked", n)
	}
}
