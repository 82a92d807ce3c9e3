package trustly_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/secrettest"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/secret"
)

// env is a simulator, a merchant and a Gateway over the adapter.
type env struct {
	sim   *trustlysim.Server
	creds trustlysim.Credentials
	c     *trustly.Client
	gw    *paybridge.Gateway
	// notifications received by the test's notification endpoint
	mu     sync.Mutex
	events []notify.Event
	fail   map[string]int // notification method -> callback failures to inject
	srv    *httptest.Server
	cfg    trustly.Config
	retry  paybridge.RetryPolicy
	h      atomic.Pointer[http.Handler] // the current notification handler
	// journal is the Gateways' operations journal; it survives restart, as a shared
	// PostgreSQL journal does.
	journal journal.Journal
	// decide, when set, is the callback's answer to an event that asks for a decision;
	// without it the callback decides nothing.
	decide func(notify.Event) error
}

// fastRetry is DefaultRetryPolicy with millisecond waits.
var fastRetry = paybridge.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

func newEnv(t *testing.T, mutate ...func(*trustly.Config)) *env {
	t.Helper()
	return newEnvPolicy(t, fastRetry, mutate...)
}

// newSingleAttemptEnv is newEnv with a Gateway that makes one attempt per call, so a test
// sees each error the Client returns.
func newSingleAttemptEnv(t *testing.T, mutate ...func(*trustly.Config)) *env {
	t.Helper()
	return newEnvPolicy(t, paybridge.NoRetry, mutate...)
}

func newEnvPolicy(t *testing.T, policy paybridge.RetryPolicy, mutate ...func(*trustly.Config)) *env {
	t.Helper()
	// Refunds wait for the tests' ConfirmRefund and FailRefund, which decide their outcome.
	return newEnvSim(t, policy, trustlysim.Options{Options: simkit.Options{RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond},
		AllowLoopbackHTTP: true, HoldRefunds: true}, mutate...)
}

// newEnvSim is newEnvPolicy with a simulator started with opts.
func newEnvSim(t *testing.T, policy paybridge.RetryPolicy, opts trustlysim.Options, mutate ...func(*trustly.Config)) *env {
	t.Helper()
	sim, err := trustlysim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	creds, err := sim.NewMerchant("merchant")
	if err != nil {
		t.Fatal(err)
	}
	cfg := trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: sim.APIURL(), TrustlyPublicKey: sim.PublicKeyPEM()}
	for _, m := range mutate {
		m(&cfg)
	}
	e := &env{sim: sim, creds: creds, fail: map[string]int{}, cfg: cfg, retry: policy, journal: journal.NewMemory()}
	e.restart(t)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*e.h.Load()).ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	return e
}

// restart replaces the Client, its Gateway and the notification handler with new ones
// built from the same Config and journal, as after a process restart: nothing the old
// Client or Gateway held in memory survives, only what the journal recorded.
func (e *env) restart(t *testing.T) {
	t.Helper()
	e.restartWith(t, e.journal)
}

// restartWith restarts with journal j.
func (e *env) restartWith(t *testing.T, j journal.Journal) {
	t.Helper()
	c, err := trustly.New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.c, e.gw = c, paybridge.New(c, paybridge.WithRetry(e.retry), paybridge.WithJournal(j))
	h, err := e.gw.NotificationHandler(func(_ context.Context, ev notify.Event) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.fail[ev.ProviderEvent] > 0 {
			e.fail[ev.ProviderEvent]--
			return errors.New("injected failure")
		}
		if e.decide != nil && ev.AsksDecision() {
			if err := e.decide(ev); err != nil {
				return err
			}
		}
		e.events = append(e.events, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var hh http.Handler = h
	e.h.Store(&hh)
}

func (e *env) notifyURL() string { return e.srv.URL + "/trustly" }

func (e *env) payment(ref string) paybridge.PaymentRequest {
	return paybridge.PaymentRequest{Amount: money.MustNew("12.50", "EUR"), MerchantReference: ref,
		ReturnURL: "https://shop.example.com/ok", CancelURL: "https://shop.example.com/fail", NotificationURL: e.notifyURL(),
		Payer:          paybridge.Person{ID: "u-1", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"},
		IdempotencyKey: "key-" + ref}
}

// waitEvents waits until pred holds for the received events.
func (e *env) waitEvents(t *testing.T, pred func([]notify.Event) bool) []notify.Event {
	t.Helper()
	var evs []notify.Event
	testwait.For(t, "the expected notifications", func() bool {
		e.mu.Lock()
		evs = append([]notify.Event(nil), e.events...)
		e.mu.Unlock()
		return pred(evs)
	})
	return evs
}

func kinds(evs []notify.Event, orderID string) []notify.Kind {
	var out []notify.Kind
	for _, ev := range evs {
		if ev.PaymentID == orderID || ev.PayoutID == orderID {
			out = append(out, ev.Kind)
		}
	}
	return out
}

func providerError(t *testing.T, err error) *provider.Error {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v carries no *provider.Error", err)
	}
	return pe
}

func TestConfigNeverPrintsCredentials(t *testing.T) {
	fields := secrettest.AssertRedacted(t, &trustly.Config{})
	if len(fields) != 2 {
		t.Fatalf("checked %v; want Password and PrivateKey", fields)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	sim := trustlyKeyPEM(t)
	cases := map[string]trustly.Config{
		"Username":    {Password: secret.New("p"), PrivateKey: sim},
		"Password":    {Username: "u", PrivateKey: sim},
		"PrivateKey":  {Username: "u", Password: secret.New("p"), PrivateKey: secret.New("not a pem")},
		"Environment": {Username: "u", Password: secret.New("p"), PrivateKey: sim, Environment: "staging"},
		"BaseURL":     {Username: "u", Password: secret.New("p"), PrivateKey: sim, BaseURL: "http://example.com/api/1"},
		"Currencies":  {Username: "u", Password: secret.New("p"), PrivateKey: sim, Currencies: []money.Currency{money.MustCurrency("JPY")}},
	}
	for field, cfg := range cases {
		_, err := trustly.New(cfg)
		if pe := providerError(t, err); pe.Field != field || pe.Code != provider.InvalidRequest {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

var (
	keyOnce sync.Once
	keyPEM  secret.Value
)

// trustlyKeyPEM returns a valid merchant private key.
func trustlyKeyPEM(t testing.TB) secret.Value {
	t.Helper()
	keyOnce.Do(func() {
		s, err := trustlysim.Start(trustlysim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c, err := s.NewMerchant("k")
		if err != nil {
			t.Fatal(err)
		}
		keyPEM = c.PrivateKey
	})
	return keyPEM
}

func TestStringNamesTheEnvironmentNotTheSecrets(t *testing.T) {
	for _, env := range []trustly.Environment{trustly.Test, trustly.Live} {
		c, err := trustly.New(trustly.Config{Username: "u", Password: secret.New("p"), PrivateKey: trustlyKeyPEM(t), Environment: env})
		if err != nil {
			t.Fatal(err)
		}
		if c.Environment() != env {
			t.Errorf("Environment() = %s, want %s", c.Environment(), env)
		}
		if s := c.String(); strings.Contains(s, "p\"") || !strings.Contains(s, string(env)) {
			t.Errorf("String() = %q", s)
		}
	}
}

func TestPayApprovedDeliversCreditWithTheOrderID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payment("order-1"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != paybridge.PaymentRequiresAction || p.RedirectURL == "" {
		t.Fatalf("Pay = %+v", p)
	}
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(kinds(evs, p.ID)) == 1 })
	ev := evs[0]
	if ev.Kind != notify.PaymentSucceeded || ev.PaymentID != p.ID || ev.MerchantReference != "order-1" ||
		!ev.Amount.Equal(money.MustNew("12.50", "EUR")) || ev.Provider != trustly.Name || ev.OccurredAt.IsZero() {
		t.Fatalf("event = %+v", ev)
	}
	var d []simkit.Delivery
	testwait.For(t, "the notification's acknowledgement", func() bool {
		d = e.sim.Deliveries()
		return len(d) == 1 && d[0].Acknowledged
	})
	if len(d) != 1 || !d[0].Acknowledged || d[0].Reply != "OK" {
		t.Fatalf("deliveries = %+v", d)
	}
	if got := e.sim.Balance("merchant", "EUR"); got != "12.50" {
		t.Fatalf("balance %s", got)
	}
}

func TestDelayedApprovalIsPendingThenCredit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payment("order-d"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().ApproveDelayed(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(t, func(evs []notify.Event) bool { return len(kinds(evs, p.ID)) == 1 })
	if err := e.sim.Settle(p.ID); err != nil {
		t.Fatal(err)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(kinds(evs, p.ID)) == 2 })
	if k := kinds(evs, p.ID); k[0] != notify.PaymentPending || k[1] != notify.PaymentSucceeded {
		t.Fatalf("kinds %v", k)
	}
}

func TestDeclineIsPendingThenFailedAbandonIsCanceled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d, _ := e.gw.Pay(ctx, e.payment("order-decline"))
	a, _ := e.gw.Pay(ctx, e.payment("order-abandon"))
	if d == nil || a == nil {
		t.Fatal("Pay failed")
	}
	if err := e.sim.EndUser().Decline(ctx, d.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Abandon(ctx, a.RedirectURL); err != nil {
		t.Fatal(err)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(kinds(evs, d.ID)) == 2 && len(kinds(evs, a.ID)) == 1 })
	if k := kinds(evs, d.ID); k[0] != notify.PaymentPending || k[1] != notify.PaymentFailed {
		t.Errorf("declined: %v", k)
	}
	if k := kinds(evs, a.ID); k[0] != notify.PaymentCanceled {
		t.Errorf("abandoned: %v", k)
	}
	if err := e.sim.EndUser().Approve(ctx, a.RedirectURL); err == nil {
		t.Error("an abandoned page could still be approved")
	}
}

func TestRetrySendsTheIdenticalRequest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.payment("order-r")
	first, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != second.ID || first.RedirectURL != second.RedirectURL {
		t.Fatalf("retry made another order: %s and %s", first.ID, second.ID)
	}
	// The same idempotency key with other content is refused by the Gateway's journal
	// before anything is sent; a Gateway that has no record of the key (another journal)
	// sends the request, and Trustly refuses the reused UUID (688). That proves the earlier
	// request reached Trustly, not that it was refused: the outcome is unknown, never
	// "not applied".
	req.Amount = money.MustNew("13.00", "EUR")
	before := e.sim.Requests()
	if _, err = e.gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrDuplicate) || e.sim.Requests() != before {
		t.Fatalf("key reused with another amount: %v, %d requests; want ErrDuplicate and nothing sent", err, e.sim.Requests()-before)
	}
	_, err = paybridge.New(e.c).Pay(ctx, req)
	if pe := providerError(t, err); pe.ProviderCode != "688" || pe.Code != provider.UnknownOutcome {
		t.Fatalf("got %v", err)
	}
	if errors.Is(err, provider.ErrNotApplied) || errors.Is(err, paybridge.ErrDuplicate) {
		t.Fatalf("688 reported as a certain refusal: %v", err)
	}
	// A new key with a used MerchantReference is a duplicate MessageID (637).
	req = e.payment("order-r")
	req.IdempotencyKey = "another-key"
	_, err = e.gw.Pay(ctx, req)
	if pe := providerError(t, err); pe.ProviderCode != "637" || !errors.Is(err, paybridge.ErrDuplicate) {
		t.Fatalf("got %v", err)
	}
}

func TestLostReplyIsUnknownOutcomeThenResolved(t *testing.T) {
	e := newSingleAttemptEnv(t)
	ctx := context.Background()
	e.sim.DropNext(1)
	req := e.payment("order-lost")
	_, err := e.gw.Pay(ctx, req)
	if !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("lost reply gave %v, want UnknownOutcome", err)
	}
	p, err := e.gw.Pay(ctx, req) // same key: the identical request, Trustly answers the first result
	if err != nil {
		t.Fatal(err)
	}
	// A caller that lost the key and tries a new one is refused: Trustly says 637, the
	// MessageID was used, and the error names the key of the call that used it. Repeating
	// that call with its key returns its order.
	e.sim.DropNext(1)
	req2 := e.payment("order-lost-2")
	if _, err := e.gw.Pay(ctx, req2); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("got %v", err)
	}
	lostKey := req2.IdempotencyKey
	fresh := req2
	fresh.IdempotencyKey = "fresh-key"
	_, err = e.gw.Pay(ctx, fresh)
	if pe := providerError(t, err); pe.ProviderCode != "637" || !errors.Is(err, paybridge.ErrDuplicate) ||
		!strings.Contains(err.Error(), strconv.Quote(lostKey)) {
		t.Fatalf("a new key for a MessageID whose call is uncertain: %v; want ErrDuplicate (637) naming key %q", err, lostKey)
	}
	p2, err := e.gw.Pay(ctx, req2)
	if err != nil || p2.ID == p.ID || p2.RedirectURL == "" {
		t.Fatalf("repeating the uncertain call with its key: %+v, %v", p2, err)
	}
	before := e.sim.Requests()
	again, err := e.gw.Pay(ctx, req2)
	if err != nil || again.ID != p2.ID {
		t.Fatalf("after resolution: %v %+v", err, again)
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Errorf("repeating the resolved call took %d requests; the journal holds its answer", n)
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.sim.FailNext(2)
	before := e.sim.Requests()
	if _, err := e.gw.Pay(ctx, e.payment("order-5xx")); err != nil {
		t.Fatalf("two 503s then success gave %v", err)
	}
	if n := e.sim.Requests() - before; n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	e.sim.FailNext(10)
	_, err := e.c.Balance(ctx)
	if pe := providerError(t, err); pe.Code != provider.ProviderUnavailable || pe.HTTPStatus != http.StatusServiceUnavailable {
		t.Fatalf("got %v", err)
	}
	e.sim.FailNext(0)
}

// TestContextIsHonouredDuringLatency: a written request whose answer does not come ends
// when its context ends, with an unknown outcome. The provider here never answers, so a
// Client that waited for it would wait past testwait.Limit.
func TestContextIsHonouredDuringLatency(t *testing.T) {
	e := newEnv(t)
	url, arrived := testwait.Silent(t)
	cfg := e.cfg
	cfg.BaseURL = url
	c, err := trustly.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c, paybridge.WithRetry(fastRetry))
	// The context ends once the request has arrived, so it was sent whatever the
	// machine's speed.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-arrived:
		case <-ctx.Done():
		}
		cancel()
	}()
	testwait.Returns(t, "a call to a provider that does not answer, after its context ended", func() {
		_, err = gw.Pay(ctx, e.payment("order-slow"))
	})
	if !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("a written request that timed out gave %v, want UnknownOutcome", err)
	}
}

func TestErrorCodesFromTrustly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cases := []struct {
		code int
		want error
	}{{616, paybridge.ErrUnauthenticated}, {636, paybridge.ErrUnauthenticated}, {620, paybridge.ErrInternal},
		{602, paybridge.ErrPermissionDenied}, {638, paybridge.ErrDeclined}, {615, paybridge.ErrInvalidRequest}}
	for i, c := range cases {
		e.sim.FailNextWith(c.code)
		_, err := e.gw.Pay(ctx, e.payment("order-err-"+string(rune('a'+i))))
		if !errors.Is(err, c.want) {
			t.Errorf("code %d gave %v, want %v", c.code, err, c.want)
			continue
		}
		if pe := providerError(t, err); pe.ProviderCode == "" || pe.Message == "" {
			t.Errorf("code %d: %+v", c.code, pe)
		}
	}
}

func TestWrongKeyIsRefusedAsSignatureError(t *testing.T) {
	other := trustlyKeyPEM(t)
	e := newEnv(t, func(c *trustly.Config) { c.PrivateKey = other })
	_, err := e.gw.Pay(context.Background(), e.payment("order-key"))
	if pe := providerError(t, err); pe.ProviderCode != "636" || pe.Code != provider.Unauthenticated || !strings.Contains(pe.Message, "signature") {
		t.Fatalf("got %v", err)
	}
}

func TestResponsesSignedWithAnotherKeyAreRejected(t *testing.T) {
	e := newEnv(t, func(c *trustly.Config) { c.TrustlyPublicKey = nil }) // the embedded TEST key
	_, err := e.gw.Pay(context.Background(), e.payment("order-wrongkey"))
	// The deposit was created; only its answer cannot be verified.
	if pe := providerError(t, err); pe.Code != provider.UnknownOutcome || !strings.Contains(pe.Message, "signature") {
		t.Fatalf("got %v", err)
	}
}

func TestFieldsTrustlyNeedsAreCheckedBeforeSending(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := e.sim.Requests()
	mut := map[string]func(*paybridge.PaymentRequest){
		"Payer.ID":        func(r *paybridge.PaymentRequest) { r.Payer.ID = "" },
		"Payer.FirstName": func(r *paybridge.PaymentRequest) { r.Payer.FirstName = "" },
		"Payer.Country":   func(r *paybridge.PaymentRequest) { r.Payer.Country = "" },
		"Payer.Locale":    func(r *paybridge.PaymentRequest) { r.Payer.Locale = "" },
		"NotificationURL": func(r *paybridge.PaymentRequest) { r.NotificationURL = "http://example.com/n" },
	}
	for field, m := range mut {
		req := e.payment("order-f")
		m(&req)
		_, err := e.gw.Pay(ctx, req)
		if pe := providerError(t, err); pe.Field != field || pe.Code != provider.InvalidRequest {
			t.Errorf("%s: got %v", field, err)
		}
	}
	req := e.payment("order-q")
	req.NotificationURL = e.notifyURL() + "?a=1"
	if _, err := e.gw.Pay(ctx, req); !errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Errorf("query in NotificationURL: %v", err)
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestRefundsArePendingAndBounded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, _ := e.gw.Pay(ctx, e.payment("order-ref"))
	_, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("1.00", "EUR")})
	if pe := providerError(t, err); pe.ProviderCode != "620" {
		t.Fatalf("refund of an unpaid deposit: %v", err)
	}
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	r, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("12.00", "EUR"), MerchantReference: "rf-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != paybridge.RefundPending || r.ProviderStatus != "1" || r.PaymentID != p.ID {
		t.Fatalf("refund %+v", r)
	}
	_, err = e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: money.MustNew("0.51", "EUR")})
	if pe := providerError(t, err); pe.ProviderCode != "615" || pe.Field != "Amount" || !errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Fatalf("over-refund: %v", err)
	}
	if got := e.sim.Balance("merchant", "EUR"); got != "0.50" {
		t.Fatalf("balance %s", got)
	}
}

func TestAccountsAndPayouts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	holder := paybridge.Person{ID: "u-9", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"}
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder, Account: paybridge.BankAccount{IBAN: trustlysim.TestIBAN}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != paybridge.VerificationVerified || v.AccountID == "" || v.Last4 != "7466" || v.BankName == "" {
		t.Fatalf("verification %+v", v)
	}
	again, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder, Account: paybridge.BankAccount{IBAN: trustlysim.TestIBAN}})
	if err != nil || again.AccountID != v.AccountID {
		t.Fatalf("the same details gave account %v (%v), want %s", again, err, v.AccountID)
	}
	_, err = e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder, Account: paybridge.BankAccount{IBAN: "XX00123"}})
	if pe := providerError(t, err); pe.Field != "Account.ClearingSystem" {
		t.Fatalf("unknown IBAN country: %v", err)
	}
	po, err := e.gw.Payout(ctx, paybridge.PayoutRequest{Amount: money.MustNew("3.00", "EUR"), AccountID: v.AccountID, Payee: holder,
		MerchantReference: "po-1", Description: "Shop payout", NotificationURL: e.notifyURL()})
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != paybridge.PayoutPending {
		t.Fatalf("payout %+v", po)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(kinds(evs, po.ID)) == 1 })
	if k := kinds(evs, po.ID); k[0] != notify.PayoutSucceeded {
		t.Fatalf("payout kinds %v", k)
	}
	_, err = e.gw.Payout(ctx, paybridge.PayoutRequest{Amount: money.MustNew("3.00", "EUR"), AccountID: v.AccountID,
		Payee: paybridge.Person{ID: "someone-else"}, MerchantReference: "po-2", Description: "Shop payout", NotificationURL: e.notifyURL()})
	if pe := providerError(t, err); pe.ProviderCode != "620" {
		t.Fatalf("payout to another end user's account: %v", err)
	}
	w, err := e.c.GetWithdrawals(ctx, po.ID)
	if err != nil || len(w) != 1 || w[0].TransferState != "EXECUTED" || w[0].Amount.String() != "3" {
		t.Fatalf("GetWithdrawals = %+v, %v", w, err)
	}
}

func TestInteractiveAccountSelection(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	holder := paybridge.Person{ID: "u-7", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"}
	req := paybridge.VerifyAccountRequest{Holder: holder, ReturnURL: "https://shop.example.com/r", NotificationURL: e.notifyURL()}
	ok, err := e.gw.VerifyAccount(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := e.gw.VerifyAccount(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if ok.Status != paybridge.VerificationRequiresAction || ok.RedirectURL == "" || bad.ID == ok.ID {
		t.Fatalf("%+v %+v", ok, bad)
	}
	if err := e.sim.EndUser().Approve(ctx, ok.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Decline(ctx, bad.RedirectURL); err != nil {
		t.Fatal(err)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(evs) == 2 })
	got := map[notify.Kind]notify.Event{}
	for _, ev := range evs {
		got[ev.Kind] = ev
	}
	if got[notify.AccountVerified].AccountID == "" || got[notify.AccountFailed].ProviderEvent != "cancel" {
		t.Fatalf("events %+v", evs)
	}
}

func TestMerchantCalls(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, _ := e.gw.Pay(ctx, e.payment("order-m"))
	if err := e.sim.EndUser().Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	bal, err := e.c.Balance(ctx)
	if err != nil || len(bal) != 1 || bal[0].Currency != "EUR" || bal[0].Amount.StringFixed(2) != "12.50" {
		t.Fatalf("Balance = %+v, %v", bal, err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	led, err := collect(e.c.AccountLedger(ctx, today, today.Add(24*time.Hour), "EUR"))
	if err != nil || len(led) != 1 || led[0].OrderID != p.ID || led[0].Amount.StringFixed(2) != "12.50" {
		t.Fatalf("AccountLedger = %+v, %v", led, err)
	}
	lines, err := collect(e.c.ViewAutomaticSettlementDetailsCSV(ctx, today, ""))
	if err != nil || len(lines) != 1 || lines[0].OrderID != p.ID || lines[0].Amount.StringFixed(2) != "12.50" {
		t.Fatalf("ViewAutomaticSettlementDetailsCSV = %+v, %v", lines, err)
	}
	requests := e.sim.Requests()
	if _, err := collect(e.c.AccountLedger(ctx, today, today, "")); err == nil || e.sim.Requests() != requests {
		t.Error("an empty date range was sent")
	}
	_, err = e.c.ApproveWithdrawal(ctx, "123")
	if pe := providerError(t, err); pe.ProviderCode != "620" {
		t.Fatalf("ApproveWithdrawal: %v", err)
	}
	_, err = e.c.CancelCharge(ctx, "123")
	if pe := providerError(t, err); pe.ProviderCode != "620" {
		t.Fatalf("CancelCharge: %v", err)
	}
}

// TestPayoutNeedsAShopperStatement: Trustly requires Attributes.ShopperStatement on
// AccountPayout; without a Description or Config.ShopperStatement nothing is sent.
func TestPayoutNeedsAShopperStatement(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	holder := paybridge.Person{ID: "u-s", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"}
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder, Account: paybridge.BankAccount{IBAN: trustlysim.TestIBAN}})
	if err != nil {
		t.Fatal(err)
	}
	req := paybridge.PayoutRequest{Amount: money.MustNew("1.00", "EUR"), AccountID: v.AccountID, Payee: holder,
		MerchantReference: "po-s", NotificationURL: e.notifyURL()}
	before := e.sim.Requests()
	_, err = e.gw.Payout(ctx, req)
	if pe := providerError(t, err); pe.Code != provider.InvalidRequest || pe.Field != "Description" {
		t.Fatalf("payout without a statement: %v", err)
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	e.cfg.ShopperStatement = "Shop"
	e.restart(t)
	if _, err := e.gw.Payout(ctx, req); err != nil {
		t.Fatalf("payout with Config.ShopperStatement: %v", err)
	}
}

// closeCounter is a RoundTripper that counts CloseIdleConnections calls.
type closeCounter struct {
	http.RoundTripper
	closes atomic.Int32
}

func (c *closeCounter) CloseIdleConnections() { c.closes.Add(1) }

// TestCloseLeavesTheCallersHTTPClientAlone: the HTTP client given in Config belongs to the
// caller (it may be shared); Close must not close its connections.
func TestCloseLeavesTheCallersHTTPClientAlone(t *testing.T) {
	rt := &closeCounter{RoundTripper: http.DefaultTransport}
	c, err := trustly.New(trustly.Config{Username: "u", Password: secret.New("p"), PrivateKey: trustlyKeyPEM(t),
		HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n := rt.closes.Load(); n != 0 {
		t.Fatalf("Close closed the caller's idle connections %d times", n)
	}
}

func TestUnsupportedReadsSayWhy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	caps := e.gw.Capabilities()
	for _, op := range []paybridge.Operation{paybridge.OpGetPayment, paybridge.OpGetRefund, paybridge.OpGetPayout,
		paybridge.OpGetAccountVerification, paybridge.OpCustomers} {
		if caps.Supports(op) || caps.Notes[op] == "" {
			t.Errorf("%s: supported=%v note=%q", op, caps.Supports(op), caps.Notes[op])
		}
	}
	if _, err := e.c.GetPayment(ctx, "1"); provider.CodeOf(err) != provider.NotSupported {
		t.Errorf("GetPayment: %v", err)
	}
	var c *trustly.Client
	if !e.gw.As(&c) || c != e.c {
		t.Fatal("Gateway.As did not reach the Client")
	}
	var other *http.Client
	if e.gw.As(&other) {
		t.Fatal("As set an unrelated target")
	}
	if err := e.gw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Balance(ctx); err == nil {
		t.Fatal("a closed client still called Trustly")
	}
}

func TestOpenByURL(t *testing.T) {
	t.Setenv(trustly.EnvPassword, "pw-from-env")
	t.Setenv(trustly.EnvPrivateKey, trustlyKeyPEM(t).Reveal())
	gw, err := paybridge.Open(context.Background(), "trustly://live?username=m&currencies=EUR,SEK")
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	var c *trustly.Client
	if !gw.As(&c) || c.Environment() != trustly.Live || len(gw.Capabilities().Currencies) != 2 {
		t.Fatalf("opened %v", c)
	}
	if _, err := paybridge.Open(context.Background(), "trustly://test?username=m&colour=red"); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("unknown parameter: %v", err)
	}
	if _, err := paybridge.Open(context.Background(), "trustly://staging?username=m"); err == nil {
		t.Fatal("unknown host accepted")
	}
}

// Gateways for different merchants keep their journal entries apart: the scope names the
// merchant's username, never a secret.
func TestJournalScopeNamesTheMerchant(t *testing.T) {
	e := newEnv(t)
	if got, want := e.gw.JournalScope(), "trustly/"+e.cfg.Username; got != want {
		t.Fatalf("JournalScope() = %q, want %q", got, want)
	}
}

// TestAmountsAboveTheCeilingAreRefusedBeforeSending: Pay, Refund and Payout refuse an
// amount above the adapter's ceiling naming the field, with nothing sent.
func TestAmountsAboveTheCeilingAreRefusedBeforeSending(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	huge := money.MustNew("92233720368547758.07", "EUR")
	holder := paybridge.Person{ID: "u-c", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"}
	before := e.sim.Requests()
	pay := e.payment("order-huge")
	pay.Amount = huge
	_, payErr := e.gw.Pay(ctx, pay)
	_, refundErr := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: "123", Amount: huge})
	_, payoutErr := e.gw.Payout(ctx, paybridge.PayoutRequest{AccountID: "456", Amount: huge, Payee: holder, Description: "Shop",
		MerchantReference: "po-huge", NotificationURL: e.notifyURL()})
	for name, err := range map[string]error{"Pay": payErr, "Refund": refundErr, "Payout": payoutErr} {
		if pe := providerError(t, err); pe.Code != provider.InvalidRequest || pe.Field != "Amount" {
			t.Errorf("%s of %s: %v; want InvalidRequest naming Amount", name, huge, err)
		}
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	pay = e.payment("order-ceiling")
	pay.Amount = money.MustNew("10000000.00", "EUR")
	if _, err := e.gw.Pay(ctx, pay); err != nil {
		t.Fatalf("Pay of the ceiling: %v", err)
	}
}
