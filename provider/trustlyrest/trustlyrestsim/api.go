package trustlyrestsim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

const maxRequestBody = 1 << 20

// route dispatches an authenticated REST request.
func (s *Server) route(w http.ResponseWriter, r *http.Request, m *merchant) {
	path := strings.TrimPrefix(r.URL.Path, apiPrefix)
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodPost && path == "/establish":
		s.establish(w, r, m)
	case r.Method == http.MethodGet && path == "/transactions":
		s.listTransactions(w, r, m)
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "transactions":
		s.getTransaction(w, m, parts[1])
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "transactions":
		s.transactionAction(w, r, m, parts[1], parts[2])
	case r.Method == http.MethodGet && len(parts) >= 4 && parts[0] == "transactions" && parts[2] == "payment" && parts[3] == "paymentProvider":
		s.bankData(w, r, m, parts[1], strings.Join(parts[4:], "/"))
	case r.Method == http.MethodGet && path == "/payments":
		s.listPayments(w, r, m)
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "payments":
		s.getPayment(w, m, parts[1])
	case r.Method == http.MethodPost && path == "/accounts/verify":
		s.verifyAccount(w, r, m, false)
	case r.Method == http.MethodPost && path == "/accounts/tokenize":
		s.verifyAccount(w, r, m, true)
	case path == "/customers" && r.Method == http.MethodPost:
		s.upsertCustomer(w, r, m, "")
	case path == "/customers" && r.Method == http.MethodGet:
		s.listCustomers(w, r, m)
	case len(parts) == 2 && parts[0] == "customers" && r.Method == http.MethodGet:
		s.getCustomer(w, m, parts[1])
	case len(parts) == 2 && parts[0] == "customers" && r.Method == http.MethodPost:
		s.upsertCustomer(w, r, m, parts[1])
	default:
		writeError(w, http.StatusNotFound, codeInvalidParameter, domainInvalidParameter, "Endpoint not supported")
	}
}

// readJSON decodes a JSON object body, numbers kept as json.Number.
func readJSON(r *http.Request) (map[string]any, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, fmt.Errorf("Content-Type must be application/json")
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("body is not a JSON object")
	}
	return m, nil
}

// readParams reads a transaction action's parameters, form-encoded or JSON with flat dotted
// keys. [I] The server takes both: Trustly's API reference describes JSON bodies
// (https://amer.developers.trustly.com/api-reference), while its sample integration
// (https://github.com/TrustlyInc/trustly-nestjs-example) sends a capture as form fields.
func readParams(r *http.Request) (map[string]string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		m, err := readJSON(r)
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		for k, v := range m {
			switch x := v.(type) {
			case string:
				out[k] = x
			case json.Number:
				out[k] = x.String()
			case bool:
				out[k] = strconv.FormatBool(x)
			case nil:
			default:
				return nil, fmt.Errorf("parameter %s must be a scalar", k)
			}
		}
		return out, nil
	}
	if mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("Content-Type must be application/x-www-form-urlencoded or application/json")
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return nil, err
	}
	f, err := signing.DecodeForm(string(raw))
	if err != nil {
		return nil, fmt.Errorf("malformed form body")
	}
	out := map[string]string{}
	for _, p := range f {
		out[p.Key] = p.Value
	}
	return out, nil
}

func str(m map[string]any, k string) (string, bool) {
	v, ok := m[k].(string)
	return v, ok
}

// establish implements POST /establish?createTransaction=true.
func (s *Server) establish(w http.ResponseWriter, r *http.Request, m0 *merchant) {
	if r.URL.Query().Get("createTransaction") != "true" {
		invalid(w, "createTransaction=true is required (the notify channel is not simulated)")
		return
	}
	m, err := readJSON(r)
	if err != nil {
		invalid(w, err.Error())
		return
	}
	for _, k := range []string{"accessId", "merchantId", "requestSignature", "merchantReference", "returnUrl", "cancelUrl", "currency"} {
		if v, ok := str(m, k); !ok || v == "" {
			invalid(w, "Missing required parameter: "+k)
			return
		}
	}
	if id, _ := str(m, "accessId"); id != m0.accessID {
		writeError(w, http.StatusUnauthorized, codeAccessControl, domainAccessControl, "Access not authorized")
		return
	}
	if mid, _ := str(m, "merchantId"); mid != m0.merchantID {
		writeError(w, http.StatusUnauthorized, codeAccessControl, domainAccessControl, "Access not authorized for merchant")
		return
	}
	sig, _ := str(m, "requestSignature")
	if err := signing.VerifyRequestSignature(m0.key, m, sig); err != nil {
		writeError(w, http.StatusUnauthorized, codeAccessControl, domainAccessControl, "Invalid request signature")
		return
	}
	ptName := "Retrieval"
	if v, ok := m["paymentType"]; ok {
		name, isStr := v.(string)
		if !isStr {
			invalid(w, "paymentType must be a name")
			return
		}
		ptName = name
	}
	pt, ok := paymentTypes[ptName]
	if !ok {
		invalid(w, "Invalid paymentType")
		return
	}
	cur, _ := str(m, "currency")
	if cur != "USD" && cur != "CAD" {
		invalid(w, "Invalid currency")
		return
	}
	var cents int64
	moves := pt == 1 || pt == 2 || pt == 3 || pt == 4
	if v, present := m["amount"]; present {
		text, isStr := v.(string)
		c, ok := parseCents(text)
		if !isStr || !ok {
			invalid(w, "Invalid amount: a string of at most 10 characters with up to 2 decimals")
			return
		}
		cents = c
	} else if moves {
		invalid(w, "Missing required parameter: amount")
		return
	}
	// displayAmount is display text such as "10.50", never a JSON number (the establish
	// body of https://amer.developers.trustly.com/openapi.json).
	if v, present := m["displayAmount"]; present && v != nil {
		if _, isStr := v.(string); !isStr {
			invalid(w, "Invalid displayAmount: a string is required")
			return
		}
	}
	rec, recCents, problem := readRecurrence(m, pt)
	if problem != "" {
		invalid(w, problem)
		return
	}
	// A Verification checks the bank account in account or the authorization named by
	// transactionId; one of them is required (the establish data page,
	// https://amer.developers.trustly.com/integrate/core-concepts/the-establish-data-object).
	// [I] An account is given by its routing and account number.
	verifyTx, _ := str(m, "transactionId")
	if pt == 5 && verifyTx == "" {
		acct, _ := m["account"].(map[string]any)
		number, _ := str(acct, "accountNumber")
		routing, _ := str(acct, "routingNumber")
		if number == "" || routing == "" {
			invalid(w, "Missing required parameter: account (or transactionId)")
			return
		}
	}
	desc, _ := str(m, "description")
	cust, _ := m["customer"].(map[string]any)
	if moves {
		if desc == "" {
			invalid(w, "Missing required parameter: description")
			return
		}
		if cust == nil {
			invalid(w, "Missing required parameter: customer")
			return
		}
		// A customer is named by its customerId alone, or needs a name, an e-mail address, a
		// phone and an address country: the establish data page stars them, and the Customer
		// schema requires name, address, phone and email (project fact file trustly-rest.md
		// §5 and §6.4). [I] A missing one is answered like any missing parameter (HTTP 400,
		// error 200, §8), the first missing one named, in the order checked here.
		if _, byID := str(cust, "customerId"); !byID {
			addr, _ := cust["address"].(map[string]any)
			country, _ := str(addr, "country")
			name, _ := str(cust, "name")
			email, _ := str(cust, "email")
			phone, _ := str(cust, "phone")
			switch {
			case name == "":
				invalid(w, "Missing required parameter: customer.name")
				return
			case email == "":
				invalid(w, "Missing required parameter: customer.email")
				return
			case phone == "":
				invalid(w, "Missing required parameter: customer.phone")
				return
			case country == "":
				invalid(w, "Missing required parameter: customer.address.country")
				return
			}
		}
	}
	ref, _ := str(m, "merchantReference")
	ret, _ := str(m, "returnUrl")
	cancel, _ := str(m, "cancelUrl")
	notifyURL, _ := str(m, "notificationUrl")

	s.mu.Lock()
	defer s.mu.Unlock()
	// A customer named by its customerId must be one of the merchant's own (a customer
	// belongs to the merchant that created it); [I] another's is answered as an unknown
	// one, as GET /customers/{id} answers it.
	if cid, byID := str(cust, "customerId"); byID {
		if c := s.customers[cid]; c == nil || c.owner != m0 {
			invalid(w, "Could not find a customer using Id "+cid)
			return
		}
	}
	if pt == 5 && verifyTx != "" && s.txOfLocked(m0, verifyTx) == nil {
		invalid(w, "Could not find a transaction using Id "+verifyTx)
		return
	}
	if s.refTakenLocked(m0, ref) {
		writeError(w, http.StatusBadRequest, codeDuplicate, domainDuplicate, "This is a duplicate request. It has been ignored")
		return
	}
	p := &payment{
		m: m0, id: s.newIDLocked(), paymentType: pt, merchantRef: ref, currency: cur, amount: cents, description: desc,
		returnURL: ret, cancelURL: cancel, notificationURL: notifyURL, customer: cust, token: simkit.RandomHex(12),
		recurrence: rec, recurringCents: recCents,
	}
	t := &tx{id: s.newIDLocked(), typ: typeAuthorize, status: stNew, ppStatus: "SW010", merchantRef: ref, amount: cents, pay: p}
	if pt == 1 {
		t.typ = typePay
	}
	s.addTxLocked(t)
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	out["transactionId"] = t.id
	out["url"] = s.URL() + "/start/lightbox/" + t.id + "?token=" + p.token
	out["status"] = t.status
	out["createdAt"] = t.createdAt.UnixMilli()
	writeJSON(w, http.StatusOK, out)
}

// readRecurrence reads establish data's recurrence object
// (https://amer.developers.trustly.com/payments/reference/recurrence-object): dates,
// frequency and frequencyUnit are numbers, frequencyUnitType a name (Day, Week, Month,
// Year; [I] the official sample sends a number, which is accepted too), recurringAmount an
// amount string, automaticCapture a boolean. [I] It belongs to a Recurring payment only.
func readRecurrence(m map[string]any, paymentType int) (rec map[string]any, recurringCents int64, problem string) {
	v, present := m["recurrence"]
	if !present || v == nil {
		return nil, 0, ""
	}
	rec, ok := v.(map[string]any)
	if !ok {
		return nil, 0, "Invalid recurrence: an object is required"
	}
	if paymentType != 3 {
		return nil, 0, "Invalid recurrence: only a Recurring payment takes one"
	}
	for k, v := range rec {
		switch k {
		case "startDate", "endDate", "frequency", "frequencyUnit":
			n, isNum := v.(json.Number)
			if _, err := n.Int64(); !isNum || err != nil {
				return nil, 0, "Invalid recurrence." + k + ": a whole number is required"
			}
		case "frequencyUnitType":
			switch x := v.(type) {
			case string:
				if x != "Day" && x != "Week" && x != "Month" && x != "Year" {
					return nil, 0, "Invalid recurrence.frequencyUnitType"
				}
			case json.Number:
			default:
				return nil, 0, "Invalid recurrence.frequencyUnitType"
			}
		case "recurringAmount":
			text, isStr := v.(string)
			c, ok := parseCents(text)
			if !isStr || !ok {
				return nil, 0, "Invalid recurrence.recurringAmount: a string of at most 10 characters with up to 2 decimals"
			}
			recurringCents = c
		case "automaticCapture":
			if _, isBool := v.(bool); !isBool {
				return nil, 0, "Invalid recurrence.automaticCapture: a boolean is required"
			}
		case "debtSettlement":
		default:
			return nil, 0, "Invalid recurrence: unknown parameter " + k
		}
	}
	return rec, recurringCents, ""
}

func (s *Server) getTransaction(w http.ResponseWriter, m *merchant, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txOfLocked(m, id)
	if t == nil {
		invalid(w, "Could not find a transaction using Id "+id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"transaction": t.render(s.opts.WithholdSplitToken)})
}

// listing is what a list request's query says of its page, period and order:
// count (default 25, at most 100) and startIndex
// (https://amer.developers.trustly.com/payments/reference/intro), createdAt.start and
// createdAt.end (see millisParam), orderBy createdAt or updatedAt, and sortOrder (desc,
// the default, or asc).
type listing struct {
	count, start   int
	from, to       int64
	hasFrom, hasTo bool
	asc            bool
}

// readPage reads a listing's count and startIndex; a malformed value is answered with
// error 200 and ok false.
func readPage(w http.ResponseWriter, q url.Values) (l listing, ok bool) {
	l.count = 25
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			invalid(w, "Invalid count: 1 to 100")
			return l, false
		}
		l.count = n
	}
	if v := q.Get("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			invalid(w, "Invalid startIndex")
			return l, false
		}
		l.start = n
	}
	return l, true
}

// readListing reads a listing's page, period and order, as readPage does.
func readListing(w http.ResponseWriter, q url.Values) (l listing, ok bool) {
	if l, ok = readPage(w, q); !ok {
		return l, false
	}
	var ok1, ok2 bool
	l.from, l.hasFrom, ok1 = millisParam(q, "createdAt.start")
	l.to, l.hasTo, ok2 = millisParam(q, "createdAt.end")
	if !ok1 || !ok2 {
		invalid(w, "Invalid createdAt.start or createdAt.end: a Unix timestamp in milliseconds")
		return l, false
	}
	if ob := q.Get("orderBy"); ob != "" && ob != "createdAt" && ob != "updatedAt" {
		invalid(w, "Invalid orderBy: createdAt or updatedAt")
		return l, false
	}
	switch q.Get("sortOrder") {
	case "", "desc":
	case "asc":
		l.asc = true
	default:
		invalid(w, "Invalid sortOrder: asc or desc")
		return l, false
	}
	return l, true
}

// index returns where, in creation order, the n-th item of a listing of size items is:
// [I] objects are kept in creation order, and ordering by updatedAt is answered alike.
func (l listing) index(n, size int) int {
	if l.asc {
		return n
	}
	return size - 1 - n
}

// covers reports whether an object created at t falls in the listing's period (both
// ends included).
func (l listing) covers(t time.Time) bool {
	ms := t.UnixMilli()
	return (!l.hasFrom || ms >= l.from) && (!l.hasTo || ms <= l.to)
}

// write answers the listing's page of matched under key, with startIndex and
// itemsPerPage.
func (l listing) write(w http.ResponseWriter, key string, matched []map[string]any) {
	page := []map[string]any{}
	for i := l.start; i < len(matched) && i < l.start+l.count; i++ {
		page = append(page, matched[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{key: page, "startIndex": l.start, "itemsPerPage": l.count})
}

// listTransactions implements GET /transactions with the filters the adapter uses
// (originalTransactionId, transactionType, transactionStatus, payment.merchantReference),
// newest first (sortOrder desc is the default).
func (s *Server) listTransactions(w http.ResponseWriter, r *http.Request, m *merchant) {
	q := r.URL.Query()
	l, ok := readListing(w, q)
	if !ok {
		return
	}
	types, err := intSet(q["transactionType"])
	if err != nil {
		invalid(w, "Invalid transactionType")
		return
	}
	statuses, err := intSet(q["transactionStatus"])
	if err != nil {
		invalid(w, "Invalid transactionStatus")
		return
	}
	orig, pref := q.Get("originalTransactionId"), q.Get("payment.merchantReference")
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []map[string]any
	ids := s.txOrder
	switch {
	case orig != "":
		ids = s.index.children[orig]
	case pref != "":
		ids = s.index.byPayment[pref]
	}
	for n := range ids {
		t := s.txs[ids[l.index(n, len(ids))]]
		if t.pay.m != m || (len(types) > 0 && !types[t.typ]) || (len(statuses) > 0 && !statuses[t.status]) ||
			(orig != "" && t.original != orig) || (pref != "" && t.pay.merchantRef != pref) || !l.covers(t.createdAt) {
			continue
		}
		matched = append(matched, t.render(s.opts.WithholdSplitToken))
	}
	l.write(w, "transactions", matched)
}

// millisParam reads a date filter: epoch milliseconds ([I] Trustly says "Unix timestamp";
// its other times are milliseconds), both ends included.
func millisParam(q url.Values, key string) (v int64, present, ok bool) {
	text := q.Get(key)
	if text == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 {
		return 0, true, false
	}
	return n, true, true
}

func intSet(vals []string) (map[int]bool, error) {
	out := map[int]bool{}
	for _, v := range vals {
		for part := range strings.SplitSeq(v, ",") {
			n, err := strconv.Atoi(part)
			if err != nil {
				return nil, err
			}
			out[n] = true
		}
	}
	return out, nil
}

// transactionAction implements POST /transactions/{id}/{capture,refund,cancel,deposit}.
func (s *Server) transactionAction(w http.ResponseWriter, r *http.Request, m *merchant, id, action string) {
	p, err := readParams(r)
	if err != nil {
		invalid(w, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txOfLocked(m, id)
	if t == nil {
		invalid(w, "Could not find a transaction using Id "+id)
		return
	}
	var out *tx
	switch action {
	case "capture":
		out = s.captureLocked(w, t, p)
	case "deposit":
		out = s.depositLocked(w, t, p)
	case "refund":
		out = s.refundLocked(w, t, p)
	case "cancel":
		out = s.cancelLocked(w, t, p)
	default:
		writeError(w, http.StatusNotFound, codeInvalidParameter, domainInvalidParameter, "Endpoint not supported")
		return
	}
	if out != nil {
		writeJSON(w, http.StatusOK, map[string]any{"transaction": out.render(s.opts.WithholdSplitToken)})
	}
}

// amountParam reads an action's amount: given, at least 0.99 and at most limit (limit < 0:
// no limit); absent, the limit itself, which must be at least 0.99 too.
func amountParam(w http.ResponseWriter, p map[string]string, limit int64, what string) (int64, bool) {
	text, present := p["amount"]
	if !present {
		if limit < 0 {
			invalid(w, "Missing required parameter: amount")
			return 0, false
		}
		// An omitted amount is the most the action may move (project fact file
		// trustly-rest.md §4: capture "omitted ⇒ max", refund "omitted ⇒ remaining
		// balance"), and capture, deposit and refund amounts are at least 0.99 (§3, from
		// https://amer.developers.trustly.com/openapi.json). [I] What is left below the
		// minimum — nothing, once drawn in full — is refused as an amount below it would be,
		// rather than moving 0.00 or a few cents.
		if limit < 99 {
			invalid(w, "Invalid amount: the minimum is 0.99 and only "+formatCents(limit)+" is left")
			return 0, false
		}
		return limit, true
	}
	c, ok := parseCents(text)
	if !ok {
		invalid(w, "Invalid amount")
		return 0, false
	}
	if c < 99 {
		invalid(w, "Invalid amount: the minimum is 0.99")
		return 0, false
	}
	if limit >= 0 && c > limit {
		invalid(w, "Invalid amount: exceeds the "+what+" of "+formatCents(limit))
		return 0, false
	}
	return c, true
}

// childLocked creates a child transaction of parent in status 1 Pending and schedules its
// settlement.
func (s *Server) childLocked(parent *tx, typ int, ref string, amount int64) *tx {
	c := &tx{id: s.newIDLocked(), typ: typ, status: stPending, ppStatus: "AC100", original: parent.id,
		merchantRef: ref, amount: amount, pay: parent.pay}
	s.addTxLocked(c)
	s.scheduleSettle(c.id)
	return c
}

func (s *Server) captureLocked(w http.ResponseWriter, t *tx, p map[string]string) *tx {
	if t.typ != typeAuthorize || (t.pay.paymentType != 2 && t.pay.paymentType != 3) || t.status != stAuthorized {
		invalid(w, "Transaction cannot be captured")
		return nil
	}
	if p["splitToken"] == "" || !signing.ConstantTimeEqual([]byte(p["splitToken"]), []byte(t.splitToken)) {
		writeError(w, http.StatusBadRequest, codeInvalidSplitToken, domainSplitToken, "Invalid split token")
		return nil
	}
	// A merchant-initiated capture (interactionId consumerNotPresent) is a charge under a
	// Recurring authorization; [I] the simulator refuses it on any other, and refuses an
	// interactionId it does not know.
	switch p["interactionId"] {
	case "":
	case "consumerNotPresent":
		if t.pay.paymentType != 3 {
			invalid(w, "Invalid interactionId: consumerNotPresent captures need a Recurring authorization")
			return nil
		}
	default:
		invalid(w, "Invalid interactionId")
		return nil
	}
	if len(s.refuseCaptures) > 0 && p["interactionId"] == "" {
		code := s.refuseCaptures[0]
		s.refuseCaptures = s.refuseCaptures[1:]
		// [I] Trustly's documentation names the codes, not the exception class it reports
		// them with.
		writeError(w, http.StatusBadRequest, code, domainRefused, "Capture refused")
		return nil
	}
	// [I] A Recurring authorization's recurringAmount caps each capture under it.
	if rc := t.pay.recurringCents; rc > 0 {
		if c, ok := parseCents(p["amount"]); ok && c > rc {
			invalid(w, "Invalid amount: exceeds the recurringAmount of "+formatCents(rc))
			return nil
		}
	}
	return s.drawLocked(w, t, p, typeCapture)
}

// drawLocked creates a capture or deposit under the authorization t: it needs a unique
// merchantReference and an amount within what the authorization has left (any amount
// when the authorization set no maximum).
func (s *Server) drawLocked(w http.ResponseWriter, t *tx, p map[string]string, typ int) *tx {
	ref := p["merchantReference"]
	if ref == "" {
		invalid(w, "Missing required parameter: merchantReference")
		return nil
	}
	if s.refTakenLocked(t.pay.m, ref) {
		writeError(w, http.StatusBadRequest, codeDuplicate, domainDuplicate, "This is a duplicate request. It has been ignored")
		return nil
	}
	limit := int64(-1)
	if t.amount > 0 {
		limit = t.amount - t.used
	}
	amount, ok := amountParam(w, p, limit, "authorized amount left")
	if !ok {
		return nil
	}
	t.used += amount
	return s.childLocked(t, typ, ref, amount)
}

func (s *Server) depositLocked(w http.ResponseWriter, t *tx, p map[string]string) *tx {
	if t.typ != typeAuthorize || (t.pay.paymentType != 4 && t.pay.paymentType != 2) || t.status != stAuthorized {
		invalid(w, "Transaction cannot receive a deposit")
		return nil
	}
	if tok, given := p["splitToken"]; given && !signing.ConstantTimeEqual([]byte(tok), []byte(t.splitToken)) {
		writeError(w, http.StatusBadRequest, codeInvalidSplitToken, domainSplitToken, "Invalid split token")
		return nil
	}
	return s.drawLocked(w, t, p, typeDeposit)
}

func (s *Server) refundLocked(w http.ResponseWriter, t *tx, p map[string]string) *tx {
	if (t.typ != typeCapture && t.typ != typePay) || (t.status != stCompleted && t.status != stPartRefund) {
		invalid(w, "Only completed captures and payments can be refunded")
		return nil
	}
	amount, ok := amountParam(w, p, t.amount-t.used, "balance left to refund")
	if !ok {
		return nil
	}
	t.used += amount
	if t.used == t.amount {
		t.setStatus(stRefunded, "")
	} else {
		t.setStatus(stPartRefund, "")
	}
	// Refunds are not deduplicated by merchantReference
	// (https://amer.developers.trustly.com/payments/docs/idempotency).
	return s.childLocked(t, typeRefund, p["merchantReference"], amount)
}

func (s *Server) cancelLocked(w http.ResponseWriter, t *tx, p map[string]string) *tx {
	if msg := p["message"]; !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > 40 {
		invalid(w, "Invalid message: at most 40 characters")
		return nil
	}
	switch {
	case t.status == stNew || t.status == stPending:
	case t.typ == typeAuthorize && t.status == stAuthorized:
	default:
		invalid(w, "Transaction cannot be canceled")
		return nil
	}
	t.setStatus(stVoided, "AC104")
	if t.typ == typeCapture || t.typ == typeDeposit || t.typ == typeRefund {
		s.releaseLocked(t)
	}
	s.notifyLocked(t, "Cancel")
	return t
}

// verifyAccount implements POST /accounts/verify and, with tokenize set, POST
// /accounts/tokenize?verifyAccount=… (https://amer.developers.trustly.com/openapi.json:
// verify's merchantId is a number, tokenize's a string; tokenize verifies only with
// verifyAccount=true, default false), with the sandbox's manual-entry test data
// (https://amer.developers.trustly.com/payments/reference/testing): routing 124003116 with
// accounts 1000000000–1000000010, whose last digits are the score (verified from 6);
// 1002000000 → error 200, 1003750000 → 375, 1001000000 → 100; the IBANs
// GB33BUKB20201555555555 and DE75512108001245126199 verify. [I] Any other account with a
// valid ABA routing checksum scores 7; an invalid checksum is error 330. The answer carries
// the account number's last four digits only, and the account's token, the same for the
// same account every time (the token "can be used to identify duplicate bank accounts").
func (s *Server) verifyAccount(w http.ResponseWriter, r *http.Request, mc *merchant, tokenize bool) {
	verify := true
	if tokenize {
		switch r.URL.Query().Get("verifyAccount") {
		case "", "false":
			verify = false
		case "true":
		default:
			invalid(w, "Invalid verifyAccount: true or false")
			return
		}
	}
	m, err := readJSON(r)
	if err != nil {
		invalid(w, err.Error())
		return
	}
	if tokenize {
		if mid, ok := m["merchantId"].(string); !ok || mid != mc.merchantID {
			invalid(w, "Invalid merchantId")
			return
		}
	} else if mid, ok := m["merchantId"].(json.Number); !ok || mid.String() != mc.merchantID {
		invalid(w, "Invalid merchantId")
		return
	}
	acct, _ := m["account"].(map[string]any)
	if acct == nil {
		invalid(w, "Missing required parameter: account")
		return
	}
	iban, _ := str(acct, "iban")
	number, _ := str(acct, "accountNumber")
	routing, _ := str(acct, "routingNumber")
	name, _ := str(acct, "nameOnAccount")
	score, bank := 0, "Demo Bank"
	switch {
	case iban != "":
		if iban != "GB33BUKB20201555555555" && iban != "DE75512108001245126199" {
			writeError(w, http.StatusBadRequest, codeInvalidAccount, domainInvalidAccount, "Invalid account")
			return
		}
		score, bank = 8, "Demo IBAN Bank"
		number = iban
	case number == "" || routing == "":
		invalid(w, "Missing required parameter: account.accountNumber and account.routingNumber, or account.iban")
		return
	case number == "1002000000":
		invalid(w, "Invalid parameter")
		return
	case number == "1003750000":
		writeError(w, http.StatusUnauthorized, codeAccessControl, domainAccessControl, "Access not authorized")
		return
	case number == "1001000000":
		writeError(w, http.StatusInternalServerError, codeInternal, domainInternal, "Internal error")
		return
	case routing == "124003116" && len(number) == 10 && strings.HasPrefix(number, "10000000"):
		n, _ := strconv.Atoi(number[8:])
		score = min(n, 10)
	case !abaValid(routing):
		writeError(w, http.StatusBadRequest, codeInvalidAccount, domainInvalidAccount, "Invalid account")
		return
	default:
		score = 7
	}
	last4 := number
	if len(last4) > 4 {
		last4 = last4[len(last4)-4:]
	}
	out := map[string]any{
		"name": bank, "nameOnAccount": name, "type": 1, "profile": 1, "accountNumber": last4,
		"routingNumber": routing, "token": accountToken(routing, number), "country": "US",
		"paymentProvider": map[string]any{"name": bank, "type": 2},
	}
	if verify {
		out["verified"] = score >= 6
		out["verification"] = map[string]any{"verified": score >= 6, "type": 3, "score": score}
	} else {
		out["verified"] = false
		out["verification"] = map[string]any{"verified": false}
	}
	writeJSON(w, http.StatusOK, out)
}

// accountToken is the simulator's stable token of an account: the same routing and
// account number (or IBAN) always give the same token.
func accountToken(routing, number string) string {
	sum := sha256.Sum256([]byte("trustlyrestsim-account|" + routing + "|" + number))
	return "tok" + strings.ToUpper(hex.EncodeToString(sum[:8]))
}

// abaValid checks a US ABA routing number's checksum.
func abaValid(r string) bool {
	if len(r) != 9 {
		return false
	}
	w := [9]int{3, 7, 1, 3, 7, 1, 3, 7, 1}
	sum := 0
	for i := range 9 {
		if r[i] < '0' || r[i] > '9' {
			return false
		}
		sum += int(r[i]-'0') * w[i]
	}
	return sum%10 == 0
}

// upsertCustomer implements POST /customers (create, or update when externalId matches) and
// POST /customers/{id}. A property set to null is removed.
func (s *Server) upsertCustomer(w http.ResponseWriter, r *http.Request, mc *merchant, id string) {
	m, err := readJSON(r)
	if err != nil {
		invalid(w, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var c *customer
	if id != "" {
		if c = s.customers[id]; c == nil || c.owner != mc {
			invalid(w, "Could not find a customer using Id "+id)
			return
		}
	} else {
		ext := r.URL.Query().Get("externalId")
		if ext == "" {
			ext, _ = str(m, "externalId")
		}
		if ext != "" {
			for _, cid := range s.custOrder {
				if e, _ := str(s.customers[cid].fields, "externalId"); e == ext && s.customers[cid].owner == mc {
					c = s.customers[cid]
				}
			}
		}
		if c == nil {
			addr, _ := m["address"].(map[string]any)
			country, _ := str(addr, "country")
			for _, k := range []string{"name", "phone", "email"} {
				if v, _ := str(m, k); v == "" {
					invalid(w, "Missing required parameter: "+k)
					return
				}
			}
			if country == "" {
				invalid(w, "Missing required parameter: address.country")
				return
			}
			c = &customer{id: s.newIDLocked(), owner: mc, fields: map[string]any{}}
			c.createdAt = nowUTC()
			s.customers[c.id] = c
			s.custOrder = append(s.custOrder, c.id)
		}
	}
	for k, v := range m {
		if k == "customerId" || k == "merchantId" {
			continue
		}
		if k == "customData" {
			cd, _ := c.fields["customData"].(map[string]any)
			if cd == nil {
				cd = map[string]any{}
			}
			if in, ok := v.(map[string]any); ok {
				for ck, cv := range in {
					if cv == nil {
						delete(cd, ck)
					} else {
						cd[ck] = cv
					}
				}
			} else if v == nil {
				cd = map[string]any{}
			}
			c.fields["customData"] = cd
			continue
		}
		if v == nil {
			delete(c.fields, k)
		} else {
			c.fields[k] = v
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"customer": c.render(mc.merchantID)})
}

func (c *customer) render(merchantID string) map[string]any {
	out := map[string]any{}
	for k, v := range c.fields {
		if a, ok := v.(map[string]any); ok {
			cp := map[string]any{}
			for ak, av := range a {
				if av != nil {
					cp[ak] = av
				}
			}
			v = cp
		}
		out[k] = v
	}
	out["customerId"] = c.id
	out["merchantId"] = merchantID
	out["createdAt"] = c.createdAt.UnixMilli()
	return out
}

func (s *Server) getCustomer(w http.ResponseWriter, m *merchant, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers[id]
	if c == nil || c.owner != m {
		invalid(w, "Could not find a customer using Id "+id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"customer": c.render(m.merchantID)})
}

// listCustomers implements GET /customers with the externalId and customerId filters.
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request, m *merchant) {
	l, ok := readPage(w, r.URL.Query())
	if !ok {
		return
	}
	ext, cid := r.URL.Query().Get("externalId"), r.URL.Query().Get("customerId")
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []map[string]any
	for _, id := range s.custOrder {
		c := s.customers[id]
		if e, _ := str(c.fields, "externalId"); c.owner != m || (ext != "" && e != ext) || (cid != "" && id != cid) {
			continue
		}
		matched = append(matched, c.render(m.merchantID))
	}
	l.write(w, "customers", matched)
}
