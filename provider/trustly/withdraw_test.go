package trustly_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

// newWithdrawEnv is newEnv with a simulator whose withdrawals wait for ApproveWithdrawal
// or DenyWithdrawal (auto false) or are approved once their debit is answered OK, and a
// callback that answers a decision with decide.
func newWithdrawEnv(t *testing.T, auto bool, decide func(notify.Event) error) *env {
	t.Helper()
	e := newEnvSim(t, fastRetry, trustlysim.Options{Options: simkit.Options{RetryBase: 2 * time.Millisecond, RetryMax: 20 * time.Millisecond},
		AllowLoopbackHTTP: true, AutoApproveWithdrawals: auto})
	e.mu.Lock()
	e.decide = decide
	e.mu.Unlock()
	return e
}

func (e *env) withdrawal(ref string) paybridge.PayoutRequest {
	return paybridge.PayoutRequest{Amount: money.MustNew("12.50", "EUR"), MerchantReference: ref,
		ReturnURL: "https://shop.example.com/withdrawn", NotificationURL: e.notifyURL(),
		Payee:          paybridge.Person{ID: "u-1", FirstName: "Ada", LastName: "Lovelace", Country: "SE", Locale: "sv_SE"},
		IdempotencyKey: "key-" + ref}
}

// withdraw makes an interactive payout, has the payee choose the account on Trustly's
// page, and returns the payout and the simulator's delivery of its debit once answered.
func (e *env) withdraw(t *testing.T, ref string) (*paybridge.Payout, simkit.Delivery) {
	t.Helper()
	ctx := context.Background()
	po, err := e.gw.Payout(ctx, e.withdrawal(ref))
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != paybridge.PayoutPending || po.RedirectURL == "" || po.ID == "" || po.AccountID != "" {
		t.Fatalf("Payout = %+v, want pending with a RedirectURL and no account", po)
	}
	if err := e.sim.EndUser().Approve(ctx, po.RedirectURL); err != nil {
		t.Fatal(err)
	}
	d := e.settledDeliveries(t, po.ID, "debit")
	if len(d) != 1 {
		t.Fatalf("debit deliveries %+v, want one", d)
	}
	return po, d[0]
}

func decideWith(d notify.Decision) func(notify.Event) error {
	return func(ev notify.Event) error { return ev.Decide(d) }
}

// TestWithdrawSendsTheDocumentedRequest: Withdraw carries NotificationURL, EndUserID,
// MessageID and Currency, the person attributes, the amount as SuggestedMinAmount and
// SuggestedMaxAmount, and the ReturnURL as SuccessURL and FailURL; the answer's orderid
// and url are the payout's ID and RedirectURL.
func TestWithdrawSendsTheDocumentedRequest(t *testing.T) {
	e := newWithdrawEnv(t, false, nil)
	var sent trustly.Attributes
	req := e.withdrawal("wd-wire")
	req.Description = "Shop"
	req.BeforeSend = func(as func(any) bool) error {
		var a *trustly.Attributes
		if !as(&a) {
			return errors.New("no attributes")
		}
		sent = *a
		return nil
	}
	po, err := e.gw.Payout(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"SuggestedMinAmount": "12.50", "SuggestedMaxAmount": "12.50", "SuccessURL": req.ReturnURL,
		"FailURL": req.ReturnURL, "Firstname": "Ada", "Lastname": "Lovelace", "Country": "SE", "Locale": "sv_SE",
		"ShopperStatement": "Shop"}
	for k, v := range want {
		if sent[k] != v {
			t.Errorf("Attributes.%s = %v, want %q", k, sent[k], v)
		}
	}
	for _, k := range []string{"Amount", "SuggestedAmount"} {
		if _, ok := sent[k]; ok {
			t.Errorf("Attributes.%s sent", k)
		}
	}
	var r *trustly.OrderResult
	if !po.As(&r) || r.OrderID != po.ID || r.URL != po.RedirectURL {
		t.Fatalf("payout %+v, detail %+v", po, r)
	}
	// A hook may not change the amount the payee can choose, nor fix another one.
	for _, k := range []string{"SuggestedMaxAmount", "SuggestedAmount"} {
		req := e.withdrawal("wd-hook-" + k)
		req.BeforeSend = func(as func(any) bool) error {
			var a *trustly.Attributes
			as(&a)
			(*a)[k] = "99.00"
			return nil
		}
		if _, err := e.gw.Payout(context.Background(), req); !errors.Is(err, paybridge.ErrInvalidRequest) {
			t.Errorf("a hook setting %s: %v, want InvalidRequest", k, err)
		}
	}
}

// TestWithdrawContinueThenApprove: the debit reaches the application as payout.requested,
// Continue is answered OK, the withdrawal waits for approval, ApproveWithdrawal through
// Gateway.As pays it (payout.succeeded), and GetWithdrawals reports the transfer.
func TestWithdrawContinueThenApprove(t *testing.T) {
	e := newWithdrawEnv(t, false, decideWith(notify.Continue))
	po, debit := e.withdraw(t, "wd-continue")
	if !debit.Acknowledged || debit.Reply != "OK" {
		t.Fatalf("debit delivery %+v, want answered OK", debit)
	}
	evs := e.eventsFor(po.ID)
	if len(evs) != 1 || evs[0].Kind != notify.PayoutRequested || evs[0].PayoutID != po.ID ||
		!evs[0].Amount.Equal(po.Amount) || evs[0].MerchantReference != "wd-continue" {
		t.Fatalf("events %v", eventKinds(evs))
	}
	if !e.sim.HeldWithdrawal(po.ID) {
		t.Fatal("the withdrawal does not wait for approval")
	}
	if b := e.sim.Balance("merchant", "EUR"); b != "-12.50" {
		t.Fatalf("balance %s, want -12.50 once the debit was accepted", b)
	}
	var c *trustly.Client
	if !e.gw.As(&c) {
		t.Fatal("Gateway.As does not reach the Client")
	}
	ctx := context.Background()
	rows, err := c.GetWithdrawals(ctx, po.ID)
	if err != nil || len(rows) != 1 || rows[0].TransferState != "PENDING" {
		t.Fatalf("GetWithdrawals before approval: %+v, %v", rows, err)
	}
	ok, err := c.ApproveWithdrawal(ctx, po.ID)
	if err != nil || !ok {
		t.Fatalf("ApproveWithdrawal: %v, %v", ok, err)
	}
	evs = e.waitEvents(t, func(evs []notify.Event) bool { return len(kinds(evs, po.ID)) == 2 })
	if k := kinds(evs, po.ID); k[1] != notify.PayoutSucceeded {
		t.Fatalf("events %v, want payout.requested then payout.succeeded", k)
	}
	rows, err = c.GetWithdrawals(ctx, po.ID)
	if err != nil || len(rows) != 1 || rows[0].TransferState != "EXECUTED" || rows[0].OrderID != po.ID ||
		rows[0].AccountID == "" || rows[0].Amount.String() != "12.5" || rows[0].Currency != "EUR" {
		t.Fatalf("GetWithdrawals after approval: %+v, %v", rows, err)
	}
	if m := e.sim.Movements(); len(m) != 1 || m[0].Kind != "Withdraw" || m[0].ID != po.ID {
		t.Fatalf("movements %+v", m)
	}
	// Approving again sends the identical request, which Trustly answers as the first
	// time; denying an approved withdrawal is refused.
	if ok, err := c.ApproveWithdrawal(ctx, po.ID); err != nil || !ok {
		t.Fatalf("ApproveWithdrawal repeated: %v, %v", ok, err)
	}
	if _, err := c.DenyWithdrawal(ctx, po.ID); providerCode(err) != "620" {
		t.Fatalf("DenyWithdrawal of an approved withdrawal: %v, want error 620", err)
	}
	if k := kinds(e.waitEvents(t, func([]notify.Event) bool { return true }), po.ID); len(k) != 2 {
		t.Fatalf("events %v after the repeated calls", k)
	}
}

// providerCode is the Trustly error code an error carries, "" when none.
func providerCode(err error) string {
	var pe *provider.Error
	if errors.As(err, &pe) {
		return pe.ProviderCode
	}
	return ""
}

// TestWithdrawDeny: DenyWithdrawal through Gateway.As returns the money: a credit, which
// is payout.failed, and the merchant's balance is whole again.
func TestWithdrawDeny(t *testing.T) {
	e := newWithdrawEnv(t, false, decideWith(notify.Continue))
	po, _ := e.withdraw(t, "wd-deny")
	var c *trustly.Client
	if !e.gw.As(&c) {
		t.Fatal("Gateway.As does not reach the Client")
	}
	ctx := context.Background()
	ok, err := c.DenyWithdrawal(ctx, po.ID)
	if err != nil || !ok {
		t.Fatalf("DenyWithdrawal: %v, %v", ok, err)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(kinds(evs, po.ID)) == 2 })
	if k := kinds(evs, po.ID); k[0] != notify.PayoutRequested || k[1] != notify.PayoutFailed {
		t.Fatalf("events %v, want payout.requested then payout.failed", k)
	}
	if b := e.sim.Balance("merchant", "EUR"); b != "0.00" {
		t.Fatalf("balance %s, want 0.00", b)
	}
	if m := e.sim.Movements(); len(m) != 0 {
		t.Fatalf("movements %+v", m)
	}
	rows, err := c.GetWithdrawals(ctx, po.ID)
	if err != nil || len(rows) != 1 || rows[0].TransferState != "FAILED" {
		t.Fatalf("GetWithdrawals after denial: %+v, %v", rows, err)
	}
}

// TestWithdrawDebitFailedUnlessContinued: Abort, and a callback that decides nothing, are
// answered FAILED; the withdrawal is canceled (payout.failed) and no money moves.
func TestWithdrawDebitFailedUnlessContinued(t *testing.T) {
	for name, decide := range map[string]func(notify.Event) error{
		"abort":     decideWith(notify.Abort),
		"undecided": nil,
	} {
		t.Run(name, func(t *testing.T) {
			e := newWithdrawEnv(t, true, decide)
			po, debit := e.withdraw(t, "wd-"+name)
			if !debit.Acknowledged || debit.Reply != "FAILED" {
				t.Fatalf("debit delivery %+v, want answered FAILED", debit)
			}
			evs := e.waitEvents(t, func(evs []notify.Event) bool { return len(kinds(evs, po.ID)) == 2 })
			if k := kinds(evs, po.ID); k[0] != notify.PayoutRequested || k[1] != notify.PayoutFailed {
				t.Fatalf("events %v, want payout.requested then payout.failed", k)
			}
			if e.sim.HeldWithdrawal(po.ID) {
				t.Fatal("a withdrawal whose debit was answered FAILED waits for approval")
			}
			if b := e.sim.Balance("merchant", "EUR"); b != "0.00" {
				t.Fatalf("balance %s, want 0.00", b)
			}
			if m := e.sim.Movements(); len(m) != 0 {
				t.Fatalf("movements %+v", m)
			}
			var c *trustly.Client
			e.gw.As(&c)
			if _, err := c.ApproveWithdrawal(context.Background(), po.ID); providerCode(err) != "620" {
				t.Fatalf("ApproveWithdrawal of an aborted withdrawal: %v, want error 620", err)
			}
		})
	}
}

// TestWithdrawFailedCallbackIsRedelivered: a callback that fails gets no signed answer,
// even when it had decided Continue: Trustly delivers the debit again, and the callback's
// next decision is sent.
func TestWithdrawFailedCallbackIsRedelivered(t *testing.T) {
	runs := 0
	e := newWithdrawEnv(t, true, func(ev notify.Event) error {
		runs++
		if err := ev.Decide(notify.Continue); err != nil {
			return err
		}
		if runs == 1 {
			return errors.New("ledger unavailable")
		}
		return nil
	})
	po, debit := e.withdraw(t, "wd-retry")
	if debit.Attempts != 2 || debit.Reply != "OK" {
		t.Fatalf("debit delivery %+v, want answered OK at the second attempt", debit)
	}
	evs := e.waitEvents(t, func(evs []notify.Event) bool { return slices.Contains(kinds(evs, po.ID), notify.PayoutSucceeded) })
	if k := kinds(evs, po.ID); len(k) != 2 || k[0] != notify.PayoutRequested {
		t.Fatalf("events %v", k)
	}
}

// TestWithdrawOfAnotherMerchantIsFailed: another merchant's withdrawal debit, which
// Trustly signs with the key that signs ours, posted to our notification URL never
// reaches our application and is answered FAILED; nor can we approve that withdrawal.
func TestWithdrawOfAnotherMerchantIsFailed(t *testing.T) {
	e := newWithdrawEnv(t, false, decideWith(notify.Continue))
	other := paybridge.New(e.otherMerchant(t, "other"), paybridge.WithRetry(fastRetry))
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "not now", http.StatusServiceUnavailable)
	}))
	t.Cleanup(elsewhere.Close)
	ctx := context.Background()
	req := e.withdrawal("wd-foreign")
	req.NotificationURL = elsewhere.URL + "/other"
	po, err := other.Payout(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, po.RedirectURL); err != nil {
		t.Fatal(err)
	}
	var body []byte
	testwait.For(t, "the other merchant's debit", func() bool {
		for _, d := range e.sim.Deliveries() {
			if d.ObjectID == po.ID && d.Event == "debit" {
				body = d.Body
				return true
			}
		}
		return false
	})
	resp, err := http.Post(e.notifyURL(), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var n struct {
		Params struct{ UUID string } `json:"params"`
	}
	if err := json.Unmarshal(body, &n); err != nil {
		t.Fatal(err)
	}
	mk, err := wire.ParsePrivateKey(e.creds.PrivateKey.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	status, err := wire.DecodeNotificationReply(reply, &mk.PublicKey, "debit", n.Params.UUID)
	if err != nil || resp.StatusCode != http.StatusOK || status != "FAILED" {
		t.Fatalf("reply %d %s: %q, %v; want a signed FAILED", resp.StatusCode, reply, status, err)
	}
	if evs := e.eventsFor(po.ID); len(evs) != 0 {
		t.Fatalf("another merchant's withdrawal reached the application: %v", eventKinds(evs))
	}
	var c *trustly.Client
	e.gw.As(&c)
	if _, err := c.ApproveWithdrawal(ctx, po.ID); providerCode(err) != "620" {
		t.Fatalf("ApproveWithdrawal of another merchant's order: %v, want error 620", err)
	}
}

// TestWithdrawNeedsTheReturnURL: the Gateway refuses a payout with neither AccountID nor
// ReturnURL; the adapter refuses a ReturnURL with an AccountID. Nothing is sent.
func TestWithdrawNeedsTheReturnURL(t *testing.T) {
	e := newWithdrawEnv(t, false, nil)
	req := e.withdrawal("wd-no-url")
	req.ReturnURL = ""
	before := e.sim.Requests()
	if _, err := e.gw.Payout(context.Background(), req); !errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Fatalf("no AccountID, no ReturnURL: %v", err)
	}
	c, err := trustly.New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	req = e.withdrawal("wd-both")
	req.AccountID = "123"
	if _, err := c.Payout(context.Background(), &req); provider.CodeOf(err) != provider.InvalidRequest {
		t.Fatalf("AccountID and ReturnURL: %v", err)
	}
	// Withdraw requires a MessageID (project fact file trustly-jsonrpc.md §4.3), by which
	// a debit overtaking the Payout's answer is tied to the call.
	req = e.withdrawal("")
	req.IdempotencyKey = "key-wd-no-ref"
	if _, err := c.Payout(context.Background(), &req); providerError(t, err).Field != "MerchantReference" {
		t.Fatalf("no MerchantReference: %v", err)
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// debitData is a debit notification of order 555 for amount.
func debitData(amount string) map[string]any {
	return map[string]any{"amount": amount, "currency": "EUR", "messageid": "wd-1", "orderid": "555", "enduserid": "u-1",
		"notificationid": "7001", "timestamp": "2024-01-20 14:42:04.675645+01", "attributes": map[string]any{}}
}

// debitReply verifies a debit with calls as the Gateway's record and returns the
// notification and the status its reply carries for decision d.
func debitReply(t *testing.T, calls provider.Calls, amount string, d notify.Decision) (*notify.Notification, string) {
	t.Helper()
	c, merchantPub := notifyClient(t)
	ctx := context.Background()
	if calls != nil {
		ctx = provider.WithCalls(ctx, calls)
	}
	n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, "debit", debitData(amount))})
	if err != nil {
		t.Fatal(err)
	}
	n.Decision = d
	rep, err := c.NotificationReply(n, notify.Processed)
	if err != nil {
		t.Fatal(err)
	}
	status, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "debit", docUUID)
	if err != nil || rep.StatusCode != http.StatusOK {
		t.Fatalf("reply %d %s: %v", rep.StatusCode, rep.Body, err)
	}
	return n, status
}

// TestDebitReplies: a debit of a Withdraw order (the journal says a Payout made it) asks
// for a decision and is answered OK only on Continue; one of another amount than the
// payout's is not the merchant's and is answered FAILED whatever was decided; a deposit's
// debit (a reversal) is answered OK; a debit of an order nothing places is FAILED.
func TestDebitReplies(t *testing.T) {
	eur := money.MustNew("12.50", "EUR")
	withdraw := &recordedCalls{calls: []provider.Call{{Op: provider.OpPayout, Key: "k", Reference: "wd-1", ProviderID: "555",
		Amount: eur, Settled: true}}, marks: map[string]string{}}
	for _, c := range []struct {
		decision notify.Decision
		want     string
	}{{notify.Continue, "OK"}, {notify.Abort, "FAILED"}, {notify.Undecided, "FAILED"}} {
		n, status := debitReply(t, withdraw, "12.50", c.decision)
		if n.Event.Kind != notify.PayoutRequested || n.Event.PayoutID != "555" || !n.AsksDecision || n.NotOurs != nil {
			t.Fatalf("event %s asks %v not ours %v", brief(n.Event), n.AsksDecision, n.NotOurs)
		}
		if status != c.want {
			t.Errorf("%v: answered %q, want %q", c.decision, status, c.want)
		}
	}
	n, status := debitReply(t, withdraw, "99.00", notify.Continue)
	if n.NotOurs == nil || status != "FAILED" {
		t.Fatalf("a debit of another amount: not ours %v, answered %q; want not ours and FAILED", n.NotOurs, status)
	}
	deposit := &recordedCalls{calls: []provider.Call{{Op: provider.OpPay, Key: "k", Reference: "wd-1", ProviderID: "555",
		Amount: eur, Settled: true}}, marks: map[string]string{}}
	n, status = debitReply(t, deposit, "12.50", notify.Undecided)
	if n.Event.Kind != notify.PaymentFailed || n.AsksDecision || status != "OK" {
		t.Fatalf("a deposit's debit: %s asks %v, answered %q; want payment.failed answered OK", brief(n.Event), n.AsksDecision, status)
	}
	for name, calls := range map[string]provider.Calls{"no record": nil,
		"another merchant's order": &recordedCalls{marks: map[string]string{}}} {
		n, status = debitReply(t, calls, "12.50", notify.Continue)
		if n.Event.Kind == notify.PayoutRequested || status != "FAILED" {
			t.Errorf("%s: %s answered %q, want FAILED", name, brief(n.Event), status)
		}
	}
}

// withCalls verifies notifications with the Client, offering it calls as the Gateway's
// record, as the Gateway's NotificationHandler does.
type withCalls struct {
	*trustly.Client
	calls provider.Calls
}

func (v withCalls) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	return v.Client.VerifyNotification(provider.WithCalls(ctx, v.calls), r)
}

// TestDebitOfAnotherAmountNeverReachesTheApplication: a debit of a Withdraw order for
// another amount than the payout's is acknowledged FAILED by the Handler and never
// passed to the callback, even one that would let every payout go on.
func TestDebitOfAnotherAmountNeverReachesTheApplication(t *testing.T) {
	c, merchantPub := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPayout, Key: "k", Reference: "wd-1", ProviderID: "555",
		Amount: money.MustNew("12.50", "EUR"), Settled: true}}, marks: map[string]string{}}
	var delivered []notify.Event
	h := notify.NewHandler(withCalls{c, calls}, func(_ context.Context, ev notify.Event) error {
		delivered = append(delivered, ev)
		return ev.Decide(notify.Continue)
	})
	for _, tc := range []struct{ amount, want string }{{"99.00", "FAILED"}, {"12.50", "OK"}} {
		data := debitData(tc.amount)
		data["notificationid"] = "n-" + tc.amount
		data["timestamp"] = time.Now().UTC().Format("2006-01-02 15:04:05.000000") + "+00" // within the Handler's maximum age
		rep, _ := h.Process(context.Background(), &notify.Request{Method: http.MethodPost, Body: signed(t, "debit", data)})
		if rep == nil {
			t.Fatalf("%s: no reply", tc.amount)
		}
		status, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "debit", docUUID)
		if err != nil || status != tc.want {
			t.Fatalf("debit of %s answered %q (%v), want %s", tc.amount, status, err, tc.want)
		}
	}
	if len(delivered) != 1 || !delivered[0].Amount.Equal(money.MustNew("12.50", "EUR")) {
		t.Fatalf("delivered %d events, want only the debit of the payout's amount", len(delivered))
	}
}

// TestSecondDebitOfAWithdrawIsFailed: a Withdraw is debited once. A debit of its order
// under another notificationid than the first one's is never answered OK, whatever the
// application would decide, nor passed to it; the first debit, delivered again, is
// answered as the application decided the first time, without asking it again.
func TestSecondDebitOfAWithdrawIsFailed(t *testing.T) {
	c, merchantPub := notifyClient(t)
	calls := &recordedCalls{calls: []provider.Call{{Op: provider.OpPayout, Key: "k", Reference: "wd-1", ProviderID: "555",
		Amount: money.MustNew("12.50", "EUR"), Settled: true}}, marks: map[string]string{}}
	var delivered []string
	h := notify.NewHandler(withCalls{c, calls}, func(_ context.Context, ev notify.Event) error {
		delivered = append(delivered, ev.ID)
		return ev.Decide(notify.Continue)
	})
	for _, tc := range []struct{ id, want string }{{"7001", "OK"}, {"7002", "FAILED"}, {"7001", "OK"}} {
		data := debitData("12.50")
		data["notificationid"] = tc.id
		data["timestamp"] = time.Now().UTC().Format("2006-01-02 15:04:05.000000") + "+00"
		rep, _ := h.Process(context.Background(), &notify.Request{Method: http.MethodPost, Body: signed(t, "debit", data)})
		if rep == nil {
			t.Fatalf("debit %s: no reply", tc.id)
		}
		status, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "debit", docUUID)
		if err != nil || status != tc.want {
			t.Fatalf("debit %s answered %q (%v), want %s", tc.id, status, err, tc.want)
		}
	}
	if !slices.Equal(delivered, []string{"7001"}) {
		t.Fatalf("delivered %v, want the first debit once and never the second", delivered)
	}
}

// TestDirectDebitRefundDebitOfAnotherOrderIsFailed: a debit flagged as a direct-debit
// refund is answered OK only on an order the journal records as the merchant's deposit or
// charge. On a Withdraw's order, or an order no call made, it may be a payee asking for
// money, and is FAILED.
func TestDirectDebitRefundDebitOfAnotherOrderIsFailed(t *testing.T) {
	eur := money.MustNew("12.50", "EUR")
	c, merchantPub := notifyClient(t)
	for name, tc := range map[string]struct {
		calls provider.Calls
		want  string
	}{
		"charge":   {&recordedCalls{calls: []provider.Call{{Op: provider.OpCharge, Key: "k", Reference: "wd-1", ProviderID: "555", Amount: eur, Settled: true}}}, "OK"},
		"withdraw": {&recordedCalls{calls: []provider.Call{{Op: provider.OpPayout, Key: "k", Reference: "wd-1", ProviderID: "555", Amount: eur, Settled: true}}}, "FAILED"},
		"none":     {&recordedCalls{}, "FAILED"},
	} {
		data := debitData("12.50")
		data["attributes"] = map[string]any{"refund": "1"}
		n, err := c.VerifyNotification(provider.WithCalls(context.Background(), tc.calls),
			&notify.Request{Method: http.MethodPost, Body: signed(t, "debit", data)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rep, err := c.NotificationReply(n, notify.Processed)
		if err != nil {
			t.Fatal(err)
		}
		status, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "debit", docUUID)
		if err != nil || status != tc.want {
			t.Errorf("%s: a direct-debit refund's debit answered %q (%v), want %s", name, status, err, tc.want)
		}
	}
}
