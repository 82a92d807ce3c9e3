package trustistsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/secret"
)

func gatewayFor(t *testing.T, s *trustistsim.Server, k trustist.Key) *paybridge.Gateway {
	t.Helper()
	c, err := trustist.New(trustist.Config{BaseURL: s.URL(), Merchant: k})
	if err != nil {
		t.Fatal(err)
	}
	gw := paybridge.New(c)
	t.Cleanup(func() { _ = gw.Close() })
	return gw
}

func payWith(t *testing.T, gw *paybridge.Gateway, ref string) *paybridge.Payment {
	t.Helper()
	p, err := gw.Pay(context.Background(), paybridge.PaymentRequest{Amount: money.MustNew("7.50", "GBP"),
		MerchantReference: ref, ReturnURL: "https://shop.example/return",
		Payer: paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// An added merchant's key takes payments; each merchant reads only its own payments,
// describes itself in the merchant call, and is named in its webhooks and movements.
func TestAddedMerchantIsKeptApart(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	b := s.AddMerchant("Second Shop Ltd")
	if b.HawkID == "" || b.HawkKey.IsZero() || b.HawkID == s.MerchantKey().HawkID {
		t.Fatalf("AddMerchant returned %v", b)
	}
	own, other := gatewayFor(t, s, s.MerchantKey()), gatewayFor(t, s, b)
	pa, pb := payWith(t, own, "own-1"), payWith(t, other, "other-1")
	ctx := context.Background()
	for _, c := range []struct {
		gw   *paybridge.Gateway
		id   string
		want paybridge.Code
	}{
		{own, pa.ID, paybridge.CodeUnknown}, {other, pb.ID, paybridge.CodeUnknown},
		{own, pb.ID, paybridge.CodeNotFound}, {other, pa.ID, paybridge.CodeNotFound},
	} {
		_, err := c.gw.GetPayment(ctx, c.id)
		if got := paybridge.CodeOf(err); got != c.want {
			t.Errorf("GetPayment(%s) through %v: %v (code %s), want code %s", c.id, c.gw, err, got, c.want)
		}
	}

	resp, body := client{t, s, b}.do("GET", "/v1/merchants", "", hawk.RequestOptions{})
	var info struct{ ID, Name string }
	if resp.StatusCode != 200 || json.Unmarshal(body, &info) != nil || info.ID != b.HawkID || info.Name != "Second Shop Ltd" {
		t.Fatalf("merchant info for the added key: %d %s", resp.StatusCode, body)
	}
	forged := client{t, s, trustist.Key{HawkID: b.HawkID, HawkKey: secret.New("sk_test_guess")}}
	if resp, body := forged.do("GET", "/v1/merchants", "", hawk.RequestOptions{}); resp.StatusCode != 401 {
		t.Fatalf("the added id with a wrong key: %d %s", resp.StatusCode, body)
	}

	if !s.SetMerchantWebhookURL(b.HawkID, "http://127.0.0.1:1/other") || s.SetMerchantWebhookURL("not-added", "http://x") {
		t.Fatal("SetMerchantWebhookURL accepted or refused the wrong merchant")
	}
	s.SetWebhookURL("http://127.0.0.1:1/own")
	if err := s.CompletePayment(pb.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompletePayment(pa.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range s.Deliveries() {
		var w struct{ MerchantID string }
		_ = json.Unmarshal(d.Body, &w)
		want, url := s.MerchantKey().HawkID, "http://127.0.0.1:1/own"
		if d.ObjectID == pb.ID {
			want, url = b.HawkID, "http://127.0.0.1:1/other"
		}
		if w.MerchantID != want || d.URL != url {
			t.Errorf("webhook about %s: merchantId %q to %s, want %q to %s", d.ObjectID, w.MerchantID, d.URL, want, url)
		}
		seen[d.ObjectID] = true
	}
	if !seen[pa.ID] || !seen[pb.ID] {
		t.Fatalf("webhooks raised for %v, want both payments", seen)
	}
	for _, m := range s.Movements() {
		want := s.MerchantKey().HawkID
		if m.ID == pb.ID {
			want = b.HawkID
		}
		if m.Merchant != want {
			t.Errorf("movement %s names merchant %s, want %s", m.ID, m.Merchant, want)
		}
	}
	if bytes.Contains([]byte(s.String()), []byte(b.HawkKey.Reveal())) {
		t.Fatal("the server prints an added merchant's key")
	}
}

// A payment.created webhook about an added merchant's payment is that merchant's: it names
// its merchantId and goes to its URL, never to the server's own merchant.
func TestAddedMerchantsCreatedWebhook(t *testing.T) {
	s := startSim(t, trustistsim.Options{SendCreatedEvents: true})
	b := s.AddMerchant("Second Shop Ltd")
	s.SetWebhookURL("http://127.0.0.1:1/own")
	s.SetMerchantWebhookURL(b.HawkID, "http://127.0.0.1:1/other")
	p := payWith(t, gatewayFor(t, s, b), "other-created")
	var found bool
	for _, d := range s.Deliveries() {
		if d.ObjectID != p.ID {
			continue
		}
		found = true
		var body struct{ MerchantID string }
		if d.URL != "http://127.0.0.1:1/other" || json.Unmarshal(d.Body, &body) != nil || body.MerchantID != b.HawkID {
			t.Fatalf("the added merchant's %s webhook went to %s as %s", d.Event, d.URL, d.Body)
		}
	}
	if !found {
		t.Fatal("no payment.created webhook was raised")
	}
}
