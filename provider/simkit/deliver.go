package simkit

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Deliverer sends a simulator's notifications: it runs delivery goroutines, posts bodies,
// and repeats attempts with doubling back-off until one is acknowledged, the attempts run
// out, or Close stops everything. With SetRandom it also drops, duplicates, reorders and
// delays attempts. It is safe for concurrent use.
type Deliverer struct {
	client   *http.Client
	first    time.Duration
	max      time.Duration
	attempts int

	mu     sync.Mutex // orders Go against Close
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	fmu    sync.Mutex // guards the random delivery faults below
	rnd    *rand.Rand // nil: no random faults
	rates  DeliveryRates
	counts DeliveryCounts
	// sent is closed, and replaced, each time an attempt has gone out, waking the
	// attempts held back for reordering.
	sent chan struct{}
}

// NewDeliverer returns a Deliverer that posts with client, waits first before the second
// attempt, doubles the wait up to max, and makes at most attempts attempts. first, max and
// attempts must be positive; client must not be nil.
func NewDeliverer(client *http.Client, first, max time.Duration, attempts int) *Deliverer {
	d := &Deliverer{client: client, first: first, max: max, attempts: attempts, sent: make(chan struct{})}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d
}

// Context returns the context that Close cancels.
func (d *Deliverer) Context() context.Context { return d.ctx }

// Go runs fn in a goroutine that Close waits for. It reports false, and does not run fn,
// once Close has been called.
func (d *Deliverer) Go(fn func()) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx.Err() != nil {
		return false
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		fn()
	}()
	return true
}

// Close cancels the deliveries in progress and the waits between attempts, and waits for
// every goroutine started with Go to end.
func (d *Deliverer) Close() {
	d.mu.Lock()
	d.cancel()
	d.mu.Unlock()
	d.wg.Wait()
}

// Retry calls attempt with 1, 2, ... until it reports done, waiting between calls (the
// first wait, then doubling up to the maximum). It reports true when the attempts ran
// out, and false when attempt reported done or Close stopped the wait.
func (d *Deliverer) Retry(attempt func(n int) (done bool)) (exhausted bool) {
	wait := d.first
	for n := 1; n <= d.attempts; n++ {
		if attempt(n) {
			return false
		}
		t := time.NewTimer(wait)
		select {
		case <-d.ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		wait = min(2*wait, d.max)
	}
	return true
}

// Post posts body to url with header, under the context Close cancels. It returns the
// answer's HTTP status (0 when no answer arrived) and its body, or a nil body when the
// body could not be read or is longer than limit bytes. Under random faults the attempt
// may be dropped (status 0), sent twice, held back or delayed first.
func (d *Deliverer) Post(url string, header http.Header, body []byte, limit int64) (int, []byte) {
	a, wait := d.decide()
	switch a {
	case actDelay:
		if Sleep(d.ctx, wait) != nil {
			return 0, nil
		}
	case actReorder:
		d.holdBack(wait)
	}
	defer d.announce()
	switch a {
	case actDropRequest:
		return 0, nil
	case actDropReply:
		_, _ = d.post(url, header, body, limit)
		return 0, nil
	case actDuplicate:
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = d.post(url, header, body, limit)
		}()
		status, reply := d.post(url, header, body, limit)
		<-done
		return status, reply
	}
	return d.post(url, header, body, limit)
}

func (d *Deliverer) post(url string, header http.Header, body []byte, limit int64) (int, []byte) {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil
	}
	if header != nil {
		req.Header = header.Clone()
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil || int64(len(b)) > limit {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, b
}

// Acknowledged reports whether status is a 2xx status.
func Acknowledged(status int) bool { return status >= 200 && status <= 299 }

// deliveryAct is what the random faults do to one delivery attempt.
type deliveryAct int

const (
	actSend deliveryAct = iota
	actDropRequest
	actDropReply
	actDuplicate
	actReorder
	actDelay
)

// DefaultMaxDelay bounds delivery delays and reorder holds when DeliveryRates.MaxDelay
// is 0.
const DefaultMaxDelay = 50 * time.Millisecond

// SetRandom turns on random delivery faults: from now on every attempt draws one fault
// with the given rates from a generator seeded with seed. Rates that are all zero turn
// them off. The counts start again from zero.
func (d *Deliverer) SetRandom(seed int64, r DeliveryRates) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.MaxDelay == 0 {
		r.MaxDelay = DefaultMaxDelay
	}
	d.fmu.Lock()
	defer d.fmu.Unlock()
	d.rates, d.counts, d.rnd = r, DeliveryCounts{}, nil
	if r.Total() > 0 {
		d.rnd = newRand(seed, notificationStream)
	}
	return nil
}

// Counts returns the delivery faults decided since SetRandom.
func (d *Deliverer) Counts() DeliveryCounts {
	d.fmu.Lock()
	defer d.fmu.Unlock()
	return d.counts
}

// decide draws the fault of one attempt, and the hold it needs.
func (d *Deliverer) decide() (deliveryAct, time.Duration) {
	d.fmu.Lock()
	defer d.fmu.Unlock()
	if d.rnd == nil {
		return actSend, 0
	}
	d.counts.Attempts++
	u := d.rnd.Float64()
	r := d.rates
	switch {
	case u < r.Drop:
		d.counts.Drop++
		if d.rnd.IntN(2) == 0 {
			return actDropRequest, 0
		}
		return actDropReply, 0
	case u < r.Drop+r.Duplicate:
		d.counts.Duplicate++
		return actDuplicate, 0
	case u < r.Drop+r.Duplicate+r.Reorder:
		d.counts.Reorder++
		return actReorder, r.MaxDelay
	case u < r.Drop+r.Duplicate+r.Reorder+r.Delay:
		d.counts.Delay++
		return actDelay, time.Duration(d.rnd.Int64N(int64(r.MaxDelay) + 1))
	}
	return actSend, 0
}

// Overtake reports, at the reorder rate, whether a notification waiting to be delivered
// lets the next notification of the same object go first. Simulators that deliver an
// object's notifications one after the other ask it before each attempt; it is false
// when random faults are off.
func (d *Deliverer) Overtake() bool {
	d.fmu.Lock()
	defer d.fmu.Unlock()
	if d.rnd == nil || d.rates.Reorder == 0 {
		return false
	}
	if d.rnd.Float64() < d.rates.Reorder {
		d.counts.Overtaken++
		return true
	}
	return false
}

// announce wakes the attempts held back until another one has gone out.
func (d *Deliverer) announce() {
	d.fmu.Lock()
	defer d.fmu.Unlock()
	close(d.sent)
	d.sent = make(chan struct{})
}

// holdBack waits until another attempt has gone out, at most max, or until Close.
func (d *Deliverer) holdBack(max time.Duration) {
	d.fmu.Lock()
	ch := d.sent
	d.fmu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-d.ctx.Done():
	}
}
