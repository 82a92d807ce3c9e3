package trustistsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/internal/testvectors"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/secret"
)

type vectorFile struct {
	Cases []struct {
		Name        string  `json:"name"`
		ID          string  `json:"id"`
		Key         string  `json:"key"`
		Method      string  `json:"method"`
		URL         string  `json:"url"`
		TS          int64   `json:"ts"`
		ContentType *string `json:"contentType"`
		Payload     *string `json:"payload"`
		Expected    struct {
			Hash   *string `json:"hash"`
			Header string  `json:"header"`
		} `json:"expected"`
	} `json:"cases"`
}

// TestHawkVectorsAccepted checks the simulator's Hawk verification against every case of
// the shared vectors, loaded at test time: the reference implementation's header is
// accepted, the same header with a changed body is refused, and a replay is refused.
func TestHawkVectorsAccepted(t *testing.T) {
	var v vectorFile
	testvectors.Load(t, "hawk.json", &v)
	if len(v.Cases) == 0 {
		t.Fatal("no cases in hawk.json")
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			sim := startSim(t, trustistsim.Options{
				Merchant: trustist.Key{HawkID: c.ID, HawkKey: secret.New(c.Key)},
				Now:      func() time.Time { return time.Unix(c.TS, 0) },
			})
			send := func(payload string) *httptest.ResponseRecorder {
				var body io.Reader
				if c.Payload != nil {
					body = strings.NewReader(payload)
				}
				r := httptest.NewRequest(c.Method, c.URL, body)
				r.Header.Set("Authorization", c.Expected.Header)
				if c.ContentType != nil {
					r.Header.Set("Content-Type", *c.ContentType)
				}
				w := httptest.NewRecorder()
				sim.ServeHTTP(w, r)
				return w
			}
			payload := ""
			if c.Payload != nil {
				payload = *c.Payload
			}
			if w := send(payload); w.Code == http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") != "" {
				t.Fatalf("reference header refused: %d %s", w.Code, w.Body)
			}
			if w := send(payload); w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "Invalid nonce") {
				t.Fatalf("replay answered %d %s", w.Code, w.Body)
			}
			if c.Expected.Hash != nil {
				if w := send(payload + " "); w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "Bad payload hash") {
					t.Fatalf("changed body answered %d %s", w.Code, w.Body)
				}
			}
		})
	}
}

// client signs requests to a started simulator.
type client struct {
	t   *testing.T
	s   *trustistsim.Server
	key trustist.Key
}

func (c client) do(method, path, body string, opts hawk.RequestOptions) (*http.Response, []byte) {
	c.t.Helper()
	cred := hawk.Credentials{ID: c.key.HawkID, Key: hawk.Key(c.key.HawkKey.Bytes())}
	u := c.s.URL() + path
	if body != "" {
		opts.ContentType, opts.Payload = "application/json", []byte(body)
	}
	auth, art, err := hawk.RequestHeader(cred, method, u, opts)
	if err != nil {
		c.t.Fatal(err)
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode < 300 {
		if err := hawk.VerifyResponse(cred, art, resp.Header.Get("Server-Authorization"), resp.Header.Get("Content-Type"), b); err != nil {
			c.t.Fatalf("response to %s %s does not authenticate: %v", method, path, err)
		}
	}
	if resp.Header.Get("CorrelationId") == "" {
		c.t.Errorf("%s %s: no CorrelationId header", method, path)
	}
	return resp, b
}

func startSim(t *testing.T, opts trustistsim.Options) *trustistsim.Server {
	t.Helper()
	s, err := trustistsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestHawkChecks(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m := client{t, s, s.MerchantKey()}

	resp, _ := http.Get(s.URL() + "/v1/merchants")
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != "Hawk" {
		t.Fatalf("no Authorization: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	stranger := client{t, s, trustist.Key{HawkID: "not-a-key", HawkKey: secret.New("x")}}
	if resp, b := stranger.do("GET", "/v1/merchants", "", hawk.RequestOptions{}); resp.StatusCode != 401 || !bytes.Contains(b, []byte("Unknown credentials")) {
		t.Fatalf("unknown id: %d %s", resp.StatusCode, b)
	}
	wrong := client{t, s, trustist.Key{HawkID: s.MerchantKey().HawkID, HawkKey: secret.New("wrong")}}
	if resp, b := wrong.do("GET", "/v1/merchants", "", hawk.RequestOptions{}); resp.StatusCode != 401 || !bytes.Contains(b, []byte("Bad mac")) {
		t.Fatalf("wrong key: %d %s", resp.StatusCode, b)
	}
	sent := time.Now().Unix()
	old := time.Now().Add(-2 * time.Minute).Unix()
	resp, b := m.do("GET", "/v1/merchants", "", hawk.RequestOptions{Timestamp: old})
	if resp.StatusCode != 401 {
		t.Fatalf("stale timestamp answered %d %s", resp.StatusCode, b)
	}
	// The reply carries the server's time when it answered: between sending and now.
	ts, err := hawk.VerifyStaleTimestamp(hawk.Credentials{ID: s.MerchantKey().HawkID, Key: hawk.Key(s.MerchantKey().HawkKey.Bytes())}, resp.Header.Get("WWW-Authenticate"))
	if err != nil || ts < sent || ts > time.Now().Unix() {
		t.Fatalf("stale reply %q: %v", resp.Header.Get("WWW-Authenticate"), err)
	}
	if resp, b := m.do("GET", "/v1/merchants", "", hawk.RequestOptions{}); resp.StatusCode != 200 || !bytes.Contains(b, []byte(trustistsim.MerchantName)) {
		t.Fatalf("merchant info: %d %s", resp.StatusCode, b)
	}

	// A body without a payload hash is refused.
	cred := hawk.Credentials{ID: s.MerchantKey().HawkID, Key: hawk.Key(s.MerchantKey().HawkKey.Bytes())}
	auth, _, _ := hawk.RequestHeader(cred, "POST", s.URL()+"/v1/payments", hawk.RequestOptions{})
	req, _ := http.NewRequest("POST", s.URL()+"/v1/payments", strings.NewReader(`{"amount":1,"reference":"r"}`))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("unhashed body: %v %v", resp.StatusCode, err)
	}
	_ = resp.Body.Close()
}

func TestKeyPermissions(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m, tn := client{t, s, s.MerchantKey()}, client{t, s, s.TenantKey()}
	for _, c := range []struct {
		cl           client
		method, path string
		body         string
		want         int
	}{
		{m, "POST", "/v1/customers", `{"firstName":"A"}`, 403},
		{m, "GET", "/v1/customers", "", 403},
		{m, "POST", "/v1/onboard/sessions", `{"customerId":"x"}`, 403},
		{m, "GET", "/api/customers/x/bank-accounts", "", 403},
		{tn, "POST", "/v1/payments", `{"amount":1.00,"reference":"r"}`, 403},
		{tn, "GET", "/v1/merchants", "", 403},
		{tn, "POST", "/v1/customers", `{"firstName":"A"}`, 201},
		{m, "POST", "/v1/payments", `{"amount":1.00,"reference":"r"}`, 200},
	} {
		if resp, b := c.cl.do(c.method, c.path, c.body, hawk.RequestOptions{}); resp.StatusCode != c.want {
			t.Errorf("%s %s with %s: %d %s, want %d", c.method, c.path, c.cl.key.HawkID, resp.StatusCode, b, c.want)
		}
	}
	s2 := startSim(t, trustistsim.Options{TenantPayments: true})
	if resp, b := (client{t, s2, s2.TenantKey()}).do("POST", "/v1/payments", `{"amount":1.00,"reference":"r"}`, hawk.RequestOptions{}); resp.StatusCode != 200 {
		t.Fatalf("tenant payments enabled: %d %s", resp.StatusCode, b)
	}
}

func TestPaymentValidation(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m := client{t, s, s.MerchantKey()}
	for body, field := range map[string]string{
		`{"amount":"12.34","reference":"r"}`:                                 "amount",
		`{"amount":12.345,"reference":"r"}`:                                  "amount",
		`{"amount":0,"reference":"r"}`:                                       "amount",
		`{"amount":-1,"reference":"r"}`:                                      "amount",
		`{"reference":"r"}`:                                                  "amount",
		`{"amount":1.00}`:                                                    "reference",
		`{"amount":1.00,"reference":"r","returnUrl":"/r"}`:                   "returnUrl",
		`{"amount":1.00,"reference":"r","payerEmail":"x"}`:                   "payerEmail",
		`{"amount":1.00,"reference":"r","customerId":"nobody1"}`:             "customerId",
		`{"amount":1.00,"reference":"r","workflow":{"mode":"Fast"}}`:         "workflow.mode",
		`{"amount":1.00,"reference":"r","workflow":{}}`:                      "workflow.mode",
		`{"amount":1.00,"reference":"r","workflow":"Default"}`:               "workflow",
		`{"amount":1.00,"reference":"r","partnerId":"partner-1"}`:            "partnerId",
		`{"amount":1.00,"reference":"r","partnerId":"AAAAAAAAAAAAAAAAAAAA"}`: "partnerId",
		`{"amount":1.00,"reference":"r","logoUrl":"logo.png"}`:               "logoUrl",
		`[1]`: "$",
	} {
		resp, b := m.do("POST", "/v1/payments", body, hawk.RequestOptions{})
		var p struct {
			Errors map[string][]string `json:"errors"`
		}
		_ = json.Unmarshal(b, &p)
		if resp.StatusCode != 400 || len(p.Errors[field]) == 0 {
			t.Errorf("%s: %d %s, want 400 naming %s", body, resp.StatusCode, b, field)
		}
	}
	resp, b := m.do("POST", "/v1/payments", `{"Amount":1.5,"Reference":"r","unknownMember":true}`, hawk.RequestOptions{})
	var created struct{ ID string }
	if err := json.Unmarshal(b, &created); resp.StatusCode != 200 || err != nil || created.ID == "" {
		t.Fatalf("PascalCase request: %d %s", resp.StatusCode, b)
	}
	resp, b = m.do("GET", "/v1/payments/"+created.ID, "", hawk.RequestOptions{})
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"amount":1.50`)) || !bytes.Contains(b, []byte(`"status":"PENDING"`)) {
		t.Fatalf("PascalCase request read back: %d %s", resp.StatusCode, b)
	}
}

// TestPaymentPageOptions: the documented page options are taken and kept, the workflow
// mode in its documented spelling, a partner id as a GUID or a ShortGuid.
func TestPaymentPageOptions(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m := client{t, s, s.MerchantKey()}
	for _, tc := range []struct{ body string }{
		{`{"amount":1.00,"reference":"a","logoUrl":"https://shop.example/logo.png","partnerId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","partnerReference":"pr-1","workflow":{"mode":"remoteonly"}}`},
		{`{"amount":1.00,"reference":"b","partnerId":"4CUEP4lP0xGaDAMF6CwzAQ","workflow":{"Mode":"MOTO"}}`},
	} {
		resp, b := m.do("POST", "/v1/payments", tc.body, hawk.RequestOptions{})
		var created struct{ ID string }
		if err := json.Unmarshal(b, &created); resp.StatusCode != 200 || err != nil || created.ID == "" {
			t.Fatalf("%s: %d %s", tc.body, resp.StatusCode, b)
		}
		got, ok := s.PaymentOptions(created.ID)
		switch {
		case !ok:
			t.Fatalf("%s: PaymentOptions found no payment %s", tc.body, created.ID)
		case strings.Contains(tc.body, `"a"`) && got != (trustistsim.PaymentOptions{LogoURL: "https://shop.example/logo.png",
			PartnerID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301", PartnerReference: "pr-1", WorkflowMode: "RemoteOnly"}):
			t.Errorf("%s: kept %+v", tc.body, got)
		case strings.Contains(tc.body, `"b"`) && got != (trustistsim.PaymentOptions{PartnerID: "4CUEP4lP0xGaDAMF6CwzAQ", WorkflowMode: "MOTO"}):
			t.Errorf("%s: kept %+v", tc.body, got)
		}
	}
}

func TestHostedPageTransitions(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m := client{t, s, s.MerchantKey()}
	_, b := m.do("POST", "/v1/payments", `{"amount":2.00,"reference":"r","returnUrl":"https://shop.example.com/r"}`, hawk.RequestOptions{})
	var p struct{ ID, PayLink string }
	_ = json.Unmarshal(b, &p)
	ctx := context.Background()
	if err := s.EndUser().Approve(ctx, p.PayLink); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.PaymentStatus(p.ID); st != trustistsim.StatusComplete {
		t.Fatalf("status %q", st)
	}
	if err := s.EndUser().Decline(ctx, p.PayLink); err == nil {
		t.Fatal("a completed payment's page accepted another action")
	}
	resp, err := http.PostForm(p.PayLink, map[string][]string{"token": {"0000"}, "action": {"approve"}})
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong page token: %v %v", resp.StatusCode, err)
	}
	_ = resp.Body.Close()
}

func TestFaultKnobs(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m := client{t, s, s.MerchantKey()}
	s.FailNext(2)
	for i := range 3 {
		resp, _ := m.do("GET", "/v1/merchants", "", hawk.RequestOptions{})
		if want := map[bool]int{true: 503, false: 200}[i < 2]; resp.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
	if s.Requests() != 3 {
		t.Fatalf("Requests() = %d", s.Requests())
	}
	s.SetLatency(30 * time.Millisecond)
	began := time.Now()
	m.do("GET", "/v1/merchants", "", hawk.RequestOptions{})
	if time.Since(began) < 30*time.Millisecond {
		t.Fatal("latency not applied")
	}
}

func TestWebhookRetriesStopOnClose(t *testing.T) {
	var hits atomic.Int64
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer hook.Close()
	s, err := trustistsim.Start(trustistsim.Options{Options: simkit.Options{RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond,
		MaxAttempts: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	s.SetWebhookURL(hook.URL)
	m := client{t, s, s.MerchantKey()}
	_, b := m.do("POST", "/v1/payments", `{"amount":2.00,"reference":"r","returnUrl":"https://shop.example.com/r"}`, hawk.RequestOptions{})
	var p struct{ PayLink string }
	_ = json.Unmarshal(b, &p)
	if err := s.EndUser().Approve(context.Background(), p.PayLink); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "three webhook attempts", func() bool { return hits.Load() >= 3 })
	s.Close()
	after := hits.Load()
	time.Sleep(30 * time.Millisecond)
	// A POST the client had already sent when Close cancelled it may still reach the
	// receiver once; nothing is sent after that.
	if after < 3 || hits.Load() > after+1 {
		t.Fatalf("%d attempts before Close, %d after", after, hits.Load())
	}
	d := s.Deliveries()
	if len(d) != 1 || d[0].Acknowledged || d[0].LastStatus != 500 || d[0].Event != "payment.completed" {
		t.Fatalf("deliveries %+v", d)
	}
}

func TestCustomerPartialUpdate(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	tn := client{t, s, s.TenantKey()}
	_, b := tn.do("POST", "/v1/customers", `{"firstName":"Ada","lastName":"Lovelace","emailAddress":"ada@example.com","orgId":"o1"}`, hawk.RequestOptions{})
	var c map[string]any
	_ = json.Unmarshal(b, &c)
	id, _ := c["id"].(string)
	resp, b := tn.do("PUT", "/v1/customers/"+id, `{"lastName":null,"firstName":"Augusta"}`, hawk.RequestOptions{})
	_ = json.Unmarshal(b, &c)
	if resp.StatusCode != 200 || c["firstName"] != "Augusta" || c["lastName"] != nil || c["emailAddress"] != "ada@example.com" || c["orgId"] != "o1" {
		t.Fatalf("update: %d %v", resp.StatusCode, c)
	}
	if resp, b := tn.do("PUT", "/v1/customers/"+id, `{"emailAddress":"not an address"}`, hawk.RequestOptions{}); resp.StatusCode != 400 {
		t.Fatalf("bad e-mail: %d %s", resp.StatusCode, b)
	}
	if resp, _ := tn.do("GET", "/v1/customers/nobody", "", hawk.RequestOptions{}); resp.StatusCode != 404 {
		t.Fatalf("unknown customer: %d", resp.StatusCode)
	}
}

// webhookSim starts a simulator and creates one payment, returning its payLink on a
// listener of its own, so that the pay page stays reachable after Close.
func webhookSim(t *testing.T, hookURL string) (*trustistsim.Server, string) {
	t.Helper()
	s := startSim(t, trustistsim.Options{Options: simkit.Options{RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond,
		MaxAttempts: 1000, DeliveryClient: &http.Client{Timeout: testwait.Limit}}}) // attempts fail by their answers, not their speed
	pages := httptest.NewServer(s)
	t.Cleanup(pages.Close)
	s.SetWebhookURL(hookURL)
	m := client{t, s, s.MerchantKey()}
	_, b := m.do("POST", "/v1/payments", `{"amount":2.00,"reference":"r","returnUrl":"https://shop.example.com/r"}`, hawk.RequestOptions{})
	var p struct{ PayLink string }
	if err := json.Unmarshal(b, &p); err != nil || !strings.HasPrefix(p.PayLink, s.URL()+"/") {
		t.Fatalf("create answer %s", b)
	}
	return s, pages.URL + strings.TrimPrefix(p.PayLink, s.URL())
}

// A delivery cut short by Close is not recorded as an attempt: the record keeps the last
// answer the receiver actually gave.
func TestWebhookAttemptCutByCloseIsNotRecorded(t *testing.T) {
	var hits atomic.Int64
	inFlight, release := make(chan struct{}), make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if hits.Add(1) <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if hits.Load() == 3 {
			close(inFlight)
		}
		select { // hold the third attempt until the sender gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hook.Close()
	defer close(release)
	s, payLink := webhookSim(t, hook.URL)
	if err := s.EndUser().Approve(context.Background(), payLink); err != nil {
		t.Fatal(err)
	}
	testwait.Recv(t, "the third attempt", inFlight)
	s.Close()
	d := s.Deliveries()
	if len(d) != 1 || d[0].Attempts != 2 || d[0].LastStatus != 500 || d[0].Acknowledged {
		t.Fatalf("deliveries %+v; want 2 answered attempts, the last 500", d)
	}
}

// An event raised after Close is recorded but never sent.
func TestWebhookRaisedAfterCloseIsNotSent(t *testing.T) {
	var hits atomic.Int64
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer hook.Close()
	s, payLink := webhookSim(t, hook.URL)
	s.Close()
	if err := s.EndUser().Approve(context.Background(), payLink); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	d := s.Deliveries()
	if hits.Load() != 0 || len(d) != 1 || d[0].Attempts != 0 || !d[0].GaveUp {
		t.Fatalf("%d POSTs, deliveries %+v; want one undelivered record", hits.Load(), d)
	}
}

func TestLagReads(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	m := client{t, s, s.MerchantKey()}
	status := func(id string) string {
		_, b := m.do("GET", "/v1/payments/"+id, "", hawk.RequestOptions{})
		var p struct{ Status string }
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("reading payment %s: %v (%s)", id, err, b)
		}
		return p.Status
	}
	create := func() string {
		_, b := m.do("POST", "/v1/payments", `{"amount":2.00,"reference":"r","returnUrl":"https://shop.example.com/r"}`, hawk.RequestOptions{})
		var p struct{ ID string }
		_ = json.Unmarshal(b, &p)
		return p.ID
	}
	untouched, paid := create(), create()
	if err := s.CompletePayment(paid, "approve"); err != nil {
		t.Fatal(err)
	}
	s.LagReads(2)
	// A payment whose status never changed is read as it is, and does not use up a lag.
	if got := status(untouched); got != trustistsim.StatusPending {
		t.Fatalf("unchanged payment read as %s", got)
	}
	for i, want := range []string{trustistsim.StatusPending, trustistsim.StatusPending, trustistsim.StatusComplete} {
		if got := status(paid); got != want {
			t.Fatalf("read %d of the paid payment: %s, want %s", i+1, got, want)
		}
	}
}

// Every answer to an authenticated request carries a Server-Authorization whose payload
// hash covers the body, errors included; StripServerAuthorization removes it.
func TestServerAuthorizationSentAndStripped(t *testing.T) {
	s := startSim(t, trustistsim.Options{})
	key := s.MerchantKey()
	cred := hawk.Credentials{ID: key.HawkID, Key: hawk.Key(key.HawkKey.Bytes())}
	send := func(method, path, body string) (int, error) {
		t.Helper()
		u := s.URL() + path
		var opts hawk.RequestOptions
		if body != "" {
			opts.ContentType, opts.Payload = "application/json", []byte(body)
		}
		auth, art, err := hawk.RequestHeader(cred, method, u, opts)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode, hawk.VerifyResponse(cred, art, resp.Header.Get("Server-Authorization"), resp.Header.Get("Content-Type"), b)
	}
	cases := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/v1/merchants", "", 200},
		{"GET", "/v1/payments/6b1f6a1e-9c5d-4e0b-9f59-000000000000", "", 404},
		{"POST", "/v1/payments", `{"amount":0,"reference":"r"}`, 400},
		{"POST", "/v1/customers", `{"firstName":"Ada"}`, 403},
	}
	for _, c := range cases {
		if status, err := send(c.method, c.path, c.body); status != c.status || err != nil {
			t.Errorf("%s %s: HTTP %d (want %d), Server-Authorization: %v", c.method, c.path, status, c.status, err)
		}
	}
	s.StripServerAuthorization(true)
	for _, c := range cases {
		if status, err := send(c.method, c.path, c.body); status != c.status || !errors.Is(err, hawk.ErrNoServerAuthorization) {
			t.Errorf("stripped %s %s: HTTP %d (want %d), Server-Authorization: %v", c.method, c.path, status, c.status, err)
		}
	}
}
