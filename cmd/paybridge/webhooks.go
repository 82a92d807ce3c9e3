package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
)

const webhooksHelp = `Usage: paybridge webhooks register --endpoint URL [--event NAME]... [--name TEXT] [flags]

Registers the URL where Trustist sends tenant events (an onboard session's
completion) with Trustist's API (POST /v1/webhooks). It needs a trustist://
provider URL with a tenant key (PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and
PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY) holding the manage_webhooks permission.
Payment webhooks are not set here: Trustist configures those per merchant in the
TrustistTransfer portal.

--endpoint must be an absolute https URL (plain http only on a loopback host, for
tests). Without --event Trustist subscribes the endpoint to its default event,
onboard.session.completed; repeat --event to name others
(onboard.session.failed).

Trustist documents no way to list or delete endpoints, so this command has no list
or delete: remove an endpoint through Trustist support. Registering is not
idempotent: if the command exits with 4 (outcome unknown), the endpoint may exist,
and registering again may have each event delivered twice.

Examples:
  paybridge webhooks register --url trustist://production \
      --endpoint https://shop.example.com/paybridge/notifications/trustist \
      --name "Shop notifications"
  paybridge webhooks register --endpoint https://shop.example.com/n \
      --event onboard.session.completed --event onboard.session.failed --json
` + seeAlso

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// webhookJSON is the --json form of a registered endpoint.
type webhookJSON struct {
	ID               string    `json:"id"`
	URL              string    `json:"url"`
	Name             string    `json:"name,omitempty"`
	Events           []string  `json:"events"`
	Active           bool      `json:"active"`
	Created          time.Time `json:"created,omitzero"`
	Updated          time.Time `json:"updated,omitzero"`
	DeliveryAttempts int       `json:"deliveryAttempts"`
}

func webhooksCmd(ctx context.Context, s stdio, args []string) int {
	if len(args) == 0 {
		return usageError(s, "webhooks", "want a subcommand: register")
	}
	switch args[0] {
	case "register":
		return webhooksRegister(ctx, s, args[1:])
	case "-h", "-help", "--help", "help":
		return webhooksRegister(ctx, s, []string{"--help"})
	case "list", "delete":
		return usageError(s, "webhooks", "Trustist documents no way to %s webhook endpoints; only register is offered", args[0])
	}
	return usageError(s, "webhooks", "unknown subcommand %q: register", args[0])
}

func webhooksRegister(ctx context.Context, s stdio, args []string) int {
	const cmd = "webhooks register"
	fs := newFlags(s, cmd)
	var c connFlags
	c.register(fs)
	var endpoint, name string
	var events stringList
	fs.StringVar(&endpoint, "endpoint", "", "the URL Trustist sends tenant events to (absolute https)")
	fs.StringVar(&name, "name", "", "a name for the registration, shown by Trustist")
	fs.Var(&events, "event", "an event to subscribe to (repeatable; default Trustist's: onboard.session.completed)")
	pos, code, ok := parse(fs, s, webhooksHelp, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(s, cmd, "unexpected argument %q (the endpoint goes in --endpoint)", pos[0])
	}
	if endpoint == "" {
		return usageError(s, cmd, "--endpoint is required: the URL Trustist sends tenant events to")
	}
	ep := trustist.WebhookEndpoint{URL: endpoint, Name: name}
	if len(events) > 0 {
		ep.Events = events
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	gw, err := c.open(ctx, s.err)
	if err != nil {
		return reportError(s, cmd, callKind{}, c.json, err, exitConfig, "")
	}
	defer gw.Close()
	var client *trustist.Client
	if !gw.As(&client) {
		err := &provider.Error{Code: provider.NotSupported,
			Message: "webhook endpoints are registered through Trustist's API only; the provider URL names " + providerName(gw)}
		return reportError(s, cmd, callKind{}, c.json, err, exitUsage, "")
	}
	got, err := client.RegisterWebhook(ctx, ep)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && paybridge.CodeOf(err) == paybridge.CodeUnknown {
			err = &stopError{msg: "no answer within --timeout " + c.timeout.String(), err: err}
		}
		exit := exitCodeFor(err, true)
		if exit != exitUnknown || c.json {
			return reportError(s, cmd, callKind{}, c.json, err, exit, "")
		}
		// The idempotency advice reportError gives does not apply: Trustist takes no key.
		e := describe(err, exit, "")
		fmt.Fprintf(s.err, "paybridge %s: outcome unknown: %s\n", cmd, e.Message)
		kv(s.err, "  code", e.Code, "  HTTP status", httpStatus(e.HTTPStatus), "  correlation id", e.CorrelationID)
		fmt.Fprintln(s.err, "Trustist may have registered the endpoint. Registering again may have each event\n"+
			"delivered twice: ask Trustist support which endpoints exist first.")
		return exit
	}
	out := webhookJSON{ID: got.ID, URL: got.URL, Name: got.Name, Events: got.Events, Active: got.Active,
		Created: got.Created, Updated: got.Updated, DeliveryAttempts: got.DeliveryAttempts}
	if c.json {
		writeJSON(s.out, out)
		return exitOK
	}
	kv(s.out, "webhook", out.ID, "url", out.URL, "name", out.Name, "events", strings.Join(out.Events, ", "),
		"active", fmt.Sprint(out.Active), "created", timeText(out.Created))
	return exitOK
}

// providerName names the Gateway's provider for messages.
func providerName(gw *paybridge.Gateway) string {
	if n := gw.Provider(); n != "" {
		return n
	}
	return "another provider"
}
