package trustlyrestsim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Trustly error codes and the exception classes reported with them
// (https://amer.developers.trustly.com/payments/reference/errors).
const (
	codeInternal          = 100
	codeInvalidParameter  = 200
	codeDuplicate         = 210
	codeInvalidAccount    = 330
	codeAccessControl     = 375
	codeInvalidSplitToken = 380

	domainInternal         = "com.paywithmybank.merchantgateway.v1.exception.InternalException"
	domainInvalidParameter = "com.paywithmybank.merchantgateway.v1.exception.InvalidParameterException"
	domainDuplicate        = "com.paywithmybank.merchantgateway.v1.exception.DuplicateRequestException"
	domainAccessControl    = "com.paywithmybank.merchantgateway.v1.exception.AccessControlException"
	domainSplitToken       = "com.paywithmybank.merchantgateway.v1.exception.InvalidSplitTokenException"
	domainInvalidAccount   = "com.paywithmybank.merchantgateway.v1.exception.InvalidAccountException"
	domainRefused          = "com.paywithmybank.merchantgateway.v1.exception.PaymentProviderException" // [I]
)

// Transaction types (as numbered in https://amer.developers.trustly.com/openapi.json) and
// statuses (https://amer.developers.trustly.com/payments/docs/transaction-status).
const (
	typeAuthorize = 1
	typePay       = 2
	typeCapture   = 3
	typeRefund    = 4
	typeDeposit   = 6

	stNew        = 0
	stPending    = 1
	stAuthorized = 2
	stProcessed  = 3
	stCompleted  = 4
	stFailed     = 5
	stCanceled   = 7
	stDenied     = 8
	stReversed   = 10
	stPartRefund = 11
	stRefunded   = 12
	stVoided     = 13
)

// Payment type names (establish data) and codes (everywhere else), as in PaymentPaymentType
// of https://amer.developers.trustly.com/openapi.json.
var paymentTypes = map[string]int{
	"Instant": 1, "Deferred": 2, "Recurring": 3, "Disbursement": 4, "Verification": 5, "Retrieval": 6,
}

var statusNames = map[int]string{
	0: "New", 1: "Pending", 2: "Authorized", 3: "Processed", 4: "Completed", 5: "Failed", 6: "Expired",
	7: "Canceled", 8: "Denied", 10: "Reversed", 11: "PartiallyRefunded", 12: "Refunded", 13: "Voided", 14: "OnHold",
}

// payment is the Payment object shared by an authorization and its children.
type payment struct {
	m               *merchant // whose payment it is
	id              string
	paymentType     int
	merchantRef     string
	currency        string
	amount          int64 // cents; 0 = no upper bound
	description     string
	returnURL       string
	cancelURL       string
	notificationURL string
	customer        map[string]any
	token           string // hosted page token
	accountLast4    string
	bankName        string
	// recurrence is a Recurring payment's recurrence object as established, and
	// recurringCents its recurringAmount (0: none), which caps each capture [I].
	recurrence     map[string]any
	recurringCents int64
	// txs are the payment's transactions, the authorization first, in creation order.
	txs       []*tx
	createdAt time.Time
}

// tx is a transaction.
type tx struct {
	id          string
	typ         int
	status      int
	ppStatus    string // paymentProviderTransaction.status (SW/AC/UC code)
	original    string
	merchantRef string
	amount      int64 // cents
	used        int64 // captured or deposited under an authorization; refunded from a capture
	splitToken  string
	reached     bool // has been Authorized, Processed or Completed: merchantReference is taken
	pay         *payment
	createdAt   time.Time
	updatedAt   time.Time
}

// customer is a stored customer: Trustly's Customer object as JSON values.
type customer struct {
	owner     *merchant
	id        string
	fields    map[string]any
	createdAt time.Time
}

var amountRE = regexp.MustCompile(`^[0-9]{1,7}(\.[0-9]{1,2})?$`)

// parseCents reads a Trustly amount string: at most 10 characters, at most 2 decimals.
func parseCents(s string) (int64, bool) {
	if len(s) > 10 || !amountRE.MatchString(s) {
		return 0, false
	}
	whole, frac := s, ""
	for i := range len(s) {
		if s[i] == '.' {
			whole, frac = s[:i], s[i+1:]
			break
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return w*100 + f, true
}

func formatCents(c int64) string {
	return strconv.FormatInt(c/100, 10) + "." + strconv.FormatInt(c%100/10, 10) + strconv.FormatInt(c%10, 10)
}

// newIDLocked returns a fresh numeric id.
func (s *Server) newIDLocked() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

// addTxLocked stores a new transaction.
func (s *Server) addTxLocked(t *tx) {
	now := time.Now().UTC()
	t.createdAt, t.updatedAt = now, now
	s.txs[t.id] = t
	s.txOrder = append(s.txOrder, t.id)
	s.index.add(t)
	if len(t.pay.txs) == 0 {
		t.pay.createdAt = now
		s.payments = append(s.payments, t.pay)
	}
	t.pay.txs = append(t.pay.txs, t)
}

// setStatusLocked changes a transaction's status.
func (t *tx) setStatus(st int, pp string) {
	t.status, t.updatedAt = st, time.Now().UTC()
	if pp != "" {
		t.ppStatus = pp
	}
	if st == stAuthorized || st == stProcessed || st == stCompleted {
		t.reached = true
	}
}

// releaseLocked gives back to its parent what child, a capture, deposit or refund that
// failed or was canceled, had drawn. A refund that moved no money leaves its capture or
// payment refundable again, and its status says what is refunded: Completed when nothing
// is, PartiallyRefunded when some is (project fact file trustly-rest.md §16, status
// normalisation: 11 partially refunded, 12 refunded; refunds are allowed "up to the
// collected amount", §4). [I] Trustly does not say how a failed or voided refund shows on
// its capture; a status still Refunded after nothing was refunded would refuse a refund
// the merchant is owed.
func (s *Server) releaseLocked(child *tx) {
	parent := s.txs[child.original]
	if parent == nil {
		return
	}
	parent.used -= child.amount
	if child.typ != typeRefund || (parent.status != stRefunded && parent.status != stPartRefund) {
		return
	}
	if parent.used == 0 {
		parent.setStatus(stCompleted, "")
	} else {
		parent.setStatus(stPartRefund, "")
	}
}

// refTakenLocked reports whether a transaction of merchant m of a deduplicated type
// (Authorize, Pay, Capture, Deposit) with this merchantReference has been authorized,
// processed or completed: a merchantReference is unique per merchant
// (https://amer.developers.trustly.com/payments/docs/idempotency). Refunds are exempt.
func (s *Server) refTakenLocked(m *merchant, ref string) bool {
	for _, t := range s.index.byRef[ref] {
		if t.pay.m == m && t.reached && t.typ != typeRefund {
			return true
		}
	}
	return false
}

// render returns the transaction as Trustly's JSON: numeric enums as JSON numbers, amounts
// as strings, ids as strings, timestamps as epoch milliseconds.
func (t *tx) render(withholdToken bool) map[string]any {
	p := t.pay
	m := map[string]any{
		"transactionId":     t.id,
		"transactionType":   t.typ,
		"merchantReference": t.merchantRef,
		"currency":          p.currency,
		"amount":            formatCents(t.amount),
		"status":            t.status,
		"statusMessage":     statusNames[t.status],
		"createdAt":         t.createdAt.UnixMilli(),
		"updatedAt":         t.updatedAt.UnixMilli(),
		"paymentProviderTransaction": map[string]any{
			"status": t.ppStatus, "statusMessage": t.ppStatus,
		},
	}
	if t.original != "" {
		m["originalTransactionId"] = t.original
	}
	switch t.typ {
	case typeCapture, typePay:
		m["paid"] = formatCents(t.amount)
		m["refunded"] = formatCents(t.used)
		m["balance"] = formatCents(t.amount - t.used)
	}
	// [I] The official sample's transaction model carries splitToken; the simulator returns it
	// on an authorized authorization, as the Authorize notification does.
	// Options.WithholdSplitToken leaves it out.
	if t.typ == typeAuthorize && t.splitToken != "" && t.status == stAuthorized && !withholdToken {
		m["splitToken"] = t.splitToken
	}
	pm := p.summary()
	m["payment"] = pm
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with Trustly's error body.
func writeError(w http.ResponseWriter, status, code int, domain, message string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"domain": domain, "code": code, "message": message, "occurredAt": time.Now().UnixMilli(),
	}}})
}

func invalid(w http.ResponseWriter, message string) {
	writeError(w, http.StatusBadRequest, codeInvalidParameter, domainInvalidParameter, message)
}
