package trustistsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
)

// Payment statuses the simulator uses. The sources spell them inconsistently; the
// simulator follows the official plugin on the API (COMPLETE) and the webhook example in
// webhooks (COMPLETED). [I] The API's status for a payer who cancels is not published;
// the simulator says CANCELLED.
const (
	StatusPending   = "PENDING"
	StatusComplete  = "COMPLETE"
	StatusFailed    = "FAILED"
	StatusCancelled = "CANCELLED"
)

type payment struct {
	id     string
	status string
	// before is the status the payment had before its latest change ("" while it has
	// not changed), which a lagging read reports (see Server.LagReads).
	before          string
	amount          money.Amount
	reference       string
	returnURL       string
	cancelURL       string
	description     string
	customerDetails string
	payerEmail      string
	customerID      string
	// logoURL, partnerID, partnerReference and workflow are the page options of
	// https://trustisttransfer.com/docs/create-payment-post. [I] The API is not documented
	// to echo them, so the simulator keeps them without answering them.
	logoURL          string
	partnerID        string
	partnerReference string
	workflow         string
	created          time.Time
	pageToken        string
}

// paymentJSON is a payment as the API returns it.
type paymentJSON struct {
	ID              string      `json:"id"`
	Status          string      `json:"status"`
	Amount          json.Number `json:"amount"`
	Currency        string      `json:"currency"`
	Reference       string      `json:"reference"`
	Description     *string     `json:"description"`
	CustomerDetails *string     `json:"customerDetails"`
	PayerEmail      *string     `json:"payerEmail"`
	ReturnURL       *string     `json:"returnUrl"`
	CancelURL       *string     `json:"cancelUrl"`
	PayLink         string      `json:"payLink"`
	PayIDString     string      `json:"payIdString"`
	// PayerServicesURL: [I] its form is not published; the simulator points it at its own
	// base URL.
	PayerServicesURL string `json:"payerServicesUrl"`
	Created          string `json:"created"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) paymentJSON(p *payment) paymentJSON {
	return paymentJSON{ID: p.id, Status: p.status, Amount: p.amount.JSONNumber(), Currency: p.amount.Currency().String(),
		Reference: p.reference, Description: nullable(p.description), CustomerDetails: nullable(p.customerDetails),
		PayerEmail: nullable(p.payerEmail), ReturnURL: nullable(p.returnURL), CancelURL: nullable(p.cancelURL),
		PayLink: s.URL() + "/pay/" + p.id, PayIDString: strings.ToUpper(p.id[:8]),
		PayerServicesURL: s.URL() + "/payer-services", Created: p.created.UTC().Format(time.RFC3339)}
}

func (s *Server) createPayment(caller string, body []byte) result {
	m, bad := object(body)
	if bad != nil {
		return *bad
	}
	f := &fieldReader{m: m}
	p := &payment{
		amount:           f.amount("amount", s.currency),
		reference:        f.str("reference", 255),
		returnURL:        f.absURL("returnUrl", false),
		cancelURL:        f.absURL("cancelUrl", false),
		description:      f.str("description", 1000),
		customerDetails:  f.str("customerDetails", 255),
		payerEmail:       f.email("payerEmail"),
		customerID:       f.str("customerId", 64),
		logoURL:          f.absURL("logoUrl", false),
		partnerID:        f.shortGUID("partnerId"),
		partnerReference: f.str("partnerReference", 255),
		workflow:         f.workflow("workflow"),
	}
	if p.reference == "" && f.errs["reference"] == nil {
		f.bad("reference", "The reference field is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.customerID != "" && s.customers[p.customerID] == nil {
		f.bad("customerId", "The customer does not exist.")
	}
	if f.errs != nil {
		return invalid(f.errs)
	}
	if p.cancelURL == "" {
		p.cancelURL = p.returnURL
	}
	p.id = uuid.NewString()
	p.status = StatusPending
	p.created = s.now()
	p.pageToken = simkit.RandomHex(16)
	s.payments[p.id] = p
	s.ownLocked(p.id, caller)
	if s.opts.SendCreatedEvents {
		s.paymentEventLocked(p, "payment.created", StatusPending)
	}
	if s.opts.FullCreateAnswer {
		return result{http.StatusOK, s.paymentJSON(p)}
	}
	return result{http.StatusOK, s.createdJSON(p)}
}

// createdJSON is the create answer as documented: id, payLink, payIdString and
// payerServicesUrl, and no status or amount.
func (s *Server) createdJSON(p *payment) map[string]string {
	full := s.paymentJSON(p)
	return map[string]string{"id": full.ID, "payLink": full.PayLink, "payIdString": full.PayIDString,
		"payerServicesUrl": full.PayerServicesURL}
}

// setStatus changes the payment's status, remembering the one it had.
func (p *payment) setStatus(status string) {
	if status != p.status {
		p.before, p.status = p.status, status
	}
}

func (s *Server) getPayment(id string) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return notFound("Payment")
	}
	out := s.paymentJSON(p)
	if s.lagReads > 0 && p.before != "" {
		s.lagReads--
		out.Status = p.before
	}
	return result{http.StatusOK, out}
}

// LagReads makes the next n reads of a payment whose status has changed (GET
// /v1/payments/{id}) report the status it had before the change, as a read served by a
// lagging replica would, while its webhook already announces the new status. Reads of
// payments whose status never changed are answered as they are and do not count.
func (s *Server) LagReads(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lagReads = n
}

// SetPaymentStatus sets a payment's status text as the API reports it, for tests of
// status spellings. It raises no webhook.
func (s *Server) SetPaymentStatus(id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return errors.New("trustistsim: unknown payment " + id)
	}
	p.setStatus(status)
	return nil
}

// PaymentStatus returns a payment's status as the API reports it.
func (s *Server) PaymentStatus(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return "", false
	}
	return p.status, true
}

// Payments returns how many payments exist.
func (s *Server) Payments() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.payments)
}

// Standing-order statuses as the API reports them.
const (
	SOStatusPending   = "Pending"
	SOStatusActive    = "ACTIVE"
	SOStatusFailed    = "Failed"
	SOStatusCancelled = "Cancelled"
)

type standingOrder struct {
	id                string
	status            string
	amount            money.Amount
	startDate         string
	frequency         string
	numberOfPayments  int
	reference         string
	returnURL         string
	cancelURL         string
	description       string
	payerName         string
	payerBusinessName string
	pageToken         string
	created           time.Time
}

type standingOrderJSON struct {
	ID               string      `json:"id"`
	Status           string      `json:"status"`
	Amount           json.Number `json:"amount"`
	Currency         string      `json:"currency"`
	StartDate        string      `json:"startDate"`
	Frequency        string      `json:"frequency"`
	NumberOfPayments int         `json:"numberOfPayments"`
	Reference        string      `json:"reference"`
	Description      *string     `json:"description"`
	PayLink          string      `json:"payLink"`
}

func (s *Server) standingOrderJSON(o *standingOrder) standingOrderJSON {
	return standingOrderJSON{ID: o.id, Status: o.status, Amount: o.amount.JSONNumber(), Currency: o.amount.Currency().String(),
		StartDate: o.startDate, Frequency: o.frequency, NumberOfPayments: o.numberOfPayments, Reference: o.reference,
		Description: nullable(o.description), PayLink: s.URL() + "/standing-order/" + o.id}
}

func (s *Server) createStandingOrder(caller string, body []byte) result {
	if s.opts.StandingOrdersDisabled {
		return fail(http.StatusBadRequest, "Standing orders are not enabled",
			"The merchant has not enabled bank monitoring for standing orders, or its access token has expired.")
	}
	m, bad := object(body)
	if bad != nil {
		return *bad
	}
	f := &fieldReader{m: m}
	o := &standingOrder{
		amount:            f.amount("amount", s.currency),
		startDate:         f.str("startDate", 10),
		reference:         f.str("reference", 255),
		returnURL:         f.absURL("returnUrl", false),
		cancelURL:         f.absURL("cancelUrl", false),
		description:       f.str("description", 1000),
		payerName:         f.str("payerName", 255),
		payerBusinessName: f.str("payerBusinessName", 255),
	}
	switch freq := f.str("frequency", 20); strings.ToLower(freq) {
	case "weekly":
		o.frequency = "Weekly"
	case "monthly":
		o.frequency = "Monthly"
	case "annually":
		o.frequency = "Annually"
	default:
		f.bad("frequency", "The frequency must be Weekly, Monthly or Annually.")
	}
	if v, ok := m["numberofpayments"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &o.numberOfPayments); err != nil || o.numberOfPayments < 0 {
			f.bad("numberOfPayments", "The numberOfPayments must be a whole number, 0 or more.")
		}
	}
	if o.reference == "" && f.errs["reference"] == nil {
		f.bad("reference", "The reference field is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := time.Parse("2006-01-02", o.startDate)
	today := s.now().UTC().Truncate(24 * time.Hour)
	switch {
	case err != nil:
		f.bad("startDate", "The startDate must be a date in the form yyyy-MM-dd.")
	case !start.After(today):
		f.bad("startDate", "The startDate must be no earlier than tomorrow.")
	}
	if f.errs != nil {
		return invalid(f.errs)
	}
	o.id = uuid.NewString()
	o.status = SOStatusPending
	o.pageToken = simkit.RandomHex(16)
	o.created = s.now()
	s.standingOrders[o.id] = o
	s.ownLocked(o.id, caller)
	return result{http.StatusOK, s.standingOrderJSON(o)}
}

func (s *Server) getStandingOrder(id string) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.standingOrders[id]
	if o == nil {
		return notFound("Standing order")
	}
	return result{http.StatusOK, s.standingOrderJSON(o)}
}

// MerchantName is the simulated merchant's name.
const MerchantName = "Simulated Merchant Ltd"

func (s *Server) merchantInfo() result {
	type ryft struct {
		Enabled   bool `json:"enabled"`
		Available bool `json:"available"`
	}
	type tokenIo struct {
		Enabled                 bool `json:"enabled"`
		StandingOrdersMonitored bool `json:"standingOrdersMonitored"`
	}
	return result{http.StatusOK, map[string]any{
		"id":   s.merchant.HawkID,
		"name": MerchantName,
		"paymentMethods": map[string]any{
			"ryft":    ryft{Enabled: true, Available: true},
			"tokenIo": tokenIo{Enabled: true, StandingOrdersMonitored: !s.opts.StandingOrdersDisabled},
		},
	}}
}

// PaymentOptions are the page options a payment was created with.
type PaymentOptions struct {
	LogoURL, PartnerID, PartnerReference string
	// WorkflowMode is the workflow's mode as sent ("" when no workflow was).
	WorkflowMode string
}

// PaymentOptions returns the page options payment id was created with, and whether it
// exists.
func (s *Server) PaymentOptions(id string) (PaymentOptions, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[id]
	if p == nil {
		return PaymentOptions{}, false
	}
	return PaymentOptions{LogoURL: p.logoURL, PartnerID: p.partnerID, PartnerReference: p.partnerReference, WorkflowMode: p.workflow}, true
}
