package trustlyrest_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// A look-up proves an attempt absent only when Trustly answered it after the settle period
// had passed: one that Trustly answered before, whose answer arrived after, is too early,
// and the call stays uncertain.
func TestResolveTrustsOnlyALookUpMadeAfterTheSettlePeriod(t *testing.T) {
	for settle := 50 * time.Millisecond; ; settle *= 2 {
		hold := &holdAnswers{}
		e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) {
			c.SettlePeriod = settle
			next := http.DefaultTransport
			if c.HTTPClient != nil && c.HTTPClient.Transport != nil {
				next = c.HTTPClient.Transport
			}
			hold.next = next
			c.HTTPClient = &http.Client{Transport: hold}
		})
		sentAt := time.Now()
		hold.until = sentAt.Add(settle)
		req := &provider.PaymentRequest{Amount: usd("10.00"), MerchantReference: "settle-early", IdempotencyKey: "k-settle-early"}
		_, err := e.client.Resolve(context.Background(), provider.Attempt{Op: provider.OpPay, Key: req.IdempotencyKey,
			Reference: trustlyrest.PaymentReference(req.MerchantReference, req.IdempotencyKey), SentAt: sentAt, Attempts: 1}, req)
		if !hold.early() {
			continue // the machine stalled past the period before Trustly answered: try a longer one
		}
		if errors.Is(err, provider.ErrNotApplied) || provider.CodeOf(err) != provider.UnknownOutcome {
			t.Fatalf("Resolve after a look-up answered within the settle period = %v; want UnknownOutcome", err)
		}
		return
	}
}

// holdAnswers passes requests on, and holds each answer until the time until; it records
// whether the first answer came from the server before that time.
type holdAnswers struct {
	next   http.RoundTripper
	until  time.Time
	mu     sync.Mutex
	first  bool // an answer arrived
	before bool // the first answer arrived before until
}

func (h *holdAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.next.RoundTrip(r)
	h.mu.Lock()
	if !h.first {
		h.first, h.before = true, time.Now().Before(h.until)
	}
	h.mu.Unlock()
	for time.Now().Before(h.until) {
		time.Sleep(time.Until(h.until))
	}
	return resp, err
}

func (h *holdAnswers) early() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.before
}
