package trustistsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
)

// Tenant webhook events (https://api.trustistecommerce.com/docs/webhooks: the newer
// revision lists onboard.session.completed, the older one also onboard.session.failed,
// "Customer fails identity or AML checks").
const (
	EventSessionCompleted = "onboard.session.completed"
	EventSessionFailed    = "onboard.session.failed"
)

// SetTenantWebhookURL sets the URL tenant webhooks are delivered to (see
// Options.TenantWebhookURL). Events raised while it is empty are not delivered.
func (s *Server) SetTenantWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenantHookURL = u
}

// checkOption reads options.identity or options.aml: a check is asked for by an object
// (its members are not published, so any are accepted) or by true. [I] The onboard-session
// page documents options.identity as an object of members with defaults; the AML member's
// name is not published, and aml is the simulator's reading.
func checkOption(opts map[string]json.RawMessage, name string, f *fieldReader) bool {
	v, ok := opts[name]
	if !ok {
		return false
	}
	switch raw := strings.TrimSpace(string(v)); {
	case raw == "null" || raw == "false":
		return false
	case raw == "true":
		return true
	case strings.HasPrefix(raw, "{"):
		var m map[string]json.RawMessage
		if json.Unmarshal(v, &m) == nil {
			return true
		}
	}
	f.bad("options."+name, "The "+name+" options must be an object.")
	return false
}

// missingPersonData refuses identity and AML checks of a customer without a first name,
// last name or e-mail address, which the customers page says such sessions need
// (https://api.trustistecommerce.com/docs/customers). [I] The refusal is a ProblemDetails
// with code missing_person_data and an errors member naming each missing field; the code
// string and the body's shape are not published.
func missingPersonData(c *customer, se *session) *result {
	if !se.identity && !se.aml {
		return nil
	}
	errs := map[string][]string{}
	for _, f := range []struct{ name, value string }{
		{"firstName", c.firstName}, {"lastName", c.lastName}, {"emailAddress", c.emailAddress},
	} {
		if strings.TrimSpace(f.value) == "" {
			errs[f.name] = []string{"The customer has no " + f.name + "; identity and AML checks need it."}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &result{http.StatusBadRequest, problem{Title: "Missing person data", Status: http.StatusBadRequest,
		Code: "missing_person_data", Detail: "Identity and AML checks need the customer's firstName, lastName and emailAddress.",
		Errors: errs}}
}

// progress is one check's progress, shaped as the tenant webhook's Session.Progress
// members (Completed, Confirmed, CompletedAt).
type progress struct {
	Completed   bool    `json:"completed"`
	Confirmed   *bool   `json:"confirmed"`
	CompletedAt *string `json:"completedAt"`
}

// progressOf reports a check of the session: nothing while it is open or was abandoned,
// completed and confirmed when it completed, completed and not confirmed when it failed.
func (se *session) progressOf(asked bool) progress {
	if !asked || (se.status != SessionComplete && se.status != SessionFailed) {
		return progress{}
	}
	ok := se.status == SessionComplete
	at := se.ended.UTC().Format(time.RFC3339)
	return progress{Completed: true, Confirmed: &ok, CompletedAt: &at}
}

// progressJSON is the session's progress: identity and ais always (as in the webhook
// example, where a check not asked for reads not completed, confirmed null), aml when
// asked for. [I] The webhook shows identity and ais only.
func (se *session) progressJSON(pascal bool) map[string]any {
	name := func(camel string) string {
		if pascal {
			return strings.ToUpper(camel[:1]) + camel[1:]
		}
		return camel
	}
	out := map[string]any{name("identity"): se.progressOf(se.identity), name("ais"): se.progressOf(se.ais)}
	if se.aml {
		out[name("aml")] = se.progressOf(se.aml)
	}
	if pascal {
		for k, v := range out {
			p := v.(progress)
			out[k] = map[string]any{"Completed": p.Completed, "Confirmed": p.Confirmed, "CompletedAt": p.CompletedAt}
		}
	}
	return out
}

// getSession answers GET /v1/onboard/sessions/{id}. [I] The read is not published
// beyond its permission (read_onboard_session): it answers the create answer's members
// with the session's options and its progress, shaped as the webhook's.
func (s *Server) getSession(id string) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	se := s.sessions[id]
	if se == nil {
		return notFound("Onboard session")
	}
	out := s.sessionJSON(se)
	opts := map[string]any{}
	if se.identity {
		opts["identity"] = map[string]any{}
	}
	if se.aml {
		opts["aml"] = map[string]any{}
	}
	if se.ais {
		opts["ais"] = map[string]any{"accounts": true}
	}
	out["orgId"] = nullable(se.orgID)
	out["options"] = opts
	out["progress"] = se.progressJSON(false)
	return result{http.StatusOK, out}
}

// endSessionLocked applies the customer's action on the onboarding page; s.mu must be
// held. Approve passes every check (and connects the chosen test bank's account when the
// session asks for AIS); Decline fails them, as a failed document, liveness or
// screening check or a bank's refusal would; Abandon leaves the session abandoned. A
// session that completed or failed raises its tenant webhook.
func (s *Server) endSessionLocked(se *session, action string, choice simkit.Option) {
	se.ended = s.now()
	switch action {
	case simkit.ActionApprove:
		se.status = SessionComplete
		if c := s.customers[se.customerID]; c != nil && se.ais {
			s.connectAccountLocked(c, choice.Label)
		}
		s.sessionEventLocked(se, EventSessionCompleted)
	case simkit.ActionDecline:
		se.status = SessionFailed
		s.sessionEventLocked(se, EventSessionFailed)
	default:
		se.status = SessionAbandoned
	}
}

// sessionEventLocked raises a tenant webhook about se; s.mu must be held. The payload
// follows the webhook page's example, PascalCase: Event, Timestamp and Session{Id,
// Status, Progress}. [I] The members after Progress are not published; CustomerId is
// added.
func (s *Server) sessionEventLocked(se *session, event string) {
	body, err := json.Marshal(map[string]any{
		"Event":     event,
		"Timestamp": s.now().UTC().Format(time.RFC3339),
		"Session": map[string]any{"Id": se.id, "Status": se.status, "CustomerId": se.customerID,
			"Progress": se.progressJSON(true)},
	})
	if err != nil {
		return
	}
	// Sent to Options.TenantWebhookURL, and to every registered endpoint subscribed to the
	// event (POST /v1/webhooks), once per URL.
	var urls []string
	if s.tenantHookURL != "" {
		urls = append(urls, s.tenantHookURL)
	}
	for _, e := range s.endpoints {
		if slices.Contains(e.Events, event) && !slices.Contains(urls, e.URL) {
			urls = append(urls, e.URL)
		}
	}
	if len(urls) == 0 {
		urls = []string{""} // raised and recorded, with nowhere to go
	}
	for _, u := range urls {
		s.kit.Notify(simkit.Delivery{Event: event, ObjectID: se.id, URL: u,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
	}
}
