package trustlysim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/provider/simkit"
)

// theme is the look of the simulator's hosted pages.
var theme = simkit.Theme{Provider: "Trustly", Accent: "#0b6b45"}

// pageBanks are the banks the hosted pages list. The first is preselected and is the
// one an EndUser, which posts no choice, uses.
var pageBanks = []simkit.Option{
	{Value: "simulated-bank", Label: "Simulated Bank", Hint: "Test bank"},
	{Value: "nordic-demo-bank", Label: "Nordic Demo Bank", Hint: "Test bank"},
	{Value: "sandbox-savings-bank", Label: "Sandbox Savings Bank", Hint: "Test bank"},
}

// clearingNumbers are the clearing numbers of the banks of pageBanks: the end user's
// account is at the bank with that clearing number.
var clearingNumbers = map[string]string{"simulated-bank": "6112", "nordic-demo-bank": "9271", "sandbox-savings-bank": "9661"}

// page returns the hosted page of an order; s.mu must be held.
func (o *order) page(token string) simkit.Page {
	p := simkit.Page{Theme: theme, Merchant: o.m.username, Action: "/checkout/" + token,
		Choices: []simkit.Choice{simkit.NewChoice("Choose your bank", "bank", pageBanks)}}
	if o.kind == "Deposit" {
		p.Title = "Pay by bank"
		p.AmountLabel, p.Amount, p.Currency = "Amount to pay", o.amount.Fixed(), o.amount.Currency().String()
		p.Details = []simkit.Detail{{Label: "Order reference", Value: o.messageID},
			{Label: "On your statement", Value: o.statement}, {Label: "Paying as", Value: o.payer}}
		p.Buttons = simkit.PageButtons("Approve payment",
			simkit.Button{Action: ActionApproveDelayed, Label: "Approve, bank confirms later", Kind: simkit.ButtonAlternative})
		p.Help = "Approve pays at once. \"Approve, bank confirms later\" leaves the payment pending until the bank " +
			"confirms it. Decline acts as if your bank refused. Cancel and go back returns you to " + o.m.username +
			" without paying."
		return p
	}
	if o.kind == "Withdraw" {
		p.Title, p.MerchantLabel = "Withdraw to your bank account", "From"
		p.AmountLabel, p.Amount, p.Currency = "Amount to receive", o.amount.Fixed(), o.amount.Currency().String()
		p.Details = []simkit.Detail{{Label: "Order reference", Value: o.messageID}, {Label: "Account holder", Value: o.payer}}
		p.Buttons = simkit.PageButtons("Receive to this bank")
		p.Help = "Receive to this bank chooses your account at the chosen bank; " + o.m.username +
			" then confirms the withdrawal. Decline and Cancel and go back withdraw nothing."
		return p
	}
	p.Title, p.MerchantLabel = "Choose your bank account", "For"
	mandate := ""
	if o.mandate {
		mandate = "Yes: " + o.m.username + " may also collect payments from this account by direct debit"
	}
	p.Details = []simkit.Detail{{Label: "Order reference", Value: o.messageID}, {Label: "Account holder", Value: o.payer},
		{Label: "Direct debit", Value: mandate}}
	p.Buttons = simkit.PageButtons("Confirm account")
	p.Help = "Confirm account shares your account at the chosen bank with " + o.m.username +
		". Decline and Cancel and go back share nothing."
	return p
}

// Hosted-page actions.
const (
	ActionApprove        = simkit.ActionApprove // pay (the bank confirms at once) or confirm an account
	ActionApproveDelayed = "approve_delayed"    // pay; the bank confirms later (see Server.Settle)
	ActionDecline        = simkit.ActionDecline // the bank does not confirm the payment
	ActionAbandon        = simkit.ActionAbandon // leave without finishing
)

func (s *Server) serveCheckout(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.URL.Path, "/checkout/")
	s.mu.Lock()
	o := s.tokens[token]
	s.mu.Unlock()
	if o == nil {
		simkit.WriteNotice(w, http.StatusNotFound, theme, "Page not found", "There is no payment page at this address.")
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		active := o.state == stateCreated
		p := o.page(token)
		s.mu.Unlock()
		if !active {
			simkit.WriteNotice(w, http.StatusGone, theme, "This page is no longer active",
				"This order was already completed or cancelled. You can close this page.")
			return
		}
		simkit.WritePage(w, http.StatusOK, p)
	case http.MethodPost:
		bank, ok := simkit.ReadChoice(w, r, "bank", pageBanks)
		if !ok {
			return
		}
		target, kyc, err := s.actAt(o, r.PostForm.Get("action"), bank)
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		if kyc != nil {
			// The end user waits at the bank while the merchant answers the kyc
			// notification, then goes on to the merchant's page for the outcome.
			select {
			case <-kyc:
			case <-r.Context().Done():
				return
			case <-s.kit.Context().Done():
				http.Error(w, "the simulator is closing", http.StatusServiceUnavailable)
				return
			}
			s.mu.Lock()
			target = o.successURL
			if o.state == stateCanceled {
				target = o.failURL
			}
			s.mu.Unlock()
		}
		if target == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// act applies an end user's action to an order, at the preselected bank, and returns
// where the user goes next. A deposit made with RequestKYC waits for the merchant's answer
// to the kyc notification: act returns at once, and the action takes effect when the
// answer comes.
func (s *Server) act(o *order, action string) (string, error) {
	target, _, err := s.actAt(o, action, pageBanks[0])
	return target, err
}

// actAt is act with the bank the end user chose. For a deposit that waits for the
// merchant's kyc answer it returns no target but a channel closed once the answer has
// been applied.
func (s *Server) actAt(o *order, action string, bank simkit.Option) (string, <-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.state != stateCreated {
		return "", nil, errors.New("this order is no longer active")
	}
	switch o.kind + "/" + action {
	case "Deposit/" + ActionApprove, "Deposit/" + ActionApproveDelayed, "Deposit/" + ActionDecline:
		if o.kyc {
			// The end user has logged in to the bank: Trustly asks the merchant first.
			return "", s.identifyLocked(o, action), nil
		}
		return s.depositActLocked(o, action), nil, nil
	case "Withdraw/" + ActionApprove:
		// The end user chose the account: the debit notification asks the merchant.
		s.withdrawChosenLocked(o, bank.Value, bank.Label)
		return o.successURL, nil, nil
	case "Deposit/" + ActionAbandon, "SelectAccount/" + ActionAbandon, "SelectAccount/" + ActionDecline,
		"Withdraw/" + ActionAbandon, "Withdraw/" + ActionDecline:
		o.state = stateCanceled
		s.notifyLocked(o, "cancel", map[string]any{})
		return o.failURL, nil, nil
	case "SelectAccount/" + ActionApprove:
		o.state = stateExecuted
		acct := s.accountLocked(o.m, "SWEDEN", clearingNumbers[bank.Value], "69706212"+o.id[len(o.id)-2:])
		acct.endUsers[o.endUserID] = true
		o.accountID, o.bank = acct.id, bank.Label
		// The account notification says whether the account has a direct-debit mandate;
		// a mandate requested here is registered by the bank later, and a second account
		// notification says so (https://developers.trustly.com/emea/docs/introduction-tdd).
		s.accountNoticeLocked(o, acct)
		if o.mandate && !acct.mandate && !s.opts.HoldMandates {
			s.registerMandateLocked(o, acct)
		}
		return o.successURL, nil, nil
	}
	return "", nil, fmt.Errorf("unknown action %q", action)
}

// depositActLocked applies ActionApprove, ActionApproveDelayed or ActionDecline to a
// deposit and returns where the end user goes next.
func (s *Server) depositActLocked(o *order, action string) string {
	switch action {
	case ActionApprove:
		s.creditLocked(o)
		return o.successURL
	case ActionApproveDelayed:
		o.state = statePending
		s.notifyLocked(o, "pending", depositData(o))
		return o.successURL
	}
	// Declined: the end user finished at the bank but the payment is never confirmed:
	// Trustly reports pending, then cancel.
	o.state = stateCanceled
	s.notifyLocked(o, "pending", depositData(o))
	s.notifyLocked(o, "cancel", map[string]any{})
	return o.failURL
}

func depositData(o *order) map[string]any {
	return map[string]any{"amount": o.amount.Fixed(), "currency": o.amount.Currency().String(), "attributes": map[string]any{}}
}

func (s *Server) creditLocked(o *order) {
	o.state = stateCredited
	o.m.post(o.id, o.messageID, o.kind, o.amount, +1)
	o.m.ledger[len(o.m.ledger)-1].extraRef = o.extRefText()
	s.notifyLocked(o, "credit", depositData(o))
	// The refunds queued while the deposit was pending can execute now.
	for _, r := range o.refunds {
		if r.state == stateAccepted {
			s.scheduleRefundLocked(o, r)
		}
	}
}

// extRefText is the order's ExternalReference as a CSV field.
func (o *order) extRefText() string {
	if strings.ContainsAny(o.extraRef, ",\"\r\n") {
		return `"` + strings.ReplaceAll(o.extraRef, `"`, `""`) + `"`
	}
	return o.extraRef
}

// Settle confirms a deposit the end user approved with ActionApproveDelayed, or collects
// a Charge (one held by Options.HoldCharges, or one for a later PaymentDate): the order is
// credited and a credit notification follows the pending one.
func (s *Server) Settle(orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	charge := o != nil && o.kind == "Charge" && (o.state == statePending || o.state == stateAccepted)
	if !charge && (o == nil || o.kind != "Deposit" || o.state != statePending) {
		return fmt.Errorf("trustlysim: order %s is not a pending deposit or charge", orderID)
	}
	s.creditLocked(o)
	return nil
}

// ConfirmRefund executes the oldest queued refund of a credited deposit now and, unless
// Options.NoPayoutConfirmation is set, sends a payoutconfirmation notification on the
// deposit's order with the refunded amount. Without Options.HoldRefunds the simulator
// does this by itself after Options.RefundDelay.
func (s *Server) ConfirmRefund(depositID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, r, err := s.queuedRefundLocked(depositID)
	if err != nil {
		return err
	}
	if o.state != stateCredited {
		return fmt.Errorf("trustlysim: deposit %s is not settled; its refunds stay queued", depositID)
	}
	s.executeRefundLocked(o, r)
	return nil
}

// FailRefund makes the oldest queued refund of a deposit fail: the amount returns to the
// merchant's balance, becomes refundable again, and a credit notification on the
// deposit's order reports it (money back to the merchant); for a refund of a Charge, a
// cancel notification carrying "refund":"1". Set Options.HoldRefunds to
// keep refunds queued until then.
func (s *Server) FailRefund(depositID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, r, err := s.queuedRefundLocked(depositID)
	if err != nil {
		return err
	}
	r.state = stateCanceled
	o.refunded, _ = o.refunded.Sub(r.amount)
	o.m.post(o.id, o.messageID, "Refund", r.amount, +1)
	if o.kind == "Charge" {
		// A direct-debit refund that fails is a cancel with refund "1" and the attributes
		// reason and details (trustly-jsonrpc.md §6.2); [I] their values are not published.
		s.notifyLocked(o, "cancel", map[string]any{"refund": "1",
			"attributes": map[string]any{"reason": "REFUND_FAILED", "details": "The refund could not be paid out."}})
		return nil
	}
	s.notifyLocked(o, "credit", map[string]any{"amount": r.amount.Fixed(), "currency": r.amount.Currency().String(),
		"attributes": map[string]any{}})
	return nil
}

func (s *Server) queuedRefundLocked(depositID string) (*order, *refundEntry, error) {
	o := s.orders[depositID]
	if o == nil || (o.kind != "Deposit" && o.kind != "Charge") {
		return nil, nil, fmt.Errorf("trustlysim: order %s is not a deposit or charge", depositID)
	}
	for _, r := range o.refunds {
		if r.state == stateAccepted {
			return o, r, nil
		}
	}
	return nil, nil, fmt.Errorf("trustlysim: deposit %s has no queued refund", depositID)
}

// FailPayout makes an accepted (or executed, then returned) AccountPayout, or a
// withdrawal held for approval or executed, fail: the amount returns to the merchant's
// balance and a credit notification on the payout's order reports it.
func (s *Server) FailPayout(orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	if o != nil && o.kind == "Withdraw" && (o.state == stateHeld || o.state == stateExecuted) {
		s.returnWithdrawalLocked(o)
		return nil
	}
	if o == nil || o.kind != "AccountPayout" || (o.state != stateAccepted && o.state != stateExecuted) {
		return fmt.Errorf("trustlysim: order %s is not an accepted payout", orderID)
	}
	o.state = stateCanceled
	o.m.post(o.id, o.messageID, "AccountPayout", o.amount, +1)
	s.notifyLocked(o, "credit", map[string]any{"amount": o.amount.Fixed(), "currency": o.amount.Currency().String(),
		"attributes": map[string]any{}})
	return nil
}

// accountNoticeLocked sends the account notification of a SelectAccount order.
func (s *Server) accountNoticeLocked(o *order, acct *account) {
	dd := "0"
	if acct.mandate {
		dd = "1"
	}
	attrs := map[string]any{"clearinghouse": acct.clearingHouse, "bank": o.bank,
		"descriptor": acct.descriptor(), "lastdigits": acct.number[len(acct.number)-4:], "directdebitmandate": dd}
	if s.opts.LeanKYC {
		maps.Copy(attrs, leanKYCAttributes(o.person))
	}
	s.notifyLocked(o, "account", map[string]any{"accountid": acct.id, "verified": "1", "attributes": attrs})
}

// registerMandateLocked registers the mandate a SelectAccount order requested on its
// account and sends the account notification that says so.
func (s *Server) registerMandateLocked(o *order, acct *account) {
	acct.mandate = true
	s.accountNoticeLocked(o, acct)
}

// RegisterMandate registers the direct-debit mandate the end user approved on a
// SelectAccount order (with Options.HoldMandates): Charge accepts the account from now
// on, and a second account notification, with directdebitmandate 1, says so.
func (s *Server) RegisterMandate(orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	if o == nil || o.kind != "SelectAccount" || !o.mandate || o.state != stateExecuted {
		return fmt.Errorf("trustlysim: order %s is not an approved SelectAccount with a direct-debit mandate", orderID)
	}
	acct := s.accounts[o.accountID]
	if acct.mandate {
		return fmt.Errorf("trustlysim: the account of order %s has its mandate already", orderID)
	}
	s.registerMandateLocked(o, acct)
	return nil
}

// GrantMandate records a direct-debit mandate on a registered account, as if the holder
// had signed one, so that Charge accepts it.
func (s *Server) GrantMandate(accountID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[accountID]
	if a == nil {
		return fmt.Errorf("trustlysim: unknown account %s", accountID)
	}
	a.mandate = true
	return nil
}

// EndUser completes the simulator's hosted pages over HTTP, as a person with a browser
// would: it loads the page and submits its form. It implements the conformance suite's
// EndUser: Approve pays the deposit (the bank confirms at once: credit), confirms an
// account selection (account notification) or chooses a withdrawal's account (debit
// notification); Decline refuses at the bank (the deposit is reported pending, then
// canceled; an account selection or withdrawal is canceled); Abandon leaves the page
// without finishing (cancel).
type EndUser struct{ *simkit.EndUser }

// EndUser returns an EndUser for the simulator's pages.
func (s *Server) EndUser() *EndUser {
	return &EndUser{simkit.NewEndUser(simkit.EndUserConfig{Name: "trustlysim"})}
}

// ApproveDelayed pays the deposit at redirectURL but the bank has not confirmed yet: a
// pending notification now, a credit after Server.Settle.
func (e *EndUser) ApproveDelayed(ctx context.Context, redirectURL string) error {
	return e.Act(ctx, redirectURL, ActionApproveDelayed)
}
