package trustlyrestsim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/paybridge/paybridge/internal/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// The simulator's demo bank account, chosen on every approved page.
const (
	DemoBank          = "Demo Bank"
	DemoRoutingNumber = "124003116"
	DemoAccountNumber = "1000000008"
)

var pageTmpl = template.Must(template.New("lightbox").Parse(`<!doctype html>
<html><head><title>Trustly (simulated)</title></head><body>
<h1>{{.Title}}</h1>
<p>Merchant reference {{.Ref}}, amount {{.Amount}} {{.Currency}}.</p>
<form method="post" action="/start/lightbox/{{.ID}}">
<input type="hidden" name="token" value="{{.Token}}">
<button name="action" value="approve">Log in to {{.Bank}} and authorize</button>
<button name="action" value="decline">Bank declines</button>
<button name="action" value="abandon">Cancel</button>
</form></body></html>`))

// serveLightbox serves the hosted authorization page: GET shows it (and marks the
// transaction 1 Pending), POST with action approve, decline or abandon completes it and
// redirects the browser to returnUrl or cancelUrl with a signed query string (protocol §11).
func (s *Server) serveLightbox(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/start/lightbox/")
	if !ok || id == "" || strings.Contains(id, "/") {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.showPage(w, id, r.URL.Query().Get("token"))
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		s.actOnPage(w, id, r.PostForm.Get("token"), r.PostForm.Get("action"))
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *Server) pageTx(w http.ResponseWriter, id, token string) *tx {
	t := s.txs[id]
	if t == nil || !signing.ConstantTimeEqual([]byte(token), []byte(t.pay.token)) {
		http.Error(w, "unknown page", http.StatusNotFound)
		return nil
	}
	if t.status != stNew && t.status != stPending {
		http.Error(w, "this page is no longer active", http.StatusConflict)
		return nil
	}
	return t
}

func (s *Server) showPage(w http.ResponseWriter, id, token string) {
	s.mu.Lock()
	t := s.pageTx(w, id, token)
	if t == nil {
		s.mu.Unlock()
		return
	}
	if t.status == stNew {
		t.setStatus(stPending, "SW010")
	}
	title := "Pay with your bank"
	if t.pay.paymentType >= 4 {
		title = "Choose the account to receive payouts"
	}
	data := map[string]string{"Title": title, "Ref": t.merchantRef, "Amount": formatCents(t.amount),
		"Currency": t.pay.currency, "ID": t.id, "Token": t.pay.token, "Bank": DemoBank}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, data)
}

func (s *Server) actOnPage(w http.ResponseWriter, id, token, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.pageTx(w, id, token)
	if t == nil {
		return
	}
	target, extra := t.pay.returnURL, ""
	switch action {
	case "approve":
		if s.refTakenLocked(t.merchantRef) {
			// [I] A second authorization of one merchantReference is refused.
			t.setStatus(stFailed, "SW051")
			s.notifyLocked(t, "Failed")
			target = t.pay.cancelURL
			break
		}
		t.splitToken = newSplitToken()
		t.pay.accountLast4, t.pay.bankName = DemoAccountNumber[len(DemoAccountNumber)-4:], DemoBank
		t.setStatus(stAuthorized, "AC100")
		s.notifyLocked(t, "Authorize")
	case "decline":
		t.setStatus(stDenied, "SW021")
		s.notifyLocked(t, "Deny")
		target = t.pay.cancelURL
	case "abandon":
		t.setStatus(stCanceled, "UC01")
		s.notifyLocked(t, "Cancel")
		target, extra = t.pay.cancelURL, "&payment.paymentProviderTransaction.status=UC01"
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	u := target + sep + "transactionId=" + t.id + "&transactionType=" + strconv.Itoa(t.typ) +
		"&merchantReference=" + url.QueryEscape(t.merchantRef) + "&status=" + strconv.Itoa(t.status) +
		"&payment.paymentType=" + strconv.Itoa(t.pay.paymentType) + "&payment.paymentProvider.type=1" +
		"&payment.account.verified=" + strconv.FormatBool(t.status == stAuthorized) + "&panel=1" + extra
	signed, err := signing.SignRedirect(s.key, u, signing.HMACSHA1)
	if err != nil {
		http.Error(w, "cannot sign the redirect", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, &http.Request{Method: http.MethodPost}, signed, http.StatusSeeOther)
}

// newSplitToken returns a split token with characters that need URL encoding ('+', '/',
// '='), as Trustly's may (protocol §3).
func newSplitToken() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b) + "+/=="
}

// EndUser acts on the server's hosted pages over HTTP as a payer would. It implements the
// conformance suite's EndUser.
type EndUser struct {
	s       *Server
	browser *simkit.Browser

	mu   sync.Mutex
	last string
}

// EndUser returns an EndUser for the server's hosted pages.
func (s *Server) EndUser() *EndUser {
	return &EndUser{s: s, browser: simkit.NewBrowser(0)}
}

// Approve logs in at the demo bank and authorizes: a payment, or an account for payouts.
func (e *EndUser) Approve(ctx context.Context, redirectURL string) error {
	return e.act(ctx, redirectURL, "approve")
}

// Decline has the bank decline.
func (e *EndUser) Decline(ctx context.Context, redirectURL string) error {
	return e.act(ctx, redirectURL, "decline")
}

// Abandon closes the page.
func (e *EndUser) Abandon(ctx context.Context, redirectURL string) error {
	return e.act(ctx, redirectURL, "abandon")
}

// LastRedirect returns the signed returnUrl or cancelUrl the last action sent the browser to.
func (e *EndUser) LastRedirect() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

var tokenRE = regexp.MustCompile(`^[0-9a-f]+$`)

// ErrNotAPage is returned for a URL that is not one of the server's hosted pages.
var ErrNotAPage = errors.New("trustlyrestsim: not a hosted page of this server")

func (e *EndUser) act(ctx context.Context, pageURL, action string) error {
	if !strings.HasPrefix(pageURL, e.s.srv.URL+"/start/lightbox/") {
		return ErrNotAPage
	}
	page, err := e.browser.Get(ctx, pageURL, 1<<16)
	if err != nil {
		return err
	}
	if page.Status != http.StatusOK {
		return fmt.Errorf("trustlyrestsim: hosted page answered HTTP %d", page.Status)
	}
	token, ok := simkit.HiddenInput(page.Body, "token")
	if !ok || !tokenRE.MatchString(token) {
		return fmt.Errorf("trustlyrestsim: hosted page has no form")
	}
	u, _ := url.Parse(pageURL)
	reply, err := e.browser.PostForm(ctx, e.s.srv.URL+u.Path, url.Values{"token": {token}, "action": {action}}, 1<<16)
	if err != nil {
		return err
	}
	if reply.Status != http.StatusSeeOther {
		return fmt.Errorf("trustlyrestsim: %s answered HTTP %d", action, reply.Status)
	}
	loc := reply.Header.Get("Location")
	if _, err := signing.VerifyRedirect(e.s.key, loc); err != nil {
		return fmt.Errorf("trustlyrestsim: the redirect does not verify: %w", err)
	}
	e.mu.Lock()
	e.last = loc
	e.mu.Unlock()
	return nil
}
