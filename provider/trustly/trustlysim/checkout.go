package trustlysim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/paybridge/paybridge/provider/simkit"
)

// theme is the look of the simulator's hosted pages.
var theme = simkit.Theme{Provider: "Trustly", Accent: "#0b6b45"}

// pageBank is a bank the hosted pages offer: the end user's account is at the bank with
// clearing number clearing.
type pageBank struct{ value, name, clearing string }

// pageBanks are the banks the hosted pages list. The first is preselected and is the
// one an EndUser, which posts no choice, uses.
var pageBanks = []pageBank{
	{"simulated-bank", "Simulated Bank", "6112"},
	{"nordic-demo-bank", "Nordic Demo Bank", "9271"},
	{"sandbox-savings-bank", "Sandbox Savings Bank", "9661"},
}

// findBank returns the bank a form chose; "" chooses the preselected one.
func findBank(value string) (pageBank, bool) {
	if value == "" {
		return pageBanks[0], true
	}
	for _, b := range pageBanks {
		if b.value == value {
			return b, true
		}
	}
	return pageBank{}, false
}

// page returns the hosted page of an order; s.mu must be held.
func (o *order) page(token string) simkit.Page {
	banks := simkit.Choice{Legend: "Choose your bank", Name: "bank"}
	for i, b := range pageBanks {
		banks.Options = append(banks.Options, simkit.Option{Value: b.value, Label: b.name, Hint: "Test bank",
			Checked: i == 0})
	}
	p := simkit.Page{Theme: theme, Merchant: o.m.username, Action: "/checkout/" + token, Choices: []simkit.Choice{banks}}
	if o.kind == "Deposit" {
		p.Title = "Pay by bank"
		p.AmountLabel, p.Amount, p.Currency = "Amount to pay", o.amount.Fixed(), o.amount.Currency().String()
		p.Details = []simkit.Detail{{Label: "Order reference", Value: o.messageID},
			{Label: "On your statement", Value: o.statement}, {Label: "Paying as", Value: o.payer}}
		p.Buttons = []simkit.Button{
			{Action: ActionApprove, Label: "Approve payment", Kind: simkit.ButtonApprove},
			{Action: ActionApproveDelayed, Label: "Approve, bank confirms later", Kind: simkit.ButtonAlternative},
			{Action: ActionDecline, Label: "Decline", Kind: simkit.ButtonDecline},
			{Action: ActionAbandon, Label: "Cancel and go back", Kind: simkit.ButtonCancel},
		}
		p.Help = "Approve pays at once. \"Approve, bank confirms later\" leaves the payment pending until the bank " +
			"confirms it. Decline acts as if your bank refused. Cancel and go back returns you to " + o.m.username +
			" without paying."
		return p
	}
	p.Title, p.MerchantLabel = "Choose your bank account", "For"
	mandate := ""
	if o.mandate {
		mandate = "Yes: " + o.m.username + " may also collect payments from this account by direct debit"
	}
	p.Details = []simkit.Detail{{Label: "Order reference", Value: o.messageID}, {Label: "Account holder", Value: o.payer},
		{Label: "Direct debit", Value: mandate}}
	p.Buttons = []simkit.Button{
		{Action: ActionApprove, Label: "Confirm account", Kind: simkit.ButtonApprove},
		{Action: ActionDecline, Label: "Decline", Kind: simkit.ButtonDecline},
		{Action: ActionAbandon, Label: "Cancel and go back", Kind: simkit.ButtonCancel},
	}
	p.Help = "Confirm account shares your account at the chosen bank with " + o.m.username +
		". Decline and Cancel and go back share nothing."
	return p
}

// Hosted-page actions.
const (
	ActionApprove        = "approve"         // pay (the bank confirms at once) or confirm an account
	ActionApproveDelayed = "approve_delayed" // pay; the bank confirms later (see Server.Settle)
	ActionDecline        = "decline"         // the bank does not confirm the payment
	ActionAbandon        = "abandon"         // leave without finishing
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
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		bank, ok := findBank(r.PostForm.Get("bank"))
		if !ok {
			http.Error(w, "unknown bank", http.StatusBadRequest)
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
func (s *Server) actAt(o *order, action string, bank pageBank) (string, <-chan struct{}, error) {
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
	case "Deposit/" + ActionAbandon, "SelectAccount/" + ActionAbandon, "SelectAccount/" + ActionDecline:
		o.state = stateCanceled
		s.notifyLocked(o, "cancel", map[string]any{})
		return o.failURL, nil, nil
	case "SelectAccount/" + ActionApprove:
		o.state = stateExecuted
		acct := s.accountLocked(o.m, "SWEDEN", bank.clearing, "69706212"+o.id[len(o.id)-2:])
		acct.endUsers[o.endUserID] = true
		acct.mandate = acct.mandate || o.mandate
		o.accountID = acct.id
		s.notifyLocked(o, "account", map[string]any{"accountid": acct.id, "verified": "1",
			"attributes": map[string]any{"clearinghouse": acct.clearingHouse, "bank": bank.name,
				"descriptor": acct.descriptor(), "lastdigits": acct.number[len(acct.number)-4:]}})
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
	o.m.post(o.id, o.messageID, "Deposit", o.amount, +1)
	s.notifyLocked(o, "credit", depositData(o))
	// The refunds queued while the deposit was pending can execute now.
	for _, r := range o.refunds {
		if r.state == stateAccepted {
			s.scheduleRefundLocked(o, r)
		}
	}
}

// Settle confirms a deposit the end user approved with ActionApproveDelayed: the order is
// credited and a credit notification follows the pending one.
func (s *Server) Settle(orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	if o == nil || o.kind != "Deposit" || o.state != statePending {
		return fmt.Errorf("trustlysim: order %s is not a pending deposit", orderID)
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
// deposit's order reports it (money back to the merchant). Set Options.HoldRefunds to
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
	s.notifyLocked(o, "credit", map[string]any{"amount": r.amount.Fixed(), "currency": r.amount.Currency().String(),
		"attributes": map[string]any{}})
	return nil
}

func (s *Server) queuedRefundLocked(depositID string) (*order, *refundEntry, error) {
	o := s.orders[depositID]
	if o == nil || o.kind != "Deposit" {
		return nil, nil, fmt.Errorf("trustlysim: order %s is not a deposit", depositID)
	}
	for _, r := range o.refunds {
		if r.state == stateAccepted {
			return o, r, nil
		}
	}
	return nil, nil, fmt.Errorf("trustlysim: deposit %s has no queued refund", depositID)
}

// FailPayout makes an accepted (or executed, then returned) AccountPayout fail: the amount
// returns to the merchant's balance and a credit notification on the payout's order
// reports it.
func (s *Server) FailPayout(orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	if o == nil || o.kind != "AccountPayout" || (o.state != stateAccepted && o.state != stateExecuted) {
		return fmt.Errorf("trustlysim: order %s is not an accepted payout", orderID)
	}
	o.state = stateCanceled
	o.m.post(o.id, o.messageID, "AccountPayout", o.amount, +1)
	s.notifyLocked(o, "credit", map[string]any{"amount": o.amount.Fixed(), "currency": o.amount.Currency().String(),
		"attributes": map[string]any{}})
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

// EndUser completes hosted pages over HTTP, as a person with a browser would: it loads the
// page and submits its form. It implements the conformance suite's EndUser.
type EndUser struct{ browser *simkit.Browser }

// EndUser returns an EndUser for the simulator's pages.
func (s *Server) EndUser() *EndUser {
	return &EndUser{browser: simkit.NewBrowser(0)}
}

// Approve pays the deposit at redirectURL (the bank confirms at once: credit), or confirms
// an account selection (account notification).
func (e *EndUser) Approve(ctx context.Context, redirectURL string) error {
	return e.Act(ctx, redirectURL, ActionApprove)
}

// ApproveDelayed pays the deposit at redirectURL but the bank has not confirmed yet: a
// pending notification now, a credit after Server.Settle.
func (e *EndUser) ApproveDelayed(ctx context.Context, redirectURL string) error {
	return e.Act(ctx, redirectURL, ActionApproveDelayed)
}

// Decline refuses at the bank: the deposit is reported pending, then canceled; an account
// selection is canceled.
func (e *EndUser) Decline(ctx context.Context, redirectURL string) error {
	return e.Act(ctx, redirectURL, ActionDecline)
}

// Abandon leaves the page without finishing: cancel.
func (e *EndUser) Abandon(ctx context.Context, redirectURL string) error {
	return e.Act(ctx, redirectURL, ActionAbandon)
}

// Act loads the page at redirectURL and submits action with its form.
func (e *EndUser) Act(ctx context.Context, redirectURL, action string) error {
	page, err := e.browser.Get(ctx, redirectURL, 1<<20)
	if err != nil {
		return err
	}
	if page.Status != http.StatusOK {
		return fmt.Errorf("trustlysim: page answered HTTP %d: %s", page.Status, strings.TrimSpace(string(page.Body)))
	}
	formAction, ok := simkit.FormAction(page.Body)
	if !ok || !simkit.HasButton(page.Body, action) {
		return fmt.Errorf("trustlysim: the page offers no %q action", action)
	}
	pageURL, _ := url.Parse(redirectURL)
	target, err := pageURL.Parse(formAction)
	if err != nil {
		return err
	}
	reply, err := e.browser.PostForm(ctx, target.String(), url.Values{"action": {action}}, 1<<20)
	if err != nil {
		return err
	}
	if reply.Status != http.StatusSeeOther && reply.Status != http.StatusNoContent {
		return fmt.Errorf("trustlysim: submitting %q answered HTTP %d: %s", action, reply.Status, strings.TrimSpace(string(reply.Body)))
	}
	return nil
}
