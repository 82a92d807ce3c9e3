package conformance

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
)

// The scenarios here hold the promise that matters most to refund and payout workers: a
// call repeated with its idempotency key never moves money twice — after a lost answer, on
// a restarted process, on another instance sharing the journal, however much later.

// write is one money-moving call, made through the Gateway given.
type write struct {
	name string
	call func(ctx context.Context, gw *paybridge.Gateway) (id string, err error)
}

// writes returns the money-moving calls the provider supports, each with a fresh key and
// request (a paid payment to refund, a verified account to pay out to).
func (s *suite) writes(ctx context.Context, t T) []write {
	t.Helper()
	var ws []write
	pay := s.paymentRequest(t, "7.00")
	pay.IdempotencyKey = newRef("pay")
	ws = append(ws, write{"Pay", func(ctx context.Context, gw *paybridge.Gateway) (string, error) {
		p, err := gw.Pay(ctx, pay)
		if err != nil {
			return "", err
		}
		return p.ID, nil
	}})
	if s.caps.Supports(paybridge.OpRefund) && s.h.EndUser != nil {
		paid := s.paidPayment(ctx, t, "9.00")
		req := paybridge.RefundRequest{PaymentID: paid.ID, Amount: s.amount(t, "9.00"), IdempotencyKey: newRef("refund")}
		ws = append(ws, write{"Refund", func(ctx context.Context, gw *paybridge.Gateway) (string, error) {
			r, err := gw.Refund(ctx, req)
			if err != nil {
				return "", err
			}
			return r.ID, nil
		}})
	}
	if s.caps.Supports(paybridge.OpPayout) {
		account := s.verifiedAccount(ctx, t)
		ref := newRef("payout")
		req := paybridge.PayoutRequest{Amount: s.amount(t, "3.00"), AccountID: account, Payee: s.h.Payer,
			MerchantReference: ref, Description: "conformance payout", NotificationURL: s.notifyURL, IdempotencyKey: ref}
		ws = append(ws, write{"Payout", func(ctx context.Context, gw *paybridge.Gateway) (string, error) {
			p, err := gw.Payout(ctx, req)
			if err != nil {
				return "", err
			}
			return p.ID, nil
		}})
	}
	return ws
}

func (s *suite) requireLostAnswers(t T) {
	t.Helper()
	if s.h.LoseNextAnswers == nil || s.h.Movements == nil {
		t.Skip("the harness cannot make the provider lose an answer and count its movements (Harness.LoseNextAnswers, Harness.Movements)")
	}
}

// journalFor returns the journal several Gateways of a scenario share.
func (s *suite) journalFor(t T) journal.Journal {
	if s.h.NewJournal != nil {
		return s.h.NewJournal(t)
	}
	return journal.NewMemory()
}

// gatewayOn returns a new Gateway on journal j, as a restarted process or another instance
// would make it. It makes one attempt per call, so that what a repeat does is the
// journal's and the adapter's doing, not the retry policy's.
func (s *suite) gatewayOn(ctx context.Context, t T, j journal.Journal) *paybridge.Gateway {
	t.Helper()
	opts := append(append([]paybridge.Option(nil), s.opts...), paybridge.WithJournal(j), paybridge.WithRetry(paybridge.NoRetry))
	return s.h.NewGateway(ctx, t, opts...)
}

// lostThenRepeated makes w with its answer lost on a first Gateway, then repeats it on a
// second Gateway made on journal j (a restarted process, or another instance), twice. The
// provider must have applied the write exactly once; each repeat returns it or
// ErrUnknownOutcome, and never applies it again.
func (s *suite) lostThenRepeated(ctx context.Context, t T, w write, j journal.Journal, between func()) {
	t.Helper()
	first := s.gatewayOn(ctx, t, j)
	before := s.h.Movements()
	s.h.LoseNextAnswers(1)
	firstID, err := w.call(ctx, first)
	s.h.LoseNextAnswers(0)
	s.noteErr(err)
	ids := map[string]bool{}
	most := int64(1)
	switch {
	case err == nil:
		// The call sent nothing whose answer could be lost (Trustly REST's Pay only
		// signs the data its hosted page is opened with): the repeats must return it.
		ids[firstID] = true
		most = s.h.Movements() - before
	case !errors.Is(err, paybridge.ErrUnknownOutcome):
		t.Fatalf("%s whose answer was lost: %v; want ErrUnknownOutcome", w.name, err)
	}
	_ = first.Close()
	if between != nil {
		between()
	}
	second := s.gatewayOn(ctx, t, j)
	defer second.Close()
	for i := range 2 {
		id, err := w.call(ctx, second)
		s.noteErr(err)
		switch {
		case err == nil:
			ids[id] = true
		case errors.Is(err, paybridge.ErrUnknownOutcome):
		default:
			t.Fatalf("%s repeated with its key (repeat %d): %v; want the first call's result or ErrUnknownOutcome", w.name, i+1, err)
		}
	}
	if n := s.h.Movements() - before; n != most {
		t.Fatalf("%s: the provider applied %d writes for one idempotency key; want %d", w.name, n, most)
	}
	if len(ids) > 1 {
		t.Fatalf("%s: repeats with one key returned different objects %v", w.name, ids)
	}
}

func restartResolves(ctx context.Context, t T, s *suite) {
	s.requireLostAnswers(t)
	for _, w := range s.writes(ctx, t) {
		s.lostThenRepeated(ctx, t, w, s.journalFor(t), nil)
	}
}

func uncertainNeverExpires(ctx context.Context, t T, s *suite) {
	s.requireLostAnswers(t)
	for _, w := range s.writes(ctx, t) {
		clock := &testClock{now: time.Now()}
		j := journal.NewMemory(journal.WithClock(clock.Now), journal.WithRetention(time.Hour))
		s.lostThenRepeated(ctx, t, w, j, func() { clock.Add(400 * 24 * time.Hour) })
	}
}

func twoInstancesOneMovement(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpPay)
	if s.h.Movements == nil {
		t.Skip("the harness cannot count the provider's movements (Harness.Movements)")
	}
	for _, w := range s.writes(ctx, t) {
		j := s.journalFor(t)
		a, b := s.gatewayOn(ctx, t, j), s.gatewayOn(ctx, t, j)
		before := s.h.Movements()
		var wg sync.WaitGroup
		var mu sync.Mutex
		ids := map[string]bool{}
		var errs []error
		for _, gw := range []*paybridge.Gateway{a, b} {
			wg.Go(func() {
				id, err := w.call(ctx, gw)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				ids[id] = true
			})
		}
		wg.Wait()
		_ = a.Close()
		_ = b.Close()
		for _, err := range errs {
			s.noteErr(err)
			t.Fatalf("%s on two instances at once: %v", w.name, err)
		}
		if len(ids) != 1 {
			t.Fatalf("%s on two instances at once returned %d different objects; want one", w.name, len(ids))
		}
		if n := s.h.Movements() - before; n != 1 {
			t.Fatalf("%s on two instances at once: the provider moved money %d times; want once", w.name, n)
		}
	}
}

// testClock is a clock the scenario moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
