package trustlyrestsim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type apiClient struct {
	t *testing.T
	s *Server
}

// do sends a request and returns the HTTP status, the Trustly error code (0 if none) and
// the decoded body.
func (a apiClient) do(method, path, contentType, body string, auth string) (int, int, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.s.APIURL()+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth == "" {
		auth = signing.BasicAuthorization(a.s.AccessID(), []byte(a.s.AccessKey()))
	}
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	code := 0
	if errs, ok := m["errors"].([]any); ok && len(errs) > 0 {
		code = int(errs[0].(map[string]any)["code"].(float64))
	}
	return resp.StatusCode, code, m
}

func (a apiClient) establish(ref, amount string, notify string) map[string]any {
	a.t.Helper()
	est := map[string]any{"accessId": a.s.AccessID(), "merchantId": a.s.MerchantID(), "description": "d", "currency": "USD",
		"amount": amount, "merchantReference": ref, "paymentType": "Deferred", "returnUrl": "https://m.example/r",
		"cancelUrl": "https://m.example/c", "notificationUrl": notify,
		"customer": map[string]any{"name": "A B", "email": "a@example.com", "phone": "+14155550100", "address": map[string]any{"country": "US"}}}
	sig, err := signing.RequestSignature([]byte(a.s.AccessKey()), est, signing.HMACSHA1)
	if err != nil {
		a.t.Fatal(err)
	}
	est["requestSignature"] = sig
	b, _ := json.Marshal(est)
	st, code, m := a.do(http.MethodPost, "/establish?createTransaction=true", "application/json", string(b), "")
	if st != 200 || code != 0 {
		a.t.Fatalf("establish: HTTP %d code %d %v", st, code, m)
	}
	return m
}

func TestAuthenticationAndSignature(t *testing.T) {
	s := start(t, Options{})
	a := apiClient{t, s}
	st, code, _ := a.do(http.MethodGet, "/transactions/1", "", "", signing.BasicAuthorization(s.AccessID(), []byte("wrong")))
	if st != http.StatusUnauthorized || code != 375 {
		t.Fatalf("bad key: HTTP %d code %d", st, code)
	}
	st, code, _ = a.do(http.MethodGet, "/transactions/1", "", "", "Basic")
	if st != http.StatusUnauthorized || code != 375 {
		t.Fatalf("no credentials: HTTP %d code %d", st, code)
	}
	est := `{"accessId":"` + s.AccessID() + `","merchantId":"` + s.MerchantID() + `","currency":"USD","amount":"1.00","description":"d",` +
		`"merchantReference":"r","paymentType":"Deferred","returnUrl":"https://m/r","cancelUrl":"https://m/c","requestSignature":"AAAA",` +
		`"customer":{"name":"A","email":"a@b.c","phone":"+14155550100","address":{"country":"US"}}}`
	st, code, _ = a.do(http.MethodPost, "/establish?createTransaction=true", "application/json", est, "")
	if st != http.StatusUnauthorized || code != 375 {
		t.Fatalf("bad requestSignature: HTTP %d code %d", st, code)
	}
	if st, code, _ = a.do(http.MethodGet, "/transactions/42", "", "", ""); st != 400 || code != 200 {
		t.Fatalf("unknown transaction: HTTP %d code %d", st, code)
	}
	if a.s.Requests() != 4 {
		t.Fatalf("Requests() = %d", s.Requests())
	}
}

func TestPaymentLifecycleAndRules(t *testing.T) {
	var hits atomic.Int32
	var lastBody atomic.Value
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := signing.VerifyNotification("x", []byte("y"), r.Header.Get("Authorization"), body); err == nil {
			t.Error("a notification verified with the wrong credentials")
		}
		lastBody.Store(string(body))
		if hits.Add(1) <= 2 {
			w.WriteHeader(http.StatusInternalServerError) // refuse twice: the simulator must retry
			return
		}
	}))
	defer hook.Close()
	// An attempt is refused only by the hook's answers, never for a slow one.
	s := start(t, Options{SettleDelay: -1, AckTimeout: testwait.Limit,
		Options: simkit.Options{RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond}})
	a := apiClient{t, s}
	m := a.establish("ref-1", "10.00", hook.URL)
	id := m["transactionId"].(string)
	if err := s.EndUser().Approve(context.Background(), m["url"].(string)); err != nil {
		t.Fatal(err)
	}
	if err := s.EndUser().Approve(context.Background(), m["url"].(string)); err == nil {
		t.Fatal("an approved page could be approved again")
	}
	testwait.For(t, "the notification's acknowledgement", func() bool {
		d := s.Deliveries()
		return len(d) > 0 && d[0].Acknowledged
	})
	d := s.Deliveries()[0]
	form, err := signing.VerifyNotification(s.AccessID(), []byte(s.AccessKey()), d.Header.Get("Authorization"), d.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Acknowledged || d.Attempts != 3 || d.Event != "Authorize" || d.EventID != form.Get("eventId") ||
		form.Get("transactionType") != "1" || form.Get("status") != "2" {
		t.Fatalf("delivery %+v", d)
	}
	token := form.Get("splitToken")
	if token == "" || !strings.ContainsAny(token, "+/=") {
		t.Fatalf("splitToken %q", token)
	}
	capture := func(ref, amount, tok string) (int, int, map[string]any) {
		f := url.Values{"merchantReference": {ref}, "amount": {amount}, "splitToken": {tok}}
		return a.do(http.MethodPost, "/transactions/"+id+"/capture", "application/x-www-form-urlencoded", f.Encode(), "")
	}
	if _, code, _ := capture("cap-1", "5.00", "wrong"); code != 380 {
		t.Fatalf("wrong split token: code %d", code)
	}
	if _, code, _ := capture("cap-1", "10.01", token); code != 200 {
		t.Fatalf("capture above the authorization: code %d", code)
	}
	if _, code, _ := capture("cap-1", "0.50", token); code != 200 {
		t.Fatalf("capture below 0.99: code %d", code)
	}
	_, code, c1 := capture("cap-1", "6.00", token)
	if code != 0 {
		t.Fatalf("capture: code %d", code)
	}
	capID := c1["transaction"].(map[string]any)["transactionId"].(string)
	// A refund needs a completed capture.
	refund := func(amount string) (int, int, map[string]any) {
		return a.do(http.MethodPost, "/transactions/"+capID+"/refund", "application/json", `{"amount":"`+amount+`"}`, "")
	}
	if _, code, _ := refund("1.00"); code != 200 {
		t.Fatalf("refund of a pending capture: code %d", code)
	}
	for _, st := range []int{3, 4} {
		if err := s.Settle(capID, st); err != nil {
			t.Fatal(err)
		}
	}
	if _, code, _ := capture("cap-1", "1.00", token); code != 210 {
		t.Fatalf("second capture with a completed capture's reference: code %d", code)
	}
	if _, code, _ := capture("cap-2", "4.01", token); code != 200 {
		t.Fatalf("capture above what is left: code %d", code)
	}
	if _, code, _ := refund("6.01"); code != 200 {
		t.Fatalf("refund above the capture: code %d", code)
	}
	if _, code, _ := refund("2.00"); code != 0 {
		t.Fatalf("refund: code %d", code)
	}
	if s.Status(capID) != 11 {
		t.Fatalf("capture status %d, want 11 PartiallyRefunded", s.Status(capID))
	}
	// Paging: newest first, count and startIndex.
	_, _, page := a.do(http.MethodGet, "/transactions?originalTransactionId="+id+"&count=1&startIndex=0", "", "", "")
	if txs := page["transactions"].([]any); len(txs) != 1 || txs[0].(map[string]any)["transactionId"] != capID {
		t.Fatalf("page = %v", page)
	}
	if st, code, _ := a.do(http.MethodGet, "/transactions?count=101", "", "", ""); st != 400 || code != 200 {
		t.Fatalf("count above 100: HTTP %d code %d", st, code)
	}
	// A second establish with the authorized reference is a duplicate.
	est := map[string]any{"accessId": s.AccessID(), "merchantId": s.MerchantID(), "currency": "USD", "merchantReference": "ref-1",
		"returnUrl": "https://m/r", "cancelUrl": "https://m/c", "paymentType": "Retrieval"}
	est["requestSignature"], _ = signing.RequestSignature([]byte(s.AccessKey()), est, signing.HMACSHA1)
	b, _ := json.Marshal(est)
	if _, code, _ := a.do(http.MethodPost, "/establish?createTransaction=true", "application/json", string(b), ""); code != 210 {
		t.Fatalf("duplicate reference: code %d", code)
	}
}

func TestFaultKnobs(t *testing.T) {
	s := start(t, Options{})
	a := apiClient{t, s}
	s.FailNext(2)
	for range 2 {
		if st, code, _ := a.do(http.MethodGet, "/transactions/1", "", "", ""); st != 503 || code != 100 {
			t.Fatalf("FailNext: HTTP %d code %d", st, code)
		}
	}
	if st, _, _ := a.do(http.MethodGet, "/transactions/1", "", "", ""); st != 400 {
		t.Fatalf("after the faults: HTTP %d", st)
	}
	s.SetLatency(30 * time.Millisecond)
	start := time.Now()
	a.do(http.MethodGet, "/transactions/1", "", "", "")
	if time.Since(start) < 30*time.Millisecond {
		t.Fatal("latency not applied")
	}
	s.SetLatency(0)
	s.DropNext(1)
	req, _ := http.NewRequest(http.MethodGet, s.APIURL()+"/transactions/1", nil)
	req.Header.Set("Authorization", signing.BasicAuthorization(s.AccessID(), []byte(s.AccessKey())))
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}} // no silent retry on a reused connection
	if _, err := fresh.Do(req); err == nil || s.LostReplies() != 1 {
		t.Fatalf("DropNext: err %v, lost %d", err, s.LostReplies())
	}
}

// TestSlowAcknowledgementIsNotAnAcknowledgement: Trustly counts a notification answered
// after its time limit as unanswered and delivers it again.
func TestSlowAcknowledgementIsNotAnAcknowledgement(t *testing.T) {
	var answered atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // once read, the sender's hang-up ends r's context
		if answered.Add(1) == 1 {
			<-r.Context().Done() // the first answer comes only after the simulator gave up on it
		}
	}))
	defer hook.Close()
	// Later attempts are answered at once; any of them slower than AckTimeout on a busy
	// machine is just followed by another.
	s := start(t, Options{AckTimeout: 500 * time.Millisecond, NotificationURL: hook.URL,
		Options: simkit.Options{RetryBase: 5 * time.Millisecond, RetryMax: 10 * time.Millisecond}})
	s.mu.Lock()
	t0 := &tx{id: s.newIDLocked(), typ: typeAuthorize, status: stAuthorized, pay: &payment{m: s.primary, id: "1", paymentType: 2, currency: "USD"}}
	s.addTxLocked(t0)
	s.notifyLocked(t0, "Authorize")
	s.mu.Unlock()
	var d []simkit.Delivery
	testwait.For(t, "an acknowledgement", func() bool {
		d = s.Deliveries()
		return len(d) == 1 && d[0].Acknowledged
	})
	if d[0].Attempts < 2 {
		t.Fatalf("a reply slower than AckTimeout counted as an acknowledgement (attempts %d)", d[0].Attempts)
	}
}
