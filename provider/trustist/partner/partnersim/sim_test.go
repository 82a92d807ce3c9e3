package partnersim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/provider/trustist/partner/partnersim"
	"github.com/paybridge/paybridge/secret"
)

func start(t *testing.T, opts partnersim.Options) *partnersim.Server {
	t.Helper()
	s, err := partnersim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// send makes one request and returns the status, the headers and the body.
func send(t *testing.T, method, u, contentType, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

const form = "application/x-www-form-urlencoded"

// tokenFor fetches an access token for cfg's partner over HTTP.
func tokenFor(t *testing.T, s *partnersim.Server, cfg partner.Config) string {
	t.Helper()
	status, _, body := send(t, "POST", s.URL()+"/token", form, url.Values{"client_id": {cfg.ClientID},
		"client_secret": {cfg.ClientSecret.Reveal()}, "grant_type": {"client_credentials"}}.Encode())
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &tok) != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 {
		t.Fatalf("token: %d %s", status, body)
	}
	return tok.AccessToken
}

// The token endpoint takes the client credentials in the form body and refuses what
// RFC 6749 §5.2 has an OAuth server refuse.
func TestTokenRefusals(t *testing.T) {
	s := start(t, partnersim.Options{ClientID: "platform-1", ClientSecret: secret.New("cs_test_right")})
	valid := url.Values{"client_id": {"platform-1"}, "client_secret": {"cs_test_right"}, "grant_type": {"client_credentials"}}
	with := func(k, v string) string {
		f := url.Values{}
		for kk, vv := range valid {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f.Encode()
	}
	for _, c := range []struct {
		name, contentType, body string
		header                  []string
		status                  int
		code                    string
	}{
		{"wrong secret", form, with("client_secret", "cs_test_wrong"), nil, 401, "invalid_client"},
		{"unknown client", form, with("client_id", "platform-2"), nil, 401, "invalid_client"},
		{"no secret", form, with("client_secret", ""), nil, 401, "invalid_client"},
		{"credentials in Basic only", form, "grant_type=client_credentials",
			[]string{"Authorization", "Basic cGxhdGZvcm0tMTpjc190ZXN0X3JpZ2h0"}, 401, "invalid_client"},
		{"no grant type", form, with("grant_type", ""), nil, 400, "invalid_request"},
		{"password grant", form, with("grant_type", "password"), nil, 400, "unsupported_grant_type"},
		{"JSON body", "application/json", `{"client_id":"platform-1","client_secret":"cs_test_right","grant_type":"client_credentials"}`, nil, 400, "invalid_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := send(t, "POST", s.URL()+"/token", c.contentType, c.body, c.header...)
			var e struct{ Error string }
			if status != c.status || json.Unmarshal([]byte(body), &e) != nil || e.Error != c.code {
				t.Fatalf("got %d %s, want %d %s", status, body, c.status, c.code)
			}
			if strings.Contains(body, "access_token") || h.Get("Cache-Control") != "no-store" {
				t.Fatalf("a refusal carries a token or may be cached: %v %s", h, body)
			}
		})
	}
	tokenFor(t, s, s.Config())

	// Through the client: the refusal is Unauthenticated, and no secret is in the error.
	cfg := s.Config()
	cfg.ClientSecret = secret.New("cs_test_wrong")
	c, err := partner.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Invitations(context.Background())
	if provider.CodeOf(err) != provider.Unauthenticated || strings.Contains(err.Error(), "cs_test") {
		t.Fatalf("wrong secret through the client: %v", err)
	}
}

// Every API call wants a bearer token the server issued and that has not expired.
func TestBearerRefusals(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := start(t, partnersim.Options{Now: clock})
	tok := tokenFor(t, s, s.Config())
	list := func(header ...string) (int, http.Header, string) {
		t.Helper()
		return send(t, "GET", s.URL()+"/invitations", "", "", header...)
	}
	if status, _, body := list("Authorization", "Bearer "+tok); status != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("a good token: %d %s", status, body)
	}
	for _, c := range []struct {
		name      string
		header    []string
		challenge string
	}{
		{"no token", nil, "Bearer"},
		{"Basic", []string{"Authorization", "Basic " + tok}, "Bearer"},
		{"made-up token", []string{"Authorization", "Bearer " + strings.Repeat("a", len(tok))}, `Bearer error="invalid_token"`},
	} {
		status, h, body := list(c.header...)
		if status != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), c.challenge) {
			t.Errorf("%s: %d %q %s", c.name, status, h.Get("WWW-Authenticate"), body)
		}
	}
	mu.Lock()
	now = now.Add(partnersim.DefaultTokenLifetime)
	mu.Unlock()
	if status, h, body := list("Authorization", "Bearer "+tok); status != 401 || !strings.Contains(h.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("an expired token: %d %s", status, body)
	}
	tok = tokenFor(t, s, s.Config())
	s.RevokeTokens()
	if status, _, body := list("Authorization", "Bearer "+tok); status != 401 {
		t.Fatalf("a revoked token: %d %s", status, body)
	}
	// The client fetches a new token once the old one is refused.
	c, err := partner.New(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invitations(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.RevokeTokens()
	if _, err := c.Invitations(context.Background()); err != nil || c.TokenFetches() != 2 {
		t.Fatalf("after revocation: %v, %d token fetches", err, c.TokenFetches())
	}
}

// POST /invitations refuses what the Partner API would: no e-mail or name, an e-mail that
// is not one, payment types other than cards and openbanking, a body that is not JSON.
func TestInvalidInvitationRefused(t *testing.T) {
	s := start(t, partnersim.Options{})
	auth := []string{"Authorization", "Bearer " + tokenFor(t, s, s.Config())}
	for _, c := range []struct {
		name, contentType, body string
		status                  int
		field                   string
	}{
		{"no email", "application/json", `{"name":"Shop","paymentTypes":["openbanking"]}`, 400, "email"},
		{"bad email", "application/json", `{"email":"not an address","name":"Shop"}`, 400, "email"},
		{"email a number", "application/json", `{"email":7,"name":"Shop"}`, 400, "email"},
		{"no name", "application/json", `{"email":"shop@example.com"}`, 400, "name"},
		{"blank name", "application/json", `{"email":"shop@example.com","name":"  "}`, 400, "name"},
		{"unknown payment type", "application/json", `{"email":"shop@example.com","name":"Shop","paymentTypes":["openbanking","paypal"]}`, 400, "paymentTypes"},
		{"payment types a string", "application/json", `{"email":"shop@example.com","name":"Shop","paymentTypes":"cards"}`, 400, "paymentTypes"},
		{"upper-case type", "application/json", `{"email":"shop@example.com","name":"Shop","paymentTypes":["CARDS"]}`, 400, "paymentTypes"},
		{"not an object", "application/json", `["shop@example.com"]`, 400, "$"},
		{"form body", form, "email=shop%40example.com&name=Shop", 415, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := send(t, "POST", s.URL()+"/invitations", c.contentType, c.body, auth...)
			var p struct {
				Status int
				Errors map[string][]string
			}
			if status != c.status || json.Unmarshal([]byte(body), &p) != nil || p.Status != c.status ||
				(c.field != "" && len(p.Errors[c.field]) == 0) {
				t.Fatalf("got %d %s, want %d naming %q", status, body, c.status, c.field)
			}
		})
	}
	status, _, body := send(t, "GET", s.URL()+"/invitations", "", "", auth...)
	if status != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("refused invitations were kept: %s", body)
	}
	// Leaving openbanking out has no effect: it is offered all the same.
	status, _, body = send(t, "POST", s.URL()+"/invitations", "application/json",
		`{"email":"shop@example.com","name":"Shop","paymentTypes":["cards","cards"]}`, auth...)
	var inv struct {
		ID, Status   string
		PaymentTypes []string
	}
	if status != 200 || json.Unmarshal([]byte(body), &inv) != nil || inv.Status != "pending" ||
		fmt.Sprint(inv.PaymentTypes) != "[openbanking cards]" {
		t.Fatalf("cards only: %d %s", status, body)
	}
	if st, _ := s.InvitationStatus(inv.ID); st != "sent" {
		t.Fatalf("the invitation is %q after its e-mail went out", st)
	}
}

// Another partner's invitation is not found, its keys neither, and the list shows only
// the caller's own.
func TestForeignInvitation(t *testing.T) {
	s := start(t, partnersim.Options{})
	ctx := context.Background()
	a, err := partner.New(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	b, err := partner.New(s.AddPartner())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := a.CreateInvitation(ctx, partner.CreateInvitationRequest{Email: "shop@example.com", Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptInvitation(inv.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.MerchantKeys(ctx, inv.ID); err != nil {
		t.Fatalf("the owner reads the keys: %v", err)
	}
	if _, err := b.Invitation(ctx, inv.ID); provider.CodeOf(err) != provider.NotFound {
		t.Fatalf("another partner reads the invitation: %v", err)
	}
	if _, err := b.MerchantKeys(ctx, inv.ID); provider.CodeOf(err) != provider.NotFound {
		t.Fatalf("another partner reads the keys: %v", err)
	}
	if list, err := b.Invitations(ctx); err != nil || len(list) != 0 {
		t.Fatalf("another partner lists %v (%v)", list, err)
	}
	if list, err := a.Invitations(ctx); err != nil || len(list) != 1 || list[0].ID != inv.ID {
		t.Fatalf("the owner lists %v (%v)", list, err)
	}
}

// The keys are refused until the merchant accepts on the invitation page; a declined
// invitation has none; the page refuses a wrong link and a second answer.
func TestAcceptanceOnThePage(t *testing.T) {
	ctx := context.Background()
	for _, omit := range []bool{false, true} {
		t.Run(fmt.Sprint("omit private key ", omit), func(t *testing.T) {
			var mu sync.Mutex
			var mails []partnersim.Invite
			s := start(t, partnersim.Options{OmitPrivateKey: omit, OnInvite: func(i partnersim.Invite) {
				mu.Lock()
				defer mu.Unlock()
				mails = append(mails, i)
			}})
			c, err := partner.New(s.Config())
			if err != nil {
				t.Fatal(err)
			}
			yes, err := c.CreateInvitation(ctx, partner.CreateInvitationRequest{Email: "yes@example.com", Name: "Yes Ltd"})
			if err != nil {
				t.Fatal(err)
			}
			no, err := c.CreateInvitation(ctx, partner.CreateInvitationRequest{Email: "no@example.com", Name: "No Ltd"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.MerchantKeys(ctx, yes.ID); provider.CodeOf(err) != provider.NotFound {
				t.Fatalf("keys before acceptance: %v", err)
			}
			link, ok := s.InvitationURL(yes.ID)
			mu.Lock()
			got := append([]partnersim.Invite(nil), mails...)
			mu.Unlock()
			if !ok || len(got) != 2 || got[0].URL != link || got[0].Email != "yes@example.com" || got[0].Partner != s.ClientID() {
				t.Fatalf("invitation e-mails %+v, link %q", got, link)
			}
			u := s.EndUser()
			if err := u.Approve(ctx, strings.Replace(link, "t=", "t=0", 1)); err == nil {
				t.Fatal("a link with a wrong token was accepted")
			}
			if err := u.Approve(ctx, link); err != nil {
				t.Fatal(err)
			}
			if err := u.Approve(ctx, link); err == nil {
				t.Fatal("an accepted invitation was accepted again")
			}
			noLink, _ := s.InvitationURL(no.ID)
			if err := u.Decline(ctx, noLink); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Invitation(ctx, no.ID); err != nil || got.Status != "declined" {
				t.Fatalf("declined invitation: %+v %v", got, err)
			}
			if _, err := c.MerchantKeys(ctx, no.ID); provider.CodeOf(err) != provider.NotFound {
				t.Fatalf("keys of a declined invitation: %v", err)
			}
			if got, err := c.Invitation(ctx, yes.ID); err != nil || got.Status != "accepted" {
				t.Fatalf("accepted invitation: %+v %v", got, err)
			}
			keys, err := c.MerchantKeys(ctx, yes.ID)
			if err != nil || len(keys) != 1 || keys[0].HawkID == "" || keys[0].HawkKey.IsZero() != omit {
				t.Fatalf("keys after acceptance: %v %v", keys, err)
			}
		})
	}
}

// The shared fault knobs reach the API, and the server prints without its secrets.
func TestFaultsAndPrinting(t *testing.T) {
	s := start(t, partnersim.Options{})
	c, err := partner.New(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Invitations(ctx); err != nil {
		t.Fatal(err)
	}
	s.FailNext(1)
	if _, err := c.Invitations(ctx); provider.CodeOf(err) != provider.ProviderUnavailable {
		t.Fatalf("FailNext: %v", err)
	}
	s.DropNext(1)
	_, err = c.CreateInvitation(ctx, partner.CreateInvitationRequest{Email: "shop@example.com", Name: "Shop"})
	if provider.CodeOf(err) != provider.UnknownOutcome {
		t.Fatalf("DropNext on a create: %v", err)
	}
	if list, err := c.Invitations(ctx); err != nil || len(list) != 1 {
		t.Fatalf("the dropped create was not processed: %v %v", list, err)
	}
	// The answers carry no signature, so the signature faults do not apply; a Malformed
	// answer cannot be read.
	if err := s.SetChaos(simkit.Chaos{Requests: simkit.FaultRates{Unsigned: 0.5}}); err == nil {
		t.Fatal("SetChaos accepted an Unsigned rate")
	}
	if err := s.SetChaos(simkit.Chaos{Seed: 1, Requests: simkit.FaultRates{Malformed: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invitations(ctx); provider.CodeOf(err) == provider.Unknown || err == nil {
		t.Fatalf("a malformed answer: %v", err)
	}
	if err := s.SetChaos(simkit.Chaos{}); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{s.String(), fmt.Sprintf("%v %+v %#v", s, s, s)} {
		if strings.Contains(out, s.ClientSecret().Reveal()) || !strings.Contains(out, s.URL()) {
			t.Fatalf("the server prints as %s", out)
		}
	}
}
