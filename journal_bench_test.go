package paybridge_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

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
// row through a provider that answers after 50 ms, with the PostgreSQL journal and with the
// in-memory one, alternating in the same run. Its sub-benchmarks differ in when the callers
// start:
//
//   - steady: spread evenly over one provider delay, so that Pays start and finish at a
//     steady rate, as with callers that arrive independently. The target is set on this one.
//   - burst: all at once. Since every Pay then takes the same time, the callers stay in
//     step, and the journal's statements arrive 64 at a time.
//
// Each caller times its own four Pays. x-memory-rate is the callers' mean time with the
// in-memory journal divided by their mean time with the PostgreSQL one (the PostgreSQL
// throughput as a share of the in-memory throughput); journal-trips is the PostgreSQL
// journal's round trips per Pay; acquire-wait-ms is the mean time a journal statement waited
// for a pooled connection, and empty-acquires the share of statements that found none idle.
// The pool has Open's default size.
func BenchmarkJournalThroughput(b *testing.B) {
	url := os.Getenv(pgtest.EnvURL)
	if url == "" {
		b.Skipf("%s is not set: no PostgreSQL server (source .ci/postgres.sh)", pgtest.EnvURL)
	}
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = pgjournal.DefaultMaxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	b.Run("steady", func(b *testing.B) { journalThroughput(b, pool, url, true) })
	b.Run("burst", func(b *testing.B) { journalThroughput(b, pool, url, false) })
}

// journalThroughput runs one BenchmarkJournalThroughput, on a table of its own.
func journalThroughput(b *testing.B, pool *pgxpool.Pool, url string, spread bool) {
	ctx := context.Background()
	pg, err := pgjournal.New(pool, pgjournal.WithTable(pgtest.FreshTable(b, url, "bench")))
	if err != nil {
		b.Fatal(err)
	}
	if err := pg.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	const (
		callers, each = 64, 4
		delay         = 50 * time.Millisecond
	)
	// Every payment gets its own provider id, as a provider's would: the journal holds
	// provider ids unique, and one id answered twice makes every outcome but the first fail
	// to record.
	slow := func(r *provider.PaymentRequest) (*provider.Payment, error) {
		time.Sleep(delay)
		p, err := okPayment(r)
		if err != nil {
			return nil, err
		}
		p.ID = "pay-" + r.IdempotencyKey
		return p, nil
	}
	// batch has the callers make their Pays and returns the sum of their times.
	batch := func(j journal.Journal, round int) time.Duration {
		f, _ := newFake(slow)
		gw := paybridge.New(f, paybridge.WithJournal(j))
		var wg sync.WaitGroup
		var total atomic.Int64
		for i := range callers {
			wg.Go(func() {
				if spread {
					time.Sleep(time.Duration(i) * delay / callers)
				}
				start := time.Now()
				for k := range each {
					if _, err := gw.Pay(ctx, keyed(fmt.Sprintf("r%d-%d-%d", round, i, k))); err != nil {
						b.Error(err)
					}
				}
				total.Add(int64(time.Since(start)))
			})
		}
		wg.Wait()
		return time.Duration(total.Load())
	}
	// A round before timing starts: the pool connects (password authentication) and its
	// connections prepare the statements on this table.
	batch(pg, 0)
	counted, mem := &counting{Journal: pg}, &counting{}
	before := pool.Stat()
	var memTime, pgTime time.Duration
	round := 0
	for b.Loop() {
		round++
		mem.Journal = journal.NewMemory()
		memTime += batch(mem, round)
		pgTime += batch(counted, round)
	}
	after := pool.Stat()
	if n, m := counted.failed.Load(), mem.failed.Load(); n != 0 || m != 0 {
		b.Fatalf("%d outcomes failed to record in the PostgreSQL journal and %d in the in-memory one: "+
			"the run timed failures, not Pays", n, m)
	}
	b.ReportMetric(float64(memTime)/float64(pgTime), "x-memory-rate")
	b.ReportMetric(float64(counted.calls.Load())/float64(round*callers*each), "journal-trips")
	if acquires := after.AcquireCount() - before.AcquireCount(); acquires > 0 {
		wait := after.AcquireDuration() - before.AcquireDuration()
		b.ReportMetric(float64(wait)/float64(time.Millisecond)/float64(acquires), "acquire-wait-ms")
		b.ReportMetric(float64(after.EmptyAcquireCount()-before.EmptyAcquireCount())/float64(acquires), "empty-acquires")
	}
}
