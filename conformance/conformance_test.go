package conformance_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/memprovider"
	"github.com/paybridge/paybridge/secret"
)

// harnessFor builds a memprovider harness whose Provider is wrapped by wrap.
func harnessFor(b *memprovider.Backend, wrap func(*memprovider.Client) provider.Provider) conformance.Harness {
	open := func(key secret.Value) func(context.Context, conformance.T, ...paybridge.Option) *paybridge.Gateway {
		return func(_ context.Context, _ conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			return paybridge.New(wrap(memprovider.New(memprovider.Config{Backend: b, APIKey: key})), opts...)
		}
	}
	return conformance.Harness{
		NewGateway:               open(b.APIKey()),
		NewGatewayBadCredentials: open(secret.New("wrong-key-000")),
		EndUser:                  b.EndUser(),
		Currency:                 money.MustCurrency("EUR"),
		Payer:                    paybridge.Person{ID: "u1", FirstName: "Ada", LastName: "L", Email: "a@example.com", Country: "DE", Locale: "de_DE"},
		Account:                  paybridge.BankAccount{IBAN: "DE75512108001245126199"},
		Requests:                 b.Requests,
		LoseNextAnswers:          b.LoseNextAnswers,
		Movements:                b.Movements,
		LoopbackNotifications:    true,
		Secrets:                  []string{b.APIKey().Reveal(), b.WebhookKey().Reveal()},
		As: conformance.AsTargets{Gateway: []any{new(*memprovider.Client), new(*memprovider.Backend)},
			Request: []any{new(*memprovider.PaymentOptions)}, Payment: []any{new(*memprovider.PaymentDetail)}},
		Timeout: testwait.Limit, // a scenario's waits end with what they wait for, not a short deadline
	}
}

func statuses(results []conformance.Result) map[string]conformance.Result {
	m := map[string]conformance.Result{}
	for _, r := range results {
		m[r.Scenario] = r
	}
	return m
}

func TestRunReportsEveryScenario(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	var progress []string
	results := conformance.Run(context.Background(), harnessFor(b, func(p *memprovider.Client) provider.Provider { return p }),
		func(i, n int, name string) { progress = append(progress, name) })
	if len(results) != len(conformance.Scenarios()) || len(progress) != len(results) {
		t.Fatalf("%d results, %d progress calls, %d scenarios", len(results), len(progress), len(conformance.Scenarios()))
	}
	for _, r := range results {
		if r.Status != conformance.Passed {
			t.Errorf("%s: %s %s", r.Scenario, r.Status, r.Message)
		}
	}
}

// forgetfulRefunds ignores idempotency keys on refunds, though its Capabilities say a
// repeated refund is harmless: a resent refund refunds again.
type forgetfulRefunds struct{ *memprovider.Client }

func (f forgetfulRefunds) Refund(ctx context.Context, r *provider.RefundRequest) (*provider.Refund, error) {
	r2 := *r
	r2.IdempotencyKey = r.IdempotencyKey + "-" + money.MustNew("1", "EUR").String() + r.Amount.Fixed() + randomish()
	return f.Client.Refund(ctx, &r2)
}

var n int

func randomish() string { n++; return string(rune('a' + n%26)) }

// credulous accepts notifications without checking their signature.
type credulous struct{ *memprovider.Client }

func (c credulous) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	n, err := c.Client.VerifyNotification(ctx, r)
	if err == nil {
		return n, nil
	}
	// Like a verifier that skips the signature check and reads the event from whatever
	// parses of the body: every different body is a new notification about the payment.
	var ev notify.Event
	_ = json.Unmarshal(r.Body, &ev)
	id := fmt.Sprintf("forged-%x", sha256.Sum256(r.Body))
	ev.ID, ev.Provider, ev.Kind, ev.Raw = id, memprovider.Name, notify.PaymentSucceeded, r.Body
	return &notify.Notification{ID: id, Event: ev}, nil
}

// leaky puts the credential into its errors.
type leaky struct {
	*memprovider.Client
	key string
}

func (l leaky) Pay(ctx context.Context, r *provider.PaymentRequest) (*provider.Payment, error) {
	p, err := l.Client.Pay(ctx, r)
	if err != nil {
		return nil, errors.Join(err, errors.New("sent key "+l.key))
	}
	return p, nil
}

// paymentsOnly offers payments and notifications and nothing else: it implements none of
// the other optional interfaces, though the client it wraps does.
type paymentsOnly struct {
	provider.Provider
	notify.Verifier
}

func (p paymentsOnly) Capabilities() provider.Capabilities {
	return provider.Capabilities{Currencies: p.Provider.Capabilities().Currencies,
		RepeatableWrites: []provider.Operation{provider.OpPay}}
}

// promiscuousAs reports every As target set, setting none.
type promiscuousAs struct{ *memprovider.Client }

func (promiscuousAs) As(any) bool { return true }

// muteAs hands out nothing.
type muteAs struct{ *memprovider.Client }

func (muteAs) As(any) bool { return false }

// opaqueErrors keeps its refusals' code and text but not the *provider.Error beneath.
type opaqueErrors struct{ *memprovider.Client }

type codedText struct {
	code provider.Code
	text string
}

func (e codedText) Error() string            { return e.text }
func (e codedText) ErrorCode() provider.Code { return e.code }

func (o opaqueErrors) GetPayment(ctx context.Context, id string) (*provider.Payment, error) {
	p, err := o.Client.GetPayment(ctx, id)
	if err != nil {
		return nil, codedText{provider.CodeOf(err), err.Error()}
	}
	return p, nil
}

// TestSuiteCatchesBrokenAs shows that each As check can fail: an As that accepts any
// target, one that sets none of the declared targets, errors that hide the adapter's error,
// and a declared error target the adapter's errors do not carry.
func TestSuiteCatchesBrokenAs(t *testing.T) {
	for name, tc := range map[string]struct {
		wrap    func(*memprovider.Client) provider.Provider
		declare func(*conformance.AsTargets)
		says    string
	}{
		"As accepts any target": {wrap: func(p *memprovider.Client) provider.Provider { return promiscuousAs{p} },
			says: "Gateway.As set a target of a type the adapter does not know"},
		"As sets nothing": {wrap: func(p *memprovider.Client) provider.Provider { return muteAs{p} },
			says: "Gateway.As(**memprovider.Client) reported false"},
		"errors lose the adapter's error": {wrap: func(p *memprovider.Client) provider.Provider { return opaqueErrors{p} },
			says: "GetPayment of an unknown id: errors.As did not reach the adapter's *provider.Error"},
		"error target the adapter lacks": {declare: func(a *conformance.AsTargets) { a.Error = []any{new(*url.Error)} },
			says: "errors.As(**url.Error) reported false"},
		"Gateway target of the wrong type": {declare: func(a *conformance.AsTargets) { a.Gateway = []any{new(memprovider.Client)} },
			says: "Gateway.As(*memprovider.Client) reported false"},
	} {
		t.Run(name, func(t *testing.T) {
			b := memprovider.NewBackend()
			defer b.Close()
			wrap := tc.wrap
			if wrap == nil {
				wrap = func(p *memprovider.Client) provider.Provider { return p }
			}
			h := harnessFor(b, wrap)
			if tc.declare != nil {
				tc.declare(&h.As)
			}
			got := statuses(conformance.Run(context.Background(), h, nil))
			if r := got["As"]; r.Status != conformance.Failed || !strings.Contains(r.Message, tc.says) {
				t.Errorf("As: %s %q, want failed saying %q", r.Status, r.Message, tc.says)
			}
		})
	}
}

func TestSuiteCatchesBrokenProviders(t *testing.T) {
	for name, tc := range map[string]struct {
		wrap     func(*memprovider.Client) provider.Provider
		mustFail []string
	}{
		// The Gateway's journal answers plain repeats; a lost answer makes the Gateway
		// resend, which this adapter claims is harmless (RepeatableWrites) and is not.
		"refund retried twice": {func(p *memprovider.Client) provider.Provider { return forgetfulRefunds{p} },
			[]string{"RestartResolves", "UncertainNeverExpires"}},
		"unverified notifications": {func(p *memprovider.Client) provider.Provider { return credulous{p} },
			[]string{"NotificationTamperedRejected", "NotificationFloodRejected"}},
		"credential in errors": {nil, []string{"SecretsAbsentFromLogs"}},
	} {
		t.Run(name, func(t *testing.T) {
			b := memprovider.NewBackend()
			defer b.Close()
			wrap := tc.wrap
			if wrap == nil {
				wrap = func(p *memprovider.Client) provider.Provider { return leaky{p, b.APIKey().Reveal()} }
			}
			got := statuses(conformance.Run(context.Background(), harnessFor(b, wrap), nil))
			for _, sc := range tc.mustFail {
				if got[sc].Status != conformance.Failed {
					t.Errorf("%s: %s (%s), want failed", sc, got[sc].Status, got[sc].Message)
				}
			}
		})
	}
}

// fewCustomerFields stores only names, e-mail and group, like providers whose customer
// record is small.
type fewCustomerFields struct{ *memprovider.Client }

func (f fewCustomerFields) Capabilities() provider.Capabilities {
	c := f.Client.Capabilities()
	c.CustomerFields = []string{"FirstName", "LastName", "Email", "Group"}
	return c
}

func TestCustomersFollowStoredFields(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	got := statuses(conformance.Run(context.Background(), harnessFor(b, func(p *memprovider.Client) provider.Provider { return fewCustomerFields{p} }), nil))
	if r := got["Customers"]; r.Status != conformance.Passed {
		t.Fatalf("Customers with a small customer record: %s %s", r.Status, r.Message)
	}
	gw := paybridge.New(fewCustomerFields{memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()})})
	before := b.Requests()
	_, err := gw.CreateCustomer(context.Background(), paybridge.Customer{Email: "a@example.com", Phone: "+44123"})
	if !errors.Is(err, paybridge.ErrInvalidRequest) || !strings.Contains(err.Error(), "Phone is not stored by mem") {
		t.Fatalf("unstored field: %v", err)
	}
	_, err = gw.UpdateCustomer(context.Background(), "c1", paybridge.CustomerUpdate{ExternalID: paybridge.Clear[string]()})
	if !errors.Is(err, paybridge.ErrInvalidRequest) || !strings.Contains(err.Error(), "ExternalID") {
		t.Fatalf("unstored field in update: %v", err)
	}
	for _, err := range gw.ListCustomers(context.Background(), paybridge.ListCustomersRequest{ExternalID: "x"}) {
		if !errors.Is(err, paybridge.ErrInvalidRequest) {
			t.Fatalf("unstored filter: %v", err)
		}
	}
	if b.Requests() != before {
		t.Fatal("requests with unstored customer fields reached the provider")
	}
}

func TestCapabilitiesDecideWhatRuns(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	got := statuses(conformance.Run(context.Background(), harnessFor(b, func(p *memprovider.Client) provider.Provider { return paymentsOnly{p, p} }), nil))
	if got["Capabilities"].Status != conformance.Passed {
		t.Fatalf("Capabilities: %s %s", got["Capabilities"].Status, got["Capabilities"].Message)
	}
	for _, sc := range []string{"RefundPartialAndMultiple", "PayoutToVerifiedAccount", "Customers", "VerifyAccount",
		"CaptureFull", "CapturePartial", "CaptureOverAuthorized", "VoidThenCapture", "CaptureIdempotent",
		"MandateCharge", "ChargeCanceledMandate", "ChargeIdempotent", "Ledger"} {
		if got[sc].Status != conformance.Skipped || got[sc].Message == "" {
			t.Errorf("%s: %s %q, want skipped with a reason", sc, got[sc].Status, got[sc].Message)
		}
	}
}

// eagerCapture takes the money when the payer approves, whatever the request's capture
// mode says.
type eagerCapture struct{ *memprovider.Client }

func (e eagerCapture) Pay(ctx context.Context, r *provider.PaymentRequest) (*provider.Payment, error) {
	r2 := *r
	r2.Capture = provider.CaptureAutomatic
	return e.Client.Pay(ctx, &r2)
}

// anonymousCharges does not say which mandate a charge was made under.
type anonymousCharges struct{ *memprovider.Client }

func (a anonymousCharges) Charge(ctx context.Context, r *provider.ChargeRequest) (*provider.Payment, error) {
	p, err := a.Client.Charge(ctx, r)
	if p != nil {
		p.MandateID = ""
	}
	return p, err
}

// unsignedLedger books every movement as money coming in.
type unsignedLedger struct{ *memprovider.Client }

func (u unsignedLedger) Ledger(ctx context.Context, r *provider.LedgerRequest) iter.Seq2[*provider.LedgerEntry, error] {
	return func(yield func(*provider.LedgerEntry, error) bool) {
		for e, err := range u.Client.Ledger(ctx, r) {
			if e != nil && e.Amount.Sign() < 0 {
				e.Amount = money.FromMinorCurrency(-e.Amount.Minor(), e.Amount.Currency())
			}
			if !yield(e, err) {
				return
			}
		}
	}
}

// hooklessPay never runs the Pay's BeforeSend hook.
type hooklessPay struct{ *memprovider.Client }

func (h hooklessPay) Pay(ctx context.Context, r *provider.PaymentRequest) (*provider.Payment, error) {
	r2 := *r
	r2.BeforeSend = nil
	return h.Client.Pay(ctx, &r2)
}

// detaillessPay answers Pay without mem's detail.
type detaillessPay struct{ *memprovider.Client }

func (d detaillessPay) Pay(ctx context.Context, r *provider.PaymentRequest) (*provider.Payment, error) {
	p, err := d.Client.Pay(ctx, r)
	if p != nil {
		p.Detail = nil
	}
	return p, err
}

// metadataRefused claims to carry metadata but refuses a payment that has some, without
// saying which field is the trouble.
type metadataRefused struct{ *memprovider.Client }

func (m metadataRefused) Pay(ctx context.Context, r *provider.PaymentRequest) (*provider.Payment, error) {
	if len(r.Metadata) > 0 {
		return nil, &provider.Error{Code: provider.InvalidRequest, Message: "the request was not accepted"}
	}
	return m.Client.Pay(ctx, r)
}

// TestSuiteCatchesBrokenCapabilities shows that the scenarios of the new capabilities can
// fail: each adapter here breaks one promise, and the scenario that holds it to the promise
// fails saying so.
func TestSuiteCatchesBrokenCapabilities(t *testing.T) {
	for name, tc := range map[string]struct {
		wrap     func(*memprovider.Client) provider.Provider
		scenario string
		says     string
	}{
		"capture mode ignored": {func(p *memprovider.Client) provider.Provider { return eagerCapture{p} },
			"CaptureFull", "approved payment with manual capture is \"succeeded\""},
		"charge without its mandate": {func(p *memprovider.Client) provider.Provider { return anonymousCharges{p} },
			"MandateCharge", "Charge returned a payment with MandateID \"\""},
		"refunds booked as pay-ins": {func(p *memprovider.Client) provider.Provider { return unsignedLedger{p} },
			"Ledger", "the ledger books the refund"},
		"carried field refused": {func(p *memprovider.Client) provider.Provider { return metadataRefused{p} },
			"RequestFields", "Pay setting the carried fields"},
		"hook never run": {func(p *memprovider.Client) provider.Provider { return hooklessPay{p} },
			"BeforeSend", "got no error, want paybridge: invalid_request"},
		"no detail on the result": {func(p *memprovider.Client) provider.Provider { return detaillessPay{p} },
			"BeforeSend", "Payment.As(**memprovider.PaymentDetail) reported false"},
	} {
		t.Run(name, func(t *testing.T) {
			b := memprovider.NewBackend()
			defer b.Close()
			got := statuses(conformance.Run(context.Background(), harnessFor(b, tc.wrap), nil))
			if r := got[tc.scenario]; r.Status != conformance.Failed || !strings.Contains(r.Message, tc.says) {
				t.Errorf("%s: %s %q, want failed saying %q", tc.scenario, r.Status, r.Message, tc.says)
			}
		})
	}
}

// fewRequestFields carries no optional request field, like a provider with nowhere to put
// them.
type fewRequestFields struct{ *memprovider.Client }

func (f fewRequestFields) Capabilities() provider.Capabilities {
	c := f.Client.Capabilities()
	c.RequestFields = []string{"RefundRequest.Reason"}
	return c
}

func TestRequestFieldsRefusedByName(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	got := statuses(conformance.Run(context.Background(), harnessFor(b, func(p *memprovider.Client) provider.Provider { return fewRequestFields{p} }), nil))
	if r := got["RequestFields"]; r.Status != conformance.Passed {
		t.Fatalf("RequestFields with one carried field: %s %s", r.Status, r.Message)
	}
	gw := paybridge.New(fewRequestFields{memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()})})
	before := b.Requests()
	_, err := gw.Charge(context.Background(), paybridge.ChargeRequest{MandateID: "m1", Amount: money.MustNew("1.00", "EUR"),
		MerchantReference: "c1", Metadata: map[string]string{"k": "v"}})
	if !errors.Is(err, paybridge.ErrInvalidRequest) || !strings.Contains(err.Error(), "Metadata") {
		t.Fatalf("Charge with uncarried Metadata: %v", err)
	}
	if b.Requests() != before {
		t.Fatal("a request with an uncarried field reached the provider")
	}
}
