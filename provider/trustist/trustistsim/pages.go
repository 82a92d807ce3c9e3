package trustistsim

import (
	"crypto/subtle"
	"net/http"
	"net/url"
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
	TestAccountNumber = "40005678"
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
		s.submitPage(w, r, kind, id)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// theme is the look of the simulator's hosted pages.
var theme = simkit.Theme{Provider: "Trustist", Accent: "#3b2f8f"}

// testBanks are the sandbox banks the pages offer
// (https://api.trustistecommerce.com/docs/testing); the first is preselected and is the one
// an EndUser, which posts no choice, uses.
var testBanks = []simkit.Option{
	{Value: "mock-redirect-bank", Label: TestBankName, Hint: "Test bank, approves at once"},
	{Value: "lloyds-test", Label: "Lloyds Bank Test Account", Hint: "Test bank"},
}

// payMethods are the ways to pay the pay page offers: a bank (open banking) or a card.
// The simulator settles all of them alike.
var payMethods = func() []simkit.Option {
	var out []simkit.Option
	for _, b := range testBanks {
		b.Hint = "Pay by bank · " + b.Hint
		out = append(out, b)
	}
	return append(out, simkit.Option{Value: "card", Label: "Card", Hint: "Test card ending 4242"})
}()

// choiceField is the form field of a page's list: the pay page asks how to pay, the
// others which bank.
func choiceField(kind string) (string, []simkit.Option) {
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
				Choices: []simkit.Choice{simkit.NewChoice("How would you like to pay?", "method", payMethods)},
				Buttons: simkit.PageButtons("Approve payment"),
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
				Choices: []simkit.Choice{simkit.NewChoice("Choose your bank", "bank", testBanks)},
				Buttons: simkit.PageButtons("Approve standing order"),
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
				Choices: []simkit.Choice{simkit.NewChoice("Choose your bank", "bank", testBanks)},
				Buttons: simkit.PageButtons(approve),
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

func (s *Server) submitPage(w http.ResponseWriter, r *http.Request, kind, id string) {
	field, list := choiceField(kind)
	choice, ok := simkit.ReadChoice(w, r, field, list)
	if !ok {
		return
	}
	token, action := r.PostForm.Get("token"), r.PostForm.Get("action")
	if action != simkit.ActionApprove && action != simkit.ActionDecline && action != simkit.ActionAbandon {
		http.Error(w, "unknown action", http.StatusBadRequest)
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
func (s *Server) actChoiceLocked(kind, id, token, action string, choice simkit.Option) (string, int) {
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
		s.endSessionLocked(se, action, choice)
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

// EndUser returns an EndUser for this server's pages: Approve pays, sets up the standing
// order, or connects the test bank account; Decline refuses at the bank; Abandon leaves
// through the cancel button.
func (s *Server) EndUser() *simkit.EndUser {
	return simkit.NewEndUser(simkit.EndUserConfig{Name: "trustistsim", Timeout: 10 * time.Second})
}
