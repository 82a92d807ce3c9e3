package trustistsim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
)

// role is the kind of key that signed a request.
type role int

const (
	merchantRole role = iota + 1
	tenantRole
)

// result is an API answer before it is written.
type result struct {
	status int
	body   any
}

// problem is an RFC 7807 ProblemDetails body, the ASP.NET default for errors. [I] The
// Trustist API publishes no error schema; its backend appears to be ASP.NET.
type problem struct {
	Type   string              `json:"type,omitempty"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Code   string              `json:"code,omitempty"`
	Errors map[string][]string `json:"errors,omitempty"`
}

func fail(status int, title, detail string) result {
	return result{status, problem{Title: title, Status: status, Detail: detail}}
}

func invalid(errs map[string][]string) result {
	return result{http.StatusBadRequest, problem{Type: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
		Title: "One or more validation errors occurred.", Status: http.StatusBadRequest, Errors: errs}}
}

func notFound(what string) result {
	return fail(http.StatusNotFound, "Not Found", what+" not found.")
}

// ServeHTTP implements http.Handler: the API under /v1 and /api, hosted pages under
// /pay, /standing-order and /onboard.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/v1/"), strings.HasPrefix(p, "/api/"):
		s.serveAPI(w, r)
	case strings.HasPrefix(p, "/pay/"), strings.HasPrefix(p, "/standing-order/"), strings.HasPrefix(p, "/onboard/"):
		s.servePage(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("CorrelationId", uuid.NewString())
	fault, ok := s.kit.Arrive(r.Context())
	if !ok {
		return
	}
	if fault == simkit.FailFault {
		writeProblem(w, http.StatusServiceUnavailable, problem{Title: "Service Unavailable", Status: 503,
			Detail: "The service is temporarily unavailable. Please try again later."})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeProblem(w, http.StatusRequestEntityTooLarge, problem{Title: "Payload Too Large", Status: 413})
		return
	}
	res, err := s.hawk.Authenticate(r, body)
	if err != nil {
		var ae *hawk.AuthError
		if !errors.As(err, &ae) {
			writeProblem(w, http.StatusInternalServerError, problem{Title: "Internal Server Error", Status: 500})
			return
		}
		wa := ae.WWWAuthenticate
		if ae.Kind == hawk.Stale && s.badTSM.Load() {
			wa = strings.Replace(wa, `tsm="`, `tsm="AAAA`, 1)
		}
		if wa != "" {
			w.Header().Set("WWW-Authenticate", wa)
		}
		title := "Unauthorized"
		if ae.Status() == http.StatusBadRequest {
			title = "Bad Request"
		}
		writeProblem(w, ae.Status(), problem{Title: title, Status: ae.Status(), Detail: ae.Message})
		return
	}
	who := merchantRole
	if res.Credentials.ID == s.tenant.HawkID {
		who = tenantRole
	}
	out := s.routeAs(r, res.Credentials.ID, who, body)
	b, err := json.Marshal(out.body)
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, problem{Title: "Internal Server Error", Status: 500})
		return
	}
	const ct = "application/json; charset=utf-8"
	if fault == simkit.MalformedFault {
		// A body cut short under a header that authenticates it: the answer is
		// Trustist's, but not JSON.
		b, fault = simkit.Truncate(b), simkit.NoFault
	}
	sa := hawk.ResponseHeader(res.Credentials.Key, res.Artifacts, ct, b)
	if s.corruptSA.Load() || fault == simkit.BadSignatureFault {
		sa = strings.Replace(sa, `mac="`, `mac="AAAA`, 1)
	}
	strip := s.stripSA.Load()
	if s.kit.TakeDrop() {
		s.kit.Drop(w)
		return
	}
	h := http.Header{"Content-Type": {ct}}
	if fault != simkit.UnsignedFault && !strip {
		h.Set("Server-Authorization", sa)
	}
	s.kit.Answer(w, r, fault, out.status, h, b)
}

// writeProblem writes an error answer that is not signed (authentication failed or the
// request was refused before processing).
func writeProblem(w http.ResponseWriter, status int, v problem) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// route dispatches an authenticated request.
func (s *Server) route(r *http.Request, caller string, who role, body []byte) result {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	m := r.Method
	at := func(method string, parts ...string) bool {
		if m != method || len(segs) != len(parts) {
			return false
		}
		for i, p := range parts {
			if p != "*" && !strings.EqualFold(p, segs[i]) {
				return false
			}
		}
		return true
	}
	merchantOnly := func() *result {
		if who == merchantRole {
			return nil
		}
		res := fail(http.StatusForbidden, "Forbidden", "This endpoint requires a merchant API key.")
		return &res
	}
	paymentsAllowed := func(permission string) *result {
		if who == merchantRole {
			return nil
		}
		if s.opts.TenantPayments {
			return s.lacking(permission)
		}
		res := fail(http.StatusForbidden, "Forbidden", "This tenant key is not permitted to take payments.")
		return &res
	}
	tenantOnly := func(permission string) *result {
		if who == tenantRole {
			return s.lacking(permission)
		}
		res := fail(http.StatusForbidden, "Forbidden", "This endpoint requires a tenant-scoped API key with the "+
			permission+" permission. Merchant keys cannot be used.")
		return &res
	}
	// [I] An ASP.NET API binds a request body as JSON only: another media type is 415,
	// after routing and authorization, before anything is read.
	unsupported := func() *result {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
			return nil
		}
		res := result{http.StatusUnsupportedMediaType, problem{Type: "https://tools.ietf.org/html/rfc9110#section-15.5.16",
			Title: "Unsupported Media Type", Status: http.StatusUnsupportedMediaType}}
		return &res
	}
	switch {
	case at(http.MethodPost, "v1", "payments"):
		if f := paymentsAllowed(PermCreatePayment); f != nil {
			return *f
		}
		if f := unsupported(); f != nil {
			return *f
		}
		return s.createPayment(caller, body)
	case at(http.MethodGet, "v1", "payments", "*"):
		if f := paymentsAllowed(PermReadPayment); f != nil {
			return *f
		}
		return s.getPayment(segs[2])
	case at(http.MethodPost, "v1", "standingorders"):
		if f := merchantOnly(); f != nil {
			return *f
		}
		if f := unsupported(); f != nil {
			return *f
		}
		return s.createStandingOrder(caller, body)
	case at(http.MethodGet, "v1", "standingorders", "*"):
		if f := merchantOnly(); f != nil {
			return *f
		}
		return s.getStandingOrder(segs[2])
	case at(http.MethodGet, "v1", "merchants"):
		if f := merchantOnly(); f != nil {
			return *f
		}
		return s.merchantInfo()
	case at(http.MethodPost, "v1", "customers"):
		if f := tenantOnly(PermCreateCustomer); f != nil {
			return *f
		}
		if f := unsupported(); f != nil {
			return *f
		}
		return s.createCustomer(body)
	case at(http.MethodGet, "v1", "customers"):
		if f := tenantOnly(PermReadCustomers); f != nil { // [I] listing is reading
			return *f
		}
		return s.listCustomers(r.URL.Query())
	case at(http.MethodGet, "v1", "customers", "*"):
		if f := tenantOnly(PermReadCustomers); f != nil {
			return *f
		}
		return s.getCustomer(segs[2])
	case at(http.MethodPut, "v1", "customers", "*"):
		if f := tenantOnly(PermUpdateCustomer); f != nil {
			return *f
		}
		if f := unsupported(); f != nil {
			return *f
		}
		return s.updateCustomer(segs[2], body)
	case at(http.MethodPost, "v1", "onboard", "sessions"):
		if f := tenantOnly("create_onboard_session"); f != nil {
			return *f
		}
		if f := unsupported(); f != nil {
			return *f
		}
		return s.createSession(body)
	case at(http.MethodGet, "v1", "onboard", "sessions", "*"):
		if f := tenantOnly("read_onboard_session"); f != nil {
			return *f
		}
		return s.getSession(segs[3])
	case m == http.MethodPost && tenantWebhookPath(segs):
		if f := tenantOnly(PermManageWebhooks); f != nil {
			return *f
		}
		if f := unsupported(); f != nil {
			return *f
		}
		return s.registerWebhook(body)
	case at(http.MethodGet, "api", "customers", "*", "bank-accounts"):
		if f := tenantOnly(PermReadBankAccounts); f != nil {
			return *f
		}
		return s.bankAccounts(segs[2])
	}
	return fail(http.StatusNotFound, "Not Found", "No endpoint matches "+m+" "+r.URL.Path+".")
}

// object reads a JSON object body with member names lower-cased, as ASP.NET binds them
// case-insensitively. Unknown members are ignored, as ASP.NET ignores them.
func object(body []byte) (map[string]json.RawMessage, *result) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
		res := invalid(map[string][]string{"$": {"The request body must be a JSON object."}})
		return nil, &res
	}
	out := make(map[string]json.RawMessage, len(raw))
	for k, v := range raw {
		out[strings.ToLower(k)] = v
	}
	return out, nil
}

// fieldReader reads typed members and collects validation errors.
type fieldReader struct {
	m    map[string]json.RawMessage
	errs map[string][]string
}

func (f *fieldReader) bad(name, msg string) {
	if f.errs == nil {
		f.errs = map[string][]string{}
	}
	f.errs[name] = append(f.errs[name], msg)
}

// has reports whether the member is present (null included).
func (f *fieldReader) has(name string) bool {
	_, ok := f.m[strings.ToLower(name)]
	return ok
}

// isNull reports whether the member is present and null.
func (f *fieldReader) isNull(name string) bool {
	v, ok := f.m[strings.ToLower(name)]
	return ok && string(bytes.TrimSpace(v)) == "null"
}

// str returns a string member ("" when absent or null).
func (f *fieldReader) str(name string, max int) string {
	v, ok := f.m[strings.ToLower(name)]
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		f.bad(name, "The JSON value could not be converted to System.String.")
		return ""
	}
	if max > 0 && len(s) > max {
		f.bad(name, "The field "+name+" must be a string with a maximum length of "+itoa(max)+".")
	}
	return s
}

// amount reads a decimal member of the merchant's currency, required and positive.
func (f *fieldReader) amount(name string, cur money.Currency) money.Amount {
	v, ok := f.m[strings.ToLower(name)]
	v = bytes.TrimSpace(v)
	if !ok || string(v) == "null" {
		f.bad(name, "The "+name+" field is required.")
		return money.Amount{}
	}
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		f.bad(name, "The JSON value could not be converted to System.Decimal.")
		return money.Amount{}
	}
	a, err := money.NewCurrency(string(v), cur)
	if errors.Is(err, money.ErrInvalidAmount) {
		if d, derr := decimal.NewFromString(string(v)); derr == nil {
			a, err = money.FromDecimal(d, cur)
		}
	}
	switch {
	case errors.Is(err, money.ErrPrecision):
		f.bad(name, "The "+name+" must have at most "+itoa(cur.Exponent())+" decimal places.")
	case err != nil:
		f.bad(name, "The JSON value could not be converted to System.Decimal.")
	case a.Sign() <= 0:
		f.bad(name, "The "+name+" must be greater than zero.")
	default:
		return a
	}
	return money.Amount{}
}

// absURL checks an optional absolute URL member; httpsOnly refuses plain http.
func (f *fieldReader) absURL(name string, httpsOnly bool) string {
	s := f.str(name, 2048)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && (httpsOnly || u.Scheme != "http")) {
		if httpsOnly {
			f.bad(name, "The "+name+" must be an absolute HTTPS URL.")
		} else {
			f.bad(name, "The "+name+" must be an absolute URL.")
		}
	}
	return s
}

// email checks an optional e-mail member.
func (f *fieldReader) email(name string) string {
	s := f.str(name, 254)
	if s == "" {
		return ""
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
		f.bad(name, "The "+name+" field is not a valid e-mail address.")
	}
	return s
}

// shortGUID checks an optional member that must be a GUID or a ShortGuid ("GUID or
// ShortGuid", https://trustisttransfer.com/docs/create-payment-post): 22 characters of
// URL-safe base64 holding the GUID's 16 bytes.
func (f *fieldReader) shortGUID(name string) string {
	s := f.str(name, 64)
	if s == "" {
		return ""
	}
	if len(s) == 22 {
		if b, err := base64.RawURLEncoding.DecodeString(s); err == nil && len(b) == 16 {
			return s
		}
	} else if _, err := uuid.Parse(s); err == nil && !strings.HasPrefix(s, "urn:") {
		return s
	}
	f.bad(name, "The "+name+" must be a GUID or a ShortGuid.")
	return ""
}

// workflowModes are the documented workflow modes (create-payment-post).
var workflowModes = []string{"Default", "SkipIntro", "RemoteOnly", "MOTO"}

// workflow reads an optional {"mode": ...} object and returns its mode. [I] The API is a
// .NET one, whose JSON enum binding ignores case and refuses names it does not know.
func (f *fieldReader) workflow(name string) string {
	v, ok := f.m[strings.ToLower(name)]
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		return ""
	}
	m, bad := object(v)
	if bad != nil {
		f.bad(name, "The JSON value could not be converted to Workflow.")
		return ""
	}
	sub := &fieldReader{m: m}
	mode := sub.str("mode", 32)
	for _, w := range workflowModes {
		if sub.errs == nil && strings.EqualFold(mode, w) {
			return w
		}
	}
	f.bad(name+".mode", "The JSON value could not be converted to WorkflowMode.")
	return ""
}

func itoa(n int) string {
	return decimal.NewFromInt(int64(n)).String()
}
