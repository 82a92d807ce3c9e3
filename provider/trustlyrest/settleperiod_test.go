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

// Without a SettlePeriod the period is DefaultSettlePeriod, the README's 2 minutes: a
// payment Trustly does not know, last sent a minute ago, may still land and stays
// uncertain; one last sent three minutes ago never will, and Resolve says so.
func TestDefaultSettlePeriodIsTwoMinutes(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) { c.SettlePeriod = 0 })
	for _, c := range []struct {
		ago     time.Duration
		settled bool
	}{{time.Minute, false}, {3 * time.Minute, true}} {
		req := &provider.PaymentRequest{Amount: usd("10.00"), MerchantReference: "settle-default", IdempotencyKey: "k-settle-" + c.ago.String()}
		_, err := e.client.Resolve(context.Background(), provider.Attempt{Op: provider.OpPay, Key: req.IdempotencyKey,
			Reference: trustlyrest.PaymentReference(req.MerchantReference, req.IdempotencyKey), SentAt: time.Now().Add(-c.ago), Attempts: 1}, req)
		switch {
		case c.settled && !errors.Is(err, provider.ErrNotApplied):
			t.Errorf("Resolve of a payment last sent %v ago, unknown to Trustly = %v; want ErrNotApplied", c.ago, err)
		case !c.settled && (errors.Is(err, provider.ErrNotApplied) || provider.CodeOf(err) != provider.UnknownOutcome):
			t.Errorf("Resolve of a payment last sent %v ago, unknown to Trustly = %v; want UnknownOutcome", c.ago, err)
		}
	}
}
