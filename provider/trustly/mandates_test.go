package trustly_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

func (e *env) mandateRequest(ref string) paybridge.MandateRequest {
	return paybridge.MandateRequest{Currency: money.MustCurrency("EUR"), MerchantReference: ref,
		ReturnURL: "https://shop.example.com/ok", NotificationURL: e.notifyURL(),
		Payer: paybridge.Person{ID: "u-dd", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Country: "SE", Locale: "sv_SE"}, IdempotencyKey: "key-" + ref}
}

func (e *env) chargeRequest(mandateID, ref string) paybridge.ChargeRequest {
	return paybridge.ChargeRequest{MandateID: mandateID, Amount: money.MustNew("7.25", "EUR"), MerchantReference: ref,
		Description: "Monthly fee", NotificationURL: e.notifyURL(), IdempotencyKey: "key-" + ref}
}

// eventsOf returns the received events of kind k.
func (e *env) eventsOf(k notify.Kind) []notify.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []notify.Event
	for _, ev := range e.events {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

func (e *env) waitKind(t *testing.T, k notify.Kind, n int) []notify.Event {
	t.Helper()
	testwait.For(t, "the "+string(k)+" events", func() bool { return len(e.eventsOf(k)) >= n })
	return e.eventsOf(k)
}

// activeMandate creates a mandate and has the end user approve it.
func (e *env) activeMandate(t *testing.T, ref string) *paybridge.Mandate {
	t.Helper()
	ctx := context.Background()
	m, err := e.gw.CreateMandate(ctx, e.mandateRequest(ref))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, m.RedirectURL); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the mandate to be active", func() bool {
		for _, ev := range e.eventsOf(notify.MandateActive) {
			if ev.MandateID == m.ID {
				return true
			}
		}
		return false
	})
	return m
}

// TestMandateApprovedThenCharged: a mandate is approved on Trustly's page, the account
// notifications make it pending then active, and a charge of it is reported by pending
// and credit notifications of a payment under that mandate.
func TestMandateApprovedThenCharged(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, err := e.gw.CreateMandate(ctx, e.mandateRequest("mandate-1"))
	if err != nil {
		t.Fatal(err)
	}
	var or *trustly.OrderResult
	if m.Status != paybridge.MandateRequiresAction || m.RedirectURL == "" || !m.As(&or) || or.OrderID != m.ID {
		t.Fatalf("CreateMandate = %+v (detail %+v)", m, or)
	}
	// Not approved yet: refused before anything is sent.
	before := e.sim.Requests()
	_, err = e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-early"))
	if !errors.Is(err, paybridge.ErrInvalidRequest) || e.sim.Requests() != before {
		t.Fatalf("charge of a mandate not approved: %v (%d requests)", err, e.sim.Requests()-before)
	}
	if err := e.sim.EndUser().Approve(ctx, m.RedirectURL); err != nil {
		t.Fatal(err)
	}
	pending, active := e.waitKind(t, notify.MandatePending, 1), e.waitKind(t, notify.MandateActive, 1)
	if pending[0].MandateID != m.ID || active[0].MandateID != m.ID || active[0].ProviderStatus != "directdebitmandate=1" {
		t.Fatalf("mandate events %+v, %+v", pending, active)
	}
	got, err := e.gw.GetMandate(ctx, m.ID)
	if err != nil || got.Status != paybridge.MandateActive || got.MerchantReference != "mandate-1" || got.Currency.String() != "EUR" {
		t.Fatalf("GetMandate = %+v, %v", got, err)
	}

	p, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-1"))
	if err != nil {
		t.Fatal(err)
	}
	var cr *trustly.ChargeResult
	if p.Status != paybridge.PaymentPending || p.MandateID != m.ID || !p.As(&cr) || !cr.Accepted || cr.OrderID != p.ID {
		t.Fatalf("Charge = %+v (detail %+v)", p, cr)
	}
	paid := e.waitKind(t, notify.PaymentSucceeded, 1)
	if paid[0].PaymentID != p.ID || paid[0].MandateID != m.ID || paid[0].Amount.String() != p.Amount.String() {
		t.Fatalf("charge notification %+v", paid[0])
	}
	if pp := e.eventsOf(notify.PaymentPending); len(pp) != 1 || pp[0].PaymentID != p.ID {
		t.Fatalf("pending events %+v", pp)
	}

	// A repeat with the same key is the same charge; nothing more is collected.
	again, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-1"))
	if err != nil || again.ID != p.ID {
		t.Fatalf("repeated charge = %+v, %v; want %s", again, err, p.ID)
	}
	if n := chargesCollected(e.sim); n != 1 {
		t.Fatalf("%d charges collected, want 1", n)
	}

	// The marks live in the journal: a restarted process charges the mandate too.
	e.restart(t)
	if _, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-2")); err != nil {
		t.Fatalf("charge after a restart: %v", err)
	}
	e.waitKind(t, notify.PaymentSucceeded, 2)
}

func chargesCollected(s *trustlysim.Server) int {
	n := 0
	for _, m := range s.Movements() {
		if m.Kind == "Charge" {
			n++
		}
	}
	return n
}

// TestMandateRegisteredNextBankDay: until the bank registers the mandate (the second
// account notification), the mandate is pending and a charge is refused.
func TestMandateRegisteredNextBankDay(t *testing.T) {
	e := newEnvSim(t, fastRetry, trustlysim.Options{Options: simkit.Options{RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond},
		AllowLoopbackHTTP: true, HoldMandates: true, HoldCharges: true})
	ctx := context.Background()
	m, err := e.gw.CreateMandate(ctx, e.mandateRequest("mandate-held"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, m.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if ev := e.waitKind(t, notify.MandatePending, 1); ev[0].ProviderStatus != "directdebitmandate=0" {
		t.Fatalf("pending event %+v", ev[0])
	}
	if got, err := e.gw.GetMandate(ctx, m.ID); err != nil || got.Status != paybridge.MandatePending {
		t.Fatalf("GetMandate = %+v, %v", got, err)
	}
	_, err = e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-pending"))
	if !errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Fatalf("charge of a pending mandate: %v", err)
	}
	if err := e.sim.RegisterMandate(m.ID); err != nil {
		t.Fatal(err)
	}
	e.waitKind(t, notify.MandateActive, 1)
	p, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-registered"))
	if err != nil {
		t.Fatal(err)
	}
	e.waitKind(t, notify.PaymentPending, 1)
	// The bank refuses the collection: the pending charge is canceled, which is a
	// failed payment.
	if err := e.sim.FailCharge(p.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.waitKind(t, notify.PaymentFailed, 1); ev[0].PaymentID != p.ID || ev[0].MandateID != m.ID {
		t.Fatalf("failed charge event %+v", ev[0])
	}
}

// TestChargeOfAFailedMandateRefused: a mandate the payer declined cannot be charged, and
// a mandate cannot be canceled through the neutral API.
func TestChargeOfAFailedMandateRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, err := e.gw.CreateMandate(ctx, e.mandateRequest("mandate-declined"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Decline(ctx, m.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if ev := e.waitKind(t, notify.MandateFailed, 1); ev[0].MandateID != m.ID {
		t.Fatalf("failed event %+v", ev[0])
	}
	if got, err := e.gw.GetMandate(ctx, m.ID); err != nil || got.Status != paybridge.MandateFailed {
		t.Fatalf("GetMandate = %+v, %v", got, err)
	}
	before := e.sim.Requests()
	_, err = e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-declined"))
	if pe := providerError(t, err); pe.Code != provider.InvalidRequest || pe.Field != "MandateID" || e.sim.Requests() != before {
		t.Fatalf("charge of a failed mandate: %v", err)
	}
	_, err = e.gw.CancelMandate(ctx, paybridge.CancelMandateRequest{MandateID: m.ID})
	if !errors.Is(err, paybridge.ErrNotSupported) {
		t.Fatalf("CancelMandate: %v", err)
	}
	if _, err := e.gw.GetMandate(ctx, "999999"); !errors.Is(err, paybridge.ErrNotFound) {
		t.Fatalf("GetMandate of an unknown mandate: %v", err)
	}
}

// TestScheduledChargeCanceled: a charge for a later PaymentDate (set through BeforeSend)
// can be canceled with CancelCharge on the Client; a charge due today cannot.
func TestScheduledChargeCanceled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.activeMandate(t, "mandate-sched")
	later := time.Now().UTC().Add(72 * time.Hour).Format("2006-01-02")
	req := e.chargeRequest(m.ID, "charge-later")
	req.BeforeSend = func(as func(any) bool) error {
		var a *trustly.Attributes
		if !as(&a) {
			return errors.New("no Trustly attributes")
		}
		(*a)["PaymentDate"] = later
		return nil
	}
	p, err := e.gw.Charge(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var c *trustly.Client
	if !e.gw.As(&c) {
		t.Fatal("Gateway.As does not reach the Client")
	}
	cc, err := c.CancelCharge(ctx, p.ID)
	if err != nil || !cc.Accepted {
		t.Fatalf("CancelCharge = %+v, %v", cc, err)
	}
	// Trustly's cancel, after the charge's pending, does not say who canceled: it reads
	// as a payment that failed, as when the bank refuses the collection.
	if ev := e.waitKind(t, notify.PaymentFailed, 1); ev[0].PaymentID != p.ID || ev[0].MandateID != m.ID {
		t.Fatalf("cancel event %+v", ev[0])
	}
	now, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-now"))
	if err != nil {
		t.Fatal(err)
	}
	if cc, err := c.CancelCharge(ctx, now.ID); err != nil || cc.Accepted || cc.Rejected == "" {
		t.Fatalf("CancelCharge of a collected charge = %+v, %v", cc, err)
	}
	bad := e.chargeRequest(m.ID, "charge-bad-date")
	bad.BeforeSend = func(as func(any) bool) error {
		var a *trustly.Attributes
		as(&a)
		(*a)["PaymentDate"] = "next week"
		return nil
	}
	before := e.sim.Requests()
	if _, err := e.gw.Charge(ctx, bad); !errors.Is(err, paybridge.ErrInvalidRequest) || e.sim.Requests() != before {
		t.Fatalf("charge with a malformed PaymentDate: %v", err)
	}
}

// TestUnknownMandateNotificationNotDelivered: account notifications of a mandate no call
// of this merchant created are acknowledged without reaching the application.
func TestUnknownMandateNotificationNotDelivered(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Made on the Client, outside the Gateway: the journal never hears of it.
	req := e.mandateRequest("mandate-elsewhere")
	m, err := e.c.CreateMandate(ctx, &req)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, m.RedirectURL); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "both account notifications to be acknowledged", func() bool {
		n := 0
		for _, d := range e.sim.Deliveries() {
			if d.ObjectID == m.ID && d.Event == "account" && d.Acknowledged {
				n++
			}
		}
		return n == 2
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.events) != 0 {
		t.Fatalf("events of an unknown mandate reached the application: %+v", e.events)
	}
	// And the Client alone cannot charge it: the mandate's account is in no journal.
	_, err = e.c.Charge(ctx, &provider.ChargeRequest{MandateID: m.ID, Amount: money.MustNew("1.00", "EUR"),
		MerchantReference: "c", IdempotencyKey: "c"})
	if pe := providerError(t, err); pe.Code != provider.InvalidRequest {
		t.Fatalf("Charge without a Gateway: %v", err)
	}
}

// fakeCalls is a journal record that says what a test needs: a mandate created by a
// call, with its marks.
type fakeCalls struct {
	provider.Calls
	mandateID, key string
	marks          map[string]string // name + "/" + key -> value
}

func (f fakeCalls) ByProviderID(_ context.Context, id string) (provider.Call, bool, error) {
	if id != f.mandateID {
		return provider.Call{}, false, nil
	}
	return provider.Call{Op: provider.OpCreateMandate, Key: f.key, ProviderID: id, Settled: true}, true, nil
}

func (f fakeCalls) Marked(_ context.Context, name, key string) (string, error) {
	return f.marks[name+"/"+key], nil
}

// TestChargeRejectedByTrustly: when the journal holds an account whose mandate Trustly
// does not know (never registered, or ended by the payer at the bank), Trustly rejects
// the charge with ERROR_MANDATE_NOT_FOUND, an InvalidRequest error naming it; an unknown
// account is ERROR_ACCOUNT_NOT_FOUND.
func TestChargeRejectedByTrustly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: paybridge.Person{ID: "u-dd", FirstName: "A", LastName: "B",
		Country: "SE", Locale: "sv_SE"}, ReturnURL: "https://shop.example.com/r", NotificationURL: e.notifyURL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	acct := e.waitKind(t, notify.AccountVerified, 1)[0].AccountID
	for _, tc := range []struct{ account, rejected string }{{acct, "ERROR_MANDATE_NOT_FOUND"}, {"1234", "ERROR_ACCOUNT_NOT_FOUND"}} {
		calls := fakeCalls{mandateID: "77", key: "k", marks: map[string]string{
			"trustly.mandate.payer/k":   `{"enduserid":"u-dd","email":"ada@example.com","currency":"EUR"}`,
			"trustly.mandate.active/77": tc.account,
		}}
		req := e.chargeRequest("77", "charge-"+tc.rejected)
		_, err := e.c.Charge(provider.WithCalls(ctx, calls), &req)
		if pe := providerError(t, err); pe.Code != provider.InvalidRequest || pe.ProviderCode != tc.rejected {
			t.Fatalf("charge of account %s: %v", tc.account, err)
		}
	}
}

// TestMandateRequestFields: what SelectAccount cannot carry is refused, naming the field,
// before anything is sent; the Email Trustly requires with a mandate is checked too.
func TestMandateRequestFields(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, mutate := range map[string]func(*paybridge.MandateRequest){
		"MaxAmount":     func(r *paybridge.MandateRequest) { r.MaxAmount = money.MustNew("10.00", "EUR") },
		"Description":   func(r *paybridge.MandateRequest) { r.Description = "gym" },
		"Payer.Address": func(r *paybridge.MandateRequest) { r.Payer.Address = &paybridge.Address{Line1: "x", Country: "SE"} },
		"Payer.Email":   func(r *paybridge.MandateRequest) { r.Payer.Email = "" },
	} {
		req := e.mandateRequest("mandate-" + name)
		mutate(&req)
		before := e.sim.Requests()
		_, err := e.gw.CreateMandate(ctx, req)
		if !namesField(err, name) || e.sim.Requests() != before {
			t.Errorf("%s: %v", name, err)
		}
	}
	req := e.mandateRequest("mandate-dob")
	req.Payer.DateOfBirth = "1990-12-10"
	if _, err := e.gw.CreateMandate(ctx, req); err != nil {
		t.Fatalf("DateOfBirth is carried by SelectAccount: %v", err)
	}
}

// TestChargeRefunded: a collected charge is refunded like a deposit, on its order, and
// the refund's outcome reaches the application as the refund's.
func TestChargeRefunded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.activeMandate(t, "mandate-refund")
	p, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-refund"))
	if err != nil {
		t.Fatal(err)
	}
	e.waitKind(t, notify.PaymentSucceeded, 1)
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("2.25", "EUR"), MerchantReference: "rf-charge"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.ConfirmRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.waitKind(t, notify.RefundSucceeded, 1); ev[0].RefundID != r.ID || ev[0].PaymentID != p.ID {
		t.Fatalf("refund event %+v", ev[0])
	}
}

// TestMandateKeyReusedAfterAnUnprocessedAttempt: a CreateMandate refused unprocessed (503)
// frees its idempotency key, and the key may then carry another request. What the first
// attempt recorded in the journal for the mandate's charges (the payer and the currency)
// must not stand for the mandate the second one creates: its charges would go out with
// another end user's id and e-mail, checked against another currency.
func TestMandateKeyReusedAfterAnUnprocessedAttempt(t *testing.T) {
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	first := e.mandateRequest("mandate-reused")
	e.sim.FailNext(1)
	if _, err := e.gw.CreateMandate(ctx, first); !errors.Is(err, paybridge.ErrProviderUnavailable) {
		t.Fatalf("CreateMandate refused unprocessed: %v; want ErrProviderUnavailable", err)
	}
	second := first
	second.Currency = money.MustCurrency("SEK")
	second.Payer.ID, second.Payer.Email = "u-other", "grace@example.com"
	before := e.sim.Requests()
	m, err := e.gw.CreateMandate(ctx, second)
	if err == nil {
		got, gerr := e.gw.GetMandate(ctx, m.ID)
		t.Fatalf("CreateMandate of another payer under the freed key made %s, which reads as %+v, %v; "+
			"want a refusal before anything is sent: the journal keeps the first attempt's payer for the key", m.ID, got, gerr)
	}
	var pe *provider.Error
	if !errors.Is(err, paybridge.ErrInvalidRequest) || !errors.As(err, &pe) || pe.Field != "IdempotencyKey" || e.sim.Requests() != before {
		t.Fatalf("CreateMandate of another payer under the freed key: %v (%d requests sent); "+
			"want InvalidRequest naming IdempotencyKey, and nothing sent", err, e.sim.Requests()-before)
	}
	// The first request itself, repeated with the key, is made.
	if m, err := e.gw.CreateMandate(ctx, first); err != nil || m.RedirectURL == "" {
		t.Fatalf("the first request repeated: %+v, %v", m, err)
	}
}

// TestChargeRefundFailed: a refund of a direct-debit Charge that fails is reported by a
// cancel carrying "refund":"1" on the charge's order (no amount); the event names the
// refund the journal holds, as the refund's own success would.
func TestChargeRefundFailed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.activeMandate(t, "mandate-refund-fails")
	p, err := e.gw.Charge(ctx, e.chargeRequest(m.ID, "charge-refund-fails"))
	if err != nil {
		t.Fatal(err)
	}
	e.waitKind(t, notify.PaymentSucceeded, 1)
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("2.25", "EUR"), MerchantReference: "rf-charge-fails"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.FailRefund(p.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.waitKind(t, notify.RefundFailed, 1); ev[0].RefundID != r.ID || ev[0].PaymentID != p.ID {
		t.Fatalf("refund event %+v, want refund %s of payment %s", ev[0], r.ID, p.ID)
	}
}
