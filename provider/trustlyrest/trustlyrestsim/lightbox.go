package trustlyrestsim

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// pageBanks are the banks the hosted page lists. The first, DemoBank, is preselected and
// is the one an EndUser, which posts no choice, uses.
var pageBanks = []simkit.Option{
	{Value: "demo-bank", Label: DemoBank, Hint: "Test bank"},
	{Value: "sandbox-credit-union", Label: "Sandbox Credit Union", Hint: "Test bank"},
	{Value: "example-national-bank", Label: "Example National Bank", Hint: "Test bank"},
}

// lightboxPage returns the hosted page of a transaction; the server's lock must be held.
func lightboxPage(t *tx) simkit.Page {
	p := simkit.Page{Theme: theme, Merchant: DemoMerchantName, Action: "/start/lightbox/" + t.id,
		Hidden:  []simkit.Field{{Name: "token", Value: t.pay.token}},
		Choices: []simkit.Choice{simkit.NewChoice("Choose your bank", "bank", pageBanks)}}
	if t.amount > 0 {
		p.Amount, p.Currency = formatCents(t.amount), t.pay.currency
	}
	customer, _ := t.pay.customer["name"].(string)
	p.Details = []simkit.Detail{{Label: "For", Value: t.pay.description}, {Label: "Reference", Value: t.merchantRef},
		{Label: "Customer", Value: customer}}
	approve, leave := "Approve payment", "without paying"
	switch t.pay.paymentType {
	case 1, 2:
		p.Title, p.AmountLabel = "Pay by bank", "Amount to pay"
	case 3:
		p.Title = "Allow " + DemoMerchantName + " to debit your account"
		if t.pay.recurringCents > 0 {
			p.Amount, p.Currency, p.AmountLabel = formatCents(t.pay.recurringCents), t.pay.currency, "Up to, each time"
		}
		approve, leave = "Approve recurring payments", "without approving recurring payments"
	case 4:
		p.Title, p.AmountLabel, p.MerchantLabel = "Choose the account to receive your payout", "Payout", "From"
		approve, leave = "Approve account", "without choosing an account"
	default:
		p.Title, p.MerchantLabel = "Verify your bank account", "For"
		approve, leave = "Approve account", "without choosing an account"
	}
	p.Buttons = simkit.PageButtons(approve)
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
		bank, ok := simkit.ReadChoice(w, r, "bank", pageBanks)
		if !ok {
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
func (s *Server) actOnPageAt(w http.ResponseWriter, id, token, action string, bank simkit.Option) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.pageTx(w, id, token, false)
	if t == nil {
		return
	}
	target, extra := t.pay.returnURL, ""
	switch action {
	case "approve":
		if s.refTakenLocked(t.pay.m, t.merchantRef) {
			// [I] A second authorization of one merchantReference is refused.
			t.setStatus(stFailed, "SW051")
			s.notifyLocked(t, "Failed")
			target = t.pay.cancelURL
			break
		}
		t.splitToken = newSplitToken()
		t.pay.accountLast4, t.pay.bankName = DemoAccountNumber[len(DemoAccountNumber)-4:], bank.Label
		t.setStatus(stAuthorized, "AC100")
		s.notifyLocked(t, "Authorize")
		if s.opts.DataReadyOnAuthorize {
			s.notifyLocked(t, "DataReady")
		}
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
	signed, err := signing.SignRedirect(t.pay.m.key, u, signing.HMACSHA1)
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
// conformance suite's EndUser: Approve logs in at the demo bank and authorizes (a payment,
// or an account for payouts), Decline has the bank decline, Abandon closes the page. Each
// action checks that the signed redirect the page answers with verifies.
type EndUser struct {
	*simkit.EndUser

	mu   sync.Mutex
	last string
}

// ErrNotAPage is returned for a URL that is not one of the server's hosted pages.
var ErrNotAPage = errors.New("trustlyrestsim: not a hosted page of this server")

// EndUser returns an EndUser for the server's hosted pages.
func (s *Server) EndUser() *EndUser {
	e := &EndUser{}
	e.EndUser = simkit.NewEndUser(simkit.EndUserConfig{
		Name: "trustlyrestsim",
		Page: func(pageURL string) error {
			if !strings.HasPrefix(pageURL, s.URL()+"/start/lightbox/") {
				return ErrNotAPage
			}
			return nil
		},
		Done: func(reply simkit.Reply) error {
			loc := reply.Header.Get("Location")
			if reply.Status != http.StatusSeeOther {
				return fmt.Errorf("trustlyrestsim: the page answered HTTP %d, not a redirect", reply.Status)
			}
			if err := s.verifyRedirect(loc); err != nil {
				return fmt.Errorf("trustlyrestsim: the redirect does not verify: %w", err)
			}
			e.mu.Lock()
			e.last = loc
			e.mu.Unlock()
			return nil
		},
	})
	return e
}

// verifyRedirect checks a redirect's signature with the key of the merchant whose
// transaction it names.
func (s *Server) verifyRedirect(loc string) error {
	u, err := url.Parse(loc)
	if err != nil {
		return err
	}
	s.mu.Lock()
	key := s.key
	if t := s.txs[u.Query().Get("transactionId")]; t != nil {
		key = t.pay.m.key
	}
	s.mu.Unlock()
	_, err = signing.VerifyRedirect(key, loc)
	return err
}

// LastRedirect returns the signed returnUrl or cancelUrl the last action sent the browser to.
func (e *EndUser) LastRedirect() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}
