package trustistsim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// Onboard sessions are the tenant key's: the merchant key is refused on creation and
// read; identity and AML checks of a customer lacking person data are refused naming the
// fields; the read reports the options and progress; and the customer's choice on the
// page ends the session and raises a PascalCase tenant webhook.
func TestOnboardSessions(t *testing.T) {
	var mu sync.Mutex
	var hooks [][]byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, b)
		mu.Unlock()
	}))
	t.Cleanup(hook.Close)
	s := startSim(t, trustistsim.Options{TenantWebhookURL: hook.URL})
	tenant, merchant := client{t, s, s.TenantKey()}, client{t, s, s.MerchantKey()}
	var opts hawk.RequestOptions

	resp, b := tenant.do(http.MethodPost, "/v1/customers", `{"firstName":"Ada"}`, opts)
	var cust struct{ ID string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &cust) != nil || cust.ID == "" {
		t.Fatalf("customer: %d %s", resp.StatusCode, b)
	}
	identity := `{"customerId":"` + cust.ID + `","options":{"identity":{},"aml":{}}}`
	if resp, _ := merchant.do(http.MethodPost, "/v1/onboard/sessions", identity, opts); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("merchant key creating a session: %d", resp.StatusCode)
	}
	resp, b = tenant.do(http.MethodPost, "/v1/onboard/sessions", identity, opts)
	var refusal struct {
		Code   string
		Errors map[string][]string
	}
	if resp.StatusCode != http.StatusBadRequest || json.Unmarshal(b, &refusal) != nil || refusal.Code != "missing_person_data" ||
		len(refusal.Errors) != 2 || refusal.Errors["lastName"] == nil || refusal.Errors["emailAddress"] == nil {
		t.Fatalf("identity checks of an incomplete customer: %d %s", resp.StatusCode, b)
	}
	if resp, b := tenant.do(http.MethodPost, "/v1/onboard/sessions", `{"customerId":"`+cust.ID+`","options":{"aml":"yes"}}`, opts); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("aml options that are not an object: %d %s", resp.StatusCode, b)
	}
	if resp, b := tenant.do(http.MethodPut, "/v1/customers/"+cust.ID, `{"lastName":"Lovelace","emailAddress":"ada@example.com"}`, opts); resp.StatusCode != http.StatusOK {
		t.Fatalf("update: %d %s", resp.StatusCode, b)
	}
	resp, b = tenant.do(http.MethodPost, "/v1/onboard/sessions", identity, opts)
	var created struct{ ID, OnboardURL string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &created) != nil || created.ID == "" || created.OnboardURL == "" {
		t.Fatalf("session: %d %s", resp.StatusCode, b)
	}

	if resp, _ := merchant.do(http.MethodGet, "/v1/onboard/sessions/"+created.ID, "", opts); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("merchant key reading a session: %d", resp.StatusCode)
	}
	if resp, _ := tenant.do(http.MethodGet, "/v1/onboard/sessions/unknown12345", "", opts); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown session: %d", resp.StatusCode)
	}
	type check struct {
		Completed bool
		Confirmed *bool
	}
	read := func() (status string, progress map[string]check, options map[string]any) {
		resp, b := tenant.do(http.MethodGet, "/v1/onboard/sessions/"+created.ID, "", opts)
		var got struct {
			Status   string
			Options  map[string]any
			Progress map[string]check
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &got) != nil {
			t.Fatalf("read: %d %s", resp.StatusCode, b)
		}
		return got.Status, got.Progress, got.Options
	}
	status, progress, options := read()
	if status != trustistsim.SessionCreated || progress["identity"].Completed || progress["aml"].Confirmed != nil ||
		options["identity"] == nil || options["aml"] == nil || options["ais"] != nil {
		t.Fatalf("open session: %s %+v %v", status, progress, options)
	}
	mu.Lock()
	n := len(hooks)
	mu.Unlock()
	if n != 0 {
		t.Fatalf("%d webhooks before the customer acted", n)
	}

	if err := s.EndUser().Decline(context.Background(), created.OnboardURL); err != nil {
		t.Fatal(err)
	}
	status, progress, _ = read()
	if id := progress["identity"]; status != trustistsim.SessionFailed || !id.Completed || id.Confirmed == nil || *id.Confirmed {
		t.Fatalf("declined session: %s %+v", status, progress)
	}
	testwait.For(t, "the tenant webhook", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(hooks) == 1
	})
	var payload struct {
		Event   string
		Session struct {
			Id       string
			Status   string
			Progress map[string]check
		}
	}
	mu.Lock()
	raw := hooks[0]
	mu.Unlock()
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &payload) != nil || json.Unmarshal(raw, &keys) != nil || keys["Session"] == nil || keys["Event"] == nil ||
		payload.Event != trustistsim.EventSessionFailed || payload.Session.Id != created.ID ||
		payload.Session.Status != trustistsim.SessionFailed || payload.Session.Progress["Identity"].Confirmed == nil {
		t.Fatalf("webhook %s", raw)
	}
}
