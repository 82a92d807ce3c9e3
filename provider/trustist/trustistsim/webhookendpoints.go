package trustistsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// tenantEvents are the event names a registration may subscribe to. [I] Whether Trustist
// refuses other names is not published; the simulator refuses them.
var tenantEvents = []string{EventSessionCompleted, EventSessionFailed}

// TenantWebhook is a registered tenant webhook endpoint.
type TenantWebhook struct {
	ID      string
	URL     string
	Name    string
	Events  []string
	Created time.Time
}

// TenantWebhooks returns the tenant webhook endpoints registered so far, oldest first.
func (s *Server) TenantWebhooks() []TenantWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TenantWebhook, len(s.endpoints))
	for i, e := range s.endpoints {
		out[i] = *e
		out[i].Events = slices.Clone(e.Events)
	}
	return out
}

// tenantWebhookPath reports whether segs is one of the registration paths: /v1/webhooks,
// and /v1/tenant/webhooks and /v1/onboard/webhooks, which the page says are "also
// accepted".
func tenantWebhookPath(segs []string) bool {
	switch len(segs) {
	case 2:
		return strings.EqualFold(segs[0], "v1") && strings.EqualFold(segs[1], "webhooks")
	case 3:
		return strings.EqualFold(segs[0], "v1") && (strings.EqualFold(segs[1], "tenant") || strings.EqualFold(segs[1], "onboard")) &&
			strings.EqualFold(segs[2], "webhooks")
	}
	return false
}

// registerWebhook handles POST /v1/webhooks: url required and absolute (http or https:
// the page recommends https), name optional, events an array of known names that
// defaults to onboard.session.completed, an empty array refused, as documented.
func (s *Server) registerWebhook(body []byte) result {
	m, bad := object(body)
	if bad != nil {
		return *bad
	}
	f := &fieldReader{m: m}
	u := f.absURL("url", false)
	if u == "" && f.errs["url"] == nil {
		f.bad("url", "The url field is required.")
	}
	name := f.str("name", 200) // [I] the length limit is not published
	events := []string{EventSessionCompleted}
	if raw, ok := m["events"]; ok && string(raw) != "null" {
		var list []string
		switch {
		case json.Unmarshal(raw, &list) != nil:
			f.bad("events", "The events must be an array of event names.")
		case len(list) == 0:
			f.bad("events", "The events must not be empty.")
		default:
			for _, ev := range list {
				if !slices.Contains(tenantEvents, ev) {
					f.bad("events", "Unknown event "+ev+".")
				}
			}
			events = list
		}
	}
	if f.errs != nil {
		return invalid(f.errs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := &TenantWebhook{ID: shortID()[:8], URL: u, Name: name, Events: events, Created: s.now().UTC()}
	s.endpoints = append(s.endpoints, e)
	created := e.Created.Format(time.RFC3339)
	return result{http.StatusCreated, map[string]any{"id": e.ID, "url": e.URL, "name": nullable(e.Name), "events": e.Events,
		"active": true, "created": created, "updated": created, "lastDelivered": nil, "deliveryAttempts": 0}}
}
