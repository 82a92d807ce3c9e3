package trustlysim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// Order states.
const (
	stateCreated  = "created"  // URL issued, end user not done
	statePending  = "pending"  // end user done, bank not yet confirmed
	stateCredited = "credited" // money confirmed
	stateCanceled = "canceled"
	stateAccepted = "accepted" // payout or charge accepted
	stateExecuted = "executed"
	// stateIdentifying: a deposit made with RequestKYC whose end user has logged in to the
	// bank; the kyc notification is out and the deposit waits for the merchant's answer.
	stateIdentifying = "identifying"
)

// order is a Trustly order.
type order struct {
	id, kind   string // kind: Deposit, SelectAccount, AccountPayout, Charge, Withdraw
	m          *merchant
	token      string
	messageID  string
	endUserID  string
	notifyURL  string
	successURL string
	failURL    string
	amount     money.Amount
	refunded   money.Amount
	state      string
	accountID  string
	payDate    string
	bank       string // the bank the end user chose, for a SelectAccount
	// extraRef is a Deposit's or Charge's Attributes.ExternalReference, shown in the
	// settlement report's extraref column.
	extraRef string
	mandate  bool
	created  time.Time

	// statement (Attributes.ShopperStatement) and payer (Firstname and Lastname) are
	// shown on the hosted page.
	statement, payer string

	// kyc: the Deposit asked for a kyc notification (Attributes.RequestKYC "1"); person
	// holds what the simulated bank reports about the end user.
	kyc    bool
	person person
	// kycAction is what the end user chose at the bank while the deposit waits for the
	// merchant's kyc answer; kycWait is closed once the answer has been applied.
	kycAction string
	kycWait   chan struct{}

	// refunds of a deposit, in the order they were accepted.
	refunds []*refundEntry

	outbox  []*notice
	sending bool
}

// refundEntry is one accepted Refund of a deposit.
type refundEntry struct {
	amount    money.Amount
	state     string // stateAccepted (queued), stateExecuted or stateCanceled
	reference string // Attributes.ExternalReference
}

// account is a registered bank account.
// account is a bank account as one merchant knows it: its id, end users and direct-debit
// mandate are that merchant's alone (the id is derived from the merchant's username).
type account struct {
	m                               *merchant
	id, clearingHouse, bank, number string
	endUsers                        map[string]bool
	mandate                         bool
}

func (a *account) descriptor() string {
	n := a.number
	if len(n) > 4 {
		n = n[len(n)-4:]
	}
	return "***" + n
}

type handler func(s *Server, m *merchant, c *call) (any, *rpcFault)

var methods map[string]handler

func init() {
	methods = map[string]handler{
		"Deposit":                           (*Server).deposit,
		"Refund":                            (*Server).refund,
		"SelectAccount":                     (*Server).selectAccount,
		"RegisterAccount":                   (*Server).registerAccount,
		"AccountPayout":                     (*Server).accountPayout,
		"Balance":                           (*Server).balance,
		"AccountLedger":                     (*Server).accountLedger,
		"ViewAutomaticSettlementDetailsCSV": (*Server).settlementCSV,
		"GetWithdrawals":                    (*Server).getWithdrawals,
		"Charge":                            (*Server).charge,
		"CancelCharge":                      (*Server).cancelCharge,
		"ApproveWithdrawal":                 (*Server).decideWithdrawal,
		"DenyWithdrawal":                    (*Server).decideWithdrawal,
		"Withdraw":                          (*Server).withdraw,
	}
}

func (s *Server) newOrderLocked(m *merchant, kind string, c *call) *order {
	s.nextOrder++
	o := &order{id: strconv.FormatInt(s.nextOrder, 10), kind: kind, m: m, messageID: c.str("MessageID"),
		endUserID: c.str("EndUserID"), notifyURL: c.str("NotificationURL"), state: stateCreated, created: time.Now()}
	s.orders[o.id] = o
	if o.messageID != "" {
		m.messageIDs[o.messageID] = o.id
	}
	return o
}

func (s *Server) checkMessageID(m *merchant, c *call) *rpcFault {
	if _, used := m.messageIDs[c.str("MessageID")]; used {
		return fault(wire.CodeDuplicateMessageID)
	}
	return nil
}

func (s *Server) deposit(m *merchant, c *call) (any, *rpcFault) {
	if f := s.checkOrderRequest(c); f != nil {
		return nil, f
	}
	a := c.attrs()
	cur := attr(a, "Currency")
	if f := checkCurrency(cur); f != nil {
		return nil, f
	}
	if f := checkDepositMethod(attr(a, "Method"), cur); f != nil {
		return nil, f
	}
	value := "100.00" // [I] without a fixed Amount the end user chooses; the simulator pays 100.00
	if v, ok := a["Amount"]; ok && v != nil {
		text, isText := v.(string)
		if !isText {
			// Amount is a string (Trustly's Java client, DepositRequestDataAttributes.java).
			return nil, fault(wire.CodeInvalidParameters)
		}
		value = text
		if f := checkAmount(value); f != nil {
			return nil, f
		}
	}
	amt, err := money.New(value, cur)
	if err != nil {
		return nil, fault(wire.CodeInvalidAmount)
	}
	if f := s.checkMessageID(m, c); f != nil {
		return nil, f
	}
	o := s.newOrderLocked(m, "Deposit", c)
	o.amount, o.refunded = amt, money.FromMinorCurrency(0, amt.Currency())
	o.successURL, o.failURL = attr(a, "SuccessURL"), attr(a, "FailURL")
	o.statement, o.payer = attr(a, "ShopperStatement"), payerName(a)
	o.extraRef = attr(a, "ExternalReference")
	o.kyc = attr(a, "RequestKYC") == "1"
	o.person = bankPerson(m, o.endUserID, a)
	o.token = randomDigits(24)
	s.tokens[o.token] = o
	return map[string]any{"orderid": o.id, "url": s.URL() + "/checkout/" + o.token}, nil
}

// payerName is the end user's name as Attributes give it.
func payerName(a map[string]any) string {
	return strings.TrimSpace(attr(a, "Firstname") + " " + attr(a, "Lastname"))
}

func (s *Server) selectAccount(m *merchant, c *call) (any, *rpcFault) {
	if f := s.checkOrderRequest(c); f != nil {
		return nil, f
	}
	if f := s.checkMessageID(m, c); f != nil {
		return nil, f
	}
	a := c.attrs()
	o := s.newOrderLocked(m, "SelectAccount", c)
	o.successURL, o.failURL = attr(a, "SuccessURL"), attr(a, "FailURL")
	o.mandate = attr(a, "RequestDirectDebitMandate") == "1"
	o.payer = payerName(a)
	o.person = bankPerson(m, o.endUserID, a)
	o.token = randomDigits(24)
	s.tokens[o.token] = o
	return map[string]any{"orderid": o.id, "url": s.URL() + "/checkout/" + o.token}, nil
}

func (s *Server) refund(m *merchant, c *call) (any, *rpcFault) {
	id := c.str("OrderID")
	if id == "" {
		return nil, fault(wire.CodeInvalidParameters)
	}
	if !c.hasAttributes() {
		return nil, fault(wire.CodeInvalidParameters)
	}
	value, f := c.amount()
	if f != nil {
		return nil, f
	}
	cur := c.str("Currency")
	if f := checkCurrency(cur); f != nil {
		return nil, f
	}
	o := s.orders[id]
	// A deposit the end user completed is refundable; while it is pending (not settled)
	// the refund is accepted and queued until it settles (D-ref). A charge is refundable
	// once collected (Refund is the "full/partial refund of a Deposit or Charge", project
	// fact file trustly-jsonrpc.md §4.2).
	refundable := o != nil && ((o.kind == "Deposit" && (o.state == stateCredited || o.state == statePending)) ||
		(o.kind == "Charge" && o.state == stateCredited))
	if !refundable || o.m != m {
		return nil, fault(wire.CodeUnknown) // [I] unknown or not refundable order
	}
	if cur != o.amount.Currency().String() {
		return nil, fault(wire.CodeInvalidCurrencyCode)
	}
	amt, _ := money.New(value, cur)
	after, err := o.refunded.Add(amt)
	if err != nil {
		return nil, fault(wire.CodeInvalidAmount)
	}
	if cmp, _ := after.Cmp(o.amount); cmp > 0 {
		return nil, fault(wire.CodeInvalidAmount) // [I] above what remains of the deposit
	}
	o.refunded = after
	r := &refundEntry{amount: amt, state: stateAccepted, reference: attr(c.attrs(), "ExternalReference")}
	o.refunds = append(o.refunds, r)
	m.post(o.id, o.messageID, "Refund", amt, -1)
	if o.kind == "Charge" {
		s.notifyLocked(o, "pending", ddRefundData(r.amount))
	}
	if o.state == stateCredited {
		s.scheduleRefundLocked(o, r)
	}
	return map[string]any{"orderid": o.id, "result": "1"}, nil
}

// scheduleRefundLocked has an accepted refund of a credited deposit executed after
// Options.RefundDelay, unless Options.HoldRefunds leaves it to ConfirmRefund and
// FailRefund, or one of them decides it first.
func (s *Server) scheduleRefundLocked(o *order, r *refundEntry) {
	if s.opts.HoldRefunds {
		return
	}
	s.kit.Go(func() {
		t := time.NewTimer(s.opts.RefundDelay)
		defer t.Stop()
		select {
		case <-s.kit.Context().Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.state == stateAccepted && o.state == stateCredited {
			s.executeRefundLocked(o, r)
		}
	})
}

// executeRefundLocked pays a queued refund out to the end user and, unless
// Options.NoPayoutConfirmation, reports it with a payoutconfirmation on the deposit's
// order carrying the refunded amount.
func (s *Server) executeRefundLocked(o *order, r *refundEntry) {
	r.state = stateExecuted
	if o.kind == "Charge" {
		s.notifyLocked(o, "debit", ddRefundData(r.amount))
		return
	}
	if !s.opts.NoPayoutConfirmation {
		s.notifyLocked(o, "payoutconfirmation", map[string]any{"amount": r.amount.Fixed(), "currency": r.amount.Currency().String()})
	}
}

// ddRefundData is the data of a notification about a refund of a direct-debit Charge:
// Trustly reports those with pending, then debit (paid out) or cancel (failed), on the
// charge's order and carrying "refund":"1"
// (https://docs.trustly.com/api/mdd-notifications-for-refunds; project fact file
// trustly-jsonrpc.md §4.2 and §6.2), rather than with the payoutconfirmation and credit of
// a refund of a Deposit. [I] pending when the refund is accepted, debit when it is paid.
func ddRefundData(amt money.Amount) map[string]any {
	return map[string]any{"amount": amt.Fixed(), "currency": amt.Currency().String(), "attributes": map[string]any{},
		"refund": "1"}
}

// post books an amount on the merchant's balance and ledger; sign is +1 or -1.
func (m *merchant) post(orderID, messageID, kind string, amt money.Amount, sign int64) {
	cur := amt.Currency().String()
	m.balance[cur] += sign * amt.Minor()
	entry := money.FromMinorCurrency(sign*amt.Minor(), amt.Currency())
	m.ledger = append(m.ledger, ledgerEntry{at: time.Now().UTC(), orderID: orderID, messageID: messageID, kind: kind, currency: cur, amount: entry})
}

func (e *ledgerEntry) accountName() string {
	if e.account == "" {
		return "SUSPENSE_ACCOUNT_CLIENT_FUNDS"
	}
	return e.account
}

// clearingHouses the simulator knows, with whether they take IBANs.
var clearingHouses = map[string]string{
	"SWEDEN": "SE", "UNITED_KINGDOM": "GB", "GERMANY": "DE", "FINLAND": "FI", "NETHERLANDS": "NL",
	"AUSTRIA": "AT", "BELGIUM": "BE", "DENMARK": "DK", "ESTONIA": "EE", "FRANCE": "FR", "SPAIN": "ES",
	"NORWAY": "NO", "POLAND": "PL", "IRELAND": "IE", "ITALY": "IT", "LATVIA": "LV", "LITHUANIA": "LT",
	"CZECH_REPUBLIC": "CZ", "SLOVAKIA": "SK", "PORTUGAL": "PT",
}

func (s *Server) registerAccount(m *merchant, c *call) (any, *rpcFault) {
	if c.str("EndUserID") == "" {
		return nil, fault(wire.CodeEndUserIDIsNull)
	}
	house, bank, number := c.str("ClearingHouse"), c.str("BankNumber"), strings.ToUpper(c.str("AccountNumber"))
	if _, present := c.req.Data["BankNumber"]; !present {
		return nil, fault(wire.CodeInvalidParameters)
	}
	if c.str("Firstname") == "" || c.str("Lastname") == "" {
		return nil, fault(wire.CodeInvalidParameters)
	}
	country, ok := clearingHouses[house]
	if !ok || number == "" {
		return nil, fault(wire.CodeInvalidParameters)
	}
	if bank == "" {
		if !validIBAN(number) || number[:2] != country {
			return nil, fault(wire.CodeInvalidParameters) // [I] the format check fails
		}
	} else if !allDigits(bank) || !allDigits(number) || len(number) < 6 {
		return nil, fault(wire.CodeInvalidParameters)
	}
	acct := s.accountLocked(m, house, bank, number)
	acct.endUsers[c.str("EndUserID")] = true
	return map[string]any{"accountid": acct.id, "clearinghouse": house, "bank": "Simulated Bank", "descriptor": acct.descriptor()}, nil
}

// accountLocked returns the account for these details, the same id every time.
func (s *Server) accountLocked(m *merchant, house, bank, number string) *account {
	sum := sha256.Sum256([]byte(m.username + "\x00" + house + "\x00" + bank + "\x00" + number))
	id := strconv.FormatUint(1_000_000_000+binary.BigEndian.Uint64(sum[:8])%8_000_000_000, 10)
	a := s.accounts[id]
	if a == nil {
		a = &account{m: m, id: id, clearingHouse: house, bank: bank, number: number, endUsers: map[string]bool{}}
		s.accounts[id] = a
	}
	return a
}

// merchantAccountLocked returns the account with this id that m registered or had an end
// user select, or nil: another merchant's account is unknown to m, as at Trustly.
func (s *Server) merchantAccountLocked(m *merchant, id string) *account {
	if a := s.accounts[id]; a != nil && a.m == m {
		return a
	}
	return nil
}

// orderFields checks the fields every money-moving order carries — NotificationURL,
// EndUserID, MessageID, Amount and Currency — in the order Trustly reports them, and
// returns the amount text and currency.
func (s *Server) orderFields(c *call) (value, cur string, f *rpcFault) {
	if f := s.checkNotificationURL(c.str("NotificationURL")); f != nil {
		return "", "", f
	}
	if c.str("EndUserID") == "" {
		return "", "", fault(wire.CodeEndUserIDIsNull)
	}
	if c.str("MessageID") == "" {
		return "", "", fault(wire.CodeMessageIDIsNull)
	}
	value, f = c.amount()
	if f != nil {
		return "", "", f
	}
	cur = c.str("Currency")
	if f := checkCurrency(cur); f != nil {
		return "", "", f
	}
	return value, cur, nil
}

func (s *Server) accountPayout(m *merchant, c *call) (any, *rpcFault) {
	value, cur, f := s.orderFields(c)
	if f != nil {
		return nil, f
	}
	// [I] ShopperStatement is required: Trustly's Java client validates it as such
	// (AccountPayoutRequestDataAttributes.java in
	// https://github.com/trustly/trustly-client-java).
	if !c.hasAttributes() || attr(c.attrs(), "ShopperStatement") == "" {
		return nil, fault(wire.CodeInvalidParameters)
	}
	acct := s.merchantAccountLocked(m, c.str("AccountID"))
	if acct == nil || !acct.endUsers[c.str("EndUserID")] {
		return nil, fault(wire.CodeUnknown) // [I] unknown account, or not this end user's
	}
	if f := s.checkMessageID(m, c); f != nil {
		return nil, f
	}
	o := s.newOrderLocked(m, "AccountPayout", c)
	o.amount, _ = money.New(value, cur)
	o.accountID, o.state = acct.id, stateAccepted
	m.post(o.id, o.messageID, "AccountPayout", o.amount, -1)
	if !s.opts.NoPayoutConfirmation {
		o.state = stateExecuted
		s.notifyLocked(o, "payoutconfirmation", map[string]any{"amount": o.amount.Fixed(), "currency": cur})
	}
	return map[string]any{"orderid": o.id, "result": "1"}, nil
}

func (s *Server) balance(m *merchant, _ *call) (any, *rpcFault) {
	curs := make([]string, 0, len(m.balance))
	for c := range m.balance {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	out := []any{}
	for _, c := range curs {
		cur, _ := money.ParseCurrency(c)
		out = append(out, map[string]any{"currency": c, "balance": money.FromMinorCurrency(m.balance[c], cur).Fixed()})
	}
	return out, nil
}

func parseDate(v string) (time.Time, bool) {
	if !dateRE.MatchString(v) {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", v)
	return t, err == nil
}

// reportCurrency reads the Currency member of AccountLedger and
// ViewAutomaticSettlementDetailsCSV: it must be present, null selecting every currency
// (https://eu.developers.trustly.com/doc/reference/accountledger; project fact file
// trustly-jsonrpc.md §4.12, §4.13, and §1: "parameters that are not required can be set to
// null but must be present"), otherwise an ISO 4217 code (§5: 622
// ERROR_INVALID_CURRENCY_CODE). [I] A missing member or one that is not text is a
// parameter of the wrong format, 623.
func reportCurrency(c *call) (string, *rpcFault) {
	v, present := c.req.Data["Currency"]
	if !present {
		return "", fault(wire.CodeInvalidParameters)
	}
	if v == nil {
		return "", nil
	}
	cur, isText := v.(string)
	if !isText {
		return "", fault(wire.CodeInvalidParameters)
	}
	if f := checkCurrency(cur); f != nil {
		return "", f
	}
	return cur, nil
}

func (s *Server) accountLedger(m *merchant, c *call) (any, *rpcFault) {
	from, ok1 := parseDate(c.str("FromDate"))
	to, ok2 := parseDate(c.str("ToDate"))
	if !ok1 || !ok2 {
		return nil, fault(wire.CodeInvalidParameters)
	}
	cur, f := reportCurrency(c)
	if f != nil {
		return nil, f
	}
	out := []any{}
	for _, e := range m.ledger {
		if e.at.Before(from) || !e.at.Before(to) || (cur != "" && e.currency != cur) {
			continue
		}
		out = append(out, map[string]any{"userid": "1", "datestamp": timestamp(e.at), "orderid": e.orderID,
			"accountname": e.accountName(), "messageid": e.messageID, "transactiontype": e.kind,
			"currency": e.currency, "amount": e.amount.Decimal().StringFixed(20), "gluepayid": e.orderID})
	}
	return out, nil
}

func (s *Server) settlementCSV(m *merchant, c *call) (any, *rpcFault) {
	day, ok := parseDate(c.str("SettlementDate"))
	if !ok || attr(c.attrs(), "APIVersion") != "1.2" {
		return nil, fault(wire.CodeInvalidParameters)
	}
	cur, f := reportCurrency(c)
	if f != nil {
		return nil, f
	}
	var b strings.Builder
	b.WriteString("datestamp,accountname,currency,amount,total,orderid,ordertype,messageid,username,fxpaymentamount,fxpaymentcurrency,settlementbankwithdrawalid,extraref\n")
	totals := map[string]money.Amount{}
	for _, e := range m.ledger {
		if e.at.Truncate(24*time.Hour) != day || (cur != "" && e.currency != cur) {
			continue
		}
		t, ok := totals[e.currency]
		if !ok {
			t = money.FromMinorCurrency(0, e.amount.Currency())
		}
		t, _ = t.Add(e.amount)
		totals[e.currency] = t
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,,,,%s\n", timestamp(e.at), e.accountName(), e.currency,
			e.amount.Fixed(), t.Fixed(), e.orderID, e.kind, e.messageID, m.username, e.extraRef)
	}
	return map[string]any{"view_automatic_settlement_details": b.String()}, nil
}

func (s *Server) getWithdrawals(m *merchant, c *call) (any, *rpcFault) {
	o := s.orders[c.str("OrderID")]
	if o == nil || o.m != m || (o.kind != "AccountPayout" && o.kind != "Withdraw") {
		return nil, fault(wire.CodeUnknown)
	}
	if o.kind == "Withdraw" {
		return withdrawalRows(o), nil
	}
	state := "QUEUED"
	if o.state == stateExecuted {
		state = "EXECUTED"
	}
	return []any{withdrawalRow(o, state)}, nil
}

// chargeStatementRE is what a Charge's ShopperStatement may hold.
var chargeStatementRE = regexp.MustCompile(`^[A-Za-z0-9._\- ]+$`)

func (s *Server) charge(m *merchant, c *call) (any, *rpcFault) {
	value, cur, f := s.orderFields(c)
	if f != nil {
		return nil, f
	}
	a := c.attrs()
	if attr(a, "ShopperStatement") == "" {
		return nil, fault(wire.CodeInvalidParameters)
	}
	// A Charge's ShopperStatement takes A–Z, a–z, 0–9, '.', '-', '_' and space
	// (https://docs.trustly.com/api/charge; project fact file trustly-jsonrpc.md §4.9).
	// [I] Another character is an attribute with a wrong value, 717.
	if !chargeStatementRE.MatchString(attr(a, "ShopperStatement")) {
		return nil, fault(wire.CodeInvalidOrderAttribute)
	}
	if !emailRE.MatchString(attr(a, "Email")) {
		return nil, fault(wire.CodeInvalidEmail)
	}
	if pd := attr(a, "PaymentDate"); pd != "" {
		if _, ok := parseDate(pd); !ok {
			return nil, fault(wire.CodeInvalidParameters)
		}
	}
	if f := s.checkMessageID(m, c); f != nil {
		return nil, f
	}
	if s.opts.NoDirectDebit {
		return map[string]any{"result": "0", "orderid": nil, "rejected": "ERROR_DIRECT_DEBIT_NOT_ALLOWED"}, nil
	}
	// The mandate belongs to the merchant whose SelectAccount obtained it: another
	// merchant's AccountID is an account this one does not know.
	acct := s.merchantAccountLocked(m, c.str("AccountID"))
	switch {
	case acct == nil || !acct.endUsers[c.str("EndUserID")]:
		return map[string]any{"result": "0", "orderid": nil, "rejected": "ERROR_ACCOUNT_NOT_FOUND"}, nil
	case !acct.mandate:
		return map[string]any{"result": "0", "orderid": nil, "rejected": "ERROR_MANDATE_NOT_FOUND"}, nil
	}
	o := s.newOrderLocked(m, "Charge", c)
	o.amount, _ = money.New(value, cur)
	o.refunded = money.FromMinorCurrency(0, o.amount.Currency())
	o.accountID, o.payDate, o.extraRef = acct.id, attr(a, "PaymentDate"), attr(a, "ExternalReference")
	// Pending as soon as Trustly accepts it for processing; credited once collected
	// (https://docs.trustly.com/api/charge). A charge for a later date stays accepted, and
	// cancellable, until Settle.
	o.state = statePending
	if o.payDate > time.Now().UTC().Format("2006-01-02") {
		o.state = stateAccepted
	}
	s.notifyLocked(o, "pending", depositData(o))
	if o.state == statePending && !s.opts.HoldCharges {
		s.creditLocked(o)
	}
	return map[string]any{"result": "1", "orderid": o.id, "rejected": nil}, nil
}

// FailCharge makes a Charge that is not yet credited fail at the bank (Trustly retries
// it as configured, then gives up): a cancel notification on its order.
func (s *Server) FailCharge(orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	if o == nil || o.kind != "Charge" || (o.state != statePending && o.state != stateAccepted) {
		return fmt.Errorf("trustlysim: order %s is not a charge waiting to be collected", orderID)
	}
	o.state = stateCanceled
	s.notifyLocked(o, "cancel", map[string]any{})
	return nil
}

func (s *Server) cancelCharge(m *merchant, c *call) (any, *rpcFault) {
	o := s.orders[c.str("OrderID")]
	if o == nil || o.m != m || o.kind != "Charge" {
		return nil, fault(wire.CodeUnknown)
	}
	if o.state != stateAccepted {
		return map[string]any{"result": "0", "rejected": "Payment already executed"}, nil
	}
	o.state = stateCanceled
	s.notifyLocked(o, "cancel", map[string]any{})
	return map[string]any{"result": "1", "rejected": nil}, nil
}

func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000000") + "+00"
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// validIBAN checks an IBAN's structure and ISO 13616 mod-97 check digits.
func validIBAN(iban string) bool {
	if len(iban) < 15 || len(iban) > 34 {
		return false
	}
	rearranged := iban[4:] + iban[:4]
	var digits strings.Builder
	for _, r := range rearranged {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			digits.WriteString(strconv.Itoa(int(r-'A') + 10))
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// methodIDEAL is the one Deposit Method Trustly documents: an iDEAL payment in the
// Netherlands, whose notifications and refunds are those of every deposit
// (https://docs.trustly.com/api/ideal).
const methodIDEAL = "deposit.bank.netherlands.ideal"

// checkDepositMethod refuses a Deposit Method other than iDEAL's with 717
// ERROR_INVALID_ORDER_ATTRIBUTE, and an iDEAL deposit in a currency other than the euro,
// the only currency iDEAL pays in, with 622 ERROR_INVALID_CURRENCY_CODE. [I] Trustly
// documents no code for either refusal; these are its codes for an attribute with a
// wrong value and for an unusable currency.
func checkDepositMethod(method, currency string) *rpcFault {
	switch method {
	case "":
		return nil
	case methodIDEAL:
		if currency != "EUR" {
			return fault(wire.CodeInvalidCurrencyCode)
		}
		return nil
	}
	return fault(wire.CodeInvalidOrderAttribute)
}
