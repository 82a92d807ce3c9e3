package trustlysim

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/paybridge/paybridge/internal/simkit"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Trustly simulator</title></head>
<body>
<h1>{{.Title}}</h1>
<p>Order {{.OrderID}}</p>
<form method="post" action="/checkout/{{.Token}}">
{{range .Actions}}<button type="submit" name="action" value="{{.}}">{{.}}</button>
{{end}}</form>
</body></html>
`))

type page struct {
	Title, OrderID, Token string
	Actions               []string
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
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		active := o.state == stateCreated
		p := page{OrderID: o.id, Token: token}
		if o.kind == "Deposit" {
			p.Title = "Pay " + o.amount.Fixed() + " " + o.amount.Currency().String()
			p.Actions = []string{ActionApprove, ActionApproveDelayed, ActionDecline, ActionAbandon}
		} else {
			p.Title = "Select your bank account"
			p.Actions = []string{ActionApprove, ActionDecline, ActionAbandon}
		}
		s.mu.Unlock()
		if !active {
			http.Error(w, "this order is no longer active", http.StatusGone)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageTmpl.Execute(w, p)
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		target, err := s.act(o, r.PostForm.Get("action"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
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

// act applies an end user's action to an order and returns where the user goes next.
func (s *Server) act(o *order, action string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.state != stateCreated {
		return "", errors.New("this order is no longer active")
	}
	base := map[string]any{}
	switch o.kind + "/" + action {
	case "Deposit/" + ActionApprove:
		s.creditLocked(o)
		return o.successURL, nil
	case "Deposit/" + ActionApproveDelayed:
		o.state = statePending
		s.notifyLocked(o, "pending", depositData(o))
		return o.successURL, nil
	case "Deposit/" + ActionDecline:
		// The end user finished at the bank but the payment is never confirmed: Trustly
		// reports pending, then cancel.
		o.state = stateCanceled
		s.notifyLocked(o, "pending", depositData(o))
		s.notifyLocked(o, "cancel", base)
		return o.failURL, nil
	case "Deposit/" + ActionAbandon, "SelectAccount/" + ActionAbandon, "SelectAccount/" + ActionDecline:
		o.state = stateCanceled
		s.notifyLocked(o, "cancel", base)
		return o.failURL, nil
	case "SelectAccount/" + ActionApprove:
		o.state = stateExecuted
		acct := s.accountLocked(o.m, "SWEDEN", "6112", "69706212"+o.id[len(o.id)-2:])
		acct.endUsers[o.endUserID] = true
		acct.mandate = acct.mandate || o.mandate
		o.accountID = acct.id
		s.notifyLocked(o, "account", map[string]any{"accountid": acct.id, "verified": "1",
			"attributes": map[string]any{"clearinghouse": acct.clearingHouse, "bank": "Simulated Bank",
				"descriptor": acct.descriptor(), "lastdigits": acct.number[len(acct.number)-4:]}})
		return o.successURL, nil
	}
	return "", fmt.Errorf("unknown action %q", action)
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
	if !ok || !strings.Contains(string(page.Body), `value="`+action+`"`) {
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
