package trustistsim

import (
	"context"
	"crypto/subtle"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
)

// Test bank details of the account an approved onboarding connects: TestBankName is the
// bank the pages preselect, which an EndUser keeps.
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

// theme is the look of the simulator's hosted pages.
var theme = simkit.Theme{Provider: "Trustist", Accent: "#3b2f8f"}

// pageChoice is an entry of a hosted page's list of banks or ways to pay.
type pageChoice struct{ value, name, hint string }

// testBanks are the sandbox banks the pages offer
// (https://api.trustistecommerce.com/docs/testing); the first is preselected and is the one
// an EndUser, which posts no choice, uses.
var testBanks = []pageChoice{
	{"mock-redirect-bank", TestBankName, "Test bank, approves at once"},
	{"lloyds-test", "Lloyds Bank Test Account", "Test bank"},
}

// payMethods are the ways to pay the pay page offers: a bank (open banking) or a card.
// The simulator settles all of them alike.
var payMethods = append(append([]pageChoice(nil), testBanks...),
	pageChoice{"card", "Card", "Test card ending 4242"})

func findChoice(list []pageChoice, value string) (pageChoice, bool) {
	if value == "" {
		return list[0], true
	}
	for _, c := range list {
		if c.value == value {
			return c, true
		}
	}
	return pageChoice{}, false
}

func choiceList(legend, field string, list []pageChoice) simkit.Choice {
	c := simkit.Choice{Legend: legend, Name: field}
	for i, e := range list {
		hint := e.hint
		if field == "method" && e.value != "card" {
			hint = "Pay by bank · " + hint
		}
		c.Options = append(c.Options, simkit.Option{Value: e.value, Label: e.name, Hint: hint, Checked: i == 0})
	}
	return c
}

// choiceField is the form field of a page's list: the pay page asks how to pay, the
// others which bank.
func choiceField(kind string) (string, []pageChoice) {
	if kind == "pay" {
		return "method", payMethods
	}
	return "bank", testBanks
}

// joinNonEmpty joins the parts that are not empty with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func buttons(approve string) []simkit.Button {
	return []simkit.Button{
		{Action: "approve", Label: approve, Kind: simkit.ButtonApprove},
		{Action: "decline", Label: "Decline", Kind: simkit.ButtonDecline},
		{Action: "abandon", Label: "Cancel and go back", Kind: simkit.ButtonCancel},
	}
}

func (s *Server) renderPage(w http.ResponseWriter, kind, id string) {
	s.mu.Lock()
	var page simkit.Page
	token, active := "", false
	switch kind {
	case "pay":
		if p := s.payments[id]; p != nil {
			token, active = p.pageToken, p.status == StatusPending
			page = simkit.Page{Title: "Complete your payment", AmountLabel: "Amount to pay",
				Amount: p.amount.Fixed(), Currency: p.amount.Currency().String(),
				Details: []simkit.Detail{{Label: "For", Value: p.description}, {Label: "Reference", Value: p.reference},
					{Label: "Paying as", Value: p.customerDetails}},
				Choices: []simkit.Choice{choiceList("How would you like to pay?", "method", payMethods)},
				Buttons: buttons("Approve payment"),
				Help: "Approve pays as if your bank or card issuer confirmed the payment; Decline as if it refused. " +
					"Cancel and go back returns you to " + MerchantName + " without paying."}
		}
	case "standing-order":
		if o := s.standingOrders[id]; o != nil {
			token, active = o.pageToken, o.status == SOStatusPending
			count := "Until you cancel it"
			if o.numberOfPayments > 0 {
				count = strconv.Itoa(o.numberOfPayments)
			}
			page = simkit.Page{Title: "Set up a standing order",
				AmountLabel: o.frequency + " payment", Amount: o.amount.Fixed(), Currency: o.amount.Currency().String(),
				Details: []simkit.Detail{{Label: "For", Value: o.description}, {Label: "Reference", Value: o.reference},
					{Label: "First payment", Value: o.startDate}, {Label: "Payments", Value: count},
					{Label: "From", Value: joinNonEmpty(", ", o.payerName, o.payerBusinessName)}},
				Choices: []simkit.Choice{choiceList("Choose your bank", "bank", testBanks)},
				Buttons: buttons("Approve standing order"),
				Help: "Approve sets up the standing order as if your bank confirmed it; Decline as if it refused. " +
					"Cancel and go back returns you to " + MerchantName + " without setting it up."}
		}
	case "onboard":
		if se := s.sessions[id]; se != nil {
			token, active = se.pageToken, se.status == SessionCreated
			var shares []string
			if se.identity {
				shares = append(shares, "your identity check")
			}
			if se.ais {
				shares = append(shares, "your account holder name, sort code and account number")
			}
			title, approve := "Connect your bank account", "Connect account"
			if !se.ais {
				title, approve = "Verify your identity", "Confirm identity"
			}
			page = simkit.Page{Title: title, MerchantLabel: "Requested by",
				Details: []simkit.Detail{{Label: "Shared with " + MerchantName, Value: strings.Join(shares, "; ")}},
				Choices: []simkit.Choice{choiceList("Choose your bank", "bank", testBanks)},
				Buttons: buttons(approve),
				Help: approve + " acts as if you logged in at the chosen test bank and agreed; Decline as if " +
					"the bank refused. Cancel and go back returns you without sharing anything."}
		}
	}
	s.mu.Unlock()
	switch {
	case token == "":
		simkit.WriteNotice(w, http.StatusNotFound, theme, "Page not found", "There is no payment page at this address.")
		return
	case !active:
		simkit.WriteNotice(w, http.StatusGone, theme, "This page is no longer active",
			"It was already approved, declined or cancelled. You can close this page.")
		return
	}
	page.Theme, page.Merchant = theme, MerchantName
	page.Action = "/" + kind + "/" + id
	page.Hidden = []simkit.Field{{Name: "token", Value: token}}
	simkit.WritePage(w, http.StatusOK, page)
}

func (s *Server) submitPage(w http.ResponseWriter, r *http.Request, kind, id, token, action string) {
	if action != "approve" && action != "decline" && action != "abandon" {
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	field, list := choiceField(kind)
	choice, ok := findChoice(list, r.PostForm.Get(field))
	if !ok {
		http.Error(w, "unknown "+field, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	next, status := s.actChoiceLocked(kind, id, token, action, choice)
	s.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if next == "" {
		simkit.WriteNotice(w, http.StatusOK, theme, "Thank you", "You can close this page.")
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// actLocked applies a page action, with the page's preselected bank, and returns where
// to send the browser, or an HTTP error status; s.mu must be held.
func (s *Server) actLocked(kind, id, token, action string) (string, int) {
	return s.actChoiceLocked(kind, id, token, action, testBanks[0])
}

// actChoiceLocked is actLocked with the bank or way to pay the payer chose.
func (s *Server) actChoiceLocked(kind, id, token, action string, choice pageChoice) (string, int) {
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
			p.setStatus(StatusComplete)
			s.paymentEventLocked(p, "payment.completed", "COMPLETED")
			return withQuery(p.returnURL, "tr-payment-id", p.id), 0
		case "decline":
			p.setStatus(StatusFailed)
			s.paymentEventLocked(p, "payment.failed", StatusFailed)
			return withQuery(p.returnURL, "tr-payment-id", p.id), 0
		default:
			p.setStatus(StatusCancelled)
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
				c.accounts = append(c.accounts, bankAccount{ID: shortID(), BankName: choice.name,
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
