package partner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/secrettest"
	"github.com/paybridge/paybridge/internal/transport/transporttest"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/secret"
)

const (
	clientID     = "partner-client-1"
	clientSecret = "cs_test_8f1d2c3b4a"
	merchantKey  = "sk_test_merchant_private_9c8b7a"
)

// partnerAPI is a loopback Partner API: a client-credentials token endpoint that wants
// the credentials in the form body, and invitation endpoints that want a live token.
type partnerAPI struct {
	t         *testing.T
	mu        sync.Mutex
	issued    int
	live      map[string]bool
	expiresIn int
	apiCalls  atomic.Int64
	created   []map[string]any
}

func newPartnerAPI(t *testing.T) (*partnerAPI, *httptest.Server) {
	a := &partnerAPI{t: t, live: map[string]bool{}, expiresIn: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", a.token)
	mux.HandleFunc("GET /invitations", a.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, []map[string]any{{"id": "inv_1", "status": "sent", "paymentTypes": []string{"openbanking"}, "email": "shop@example.com"}})
	}))
	mux.HandleFunc("GET /invitations/{id}", a.auth(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "inv_1" {
			writeJSON(w, 404, map[string]any{"title": "Not Found", "status": 404})
			return
		}
		writeJSON(w, 200, map[string]any{"id": "inv_1", "status": "accepted"})
	}))
	mux.HandleFunc("POST /invitations", a.auth(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["paymentTypes"] == nil {
			writeJSON(w, 400, map[string]any{"title": "One or more validation errors occurred.", "detail": "paymentTypes is required"})
			return
		}
		a.mu.Lock()
		a.created = append(a.created, body)
		a.mu.Unlock()
		writeJSON(w, 200, map[string]any{"id": "inv_2", "status": "sent", "paymentTypes": body["paymentTypes"]})
	}))
	mux.HandleFunc("GET /invitations/{id}/merchant/keys", a.auth(func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("id") {
		case "inv_record": // a record id beside the private key, no public key
			writeJSON(w, 200, map[string]any{"id": "rec_77", "privateKey": merchantKey})
			return
		case "inv_documented": // the Partner API guide's answer, step 5
			writeJSON(w, 200, map[string]any{"items": []any{map[string]any{"apiKey": "merchant_api_key", "name": "Default"}}})
			return
		}
		writeJSON(w, 200, map[string]any{"publicKey": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "privateKey": merchantKey})
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return a, srv
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *partnerAPI) token(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := r.BasicAuth(); ok {
		a.t.Error("credentials were sent with HTTP Basic; the Partner API wants them in the form body")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		a.t.Errorf("token request Content-Type %q", ct)
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	if r.PostForm.Get("client_id") != clientID || r.PostForm.Get("client_secret") != clientSecret {
		writeJSON(w, 401, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed."})
		return
	}
	a.mu.Lock()
	a.issued++
	tok := fmt.Sprintf("tok-%d", a.issued)
	a.live[tok] = true
	exp := a.expiresIn
	a.mu.Unlock()
	writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": exp})
}

func (a *partnerAPI) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.apiCalls.Add(1)
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		a.mu.Lock()
		live := ok && a.live[tok]
		a.mu.Unlock()
		if !live {
			writeJSON(w, 401, map[string]any{"title": "Unauthorized"})
			return
		}
		next(w, r)
	}
}

func (a *partnerAPI) revokeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.live = map[string]bool{}
}

func (a *partnerAPI) tokensIssued() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.issued
}

type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

func newClient(t *testing.T, base, sec string, clk *clock) *partner.Client {
	t.Helper()
	c, err := partner.New(partner.Config{BaseURL: base, ClientID: clientID, ClientSecret: secret.New(sec), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTokenIsCachedAcrossCalls(t *testing.T) {
	api, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	ctx := context.Background()
	for range 3 {
		invs, err := c.Invitations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(invs) != 1 || invs[0].ID != "inv_1" || invs[0].Status != "sent" || !strings.Contains(string(invs[0].Raw), "shop@example.com") {
			t.Fatalf("Invitations = %+v", invs)
		}
	}
	if n := api.tokensIssued(); n != 1 || c.TokenFetches() != 1 {
		t.Fatalf("%d tokens issued (%d fetched) for three calls, want 1", n, c.TokenFetches())
	}
}

func TestTokenIsRefreshedBeforeExpiry(t *testing.T) {
	api, srv := newPartnerAPI(t)
	clk := &clock{}
	c := newClient(t, srv.URL, clientSecret, clk)
	ctx := context.Background()
	if _, err := c.Invitation(ctx, "inv_1"); err != nil {
		t.Fatal(err)
	}
	clk.advance(3600*time.Second - partner.DefaultRefreshMargin - time.Minute)
	if _, err := c.Invitation(ctx, "inv_1"); err != nil {
		t.Fatal(err)
	}
	if n := api.tokensIssued(); n != 1 {
		t.Fatalf("token replaced %d times while still fresh", n-1)
	}
	clk.advance(2 * time.Minute) // now inside the refresh margin
	if _, err := c.Invitation(ctx, "inv_1"); err != nil {
		t.Fatal(err)
	}
	if n := api.tokensIssued(); n != 2 {
		t.Fatalf("%d tokens issued, want a second one near expiry", n)
	}
}

func TestConcurrentCallsFetchOneToken(t *testing.T) {
	api, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.Invitations(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := api.tokensIssued(); n != 1 {
		t.Fatalf("%d tokens issued for concurrent calls, want 1", n)
	}
}

func TestRefusedTokenIsReplacedOnce(t *testing.T) {
	api, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	ctx := context.Background()
	if _, err := c.Invitations(ctx); err != nil {
		t.Fatal(err)
	}
	api.revokeAll()
	if _, err := c.Invitations(ctx); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if n := api.tokensIssued(); n != 2 {
		t.Fatalf("%d tokens issued, want 2", n)
	}
}

func TestBadClientSecretIsUnauthenticated(t *testing.T) {
	const wrong = "cs_test_wrong_secret_77"
	api, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, wrong, &clock{})
	_, err := c.Invitations(context.Background())
	if provider.CodeOf(err) != provider.Unauthenticated {
		t.Fatalf("got %v, want Unauthenticated", err)
	}
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.ProviderCode != "invalid_client" || pe.HTTPStatus != 401 {
		t.Fatalf("error %#v lacks the token endpoint's code and status", err)
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, wrong) || strings.Contains(s, clientSecret) {
			t.Fatalf("error text reveals a secret: %s", s)
		}
	}
	if n := api.apiCalls.Load(); n != 0 {
		t.Fatalf("%d API calls made without a token", n)
	}
}

func TestCreateInvitation(t *testing.T) {
	api, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	ctx := context.Background()
	inv, err := c.CreateInvitation(ctx, partner.CreateInvitationRequest{Email: "shop@example.com", Name: "Example Shop",
		PaymentTypes: []partner.PaymentType{partner.Cards}})
	if err != nil {
		t.Fatal(err)
	}
	if inv.ID != "inv_2" || len(inv.PaymentTypes) != 2 {
		t.Fatalf("CreateInvitation = %+v", inv)
	}
	api.mu.Lock()
	sent := api.created[0]
	api.mu.Unlock()
	if fmt.Sprint(sent["paymentTypes"]) != "[openbanking cards]" || sent["email"] != "shop@example.com" || sent["name"] != "Example Shop" {
		t.Fatalf("sent %v", sent)
	}

	before := api.apiCalls.Load()
	for _, bad := range []partner.CreateInvitationRequest{
		{},
		{Name: "Example Shop"},
		{Email: "shop@example.com"},
		{Email: "Shop <shop@example.com>", Name: "Example Shop"},
		{Email: "shop@example.com", Name: "Example Shop", PaymentTypes: []partner.PaymentType{"crypto"}},
	} {
		if _, err := c.CreateInvitation(ctx, bad); provider.CodeOf(err) != provider.InvalidRequest {
			t.Errorf("CreateInvitation(%+v) = %v, want InvalidRequest", bad, err)
		}
	}
	if api.apiCalls.Load() != before {
		t.Fatal("invalid invitations were sent")
	}
}

func TestInvitationNotFound(t *testing.T) {
	_, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	if _, err := c.Invitation(context.Background(), "inv_404"); provider.CodeOf(err) != provider.NotFound {
		t.Fatalf("got %v, want NotFound", err)
	}
}

func TestMerchantKeys(t *testing.T) {
	_, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	keys, err := c.MerchantKeys(context.Background(), "inv_1")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].HawkID != "3f2504e0-4f89-11d3-9a0c-0305e82c3301" || keys[0].HawkKey.Reveal() != merchantKey {
		t.Fatalf("MerchantKeys = %v", keys)
	}
	if s := fmt.Sprintf("%v %+v %#v", keys, keys, keys); strings.Contains(s, merchantKey) {
		t.Fatalf("printing the keys reveals the private key: %s", s)
	}
}

func TestConfigNeverPrintsCredentials(t *testing.T) {
	if f := secrettest.AssertRedacted(t, &partner.Config{}); len(f) != 1 {
		t.Fatalf("checked %v, want ClientSecret", f)
	}
}

func TestNewChecksConfig(t *testing.T) {
	for name, cfg := range map[string]partner.Config{
		"no id":        {ClientSecret: secret.New("x")},
		"no secret":    {ClientID: "x"},
		"plain http":   {ClientID: "x", ClientSecret: secret.New("y"), BaseURL: "http://partners.example.com"},
		"unknown env":  {ClientID: "x", ClientSecret: secret.New("y"), Environment: "staging"},
		"relative url": {ClientID: "x", ClientSecret: secret.New("y"), BaseURL: "/partners"},
	} {
		if _, err := partner.New(cfg); provider.CodeOf(err) != provider.InvalidRequest {
			t.Errorf("%s: New = %v, want InvalidRequest", name, err)
		}
	}
}

// The documented answer, {"items": [{"apiKey": ...}]}, yields the merchant's API key; its
// private half, which the answer does not carry, stays zero for the merchant to supply.
// It was once refused as holding no key pair.
func TestMerchantKeysDocumentedAnswer(t *testing.T) {
	_, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	keys, err := c.MerchantKeys(context.Background(), "inv_documented")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].HawkID != "merchant_api_key" || !keys[0].HawkKey.IsZero() {
		t.Fatalf("MerchantKeys = %+v; want the apiKey and no private key", keys)
	}
}

// A keys answer whose only id is a generic "id" member is refused: it could be a record
// id, and configuring it as the Hawk id would fail later and obscurely.
func TestMerchantKeysWithoutPublicKeyIsRefused(t *testing.T) {
	_, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	keys, err := c.MerchantKeys(context.Background(), "inv_record")
	if provider.CodeOf(err) != provider.Internal || len(keys) != 0 {
		t.Fatalf("MerchantKeys = %v, %v; want an Internal error", keys, err)
	}
	if strings.Contains(err.Error(), merchantKey) {
		t.Fatalf("the error reveals the private key: %v", err)
	}
}

// A Client, printed or logged in any form, reveals neither the client secret nor a
// cached access token. (JSON has nothing to encode: Client has no exported fields.)
func TestClientNeverPrintsCredentials(t *testing.T) {
	api, srv := newPartnerAPI(t)
	c := newClient(t, srv.URL, clientSecret, &clock{})
	if _, err := c.Invitations(context.Background()); err != nil {
		t.Fatal(err)
	}
	api.mu.Lock()
	var tokens []string
	for tok := range api.live {
		tokens = append(tokens, tok)
	}
	api.mu.Unlock()
	if len(tokens) == 0 {
		t.Fatal("no token was issued")
	}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, c))
	}
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("client", "c", c)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("client", "c", c)
	out = append(out, buf.String())
	for _, s := range out {
		for _, needle := range append([]string{clientSecret, fmt.Sprintf("%x", clientSecret)}, tokens...) {
			if strings.Contains(s, needle) {
				t.Fatalf("printing the Client reveals %q: %s", needle, s)
			}
		}
	}
}

// A proxy in front of the Partner API that forwards an invitation, then answers an
// error that does not say it was refused unprocessed, leaves the invitation's fate
// unknown: the write must not be reported as safe to repeat. A 503 is refused before
// processing.
func TestInvitationAfterServerErrorIsUnknown(t *testing.T) {
	for _, c := range []struct {
		name      string
		status    int
		truncated bool
		want      provider.Code
	}{
		{"500 cut short", http.StatusInternalServerError, true, provider.UnknownOutcome},
		{"502", http.StatusBadGateway, false, provider.UnknownOutcome},
		{"503", http.StatusServiceUnavailable, false, provider.ProviderUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			api, srv := newPartnerAPI(t)
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/invitations" {
					srv.Config.Handler.ServeHTTP(w, r)
					return
				}
				if c.status != http.StatusServiceUnavailable {
					srv.Config.Handler.ServeHTTP(httptest.NewRecorder(), r) // forwarded and processed
				}
				if c.truncated {
					w.Header().Set("Content-Length", "200")
				}
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(`{"title":"Inter`))
			}))
			t.Cleanup(front.Close)
			cl := newClient(t, front.URL, clientSecret, &clock{})
			_, err := cl.CreateInvitation(context.Background(), partner.CreateInvitationRequest{Email: "shop@example.com", Name: "Shop", PaymentTypes: []partner.PaymentType{partner.Cards}})
			if got := provider.CodeOf(err); got != c.want {
				t.Fatalf("got %v (code %s), want %s", err, got, c.want)
			}
			api.mu.Lock()
			n := len(api.created)
			api.mu.Unlock()
			if want := map[bool]int{true: 0, false: 1}[c.status == http.StatusServiceUnavailable]; n != want {
				t.Fatalf("%d invitations created, want %d", n, want)
			}
		})
	}
}

// A redirect from the token endpoint or the API to another port on the same host is not
// followed, whatever client the caller configures: net/http would resend the client
// credentials (in the token request's body) or the bearer token along. The error names
// where the redirect pointed.
func TestRedirectIsNotFollowed(t *testing.T) {
	for _, redirected := range []string{"/token", "/invitations"} {
		t.Run(redirected, func(t *testing.T) {
			trap := transporttest.NewTrap(t)
			_, srv := newPartnerAPI(t)
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == redirected {
					trap.Redirect(w, r)
					return
				}
				srv.Config.Handler.ServeHTTP(w, r)
			}))
			t.Cleanup(front.Close)
			c, err := partner.New(partner.Config{BaseURL: front.URL, ClientID: clientID, ClientSecret: secret.New(clientSecret), HTTPClient: &http.Client{}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.CreateInvitation(context.Background(), partner.CreateInvitationRequest{Email: "shop@example.com", Name: "Shop", PaymentTypes: []partner.PaymentType{partner.Cards}})
			if got := trap.Requests(); len(got) != 0 {
				t.Fatalf("the redirect was followed: %d requests reached its target (secret sent: %v, token sent: %v)", len(got),
					strings.Contains(string(got[0].Body), clientSecret), got[0].Header.Get("Authorization") != "")
			}
			if code := provider.CodeOf(err); code != provider.InvalidRequest || !strings.Contains(err.Error(), trap.URL()) {
				t.Fatalf("got %v (%s), want InvalidRequest naming the redirect's Location %s", err, code, trap.URL())
			}
		})
	}
}
