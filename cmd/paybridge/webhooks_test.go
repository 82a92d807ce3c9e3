package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

func TestWebhooksRegister(t *testing.T) {
	clearProviderEnv(t)
	set, _ := startTestSims(t)
	url := useSim(t, set, "trustist")
	const endpoint = "https://shop.example.com/paybridge/notifications/trustist"

	r := cli(t, "webhooks", "register", "--url", url, "--endpoint", endpoint, "--name", "Shop", "--json",
		"--event", trustistsim.EventSessionCompleted, "--event", trustistsim.EventSessionFailed).mustCode(t, exitOK)
	got := decode[webhookJSON](t, r)
	hooks := set.trustist.TenantWebhooks()
	if len(hooks) != 1 || got.ID != hooks[0].ID || got.URL != endpoint || got.Name != "Shop" || !got.Active ||
		!slices.Equal(hooks[0].Events, []string{trustistsim.EventSessionCompleted, trustistsim.EventSessionFailed}) {
		t.Fatalf("printed %+v; the simulator holds %+v", got, hooks)
	}

	// Without --event Trustist's default applies; the text form names the registration.
	r = cli(t, "webhooks", "register", "--url", url, "--endpoint", endpoint).mustCode(t, exitOK)
	hooks = set.trustist.TenantWebhooks()
	contains(t, r.out, hooks[1].ID, endpoint, trustistsim.EventSessionCompleted)

	// Refused before sending: plain http off loopback, a missing endpoint, list and delete.
	r = cli(t, "webhooks", "register", "--url", url, "--endpoint", "http://shop.example.com/n").mustCode(t, exitUsage)
	contains(t, r.err, "URL", "https")
	contains(t, cli(t, "webhooks", "register", "--url", url).mustCode(t, exitUsage).err, "--endpoint is required")
	contains(t, cli(t, "webhooks", "list", "--url", url).mustCode(t, exitUsage).err, "no way to list")
	cli(t, "webhooks").mustCode(t, exitUsage)
	if n := len(set.trustist.TenantWebhooks()); n != 2 {
		t.Fatalf("%d endpoints registered", n)
	}

	// A tenant key without manage_webhooks: the permission is named; a credentials matter.
	set.trustist.RevokeTenantPermission(trustistsim.PermManageWebhooks)
	r = cli(t, "webhooks", "register", "--url", url, "--endpoint", endpoint, "--json").mustCode(t, exitConfig)
	if e := decode[errorOut](t, r); e.Error.Code != "permission_denied" || e.Error.HTTPStatus != 403 {
		t.Fatalf("without the permission: %+v", e)
	}
	contains(t, r.out, "manage_webhooks")
	set.trustist.GrantTenantPermission(trustistsim.PermManageWebhooks)

	// The answer is lost: the endpoint may exist, and the command says not to repeat blindly.
	set.trustist.DropNext(1)
	r = cli(t, "webhooks", "register", "--url", url, "--endpoint", endpoint).mustCode(t, exitUnknown)
	contains(t, r.err, "outcome unknown", "delivered twice")
	if strings.Contains(r.err, "--idempotency-key") {
		t.Fatalf("advises an idempotency key Trustist does not take:\n%s", r.err)
	}

	// Another provider has no such call.
	contains(t, cli(t, "webhooks", "register", "--url", "mem://", "--endpoint", endpoint).mustCode(t, exitUsage).err,
		"not_supported")
}
