package partnersim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/provider/simkit"
)

// problem is an RFC 7807 ProblemDetails body. [I] The guide documents the status codes
// only (200, 400, 401, 404, 500); the body is what ASP.NET writes, as the Trustist API's.
type problem struct {
	Type   string              `json:"type,omitempty"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Errors map[string][]string `json:"errors,omitempty"`
}

// answer is an API answer before it is written.
type answer struct {
	status int
	header http.Header
	body   any
}

func fail(status int, title, detail string) answer {
	return answer{status: status, body: problem{Title: title, Status: status, Detail: detail}}
}

func invalid(errs map[string][]string) answer {
	return answer{status: http.StatusBadRequest, body: problem{Type: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
		Title: "One or more validation errors occurred.", Status: http.StatusBadRequest, Errors: errs}}
}

// oauthError is an RFC 6749 §5.2 token error.
func oauthError(status int, code, description string) answer {
	return answer{status: status, header: http.Header{"Cache-Control": {"no-store"}, "Pragma": {"no-cache"}},
		body: map[string]string{"error": code, "error_description": description}}
}

// ServeHTTP implements http.Handler: the API, and the invitation pages under /join/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/join/") {
		s.servePage(w, r)
		return
	}
	fault, ok := s.kit.Arrive(r.Context())
	if !ok {
		return
	}
	if fault == simkit.FailFault {
		s.write(w, r, simkit.NoFault, fail(http.StatusServiceUnavailable, "Service Unavailable",
			"The service is temporarily unavailable. Please try again later."))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		s.write(w, r, simkit.NoFault, fail(http.StatusRequestEntityTooLarge, "Payload Too Large", ""))
		return
	}
	var out answer
	var invited *Invite
	if r.URL.Path == "/token" {
		out = s.token(r, body)
	} else {
		out, invited = s.api(r, body)
	}
	if invited != nil && s.opts.OnInvite != nil {
		s.opts.OnInvite(*invited) // the e-mail goes out, whatever becomes of the answer
	}
	if s.kit.TakeDrop() {
		s.kit.Drop(w)
		return
	}
	s.write(w, r, fault, out)
}

// write writes an answer as JSON, with fault applied.
func (s *Server) write(w http.ResponseWriter, r *http.Request, fault simkit.Fault, a answer) {
	b, err := json.Marshal(a.body)
	if err != nil {
		a, b = fail(http.StatusInternalServerError, "Internal Server Error", ""), nil
		b, _ = json.Marshal(a.body)
	}
	h := a.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	ct := "application/json; charset=utf-8"
	if _, isProblem := a.body.(problem); isProblem {
		ct = "application/problem+json; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	s.kit.Answer(w, r, fault, a.status, h, b)
}

// token is POST /token: the OAuth 2.0 client credentials grant with the credentials in
// the form body, as the guide's example request sends them.
func (s *Server) token(r *http.Request, body []byte) answer {
	if r.Method != http.MethodPost {
		return answer{status: http.StatusMethodNotAllowed, header: http.Header{"Allow": {"POST"}},
			body: problem{Title: "Method Not Allowed", Status: http.StatusMethodNotAllowed}}
	}
	// RFC 6749 §4.4.2: the token request is application/x-www-form-urlencoded.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return oauthError(http.StatusBadRequest, "invalid_request", "The request must be application/x-www-form-urlencoded.")
	}
	form, err := parseForm(body)
	if err != nil {
		return oauthError(http.StatusBadRequest, "invalid_request", "The request body could not be read as a form.")
	}
	id, sec := form.Get("client_id"), form.Get("client_secret")
	s.mu.Lock()
	want, known := s.partners[id]
	s.mu.Unlock()
	// RFC 6749 §5.2: client authentication failed (unknown client, none included) is
	// invalid_client with 401.
	if id == "" || sec == "" || !known || subtle.ConstantTimeCompare([]byte(sec), want.Bytes()) != 1 {
		return oauthError(http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return oauthError(http.StatusBadRequest, "invalid_request", "The grant_type parameter is missing.")
	default:
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "Only client_credentials is supported.")
	}
	tok := simkit.RandomHex(24)
	s.mu.Lock()
	s.tokens[tok] = issued{partner: id, expires: s.now().Add(s.lifetime)}
	s.mu.Unlock()
	// RFC 6749 §5.1: the token answer is not to be cached.
	return answer{status: http.StatusOK, header: http.Header{"Cache-Control": {"no-store"}, "Pragma": {"no-cache"}},
		body: map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int64(s.lifetime.Seconds())}}
}

// caller returns the partner whose bearer token authorises r, or the 401 answer
// (RFC 6750 §3: a request without a token gets a bare challenge, a bad token
// error="invalid_token").
func (s *Server) caller(r *http.Request) (string, *answer) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		a := fail(http.StatusUnauthorized, "Unauthorized", "An access token is required.")
		a.header = http.Header{"WWW-Authenticate": {"Bearer"}}
		return "", &a
	}
	s.mu.Lock()
	t, ok := s.tokens[tok]
	s.mu.Unlock()
	if !ok || !s.now().Before(t.expires) {
		a := fail(http.StatusUnauthorized, "Unauthorized", "The access token is invalid or has expired.")
		a.header = http.Header{"WWW-Authenticate": {`Bearer error="invalid_token", error_description="The access token is invalid or has expired"`}}
		return "", &a
	}
	return t.partner, nil
}

// api routes the bearer-authenticated calls. It returns the invitation e-mail to send
// when it created one.
func (s *Server) api(r *http.Request, body []byte) (answer, *Invite) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if segs[0] != "invitations" || len(segs) > 4 || len(segs) == 3 || len(segs) == 4 && (segs[2] != "merchant" || segs[3] != "keys") {
		return fail(http.StatusNotFound, "Not Found", "No endpoint matches "+r.Method+" "+r.URL.Path+"."), nil
	}
	allowed := []string{http.MethodGet}
	if len(segs) == 1 {
		allowed = append(allowed, http.MethodPost)
	}
	if !slices.Contains(allowed, r.Method) {
		return answer{status: http.StatusMethodNotAllowed, header: http.Header{"Allow": {strings.Join(allowed, ", ")}},
			body: problem{Title: "Method Not Allowed", Status: http.StatusMethodNotAllowed}}, nil
	}
	who, refused := s.caller(r)
	if refused != nil {
		return *refused, nil
	}
	switch {
	case len(segs) == 1 && r.Method == http.MethodPost:
		return s.create(who, r, body)
	case len(segs) == 1:
		return s.list(who), nil
	case len(segs) == 2:
		return s.get(who, segs[1]), nil
	default:
		return s.keys(who, segs[1]), nil
	}
}

// invitationJSON is an invitation as the API answers it. id and status are the guide's;
// [I] the other members echo the create request.
type invitationJSON struct {
	ID           string   `json:"id"`
	Status       string   `json:"status"`
	Email        string   `json:"email"`
	Name         string   `json:"name"`
	PaymentTypes []string `json:"paymentTypes"`
}

func (inv *invitation) json() invitationJSON {
	return invitationJSON{ID: inv.id, Status: inv.status, Email: inv.email, Name: inv.name,
		PaymentTypes: slices.Clone(inv.paymentTypes)}
}

// paymentTypes are the values the guide names; "openbanking" is always offered.
var paymentTypes = []string{"openbanking", "cards"}

// create is POST /invitations.
func (s *Server) create(who string, r *http.Request, body []byte) (answer, *Invite) {
	// [I] ASP.NET refuses a [FromBody] request that is not JSON with 415.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fail(http.StatusUnsupportedMediaType, "Unsupported Media Type", "The request body must be application/json."), nil
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
		return invalid(map[string][]string{"$": {"The request body must be a JSON object."}}), nil
	}
	m := map[string]json.RawMessage{}
	for k, v := range raw { // member names bind case-insensitively, as in ASP.NET
		m[strings.ToLower(k)] = v
	}
	errs := map[string][]string{}
	str := func(name string) string {
		v, ok := m[strings.ToLower(name)]
		var s string
		if ok && string(bytes.TrimSpace(v)) != "null" && json.Unmarshal(v, &s) != nil {
			errs[name] = append(errs[name], "The JSON value could not be converted to System.String.")
		}
		return s
	}
	email, name := str("email"), str("name")
	switch a, err := mail.ParseAddress(email); {
	case len(errs["email"]) > 0:
	case strings.TrimSpace(email) == "":
		errs["email"] = append(errs["email"], "The email field is required.")
	case err != nil || a.Address != email:
		errs["email"] = append(errs["email"], "The email field is not a valid e-mail address.")
	}
	if len(errs["name"]) == 0 && strings.TrimSpace(name) == "" {
		errs["name"] = append(errs["name"], "The name field is required.")
	}
	// The guide: removing "openbanking" has no effect, it is always offered; "cards" is
	// offered only when listed. [I] Values are matched exactly, other values refused; an
	// absent paymentTypes offers open banking only.
	types := []string{"openbanking"}
	if v, ok := m["paymenttypes"]; ok && string(bytes.TrimSpace(v)) != "null" {
		var list []string
		if json.Unmarshal(v, &list) != nil {
			errs["paymentTypes"] = append(errs["paymentTypes"], "The JSON value could not be converted to System.String[].")
		}
		for _, t := range list {
			switch {
			case !slices.Contains(paymentTypes, t):
				errs["paymentTypes"] = append(errs["paymentTypes"], "Unknown payment type '"+t+"': use cards or openbanking.")
			case !slices.Contains(types, t):
				types = append(types, t)
			}
		}
	}
	if len(errs) > 0 {
		return invalid(errs), nil
	}
	inv := &invitation{id: uuid.NewString(), partner: who, email: email, name: name, status: StatusPending,
		paymentTypes: types, pageToken: simkit.RandomHex(16)}
	s.mu.Lock()
	s.invitations[inv.id] = inv
	s.order = append(s.order, inv.id)
	out := inv.json()
	inv.status = StatusSent // the e-mail goes out once the invitation is made
	sent := Invite{ID: inv.id, Partner: who, Email: email, Name: name, URL: s.pageURL(inv)}
	s.mu.Unlock()
	// [I] 200, the guide's success status (it names no 201).
	return answer{status: http.StatusOK, body: out}, &sent
}

// list is GET /invitations: the caller's invitations, oldest first.
func (s *Server) list(who string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []invitationJSON{}
	for _, id := range s.order {
		if inv := s.invitations[id]; inv.partner == who {
			out = append(out, inv.json())
		}
	}
	return answer{status: http.StatusOK, body: out}
}

// findLocked returns the caller's invitation id; another partner's is not found, as an
// unknown one.
func (s *Server) findLocked(who, id string) *invitation {
	inv := s.invitations[id]
	if inv == nil || inv.partner != who {
		return nil
	}
	return inv
}

func notFound() answer { return fail(http.StatusNotFound, "Not Found", "Invitation not found.") }

// get is GET /invitations/{id}.
func (s *Server) get(who, id string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.findLocked(who, id)
	if inv == nil {
		return notFound()
	}
	return answer{status: http.StatusOK, body: inv.json()}
}

// keyItem is one item of the merchant keys answer. apiKey is the guide's; [I] the
// private half's name is not published.
type keyItem struct {
	APIKey     string `json:"apiKey"`
	PrivateKey string `json:"privateKey,omitempty"`
}

// keys is GET /invitations/{id}/merchant/keys. [I] Before the merchant accepts there is
// no merchant, so no keys: 404, the guide's "resource could not be found".
func (s *Server) keys(who, id string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.findLocked(who, id)
	if inv == nil {
		return notFound()
	}
	if inv.status != StatusAccepted {
		return fail(http.StatusNotFound, "Not Found", "The invited merchant has not accepted the invitation: there are no keys.")
	}
	item := keyItem{APIKey: inv.key.HawkID}
	if !s.opts.OmitPrivateKey {
		item.PrivateKey = inv.key.HawkKey.Reveal()
	}
	return answer{status: http.StatusOK, body: map[string][]keyItem{"items": {item}}}
}

// parseForm reads an application/x-www-form-urlencoded body.
func parseForm(body []byte) (url.Values, error) { return url.ParseQuery(string(body)) }
