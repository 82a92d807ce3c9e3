package paybridge_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/pgkit/pgtest"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/provider"
)

// counting counts the calls a Gateway makes to its journal, and the Records that failed.
type counting struct {
	journal.Journal
	calls, failed atomic.Int64
}

func (c *counting) Claim(ctx context.Context, e journal.Entry, lease time.Duration) (journal.Claim, error) {
	c.calls.Add(1)
	return c.Journal.Claim(ctx, e, lease)
}

func (c *counting) Record(ctx context.Context, id journal.ID, token string, o journal.Outcome) error {
	c.calls.Add(1)
	err := c.Journal.Record(ctx, id, token, o)
	if err != nil {
		c.failed.Add(1)
	}
	return err
}

func (c *counting) Release(ctx context.Context, id journal.ID, token string) error {
	c.calls.Add(1)
	return c.Journal.Release(ctx, id, token)
}

func (c *counting) Sent(ctx context.Context, id journal.ID, token string, lease time.Duration) error {
	c.calls.Add(1)
	return c.Journal.Sent(ctx, id, token, lease)
}

// A money move that succeeds the first time costs two journal round trips: the claim and
// the outcome; a repeat of it, one.
func TestJournalRoundTripsPerMove(t *testing.T) {
	j := &counting{Journal: journal.NewMemory()}
	f, _ := newFake(okPayment)
	gw := paybridge.New(f, paybridge.WithJournal(j))
	if _, err := gw.Pay(context.Background(), keyed("k1")); err != nil {
		t.Fatal(err)
	}
	if n := j.calls.Load(); n != 2 {
		t.Fatalf("a Pay that succeeded first time made %d journal calls; want 2", n)
	}
	if _, err := gw.Pay(context.Background(), keyed("k1")); err != nil {
		t.Fatal(err)
	}
	if n := j.calls.Load(); n != 3 {
		t.Fatalf("its repeat made %d journal calls; want 1", n-2)
	}
}

// BenchmarkJournalThroughput compares 64 concurrent callers, each paying four times in a
// row, through a provider that answers after 50 ms, with the PostgreSQL journal and with the in-memory one, in the same
// run. x-memory-rate is the PostgreSQL throughput divided by the in-memory throughput;
// journal-trips is the PostgreSQL journal's round trips per Pay.
func BenchmarkJournalThroughput(b *testing.B) {
	url := os.Getenv(pgtest.EnvURL)
	if url == "" {
		b.Skipf("%s is not set: no PostgreSQL server (source .ci/postgres.sh)", pgtest.EnvURL)
	}
	ctx := context.Background()
	pg, err := pgjournal.Open(ctx, url, pgjournal.WithTable(pgtest.FreshTable(b, url, "bench")), pgjournal.WithMaxConns(32))
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	if err := pg.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	// Every payment gets its own provider id, as a provider's would: the journal holds
	// provider ids unique, and one id answered twice makes every outcome but the first fail
	// to record.
	slow := func(r *provider.PaymentRequest) (*provider.Payment, error) {
		time.Sleep(50 * time.Millisecond)
		p, err := okPayment(r)
		if err != nil {
			return nil, err
		}
		p.ID = "pay-" + r.IdempotencyKey
		return p, nil
	}
	const callers, each = 64, 4
	// batch has 64 callers make 4 Pays each, one after another, and returns how long
	// they took: a steady load rather than 64 calls that all start at once.
	batch := func(j journal.Journal, round int) time.Duration {
		f, _ := newFake(slow)
		gw := paybridge.New(f, paybridge.WithJournal(j))
		start := time.Now()
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				for k := range each {
					if _, err := gw.Pay(ctx, keyed(fmt.Sprintf("r%d-%d-%d", round, i, k))); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	batch(pg, 0) // the pool connects (password authentication) before timing starts
	counted, mem := &counting{Journal: pg}, &counting{}
	var memTime, pgTime time.Duration
	round := 0
	for b.Loop() {
		round++
		mem.Journal = journal.NewMemory()
		memTime += batch(mem, round)
		pgTime += batch(counted, round)
	}
	if n, m := counted.failed.Load(), mem.failed.Load(); n != 0 || m != 0 {
		b.Fatalf("%d outcomes failed to record in the PostgreSQL journal and %d in the in-memory one: "+
			"the run timed failures, not Pays", n, m)
	}
	b.ReportMetric(float64(memTime)/float64(pgTime), "x-memory-rate")
	b.ReportMetric(float64(counted.calls.Load())/float64(round*callers*each), "journal-trips")
}
