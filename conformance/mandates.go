package conformance

import (
	"context"
	"net/url"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
)

// activeMandate creates a mandate, has the end user approve it, and waits until it can be
// charged: by GetMandate where the provider offers it, otherwise by notification.
func (s *suite) activeMandate(ctx context.Context, t T) *paybridge.Mandate {
	t.Helper()
	s.requireEndUser(t)
	payer := s.person("MandateRequest.Payer")
	if payer.ID == "" {
		payer.ID = newRef("payer")
	}
	m, err := s.gw.CreateMandate(ctx, paybridge.MandateRequest{Payer: payer, Currency: s.h.Currency,
		MerchantReference: newRef("mandate"), ReturnURL: "https://merchant.example.com/return",
		CancelURL: "https://merchant.example.com/cancel", NotificationURL: s.notifyURL})
	must(t, s, "CreateMandate", err)
	if m.ID == "" {
		t.Fatal("CreateMandate returned no ID")
	}
	if m.Status != paybridge.MandateRequiresAction {
		t.Fatalf("new mandate has status %q, want %q", m.Status, paybridge.MandateRequiresAction)
	}
	if u, err := url.Parse(m.RedirectURL); err != nil || !u.IsAbs() {
		t.Fatalf("mandate RedirectURL %q is not an absolute URL", m.RedirectURL)
	}
	must(t, s, "EndUser.Approve of the mandate", s.h.EndUser.Approve(ctx, m.RedirectURL))
	if s.caps.Supports(paybridge.OpGetMandate) {
		var last *paybridge.Mandate
		err := s.poll(ctx, func() (bool, error) {
			got, err := s.gw.GetMandate(ctx, m.ID)
			if err != nil {
				return false, err
			}
			last = got
			return got.Status == paybridge.MandateActive || got.Status.Final(), nil
		})
		must(t, s, "waiting for the mandate to become active", err)
		if last.ID != m.ID || last.Status != paybridge.MandateActive {
			t.Fatalf("approved mandate %s is %q (GetMandate answered about %q), want active", m.ID, last.Status, last.ID)
		}
		return last
	}
	s.requireNotifications(t)
	_, err = s.waitEvent(ctx, func(e notify.Event) bool { return e.MandateID == m.ID && e.Kind == notify.MandateActive })
	must(t, s, "waiting for mandate.active", err)
	return m
}

// charge charges value under mandate id and checks the answer.
func (s *suite) charge(ctx context.Context, t T, mandateID, value, key string) *paybridge.Payment {
	t.Helper()
	p, err := s.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: mandateID, Amount: s.amount(t, value),
		MerchantReference: newRef("charge"), NotificationURL: s.carried("ChargeRequest.NotificationURL", s.notifyURL),
		IdempotencyKey: key})
	must(t, s, "Charge "+value, err)
	if p.ID == "" || !p.Amount.Equal(s.amount(t, value)) {
		t.Fatalf("Charge returned payment %q of %v, want a payment of %s", p.ID, p.Amount, value)
	}
	if p.MandateID != mandateID {
		t.Fatalf("Charge returned a payment with MandateID %q, want %q", p.MandateID, mandateID)
	}
	if p.Status == paybridge.PaymentDeclined || p.Status == paybridge.PaymentFailed || p.Status == paybridge.PaymentCanceled {
		t.Fatalf("charge ended %q at once", p.Status)
	}
	return p
}

func mandateCharge(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCreateMandate, paybridge.OpCharge)
	s.requireNotifications(t)
	m := s.activeMandate(ctx, t)
	p := s.charge(ctx, t, m.ID, "4.25", "")
	e, err := s.waitEvent(ctx, func(e notify.Event) bool {
		return e.PaymentID == p.ID && (e.Kind == notify.PaymentSucceeded || e.Kind == notify.PaymentFailed)
	})
	must(t, s, "waiting for the charge's payment notification", err)
	if e.Kind != notify.PaymentSucceeded {
		t.Fatalf("the charge's payment ended %s, want %s", e.Kind, notify.PaymentSucceeded)
	}
	if e.MandateID != m.ID {
		t.Errorf("the charge's payment notification names mandate %q, want %q", e.MandateID, m.ID)
	}
	if e.Amount.IsValid() && !e.Amount.Equal(p.Amount) {
		t.Errorf("the charge's payment notification has amount %v, want %v", e.Amount, p.Amount)
	}
	if s.caps.Supports(paybridge.OpGetPayment) {
		got, err := s.gw.GetPayment(ctx, p.ID)
		must(t, s, "GetPayment of the charge", err)
		if got.Status != paybridge.PaymentSucceeded || got.MandateID != m.ID {
			t.Fatalf("GetPayment of the charge: status %q, mandate %q; want succeeded under %q", got.Status, got.MandateID, m.ID)
		}
	}
}

func chargeCanceledMandate(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCreateMandate, paybridge.OpCharge, paybridge.OpCancelMandate)
	m := s.activeMandate(ctx, t)
	c, err := s.gw.CancelMandate(ctx, paybridge.CancelMandateRequest{MandateID: m.ID})
	must(t, s, "CancelMandate", err)
	if c.ID != m.ID || c.Status != paybridge.MandateCanceled {
		t.Fatalf("CancelMandate returned mandate %q with status %q, want %q canceled", c.ID, c.Status, m.ID)
	}
	if s.caps.Supports(paybridge.OpGetMandate) {
		got, err := s.gw.GetMandate(ctx, m.ID)
		must(t, s, "GetMandate after CancelMandate", err)
		if got.Status != paybridge.MandateCanceled {
			t.Fatalf("GetMandate after CancelMandate: %q, want canceled", got.Status)
		}
	}
	_, err = s.gw.Charge(ctx, paybridge.ChargeRequest{MandateID: m.ID, Amount: s.amount(t, "2.00"), MerchantReference: newRef("charge")})
	expectCode(t, s, err, paybridge.ErrInvalidRequest)
}

func chargeIdempotent(ctx context.Context, t T, s *suite) {
	s.requireCap(t, paybridge.OpCreateMandate, paybridge.OpCharge)
	m := s.activeMandate(ctx, t)
	key := newRef("charge")
	req := paybridge.ChargeRequest{MandateID: m.ID, Amount: s.amount(t, "3.10"), MerchantReference: newRef("charge"),
		NotificationURL: s.carried("ChargeRequest.NotificationURL", s.notifyURL), IdempotencyKey: key}
	before := s.movements()
	a, err := s.gw.Charge(ctx, req)
	must(t, s, "first Charge", err)
	b, err := s.gw.Charge(ctx, req)
	must(t, s, "repeated Charge", err)
	if a.ID != b.ID {
		t.Fatalf("repeating Charge with one key made payments %s and %s", a.ID, b.ID)
	}
	if s.h.Movements != nil {
		if moved := s.movements() - before; moved != 1 {
			t.Fatalf("a Charge repeated with one key moved money %d times, want once", moved)
		}
	}
	other := s.charge(ctx, t, m.ID, "3.10", "")
	if other.ID == a.ID {
		t.Fatal("a Charge with a new idempotency key returned the earlier payment")
	}
}
