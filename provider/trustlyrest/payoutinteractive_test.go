package trustlyrest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

func (e *env) interactivePayout(gw *paybridge.Gateway, amount, key string) *paybridge.Payout {
	e.t.Helper()
	po, err := gw.Payout(context.Background(), paybridge.PayoutRequest{Amount: usd(amount), Payee: testPayee,
		MerchantReference: "po-" + key, IdempotencyKey: key, ReturnURL: "https://shop.example/paid-out"})
	if err != nil {
		e.t.Fatal(err)
	}
	if po.Status != paybridge.PayoutPending || po.RedirectURL == "" || !po.Amount.Equal(usd(amount)) {
		e.t.Fatalf("interactive Payout = %+v, want pending with a URL and %s", po, amount)
	}
	return po
}

// depositsOf lists the deposits made under an authorization with the adapter's own listing.
func depositsOf(t *testing.T, e *env, authID string) []*trustlyrest.Transaction {
	t.Helper()
	var out []*trustlyrest.Transaction
	for tx, err := range e.client.Transactions(context.Background(), trustlyrest.TransactionFilter{OriginalTransactionID: authID, Types: []int{6}}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tx)
	}
	return out
}

func (e *env) waitPayout(id string, want paybridge.PayoutStatus) *paybridge.Payout {
	e.t.Helper()
	var last *paybridge.Payout
	e.waitFor("payout "+id+" to be "+string(want), func() bool {
		p, err := e.gw.GetPayout(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		last = p
		return p.Status == want
	})
	return last
}

// An interactive payout is deposited once, for its amount, however many Authorize
// notifications arrive and however they overlap: the deposit is looked up by its
// merchantReference, and Trustly refuses a second deposit beyond the authorization's
// amount, whose loser finds the first.
func TestInteractivePayoutDepositsOnceOnRepeatedAuthorize(t *testing.T) {
	// Deposits stay pending until settled by hand, so that the repeated Authorize
	// notifications arrive while the first deposit is in flight.
	e := newEnv(t, trustlyrestsim.Options{SettleDelay: -1}, nil)
	po := e.interactivePayout(e.gw, "5.00", "dbl-1")
	if err := e.user.Approve(context.Background(), po.RedirectURL); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.sim.SendNotification(po.ID, "Authorize"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	e.waitFor("the five Authorize notifications to be processed", func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		n := 0
		for _, ev := range e.events {
			if ev.ProviderEvent == "Authorize" && ev.PayoutID == po.ID {
				n++
			}
		}
		return n == 5
	})
	deps := depositsOf(t, e, po.ID)
	if len(deps) != 1 || !deps[0].Amount.Equal(usd("5.00")) ||
		deps[0].MerchantReference != trustlyrest.InteractivePayoutReference("po-dbl-1", "dbl-1")+".d" {
		t.Fatalf("deposits under the payout's authorization: %+v; want one of 5.00", deps)
	}
	if got := e.waitPayout(po.ID, paybridge.PayoutPending); got.AccountID != po.ID || !strings.HasPrefix(got.ProviderStatus, "deposit 1 ") {
		t.Fatalf("GetPayout before settlement = %+v", got)
	}
	for _, st := range []int{3, 4} {
		if err := e.sim.Settle(deps[0].ID, st); err != nil {
			t.Fatal(err)
		}
	}
	ev := e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.PayoutSucceeded })
	if ev.PayoutID != po.ID || ev.AccountID != po.ID || !ev.Amount.Equal(usd("5.00")) || ev.MerchantReference != "po-dbl-1" {
		t.Fatalf("payout.succeeded event = %+v", ev)
	}
	if got := e.waitPayout(po.ID, paybridge.PayoutSucceeded); !got.Amount.Equal(usd("5.00")) {
		t.Fatalf("GetPayout = %+v", got)
	}
	// No repeat was taken for a refusal: the authorization stands, no event says failed.
	if st := e.sim.Status(po.ID); st != 2 {
		t.Fatalf("the payout's authorization is in status %d, want 2 Authorized", st)
	}
	e.mu.Lock()
	for _, ev := range e.events {
		if ev.Kind == notify.PayoutFailed {
			t.Errorf("payout.failed delivered: %+v", ev)
		}
	}
	e.mu.Unlock()
	// The deposit is known by the payout's id only.
	if _, err := e.gw.GetPayout(context.Background(), deps[0].ID); codeOf(err) != paybridge.CodeNotFound {
		t.Fatalf("GetPayout of the deposit's own id: %v, want NotFound", err)
	}
	// A repeat with the key returns the payout; Trustly holds one authorization for it.
	again := e.interactivePayout(e.gw, "5.00", "dbl-1")
	if again.ID != po.ID {
		t.Fatalf("repeated Payout returned %q, want %q", again.ID, po.ID)
	}
}

// An authorization no Payout call of this Gateway recorded is not paid out, even with the
// interactive payout's merchantReference (here made through another Gateway, with a journal
// of its own), nor is a VerifyAccount's Disbursement authorization.
func TestInteractivePayoutForeignAuthorizeDepositsNothing(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	other := paybridge.New(e.client, paybridge.WithRetry(paybridge.NoRetry))
	po := e.interactivePayout(other, "7.00", "foreign-1")
	if err := e.user.Approve(context.Background(), po.RedirectURL); err != nil {
		t.Fatal(err)
	}
	ev := e.waitEvent(func(ev notify.Event) bool { return ev.ProviderEvent == "Authorize" && ev.AccountID == po.ID })
	if ev.Kind != notify.Other || ev.PayoutID != "" || !strings.Contains(ev.ProviderStatus, "no deposit made") {
		t.Fatalf("the foreign Authorize reached the application as %+v", ev)
	}
	if deps := depositsOf(t, e, po.ID); len(deps) != 0 {
		t.Fatalf("a foreign authorization was paid out: %+v", deps)
	}
	if got, err := e.client.GetPayout(context.Background(), po.ID); err != nil || got.Status != paybridge.PayoutPending {
		t.Fatalf("GetPayout = %+v, %v; want pending", got, err)
	}

	// An authorization with the reference and amount of a recorded payout, but not the one
	// its call made, is not that payout's either.
	mine := e.interactivePayout(e.gw, "5.00", "foreign-2")
	twin, err := e.client.Payout(context.Background(), &paybridge.PayoutRequest{Amount: usd("5.00"), Payee: testPayee,
		MerchantReference: "po-foreign-2", IdempotencyKey: "foreign-2", ReturnURL: "https://shop.example/paid-out"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(context.Background(), twin.RedirectURL); err != nil {
		t.Fatal(err)
	}
	ev = e.waitEvent(func(ev notify.Event) bool { return ev.ProviderEvent == "Authorize" && ev.AccountID == twin.ID })
	if ev.Kind != notify.Other || ev.PayoutID != "" || len(depositsOf(t, e, twin.ID)) != 0 || len(depositsOf(t, e, mine.ID)) != 0 {
		t.Fatalf("an authorization reusing a recorded payout's reference was paid out, or reached the application as %+v", ev)
	}

	v, err := e.gw.VerifyAccount(context.Background(), paybridge.VerifyAccountRequest{Holder: testPayee, ReturnURL: "https://shop.example/verified"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Approve(context.Background(), v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if ev := e.waitEvent(func(ev notify.Event) bool { return ev.VerificationID == v.ID }); ev.Kind != notify.AccountVerified || ev.PayoutID != "" {
		t.Fatalf("the verification's Authorize = %+v", ev)
	}
	if deps := depositsOf(t, e, v.ID); len(deps) != 0 {
		t.Fatalf("a verification's authorization was paid out: %+v", deps)
	}
}

// A payee who declines at the bank, or leaves the page, fails the payout: payout.failed,
// GetPayout failed or canceled, and nothing deposited.
func TestInteractivePayoutDeclinedOrAbandoned(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	for action, want := range map[string]paybridge.PayoutStatus{"decline": paybridge.PayoutFailed, "abandon": paybridge.PayoutCanceled} {
		po := e.interactivePayout(e.gw, "4.00", "refused-"+action)
		if err := e.sim.CompletePage(po.ID, action); err != nil {
			t.Fatal(err)
		}
		ev := e.waitEvent(func(ev notify.Event) bool { return ev.PayoutID == po.ID })
		if ev.Kind != notify.PayoutFailed || !ev.Amount.Equal(usd("4.00")) {
			t.Fatalf("%s: the payout's event = %+v, want payout.failed of 4.00", action, ev)
		}
		if got := e.waitPayout(po.ID, want); got.AccountID != "" {
			t.Fatalf("%s: GetPayout = %+v", action, got)
		}
		if deps := depositsOf(t, e, po.ID); len(deps) != 0 {
			t.Fatalf("%s: deposits %+v", action, deps)
		}
	}
}

// A deposit Trustly refuses for good (here an Authorize notification carrying a split token
// that is not the authorization's) ends the payout: the adapter voids the authorization, so
// that GetPayout reads it canceled too, and the notification is payout.failed.
func TestInteractivePayoutRefusedDepositVoidsTheAuthorization(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{WithholdSplitToken: true}, nil)
	e.sim.SetNotificationURL("") // the test delivers the notification itself
	po := e.interactivePayout(e.gw, "6.00", "refused-deposit")
	if err := e.sim.CompletePage(po.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	body := []byte(signing.EncodeForm(signing.Form{
		{Key: "merchantId", Value: e.sim.MerchantID()}, {Key: "merchantReference", Value: trustlyrest.InteractivePayoutReference("po-refused-deposit", "refused-deposit")},
		{Key: "paymentType", Value: "4"}, {Key: "transactionType", Value: "1"}, {Key: "eventId", Value: "77001"},
		{Key: "eventType", Value: "Authorize"}, {Key: "objectId", Value: po.ID}, {Key: "objectType", Value: "Transaction"},
		{Key: "accessId", Value: e.sim.AccessID()}, {Key: "status", Value: "2"}, {Key: "statusMessage", Value: "Authorized"},
		{Key: "splitToken", Value: "not-the-authorizations-token"},
	}))
	auth, err := signing.SignNotification(e.sim.AccessID(), []byte(e.sim.AccessKey()), body, signing.HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.client.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: body,
		Header: http.Header{"Authorization": {auth}, "Content-Type": {"application/x-www-form-urlencoded"}}})
	if err != nil {
		t.Fatal(err)
	}
	if ev := n.Event; ev.Kind != notify.PayoutFailed || ev.PayoutID != po.ID || !strings.Contains(ev.ProviderStatus, "deposit refused") {
		t.Fatalf("event = %+v, want payout.failed naming the refused deposit", ev)
	}
	if st := e.sim.Status(po.ID); st != 13 {
		t.Fatalf("the authorization is in status %d, want 13 Voided", st)
	}
	if deps := depositsOf(t, e, po.ID); len(deps) != 0 {
		t.Fatalf("deposits %+v", deps)
	}
	if got := e.waitPayout(po.ID, paybridge.PayoutCanceled); got.AccountID != "" {
		t.Fatalf("GetPayout = %+v", got)
	}
}

// An interactive payout whose establish answer was lost is settled by its merchantReference:
// the payout found is the one Trustly established, and a repeat makes no second one.
func TestInteractivePayoutLostAnswerIsFoundByReference(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	req := paybridge.PayoutRequest{Amount: usd("3.00"), Payee: testPayee, MerchantReference: "po-lost",
		IdempotencyKey: "lost-1", ReturnURL: "https://shop.example/paid-out"}
	e.sim.DropNextWrite(1)
	first, err := e.gw.Payout(context.Background(), req)
	if err == nil {
		t.Fatalf("Payout with its answer lost = %+v, want an error", first)
	}
	var auths []*trustlyrest.Transaction
	for tx, err := range e.client.Transactions(context.Background(), trustlyrest.TransactionFilter{Types: []int{1}}) {
		if err != nil {
			t.Fatal(err)
		}
		if tx.MerchantReference == trustlyrest.InteractivePayoutReference("po-lost", "lost-1") {
			auths = append(auths, tx)
		}
	}
	if len(auths) != 1 {
		t.Fatalf("authorizations with the payout's reference: %d, want 1", len(auths))
	}
	found, err := e.client.Resolve(context.Background(), provider.Attempt{SentAt: time.Now()}, &req)
	if err != nil {
		t.Fatal(err)
	}
	po, ok := found.(*paybridge.Payout)
	if !ok || po.ID != auths[0].ID || po.Status != paybridge.PayoutPending || !po.Amount.Equal(usd("3.00")) || po.IdempotencyKey != "lost-1" {
		t.Fatalf("Resolve = %#v, want the pending payout %s", found, auths[0].ID)
	}
}

// An Authorize notification re-encoded so that the field after its splitToken is merged
// into it ("&createdAt=" as "%26createdAt%3D": the signature covers the decoded body, so it
// still verifies) carries a token that is not the authorization's. It is refused: it
// neither voids the payout's authorization nor makes a deposit, and the genuine
// notification then pays the payout out.
func TestInteractivePayoutReencodedAuthorizeCannotEndIt(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	var (
		mu   sync.Mutex
		seen []byte
	)
	catch := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		if bytes.Contains(b, []byte("splitToken=")) {
			seen = b
		}
		mu.Unlock()
	}))
	t.Cleanup(catch.Close)
	e.sim.SetNotificationURL(catch.URL)
	po := e.interactivePayout(e.gw, "6.00", "reencoded")
	if err := e.sim.CompletePage(po.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	var got signing.Form
	e.waitFor("the payout's Authorize notification", func() bool {
		mu.Lock()
		defer mu.Unlock()
		var err error
		got, err = signing.DecodeForm(string(seen))
		return err == nil && got.Get("objectId") == po.ID
	})
	// As Trustly may order the fields: one after the splitToken.
	var f signing.Form
	for _, p := range got {
		if p.Key != "createdAt" {
			f = append(f, p)
		}
	}
	f = append(f, signing.Pair{Key: "createdAt", Value: got.Get("createdAt")})
	genuine := signing.EncodeForm(f)
	auth, err := signing.SignNotification(e.sim.AccessID(), []byte(e.sim.AccessKey()), []byte(genuine), signing.HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(genuine, "&createdAt=", "%26createdAt%3D", 1)
	if tampered == genuine {
		t.Fatal("the body was not re-encoded")
	}
	post := func(body string) int {
		req, _ := http.NewRequest(http.MethodPost, e.hook.URL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(tampered); code == http.StatusOK {
		t.Errorf("the re-encoded Authorize was acknowledged")
	}
	if st := e.sim.Status(po.ID); st != 2 {
		t.Fatalf("after the re-encoded Authorize the payout's authorization is in status %d, want 2 Authorized", st)
	}
	if deps := depositsOf(t, e, po.ID); len(deps) != 0 {
		t.Fatalf("deposits after the re-encoded Authorize: %+v", deps)
	}
	if code := post(genuine); code != http.StatusOK {
		t.Fatalf("the genuine Authorize was answered %d", code)
	}
	if deps := depositsOf(t, e, po.ID); len(deps) != 1 || !deps[0].Amount.Equal(usd("6.00")) {
		t.Fatalf("deposits after the genuine Authorize: %+v; want one of 6.00", deps)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.events {
		if ev.Kind == notify.PayoutFailed {
			t.Errorf("payout.failed delivered: %+v", ev)
		}
	}
}

// An interactive payout whose authorization is voided (or expires) after its deposit was
// made is decided by the deposit, as GetPayout reads it: the authorization's notification
// is not payout.failed, which would tell the application that money already paid out
// never left.
func TestInteractivePayoutAuthorizationEndedAfterItsDepositIsNotFailed(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	po := e.interactivePayout(e.gw, "8.00", "void-after")
	if err := e.user.Approve(context.Background(), po.RedirectURL); err != nil {
		t.Fatal(err)
	}
	e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.PayoutSucceeded && ev.PayoutID == po.ID })
	// The authorization is voided in the portal, say.
	req, _ := http.NewRequest(http.MethodPost, e.sim.APIURL()+"/transactions/"+po.ID+"/cancel", strings.NewReader("message=portal"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", signing.BasicAuthorization(e.sim.AccessID(), []byte(e.sim.AccessKey())))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || e.sim.Status(po.ID) != 13 {
		t.Fatalf("voiding the authorization: HTTP %d, status %d", resp.StatusCode, e.sim.Status(po.ID))
	}
	e.waitEvent(func(ev notify.Event) bool {
		return (ev.PayoutID == po.ID || ev.AccountID == po.ID) && strings.HasPrefix(ev.ProviderStatus, "13 ")
	})
	e.mu.Lock()
	for _, ev := range e.events {
		if ev.Kind == notify.PayoutFailed && ev.PayoutID == po.ID {
			t.Errorf("payout.failed delivered for a payout whose deposit completed (event %s, %s)", ev.ID, ev.ProviderStatus)
		}
	}
	e.mu.Unlock()
	if got := e.waitPayout(po.ID, paybridge.PayoutSucceeded); !got.Amount.Equal(usd("8.00")) {
		t.Fatalf("GetPayout = %+v", got)
	}
}
