package trustist_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// countPOSTs returns how many POST /v1/payments the env saw.
func countPOSTs(e *env) int {
	n := 0
	for _, r := range e.requests() {
		if r.method == http.MethodPost && r.path == "/v1/payments" {
			n++
		}
	}
	return n
}

// A 2xx create answer that names a payment but carries no payLink cannot be used, and the
// payment exists: a repeat with the same key must not create a second one.
func TestCreateAnswerWithoutPayLinkIsNotResent(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/payments" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"p1","status":"PENDING","amount":10.00}`))
		return true
	})
	ctx := context.Background()
	req := payReq(t, "10.00", "o-nolink")
	req.IdempotencyKey = "key-nolink"
	for i := range 2 {
		_, err := e.gw.Pay(ctx, req)
		pe := wantCode(t, err, provider.UnknownOutcome)
		if i == 0 && !strings.Contains(pe.Message, `"p1"`) {
			t.Errorf("message %q does not name the payment", pe.Message)
		}
	}
	if n := countPOSTs(e); n != 1 {
		t.Fatalf("%d POSTs for one idempotency key", n)
	}
}

// An application error after processing (500), a 501 (which RFC 9110 does not say comes
// before processing), or a proxy's 502/504, may follow a written payment: the outcome is
// unknown and the key is not resent. A 503 is refused before processing and may be
// resent (TestPayAfterFailureBeforeProcessingSendsAgain).
func TestPayServerErrorAfterProcessingIsUnknown(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusNotImplemented, http.StatusBadGateway, http.StatusGatewayTimeout} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e := start(t, trustistsim.Options{}, nil)
			var fail atomic.Bool
			fail.Store(true)
			e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPost || !fail.CompareAndSwap(true, false) {
					return false
				}
				e.sim.ServeHTTP(httptest.NewRecorder(), r) // processed; the answer is lost
				w.Header().Set(trustist.CorrelationHeader, "corr-500")
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(status)
				_, _ = w.Write([]byte(`{"title":"Internal Server Error","status":` + strconv.Itoa(status) + `}`))
				return true
			})
			ctx := context.Background()
			req := payReq(t, "6.00", "o-"+strconv.Itoa(status))
			req.IdempotencyKey = "key-" + strconv.Itoa(status)
			_, err := e.gw.Pay(ctx, req)
			pe := wantCode(t, err, provider.UnknownOutcome)
			if pe.HTTPStatus != status || pe.CorrelationID != "corr-500" {
				t.Fatalf("error %+v lacks the status or correlation id", pe)
			}
			before := e.sim.Requests()
			_, err = e.gw.Pay(ctx, req)
			wantCode(t, err, provider.UnknownOutcome)
			if e.sim.Requests() != before || e.sim.Payments() != 1 || countPOSTs(e) != 1 {
				t.Fatalf("the key was resent: %d payments, %d POSTs", e.sim.Payments(), countPOSTs(e))
			}
		})
	}
}

// Reads are classified as writes are: a 500 on a GET is UnknownOutcome, and a 503
// ProviderUnavailable. The Gateway repeats both for a read.
func TestReadServerErrorIsClassifiedAsAWrite(t *testing.T) {
	for status, want := range map[int]provider.Code{
		http.StatusInternalServerError: provider.UnknownOutcome,
		http.StatusServiceUnavailable:  provider.ProviderUnavailable,
	} {
		e := start(t, trustistsim.Options{}, nil)
		e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(status)
			return true
		})
		_, err := e.gw.GetPayment(context.Background(), "p1")
		wantCode(t, err, want)
	}
}

// The create answer as Trustist documents it (id, payLink, payIdString, payerServicesUrl:
// https://api.trustistecommerce.com/docs/javascript/embedded-payments) carries no amount,
// so Pay reads the payment back.
func TestPayReadsThePaymentBack(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	p, err := e.gw.Pay(context.Background(), payReq(t, "12.34", "o-readback"))
	if err != nil {
		t.Fatal(err)
	}
	rs := e.requests()
	if len(rs) != 2 || rs[0].method != http.MethodPost || rs[1].method != http.MethodGet || rs[1].path != "/v1/payments/"+p.ID {
		t.Fatalf("requests %v, want the POST and a GET of the payment", rs)
	}
	if !p.Amount.Equal(gbp(t, "12.34")) || p.Status != provider.PaymentRequiresAction || p.RedirectURL == "" ||
		p.MerchantReference != "o-readback" || p.ProviderStatus != trustistsim.StatusPending {
		t.Fatalf("Pay = %+v", p)
	}
}

// failGETs makes the env answer the next n payment GETs with status.
func failGETs(e *env, n int32, status int) {
	var left atomic.Int32
	left.Store(n)
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/v1/payments/") || left.Add(-1) < 0 {
			return false
		}
		w.Header().Set(trustist.CorrelationHeader, "corr-get")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"title":"failed","status":` + strconv.Itoa(status) + `}`))
		return true
	})
}

// When the read-back fails, the payment exists but Pay cannot report it: UnknownOutcome
// with the read's status and correlation id, naming the payment. The error carries the
// payment's id, which the Gateway records, so a repeat with the key reads the payment
// instead of posting again (a second POST would create a second payment).
func TestPayReadBackFailureIsUncertain(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusNotFound} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e := start(t, trustistsim.Options{}, nil)
			failGETs(e, 1, status)
			ctx := context.Background()
			req := payReq(t, "8.80", "o-rb-"+strconv.Itoa(status))
			req.IdempotencyKey = "key-rb-" + strconv.Itoa(status)
			_, err := e.gw.Pay(ctx, req)
			pe := wantCode(t, err, provider.UnknownOutcome)
			id := strings.TrimPrefix(e.last().path, "/v1/payments/")
			if pe.HTTPStatus != status || pe.CorrelationID != "corr-get" || !strings.Contains(pe.Message, `"`+id+`" was created`) {
				t.Fatalf("error %+v lacks the read's status or correlation id, or does not name payment %s", pe, id)
			}
			if pe.ObjectID != id {
				t.Fatalf("error's ObjectID %q, want the payment's id %s", pe.ObjectID, id)
			}
			before := len(e.requests())
			p, err := e.gw.Pay(ctx, req)
			if err != nil || p.ID != id || p.Status != provider.PaymentRequiresAction || p.RedirectURL == "" {
				t.Fatalf("repeat: %+v, %v; want payment %s to send the payer to", p, err, id)
			}
			if len(e.requests()) != before+1 || e.last().method != http.MethodGet || e.sim.Payments() != 1 || countPOSTs(e) != 1 {
				t.Fatalf("the repeat sent %d requests: %d payments, %d POSTs; want one GET", len(e.requests())-before, e.sim.Payments(), countPOSTs(e))
			}
		})
	}
}

// A context that ends during the read-back yields UnknownOutcome, not the context error,
// because the payment exists.
func TestPayReadBackCancelled(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet {
			cancel()
			<-r.Context().Done()
			return true
		}
		return false
	})
	_, err := e.p.Pay(ctx, &provider.PaymentRequest{Amount: gbp(t, "1.50"), MerchantReference: "o-rb-cancel",
		ReturnURL: "https://shop.example.com/return"})
	if pe := wantCode(t, err, provider.UnknownOutcome); !strings.Contains(pe.Message, "was created") {
		t.Fatalf("%+v", pe)
	}
}

// A second stale-timestamp refusal after resynchronising points at clock drift.
func TestStaleAgainAfterSyncMentionsDrift(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	key := e.sim.MerchantKey().HawkKey.Bytes()
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		ts := time.Now().Unix() + 3600
		w.Header().Set("WWW-Authenticate", `Hawk ts="`+strconv.FormatInt(ts, 10)+`", tsm="`+hawk.TimestampMAC(key, ts)+`", error="Stale timestamp"`)
		w.WriteHeader(http.StatusUnauthorized)
		return true
	})
	_, err := e.p.Merchant(context.Background())
	pe := wantCode(t, err, provider.Unauthenticated)
	if !strings.Contains(pe.Message, "clock") || strings.Contains(pe.Message, "check the key pair") {
		t.Fatalf("message %q", pe.Message)
	}
	if n := len(e.requests()); n != 2 {
		t.Fatalf("%d requests, want the refused one and one retry", n)
	}
}

// The simulator's create answer carries only the members Trustist documents (see
// TestPayReadsThePaymentBack), unless the full form is asked for.
func TestSimulatorCreateAnswerMembers(t *testing.T) {
	for _, full := range []bool{false, true} {
		e := start(t, trustistsim.Options{FullCreateAnswer: full}, nil)
		var got map[string]json.RawMessage
		e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPost {
				return false
			}
			rec := httptest.NewRecorder()
			e.sim.ServeHTTP(rec, r)
			_ = json.Unmarshal(rec.Body.Bytes(), &got)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return true
		})
		if _, err := e.gw.Pay(context.Background(), payReq(t, "3.30", "o-members")); err != nil {
			t.Fatal(err)
		}
		_, hasAmount := got["amount"]
		for _, k := range []string{"id", "payLink", "payIdString", "payerServicesUrl"} {
			if _, ok := got[k]; !ok {
				t.Errorf("full=%v: create answer lacks %s: %v", full, k, got)
			}
		}
		if hasAmount != full || (!full && len(got) != 4) {
			t.Errorf("full=%v: create answer members %v", full, got)
		}
		wantReqs := 2
		if full {
			wantReqs = 1
		}
		if n := len(e.requests()); n != wantReqs {
			t.Errorf("full=%v: %d requests, want %d", full, n, wantReqs)
		}
	}
}

// A Pay's result is the caller's: changing it does not change what a repeat with the same
// key returns.
func TestPayResultIsTheCallersCopy(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	req := payReq(t, "12.34", "o-copy")
	req.IdempotencyKey = "copy-1"
	first, err := e.gw.Pay(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	id, link := first.ID, first.RedirectURL
	first.ID, first.RedirectURL, first.Status = "changed", "https://elsewhere.example/", provider.PaymentFailed
	again, err := e.gw.Pay(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != id || again.RedirectURL != link || again.Status != provider.PaymentRequiresAction {
		t.Fatalf("a repeat returned %+v after the first result was changed; want payment %s at %s", again, id, link)
	}
}

// TestPayAboveTheLimitIsRefusedBeforeSending: an amount above what one open-banking
// payment can carry (a misplaced decimal point, a corrupted value) is refused naming the
// field, before anything is sent; the limit itself is sent.
func TestPayAboveTheLimitIsRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	_, gw, req, _, lastBody := payStub(t)
	req.Amount = money.MustNew("92233720368547758.07", "GBP")
	_, err := gw.Pay(ctx, req)
	var pe *provider.Error
	if !errors.Is(err, paybridge.ErrInvalidRequest) || !errors.As(err, &pe) || pe.Field != "Amount" {
		t.Fatalf("Pay of %s: %v; want ErrInvalidRequest naming Amount", req.Amount, err)
	}
	if body, _ := lastBody(); len(body) != 0 {
		t.Fatalf("a request was sent: %s", body)
	}
	req.Amount, req.IdempotencyKey = money.MustNew("1000000.00", "GBP"), "at-the-limit"
	if _, err := gw.Pay(ctx, req); errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Fatalf("Pay of %s, the limit: %v", req.Amount, err)
	}
	if body, _ := lastBody(); !bytes.Contains(body, []byte(`"amount":1000000.00`)) {
		t.Fatalf("the limit was not sent: %s", body)
	}
}

// A proxy that forwards a Pay, then answers 500 with a body cut short of its
// Content-Length, leaves the payment created: the outcome is unknown, and a Gateway that
// repeats unavailable calls must not send it again (two payments for one reference).
func TestPayTruncatedServerErrorIsUnknownAndNotResent(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/payments" {
			return false
		}
		e.sim.ServeHTTP(httptest.NewRecorder(), r) // forwarded and processed
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Content-Length", "200")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"title":"Inter`)) // 15 of the 200 bytes; the connection closes
		return true
	})
	gw := paybridge.New(e.p, paybridge.WithRetry(paybridge.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	req := payReq(t, "7.00", "o-truncated")
	req.IdempotencyKey = "key-truncated"
	_, err := gw.Pay(context.Background(), req)
	if !errors.Is(err, paybridge.ErrUnknownOutcome) {
		t.Errorf("got %v, want ErrUnknownOutcome", err)
	}
	if n := e.sim.Payments(); n != 1 {
		t.Fatalf("the simulator holds %d payments for one reference, want 1 (%d POSTs)", n, countPOSTs(e))
	}
}
