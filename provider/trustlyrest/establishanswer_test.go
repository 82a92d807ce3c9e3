package trustlyrest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/paybridge/paybridge/internal/testvectors"
	"github.com/paybridge/paybridge/secret"
)

// TestEstablishAnswerDecode: the answers Trustly documents decode, ids and amounts given
// as strings or numbers alike, and a repeated member or a non-numeric status is read as
// encoding/json reads it.
func TestEstablishAnswerDecode(t *testing.T) {
	for _, tt := range []struct {
		body       string
		id, amount string
		status     flexInt
	}{
		{`{"transactionId":"1002633191","url":"https://sandbox.trustly.one/start/lightbox/1002633191","amount":"12.34","currency":"USD","merchantReference":"r","paymentType":"Deferred","status":0}`,
			"1002633191", "12.34", 0},
		{`{"TransactionId":1002633191,"URL":"https:\/\/x\/y","Amount":12.340,"status":"2","createdAt":"1449176555750","extra":{"a":[1,null]}}`,
			"1002633191", "12.340", 2},
	} {
		a, err := decodeEstablishAnswer([]byte(tt.body))
		if err != nil || string(a.TransactionID) != tt.id || string(a.Amount) != tt.amount || a.Status == nil || *a.Status != tt.status {
			t.Errorf("%s: %+v, %v", tt.body, a, err)
		}
	}
	a, err := decodeEstablishAnswer([]byte(`{"transactionId":"1","transactionId":"2"}`))
	if err != nil || a.TransactionID != "2" {
		t.Errorf("a repeated member: %+v, %v; encoding/json takes the last", a, err)
	}
	if _, err := decodeEstablishAnswer([]byte(`{"status":"x"}`)); err == nil {
		t.Error("a non-numeric status was accepted")
	}
}

// TestEstablishMatchesVectors sends, through establish, the establish data of every
// request-signature vector that holds only members the adapter writes, and checks the
// body sent: it carries exactly the vector's members and values, and the vector's
// signature.
func TestEstablishMatchesVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			Name, AccessKey, Signature string
			EstablishData              json.RawMessage
		} `json:"requestSignatureCases"`
	}
	testvectors.Load(t, "trustly-rest.json", &v)
	ran := 0
	for _, vc := range v.Cases {
		var est establishData
		dec := json.NewDecoder(bytes.NewReader(vc.EstablishData))
		dec.DisallowUnknownFields()
		if dec.Decode(&est) != nil {
			continue // members the adapter never sends (recurrence, account, displayAmount...)
		}
		ran++
		t.Run(vc.Name, func(t *testing.T) {
			var sent []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sent, _ = io.ReadAll(r.Body)
				_, _ = w.Write([]byte(`{"transactionId":"1002633191","url":"https://sandbox.trustly.one/start/1002633191","amount":"1.00","currency":"USD","status":0}`))
			}))
			defer srv.Close()
			c, err := New(Config{AccessID: est.AccessID, AccessKey: secret.New(vc.AccessKey), MerchantID: est.MerchantID, BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.establish(context.Background(), &est, nil); err != nil {
				t.Fatal(err)
			}
			var got, want map[string]any
			if err := json.Unmarshal(sent, &got); err != nil {
				t.Fatalf("the body sent is not JSON: %v\n%s", err, sent)
			}
			if got["requestSignature"] != vc.Signature {
				t.Errorf("requestSignature %v, the vector's %s", got["requestSignature"], vc.Signature)
			}
			delete(got, "requestSignature")
			if err := json.Unmarshal(vc.EstablishData, &want); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("the establish data sent differs from the vector's (-vector +sent):\n%s", d)
			}
		})
	}
	if ran < 3 {
		t.Fatalf("only %d vectors hold establish data the adapter writes; want at least 3", ran)
	}
}
