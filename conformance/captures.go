package conformance

import (
	"context"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
)

// authorizedPayment pays value with manual capture, has the end user approve, and waits
// until the payment is authorized.
func (s *suite) authorizedPayment(ctx context.Context, t T, value string) *paybridge.Payment {
	t.Helper()
	s.requireEndUser(t)
	req := s.paymentRequest(t, value)
	req.Capture = paybridge.CaptureManual
	p, err := s.gw.Pay(ctx, req)
	must(t, s, "Pay with manual capture", err)
	if p.Status != paybridge.PaymentRequiresAction || p.RedirectURL == "" {
		t.Fatalf("new payment has status %q and RedirectURL %q, want %q and a page", p.Status, p.RedirectURL, paybridge.PaymentRequiresAction)
	}
	must(t, s, "EndUser.Approve", s.h.EndUser.Approve(ctx, p.RedirectURL))
	if s.caps.Supports(paybridge.OpGetPayment) {
		var last *paybridge.Payment
		err := s.poll(ctx, func() (bool, error) {
			got, err := s.gw.GetPayment(ctx, p.ID)
			if err != nil {
				return false, err
			}
			last = got
			return got.Status != paybridge.PaymentRequiresAction && got.Status != paybridge.PaymentPending, nil
		})
		must(t, s, "waiting for the authorization", err)
		if last.Status != paybridge.PaymentAuthorized {
			t.Fatalf("approved payment with manual capture is %q, want %q: no money may be taken before Capture", last.Status, paybridge.PaymentAuthorized)
		}
		if last.Captured.IsValid() && !last.Captured.IsZero() {
			t.Fatalf("authorized payment reports %v captured before any Capture", last.Captured)
		}
		return last
	}
	s.requireNotifications(t)
	_, err = s.waitEvent(ctx, func(e notify.Event) bool { return e.PaymentID == p.ID && e.Kind == notify.PaymentAuthorized })
	must(t, s, "waiting for payment.authorized", err)
	return p
}

// capture captures value of payment id and checks the answer.
func (s *suite) capture(ctx context.Context, t T, paymentID, value, key string) *paybridge.Capture {
	t.Helper()
	c, err := s.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: paymentID, Amount: s.amount(t, value), IdempotencyKey: key})
	must(t, s, "Capture "+value, err)
	if c.ID == "" || c.PaymentID != paymentID {
		t.Fatalf("Capture returned id %q for payment %q, want a capture of %q", c.ID, c.PaymentID, paymentID)
	}
	if !c.Amount.Equal(s.amount(t, value)) {
		t.Fatalf("Capture reported %v, asked for %s", c.Amount, value)
	}
	if c.Status == paybridge.CaptureFailed || c.Status == paybridge.CaptureCanceled {
		t.Fatalf("capture ended %q", c.Status)
	}
	return c
}

// checkCaptured checks what GetPayment reports captured, where the provider reports it.
func (s *suite) checkCaptured(ctx context.Context, t T, paymentID, value string) *paybridge.Payment {
	t.Helper()
	if !s.caps.Supports(paybridge.OpGetPayment) {
		return nil
	}
	p, err := s.gw.GetPayment(ctx, paymentID)
	must(t, s, "GetPayment after Capture", err)
	if p.Captured.IsValid() && !p.Captured.Equal(s.amount(t, value)) {
		t.Fatalf("GetPayment reports %v captured, want %s", p.Captured, value)
	}
	return p
}

func captureFull(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCapture)
	p := s.authorizedPayment(ctx, t, "9.50")
	c := s.capture(ctx, t, p.ID, "9.50", "")
	if st := s.finalPayment(ctx, t, p.ID); st != paybridge.PaymentSucceeded {
		t.Fatalf("payment captured in full ended %q, want succeeded", st)
	}
	s.checkCaptured(ctx, t, p.ID, "9.50")
	if s.caps.Supports(paybridge.OpGetCapture) {
		got, err := s.gw.GetCapture(ctx, c.ID)
		must(t, s, "GetCapture", err)
		if got.ID != c.ID || got.PaymentID != p.ID || !got.Amount.Equal(c.Amount) {
			t.Fatalf("GetCapture = %+v, want capture %s of %v on payment %s", got, c.ID, c.Amount, p.ID)
		}
	}
	if s.srv != nil {
		e, err := s.waitEvent(ctx, func(e notify.Event) bool { return e.Kind == notify.CaptureSucceeded && e.CaptureID == c.ID })
		must(t, s, "waiting for capture.succeeded", err)
		if e.Amount.IsValid() && !e.Amount.Equal(c.Amount) {
			t.Errorf("capture.succeeded amount %v, want %v", e.Amount, c.Amount)
		}
	}
}

func capturePartial(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCapture, paybridge.OpPartialCapture)
	p := s.authorizedPayment(ctx, t, "10.00")
	first := s.capture(ctx, t, p.ID, "4.00", "")
	if got := s.checkCaptured(ctx, t, p.ID, "4.00"); got != nil && got.Status.Final() && got.Status != paybridge.PaymentSucceeded {
		t.Fatalf("a partly captured payment is %q", got.Status)
	}
	if !s.caps.Supports(paybridge.OpMultipleCaptures) {
		return
	}
	second := s.capture(ctx, t, p.ID, "6.00", "")
	if second.ID == first.ID {
		t.Fatal("two captures share one id")
	}
	if st := s.finalPayment(ctx, t, p.ID); st != paybridge.PaymentSucceeded {
		t.Fatalf("payment captured in full in two parts ended %q, want succeeded", st)
	}
	s.checkCaptured(ctx, t, p.ID, "10.00")
}

func captureOverAuthorized(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCapture)
	p := s.authorizedPayment(ctx, t, "5.00")
	_, err := s.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: s.amount(t, "5.01")})
	expectCode(t, s, err, paybridge.ErrInvalidRequest)
	if s.caps.Supports(paybridge.OpPartialCapture) && s.caps.Supports(paybridge.OpMultipleCaptures) {
		s.capture(ctx, t, p.ID, "3.00", "")
		_, err = s.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: s.amount(t, "2.01")})
		expectCode(t, s, err, paybridge.ErrInvalidRequest)
		s.capture(ctx, t, p.ID, "2.00", "")
		s.checkCaptured(ctx, t, p.ID, "5.00")
	} else {
		s.capture(ctx, t, p.ID, "5.00", "")
	}
	// Nothing is left to capture.
	_, err = s.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: s.amount(t, "5.00")})
	expectCode(t, s, err, paybridge.ErrInvalidRequest)
}

func voidThenCapture(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCapture, paybridge.OpVoid)
	p := s.authorizedPayment(ctx, t, "6.00")
	v, err := s.gw.Void(ctx, paybridge.VoidRequest{PaymentID: p.ID, Reason: s.carried("VoidRequest.Reason", "conformance")})
	must(t, s, "Void", err)
	if v.ID != p.ID || v.Status != paybridge.PaymentCanceled {
		t.Fatalf("Void returned payment %q with status %q, want %q canceled", v.ID, v.Status, p.ID)
	}
	if st := s.finalPayment(ctx, t, p.ID); st != paybridge.PaymentCanceled {
		t.Fatalf("voided payment ended %q, want canceled", st)
	}
	_, err = s.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: s.amount(t, "6.00")})
	expectCode(t, s, err, paybridge.ErrInvalidRequest)

	// A payment captured in full has nothing left to release.
	q := s.authorizedPayment(ctx, t, "3.00")
	s.capture(ctx, t, q.ID, "3.00", "")
	_, err = s.gw.Void(ctx, paybridge.VoidRequest{PaymentID: q.ID})
	expectCode(t, s, err, paybridge.ErrInvalidRequest)
}

func captureIdempotent(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCapture)
	p := s.authorizedPayment(ctx, t, "8.00")
	key := newRef("capture")
	value := "8.00"
	partial := s.caps.Supports(paybridge.OpPartialCapture) && s.caps.Supports(paybridge.OpMultipleCaptures)
	if partial {
		value = "1.00"
	}
	a := s.capture(ctx, t, p.ID, value, key)
	before := s.movements()
	b := s.capture(ctx, t, p.ID, value, key)
	if a.ID != b.ID {
		t.Fatalf("repeating Capture with one key made captures %s and %s", a.ID, b.ID)
	}
	if moved := s.movements() - before; moved != 0 {
		t.Fatalf("repeating Capture with one key moved money %d more times", moved)
	}
	if partial {
		// Had the repeat captured again, only 6.00 would remain and this would be refused.
		s.capture(ctx, t, p.ID, "7.00", "")
	}
	s.checkCaptured(ctx, t, p.ID, "8.00")
}

// movements returns the provider's movement count, or 0 without Harness.Movements.
func (s *suite) movements() int64 {
	if s.h.Movements == nil {
		return 0
	}
	return s.h.Movements()
}
