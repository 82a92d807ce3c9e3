package simkit

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Deliverer sends a simulator's notifications: it runs delivery goroutines, posts bodies,
// and repeats attempts with doubling back-off until one is acknowledged, the attempts run
// out, or Close stops everything. It is safe for concurrent use.
type Deliverer struct {
	client   *http.Client
	first    time.Duration
	max      time.Duration
	attempts int

	mu     sync.Mutex // orders Go against Close
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewDeliverer returns a Deliverer that posts with client, waits first before the second
// attempt, doubles the wait up to max, and makes at most attempts attempts. first, max and
// attempts must be positive; client must not be nil.
func NewDeliverer(client *http.Client, first, max time.Duration, attempts int) *Deliverer {
	d := &Deliverer{client: client, first: first, max: max, attempts: attempts}
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
// body could not be read or is longer than limit bytes.
func (d *Deliverer) Post(url string, header http.Header, body []byte, limit int64) (int, []byte) {
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
