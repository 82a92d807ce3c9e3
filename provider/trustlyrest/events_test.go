package trustlyrest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// eventByID waits for the event the simulator sent as eventID.
func (e *env) eventByID(eventID string) notify.Event {
	e.t.Helper()
	if eventID == "" {
		e.t.Fatal("the simulator sent no notification")
	}
	return e.waitEvent(func(ev notify.Event) bool { return ev.ID == eventID })
}

// TestEveryEventTypeHasItsKind sends each eventType Trustly documents through the
// simulator, the Handler and the Gateway, and checks the kind the application receives.
func TestEveryEventTypeHasItsKind(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()

	// A payment captured and completed, then partly refunded: its authorization, capture
	// and refund.
	paid := e.paid("30.00", provider.PaymentSucceeded)
	caps := capturesOf(t, e, paid.ID)
	if len(caps) != 1 {
		t.Fatalf("payment has %d captures", len(caps))
	}
	capture := caps[0].ID
	refund, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: paid.ID, Amount: usd("5.00")})
	if err != nil {
		t.Fatal(err)
	}
	e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.RefundSucceeded && ev.RefundID == refund.ID })
	// A payment the payer has not yet authorized, one they abandoned and one their bank
	// declined.
	fresh, err := e.gw.Pay(ctx, e.payReq("11.00"))
	if err != nil {
		t.Fatal(err)
	}
	abandoned, err := e.gw.Pay(ctx, e.payReq("12.00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Abandon(ctx, abandoned.RedirectURL); err != nil {
		t.Fatal(err)
	}
	declined, err := e.gw.Pay(ctx, e.payReq("13.00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.user.Decline(ctx, declined.RedirectURL); err != nil {
		t.Fatal(err)
	}
	mandate := e.approvedMandate("plan-consent")

	for _, tc := range []struct {
		tx, eventType string
		extra         []string
		want          notify.Kind
		check         func(notify.Event) bool
	}{
		{tx: fresh.ID, eventType: "Establish", want: notify.PaymentPending},
		{tx: paid.ID, eventType: "Update", want: notify.PaymentAuthorized},
		{tx: paid.ID, eventType: "Reconcile", want: notify.PaymentAuthorized},
		{tx: capture, eventType: "Process", want: notify.PaymentSucceeded},
		{tx: capture, eventType: "Complete", want: notify.PaymentSucceeded},
		{tx: capture, eventType: "Completed", want: notify.PaymentSucceeded},
		{tx: refund.ID, eventType: "Refund", want: notify.RefundSucceeded},
		{tx: abandoned.ID, eventType: "Cancel", want: notify.PaymentCanceled},
		{tx: abandoned.ID, eventType: "Cancelled", want: notify.PaymentCanceled},
		{tx: declined.ID, eventType: "Deny", want: notify.PaymentFailed},
		{tx: declined.ID, eventType: "Failed", want: notify.PaymentFailed},
		{tx: declined.ID, eventType: "Expire", want: notify.PaymentFailed},
		{tx: declined.ID, eventType: "Expired", want: notify.PaymentFailed},
		{tx: paid.ID, eventType: "DataReady", want: notify.BankDataReady,
			check: func(ev notify.Event) bool { return ev.PaymentID == paid.ID }},
		{tx: paid.ID, eventType: "Refresh", extra: []string{"success", "true"}, want: notify.BankDataReady},
		{tx: paid.ID, eventType: "Refresh", extra: []string{"success", "false"}, want: notify.Other},
		{tx: paid.ID, eventType: "VerifyCustomer", extra: []string{"customer.name", "Ada Lovelace"}, want: notify.Other,
			check: func(ev notify.Event) bool { return ev.PaymentID == paid.ID }},
		{tx: mandate.ID, eventType: "CONSENT_REVOKED", want: notify.MandateCanceled,
			check: func(ev notify.Event) bool { return ev.MandateID == mandate.ID }},
		{tx: paid.ID, eventType: "CONSENT_REVOKED", want: notify.Other},
	} {
		id, err := e.sim.SendNotification(tc.tx, tc.eventType, tc.extra...)
		if err != nil {
			t.Fatal(err)
		}
		ev := e.eventByID(id)
		if ev.Kind != tc.want || ev.ProviderEvent != tc.eventType || (tc.check != nil && !tc.check(ev)) {
			t.Errorf("%s %v on transaction %s: event %+v, want kind %s", tc.eventType, tc.extra, tc.tx, ev, tc.want)
		}
	}

	// Reverse: the capture is taken back (status 10).
	id, err := e.sim.Reverse(capture)
	if err != nil {
		t.Fatal(err)
	}
	if ev := e.eventByID(id); ev.Kind != notify.PaymentReversed || ev.PaymentID != paid.ID {
		t.Errorf("Reverse: event %+v, want payment.reversed of %s", ev, paid.ID)
	}
	// Dispute: the payload has no transactionType nor status; the capture is read back.
	id, err = e.sim.SendDispute(capture, "R10")
	if err != nil {
		t.Fatal(err)
	}
	ev := e.eventByID(id)
	var w *trustlyrest.Webhook
	if ev.Kind != notify.PaymentDisputed || ev.PaymentID != paid.ID || ev.CaptureID != "" || !ev.As(&w) ||
		w.Dispute == nil || w.Dispute.ReturnType != "R10" || !w.Dispute.AmountReturned.Equal(usd("30.00")) ||
		w.TransactionType != 3 || w.Dispute.TransactionID != capture {
		t.Errorf("Dispute: event %+v, detail %+v, want payment.disputed of %s returning 30.00", ev, w, paid.ID)
	}
}

func TestDisputeOfAManualCaptureNamesIt(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	p := e.authorized("20.00")
	c, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: p.ID, Amount: usd("20.00")})
	if err != nil {
		t.Fatal(err)
	}
	e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.CaptureSucceeded && ev.CaptureID == c.ID })
	id, err := e.sim.SendDispute(c.ID, "R01")
	if err != nil {
		t.Fatal(err)
	}
	if ev := e.eventByID(id); ev.Kind != notify.PaymentDisputed || ev.PaymentID != p.ID || ev.CaptureID != c.ID {
		t.Errorf("Dispute of a capture made with Capture: %+v, want payment %s and capture %s", ev, p.ID, c.ID)
	}
}

func TestDataReadyAfterAuthorization(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{DataReadyOnAuthorize: true}, nil)
	p := e.paid("14.00", provider.PaymentSucceeded)
	ev := e.waitEvent(func(ev notify.Event) bool { return ev.Kind == notify.BankDataReady && ev.PaymentID == p.ID })
	if ev.ProviderEvent != "DataReady" {
		t.Errorf("bank data event %+v", ev)
	}
	// The data the event announces can be read.
	if u, err := e.client.GetUser(context.Background(), ev.PaymentID); err != nil || len(u.Names) == 0 {
		t.Errorf("GetUser after DataReady: %v, %v", u, err)
	}
	if _, err := e.sim.SendDataReady("999999999"); !errors.Is(err, trustlyrestsim.ErrNoSuchTransaction) {
		t.Errorf("SendDataReady of an unknown transaction: %v", err)
	}
}

// TestForeignTransactionEventsAreRefused: a notification signed with another merchant's
// key, naming this merchant's transaction, is refused by that merchant's adapter: the
// transaction, read back with its credentials, is not found.
func TestForeignTransactionEventsAreRefused(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	p := e.paid("15.00", provider.PaymentSucceeded)
	capture := capturesOf(t, e, p.ID)[0].ID
	cfg, err := e.sim.NewMerchant("1002463598")
	if err != nil {
		t.Fatal(err)
	}
	other, err := trustlyrest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []signing.Form{
		{{Key: "merchantId", Value: cfg.MerchantID}, {Key: "eventId", Value: "1009000001"}, {Key: "eventType", Value: "Dispute"},
			{Key: "objectId", Value: capture}, {Key: "objectType", Value: "Transaction"}, {Key: "transactionId", Value: capture},
			{Key: "amountReturned", Value: "15.00"}, {Key: "accessId", Value: cfg.AccessID}},
		{{Key: "merchantId", Value: cfg.MerchantID}, {Key: "paymentType", Value: "2"}, {Key: "transactionType", Value: "1"},
			{Key: "eventId", Value: "1009000002"}, {Key: "eventType", Value: "DataReady"}, {Key: "objectId", Value: p.ID},
			{Key: "objectType", Value: "Transaction"}, {Key: "accessId", Value: cfg.AccessID}, {Key: "status", Value: "2"}},
	} {
		body := []byte(signing.EncodeForm(f))
		h, err := signing.SignNotification(cfg.AccessID, cfg.AccessKey.Bytes(), body, signing.HMACSHA1)
		if err != nil {
			t.Fatal(err)
		}
		n, err := other.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: body,
			Header: http.Header{"Authorization": {h}, "Content-Type": {"application/x-www-form-urlencoded"}}})
		if err == nil || provider.CodeOf(err) != provider.NotFound {
			t.Errorf("%s of another merchant's transaction: %+v, %v; want it refused as not found", f[2].Value, n, err)
		}
		// The same notification signed with the first merchant's key is not the other's.
		if _, err := e.client.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: body,
			Header: http.Header{"Authorization": {h}, "Content-Type": {"application/x-www-form-urlencoded"}}}); err == nil {
			t.Errorf("the first merchant accepted a notification signed with another merchant's key")
		}
	}
}

// TestRefreshWithoutSuccessIsNoBankData: the signature covers the form-decoded body, so
// re-encoding the separator before a failed Refresh's success field ("&success=" as
// "%26success%3D") merges it into the statusMessage before it and keeps the signature
// valid. The Refresh then carries no success field: it must not be taken for refreshed
// bank data.
func TestRefreshWithoutSuccessIsNoBankData(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	p := e.paid("16.00", provider.PaymentSucceeded)
	f := signing.Form{{Key: "merchantId", Value: e.sim.MerchantID()}, {Key: "paymentType", Value: "2"},
		{Key: "transactionType", Value: "1"}, {Key: "eventId", Value: "1009100001"}, {Key: "eventType", Value: "Refresh"},
		{Key: "objectId", Value: p.ID}, {Key: "objectType", Value: "Transaction"}, {Key: "accessId", Value: e.sim.AccessID()},
		{Key: "status", Value: "2"}, {Key: "statusMessage", Value: "Authorized"}, {Key: "success", Value: "false"}}
	body := signing.EncodeForm(f)
	h, err := signing.SignNotification(e.sim.AccessID(), []byte(e.sim.AccessKey()), []byte(body), signing.HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(body string) (*notify.Notification, error) {
		return e.client.VerifyNotification(context.Background(), &notify.Request{Method: http.MethodPost, Body: []byte(body),
			Header: http.Header{"Authorization": {h}, "Content-Type": {"application/x-www-form-urlencoded"}}})
	}
	if n, err := verify(body); err != nil || n.Event.Kind != notify.Other {
		t.Fatalf("a failed Refresh: %+v, %v; want other", n, err)
	}
	merged := strings.Replace(body, "&success=", "%26success%3D", 1)
	if merged == body {
		t.Fatal("the body has no success field to merge")
	}
	n, err := verify(merged)
	if err == nil && n.Event.Kind == notify.BankDataReady {
		t.Errorf("a failed Refresh whose success field was merged away became %s", n.Event.Kind)
	}
}
