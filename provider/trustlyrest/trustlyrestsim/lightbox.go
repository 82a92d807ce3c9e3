package trustlyrestsim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// The simulator's demo bank account: DemoBank is the bank the hosted page preselects, and
// an approved page authorizes this account at whichever bank was chosen.
const (
	DemoBank          = "Demo Bank"
	DemoRoutingNumber = "124003116"
	DemoAccountNumber = "1000000008"
)

// DemoMerchantName is the merchant the hosted pages name: Trustly shows the name the
// merchant registered, which the simulator's merchant has no other way to set.
const DemoMerchantName = "Demo Merchant Inc."

// theme is the look of the simulator's hosted pages.
var theme = simkit.Theme{Provider: "Trustly Pay", Accent: "#0d6650"}

// pageBank is a bank the hosted page lists.
type pageBank struct{ value, name string }

// pageBanks are the banks the hosted page lists. The first, DemoBank, is preselected and
// is the one an EndUser, which posts no choice, uses.
var pageBanks = []pageBank{
	{"demo-bank", DemoBank},
	{"sandbox-credit-union", "Sandbox Credit Union"},
	{"example-national-bank", "Example National Bank"},
}

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

// lightboxPage returns the hosted page of a transaction; the server's lock must be held.
func lightboxPage(t *tx) simkit.Page {
	banks := simkit.Choice{Legend: "Choose your bank", Name: "bank"}
	for i, b := range pageBanks {
		banks.Options = append(banks.Options, simkit.Option{Value: b.value, Label: b.name,
			Hint: "Test bank", Checked: i == 0})
	}
	p := simkit.Page{Theme: theme, Merchant: DemoMerchantName, Action: "/start/lightbox/" + t.id,
		Hidden:  []simkit.Field{{Name: "token", Value: t.pay.token}},
		Choices: []simkit.Choice{banks}}
	if t.amount > 0 {
		p.Amount, p.Currency = formatCents(t.amount), t.pay.currency
	}
	customer, _ := t.pay.customer["name"].(string)
	p.Details = []simkit.Detail{{Label: "For", Value: t.pay.description}, {Label: "Reference", Value: t.merchantRef},
		{Label: "Customer", Value: customer}}
	approve, leave := "Approve payment", "without paying"
	switch t.pay.paymentType {
	case 1, 2, 3:
		p.Title, p.AmountLabel = "Pay by bank", "Amount to pay"
	case 4:
		p.Title, p.AmountLabel, p.MerchantLabel = "Choose the account to receive your payout", "Payout", "From"
		approve, leave = "Approve account", "without choosing an account"
	default:
		p.Title, p.MerchantLabel = "Verify your bank account", "For"
		approve, leave = "Approve account", "without choosing an account"
	}
	p.Buttons = []simkit.Button{
		{Action: "approve", Label: approve, Kind: simkit.ButtonApprove},
		{Action: "decline", Label: "Decline", Kind: simkit.ButtonDecline},
		{Action: "abandon", Label: "Cancel and go back", Kind: simkit.ButtonCancel},
	}
	p.Help = "Approve acts as if you logged in at the chosen bank and agreed; Decline as if the bank refused. " +
		"Cancel and go back returns you to " + DemoMerchantName + " " + leave + "."
	return p
}

// serveLightbox serves the hosted authorization page: GET shows it (and marks the
// transaction 1 Pending), POST with action approve, decline or abandon completes it and
// redirects the browser to returnUrl or cancelUrl with a signed query string
// (https://amer.developers.trustly.com/payments/docs/redirect-urls).
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
		s.actOnPageAt(w, id, r.PostForm.Get("token"), r.PostForm.Get("action"), bank)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// pageTx returns the transaction a page is for, or answers that there is none (as a
// page for a browser's GET, as text for a form's POST) and returns nil.
func (s *Server) pageTx(w http.ResponseWriter, id, token string, get bool) *tx {
	t := s.txs[id]
	switch {
	case t == nil || !signing.ConstantTimeEqual([]byte(token), []byte(t.pay.token)):
		if get {
			simkit.WriteNotice(w, http.StatusNotFound, theme, "Page not found", "There is no payment page at this address.")
		} else {
			http.Error(w, "unknown page", http.StatusNotFound)
		}
		return nil
	case t.status != stNew && t.status != stPending:
		if get {
			simkit.WriteNotice(w, http.StatusConflict, theme, "This page is no longer active",
				"It was already approved, declined or cancelled. You can close this page.")
		} else {
			http.Error(w, "this page is no longer active", http.StatusConflict)
		}
		return nil
	}
	return t
}

func (s *Server) showPage(w http.ResponseWriter, id, token string) {
	s.mu.Lock()
	t := s.pageTx(w, id, token, true)
	if t == nil {
		s.mu.Unlock()
		return
	}
	if t.status == stNew {
		t.setStatus(stPending, "SW010")
	}
	p := lightboxPage(t)
	s.mu.Unlock()
	simkit.WritePage(w, http.StatusOK, p)
}

// actOnPage completes a page with action at the preselected bank.
func (s *Server) actOnPage(w http.ResponseWriter, id, token, action string) {
	s.actOnPageAt(w, id, token, action, pageBanks[0])
}

// actOnPageAt is actOnPage at the bank the payer chose.
func (s *Server) actOnPageAt(w http.ResponseWriter, id, token, action string, bank pageBank) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.pageTx(w, id, token, false)
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
		t.pay.accountLast4, t.pay.bankName = DemoAccountNumber[len(DemoAccountNumber)-4:], bank.name
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
// '='), as Trustly's may (the capture and refresh operations of
// https://amer.developers.trustly.com/openapi.json say a splitToken must be URL-encoded).
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
	if !strings.HasPrefix(pageURL, e.s.URL()+"/start/lightbox/") {
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
	reply, err := e.browser.PostForm(ctx, e.s.URL()+u.Path, url.Values{"token": {token}, "action": {action}}, 1<<16)
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
