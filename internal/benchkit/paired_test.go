package benchkit_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/benchkit"
)

// BenchmarkPairedSelf pairs a bare loopback POST with an identical one, the way the
// adapters' benchmarks pair a call with its floor, and reports "x-self", the first
// one's total time ÷ the second's: what the pairing itself makes of two equal costs.
// "fixed" runs them in the same order every iteration; "alternating" is Paired. A
// harness without bias reads 1.
func BenchmarkPairedSelf(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	body := bytes.Repeat([]byte("x"), 600)
	post := func(c *http.Client) func() {
		return func() {
			resp, err := c.Post(srv.URL, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}
	// Two clients, each with its own connection, as a call and its floor have.
	one := post(&http.Client{Transport: &http.Transport{}})
	two := post(&http.Client{Transport: &http.Transport{}})
	one()
	two()
	b.Run("fixed", func(b *testing.B) {
		var t1, t2 time.Duration
		for b.Loop() {
			t0 := time.Now()
			one()
			t1 += time.Since(t0)
			t0 = time.Now()
			two()
			t2 += time.Since(t0)
		}
		b.ReportMetric(float64(t1)/float64(t2), "x-self")
	})
	b.Run("alternating", func(b *testing.B) {
		t1, t2 := benchkit.Paired(b, one, two)
		b.ReportMetric(float64(t1)/float64(t2), "x-self")
	})
}
