package trustlyrest

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"net/http"
	"net/http/httptest"
	"strconv"
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
		// A 5xx other than 503 leaves open whether the request was processed, for a read as
		// for a write; a 503 says it was refused unprocessed.
		{500, `{"errors":[{"domain":"d","code":150,"message":"Remote"}]}`, provider.UnknownOutcome, "150"},
		{503, `{"errors":[{"domain":"d","code":150,"message":"Remote"}]}`, provider.ProviderUnavailable, "150"},
		{400, `{"errors":[{"domain":"d","code":210,"message":"Duplicate"}]}`, provider.Duplicate, "210"},
		{400, `{"errors":[{"domain":"d","code":999,"message":"New"}]}`, provider.InvalidRequest, "999"},
		{502, `<html>bad gateway</html>`, provider.UnknownOutcome, ""},
		{503, `<html>unavailable</html>`, provider.ProviderUnavailable, ""},
		{401, ``, provider.Unauthenticated, ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.body))
		}))
		c, err := New(Config{AccessID: "id", AccessKey: secret.New("key1"), MerchantID: "1", BaseURL: srv.URL})
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

// TestWriteAnsweredByAnErrorPage: a write answered by a status that does not rule
// processing out (a 5xx other than 503), or by a body cut short, has an unknown outcome,
// whether Trustly's error body or a proxy's page came with it; so has one answered by an
// error Trustly reports as a failure while processing (100, 150, 378). A 503 or 429 says
// the request was refused before processing.
func TestWriteAnsweredByAnErrorPage(t *testing.T) {
	const internal = `{"errors":[{"domain":"d","code":100,"message":"Internal"}]}`
	for _, tt := range []struct {
		status    int
		body      string
		truncated bool
		want      provider.Code
	}{
		{http.StatusBadGateway, `<html>502 Bad Gateway</html>`, false, provider.UnknownOutcome},
		{http.StatusBadGateway, internal, false, provider.UnknownOutcome},
		{http.StatusInternalServerError, internal, false, provider.UnknownOutcome},
		{http.StatusInternalServerError, internal, true, provider.UnknownOutcome},
		{http.StatusBadRequest, `{"errors":[{"domain":"d","code":150,"message":"Remote"}]}`, false, provider.UnknownOutcome},
		{http.StatusServiceUnavailable, internal, false, provider.ProviderUnavailable},
		{http.StatusServiceUnavailable, `<html>503</html>`, false, provider.ProviderUnavailable},
		{http.StatusServiceUnavailable, internal, true, provider.ProviderUnavailable},
		{http.StatusTooManyRequests, ``, false, provider.RateLimited},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.truncated {
				w.Header().Set("Content-Length", strconv.Itoa(len(tt.body)+100))
			}
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.body))
		}))
		c, _ := New(Config{AccessID: "id", AccessKey: secret.New("key1"), MerchantID: "1", BaseURL: srv.URL})
		_, err := c.postTransaction(context.Background(), "/transactions/1/refund", nil)
		srv.Close()
		if pe := asProviderError(err); pe == nil || pe.Code != tt.want {
			t.Errorf("HTTP %d %s (cut short: %v): %v, want %s", tt.status, tt.body, tt.truncated, err, tt.want)
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
