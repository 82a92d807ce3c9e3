package partnersim

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/provider/simkit"
)

// theme is the look of the invitation pages.
var theme = simkit.Theme{Provider: "TrustistTransfer", Accent: "#3b2f8f"}

// servePage serves the invitation page, /join/{id}?t={token}: GET shows it, POST takes
// the merchant's answer. The token is the one the invitation e-mail's link carries.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/join/")
	if id == "" || strings.Contains(id, "/") {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.renderPage(w, id, r.URL.Query().Get("t"))
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		s.submitPage(w, id, r.PostForm.Get("t"), r.PostForm.Get("action"))
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// pageLocked returns the invitation a page link names, or the status to answer: 404 for
// an unknown invitation, 403 for a wrong token; s.mu must be held.
func (s *Server) pageLocked(id, token string) (*invitation, int) {
	inv := s.invitations[id]
	if inv == nil {
		return nil, http.StatusNotFound
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(inv.pageToken)) != 1 {
		return nil, http.StatusForbidden
	}
	return inv, 0
}

func (s *Server) renderPage(w http.ResponseWriter, id, token string) {
	s.mu.Lock()
	inv, status := s.pageLocked(id, token)
	var p simkit.Page
	waiting := false
	if inv != nil {
		waiting = inv.status == StatusPending || inv.status == StatusSent
		p = simkit.Page{Theme: theme, Title: "Join TrustistTransfer", Merchant: inv.partner, MerchantLabel: "Invited by",
			Details: []simkit.Detail{{Label: "Business", Value: inv.name}, {Label: "E-mail", Value: inv.email},
				{Label: "Payment types", Value: strings.Join(inv.paymentTypes, ", ")}},
			Action: "/join/" + inv.id, Hidden: []simkit.Field{{Name: "t", Value: token}},
			Buttons: []simkit.Button{
				{Action: simkit.ActionApprove, Label: "Accept and open my account", Kind: simkit.ButtonApprove},
				{Action: simkit.ActionDecline, Label: "Decline", Kind: simkit.ButtonDecline},
			},
			Help: "Accepting opens a sandbox merchant account and issues its API keys, which the partner can then read."}
	}
	s.mu.Unlock()
	switch {
	case inv == nil:
		simkit.WriteNotice(w, status, theme, "Invitation not found", "This invitation link is not valid.")
	case !waiting:
		simkit.WriteNotice(w, http.StatusGone, theme, "Invitation answered", "This invitation was already "+inv.status+".")
	default:
		simkit.WritePage(w, http.StatusOK, p)
	}
}

func (s *Server) submitPage(w http.ResponseWriter, id, token, action string) {
	if action != simkit.ActionApprove && action != simkit.ActionDecline {
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	inv, status := s.pageLocked(id, token)
	err := ErrNotWaiting
	if inv != nil {
		err = s.answerLocked(inv, action == simkit.ActionApprove)
	}
	s.mu.Unlock()
	switch {
	case inv == nil:
		simkit.WriteNotice(w, status, theme, "Invitation not found", "This invitation link is not valid.")
	case err != nil:
		simkit.WriteNotice(w, http.StatusGone, theme, "Invitation answered", "This invitation was already answered.")
	case action == simkit.ActionApprove:
		simkit.WriteNotice(w, http.StatusOK, theme, "Welcome to TrustistTransfer",
			"Your merchant account is open and its API keys are issued.")
	default:
		simkit.WriteNotice(w, http.StatusOK, theme, "Invitation declined", "No account was opened.")
	}
}
