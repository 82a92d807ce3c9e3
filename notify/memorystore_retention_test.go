package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
)

// The README promises that the in-memory store remembers a processed notification for 7
// days, longer than notify.DefaultMaxAge, so that a redelivery or replay within that time
// gets the first answer; after it the key is forgotten (within the minute the store
// sweeps in) and the notification would be processed afresh.
func TestMemoryStoreRemembersSevenDays(t *testing.T) {
	s := notify.NewMemoryStore()
	start := time.Unix(1_700_000_000, 0)
	now := start
	notify.SetMemoryStoreClock(s, func() time.Time { return now })
	ctx := context.Background()

	c, err := s.Claim(ctx, "trustly/n1", time.Minute)
	if err != nil || c.State != notify.Claimed {
		t.Fatalf("first claim: %+v, %v", c, err)
	}
	if err := s.Complete(ctx, "trustly/n1", c.Token, notify.Processed); err != nil {
		t.Fatal(err)
	}

	for _, at := range []time.Duration{notify.DefaultMaxAge, 7*24*time.Hour - time.Second} {
		now = start.Add(at)
		if c, err := s.Claim(ctx, "trustly/n1", time.Minute); err != nil || c.State != notify.Done || c.Outcome != notify.Processed {
			t.Fatalf("%v after processing: %+v, %v; want the first answer remembered", at, c, err)
		}
	}

	now = start.Add(7*24*time.Hour + time.Minute)
	if c, err := s.Claim(ctx, "trustly/n1", time.Minute); err != nil || c.State != notify.Claimed {
		t.Fatalf("7 days and a minute after processing: %+v, %v; want the key forgotten", c, err)
	}
}
