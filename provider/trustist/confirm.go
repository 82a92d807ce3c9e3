package trustist

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// ErrConfirmationLimit reports a notification that was not confirmed because the
// Client's bound on confirmation reads (Config.ConfirmationsPerSecond) was reached. It
// always comes wrapped with notify.ErrRetryLater: the notification is answered 503 and
// Trustist delivers it again later.
var ErrConfirmationLimit = errors.New("trustist: too many notifications to confirm with the API now")

// Sizes of the final-status cache (see confirmations). They bound memory, not
// correctness: an entry answers only notifications whose claim it confirms, and a miss
// costs one read.
const (
	// finalStatusTTL is how long a final status read for a notification answers later
	// notifications without a read. [I] Trustist's redeliveries of one webhook, and the
	// payment.completed following a payment.failed that the payer retried, arrive within
	// minutes; a claim the cached status does not confirm is read afresh anyway.
	finalStatusTTL = 10 * time.Minute
	// finalStatusEntries caps the cache; the least recently used entry goes first.
	finalStatusEntries = 4096
)

// confirmations bounds and coalesces the reads that confirm notifications, so that
// unsigned webhooks cannot spend the merchant's API quota at will:
//
//   - one read in flight per object: notifications about it that arrive meanwhile wait
//     for that read's answer;
//   - a read that finds a final status is remembered (finalCache), and answers later
//     notifications whose claim it confirms without a read;
//   - every other read takes a token from a bucket (Config.ConfirmationsPerSecond,
//     ConfirmationBurst); with none left the notification is ErrConfirmationLimit, to be
//     delivered again.
//
// It is only an optimisation of confirmation reads: no order or idempotency state.
type confirmations struct {
	limit *rate.Limiter // nil: no bound
	now   func() time.Time

	mu      sync.Mutex
	flights map[objectKey]*flight
	final   finalCache
}

// objectKind and objectKey name the object a notification is about.
type objectKind uint8

const (
	paymentObject objectKind = iota + 1
	standingOrderObject
	sessionObject
)

type objectKey struct {
	kind objectKind
	id   string
}

// flight is one confirmation read, made by the first notification that needed it, and
// awaited by the others.
type flight struct {
	done    chan struct{} // closed when val and err are set
	val     any
	err     error
	waiters int // callers that joined it (for tests)
}

// newConfirmations checks the bound cfg sets and returns the state that enforces it.
func newConfirmations(cfg *Config, now func() time.Time) (*confirmations, error) {
	perSecond, burst := cfg.ConfirmationsPerSecond, cfg.ConfirmationBurst
	switch {
	case math.IsNaN(perSecond):
		return nil, provider.FieldError("ConfirmationsPerSecond", "is not a number")
	case burst < 0:
		return nil, provider.FieldError("ConfirmationBurst", "must not be negative")
	}
	if perSecond == 0 {
		perSecond = DefaultConfirmationsPerSecond
	}
	if burst == 0 {
		burst = DefaultConfirmationBurst
	}
	c := &confirmations{now: now, flights: map[objectKey]*flight{},
		final: finalCache{max: finalStatusEntries, ttl: finalStatusTTL, byKey: map[objectKey]*list.Element{}}}
	if perSecond > 0 && !math.IsInf(perSecond, 1) {
		c.limit = rate.NewLimiter(rate.Limit(perSecond), burst)
	}
	return c, nil
}

// read returns the object key names. A remembered final answer is returned when confirms
// accepts it; otherwise the caller waits for the read in flight for key, or makes one
// if a token is left. fetch reads the object and reports whether its status is final.
// A caller whose context ends stops waiting; the read goes on for the others, unless it
// was this caller's own read.
func (c *confirmations) read(ctx context.Context, key objectKey, confirms func(any) bool,
	fetch func(context.Context) (any, bool, error)) (any, error) {
	c.mu.Lock()
	if v, ok := c.final.get(key, c.now()); ok && confirms(v) {
		c.mu.Unlock()
		return v, nil
	}
	if f := c.flights[key]; f != nil {
		f.waiters++
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.val, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if c.limit != nil && !c.limit.AllowN(c.now(), 1) {
		c.mu.Unlock()
		return nil, fmt.Errorf("%w (Config.ConfirmationsPerSecond): %w", ErrConfirmationLimit, notify.ErrRetryLater)
	}
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()

	v, final, err := fetch(ctx)
	c.mu.Lock()
	delete(c.flights, key)
	if err == nil && final {
		c.final.put(key, v, c.now())
	}
	f.val, f.err = v, err
	c.mu.Unlock()
	close(f.done)
	return v, err
}

// waiters returns how many callers joined the read in flight for key (for tests).
func (c *confirmations) waiters(key objectKey) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.flights[key]; f != nil {
		return f.waiters
	}
	return 0
}

// finalCache remembers objects read in a final status, for ttl, keeping at most max
// entries (least recently used first out). Not safe for concurrent use: confirmations
// holds its lock.
type finalCache struct {
	max   int
	ttl   time.Duration
	order list.List // of *finalEntry, most recently used first
	byKey map[objectKey]*list.Element
}

type finalEntry struct {
	key     objectKey
	val     any
	expires time.Time
}

// get returns the live entry for key.
func (fc *finalCache) get(key objectKey, now time.Time) (any, bool) {
	el := fc.byKey[key]
	if el == nil {
		return nil, false
	}
	e := el.Value.(*finalEntry)
	if !now.Before(e.expires) {
		fc.order.Remove(el)
		delete(fc.byKey, key)
		return nil, false
	}
	fc.order.MoveToFront(el)
	return e.val, true
}

// put remembers val under key until now+ttl, evicting the least recently used entry
// when full.
func (fc *finalCache) put(key objectKey, val any, now time.Time) {
	if el := fc.byKey[key]; el != nil {
		e := el.Value.(*finalEntry)
		e.val, e.expires = val, now.Add(fc.ttl)
		fc.order.MoveToFront(el)
		return
	}
	fc.byKey[key] = fc.order.PushFront(&finalEntry{key: key, val: val, expires: now.Add(fc.ttl)})
	for fc.order.Len() > fc.max {
		last := fc.order.Back()
		fc.order.Remove(last)
		delete(fc.byKey, last.Value.(*finalEntry).key)
	}
}

// len returns the number of entries, live or expired.
func (fc *finalCache) len() int { return fc.order.Len() }
