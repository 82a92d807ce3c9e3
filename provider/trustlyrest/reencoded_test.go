package trustlyrest_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// A genuine Authorize webhook of a CaptureManual payment, re-encoded so that the separator
// before paymentType reads %26...%3D, keeps a valid signature (it covers the decoded body)
// while merchantReference loses its manual suffix. The adapter decides from the transaction
// it reads back, so it does not capture the payment.
func TestReencodedAuthorizeDoesNotCaptureManualPayment(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	p := e.authorized("30.00")
	ev := e.waitEvent(func(ev notify.Event) bool { return ev.PaymentID == p.ID && ev.ProviderEvent == "Authorize" })
	tok, err := trustlyrest.SplitToken(ev.Raw)
	if err != nil {
		t.Fatal(err)
	}
	var tx *trustlyrest.Transaction
	got, err := e.client.GetPayment(context.Background(), p.ID)
	if err != nil || !got.As(&tx) {
		t.Fatalf("no transaction detail: %v", err)
	}
	if !strings.HasSuffix(tx.MerchantReference, ".m") {
		t.Fatalf("merchantReference %q lacks the manual suffix", tx.MerchantReference)
	}
	cfg := e.sim.Config()
	body := signing.EncodeForm(signing.Form{
		{Key: "merchantId", Value: cfg.MerchantID},
		{Key: "merchantReference", Value: tx.MerchantReference},
		{Key: "paymentType", Value: "2"},
		{Key: "transactionType", Value: "1"},
		{Key: "eventId", Value: ev.ID},
		{Key: "eventType", Value: "Authorize"},
		{Key: "objectId", Value: p.ID},
		{Key: "objectType", Value: "Transaction"},
		{Key: "accessId", Value: cfg.AccessID},
		{Key: "status", Value: "2"},
		{Key: "statusMessage", Value: "Authorized"},
		{Key: "splitToken", Value: tok},
	})
	auth, err := signing.SignNotification(cfg.AccessID, cfg.AccessKey.Bytes(), []byte(body), signing.HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(body, "&paymentType=", "%26paymentType%3D", 1)
	if tampered == body {
		t.Fatal("the body was not re-encoded")
	}
	for _, b := range []string{tampered, body} {
		req, _ := http.NewRequest(http.MethodPost, e.hook.URL, bytes.NewReader([]byte(b)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// The adapter captures inside verification, before the reply: once it is in,
		// any capture it made is listed. The re-encoded body may be refused (a value
		// holding a merged field); the genuine one is acknowledged.
		if resp.StatusCode != http.StatusOK && (b == body || resp.StatusCode != http.StatusBadRequest) {
			t.Errorf("handler answered %d", resp.StatusCode)
		}
		if cs := capturesOf(t, e, p.ID); len(cs) != 0 {
			t.Errorf("a CaptureManual payment was captured by the adapter on an Authorize notification: %s of %s", cs[0].ID, cs[0].Amount)
		}
	}
}
