package conformance

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/provider"
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
		// Part of the payment where the provider refunds more than once: a repeat that
		// refunds again then moves money, rather than being refused for want of any left.
		amount := "9.00"
		if s.caps.Supports(paybridge.OpMultipleRefunds) {
			amount = "4.00"
		}
		req := paybridge.RefundRequest{PaymentID: paid.ID, Amount: s.amount(t, amount), IdempotencyKey: newRef("refund")}
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
		req := paybridge.PayoutRequest{Amount: s.amount(t, "3.00"), AccountID: account, Payee: s.person("PayoutRequest.Payee"),
			MerchantReference: ref, Description: s.carried("PayoutRequest.Description", "conformance payout"), NotificationURL: s.notifyURL, IdempotencyKey: ref}
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

// foreignNotificationRejected makes payments at the provider that this merchant's journal
// does not hold — through the adapter directly, as another system sharing the account, or
// another merchant posting its notifications here, would — and checks that their
// correctly signed notifications never reach the application: one for an order the
// journal does not know, and one whose reference matches a call of ours whose answer was
// lost but whose amount differs.
func foreignNotificationRejected(ctx context.Context, t T, s *suite) {
	s.requireNotifications(t)
	s.requireEndUser(t)
	var p provider.Provider
	if !s.gw.As(&p) {
		t.Fatal("Gateway.As(*provider.Provider) did not reach the adapter")
	}
	outside := s.paymentRequest(t, "4.00")
	outside.IdempotencyKey = newRef("outside")
	s.outsidePaid(ctx, t, p, &outside)

	if s.h.LoseNextAnswers == nil {
		return
	}
	ours := s.paymentRequest(t, "5.00")
	ours.IdempotencyKey = newRef("ours")
	s.h.LoseNextAnswers(1)
	_, err := s.gw.Pay(ctx, ours)
	s.h.LoseNextAnswers(0)
	if !errors.Is(err, paybridge.ErrUnknownOutcome) {
		return // the Pay sent nothing whose answer could be lost
	}
	other := ours
	other.Amount, other.IdempotencyKey = s.amount(t, "6.00"), newRef("other")
	s.outsidePaid(ctx, t, p, &other)
}

// outsidePaid pays req through the adapter p directly, has the end user approve it, waits
// until this merchant's handler has answered the payment's notifications, and fails if
// any reached the application.
func (s *suite) outsidePaid(ctx context.Context, t T, p provider.Provider, req *paybridge.PaymentRequest) {
	t.Helper()
	if req.CancelURL == "" {
		req.CancelURL = req.ReturnURL
	}
	pm, err := p.Pay(ctx, req)
	if err != nil {
		s.noteErr(err)
		if provider.CodeOf(err) == provider.Duplicate {
			return // the provider itself refuses the reused reference
		}
		t.Fatalf("Pay through the adapter: %v", err)
	}
	must(t, s, "EndUser.Approve", s.h.EndUser.Approve(ctx, pm.RedirectURL))
	err = s.poll(ctx, func() (bool, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, ex := range s.exchanges {
			if bytes.Contains(ex.body, []byte(pm.ID)) && ex.status < 300 && s.inflight == 0 {
				return true, nil
			}
		}
		return false, nil
	})
	must(t, s, "waiting for the payment's notification to be answered", err)
	if s.caps.Supports(paybridge.OpGetPayment) {
		must(t, s, "waiting for the payment to end", s.poll(ctx, func() (bool, error) {
			got, err := p.GetPayment(ctx, pm.ID)
			return err == nil && got.Status.Final(), err
		}))
	}
	s.quiet(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.events {
		if e.PaymentID == pm.ID || (e.MerchantReference == req.MerchantReference && e.Amount.Equal(req.Amount)) {
			t.Fatalf("a notification for payment %s, which this merchant's Gateway did not make (reference %s, %s), reached the application as %s",
				pm.ID, req.MerchantReference, req.Amount, e.Kind)
		}
	}
}

// quiet waits until the notification server has handled nothing for a moment.
func (s *suite) quiet(ctx context.Context) {
	for {
		s.mu.Lock()
		seen, busy := len(s.exchanges), s.inflight
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
		s.mu.Lock()
		still := busy == 0 && s.inflight == 0 && len(s.exchanges) == seen
		s.mu.Unlock()
		if still {
			return
		}
	}
}
