package trustistsim

import (
	"context"
	"crypto/subtle"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/simkit"
)

// Test bank details of the account an approved onboarding connects.
const (
	TestBankName      = "Mock Redirect Bank"
	TestSortCode      = "04-00-04"
	TestAccountNumber = "****5678"
)

// servePage serves the hosted pages a payer or customer acts on.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	kind, id, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if id == "" || strings.Contains(id, "/") {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.renderPage(w, kind, id)
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		s.submitPage(w, r, kind, id, r.PostForm.Get("token"), r.PostForm.Get("action"))
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

const pageTemplate = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title></head>
<body><h1>%s</h1><p>%s</p>
<form method="post" action="%s">
<input type="hidden" name="token" value="%s">
<button type="submit" name="action" value="approve">%s</button>
<button type="submit" name="action" value="decline">Decline at the bank</button>
<button type="submit" name="action" value="abandon">Cancel</button>
</form></body></html>
`

func (s *Server) renderPage(w http.ResponseWriter, kind, id string) {
	s.mu.Lock()
	var title, text, token, button string
	active := false
	switch kind {
	case "pay":
		if p := s.payments[id]; p != nil {
			title = "Pay " + MerchantName
			text = fmt.Sprintf("Pay %s %s for %s", p.amount.Fixed(), p.amount.Currency(), p.reference)
			token, button, active = p.pageToken, "Pay with "+TestBankName, p.status == StatusPending
		}
	case "standing-order":
		if o := s.standingOrders[id]; o != nil {
			title = "Set up a standing order to " + MerchantName
			text = fmt.Sprintf("%s %s %s from %s", o.frequency, o.amount.Fixed(), o.amount.Currency(), o.startDate)
			token, button, active = o.pageToken, "Set up at "+TestBankName, o.status == SOStatusPending
		}
	case "onboard":
		if se := s.sessions[id]; se != nil {
			title = "Verify your details"
			text = "Connect your bank account"
			token, button, active = se.pageToken, "Connect "+TestBankName+" account", se.status == SessionCreated
		}
	}
	s.mu.Unlock()
	switch {
	case token == "":
		http.NotFound(w, nil)
		return
	case !active:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusGone)
		_, _ = io.WriteString(w, "<!doctype html><p>This page is no longer active.</p>")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = fmt.Fprintf(w, pageTemplate, html.EscapeString(title), html.EscapeString(title), html.EscapeString(text),
		html.EscapeString("/"+kind+"/"+id), token, html.EscapeString(button))
}

func (s *Server) submitPage(w http.ResponseWriter, r *http.Request, kind, id, token, action string) {
	if action != "approve" && action != "decline" && action != "abandon" {
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	next, status := s.actLocked(kind, id, token, action)
	s.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if next == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><p>Thank you. You can close this page.</p>")
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// actLocked applies a page action and returns where to send the browser, or an HTTP
// error status; s.mu must be held.
func (s *Server) actLocked(kind, id, token, action string) (string, int) {
	okToken := func(want string) bool { return subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1 }
	switch kind {
	case "pay":
		p := s.payments[id]
		if p == nil {
			return "", http.StatusNotFound
		}
		if !okToken(p.pageToken) {
			return "", http.StatusForbidden
		}
		if p.status != StatusPending {
			return "", http.StatusGone
		}
		switch action {
		case "approve":
			p.status = StatusComplete
			s.paymentEventLocked(p, "payment.completed", "COMPLETED")
			return withQuery(p.returnURL, "tr-payment-id", p.id), 0
		case "decline":
			p.status = StatusFailed
			s.paymentEventLocked(p, "payment.failed", StatusFailed)
			return withQuery(p.returnURL, "tr-payment-id", p.id), 0
		default:
			p.status = StatusCancelled
			s.paymentEventLocked(p, "payment.failed", StatusCancelled)
			return withQuery(p.cancelURL, "tr-payment-id", p.id), 0
		}
	case "standing-order":
		o := s.standingOrders[id]
		if o == nil {
			return "", http.StatusNotFound
		}
		if !okToken(o.pageToken) {
			return "", http.StatusForbidden
		}
		if o.status != SOStatusPending {
			return "", http.StatusGone
		}
		next := withQuery(o.returnURL, "tr-standing-order-id", o.id)
		switch action {
		case "approve":
			o.status = SOStatusActive
			s.standingOrderEventLocked(o, "StandingOrderCreated", "ACTIVE")
		case "decline":
			o.status = SOStatusFailed
			s.standingOrderEventLocked(o, "standing_order.updated", "FAILED")
		default:
			o.status = SOStatusCancelled
			s.standingOrderEventLocked(o, "standing_order.cancelled", "CANCELLED")
			if o.cancelURL != "" {
				next = withQuery(o.cancelURL, "tr-standing-order-id", o.id)
			}
		}
		return next, 0
	case "onboard":
		se := s.sessions[id]
		if se == nil {
			return "", http.StatusNotFound
		}
		if !okToken(se.pageToken) {
			return "", http.StatusForbidden
		}
		if se.status != SessionCreated {
			return "", http.StatusGone
		}
		switch action {
		case "approve":
			se.status = SessionComplete
			if c := s.customers[se.customerID]; c != nil && se.ais {
				c.accounts = append(c.accounts, bankAccount{ID: shortID(), BankName: TestBankName,
					AccountName: strings.TrimSpace(c.firstName + " " + c.lastName), SortCode: TestSortCode,
					AccountNumber: TestAccountNumber, Currency: s.currency.String(),
					Connected: s.nowLocked().UTC().Format(time.RFC3339)})
			}
		case "decline":
			se.status = SessionFailed
		default:
			se.status = SessionAbandoned
		}
		return se.returnURL, 0
	}
	return "", http.StatusNotFound
}

// withQuery adds name=value to raw's query, or returns "" when raw is empty.
func withQuery(raw, name, value string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// EndUser acts on the simulator's hosted pages over HTTP as a payer or customer would:
// it fetches the page, reads its form and submits the chosen action. It implements the
// conformance suite's EndUser.
type EndUser struct{ browser *simkit.Browser }

// EndUser returns an EndUser for this server's pages.
func (s *Server) EndUser() *EndUser {
	return &EndUser{browser: simkit.NewBrowser(10 * time.Second)}
}

// Approve pays, sets up the standing order, or connects the test bank account.
func (e *EndUser) Approve(ctx context.Context, pageURL string) error {
	return e.act(ctx, pageURL, "approve")
}

// Decline refuses at the bank.
func (e *EndUser) Decline(ctx context.Context, pageURL string) error {
	return e.act(ctx, pageURL, "decline")
}

// Abandon leaves through the cancel button.
func (e *EndUser) Abandon(ctx context.Context, pageURL string) error {
	return e.act(ctx, pageURL, "abandon")
}

var formToken = regexp.MustCompile(`^[0-9a-f]+$`)

func (e *EndUser) act(ctx context.Context, pageURL, action string) error {
	page, err := e.browser.Get(ctx, pageURL, 1<<20)
	if err != nil {
		return err
	}
	if page.BodyErr != nil {
		return page.BodyErr
	}
	if page.Status != http.StatusOK {
		return fmt.Errorf("trustistsim: page %s answered HTTP %d", pageURL, page.Status)
	}
	formAction, okAction := simkit.FormAction(page.Body)
	token, okToken := simkit.HiddenInput(page.Body, "token")
	if !okAction || !okToken || !formToken.MatchString(token) {
		return fmt.Errorf("trustistsim: page %s has no form", pageURL)
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return err
	}
	target, err := base.Parse(html.UnescapeString(formAction))
	if err != nil {
		return err
	}
	reply, err := e.browser.PostForm(ctx, target.String(), url.Values{"token": {token}, "action": {action}}, 1<<16)
	if err != nil {
		return err
	}
	if reply.Status != http.StatusSeeOther && reply.Status != http.StatusOK {
		return fmt.Errorf("trustistsim: submitting %s on %s answered HTTP %d", action, pageURL, reply.Status)
	}
	return nil
}
