package trustist_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// client returns the env's adapter as the Gateway reaches it.
func (e *env) client(t *testing.T) *trustist.Client {
	t.Helper()
	var c *trustist.Client
	if !e.gw.As(&c) {
		t.Fatal("Gateway.As(**trustist.Client) failed")
	}
	return c
}

// customer creates a customer through the Gateway.
func (e *env) customer(t *testing.T, c paybridge.Customer) string {
	t.Helper()
	got, err := e.gw.CreateCustomer(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return got.ID
}

var ada = paybridge.Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}

// An identity and AML session is sent with its options, read back with its checks, and
// reports them passed once the customer approves on the onboarding page, failed once they
// decline.
func TestOnboardSessionCreatedAndRead(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	c := e.client(t)
	id := e.customer(t, ada)

	s, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, OrgID: "branch-7",
		Identity: &trustist.CheckOptions{}, AML: &trustist.CheckOptions{Fields: map[string]any{"monitoring": true}},
		ReturnURL: "https://shop.example.com/onboarded"})
	if err != nil {
		t.Fatal(err)
	}
	sent := e.last()
	var body map[string]any
	_ = json.Unmarshal(sent.body, &body)
	if sent.method != http.MethodPost || sent.path != trustist.OnboardSessionsPath || body["customerId"] != id || body["orgId"] != "branch-7" ||
		body["returnUrl"] != "https://shop.example.com/onboarded" ||
		fmt.Sprint(body["options"]) != "map[aml:map[monitoring:true] identity:map[]]" {
		t.Fatalf("sent %s %s %v", sent.method, sent.path, body)
	}
	if s.ID == "" || s.CustomerID != id || s.Final() || !strings.HasPrefix(s.OnboardURL, e.sim.URL()+"/onboard/") ||
		!s.Identity.Requested || !s.AML.Requested || s.AIS.Requested {
		t.Fatalf("created %+v", *s)
	}

	read, err := c.GetOnboardSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.last().method != http.MethodGet || e.last().path != trustist.OnboardSessionsPath+"/"+s.ID {
		t.Fatalf("read with %s %s", e.last().method, e.last().path)
	}
	if read.Status != trustistsim.SessionCreated || read.Final() || read.Identity.Completed || read.Identity.Confirmed != nil ||
		!read.Identity.Requested || !read.AML.Requested || read.AIS.Requested || read.OrgID != "branch-7" {
		t.Fatalf("read before the customer acted: %+v", *read)
	}

	if err := e.sim.EndUser().Approve(ctx, s.OnboardURL); err != nil {
		t.Fatal(err)
	}
	done, err := c.GetOnboardSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != trustistsim.SessionComplete || !done.Final() || !done.Passed() || !done.Identity.Passed() || !done.AML.Passed() ||
		done.Identity.CompletedAt.IsZero() {
		t.Fatalf("read after approval: %+v", *done)
	}

	s2, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, Identity: &trustist.CheckOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Decline(ctx, s2.OnboardURL); err != nil {
		t.Fatal(err)
	}
	failed, err := c.GetOnboardSession(ctx, s2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !failed.Final() || failed.Passed() || failed.Identity.Confirmed == nil || *failed.Identity.Confirmed || failed.AML.Requested {
		t.Fatalf("read after decline: %+v", *failed)
	}

	_, err = c.GetOnboardSession(ctx, "unknown12345")
	wantCode(t, err, provider.NotFound)
}

// What the request itself shows to be wrong is refused before anything is sent, naming
// the field.
func TestOnboardSessionRefusedBeforeSending(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	c := e.client(t)
	id := e.customer(t, ada)
	before := len(e.requests())
	for field, req := range map[string]trustist.OnboardSessionRequest{
		"CustomerID":       {Identity: &trustist.CheckOptions{}},
		"Identity":         {CustomerID: id},
		"ReturnURL":        {CustomerID: id, AIS: &trustist.AISOptions{Accounts: true}, ReturnURL: "http://shop.example.com/r"},
		"AIS.AccountLimit": {CustomerID: id, AIS: &trustist.AISOptions{Accounts: true, AccountLimit: -1}},
		// An options value JSON cannot encode is named by the check it is in.
		"AML.Fields": {CustomerID: id, Identity: &trustist.CheckOptions{}, AML: &trustist.CheckOptions{
			Fields: map[string]any{"threshold": func() {}}}},
		"Identity.Fields": {CustomerID: id, Identity: &trustist.CheckOptions{Fields: map[string]any{"c": make(chan int)}}},
	} {
		_, err := c.CreateOnboardSession(context.Background(), req)
		if pe := wantCode(t, err, provider.InvalidRequest); pe.Field != field {
			t.Errorf("%s: refused naming %q (%v)", field, pe.Field, err)
		}
	}
	if n := len(e.requests()) - before; n != 0 {
		t.Fatalf("%d requests sent", n)
	}

	noTenant := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Tenant = trustist.Key{} })
	_, err := noTenant.client(t).CreateOnboardSession(context.Background(), trustist.OnboardSessionRequest{CustomerID: id,
		Identity: &trustist.CheckOptions{}})
	wantCode(t, err, provider.PermissionDenied)
	_, err = noTenant.client(t).GetOnboardSession(context.Background(), "abc")
	wantCode(t, err, provider.PermissionDenied)
	if len(noTenant.requests()) != 0 {
		t.Fatal("a call without a tenant key was sent")
	}
}

// Trustist's missing_person_data refusal names the fields the customer lacks, read from
// the answer, or from the customer record when the answer names none; an AIS-only session
// needs none of them.
func TestMissingPersonDataNamesTheFields(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	c := e.client(t)
	id := e.customer(t, paybridge.Customer{FirstName: "Ada"})

	for _, req := range []trustist.OnboardSessionRequest{
		{CustomerID: id, Identity: &trustist.CheckOptions{}},
		{CustomerID: id, AML: &trustist.CheckOptions{}, AIS: &trustist.AISOptions{Accounts: true}},
	} {
		_, err := c.CreateOnboardSession(ctx, req)
		pe := wantCode(t, err, provider.InvalidRequest)
		var mpd *trustist.MissingPersonDataError
		if !errors.As(err, &mpd) {
			t.Fatalf("%v: no *MissingPersonDataError", err)
		}
		if !slices.Equal(mpd.Fields, []string{"LastName", "Email"}) || mpd.CustomerID != id || pe.Field != "CustomerID" ||
			pe.ProviderCode != trustist.CodeMissingPersonData || pe.HTTPStatus != http.StatusBadRequest {
			t.Fatalf("%+v, fields %v, customer %q", pe, mpd.Fields, mpd.CustomerID)
		}
		if !strings.Contains(err.Error(), "LastName, Email") {
			t.Errorf("the message does not name the fields: %v", err)
		}
		if last := e.last(); last.path != trustist.OnboardSessionsPath {
			t.Errorf("the answer named the fields, yet %s %s was sent after it", last.method, last.path)
		}
	}

	// An AIS-only session needs no person data.
	if _, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, AIS: &trustist.AISOptions{Balances: true}}); err != nil {
		t.Fatal(err)
	}
	var ais map[string]any
	_ = json.Unmarshal(e.last().body, &ais)
	if fmt.Sprint(ais["options"]) != "map[ais:map[accounts:true balances:true]]" {
		t.Fatalf("sent options %v; balances imply accounts", ais["options"])
	}

	// A refusal that names no field: the customer record tells.
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != trustist.OnboardSessionsPath {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"missing_person_data","message":"Customer is missing required person data"}`))
		return true
	})
	_, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, Identity: &trustist.CheckOptions{}})
	var mpd *trustist.MissingPersonDataError
	if !errors.As(err, &mpd) || !slices.Equal(mpd.Fields, []string{"LastName", "Email"}) {
		t.Fatalf("%v: fields %v", err, mpd)
	}
	if last := e.last(); last.method != http.MethodGet || last.path != "/v1/customers/"+id {
		t.Fatalf("the customer was not read: last request %s %s", last.method, last.path)
	}

	// Fields named as JSON paths, as ASP.NET validation names them.
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != trustist.OnboardSessionsPath {
			return false
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"title":"Missing person data","status":400,"code":"missing_person_data",` +
			`"errors":{"$.emailAddress":["required"]}}`))
		return true
	})
	_, err = c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, AML: &trustist.CheckOptions{}})
	if !errors.As(err, &mpd) || !slices.Equal(mpd.Fields, []string{"Email"}) || e.last().path != trustist.OnboardSessionsPath {
		t.Fatalf("%v: fields %v", err, mpd)
	}
}

// tenantHooks serves the Gateway's notification handler on loopback and has the
// simulator deliver its tenant webhooks there.
func tenantHooks(t *testing.T, e *env) *events {
	t.Helper()
	got := &events{}
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.sim.SetTenantWebhookURL(srv.URL)
	return got
}

// readsOf counts the reads of a session the simulator answered.
func (e *env) readsOf(id string) int {
	n := 0
	for _, r := range e.requests() {
		if r.method == http.MethodGet && r.path == trustist.OnboardSessionsPath+"/"+id {
			n++
		}
	}
	return n
}

// eventFor waits for the event about verification id.
func eventFor(t *testing.T, got *events, id string) notify.Event {
	t.Helper()
	var ev notify.Event
	waitFor(t, "the event of session "+id, func() bool {
		for _, e := range got.all() {
			if e.VerificationID == id {
				ev = e
				return true
			}
		}
		return false
	})
	return ev
}

// The tenant webhooks of identity sessions reach the application as identity.verified
// and identity.failed, and those of VerifyAccount's sessions as account.verified and
// account.failed, each after the session was read again with the tenant key.
func TestSessionWebhooksBecomeEvents(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	got := tenantHooks(t, e)
	c := e.client(t)
	id := e.customer(t, ada)

	for _, tc := range []struct {
		approve bool
		want    notify.Kind
	}{{true, notify.IdentityVerified}, {false, notify.IdentityFailed}} {
		s, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, Identity: &trustist.CheckOptions{},
			AML: &trustist.CheckOptions{}})
		if err != nil {
			t.Fatal(err)
		}
		act := e.sim.EndUser().Decline
		if tc.approve {
			act = e.sim.EndUser().Approve
		}
		if err := act(ctx, s.OnboardURL); err != nil {
			t.Fatal(err)
		}
		ev := eventFor(t, got, s.ID)
		var detail *trustist.OnboardSession
		if ev.Kind != tc.want || ev.Provider != trustist.Name || !ev.As(&detail) || detail.ID != s.ID || detail.CustomerID != id ||
			!detail.Final() || detail.Passed() != tc.approve || len(ev.Raw) == 0 {
			t.Fatalf("event %+v (detail %+v); want %s", ev, detail, tc.want)
		}
		if e.readsOf(s.ID) == 0 {
			t.Fatal("the event was delivered without reading the session")
		}
	}

	for _, tc := range []struct {
		approve bool
		want    notify.Kind
	}{{true, notify.AccountVerified}, {false, notify.AccountFailed}} {
		v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{CustomerID: id, ReturnURL: "https://shop.example.com/v"})
		if err != nil {
			t.Fatal(err)
		}
		act := e.sim.EndUser().Decline
		if tc.approve {
			act = e.sim.EndUser().Approve
		}
		if err := act(ctx, v.RedirectURL); err != nil {
			t.Fatal(err)
		}
		ev := eventFor(t, got, v.ID)
		if ev.Kind != tc.want {
			t.Fatalf("event %+v; want %s", ev, tc.want)
		}
		if e.readsOf(v.ID) == 0 {
			t.Fatal("the event was delivered without reading the session")
		}
	}

	// Account information asked for with CreateOnboardSession is no account verification
	// of the Gateway's: it is bank data to read, or nothing neutral when declined.
	for _, tc := range []struct {
		approve bool
		want    notify.Kind
	}{{true, notify.BankDataReady}, {false, notify.Other}} {
		s, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, AIS: &trustist.AISOptions{Balances: true}})
		if err != nil {
			t.Fatal(err)
		}
		act := e.sim.EndUser().Decline
		if tc.approve {
			act = e.sim.EndUser().Approve
		}
		if err := act(ctx, s.OnboardURL); err != nil {
			t.Fatal(err)
		}
		if ev := eventFor(t, got, s.ID); ev.Kind != tc.want {
			t.Fatalf("event %+v; want %s", ev, tc.want)
		}
	}
	if n := len(got.all()); n != 6 {
		t.Fatalf("%d events, want 6: %+v", n, got.all())
	}

	// Verified outside a Gateway, with no record of calls, an account-information session
	// is taken for an account verification.
	s, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, AIS: &trustist.AISOptions{Accounts: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, s.OnboardURL); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"Event":"onboard.session.completed","Session":{"Id":%q,"Status":"Complete"}}`, s.ID)
	n, err := e.p.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: []byte(body)})
	if err != nil || n.Event.Kind != notify.AccountVerified || n.Event.VerificationID != s.ID {
		t.Fatalf("outside a Gateway: %+v, %v", n, err)
	}
}

// A webhook is only a hint: one naming a session the tenant key cannot read (another
// tenant's, or made up) is refused, one claiming the end of a session still open is
// answered 503 to be delivered again, and one claiming a result the session does not
// have yields the session's own result.
func TestForgedSessionWebhooks(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	var got events
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	id := e.customer(t, ada)
	forged := func(sessionID string) string {
		return fmt.Sprintf(`{"Event":"onboard.session.completed","Timestamp":"2025-10-21T11:00:00Z","Session":{"Id":%q,`+
			`"Status":"Complete","Progress":{"Identity":{"Completed":true,"Confirmed":true,"CompletedAt":"2025-10-21T10:55:00Z"}}}}`, sessionID)
	}

	other := start(t, trustistsim.Options{}, nil) // another tenant's simulator and session
	otherSession, err := other.client(t).CreateOnboardSession(ctx, trustist.OnboardSessionRequest{
		CustomerID: other.customer(t, ada), Identity: &trustist.CheckOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	if code := post(t, h, forged(otherSession.ID)); code != http.StatusBadRequest {
		t.Fatalf("a webhook naming another tenant's session answered %d", code)
	}
	if e.readsOf(otherSession.ID) != 1 {
		t.Fatal("the named session was not looked up")
	}

	open, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, Identity: &trustist.CheckOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	if code := post(t, h, forged(open.ID)); code != http.StatusServiceUnavailable {
		t.Fatalf("a webhook claiming an open session complete answered %d", code)
	}

	if err := e.sim.EndUser().Decline(ctx, open.OnboardURL); err != nil {
		t.Fatal(err)
	}
	if code := post(t, h, forged(open.ID)); code != http.StatusOK {
		t.Fatalf("a webhook about an ended session answered %d", code)
	}
	evs := got.all()
	if len(evs) != 1 || evs[0].Kind != notify.IdentityFailed || evs[0].VerificationID != open.ID {
		t.Fatalf("events %+v; want the session's own result, identity.failed", evs)
	}
	if code := post(t, h, forged(open.ID)); code != http.StatusOK || len(got.all()) != 1 {
		t.Fatalf("a redelivery answered %d and made %d events", code, len(got.all()))
	}
	for _, body := range []string{`{"Event":"onboard.session.completed"}`, `{"Session":{"Id":"a b"}}`, `{"Session":{"Id":7}}`} {
		if code := post(t, h, body); code != http.StatusBadRequest {
			t.Errorf("%s answered %d", body, code)
		}
	}

	// Without a tenant key the session cannot be read: the webhook is refused.
	noTenant := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Tenant = trustist.Key{} })
	_, err = noTenant.p.VerifyNotification(ctx, &notify.Request{Method: http.MethodPost, Body: []byte(forged(open.ID))})
	if !errors.Is(err, trustist.ErrUnverifiable) {
		t.Fatalf("without a tenant key: %v", err)
	}
	if len(got.all()) != 1 {
		t.Fatalf("refused webhooks reached the application: %+v", got.all())
	}
}

// VerifyAccount with a CustomerID uses that customer: no customer is created, the session
// is for it, and the verification's id is the session's. Holder details that would be
// dropped are refused.
func TestVerifyAccountReusesTheCustomer(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	id := e.customer(t, ada)
	before := len(e.requests())
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{CustomerID: id, ReturnURL: "https://shop.example.com/v",
		Holder: paybridge.Person{ID: "user-1", Country: "GB"}})
	if err != nil {
		t.Fatal(err)
	}
	sent := e.requests()[before:]
	if len(sent) != 1 || sent[0].path != trustist.OnboardSessionsPath {
		t.Fatalf("sent %d requests, first %s; want the session only", len(sent), sent[0].path)
	}
	var body map[string]any
	_ = json.Unmarshal(sent[0].body, &body)
	s, err := e.client(t).GetOnboardSession(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if body["customerId"] != id || s.ID != v.ID || s.CustomerID != id || v.Status != provider.VerificationRequiresAction ||
		v.RedirectURL != s.OnboardURL {
		t.Fatalf("sent %v; verification %+v; session %+v", body, v, *s)
	}

	if err := e.sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	done, err := e.gw.GetAccountVerification(ctx, v.ID)
	if err != nil || done.Status != provider.VerificationVerified || done.AccountID == "" {
		t.Fatalf("after approval: %+v, %v", done, err)
	}
	accounts, err := e.client(t).BankAccounts(ctx, id)
	if err != nil || len(accounts) != 1 || accounts[0].ID != done.AccountID {
		t.Fatalf("the customer's accounts %+v, %v; want the verified one", accounts, err)
	}

	before = len(e.requests())
	for field, h := range map[string]paybridge.Person{
		"Holder.FirstName": {FirstName: "Ada"},
		"Holder.Email":     {Email: "ada@example.com"},
		"Holder.Address":   {Address: &paybridge.Address{City: "London"}},
	} {
		_, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{CustomerID: id, Holder: h, ReturnURL: "https://shop.example.com/v"})
		if paybridge.CodeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v; want InvalidRequest naming it", field, err)
		}
	}
	_, err = e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{CustomerID: strings.Repeat("c", 129), ReturnURL: "https://shop.example.com/v"})
	if paybridge.CodeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), "CustomerID") {
		t.Errorf("a 129-character CustomerID: %v", err)
	}
	if n := len(e.requests()) - before; n != 0 {
		t.Fatalf("refused verifications sent %d requests", n)
	}
	_, err = e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{CustomerID: "unknown12345", ReturnURL: "https://shop.example.com/v"})
	if paybridge.CodeOf(err) != paybridge.CodeNotFound {
		t.Fatalf("an unknown customer: %v", err)
	}
}

// A session answer that names the session but cannot be used leaves VerifyAccount's
// outcome unknown; the Gateway recorded the session, so a repeat with the key reads it
// instead of creating another.
func TestVerifyAccountUnusableAnswerSettlesByReadingTheSession(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	id := e.customer(t, ada)
	e.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != trustist.OnboardSessionsPath {
			return false
		}
		rec := httptest.NewRecorder()
		e.sim.ServeHTTP(rec, r)
		var m map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &m)
		delete(m, "onboardUrl")
		b, _ := json.Marshal(m)
		w.Header().Set("Content-Type", "application/json") // unsigned: Hawk lets a server leave it out
		w.WriteHeader(rec.Code)
		_, _ = w.Write(b)
		return true
	})
	req := paybridge.VerifyAccountRequest{CustomerID: id, ReturnURL: "https://shop.example.com/v", IdempotencyKey: "verify-lost"}
	_, err := e.gw.VerifyAccount(ctx, req)
	if paybridge.CodeOf(err) != paybridge.CodeUnknownOutcome {
		t.Fatalf("first attempt: %v; want UnknownOutcome", err)
	}
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.ObjectID == "" {
		t.Fatalf("the error names no session: %v", err)
	}
	e.setIntercept(nil)
	sessions := 0
	for _, r := range e.requests() {
		if r.method == http.MethodPost && r.path == trustist.OnboardSessionsPath {
			sessions++
		}
	}
	v, err := e.gw.VerifyAccount(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != pe.ObjectID || v.Status != provider.VerificationRequiresAction || !strings.HasPrefix(v.RedirectURL, e.sim.URL()+"/onboard/") {
		t.Fatalf("repeat = %+v; want the session %s awaiting the customer", v, pe.ObjectID)
	}
	for _, r := range e.requests() {
		if r.method == http.MethodPost && r.path == trustist.OnboardSessionsPath {
			sessions--
		}
	}
	if sessions != 0 {
		t.Fatal("the repeat created another session")
	}
}

// A session prints and logs as its id, status and checks: never its onboarding link.
func TestOnboardSessionPrintsNoLink(t *testing.T) {
	yes := true
	s := trustist.OnboardSession{ID: "sess-1", CustomerID: "cust-9", Status: "Complete",
		OnboardURL: "https://onboard.example/secret-token", Identity: trustist.Check{Requested: true, Completed: true, Confirmed: &yes}}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, &s))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("session", "detail", &s)
	outs = append(outs, buf.String())
	// Logged by value, a JSON handler marshals the fields unless the value itself is a
	// slog.LogValuer.
	buf.Reset()
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("session", "detail", s)
	outs = append(outs, buf.String())
	if !strings.Contains(buf.String(), "sess-1") {
		t.Errorf("logged by value: %s; want the id", buf.String())
	}
	for _, out := range outs {
		if strings.Contains(out, "secret-token") || strings.Contains(out, "onboard.example") {
			t.Errorf("printed the onboarding link: %s", out)
		}
	}
	if !strings.Contains(outs[0], "sess-1") || !strings.Contains(outs[0], "identity") || !strings.Contains(outs[0], "passed") {
		t.Errorf("%%v = %s; want the id and the identity check's result", outs[0])
	}
}

// An endpoint registered with RegisterWebhook receives the tenant webhooks of the events
// it subscribed to, and they reach the application as events.
func TestRegisteredEndpointReceivesSessionWebhooks(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	got := &events{}
	h, err := e.gw.NotificationHandler(got.fn)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := e.client(t)
	if _, err := c.RegisterWebhook(ctx, trustist.WebhookEndpoint{URL: srv.URL + "/completed-only",
		Events: []string{trustist.TenantEventSessionCompleted}}); err != nil {
		t.Fatal(err)
	}
	id := e.customer(t, ada)
	passed, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, Identity: &trustist.CheckOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	failed, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: id, Identity: &trustist.CheckOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Decline(ctx, failed.OnboardURL); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, passed.OnboardURL); err != nil {
		t.Fatal(err)
	}
	if ev := eventFor(t, got, passed.ID); ev.Kind != notify.IdentityVerified {
		t.Fatalf("event %+v", ev)
	}
	// The failed session's webhook was raised before the completed one's, and the endpoint
	// did not subscribe to it: it never reached the endpoint.
	for _, ev := range got.all() {
		if ev.VerificationID == failed.ID {
			t.Fatalf("an endpoint subscribed to onboard.session.completed received %+v", ev)
		}
	}
	for _, d := range e.sim.Deliveries() {
		if d.ObjectID == failed.ID && d.URL != "" {
			t.Fatalf("the failed session's webhook went to %s", d.URL)
		}
	}
}
