// Package benchkit measures notification handling under concurrent load beside a floor
// measured in the same run, for the adapters' benchmarks.
package benchkit

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Message is one notification as the provider would POST it.
type Message struct {
	Body   []byte
	Header http.Header
}

// Workers is the number of concurrent senders: enough to keep two cores busy while
// requests wait on the network.
const Workers = 16

// NotificationRate serves handler and floor on loopback and, in every benchmark
// iteration, POSTs the messages of one round to each of them from Workers concurrent
// senders, alternately (see Paired), so that both see the same machine. newHandler is
// called once per round, so that each round starts with an empty dedupe store and every
// message is processed in full. It reports the rates in notifications per second and
// "x-floor-rate", the handler's rate as a fraction of the floor's (1 would mean the
// handling costs nothing beyond the floor).
//
// The floor is a handler that does only the cryptography a notification needs (for
// example one RSA verify and one RSA sign), behind the same net/http server.
func NotificationRate(b *testing.B, round []Message, newHandler func() http.Handler, floor http.Handler, check func(status int, body []byte) error) {
	b.Helper()
	var current atomic.Pointer[http.Handler]
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*current.Load()).ServeHTTP(w, r) }))
	defer hs.Close()
	fs := httptest.NewServer(floor)
	defer fs.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: Workers, MaxConnsPerHost: Workers}}
	defer client.CloseIdleConnections()

	send := func(url string) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range Workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(round) {
						return
					}
					req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(round[i].Body))
					for k, v := range round[i].Header {
						req.Header[k] = v
					}
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err := check(resp.StatusCode, body); err != nil {
						b.Errorf("notification %d: %v", i, err)
						return
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}

	// One untimed round each warms the connections and caches.
	h := newHandler()
	current.Store(&h)
	send(hs.URL)
	send(fs.URL)
	b.ResetTimer()
	// Making the round's handler is timed with the round: a few microseconds beside the
	// round's milliseconds.
	handled, floored := Paired(b, func() {
		h := newHandler()
		current.Store(&h)
		send(hs.URL)
	}, func() { send(fs.URL) })
	if b.Failed() {
		return
	}
	n := float64(b.N * len(round))
	b.ReportMetric(n/handled.Seconds(), "notifications/s")
	b.ReportMetric(n/floored.Seconds(), "floor-notifications/s")
	b.ReportMetric(floored.Seconds()/handled.Seconds(), "x-floor-rate")
}

// CheckAllocs fails t when f allocates more than budget objects per run on average,
// measured with testing.AllocsPerRun over runs runs (the whole process's allocations, so
// a loopback server's count too). Under the race detector it skips, saying so: CI checks
// budgets in a separate run without it.
func CheckAllocs(t *testing.T, budget float64, runs int, f func()) {
	t.Helper()
	if RaceEnabled {
		t.Skip("allocation counts are not stable under the race detector; run without -race")
	}
	got := testing.AllocsPerRun(runs, f)
	t.Logf("%.0f allocations per run (budget %.0f)", got, budget)
	if got > budget {
		t.Fatalf("%.0f allocations per run, over the budget of %.0f: find the new allocation (go test -memprofile) or, if it is worth its cost, raise the budget", got, budget)
	}
}

// Canned is an http.RoundTripper that answers every request at once with status 200 and
// its bytes as a JSON body, after reading the request body: with it a benchmark measures
// the CPU a call spends outside the network.
type Canned []byte

// RoundTrip implements http.RoundTripper.
func (c Canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(c)), ContentLength: int64(len(c)), Request: r}, nil
}
