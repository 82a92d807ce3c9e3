package trustlysim

import (
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// The Withdraw flow (https://eu.developers.trustly.com/doc/reference/withdraw,
// doc-old/docs/withdraw; project fact file trustly-jsonrpc.md §4.3, §4.4, §6.3): the
// merchant's Withdraw answers with the order and the URL of a page where the end user
// chooses the bank account (and, without a fixed amount, the amount). Trustly then sends a
// debit notification and waits for the merchant's answer: OK says the merchant took the
// amount from the end user's balance and the withdrawal goes on; FAILED aborts it, and a
// cancel notification follows. An accepted withdrawal waits for ApproveWithdrawal or
// DenyWithdrawal unless the merchant has automatic approval (Options.AutoApproveWithdrawals);
// a denied one is reported by a credit notification (the money back to the merchant), a
// paid one by payoutconfirmation when the merchant has it (unless
// Options.NoPayoutConfirmation).
//
// [I] Not documented, and chosen here: a debit that gets no valid answer before the
// attempts run out aborts the withdrawal as FAILED does; ApproveWithdrawal and
// DenyWithdrawal of an order that is not the merchant's, not a Withdraw, or not waiting
// for approval fail with ERROR_UNKNOWN (620), as the simulator answers for every unknown
// order; a Withdraw whose Data carries a non-null Amount, or whose Attributes combine
// SuggestedAmount with SuggestedMinAmount or SuggestedMaxAmount (which Trustly's Java
// client says not to do, WithdrawRequestDataAttributes.java), is refused with
// ERROR_INVALID_PARAMETERS (623) and ERROR_INVALID_ORDER_ATTRIBUTE (717); the simulated end
// user withdraws SuggestedAmount when set (a fixed amount, per the same file), else
// SuggestedMaxAmount, else SuggestedMinAmount, else 100.00.

// Withdraw order states besides stateCreated, stateExecuted and stateCanceled.
const (
	// stateDebiting: the end user chose the account; the debit notification is out and
	// the order waits for the merchant's answer.
	stateDebiting = "debiting"
	// stateHeld: the merchant answered the debit OK; the withdrawal waits for
	// ApproveWithdrawal or DenyWithdrawal.
	stateHeld = "held"
)

func (s *Server) withdraw(m *merchant, c *call) (any, *rpcFault) {
	if f := s.checkOrderRequest(c); f != nil {
		return nil, f
	}
	cur := c.str("Currency")
	if f := checkCurrency(cur); f != nil {
		return nil, f
	}
	if v, ok := c.req.Data["Amount"]; ok && v != nil {
		return nil, fault(wire.CodeInvalidParameters)
	}
	a := c.attrs()
	suggested := func(k string) (string, bool, *rpcFault) {
		v, ok := a[k]
		if !ok || v == nil {
			return "", false, nil
		}
		text, isText := v.(string)
		if !isText {
			return "", false, fault(wire.CodeInvalidParameters) // amounts are text (§5)
		}
		return text, true, checkAmount(text)
	}
	fixed, fixedSet, f := suggested("SuggestedAmount")
	if f != nil {
		return nil, f
	}
	lo, loSet, f := suggested("SuggestedMinAmount")
	if f != nil {
		return nil, f
	}
	hi, hiSet, f := suggested("SuggestedMaxAmount")
	if f != nil {
		return nil, f
	}
	if fixedSet && (loSet || hiSet) {
		return nil, fault(wire.CodeInvalidOrderAttribute)
	}
	if loSet && hiSet {
		l, _ := money.New(lo, cur)
		h, _ := money.New(hi, cur)
		if c, err := l.Cmp(h); err != nil || c > 0 {
			return nil, fault(wire.CodeInvalidOrderAttribute)
		}
	}
	value := "100.00"
	switch {
	case fixedSet:
		value = fixed
	case hiSet:
		value = hi
	case loSet:
		value = lo
	}
	amt, err := money.New(value, cur)
	if err != nil {
		return nil, fault(wire.CodeInvalidAmount)
	}
	if f := s.checkMessageID(m, c); f != nil {
		return nil, f
	}
	o := s.newOrderLocked(m, "Withdraw", c)
	o.amount = amt
	o.successURL, o.failURL = attr(a, "SuccessURL"), attr(a, "FailURL")
	o.statement, o.payer = attr(a, "ShopperStatement"), payerName(a)
	o.token = randomDigits(24)
	s.tokens[o.token] = o
	return map[string]any{"orderid": o.id, "url": s.URL() + "/checkout/" + o.token}, nil
}

// withdrawChosenLocked applies the end user's choice of account on a Withdraw's page: the
// account is registered for the end user and the debit notification goes out.
func (s *Server) withdrawChosenLocked(o *order, bankValue, bankLabel string) {
	acct := s.accountLocked(o.m, "SWEDEN", clearingNumbers[bankValue], "69706212"+o.id[len(o.id)-2:])
	acct.endUsers[o.endUserID] = true
	o.accountID, o.bank, o.state = acct.id, bankLabel, stateDebiting
	s.notifyLocked(o, "debit", depositData(o))
}

// debitAnswered applies the merchant's answer to a Withdraw's debit notification: status
// is the data.status of its acknowledged reply, "" when none came; stopped reports that
// the Server closed first, and the order is then left as it is.
func (s *Server) debitAnswered(o *order, status string, stopped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.state != stateDebiting || stopped {
		return
	}
	if status != "OK" {
		o.state = stateCanceled
		s.notifyLocked(o, "cancel", map[string]any{})
		return
	}
	o.state = stateHeld
	o.m.post(o.id, o.messageID, "Withdraw", o.amount, -1)
	if s.opts.AutoApproveWithdrawals {
		s.approveWithdrawalLocked(o)
	}
}

// approveWithdrawalLocked pays a held withdrawal out, reported by payoutconfirmation
// unless Options.NoPayoutConfirmation.
func (s *Server) approveWithdrawalLocked(o *order) {
	o.state = stateExecuted
	if !s.opts.NoPayoutConfirmation {
		s.notifyLocked(o, "payoutconfirmation", map[string]any{"amount": o.amount.Fixed(), "currency": o.amount.Currency().String()})
	}
}

// returnWithdrawalLocked ends a held or executed withdrawal unpaid: the amount returns to
// the merchant's balance and a credit notification reports it.
func (s *Server) returnWithdrawalLocked(o *order) {
	o.state = stateCanceled
	o.m.post(o.id, o.messageID, "Withdraw", o.amount, +1)
	s.notifyLocked(o, "credit", map[string]any{"amount": o.amount.Fixed(), "currency": o.amount.Currency().String(),
		"attributes": map[string]any{}})
}

// decideWithdrawal answers ApproveWithdrawal and DenyWithdrawal (Data OrderID and
// Attributes; answer orderid and result, §4.4) for a withdrawal of the merchant's that
// waits for approval.
func (s *Server) decideWithdrawal(m *merchant, c *call) (any, *rpcFault) {
	id := c.str("OrderID")
	if id == "" {
		return nil, fault(wire.CodeInvalidParameters)
	}
	o := s.orders[id]
	if o == nil || o.m != m || o.kind != "Withdraw" || o.state != stateHeld {
		return nil, fault(wire.CodeUnknown)
	}
	if c.req.Method == "ApproveWithdrawal" {
		s.approveWithdrawalLocked(o)
	} else {
		s.returnWithdrawalLocked(o)
	}
	return map[string]any{"orderid": o.id, "result": "1"}, nil
}

// HeldWithdrawal reports whether the Withdraw order waits for ApproveWithdrawal or
// DenyWithdrawal: its end user chose the account and the merchant answered the debit OK.
func (s *Server) HeldWithdrawal(orderID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	return o != nil && o.kind == "Withdraw" && o.state == stateHeld
}

// withdrawalRows is GetWithdrawals' answer for a Withdraw order: no transfer until the
// merchant accepted the debit, then one, PENDING [I] while it waits for approval,
// EXECUTED once approved, FAILED [I] once denied or failed.
func withdrawalRows(o *order) []any {
	state := ""
	switch o.state {
	case stateHeld:
		state = "PENDING"
	case stateExecuted:
		state = "EXECUTED"
	case stateCanceled:
		if o.accountID != "" && o.m.moved(o.id) {
			state = "FAILED"
		}
	}
	if state == "" {
		return []any{}
	}
	return []any{withdrawalRow(o, state)}
}

func withdrawalRow(o *order, state string) map[string]any {
	return map[string]any{"reference": "sim-" + o.id, "modificationdate": timestamp(o.created), "orderid": o.id,
		"datestamp": timestamp(o.created), "transferstate": state, "amount": o.amount.Fixed(), "accountid": o.accountID,
		"currency": o.amount.Currency().String(), "eta": o.created.Add(24 * time.Hour).Format("2006-01-02")}
}

// moved reports whether the merchant's ledger has a row of order id.
func (m *merchant) moved(id string) bool {
	for _, e := range m.ledger {
		if e.orderID == id {
			return true
		}
	}
	return false
}
