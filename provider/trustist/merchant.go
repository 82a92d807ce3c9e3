package trustist

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/pairs"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Merchant is the merchant account a merchant key belongs to.
type Merchant struct {
	// ID is the merchant's id, when the answer carries one.
	ID string
	// Name is the merchant's trading name.
	Name string
	// CardsEnabled and CardsAvailable report card payments (paymentMethods.ryft).
	CardsEnabled   bool
	CardsAvailable bool
	// OpenBankingEnabled reports bank payments (paymentMethods.tokenIo.enabled).
	OpenBankingEnabled bool
	// StandingOrdersMonitored reports whether the merchant has enabled the bank
	// monitoring standing orders need (paymentMethods.tokenIo.standingOrdersMonitored).
	StandingOrdersMonitored bool
}

type merchantWire struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	PaymentMethods struct {
		Ryft struct {
			Enabled   bool `json:"enabled"`
			Available bool `json:"available"`
		} `json:"ryft"`
		TokenIo struct {
			Enabled                 bool `json:"enabled"`
			StandingOrdersMonitored bool `json:"standingOrdersMonitored"`
		} `json:"tokenIo"`
	} `json:"paymentMethods"`
}

// Merchant returns the merchant account of the configured merchant key (GET
// /v1/merchants). It is a cheap way to check the key pair and the environment: wrong keys
// return Unauthenticated.
func (p *Client) Merchant(ctx context.Context) (*Merchant, error) {
	r, err := p.send(ctx, call{scope: merchantKey, method: http.MethodGet, path: "/v1/merchants", what: "merchant"})
	if err != nil {
		return nil, err
	}
	var w merchantWire
	if err := decode(r, &w); err != nil {
		return nil, badAnswer(r, err)
	}
	return &Merchant{ID: w.ID, Name: w.Name, CardsEnabled: w.PaymentMethods.Ryft.Enabled,
		CardsAvailable: w.PaymentMethods.Ryft.Available, OpenBankingEnabled: w.PaymentMethods.TokenIo.Enabled,
		StandingOrdersMonitored: w.PaymentMethods.TokenIo.StandingOrdersMonitored}, nil
}

// Frequency is how often a standing order pays.
type Frequency string

// Standing order frequencies.
const (
	Weekly   Frequency = "Weekly"
	Monthly  Frequency = "Monthly"
	Annually Frequency = "Annually"
)

// StandingOrderRequest asks for a bank standing order. The payer sets it up at their bank
// through PayLink. The merchant must have enabled bank monitoring in TrustistTransfer
// (renewed every 90 days); otherwise Trustist refuses the request with a message.
//
// PayerName and PayerBusinessName are the payer's personal data: a StandingOrderRequest
// prints and logs, under every fmt verb and in log/slog, its other fields and
// "[redacted]" for each of the two that is set.
type StandingOrderRequest struct {
	// Amount is paid at each payment.
	Amount money.Amount
	// StartDate is the first payment date, YYYY-MM-DD, no earlier than tomorrow.
	StartDate string
	// Frequency is Weekly, Monthly or Annually.
	Frequency Frequency
	// NumberOfPayments is how many payments are made; 0 means until cancelled.
	NumberOfPayments int
	// Reference is the merchant's reference.
	Reference string
	// ReturnURL and CancelURL are where the payer is sent afterwards.
	ReturnURL string
	CancelURL string
	// Description, PayerName and PayerBusinessName are optional.
	Description       string
	PayerName         string
	PayerBusinessName string
}

// describe is how a StandingOrderRequest prints: never the payer's names.
func (r StandingOrderRequest) describe() secret.Opaque {
	d := pairs.Set([]string{"amount", r.Amount.String()}, "startDate", r.StartDate, "frequency", string(r.Frequency))
	d = append(d, "numberOfPayments", strconv.Itoa(r.NumberOfPayments))
	d = pairs.Set(d, "reference", r.Reference, "returnUrl", r.ReturnURL, "cancelUrl", r.CancelURL, "description", r.Description)
	d = pairs.Redacted(d, "payerName", r.PayerName, "payerBusinessName", r.PayerBusinessName)
	return secret.Describe("trustist.StandingOrderRequest", d...)
}

// String shows the request without the payer's names.
func (r StandingOrderRequest) String() string { return r.describe().String() }

// GoString shows the request without the payer's names.
func (r StandingOrderRequest) GoString() string { return r.describe().GoString() }

// Format prints the request without the payer's names, whatever the verb.
func (r StandingOrderRequest) Format(f fmt.State, verb rune) { r.describe().Format(f, verb) }

// LogValue logs the request without the payer's names, also when it is logged by value.
func (r StandingOrderRequest) LogValue() slog.Value { return r.describe().LogValue() }

// StandingOrder is a standing order as Trustist reports it.
type StandingOrder struct {
	ID     string
	Status StandingOrderStatus
	// ProviderStatus is Trustist's own status text.
	ProviderStatus   string
	Amount           money.Amount
	StartDate        string
	Frequency        string
	NumberOfPayments int
	Reference        string
	// PayLink is where the payer sets the standing order up, while it is pending.
	PayLink string
}

type standingOrderRequestWire struct {
	Amount            json.Number `json:"amount"`
	StartDate         string      `json:"startDate"`
	Frequency         Frequency   `json:"frequency"`
	NumberOfPayments  int         `json:"numberOfPayments"`
	Reference         string      `json:"reference"`
	ReturnURL         string      `json:"returnUrl,omitempty"`
	CancelURL         string      `json:"cancelUrl,omitempty"`
	Description       string      `json:"description,omitempty"`
	PayerName         string      `json:"payerName,omitempty"`
	PayerBusinessName string      `json:"payerBusinessName,omitempty"`
}

type standingOrderWire struct {
	ID               string      `json:"id"`
	Status           string      `json:"status"`
	Amount           json.Number `json:"amount"`
	Currency         string      `json:"currency"`
	StartDate        string      `json:"startDate"`
	Frequency        string      `json:"frequency"`
	NumberOfPayments int         `json:"numberOfPayments"`
	Reference        string      `json:"reference"`
	PayLink          string      `json:"payLink"`
}

// CreateStandingOrder creates a standing order (POST /v1/standingorders, merchant key).
// The API takes no idempotency key: when the answer is lost the error is UnknownOutcome,
// and repeating the call may create a second standing order.
func (p *Client) CreateStandingOrder(ctx context.Context, req StandingOrderRequest) (*StandingOrder, error) {
	w, err := p.standingOrderBody(req)
	if err != nil {
		return nil, err
	}
	body, err := marshal(w)
	if err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: merchantKey, method: http.MethodPost, path: "/v1/standingorders", body: body, write: true, what: "standing order"})
	if err != nil {
		return nil, err
	}
	so, err := p.toStandingOrder(r)
	if err != nil {
		return nil, uncertainAnswer(r, err)
	}
	if !so.Amount.IsValid() {
		so.Amount = req.Amount
	}
	return so, nil
}

func (p *Client) standingOrderBody(req StandingOrderRequest) (*standingOrderRequestWire, error) {
	if !req.Amount.IsValid() || req.Amount.CheckPositive() != nil {
		return nil, provider.FieldError("Amount", "must be greater than zero")
	}
	if req.Amount.Currency() != p.currency {
		return nil, provider.FieldError("Amount", "is in %s; this Trustist account takes %s only", req.Amount.Currency(), p.currency)
	}
	start, err := time.Parse("2006-01-02", req.StartDate)
	if err != nil {
		return nil, provider.FieldError("StartDate", "must be a date in the form YYYY-MM-DD")
	}
	today := p.clock.Local().UTC().Truncate(24 * time.Hour)
	if !start.After(today) {
		return nil, provider.FieldError("StartDate", "must be no earlier than tomorrow")
	}
	var freq Frequency
	for _, f := range []Frequency{Weekly, Monthly, Annually} {
		if strings.EqualFold(string(req.Frequency), string(f)) {
			freq = f
		}
	}
	if freq == "" {
		return nil, provider.FieldError("Frequency", "must be Weekly, Monthly or Annually")
	}
	if req.NumberOfPayments < 0 {
		return nil, provider.FieldError("NumberOfPayments", "must not be negative (0 means until cancelled)")
	}
	if req.Reference == "" {
		return nil, provider.FieldError("Reference", "is required")
	}
	for field, v := range map[string]string{"ReturnURL": req.ReturnURL, "CancelURL": req.CancelURL} {
		if v == "" && field == "CancelURL" {
			continue
		}
		if u, err := url.Parse(v); err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, provider.FieldError(field, "must be an absolute http or https URL")
		}
	}
	return &standingOrderRequestWire{Amount: req.Amount.JSONNumber(), StartDate: req.StartDate, Frequency: freq,
		NumberOfPayments: req.NumberOfPayments, Reference: req.Reference, ReturnURL: req.ReturnURL, CancelURL: req.CancelURL,
		Description: req.Description, PayerName: req.PayerName, PayerBusinessName: req.PayerBusinessName}, nil
}

// GetStandingOrder returns a standing order (GET /v1/standingorders/{id}, merchant key).
func (p *Client) GetStandingOrder(ctx context.Context, id string) (*StandingOrder, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: merchantKey, method: http.MethodGet, path: "/v1/standingorders/" + url.PathEscape(id), what: "standing order"})
	if err != nil {
		return nil, err
	}
	so, err := p.toStandingOrder(r)
	if err != nil {
		return nil, badAnswer(r, err)
	}
	return so, nil
}

func (p *Client) toStandingOrder(r *reply) (*StandingOrder, error) {
	var w standingOrderWire
	if err := decode(r, &w); err != nil {
		return nil, err
	}
	if w.ID == "" {
		return nil, errorf("the answer carries no standing order id")
	}
	cur, err := p.answerCurrency(w.Currency)
	if err != nil {
		return nil, err
	}
	so := &StandingOrder{ID: w.ID, Status: standingOrderStatus(w.Status), ProviderStatus: w.Status, StartDate: w.StartDate,
		Frequency: w.Frequency, NumberOfPayments: w.NumberOfPayments, Reference: w.Reference, PayLink: w.PayLink}
	if w.Amount != "" {
		a, err := parseAmount(w.Amount, cur)
		if err != nil {
			return nil, err
		}
		so.Amount = a
	}
	return so, nil
}
