package trustlyrest

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

func TestDecodeTransactionShapes(t *testing.T) {
	for name, body := range map[string]string{
		"wrapped, numbers": `{"transaction":{"transactionId":"1002","transactionType":3,"status":4,"amount":"10.0","currency":"USD","originalTransactionId":"1001","payment":{"paymentType":2}}}`,
		"bare, strings":    `{"transactionId":1002,"transactionType":"3","status":"4","amount":10.00,"currency":"USD","originalTransactionId":1001,"payment":{"paymentType":"2"}}`,
	} {
		tx, err := decodeTransaction([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		a, err := tx.amount(money.Currency{})
		if err != nil || tx.id() != "1002" || tx.TransactionType != 3 || tx.Status != 4 || tx.paymentType() != 2 ||
			string(tx.OriginalTransactionID) != "1001" || !a.Equal(money.MustNew("10", "USD")) {
			t.Errorf("%s: %+v, amount %v %v", name, tx, a, err)
		}
	}
	if _, err := decodeTransaction([]byte(`{"status":"x"}`)); err == nil {
		t.Error("a non-numeric status was accepted")
	}
	if _, err := decodeTransaction([]byte(`{}`)); err == nil {
		t.Error("a transaction without id was accepted")
	}
	items, err := decodeList[wireTransaction]([]byte(`{"transactions":[{"transaction":{"transactionId":"1"}},{"transactionId":"2"}]}`), "transactions", "transaction")
	if err != nil || len(items) != 2 || items[0].id() != "1" || items[1].id() != "2" {
		t.Fatalf("list = %v, %v", items, err)
	}
}

func TestStatusTableNeverSucceedsUnknown(t *testing.T) {
	for code := -1; code < 40; code++ {
		r := statusOf(code)
		if _, known := statuses[code]; !known && (r.money.Final() || r.auth.Final() || r.refund.Final() || r.payout.Final() || r.verify.Final()) {
			t.Errorf("unknown status %d maps to a final status", code)
		}
	}
	if statusOf(4).money != provider.PaymentSucceeded || statusOf(2).auth != provider.PaymentAuthorized || statusOf(0).auth != provider.PaymentRequiresAction {
		t.Error("table rows moved")
	}
}

func TestReferences(t *testing.T) {
	for _, ref := range []string{"order-1", "a.b.c", "x", ""} {
		r := reference("pay", ref, "key-1")
		if got := callerReference(r); got != ref {
			t.Errorf("callerReference(%q) = %q, want %q", r, got, ref)
		}
		if got := callerReference(captureReference(r)); got != ref {
			t.Errorf("capture of %q: %q", ref, got)
		}
	}
	if reference("pay", "o", "k1") == reference("pay", "o", "k2") || reference("pay", "o", "k") == reference("refund", "o", "k") {
		t.Error("references collide")
	}
	if callerReference("plain") != "plain" {
		t.Error("a foreign reference was changed")
	}
}

// TestErrorBodies checks that Trustly's error body is read whatever the HTTP status.
func TestErrorBodies(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
		want   provider.Code
		pcode  string
	}{
		{200, `{"errors":[{"domain":"d","code":200,"message":"Could not find a transaction using Id 1"}]}`, provider.NotFound, "200"},
		{401, `{"errors":[{"domain":"d","code":375,"message":"Access not authorized"}]}`, provider.Unauthenticated, "375"},
		{400, `{"errors":[{"domain":"d","code":326,"message":"Expired split token"}]}`, provider.Declined, "326"},
		{400, `{"errors":[{"domain":"d","code":331,"message":"Not enough balance"}]}`, provider.InsufficientFunds, "331"},
		{400, `{"errors":[{"domain":"d","code":390,"message":"Fraud analysis"}]}`, provider.Declined, "390"},
		{500, `{"errors":[{"domain":"d","code":150,"message":"Remote"}]}`, provider.ProviderUnavailable, "150"},
		{400, `{"errors":[{"domain":"d","code":210,"message":"Duplicate"}]}`, provider.Duplicate, "210"},
		{400, `{"errors":[{"domain":"d","code":999,"message":"New"}]}`, provider.InvalidRequest, "999"},
		{502, `<html>bad gateway</html>`, provider.ProviderUnavailable, ""},
		{401, ``, provider.Unauthenticated, ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.body))
		}))
		c, err := New(Config{AccessID: "id", AccessKey: secret.New("key1"), MerchantID: "1", BaseURL: srv.URL, ReadRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.getTransaction(context.Background(), "1")
		srv.Close()
		pe := asProviderError(err)
		if pe == nil || pe.Code != tt.want || pe.ProviderCode != tt.pcode || pe.HTTPStatus != tt.status {
			t.Errorf("HTTP %d %s: %#v", tt.status, tt.body, err)
		}
	}
}

// TestWriteAnsweredByAnErrorPage: a write answered by a 5xx page that is not Trustly's has an
// unknown outcome; one answered by Trustly's error body does not.
func TestWriteAnsweredByAnErrorPage(t *testing.T) {
	for _, tt := range []struct {
		body string
		want provider.Code
	}{
		{`<html>502 Bad Gateway</html>`, provider.UnknownOutcome},
		{`{"errors":[{"domain":"d","code":100,"message":"Internal"}]}`, provider.ProviderUnavailable},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(tt.body))
		}))
		c, _ := New(Config{AccessID: "id", AccessKey: secret.New("key1"), MerchantID: "1", BaseURL: srv.URL})
		_, err := c.postTransaction(context.Background(), "/transactions/1/refund", nil)
		srv.Close()
		if pe := asProviderError(err); pe == nil || pe.Code != tt.want {
			t.Errorf("%s: %v", tt.body, err)
		}
	}
}

// FuzzReferenceDigest: the digest is the first ten characters of the lower-cased
// unpadded base32 of SHA-256(operation, NUL, key), after the caller's reference and a dot.
func FuzzReferenceDigest(f *testing.F) {
	f.Add("pay", "order-1001", "5b1f0c2e-key")
	f.Add("refund", "", "k")
	f.Fuzz(func(t *testing.T, op, ref, key string) {
		sum := sha256.Sum256([]byte(op + "\x00" + key))
		want := "pb" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))[:10]
		if ref != "" {
			want = ref + "." + want
		}
		if got := reference(op, ref, key); got != want {
			t.Fatalf("reference(%q, %q, %q) = %q, want %q", op, ref, key, got, want)
		}
	})
}
