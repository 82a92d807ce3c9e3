package trustlyrest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// TestErrorBodiesAreErrorsWhateverTheirShape: any body with a non-empty "errors" list is an
// error, however its entries are typed.
func TestErrorBodiesAreErrorsWhateverTheirShape(t *testing.T) {
	for _, tt := range []struct {
		body string
		code int
	}{
		{`{"errors":[{"domain":"d","code":210,"message":"dup"}]}`, 210},
		{`{"errors":[{"domain":"d","code":"210","message":"dup"}]}`, 210},
		{`{"errors":[{"code":"375","message":"no","location":7,"occurredAt":"1556234040954"}]}`, 375},
		{`{"errors":[{"code":null,"message":"odd"}]}`, 0},
		{`{"errors":[{"code":"two hundred","message":"odd"}]}`, 0},
		{`{"errors":["something went wrong"]}`, 0},
		{`{"errors":{"code":200}}`, 0},
		{`{"transaction":{"transactionId":"1"},"errors":[{"code":100}]}`, 100},
	} {
		details, ok := parseErrorBody([]byte(tt.body))
		if !ok || len(details) == 0 {
			t.Errorf("%s: not read as an error", tt.body)
			continue
		}
		if details[0].Code != tt.code {
			t.Errorf("%s: code %d, want %d", tt.body, details[0].Code, tt.code)
		}
	}
	for _, body := range []string{`{"errors":[]}`, `{"errors":null}`, `{"transaction":{"transactionId":"1"}}`, `not json "errors"`} {
		if _, ok := parseErrorBody([]byte(body)); ok {
			t.Errorf("%s: read as an error", body)
		}
	}
}

// stubClient returns a Client whose API is handler.
func stubClient(t *testing.T, handler http.HandlerFunc) *Client {
	t.Helper()
	api := httptest.NewServer(handler)
	t.Cleanup(api.Close)
	c, err := New(Config{AccessID: testID, AccessKey: secret.New(testKey), MerchantID: testMID, BaseURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGuardLookupsFailClosed: the look-up before a refund, deposit or capture must not read
// an answer it cannot understand as "no earlier transaction", or the guard sends again.
func TestGuardLookupsFailClosed(t *testing.T) {
	for name, answer := range map[string]string{
		"200 with a string error code": `{"errors":[{"domain":"x","code":"100","message":"Internal error"}]}`,
		"200 with odd error fields":    `{"errors":[{"code":100,"message":["a"],"location":{}}]}`,
		"list key missing":             `{"startIndex":0,"itemsPerPage":25}`,
		"list is not a list":           `{"transactions":{"transactionId":"1"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			var posts atomic.Int32
			c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet {
					posts.Add(1)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(answer))
			})
			child, err := c.findChild(context.Background(), "1002600001", typeRefund, "ref", false)
			if err == nil {
				t.Fatalf("findChild = %v, nil; want an error", child)
			}
			if code := provider.CodeOf(err); code == provider.Unknown {
				t.Fatalf("findChild error %v carries no provider code", err)
			}
			if posts.Load() != 0 {
				t.Fatal("a look-up sent a write")
			}
		})
	}
}

// TestMessageOnlyErrorBodyKeepsItsMessage: some 400s are modelled as {"message": "..."}
// (accounts verify): the message must reach the caller.
func TestMessageOnlyErrorBodyKeepsItsMessage(t *testing.T) {
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Routing number is not supported"}`))
	})
	_, err := c.VerifyAccount(context.Background(), &provider.VerifyAccountRequest{
		Account: provider.BankAccount{RoutingNumber: "124003116", AccountNumber: "1000000009"}, IdempotencyKey: "k"})
	if provider.CodeOf(err) != provider.InvalidRequest || !strings.Contains(err.Error(), "Routing number is not supported") {
		t.Fatalf("VerifyAccount = %v, want InvalidRequest with Trustly's message", err)
	}
}

// FuzzParseErrorBody: reading an answer for errors never panics, and a JSON object whose
// "errors" is a non-empty list is always an error.
func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{`{"errors":[{"code":"210"}]}`, `{"errors":[1,"x",null]}`, `{"errors":[]}`,
		`{"transactions":[]}`, `{"errors":{"a":1}}`, `{"errors":[{"code":1e99,"message":{"x":[1]}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		details, ok := parseErrorBody(body)
		if ok && len(details) == 0 {
			t.Fatalf("%q: an error without details", body)
		}
		var top struct {
			Errors []json.RawMessage `json:"errors"`
		}
		if json.Unmarshal(body, &top) == nil && len(top.Errors) > 0 && !ok {
			t.Fatalf("%q: a non-empty errors list was not read as an error", body)
		}
		_ = parseMessageBody(body)
	})
}

// FuzzMentionsErrors: mentionsErrors finds "errors" in quotes exactly where bytes.Contains
// does.
func FuzzMentionsErrors(f *testing.F) {
	for _, s := range []string{`{"errors":[]}`, `"errors"`, `"errors`, `errors"`, `x"errors"`, `"error"`, `oooo"errors"o`,
		`{"transactionId":"1","url":"https://sandbox.trustly.one/start"}`, `"errors""errors"`, `o`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := mentionsErrors(body), bytes.Contains(body, []byte(`"errors"`)); got != want {
			t.Fatalf("mentionsErrors(%q) = %v, bytes.Contains %v", body, got, want)
		}
	})
}
