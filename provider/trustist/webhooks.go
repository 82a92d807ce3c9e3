package trustist

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// Tenant webhook events. The tenant-webhooks page lists onboard.session.completed, which
// Trustist subscribes to when a registration names no events; its older revision lists
// onboard.session.failed as well (https://api.trustistecommerce.com/docs/webhooks;
// trustist.md §4.2).
const (
	TenantEventSessionCompleted = "onboard.session.completed"
	TenantEventSessionFailed    = "onboard.session.failed"
)

// WebhookEndpoint is a tenant webhook endpoint: where Trustist POSTs tenant events (an
// onboard session's completion). Payment and standing-order webhooks are configured per
// merchant in the TrustistTransfer portal instead, not through the API.
type WebhookEndpoint struct {
	// ID is Trustist's id of the registration; set by RegisterWebhook.
	ID string
	// URL receives the events: an absolute https URL (http only on a loopback host,
	// for tests).
	URL string
	// Name is a friendly name for the registration (optional).
	Name string
	// Events are the event names subscribed to. Nil lets Trustist choose its default
	// (onboard.session.completed); an empty, non-nil list is refused, as Trustist
	// refuses an empty array.
	Events []string
	// Active, Created, Updated, LastDelivered and DeliveryAttempts are as Trustist
	// answered (the older page revision's isActive and lastUpdated are read too).
	Active           bool
	Created          time.Time
	Updated          time.Time
	LastDelivered    time.Time
	DeliveryAttempts int
	// Raw is the answer's JSON as received.
	Raw json.RawMessage
}

// webhookRequestWire is the body of POST /v1/webhooks: url (required), name, events.
type webhookRequestWire struct {
	URL    string   `json:"url"`
	Name   string   `json:"name,omitempty"`
	Events []string `json:"events,omitempty"`
}

// webhookWire is the registration answer, in both revisions of the page: id, url, name,
// events, active, created, updated, lastDelivered, deliveryAttempts (newer); isActive,
// lastUpdated (older).
type webhookWire struct {
	ID               string   `json:"id"`
	URL              string   `json:"url"`
	Name             string   `json:"name"`
	Events           []string `json:"events"`
	Active           *bool    `json:"active"`
	IsActive         *bool    `json:"isActive"`
	Created          string   `json:"created"`
	Updated          string   `json:"updated"`
	LastUpdated      string   `json:"lastUpdated"`
	LastDelivered    string   `json:"lastDelivered"`
	DeliveryAttempts int      `json:"deliveryAttempts"`
}

// RegisterWebhook registers a tenant webhook endpoint: POST /v1/webhooks with the tenant
// key (permission manage_webhooks; https://api.trustistecommerce.com/docs/webhooks).
// It checks before sending what Trustist refuses or what cannot work — a URL that is not
// absolute https (plain http is accepted on a loopback host only, for tests), an empty
// list of events, an empty event name — and returns the registration Trustist answered.
//
// Listing and deleting endpoints are not offered: no source documents how [X]. A
// registration is a write that Trustist does not make idempotent: when its answer is
// lost (UnknownOutcome) the endpoint may exist, and registering again may make Trustist
// deliver each event twice; check in the TrustistTransfer portal or with Trustist
// support first.
func (p *Client) RegisterWebhook(ctx context.Context, ep WebhookEndpoint) (*WebhookEndpoint, error) {
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	if err := checkWebhookURL(ep.URL); err != nil {
		return nil, err
	}
	if ep.Events != nil && len(ep.Events) == 0 {
		return nil, provider.FieldError("Events", "is an empty list, which Trustist refuses; leave it nil for Trustist's "+
			"default (%s)", TenantEventSessionCompleted)
	}
	for _, ev := range ep.Events {
		if ev == "" || len(ev) > 100 || strings.ContainsFunc(ev, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return nil, provider.FieldError("Events", "holds %s, which is not an event name (such as %s)", quote(ev),
				TenantEventSessionCompleted)
		}
	}
	if strings.ContainsFunc(ep.Name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, provider.FieldError("Name", "must be one line of text")
	}
	body, err := marshal(webhookRequestWire{URL: ep.URL, Name: ep.Name, Events: ep.Events})
	if err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodPost, path: "/v1/webhooks", body: body, write: true,
		what: "webhook", permission: PermissionManageWebhooks})
	if err != nil {
		return nil, err
	}
	var w webhookWire
	if err := decode(r, &w); err != nil || w.ID == "" {
		if err == nil {
			err = errorf("the answer carries no webhook id")
		}
		return nil, uncertainAnswer(r, err)
	}
	out := &WebhookEndpoint{ID: w.ID, URL: firstNonEmpty(w.URL, ep.URL), Name: w.Name, Events: w.Events,
		Created: parseTime(w.Created), Updated: parseTime(firstNonEmpty(w.Updated, w.LastUpdated)),
		LastDelivered: parseTime(w.LastDelivered), DeliveryAttempts: w.DeliveryAttempts, Raw: json.RawMessage(bytes.Clone(r.body))}
	switch {
	case w.Active != nil:
		out.Active = *w.Active
	case w.IsActive != nil:
		out.Active = *w.IsActive
	}
	return out, nil
}

// checkWebhookURL refuses a URL Trustist could not, or should not, deliver to: it must be
// absolute (as the page requires) and https (as it recommends), except plain http on a
// loopback host, which only a test on the same machine can be.
func checkWebhookURL(s string) error {
	u, err := url.Parse(s)
	if s == "" || err != nil || !u.IsAbs() || u.Host == "" || u.User != nil {
		return provider.FieldError("URL", "must be an absolute https URL (Trustist requires an absolute URL)")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopback(u.Hostname()) {
			return nil
		}
	}
	return provider.FieldError("URL", "must be an https URL (plain http only on a loopback host, for tests)")
}

// loopback reports whether host is localhost or a loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
