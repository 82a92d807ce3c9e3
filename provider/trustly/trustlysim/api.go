package trustlysim

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// maxRequestBytes bounds an API request body.
const maxRequestBytes = 1 << 20

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/api/1":
		s.serveAPI(w, r)
	case strings.HasPrefix(r.URL.Path, "/checkout/"):
		s.serveCheckout(w, r)
	default:
		http.NotFound(w, r)
	}
}

// rpcFault is a Trustly error to answer with.
type rpcFault struct{ code int }

func fault(code int) *rpcFault { return &rpcFault{code: code} }

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	fault, ok := s.kit.Arrive(r.Context())
	if !ok {
		return
	}
	if fault == simkit.FailFault {
		http.Error(w, "service temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	body, err := wire.ReadBody(r.Body, maxRequestBytes)
	if err != nil {
		s.writeError(w, "", "", wire.CodeUnknown)
		return
	}
	resp := s.process(body)
	garble, unsigned := 0, false
	drop := s.kit.TakeDrop()
	s.replies.Lock()
	if !drop && len(s.replies.garbleNext) > 0 {
		garble, s.replies.garbleNext = s.replies.garbleNext[0], s.replies.garbleNext[1:]
	}
	if !drop && garble == 0 && s.replies.unsignedNext > 0 {
		s.replies.unsignedNext--
		unsigned = true
	}
	s.replies.Unlock()
	if garble != 0 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(garble)
		_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(garble) + "</h1></body></html>\n"))
		return
	}
	if unsigned {
		resp, _ = wire.EncodeUnsignedError(wire.CodeUnknown, wire.CodeName(wire.CodeUnknown))
	}
	if drop {
		s.kit.Drop(w)
		return
	}
	if s.streamReport(w, fault, body, resp) {
		return
	}
	s.writeAnswer(w, r, fault, resp)
}

func (s *Server) writeError(w http.ResponseWriter, method, uuid string, code int) {
	b, _ := wire.EncodeError(s.key, method, uuid, code, wire.CodeName(code))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func (s *Server) errorBody(method, uuid string, code int) []byte {
	b, _ := wire.EncodeError(s.key, method, uuid, code, wire.CodeName(code))
	return b
}

// process runs one request and returns the response body.
func (s *Server) process(body []byte) []byte {
	req, err := wire.ParseRequest(body, wire.WithMaxBodySize(maxRequestBytes))
	if err != nil {
		// Not understood: the signed error carries null uuid and method.
		return s.errorBody("", "", wire.CodeUnknown)
	}
	if req.Version == "" {
		// [I] A JSON-RPC 1.1 request names its version: the string "1.1" in Trustly's
		// examples (https://eu.developers.trustly.com/doc/reference/api-protocol) or the
		// number 1.1 that Trustly's Java client sends (JsonRpcRequest.java). Without it the
		// request is not understood.
		return s.errorBody("", "", wire.CodeUnknown)
	}
	user, _ := req.Get("Username")
	pass, _ := req.Get("Password")
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.merchants[user]
	if m == nil || pass != m.password {
		return s.errorBody(req.Method, req.UUID, wire.CodeInvalidCredentials)
	}
	if m.pub == nil {
		return s.errorBody(req.Method, req.UUID, wire.CodeNoPublicKey)
	}
	if err := req.Verify(m.pub); err != nil {
		return s.errorBody(req.Method, req.UUID, wire.CodeUnableToVerifyRSASignature)
	}
	if !uuidRE.MatchString(req.UUID) {
		return s.errorBody(req.Method, req.UUID, wire.CodeInvalidParameters)
	}
	fp := requestFingerprint(req)
	rkey := m.username + "\x00" + req.UUID
	if prev, ok := s.replays[rkey]; ok {
		if prev.fp == fp {
			return prev.body // the identical request: the first result, nothing done twice
		}
		return s.errorBody(req.Method, req.UUID, wire.CodeDuplicateUUID)
	}
	s.replies.Lock()
	forced := 0
	if len(s.replies.errorNext) > 0 {
		forced, s.replies.errorNext = s.replies.errorNext[0], s.replies.errorNext[1:]
	}
	s.replies.Unlock()
	// From here on the request is authenticated and its answer, result or error, belongs
	// to its UUID: the identical request gets it again, a changed one 688. [I] Trustly
	// documents the replay for identical requests without excluding errors.
	out := s.answer(m, req, forced)
	s.replays[rkey] = &replay{fp: fp, body: out}
	return out
}

// answer runs an authenticated request, or fails it with the forced code when non-zero.
func (s *Server) answer(m *merchant, req *wire.Request, forced int) []byte {
	if forced != 0 {
		return s.errorBody(req.Method, req.UUID, forced)
	}
	h, ok := methods[req.Method]
	if !ok {
		return s.errorBody(req.Method, req.UUID, wire.CodeFunctionAccessDenied)
	}
	data, f := h(s, m, &call{req: req})
	if f != nil {
		return s.errorBody(req.Method, req.UUID, f.code)
	}
	out, err := wire.EncodeResult(s.key, req.Method, req.UUID, data)
	if err != nil {
		return s.errorBody(req.Method, req.UUID, wire.CodeUnknown)
	}
	return out
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func requestFingerprint(r *wire.Request) [32]byte {
	b, _ := json.Marshal(map[string]any{"m": r.Method, "d": r.Data})
	return sha256.Sum256(b)
}

// call is one verified request being processed.
type call struct{ req *wire.Request }

// str returns a string or number member of Data.
func (c *call) str(k string) string {
	v, _ := wire.Scalar(c.req.Data[k])
	return v
}

// amount returns the Amount member of Data, which Trustly takes as text only, digits with a
// dot (https://eu.developers.trustly.com/doc/reference/refund): a JSON number, or no
// member, is a fault.
func (c *call) amount() (string, *rpcFault) {
	v, ok := c.req.Data["Amount"].(string)
	if !ok {
		return "", fault(wire.CodeInvalidParameters)
	}
	if f := checkAmount(v); f != nil {
		return "", f
	}
	return v, nil
}

// hasAttributes reports whether Data has the Attributes member, null or an object, which
// Trustly requires ("send null as value if not used", D-ref).
func (c *call) hasAttributes() bool {
	v, ok := c.req.Data["Attributes"]
	if !ok {
		return false
	}
	_, isObject := v.(map[string]any)
	return v == nil || isObject
}

// attrs returns Data.Attributes when it is an object.
func (c *call) attrs() map[string]any {
	a, _ := c.req.Data["Attributes"].(map[string]any)
	return a
}

func attr(a map[string]any, k string) string {
	v, _ := wire.Scalar(a[k])
	return v
}

var (
	amountRE   = regexp.MustCompile(`^[0-9]{1,12}\.[0-9]{2}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	localeRE   = regexp.MustCompile(`^[a-z]{2}_[A-Z]{2}$`)
	countryRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	emailRE    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	dateRE     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// currencies the simulated merchant accounts accept.
var currencies = map[string]bool{"EUR": true, "SEK": true, "NOK": true, "DKK": true, "GBP": true, "PLN": true, "CZK": true}

func checkAmount(v string) *rpcFault {
	if !amountRE.MatchString(v) || strings.Trim(v, "0.") == "" {
		return fault(wire.CodeInvalidAmount)
	}
	return nil
}

func checkCurrency(v string) *rpcFault {
	if !currencyRE.MatchString(v) || !currencies[v] {
		return fault(wire.CodeInvalidCurrencyCode)
	}
	return nil
}

// checkURL validates an absolute http(s) URL.
func checkURL(v string, code int) *rpcFault {
	u, err := url.Parse(v)
	if v == "" || err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fault(code)
	}
	return nil
}

func (s *Server) checkNotificationURL(v string) *rpcFault {
	if f := checkURL(v, wire.CodeMalformedNotificationURL); f != nil || strings.Contains(v, "?") {
		return fault(wire.CodeMalformedNotificationURL)
	}
	u, _ := url.Parse(v)
	if u.Scheme != "https" && !(s.opts.AllowLoopbackHTTP && transport.IsLoopback(u.Hostname())) {
		return fault(wire.CodeNotSecureNotificationURL)
	}
	return nil
}

// checkOrderRequest checks the members Deposit and SelectAccount share.
func (s *Server) checkOrderRequest(c *call) *rpcFault {
	if f := s.checkNotificationURL(c.str("NotificationURL")); f != nil {
		return f
	}
	if c.str("EndUserID") == "" {
		return fault(wire.CodeEndUserIDIsNull)
	}
	if c.str("MessageID") == "" {
		return fault(wire.CodeMessageIDIsNull)
	}
	a := c.attrs()
	if a == nil {
		return fault(wire.CodeInvalidParameters)
	}
	if attr(a, "Firstname") == "" || attr(a, "Lastname") == "" {
		return fault(wire.CodeInvalidParameters)
	}
	if !countryRE.MatchString(attr(a, "Country")) {
		return fault(wire.CodeInvalidCountry)
	}
	if !localeRE.MatchString(attr(a, "Locale")) {
		return fault(wire.CodeInvalidLocale)
	}
	if v, ok := a["SuccessURL"]; ok && v != nil {
		if f := checkURL(attr(a, "SuccessURL"), wire.CodeMalformedSuccessURL); f != nil {
			return f
		}
	}
	if v, ok := a["FailURL"]; ok && v != nil {
		if f := checkURL(attr(a, "FailURL"), wire.CodeMalformedFailURL); f != nil {
			return f
		}
	}
	if e := attr(a, "Email"); e != "" && !emailRE.MatchString(e) {
		return fault(wire.CodeInvalidEmail)
	}
	// Email is required with a direct-debit mandate (Trustly's Java client,
	// SelectAccountRequestDataAttributes.java).
	if attr(a, "RequestDirectDebitMandate") == "1" && attr(a, "Email") == "" {
		return fault(wire.CodeInvalidEmail)
	}
	// URLTarget is _top, _self or _parent (https://docs.trustly.com/api/deposit).
	if v, ok := a["URLTarget"]; ok && v != nil {
		if t := attr(a, "URLTarget"); t != "_top" && t != "_self" && t != "_parent" {
			return fault(wire.CodeMalformedURLTarget)
		}
	}
	// [I] SuggestedMinAmount and SuggestedMaxAmount do not go with a fixed Amount
	// (Trustly's Java client, DepositRequestDataAttributes.java); the code Trustly answers
	// is not documented.
	_, minSet := a["SuggestedMinAmount"]
	_, maxSet := a["SuggestedMaxAmount"]
	if amount, ok := a["Amount"]; ok && amount != nil && (minSet || maxSet) {
		return fault(wire.CodeInvalidOrderAttribute)
	}
	if ip := attr(a, "IP"); ip != "" && (strings.ContainsAny(ip, ", ") || !ipRE.MatchString(ip)) {
		return fault(wire.CodeInvalidIP)
	}
	// Without Trustly Direct Debit the attributes that set it up are refused with 712
	// (Trustly's error table: "remove RequestDirectDebitMandate/QuickDeposit/
	// ChargeAccountID").
	if s.opts.NoDirectDebit && (attr(a, "RequestDirectDebitMandate") == "1" || attr(a, "QuickDeposit") == "1" ||
		attr(a, "ChargeAccountID") != "") {
		return fault(wire.CodeDirectDebitNotAllowed)
	}
	return nil
}

var ipRE = regexp.MustCompile(`^[0-9a-fA-F:.]+$`)
