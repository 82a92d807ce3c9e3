package trustlyrest_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

func TestPaymentEventsCarryThePaymentID(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	p := e.paid("12.34", provider.PaymentSucceeded)
	for _, kind := range []notify.Kind{notify.PaymentAuthorized, notify.PaymentPending, notify.PaymentSucceeded} {
		ev := e.waitEvent(func(ev notify.Event) bool { return ev.Kind == kind && ev.PaymentID == p.ID })
		if ev.Provider != trustlyrest.Name || ev.MerchantReference != p.MerchantReference || len(ev.Raw) == 0 {
			t.Errorf("%s event = %+v", kind, ev)
		}
	}
	if !strings.HasPrefix(p.ProviderStatus, "capture 4 Completed") {
		t.Errorf("ProviderStatus = %q", p.ProviderStatus)
	}
	// Exactly one capture was made although both the notification and GetPayment capture.
	n := 0
	for tx, err := range e.client.Transactions(context.Background(), trustlyrest.TransactionFilter{OriginalTransactionID: p.ID, Types: []int{3}, PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		if tx.Status != 4 || !tx.Amount.Equal(usd("12.34")) {
			t.Errorf("capture %+v", tx)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d captures, want 1", n)
	}
}

// TestNotificationRedeliveredAfterCallbackFailure: when the application fails on the
// payment.succeeded notification, it is not acknowledged, Trustly delivers it again, and the
// second delivery reaches the application with the same event id.
func TestNotificationRedeliveredAfterCallbackFailure(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	failed := map[string]int{}
	e.fail = func(ev notify.Event) bool {
		if ev.Kind == notify.PaymentSucceeded && failed[ev.ID] == 0 {
			failed[ev.ID]++
			return true
		}
		return false
	}
	p := e.paid("11.00", provider.PaymentSucceeded)
	ev := e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.PaymentSucceeded && ev.PaymentID == p.ID })
	e.mu.Lock()
	if failed[ev.ID] != 1 {
		t.Errorf("the succeeded notification failed %d times before it was processed, want 1", failed[ev.ID])
	}
	e.mu.Unlock()
	// The callback runs before the reply reaches the simulator: wait for its record.
	var got simkit.Delivery
	testwait.For(t, "the acknowledgement of event "+ev.ID, func() bool {
		for _, d := range e.sim.Deliveries() {
			if d.EventID == ev.ID {
				got = d
			}
		}
		return got.Acknowledged
	})
	if got.Attempts != 2 || !got.Acknowledged || got.LastStatus != 200 {
		t.Errorf("delivery of event %s: attempts %d, acknowledged %v, last status %d; want acknowledged on the second attempt",
			ev.ID, got.Attempts, got.Acknowledged, got.LastStatus)
	}
}

func TestManualCapture(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, func(c *trustlyrest.Config) { c.Capture = trustlyrest.CaptureManual })
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payReq("20.00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.PaymentAuthorized && ev.PaymentID == p.ID })
	e.waitPayment(p.ID, provider.PaymentAuthorized)
	time.Sleep(20 * time.Millisecond)
	if got, _ := e.gw.GetPayment(ctx, p.ID); got.Status != provider.PaymentAuthorized {
		t.Fatalf("manual mode captured by itself: %q", got.Status)
	}
	var c *trustlyrest.Client
	if !e.gw.As(&c) {
		t.Fatal("As(*Client) failed")
	}
	req := &provider.CaptureRequest{PaymentID: p.ID, Amount: usd("20.00"), IdempotencyKey: "cap-1"}
	first, err := c.Capture(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// A repeat that reaches the adapter without the journal finds the capture by its
	// reference rather than capturing again.
	again, err := c.Capture(ctx, req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("repeated capture = %+v, %v; want capture %s", again, err, first.ID)
	}
	if got := e.waitPayment(p.ID, provider.PaymentSucceeded); !got.Captured.Equal(usd("20.00")) {
		t.Errorf("captured %v, want 20.00", got.Captured)
	}
	if _, err := c.Capture(ctx, &provider.CaptureRequest{PaymentID: "999999", Amount: usd("1.00")}); codeOf(err) != paybridge.CodeNotFound {
		t.Errorf("Capture(unknown) = %v", err)
	}
}

func TestRefundCancelsAnUnprocessedCapture(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{SettleDelay: -1}, nil)
	ctx := context.Background()
	p := e.paid("10.00", provider.PaymentPending) // captured, held in 1 Pending
	// A partial refund is refused while the capture is not completed.
	_, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("4.00")})
	if codeOf(err) != paybridge.CodeInvalidRequest || trustlyrest.TrustlyCode(err) != 200 {
		t.Fatalf("partial refund of a pending capture = %v", err)
	}
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("10.00"), IdempotencyKey: "rf-cancel-1"}
	r, err := e.gw.Refund(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != provider.RefundSucceeded || !strings.Contains(r.ProviderStatus, "13 Voided") {
		t.Fatalf("refund = %+v", r)
	}
	again, err := e.gw.Refund(ctx, req)
	if err != nil || again.ID != r.ID {
		t.Fatalf("repeated refund = %+v, %v", again, err)
	}
	got, err := e.gw.GetRefund(ctx, r.ID)
	if err != nil || got.PaymentID != p.ID || !got.Amount.Equal(usd("10.00")) {
		t.Fatalf("GetRefund = %+v, %v", got, err)
	}
	if st := e.waitPayment(p.ID, provider.PaymentCanceled); st.ProviderStatus == "" {
		t.Error("no provider status")
	}
}

// TestRefundLostReplyIsResolvedWithoutRefundingTwice: a refund whose answer was lost returns
// UnknownOutcome; the Gateway's repeat settles it by looking the refund up by its derived
// merchantReference and returns it, without refunding again.
func TestRefundLostReplyIsResolvedWithoutRefundingTwice(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	p := e.paid("10.00", provider.PaymentSucceeded)
	req := paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("6.00"), IdempotencyKey: "rf-lost-1"}
	// The look-ups answer; the refund POST is processed and its reply lost.
	e.sim.DropNextWrite(1)
	if _, err := e.gw.Refund(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("refund with a lost reply = %v, want ErrUnknownOutcome", err)
	}
	if e.sim.LostReplies() != 1 {
		t.Fatalf("%d replies lost, want the refund's", e.sim.LostReplies())
	}
	r, err := e.gw.Refund(ctx, req)
	if err != nil || !r.Amount.Equal(req.Amount) {
		t.Fatalf("repeat = %+v, %v; want the refund the lost answer was about", r, err)
	}
	again, err := e.gw.Refund(ctx, req)
	if err != nil || again.ID != r.ID {
		t.Fatalf("second repeat = %+v, %v; want refund %s", again, err, r.ID)
	}
	if n := refunds(e); n != 1 {
		t.Fatalf("%d refunds at Trustly, want 1", n)
	}
	// Had it refunded twice, only 4.00 - 6.00 would remain and this would be refused.
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("4.00")}); err != nil {
		t.Fatalf("refund of the rest = %v", err)
	}
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: p.ID, Amount: usd("1.00")}); codeOf(err) != paybridge.CodeInvalidRequest {
		t.Fatalf("refund beyond the capture = %v", err)
	}
}

func TestPayIdempotencyAcrossProcesses(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	req := e.payReq("9.99")
	req.IdempotencyKey = "pay-restart-1"
	p, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	e.waitPayment(p.ID, provider.PaymentSucceeded)
	// A new adapter (a restarted process) repeats the call: Trustly refuses the reference
	// with 210 and the adapter returns the payment made the first time.
	fresh, err := trustlyrest.New(e.sim.Config())
	if err != nil {
		t.Fatal(err)
	}
	again, err := paybridge.New(fresh).Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != p.ID || again.Status != provider.PaymentSucceeded || again.IdempotencyKey != req.IdempotencyKey {
		t.Fatalf("repeated Pay = %+v, want payment %s", again, p.ID)
	}
	// The same key with another request is refused.
	req.Amount = usd("10.00")
	if _, err := e.gw.Pay(ctx, req); codeOf(err) != paybridge.CodeDuplicate {
		t.Fatalf("key reused with another amount = %v", err)
	}
}

func TestRedirectVerification(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payReq("5.00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, p.RedirectURL); err != nil {
		t.Fatal(err)
	}
	ref := trustlyrest.PaymentReference(p.MerchantReference, p.IdempotencyKey)
	loc := e.user.LastRedirect()
	r, err := e.client.VerifyRedirect(loc, ref)
	if err != nil {
		t.Fatal(err)
	}
	if r.TransactionID != p.ID || r.Status != 2 || r.PaymentStatus != provider.PaymentAuthorized || r.MerchantReference != ref {
		t.Fatalf("redirect = %+v", r)
	}
	if _, err := e.client.VerifyRedirect(loc, ref+"x"); !errors.Is(err, trustlyrest.ErrReferenceMismatch) {
		t.Errorf("other reference: %v", err)
	}
	tampered := strings.Replace(loc, "status=2", "status=4", 1)
	if _, err := e.client.VerifyRedirect(tampered, ref); !errors.Is(err, trustlyrest.ErrBadSignature) {
		t.Errorf("tampered status: %v", err)
	}
	u, _ := url.Parse(loc)
	q := u.Query()
	q.Del("requestSignature")
	u.RawQuery = q.Encode()
	if _, err := e.client.VerifyRedirect(u.String(), ref); !errors.Is(err, trustlyrest.ErrMissingSignature) {
		t.Errorf("unsigned: %v", err)
	}
	// The abandon page signs its cancel redirect too.
	p2, _ := e.gw.Pay(ctx, e.payReq("5.00"))
	if err := e.user.Abandon(ctx, p2.RedirectURL); err != nil {
		t.Fatal(err)
	}
	r2, err := e.client.VerifyRedirect(e.user.LastRedirect(), trustlyrest.PaymentReference(p2.MerchantReference, p2.IdempotencyKey))
	if err != nil || r2.Status != 7 || r2.PaymentStatus != provider.PaymentCanceled {
		t.Fatalf("cancel redirect = %+v, %v", r2, err)
	}
}

func TestPayoutFlows(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer,
		ReturnURL: "https://shop.example/verified", IdempotencyKey: "verify-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	got, err := e.gw.GetAccountVerification(ctx, v.ID)
	if err != nil || got.Status != provider.VerificationVerified || got.AccountID != v.ID || got.Last4 != "0008" || got.BankName != "Demo Bank" {
		t.Fatalf("verification = %+v, %v", got, err)
	}
	e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.AccountVerified && ev.AccountID == v.ID })

	req := paybridge.PayoutRequest{Amount: usd("25.00"), AccountID: got.AccountID, Payee: testPayee,
		MerchantReference: "withdrawal-7", IdempotencyKey: "po-lost-1"}
	e.sim.DropNextWrite(1)
	if _, err := e.gw.Payout(ctx, req); !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Fatalf("payout with a lost reply = %v, want ErrUnknownOutcome", err)
	}
	if e.sim.LostReplies() != 1 {
		t.Fatalf("%d replies lost, want the deposit's", e.sim.LostReplies())
	}
	// The repeat settles it from Trustly: the deposit is found by its merchantReference.
	po, err := e.gw.Payout(ctx, req)
	if err != nil {
		t.Fatalf("repeat of a payout whose reply was lost = %v", err)
	}
	again, err := e.gw.Payout(ctx, req)
	if err != nil || again.ID != po.ID || again.AccountID != v.ID {
		t.Fatalf("repeat = %+v, %v", again, err)
	}
	e.waitEvent(func(ev notify.Event) bool {
		return ev.Kind == notify.PayoutSucceeded && ev.PayoutID == po.ID && ev.AccountID == v.ID && ev.MerchantReference == "withdrawal-7"
	})
	if g, err := e.gw.GetPayout(ctx, po.ID); err != nil || g.Status != provider.PayoutSucceeded {
		t.Fatalf("GetPayout = %+v, %v", g, err)
	}
	n := 0
	for tx, err := range e.client.Transactions(ctx, trustlyrest.TransactionFilter{OriginalTransactionID: v.ID}) {
		if err != nil {
			t.Fatal(err)
		}
		if tx.Type == 6 {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d deposits, want 1", n)
	}
	// A payment id is no payout account, and neither is an account verified by details.
	if _, err := e.gw.Payout(ctx, paybridge.PayoutRequest{Amount: usd("1.00"), AccountID: "acct_tok1", Payee: testPayee, MerchantReference: "w"}); codeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), "AccountID") {
		t.Errorf("payout to a details-verified account = %v", err)
	}
}

func TestVerifyAccountByDetails(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	verify := func(a paybridge.BankAccount) (*paybridge.AccountVerification, error) {
		return e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer, Account: a})
	}
	ada := paybridge.VerifyAccountRequest{Holder: trustlyrestsim.TestPayer, IdempotencyKey: "details-1",
		Account: paybridge.BankAccount{HolderName: "Ada Lovelace", RoutingNumber: "124003116", AccountNumber: "1000000008"}}
	v, err := e.gw.VerifyAccount(ctx, ada)
	if err != nil || v.Status != provider.VerificationVerified || !strings.HasPrefix(v.AccountID, "acct_") || v.Last4 != "0008" {
		t.Fatalf("verify = %+v, %v", v, err)
	}
	if strings.Contains(v.AccountID, "1000000008") {
		t.Error("account id embeds the account number")
	}
	// Trustly keeps nothing to read the answer back by, and neither does the adapter: the
	// result is NotFound, in this process as in any other, and the journal returns it to a
	// repeat with the key.
	if got, err := e.gw.GetAccountVerification(ctx, v.ID); codeOf(err) != paybridge.CodeNotFound || !strings.Contains(err.Error(), "same idempotency key") {
		t.Fatalf("GetAccountVerification of a verification by details = %+v, %v; want NotFound saying where the result is", got, err)
	}
	before := e.sim.Requests()
	if again, err := e.gw.VerifyAccount(ctx, ada); err != nil || again.ID != v.ID || again.AccountID != v.AccountID {
		t.Fatalf("repeated VerifyAccount = %+v, %v; want %s from the journal", again, err, v.ID)
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Fatalf("the repeat sent %d requests; the journal answers it", n)
	}
	if v, err := verify(paybridge.BankAccount{RoutingNumber: "124003116", AccountNumber: "1000000002"}); err != nil || v.Status != provider.VerificationFailed || v.AccountID != "" {
		t.Fatalf("low score = %+v, %v", v, err)
	}
	if _, err := verify(paybridge.BankAccount{RoutingNumber: "123456789", AccountNumber: "12345678"}); codeOf(err) != paybridge.CodeInvalidRequest || trustlyrest.TrustlyCode(err) != 330 {
		t.Fatalf("invalid routing = %v", err)
	}
	// The sandbox's error account answers HTTP 500 with error 100, an internal error while
	// processing: nothing says the verification was not made, so its outcome is unknown.
	if _, err := verify(paybridge.BankAccount{RoutingNumber: "124003116", AccountNumber: "1001000000"}); codeOf(err) != paybridge.CodeUnknownOutcome {
		t.Fatalf("sandbox error account = %v", err)
	}
	if _, err := verify(paybridge.BankAccount{AccountNumber: "1000000008"}); codeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), "RoutingNumber") {
		t.Fatalf("no routing number = %v", err)
	}
	if v, err := verify(paybridge.BankAccount{IBAN: "GB33BUKB20201555555555"}); err != nil || v.Status != provider.VerificationVerified {
		t.Fatalf("IBAN = %+v, %v", v, err)
	}
}

func TestCustomersGroupAndPaging(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	mk := func(ext, group string) *paybridge.Customer {
		c, err := e.gw.CreateCustomer(ctx, paybridge.Customer{ExternalID: ext, FirstName: "Mary Ann", LastName: "Evans",
			Email: "m@example.com", Phone: "+14155550101", Group: group, Address: &paybridge.Address{Country: "US", City: "Austin"}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b, c := mk("e1", "red"), mk("e2", "blue"), mk("e3", "red")
	if a.FirstName != "Mary Ann" || a.Group != "red" {
		t.Fatalf("created %+v", a)
	}
	var red []string
	for cu, err := range e.gw.ListCustomers(ctx, paybridge.ListCustomersRequest{Group: "red", PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		red = append(red, cu.ID)
	}
	if strings.Join(red, ",") != a.ID+","+c.ID {
		t.Fatalf("red = %v, want %s,%s (not %s)", red, a.ID, c.ID, b.ID)
	}
	if _, err := e.gw.CreateCustomer(ctx, paybridge.Customer{FirstName: "X", Email: "x@example.com", Address: &paybridge.Address{Country: "US"}}); codeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), "Phone") {
		t.Fatalf("no phone = %v", err)
	}
	upd, err := e.gw.UpdateCustomer(ctx, a.ID, paybridge.CustomerUpdate{Group: paybridge.Clear[string](), Address: paybridge.Clear[*paybridge.Address]()})
	if err != nil || upd.Group != "" || upd.Address != nil || upd.FirstName != "Mary Ann" {
		t.Fatalf("update = %+v, %v", upd, err)
	}
}

func TestErrorsAndRetries(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, e.payReq("3.00"))
	if err != nil {
		t.Fatal(err)
	}
	// The adapter sends a lookup once; the Gateway's retry policy repeats it after a 503.
	before := e.sim.Requests()
	e.sim.FailNext(1)
	if _, err := e.gw.GetPayment(ctx, p.ID); codeOf(err) != paybridge.CodeProviderUnavailable || trustlyrest.TrustlyCode(err) != 100 {
		t.Fatalf("GetPayment after one 503 without retries = %v", err)
	}
	if n := e.sim.Requests() - before; n != 1 {
		t.Fatalf("GetPayment sent %d requests, want 1: the adapter repeats nothing", n)
	}
	retrying := paybridge.New(e.client, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}))
	e.sim.FailNext(1)
	if _, err := retrying.GetPayment(ctx, p.ID); err != nil {
		t.Fatalf("GetPayment after one 503 = %v", err)
	}
	e.sim.FailNext(10)
	_, err = retrying.GetPayment(ctx, p.ID)
	if codeOf(err) != paybridge.CodeProviderUnavailable || trustlyrest.TrustlyCode(err) != 100 {
		t.Fatalf("GetPayment during an outage = %v", err)
	}
	e.sim.FailNext(0)
	// A write is never repeated: its 5xx is returned at once.
	before = e.sim.Requests()
	e.sim.FailNext(1)
	if _, err := e.gw.Pay(ctx, e.payReq("3.00")); codeOf(err) != paybridge.CodeProviderUnavailable {
		t.Fatalf("Pay during an outage = %v", err)
	}
	if n := e.sim.Requests() - before; n != 1 {
		t.Fatalf("Pay sent %d requests, want 1", n)
	}
	// A write whose reply is lost has an unknown outcome.
	e.sim.DropNextWrite(1)
	if _, err := e.gw.Pay(ctx, e.payReq("3.00")); codeOf(err) != paybridge.CodeUnknownOutcome || e.sim.LostReplies() != 1 {
		t.Fatalf("Pay with a lost reply = %v (%d replies lost)", err, e.sim.LostReplies())
	}
	// The context bounds the waits between the Gateway's repeats: with ten repeats of an
	// hour each, far past testwait.Limit.
	patient := paybridge.New(e.client, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 11, BaseDelay: time.Hour, MaxDelay: time.Hour}))
	e.sim.FailNext(11)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	testwait.Returns(t, "a read repeated during an outage, after its context ended", func() {
		_, err = patient.GetPayment(short, p.ID)
	})
	if err == nil {
		t.Fatal("GetPayment succeeded during an outage")
	}
	e.sim.FailNext(0)
	// Nothing listening: nothing was sent.
	cfg := e.sim.Config()
	cfg.BaseURL = "http://127.0.0.1:1/api/v1"
	down, _ := trustlyrest.New(cfg)
	if _, err := paybridge.New(down).Pay(ctx, e.payReq("3.00")); codeOf(err) != paybridge.CodeProviderUnavailable {
		t.Fatalf("Pay with no server = %v", err)
	}
}

// A Pay's result is the caller's: changing it does not change what a repeat with the same
// key returns.
func TestPayResultIsTheCallersCopy(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	req := e.payReq("5.00")
	req.IdempotencyKey = "copy-1"
	first, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	id, link := first.ID, first.RedirectURL
	first.ID, first.RedirectURL, first.Status = "changed", "https://elsewhere.example/", provider.PaymentFailed
	again, err := e.gw.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != id || again.RedirectURL != link || again.Status != provider.PaymentRequiresAction {
		t.Fatalf("a repeat returned %+v after the first result was changed; want payment %s at %s", again, id, link)
	}
}
