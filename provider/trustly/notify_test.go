package trustly_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/secret"
)

var (
	tkOnce   sync.Once
	tkPriv   *rsa.PrivateKey
	tkPubPEM []byte
)

// trustlySide returns a key pair standing in for Trustly's.
func trustlySide(t testing.TB) (*rsa.PrivateKey, []byte) {
	t.Helper()
	tkOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		tkPriv, tkPubPEM = k, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	})
	return tkPriv, tkPubPEM
}

// notifyClient returns a Client that trusts trustlySide's key, and the merchant public key.
func notifyClient(t testing.TB) (*trustly.Client, *rsa.PublicKey) {
	t.Helper()
	_, pub := trustlySide(t)
	keyPEM := trustlyKeyPEM(t)
	c, err := trustly.New(trustly.Config{Username: "m", Password: secret.New("p"), PrivateKey: keyPEM, TrustlyPublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	mk, err := wire.ParsePrivateKey(keyPEM.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return c, &mk.PublicKey
}

func signed(t testing.TB, method string, data map[string]any) []byte {
	t.Helper()
	priv, _ := trustlySide(t)
	b, err := wire.EncodeNotification(priv, method, "258a2184-2842-b485-25ca-293525152425", data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// brief describes an event without its raw body.
func brief(ev notify.Event) string {
	return fmt.Sprintf("kind=%s id=%s payment=%q refund=%q payout=%q amount=%v ref=%q method=%s",
		ev.Kind, ev.ID, ev.PaymentID, ev.RefundID, ev.PayoutID, ev.Amount, ev.MerchantReference, ev.ProviderEvent)
}

func credit(orderID, notificationID string) map[string]any {
	return map[string]any{"amount": "902.50", "currency": "EUR", "messageid": "m-1", "orderid": orderID,
		"enduserid": "u-1", "notificationid": notificationID, "timestamp": "2010-01-20 14:42:04.675645+01", "attributes": map[string]any{}}
}

// recordedCalls is a provider.Calls over a fixed set of calls, with marks in a map.
type recordedCalls struct {
	calls []provider.Call
	marks map[string]string
	err   error // returned by every method when set
}

func (r *recordedCalls) ByProviderID(_ context.Context, id string) (provider.Call, bool, error) {
	for _, c := range r.calls {
		if c.ProviderID == id {
			return c, true, r.err
		}
	}
	return provider.Call{}, false, r.err
}

func (r *recordedCalls) ByReference(_ context.Context, ref string) ([]provider.Call, error) {
	var out []provider.Call
	for _, c := range r.calls {
		if c.Reference == ref {
			out = append(out, c)
		}
	}
	return out, r.err
}

func (r *recordedCalls) Children(_ context.Context, paymentID string, op provider.Operation) ([]provider.Call, error) {
	var out []provider.Call
	for _, c := range r.calls {
		if c.Op == op && c.Parent == paymentID {
			out = append(out, c)
		}
	}
	return out, r.err
}

func (r *recordedCalls) MarkKept(ctx context.Context, name, key, value string) (string, error) {
	return r.Mark(ctx, name, key, value)
}

func (r *recordedCalls) Mark(_ context.Context, name, key, value string) (string, error) {
	if r.err != nil {
		return "", r.err
	}
	if r.marks == nil {
		r.marks = map[string]string{}
	}
	if v, ok := r.marks[name+"/"+key]; ok {
		return v, nil
	}
	r.marks[name+"/"+key] = value
	return value, nil
}

func (r *recordedCalls) Marked(_ context.Context, name, key string) (string, error) {
	return r.marks[name+"/"+key], r.err
}

// TestNotificationKinds reads each notification method on orders the Gateway's journal
// records as a deposit, a payout and an account selection.
func TestNotificationKinds(t *testing.T) {
	c, _ := notifyClient(t)
	eur := func(s string) money.Amount { return money.MustNew(s, "EUR") }
	rec := &recordedCalls{calls: []provider.Call{
		{Op: provider.OpPay, Key: "k-111", Reference: "m-1", ProviderID: "111", Amount: eur("902.50"), Settled: true},
		{Op: provider.OpPay, Key: "k-115", Reference: "m-5", ProviderID: "115", Amount: eur("902.50"), Settled: true},
		// Its answer has not been recorded yet: only the MessageID it sent names it.
		{Op: provider.OpPay, Key: "k-117", Reference: "m-7", Amount: eur("902.50")},
		{Op: provider.OpPayout, Key: "k-120", Reference: "p-1", ProviderID: "120", Amount: eur("902.50"), Settled: true},
		{Op: provider.OpVerifyAccount, Key: "k-130", Reference: "sa-1", ProviderID: "130", Settled: true},
		{Op: provider.OpRefund, Key: "r-111-full", Parent: "111", Amount: eur("902.50"), Settled: true},
		{Op: provider.OpRefund, Key: "r-111-part", Parent: "111", Amount: eur("100.00"), Settled: true},
	}}
	ctx := provider.WithCalls(context.Background(), rec)
	verify := func(method string, data map[string]any) notify.Event {
		t.Helper()
		n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, method, data)})
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if n.NotOurs != nil {
			t.Fatalf("%s %s: marked not ours: %v", method, n.ID, n.NotOurs)
		}
		return n.Event
	}
	notOurs := func(method string, data map[string]any) {
		t.Helper()
		n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, method, data)})
		if err != nil || n.NotOurs == nil {
			t.Fatalf("%s: %v, %+v; want it marked not ours", method, err, n)
		}
	}
	pending := credit("111", "n0")
	delete(pending, "attributes")
	if ev := verify("pending", pending); ev.Kind != notify.PaymentPending || ev.PaymentID != "111" {
		t.Fatalf("pending: %s", brief(ev))
	}
	ev := verify("credit", credit("111", "n1"))
	if ev.Kind != notify.PaymentSucceeded || ev.PaymentID != "111" || ev.ID != "n1" || ev.MerchantReference != "m-1" ||
		!ev.Amount.Equal(eur("902.50")) || ev.OccurredAt.Year() != 2010 {
		t.Fatalf("credit: %s", brief(ev))
	}
	var data *trustly.NotificationData
	if !ev.As(&data) || data.Method != "credit" || data.OrderID != "111" || data.MessageID != "m-1" || data.Amount != "902.50" ||
		data.Currency != "EUR" || data.NotificationID != "n1" {
		t.Fatalf("Event.As reaches %+v", data)
	}
	// A redelivery of that credit reads the same; another credit on the credited deposit
	// returns the money of a refund, and a cancel reports a refund's failure.
	if ev := verify("credit", credit("111", "n1")); ev.Kind != notify.PaymentSucceeded {
		t.Fatalf("redelivered credit: %s", brief(ev))
	}
	if ev := verify("credit", credit("111", "n1b")); ev.Kind != notify.RefundFailed || ev.PaymentID != "111" || ev.RefundID == "" {
		t.Fatalf("second credit on a credited deposit: %s", brief(ev))
	}
	if ev := verify("cancel", map[string]any{"orderid": "111", "notificationid": "n0c"}); ev.Kind != notify.RefundFailed || ev.RefundID == "" {
		t.Fatalf("cancel of a credited deposit: %s", brief(ev))
	}
	// A credit or payoutconfirmation of an amount no refund of the deposit has reports
	// nothing the merchant did.
	stray := credit("111", "n1c")
	stray["amount"] = "1.00"
	notOurs("credit", stray)
	stray["notificationid"] = "n1d"
	notOurs("payoutconfirmation", stray)
	d := credit("113", "n3")
	d["refund"] = "1"
	if ev := verify("credit", d); ev.Kind != notify.RefundFailed || ev.PaymentID != "113" {
		t.Fatalf("direct-debit refund credit: %s", brief(ev))
	}
	pending = credit("115", "n5")
	pending["messageid"] = "m-5"
	if ev := verify("pending", pending); ev.Kind != notify.PaymentPending {
		t.Fatalf("pending: %s", brief(ev))
	}
	if ev := verify("cancel", map[string]any{"orderid": "115", "notificationid": "n6"}); ev.Kind != notify.PaymentFailed {
		t.Fatalf("cancel after pending: %s", brief(ev))
	}
	early := credit("117", "n8")
	early["messageid"] = "m-7"
	// Found by its MessageID alone, it may be another merchant's order: Trustly is asked to
	// deliver it again, and the orderid the Pay's answer records decides.
	if _, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, "credit", early)}); !errors.Is(err, notify.ErrRetryLater) {
		t.Fatalf("credit before the Pay's answer was recorded: %v; want ErrRetryLater", err)
	}
	rec.calls[2].ProviderID, rec.calls[2].Settled = "117", true
	if ev := verify("credit", early); ev.Kind != notify.PaymentSucceeded || ev.PaymentID != "117" {
		t.Fatalf("credit redelivered after the Pay's answer was recorded: %s", brief(ev))
	}
	// A cancel after the credit is a refund's, and 117 has none.
	notOurs("cancel", map[string]any{"orderid": "117", "messageid": "m-7", "notificationid": "n8c"})
	payout := credit("120", "n20")
	payout["messageid"] = "p-1"
	if ev := verify("credit", payout); ev.Kind != notify.PayoutFailed || ev.PayoutID != "120" {
		t.Fatalf("credit of a payout: %s", brief(ev))
	}
	payout["notificationid"] = "n21"
	if ev := verify("payoutconfirmation", payout); ev.Kind != notify.PayoutSucceeded || ev.PayoutID != "120" {
		t.Fatalf("payoutconfirmation of a payout: %s", brief(ev))
	}
	if ev := verify("cancel", map[string]any{"orderid": "130", "notificationid": "n30"}); ev.Kind != notify.AccountFailed {
		t.Fatalf("cancel of an account selection: %s", brief(ev))
	}
	acct := map[string]any{"orderid": "130", "notificationid": "n7", "messageid": "sa-1", "accountid": "999", "verified": "0",
		"attributes": map[string]any{"clearinghouse": "SWEDEN", "bank": "SEB", "descriptor": "**** *084057", "lastdigits": "084057",
			"directdebitmandate": 0}}
	ev = verify("account", acct)
	if ev.Kind != notify.AccountFailed || ev.AccountID != "999" || ev.VerificationID != "130" {
		t.Fatalf("account: %s", brief(ev))
	}
	var account *trustly.NotificationData
	if !ev.As(&account) || account.Bank != "SEB" || account.ClearingHouse != "SWEDEN" || account.LastDigits != "084057" ||
		account.Descriptor != "**** *084057" || account.DirectDebitMandate != "0" || account.AccountID != "999" || account.Verified != "0" {
		t.Fatalf("the account notification's data: %+v", account)
	}
	if ev.Identity != nil || account.Holder != nil {
		t.Fatalf("an account notification without Lean KYC data reported a holder: %+v, %+v", ev.Identity, account.Holder)
	}
	// With Lean KYC the account notification names the holder
	// (https://eu.developers.trustly.com/doc/reference/account-notification).
	kycAcct := map[string]any{"orderid": "130", "notificationid": "n7k", "messageid": "sa-1", "accountid": "999", "verified": "1",
		"attributes": map[string]any{"clearinghouse": "SWEDEN", "bank": "SEB", "descriptor": "**** *084057", "lastdigits": "084057",
			"personid": "SE198201019876", "name": "John Doe", "address": "Examplestreet 1", "zipcode": "12345", "city": "Examplecity"}}
	ev = verify("account", kycAcct)
	want := notify.Identity{NationalID: "SE198201019876", Name: "John Doe", Street: "Examplestreet 1", PostalCode: "12345", City: "Examplecity"}
	if ev.Kind != notify.AccountVerified || ev.Identity == nil || *ev.Identity != want {
		t.Fatalf("Lean KYC account notification: %s, identity %+v", brief(ev), ev.Identity)
	}
	if !ev.As(&account) || account.Holder == nil || *account.Holder != want {
		t.Fatalf("Lean KYC account notification's data: %+v", account)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, account); strings.Contains(out, "Doe") || strings.Contains(out, "198201019876") {
			t.Fatalf("%s of the notification's data prints the holder: %s", verb, out)
		}
	}
	// Notifications of an order no recorded call created are marked not ours, whatever
	// their method: the Handler acknowledges them and never delivers them.
	for method, data := range map[string]map[string]any{
		"pending":     credit("199", "f1"),
		"credit":      credit("199", "f2"),
		"account":     {"orderid": "199", "notificationid": "f3", "messageid": "x", "accountid": "1", "verified": "1"},
		"kyc":         {"orderid": "199", "notificationid": "f4", "messageid": "x", "kycentityid": "k"},
		"futurething": {"orderid": "199", "notificationid": "f5", "messageid": "x"},
	} {
		n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, method, data)})
		if err != nil || n.NotOurs == nil || !strings.Contains(n.NotOurs.Error(), "199") {
			t.Errorf("%s of an order no call created: %v, %+v; want it marked not ours", method, err, n)
		}
	}
	// kyc concerns the deposit and waits for the application's decision (see kyc_test.go).
	kyc := map[string]any{"orderid": "111", "notificationid": "n9", "messageid": "m-1", "kycentityid": "k"}
	n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, "kyc", kyc)})
	if err != nil || n.Event.Kind != notify.PaymentIdentified || n.Event.PaymentID != "111" || !n.AsksDecision {
		t.Fatalf("kyc: %v %+v", err, n)
	}
	// kyc of a payout's order is nothing the application can decide on: denied.
	kyc = map[string]any{"orderid": "120", "notificationid": "n9b", "messageid": "p-1", "kycentityid": "k"}
	n, err = c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, "kyc", kyc)})
	if err != nil || n.Event.Kind != notify.Other || n.AsksDecision {
		t.Fatalf("kyc of a payout: %v %+v", err, n)
	}
	rep, err := c.NotificationReply(n, notify.Processed)
	if err != nil || !bytes.Contains(rep.Body, []byte(`"status":"FINISH"`)) {
		t.Fatalf("kyc reply %s, %v", rep.Body, err)
	}
}

// TestRefundNotifications: a refund's outcome arrives on its deposit's order. Each reaches
// the application as the outcome of one recorded refund — the oldest with its amount that
// no other notification reported on — and a redelivery names the same refund.
func TestRefundNotifications(t *testing.T) {
	c, _ := notifyClient(t)
	eur := func(s string) money.Amount { return money.MustNew(s, "EUR") }
	rec := &recordedCalls{calls: []provider.Call{
		{Op: provider.OpPay, Key: "k-300", Reference: "m-300", ProviderID: "300", Amount: eur("100.00"), Settled: true},
		{Op: provider.OpRefund, Key: "r-1", Parent: "300", Amount: eur("10.00"), Settled: true},
		{Op: provider.OpRefund, Key: "r-2", Parent: "300", Amount: eur("10.00"), Settled: true},
		{Op: provider.OpRefund, Key: "r-3", Parent: "300", Amount: eur("100.00")},
	}}
	ctx := provider.WithCalls(context.Background(), rec)
	verify := func(method, id, amount string) notify.Event {
		t.Helper()
		data := map[string]any{"orderid": "300", "messageid": "m-300", "notificationid": id, "currency": "EUR", "amount": amount}
		if amount == "" {
			delete(data, "currency")
			delete(data, "amount")
		}
		n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, method, data)})
		if err != nil {
			t.Fatalf("%s %s: %v", method, id, err)
		}
		return n.Event
	}
	// A refund made before the deposit's credit waits for it: the first credit of the
	// deposit's amount is the deposit's own.
	if ev := verify("credit", "c-1", "100.00"); ev.Kind != notify.PaymentSucceeded {
		t.Fatalf("deposit's credit: %s", brief(ev))
	}
	first := verify("payoutconfirmation", "pc-1", "10.00")
	second := verify("payoutconfirmation", "pc-2", "10.00")
	if first.Kind != notify.RefundSucceeded || second.Kind != notify.RefundSucceeded || first.RefundID == "" || second.RefundID == "" ||
		first.RefundID == second.RefundID || first.PaymentID != "300" {
		t.Fatalf("two confirmations of two refunds of one amount: %s; %s", brief(first), brief(second))
	}
	if again := verify("payoutconfirmation", "pc-2", "10.00"); again.RefundID != second.RefundID {
		t.Fatalf("redelivered confirmation names refund %q, first %q", again.RefundID, second.RefundID)
	}
	failed := verify("credit", "c-2", "100.00")
	if failed.Kind != notify.RefundFailed || failed.RefundID == "" || failed.RefundID == first.RefundID || failed.RefundID == second.RefundID {
		t.Fatalf("the full refund's failure: %s", brief(failed))
	}
	if ev := verify("credit", "c-1", "100.00"); ev.Kind != notify.PaymentSucceeded {
		t.Fatalf("redelivered deposit credit after the refunds: %s", brief(ev))
	}
	// A refund failure whose amount is not the deposit's is a refund's even before the
	// deposit's own credit was seen (one made by an earlier version, or pruned).
	rec2 := &recordedCalls{calls: []provider.Call{
		{Op: provider.OpPay, Key: "k-301", Reference: "m-301", ProviderID: "301", Amount: eur("100.00"), Settled: true},
		{Op: provider.OpRefund, Key: "r-4", Parent: "301", Amount: eur("25.00"), Settled: true},
	}}
	n, err := c.VerifyNotification(provider.WithCalls(context.Background(), rec2), &notify.Request{Method: http.MethodPost,
		Body: signed(t, "credit", map[string]any{"orderid": "301", "messageid": "m-301", "notificationid": "c-9", "currency": "EUR", "amount": "25.00"})})
	if err != nil || n.Event.Kind != notify.RefundFailed || n.Event.RefundID == "" || rec2.marks["trustly.credited/301"] != "" {
		t.Fatalf("a refund-sized credit on a deposit not yet credited: %v %+v (marks %v)", err, n, rec2.marks)
	}
}

// TestNotificationWhenJournalUnavailable: when the Gateway's record cannot be read, the
// notification is refused for redelivery rather than guessed at.
func TestNotificationWhenJournalUnavailable(t *testing.T) {
	c, _ := notifyClient(t)
	ctx := provider.WithCalls(context.Background(), &recordedCalls{err: errors.New("connection refused")})
	_, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, "credit", credit("111", "n1"))})
	if !errors.Is(err, notify.ErrRetryLater) {
		t.Fatalf("got %v; want ErrRetryLater", err)
	}
}

// TestNotificationsOnUnrecordedOrders: Trustly sends credit, cancel, debit and
// payoutconfirmation for deposits, refunds and payouts alike. On an order the Client has no
// record of (another process, a restart) the meaning is unknown, so the event is Other
// with Trustly's method in ProviderEvent: never a success.
func TestNotificationsOnUnrecordedOrders(t *testing.T) {
	c, _ := notifyClient(t)
	ctx := context.Background()
	cases := map[string]map[string]any{
		"credit":             credit("211", "u1"),
		"debit":              credit("212", "u2"),
		"cancel":             {"orderid": "213", "messageid": "m", "notificationid": "u3"},
		"payoutconfirmation": {"orderid": "214", "notificationid": "u4", "amount": "1.00", "currency": "SEK", "messageid": "p"},
	}
	for method, data := range cases {
		n, err := c.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: signed(t, method, data)})
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if ev := n.Event; ev.Kind != notify.Other || ev.ProviderEvent != method || ev.PaymentID != "" || ev.PayoutID != "" {
			t.Errorf("%s on an unrecorded order: %+v", method, ev)
		}
	}
}

// TestUnknownNotificationMethodIsAcknowledged: a correctly signed notification of a method
// the adapter does not know reaches the application as Other and is answered with the
// signed OK, so that Trustly stops redelivering it.
func TestUnknownNotificationMethodIsAcknowledged(t *testing.T) {
	c, merchantPub := notifyClient(t)
	var got []notify.Event
	srv := httptest.NewServer(notify.NewHandler(c, func(_ context.Context, ev notify.Event) error { got = append(got, ev); return nil }))
	defer srv.Close()
	body := signed(t, "futurething", map[string]any{"orderid": "400", "notificationid": "n-400", "messageid": "m", "colour": "blue"})
	resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, reply)
	}
	st, err := wire.DecodeNotificationReply(reply, merchantPub, "futurething", "258a2184-2842-b485-25ca-293525152425")
	if err != nil || st != "OK" {
		t.Fatalf("reply %s: status %q, %v", reply, st, err)
	}
	if len(got) != 1 || got[0].Kind != notify.Other || got[0].ProviderEvent != "futurething" || got[0].ID != "n-400" || !bytes.Equal(got[0].Raw, body) {
		t.Fatalf("events %+v", got)
	}
}

func TestNotificationReplies(t *testing.T) {
	c, merchantPub := notifyClient(t)
	body := signed(t, "credit", credit("200", "n-200"))
	n, err := c.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.NotificationReply(n, notify.Processed)
	if err != nil {
		t.Fatal(err)
	}
	if rep.StatusCode != http.StatusOK {
		t.Errorf("processed: HTTP %d", rep.StatusCode)
	}
	st, err := wire.DecodeNotificationReply(rep.Body, merchantPub, "credit", "258a2184-2842-b485-25ca-293525152425")
	if err != nil || st != "OK" {
		t.Errorf("processed: reply %s status %q, %v", rep.Body, st, err)
	}
	again, _ := c.NotificationReply(n, notify.Processed)
	if !bytes.Equal(again.Body, rep.Body) {
		t.Error("the reply is not deterministic")
	}
	// A failed callback: no Trustly reply at all, so that Trustly delivers it again; a
	// signed FAILED would make Trustly act (abort a withdrawal's debit).
	for _, method := range []string{"credit", "debit"} {
		n, err := c.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: signed(t, method, credit("200", "n-"+method))})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := c.NotificationReply(n, notify.Failed)
		if err != nil {
			t.Fatal(err)
		}
		if rep.StatusCode != http.StatusInternalServerError || bytes.Contains(rep.Body, []byte("FAILED")) {
			t.Errorf("failed %s: HTTP %d %s; want 500 without a Trustly reply", method, rep.StatusCode, rep.Body)
		}
		if _, err := wire.DecodeNotificationReply(rep.Body, merchantPub, method, "258a2184-2842-b485-25ca-293525152425"); err == nil {
			t.Errorf("failed %s: the answer is a Trustly reply: %s", method, rep.Body)
		}
	}
}

// TestNotificationRejections sends bad notifications through a real Handler: each gets a
// non-2xx answer and never reaches the callback.
func TestNotificationRejections(t *testing.T) {
	c, _ := notifyClient(t)
	called := 0
	h := notify.NewHandler(c, func(context.Context, notify.Event) error { called++; return nil })
	srv := httptest.NewServer(h)
	defer srv.Close()
	good := signed(t, "credit", credit("300", "n-300"))
	tampered := bytes.Replace(good, []byte("902.50"), []byte("992.50"), 1)
	noID := credit("301", "")
	delete(noID, "notificationid")
	noAmount := credit("302", "n-302")
	delete(noAmount, "amount")
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	foreign, _ := wire.EncodeNotification(otherKey, "credit", "u-1", credit("303", "n-303"))
	cases := map[string][]byte{
		"bad signature":          tampered,
		"signed by another key":  foreign,
		"method changed":         bytes.Replace(signed(t, "credit", credit("304", "n-304")), []byte(`"method":"credit"`), []byte(`"method":"debit"`), 1),
		"missing notificationid": signed(t, "credit", noID),
		"missing amount":         signed(t, "credit", noAmount),
		"bad amount":             signed(t, "credit", map[string]any{"amount": "1.234", "currency": "EUR", "orderid": "305", "notificationid": "n-305"}),
		"invalid JSON":           []byte(`{"method":"credit",`),
		"empty":                  nil,
		"huge":                   append([]byte(`{"method":"credit","x":"`), append(bytes.Repeat([]byte("a"), notify.DefaultMaxBodyBytes), '"', '}')...),
		"boolean in data":        []byte(strings.Replace(string(good), `"attributes":{}`, `"attributes":true`, 1)),
	}
	for name, body := range cases {
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 300 {
			t.Errorf("%s: acknowledged with HTTP %d", name, resp.StatusCode)
		}
	}
	if called != 0 {
		t.Fatalf("rejected notifications reached the callback %d times", called)
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := c.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodGet, Body: good}); err == nil {
		t.Error("a GET notification was accepted")
	}
	if _, err := c.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: good}); err != nil {
		t.Fatalf("the untampered notification: %v", err)
	}
}

func TestEveryTrustlyCodeIsMapped(t *testing.T) {
	for _, code := range wire.Codes() {
		got, ok := trustly.ErrorCode(code)
		if !ok || got == provider.Unknown {
			t.Errorf("Trustly code %d (%s) has no mapping", code, wire.CodeName(code))
		}
	}
	if _, ok := trustly.ErrorCode(999); ok {
		t.Error("an unknown code claims a mapping")
	}
	want := map[int]provider.Code{616: provider.Unauthenticated, 636: provider.Unauthenticated, 637: provider.Duplicate,
		620: provider.Internal, 615: provider.InvalidRequest, 622: provider.InvalidRequest, 623: provider.InvalidRequest,
		602: provider.PermissionDenied, 607: provider.PermissionDenied, 638: provider.Declined, 688: provider.UnknownOutcome}
	for code, w := range want {
		if got, _ := trustly.ErrorCode(code); got != w {
			t.Errorf("%d maps to %s, want %s", code, got, w)
		}
	}
}

func FuzzVerifyNotification(f *testing.F) {
	c, _ := notifyClient(f)
	f.Add(signed(f, "credit", credit("1", "n1")))
	f.Add(signed(f, "account", map[string]any{"orderid": "2", "notificationid": "n2", "accountid": "3", "verified": "1"}))
	f.Add(signed(f, "cancel", map[string]any{"orderid": "4", "notificationid": "n4"}))
	f.Add([]byte(`{"method":"credit","params":{"signature":"","uuid":"","data":{}},"version":"1.1"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := c.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: body})
		if err != nil {
			if n != nil {
				t.Fatal("a rejection returned a notification")
			}
			return
		}
		// Only bodies signed by the Trustly key verify; whatever verifies must be complete.
		if n.ID == "" || n.Event.Kind == "" || !bytes.Equal(n.Event.Raw, body) {
			t.Fatalf("verified notification is incomplete: %+v", n.Event)
		}
		if _, err := c.NotificationReply(n, notify.Processed); err != nil {
			t.Fatal(err)
		}
	})
}
