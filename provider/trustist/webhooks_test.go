package trustist_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

func TestRegisterWebhook(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	ep, err := e.p.RegisterWebhook(ctx, trustist.WebhookEndpoint{URL: "https://shop.example.com/hooks/trustist", Name: "Production",
		Events: []string{trustist.TenantEventSessionCompleted, trustist.TenantEventSessionFailed}})
	if err != nil {
		t.Fatal(err)
	}
	if ep.ID == "" || ep.URL != "https://shop.example.com/hooks/trustist" || ep.Name != "Production" || !ep.Active ||
		ep.Created.IsZero() || len(ep.Events) != 2 || ep.DeliveryAttempts != 0 {
		t.Fatalf("registered %+v", ep)
	}
	r := e.last()
	var sent map[string]any
	_ = json.Unmarshal(r.body, &sent)
	if r.method != http.MethodPost || r.path != "/v1/webhooks" || len(sent) != 3 || sent["name"] != "Production" ||
		!strings.HasPrefix(r.header.Get("Authorization"), `Hawk id="`+e.sim.TenantKey().HawkID+`"`) {
		t.Fatalf("sent %s %s %s", r.method, r.path, r.body)
	}
	hooks := e.sim.TenantWebhooks()
	if len(hooks) != 1 || hooks[0].ID != ep.ID || hooks[0].URL != ep.URL || !slices.Equal(hooks[0].Events, ep.Events) {
		t.Fatalf("the simulator holds %+v", hooks)
	}

	// No events: none are sent, and Trustist's default applies. A loopback http URL is
	// accepted, for tests.
	def, err := e.p.RegisterWebhook(ctx, trustist.WebhookEndpoint{URL: "http://127.0.0.1:8080/n"})
	if err != nil {
		t.Fatal(err)
	}
	if string(e.last().body) != `{"url":"http://127.0.0.1:8080/n"}` || !slices.Equal(def.Events, []string{trustist.TenantEventSessionCompleted}) {
		t.Fatalf("sent %s, registered %+v", e.last().body, def)
	}

	// An event name Trustist does not know is refused by the provider, not dropped.
	_, err = e.p.RegisterWebhook(ctx, trustist.WebhookEndpoint{URL: "https://shop.example.com/h", Events: []string{"payment.completed"}})
	if pe := wantCode(t, err, provider.InvalidRequest); pe.HTTPStatus != http.StatusBadRequest {
		t.Fatalf("unknown event: %v", err)
	}
}

func TestRegisterWebhookRefusedBeforeSending(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	for _, c := range []struct {
		ep    trustist.WebhookEndpoint
		field string
	}{
		{trustist.WebhookEndpoint{URL: "https://shop.example.com/h", Events: []string{}}, "Events"},
		{trustist.WebhookEndpoint{URL: "https://shop.example.com/h", Events: []string{""}}, "Events"},
		{trustist.WebhookEndpoint{URL: "https://shop.example.com/h", Events: []string{"onboard session"}}, "Events"},
		{trustist.WebhookEndpoint{URL: "http://shop.example.com/h"}, "URL"},
		{trustist.WebhookEndpoint{URL: "/hooks"}, "URL"},
		{trustist.WebhookEndpoint{URL: "ftp://shop.example.com/h"}, "URL"},
		{trustist.WebhookEndpoint{URL: "https://user:pw@shop.example.com/h"}, "URL"},
		{trustist.WebhookEndpoint{}, "URL"},
		{trustist.WebhookEndpoint{URL: "https://shop.example.com/h", Name: "two\nlines"}, "Name"},
	} {
		_, err := e.p.RegisterWebhook(ctx, c.ep)
		if pe := wantCode(t, err, provider.InvalidRequest); pe.Field != c.field {
			t.Errorf("%+v: %v, want a problem with %s", c.ep, err, c.field)
		}
	}
	noTenant := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Tenant = trustist.Key{} })
	_, err := noTenant.p.RegisterWebhook(ctx, trustist.WebhookEndpoint{URL: "https://shop.example.com/h"})
	wantCode(t, err, provider.PermissionDenied)
	if n := len(e.requests()) + len(noTenant.requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestRegisterWebhookWithoutPermission(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	e.sim.RevokeTenantPermission(trustistsim.PermManageWebhooks)
	_, err := e.p.RegisterWebhook(context.Background(), trustist.WebhookEndpoint{URL: "https://shop.example.com/h"})
	pe := wantCode(t, err, provider.PermissionDenied)
	var missing *trustist.PermissionError
	if !errors.As(err, &missing) || missing.Permission != trustist.PermissionManageWebhooks || !strings.Contains(pe.Message, "manage_webhooks") {
		t.Fatalf("got %v", err)
	}
	if n := len(e.sim.TenantWebhooks()); n != 0 {
		t.Fatalf("%d endpoints registered", n)
	}
}
