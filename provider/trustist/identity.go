package trustist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// OnboardSessionsPath is where onboard sessions are created: POST with the tenant key and
// the create_onboard_session permission
// (https://api.trustistecommerce.com/docs/onboard-sessions; trustist.md §5.2). A session is
// read at OnboardSessionsPath/{id}: [I] the read's path is not published, only its
// permission, read_onboard_session (the Getting Started page's permission table), and the
// onboard-session page's "Query Results" step; the adapter reads the collection's path
// followed by the id, as every other Trustist object is read.
const OnboardSessionsPath = "/v1/onboard/sessions"

// CodeMissingPersonData is the error code Trustist answers when a session asks for
// identity or AML checks of a customer who lacks a first name, last name or e-mail
// address (the customers page: those three are "required before creating a
// KYC/AML-enabled onboard session", trustist.md §5.1). [I] The code string itself appears
// in no public source.
const CodeMissingPersonData = "missing_person_data"

// CheckOptions asks for a check in an onboard session: identity verification
// (options.identity) or AML screening (options.aml).
//
// The onboard-session page documents options.identity as an object whose members each
// have a default, and lists AML screening and monitoring among a session's checks, but the
// published part of the page names neither the identity members nor the AML object
// (trustist.md §5.2 [X]). [I] The smallest reading is sent: the check's object, with
// Fields as its members — {} when Fields is nil, taking Trustist's defaults — and AML
// under options.aml. Set Fields from what Trustist tells you (for example a document or
// liveness switch); they are sent as given.
type CheckOptions struct {
	// Fields are the members of the check's options object, sent as given.
	Fields map[string]any
}

// AISOptions asks the customer to connect bank accounts (options.ais,
// https://api.trustistecommerce.com/docs/customer-bank-accounts; trustist.md §5.3).
// Balances and Transactions imply Accounts.
type AISOptions struct {
	// Accounts asks for account details (numbers, holder names).
	Accounts bool
	// Balances asks for the accounts' balances.
	Balances bool
	// Transactions asks for the accounts' transaction history.
	Transactions bool
	// AccountLimit caps how many accounts the customer may connect; 0 leaves it
	// unlimited (Trustist's null), 1 makes them pick one.
	AccountLimit int
}

// OnboardSessionRequest creates an onboard session: a time-limited page at Trustist on
// which the customer completes the checks asked for. At least one of Identity, AML and
// AIS must be set.
type OnboardSessionRequest struct {
	// CustomerID is an existing customer's id (CreateCustomer), required. For Identity
	// or AML the customer must have a first name, last name and e-mail address; Trustist
	// refuses the session otherwise (see MissingPersonDataError).
	CustomerID string
	// Identity asks for identity verification (documents, liveness, face match).
	Identity *CheckOptions
	// AML asks for AML screening (sanctions, PEPs, adverse media).
	AML *CheckOptions
	// AIS asks the customer to connect bank accounts.
	AIS *AISOptions
	// ReturnURL is where the customer returns when done: an absolute https URL. Without
	// one, Trustist's portal shows a completion screen.
	ReturnURL string
	// OrgID is your own organisation or branch id, for filtering.
	OrgID string
}

// Check is what an onboard session reports of one of its checks (the Progress members
// of the tenant webhook, https://api.trustistecommerce.com/docs/webhooks: Completed,
// Confirmed, CompletedAt).
type Check struct {
	// Requested reports that the session asked for the check.
	Requested bool
	// Completed reports that the customer finished the check's step.
	Completed bool
	// Confirmed is the check's result once known: true when it passed; nil while none.
	Confirmed *bool
	// CompletedAt is when the step was finished, when reported.
	CompletedAt time.Time
}

// Passed reports a check that was completed and confirmed.
func (c Check) Passed() bool { return c.Completed && c.Confirmed != nil && *c.Confirmed }

// result names the check's state for printing: "passed", "failed", "pending", or "" when
// the check was not requested.
func (c Check) result() string {
	switch {
	case !c.Requested:
		return ""
	case c.Passed():
		return "passed"
	case c.Confirmed != nil && !*c.Confirmed:
		return "failed"
	}
	return "pending"
}

// OnboardSession is an onboard session as Trustist reports it: the answer of
// CreateOnboardSession and GetOnboardSession, the Detail of a verification from
// VerifyAccount or GetAccountVerification, and the Detail of an identity.* or account.*
// event (Event.As with a **OnboardSession target). It prints and logs as its id, status
// and check results only: OnboardURL opens the customer's own onboarding.
type OnboardSession struct {
	ID         string
	CustomerID string
	OrgID      string
	// Status is Trustist's own status text ("Complete" in the webhook example; other
	// values are not published [X]).
	Status string
	// OnboardURL is the page the customer completes the session on.
	OnboardURL string
	// Identity, AML and AIS are the session's checks.
	Identity, AML, AIS Check
	Created            time.Time
}

// describe is how an OnboardSession prints.
func (s OnboardSession) describe() secret.Opaque {
	d := []string{"id", s.ID, "status", s.Status}
	for _, c := range []struct {
		name  string
		check Check
	}{{"identity", s.Identity}, {"aml", s.AML}, {"ais", s.AIS}} {
		if r := c.check.result(); r != "" {
			d = append(d, c.name, r)
		}
	}
	return secret.Describe("trustist.OnboardSession", d...)
}

// String shows the session's id, status and check results only.
func (s OnboardSession) String() string { return s.describe().String() }

// GoString shows the session's id, status and check results only.
func (s OnboardSession) GoString() string { return s.describe().GoString() }

// Format prints the session's id, status and check results only, whatever the verb.
func (s OnboardSession) Format(f fmt.State, verb rune) { s.describe().Format(f, verb) }

// LogValue logs the session's id, status and check results only. It takes the value, so
// that a session logged by value is described too: a JSON handler would otherwise marshal
// its fields, onboarding link included.
func (s OnboardSession) LogValue() slog.Value { return s.describe().LogValue() }

// sessionStatus is a session status lower-cased without separators.
func sessionStatus(s string) string { return eventName(s) }

// Final reports whether the session has ended: complete, failed, or [I] abandoned,
// expired, cancelled or rejected (only "Complete" is published).
func (s *OnboardSession) Final() bool {
	switch sessionStatus(s.Status) {
	case "complete", "completed", "failed", "abandoned", "expired", "cancelled", "canceled", "rejected":
		return true
	}
	return false
}

// Completed reports whether the customer finished the session (status Complete).
func (s *OnboardSession) Completed() bool {
	st := sessionStatus(s.Status)
	return st == "complete" || st == "completed"
}

// Passed reports a completed session whose every requested check passed.
func (s *OnboardSession) Passed() bool {
	if !s.Completed() {
		return false
	}
	for _, c := range []Check{s.Identity, s.AML, s.AIS} {
		if c.Requested && !c.Passed() {
			return false
		}
	}
	return true
}

// identityChecks reports whether the session asked for identity or AML checks.
func (s *OnboardSession) identityChecks() bool { return s.Identity.Requested || s.AML.Requested }

// MissingPersonDataError is the cause (errors.As) of the InvalidRequest error Trustist's
// missing_person_data refusal becomes: the customer lacks what identity and AML checks
// need. Fields names what is missing with the neutral Customer field names (FirstName,
// LastName, Email), so that the customer can be completed with UpdateCustomer.
type MissingPersonDataError struct {
	CustomerID string
	// Fields are the missing fields; empty when neither Trustist's answer nor the
	// customer record could tell.
	Fields []string
}

// Error names the customer and the missing fields.
func (e *MissingPersonDataError) Error() string { return "trustist: " + e.message() }

func (e *MissingPersonDataError) message() string {
	what := "a first name, last name or e-mail address"
	if len(e.Fields) > 0 {
		what = strings.Join(e.Fields, ", ")
	}
	return "customer " + quote(e.CustomerID) + " lacks " + what + ", which identity and AML checks need " +
		"(Trustist: " + CodeMissingPersonData + "); complete it with UpdateCustomer"
}

// personFields are the customer members identity and AML checks need, by wire name, with
// their neutral names.
var personFields = []struct{ wire, neutral string }{
	{"firstName", "FirstName"}, {"lastName", "LastName"}, {"emailAddress", "Email"},
}

// missingPersonData reads a missing_person_data refusal's body. [I] No error schema is
// published: the fields are taken from a ProblemDetails errors object's keys, or from an
// array member named missingFields or fields.
func missingPersonData(body []byte) *MissingPersonDataError {
	e := &MissingPersonDataError{}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return e
	}
	var named []string
	for k, v := range obj {
		switch strings.ToLower(k) {
		case "errors":
			var byField map[string]json.RawMessage
			if json.Unmarshal(v, &byField) == nil {
				for f := range byField {
					named = append(named, strings.TrimPrefix(f, "$."))
				}
			}
		case "missingfields", "fields":
			var list []string
			if json.Unmarshal(v, &list) == nil {
				named = append(named, list...)
			}
		}
	}
	for _, pf := range personFields {
		if slices.ContainsFunc(named, func(n string) bool { return strings.EqualFold(n, pf.wire) || strings.EqualFold(n, pf.neutral) }) {
			e.Fields = append(e.Fields, pf.neutral)
		}
	}
	return e
}

// Wire forms of a session request (https://api.trustistecommerce.com/docs/onboard-sessions:
// customerId, options, orgId, returnUrl).
type sessionRequestWire struct {
	CustomerID string             `json:"customerId"`
	Options    sessionOptionsWire `json:"options"`
	OrgID      string             `json:"orgId,omitempty"`
	ReturnURL  string             `json:"returnUrl,omitempty"`
}

type sessionOptionsWire struct {
	// Identity and AML hold a map (never nil when set) so that {} is sent.
	Identity any      `json:"identity,omitempty"`
	AML      any      `json:"aml,omitempty"`
	AIS      *aisWire `json:"ais,omitempty"`
}

// aisWire is options.ais. AccountLimit null means unlimited.
type aisWire struct {
	Accounts     bool `json:"accounts"`
	Balances     bool `json:"balances,omitempty"`
	Transactions bool `json:"transactions,omitempty"`
	AccountLimit *int `json:"accountLimit,omitempty"`
}

func checkWire(c *CheckOptions) any {
	if c == nil {
		return nil
	}
	if c.Fields == nil {
		return map[string]any{}
	}
	return c.Fields
}

// sessionWire is a session as the API answers it. encoding/json matches member names
// case-insensitively, so the webhook's PascalCase form decodes too. The create answer is
// documented to carry onboardUrl (trustist.md §5.2); [I] the rest — id, status,
// customerId, the options the session was made with, and progress shaped as the tenant
// webhook's Session.Progress — is read when present.
type sessionWire struct {
	ID         string `json:"id"`
	CustomerID string `json:"customerId"`
	OrgID      string `json:"orgId"`
	Status     string `json:"status"`
	OnboardURL string `json:"onboardUrl"`
	Created    string `json:"created"`
	Options    *struct {
		Identity json.RawMessage `json:"identity"`
		AML      json.RawMessage `json:"aml"`
		AIS      json.RawMessage `json:"ais"`
	} `json:"options"`
	Progress *struct {
		Identity *progressWire `json:"identity"`
		AML      *progressWire `json:"aml"`
		AIS      *progressWire `json:"ais"`
	} `json:"progress"`
}

type progressWire struct {
	Completed   bool   `json:"completed"`
	Confirmed   *bool  `json:"confirmed"`
	CompletedAt string `json:"completedAt"`
}

// requested reports an options member that asks for its check: present, not null, not
// false.
func requested(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != "false"
}

func (w *progressWire) check(asked bool) Check {
	if w == nil {
		return Check{Requested: asked}
	}
	// [I] Without the session's options, a check the progress reports an outcome or a
	// step for was asked for.
	c := Check{Requested: asked || w.Completed || w.Confirmed != nil, Completed: w.Completed, CompletedAt: parseTime(w.CompletedAt)}
	if w.Confirmed != nil {
		v := *w.Confirmed
		c.Confirmed = &v
	}
	return c
}

func (w *sessionWire) session() *OnboardSession {
	s := &OnboardSession{ID: w.ID, CustomerID: w.CustomerID, OrgID: w.OrgID, Status: w.Status, OnboardURL: w.OnboardURL,
		Created: parseTime(w.Created)}
	var askID, askAML, askAIS bool
	if w.Options != nil {
		askID, askAML, askAIS = requested(w.Options.Identity), requested(w.Options.AML), requested(w.Options.AIS)
	}
	if w.Progress != nil {
		s.Identity, s.AML, s.AIS = w.Progress.Identity.check(askID), w.Progress.AML.check(askAML), w.Progress.AIS.check(askAIS)
	} else {
		s.Identity, s.AML, s.AIS = Check{Requested: askID}, Check{Requested: askAML}, Check{Requested: askAIS}
	}
	return s
}

// CreateOnboardSession creates an onboard session for an existing customer (POST
// /v1/onboard/sessions with the tenant key) and returns it, with OnboardURL, where to
// send the customer. Reach it through Gateway.As.
//
// The request is checked before anything is sent (InvalidRequest naming the field): a
// customer id, at least one check, an absolute https ReturnURL when set, a non-negative
// AccountLimit. A customer without a first name, last name or e-mail address is refused
// by Trustist for Identity or AML: the error is InvalidRequest for the CustomerID field,
// with ProviderCode missing_person_data, and errors.As finds a *MissingPersonDataError
// naming the missing fields (read from the customer record when Trustist's answer does
// not name them). The call is not idempotent: an UnknownOutcome error may leave a session
// behind, which is harmless (nothing moves until the customer acts on its page) and,
// when the error's ObjectID names it, can be read with GetOnboardSession.
func (p *Client) CreateOnboardSession(ctx context.Context, req OnboardSessionRequest) (*OnboardSession, error) {
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	body, err := sessionBody(&req)
	if err != nil {
		return nil, err
	}
	s, err := p.createSession(ctx, body)
	if err == nil {
		s.CustomerID = firstNonEmpty(s.CustomerID, req.CustomerID)
		s.OrgID = firstNonEmpty(s.OrgID, req.OrgID)
		s.Identity.Requested, s.AML.Requested = req.Identity != nil, req.AML != nil
		s.AIS.Requested = req.AIS != nil
		return s, nil
	}
	var mpd *MissingPersonDataError
	var pe *provider.Error
	if errors.As(err, &mpd) && errors.As(err, &pe) {
		mpd.CustomerID = req.CustomerID
		if len(mpd.Fields) == 0 {
			// The answer names no field: read the customer to say which (best effort).
			if c, cerr := p.GetCustomer(ctx, req.CustomerID); cerr == nil {
				mpd.Fields = missingFrom(c)
			}
		}
		pe.Field = "CustomerID"
		pe.Message = mpd.message()
	}
	return nil, err
}

// missingFrom returns the person fields a customer lacks.
func missingFrom(c *provider.Customer) []string {
	var out []string
	for _, f := range []struct {
		name, value string
	}{{"FirstName", c.FirstName}, {"LastName", c.LastName}, {"Email", c.Email}} {
		if strings.TrimSpace(f.value) == "" {
			out = append(out, f.name)
		}
	}
	return out
}

// sessionBody checks req and encodes it.
func sessionBody(req *OnboardSessionRequest) ([]byte, error) {
	if err := checkID("CustomerID", req.CustomerID); err != nil {
		return nil, err
	}
	if req.Identity == nil && req.AML == nil && req.AIS == nil {
		return nil, provider.FieldError("Identity", "no check is asked for: set Identity, AML or AIS")
	}
	if req.ReturnURL != "" {
		if u, err := url.Parse(req.ReturnURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, provider.FieldError("ReturnURL", "must be an absolute https URL (the onboard-session page requires one)")
		}
	}
	if len(req.OrgID) > 128 {
		return nil, provider.FieldError("OrgID", "must be at most 128 characters")
	}
	for _, c := range []struct {
		name string
		opts *CheckOptions
	}{{"Identity", req.Identity}, {"AML", req.AML}} {
		if c.opts == nil || c.opts.Fields == nil {
			continue
		}
		if _, err := json.Marshal(c.opts.Fields); err != nil {
			return nil, provider.FieldError(c.name+".Fields", "cannot be encoded as JSON: %v", err)
		}
	}
	w := sessionRequestWire{CustomerID: req.CustomerID, OrgID: req.OrgID, ReturnURL: req.ReturnURL,
		Options: sessionOptionsWire{Identity: checkWire(req.Identity), AML: checkWire(req.AML)}}
	if a := req.AIS; a != nil {
		if a.AccountLimit < 0 {
			return nil, provider.FieldError("AIS.AccountLimit", "must not be negative (0 is unlimited)")
		}
		// Balances and transactions imply accounts (customer-bank-accounts page).
		w.Options.AIS = &aisWire{Accounts: true, Balances: a.Balances, Transactions: a.Transactions}
		if a.AccountLimit > 0 {
			n := a.AccountLimit
			w.Options.AIS.AccountLimit = &n
		}
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "encoding the onboard session", Err: err}
	}
	return b, nil
}

// createSession sends a session body and reads the answer, which must carry the session's
// id and an absolute onboardUrl; an answer without them leaves the outcome unknown, naming
// the session when its id was read.
func (p *Client) createSession(ctx context.Context, body []byte) (*OnboardSession, error) {
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodPost, path: OnboardSessionsPath, body: body, write: true,
		what: "customer"})
	if err != nil {
		return nil, err
	}
	var w sessionWire
	if err := decode(r, &w); err != nil {
		return nil, uncertainAnswer(r, err)
	}
	var problem string
	switch u, err := url.Parse(w.OnboardURL); {
	case w.ID == "" || checkID("id", w.ID) != nil:
		problem = "the answer carries no usable session id"
	case w.OnboardURL == "":
		problem = "the answer carries no onboardUrl"
	case err != nil || !u.IsAbs():
		problem = "the onboardUrl is not an absolute URL"
	}
	if problem != "" {
		e := uncertainAnswer(r, errorf("%s", problem)).(*provider.Error)
		if w.ID != "" && checkID("id", w.ID) == nil {
			e.ObjectID = w.ID // a repeat through the Gateway settles by reading the session
		}
		return nil, e
	}
	return w.session(), nil
}

// GetOnboardSession reads an onboard session with the tenant key: its status and its
// checks' results. An unknown session (another tenant's included) is NotFound.
func (p *Client) GetOnboardSession(ctx context.Context, id string) (*OnboardSession, error) {
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodGet, path: OnboardSessionsPath + "/" + url.PathEscape(id),
		what: "onboard session"})
	if err != nil {
		return nil, err
	}
	var w sessionWire
	if err := decode(r, &w); err != nil {
		return nil, badAnswer(r, err)
	}
	if w.ID == "" {
		w.ID = id // [I] an answer that omits its own id
	}
	if w.ID != id {
		return nil, badAnswer(r, errorf("the answer is about another session"))
	}
	return w.session(), nil
}

// verificationSession reports whether an account-information session is an account
// verification: one a VerifyAccount call of the Gateway's journal created, or any when the
// notification is verified outside a Gateway (no record of calls to ask).
func verificationSession(ctx context.Context, id string) (bool, error) {
	calls := provider.CallsFrom(ctx)
	if calls == nil {
		return true, nil
	}
	c, ok, err := calls.ByProviderID(ctx, id)
	if err != nil {
		return false, err
	}
	return ok && c.Op == provider.OpVerifyAccount, nil
}

// takeSession reads a notification's Session member: its Id and Status
// (https://api.trustistecommerce.com/docs/webhooks, PascalCase). A session member that is
// not an object names nothing.
func (h *hint) takeSession(raw json.RawMessage) error {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		var s string
		isString := json.Unmarshal(obj[k], &s) == nil
		switch normKey(k) {
		case "id", "sessionid":
			if err := takeID(&h.sessionID, "Session.Id", isString, s); err != nil {
				return err
			}
		case "status":
			if isString && h.status == "" {
				h.status = s
			}
		}
	}
	return nil
}

// verifySession confirms an onboard-session notification (onboard.session.completed or
// onboard.session.failed): the session it names is read again with the tenant key, and
// the event is built from that read. Both events claim the session has ended; a session
// still open is not confirmed yet (ErrUnconfirmed with notify.ErrRetryLater). A session
// with identity or AML checks yields identity.verified when it completed with every check
// passed, else identity.failed. A session with account information only yields
// account.verified or account.failed alike when a VerifyAccount call made it (or outside a
// Gateway, which has the record of calls); one made with CreateOnboardSession yields
// bank_data.ready when it passed — the customer's accounts can be read — and other when
// it did not. Either way VerificationID is the session id, and Detail the
// *OnboardSession read.
func (p *Client) verifySession(ctx context.Context, h hint, body []byte) (*notify.Notification, error) {
	if !p.hasTenant {
		return nil, errors.Join(ErrUnverifiable, errors.New("onboard-session notifications are confirmed with the tenant key, and none is configured"))
	}
	v, err := p.confirm.read(ctx, objectKey{sessionObject, h.sessionID},
		func(v any) bool { return v.(*OnboardSession).Final() },
		func(ctx context.Context) (any, bool, error) {
			s, err := p.GetOnboardSession(ctx, h.sessionID)
			if err != nil {
				return nil, false, err
			}
			return s, s.Final(), nil
		})
	if err != nil {
		return nil, confirmError(err)
	}
	s := v.(*OnboardSession)
	if !s.Final() {
		return nil, unconfirmed("onboard session", "ended", "open ("+normalizeStatus(s.Status)+")")
	}
	var kind notify.Kind
	switch {
	case s.identityChecks() && s.Passed():
		kind = notify.IdentityVerified
	case s.identityChecks():
		kind = notify.IdentityFailed
	default:
		verification, err := verificationSession(ctx, s.ID)
		switch {
		case err != nil:
			return nil, fmt.Errorf("trustist: reading the Gateway's record of calls: %w: %w", notify.ErrRetryLater, err)
		case verification && s.Passed():
			kind = notify.AccountVerified
		case verification:
			kind = notify.AccountFailed
		case s.Passed():
			kind = notify.BankDataReady
		default:
			kind = notify.Other
		}
	}
	c := *s
	ev := notify.Event{ID: "onboard-session/" + s.ID + "/" + sessionStatus(s.Status), Provider: Name, Kind: kind,
		VerificationID: s.ID, ProviderEvent: h.event, ProviderStatus: s.Status, Raw: body, Detail: &c}
	return &notify.Notification{ID: ev.ID, Event: ev}, nil
}
