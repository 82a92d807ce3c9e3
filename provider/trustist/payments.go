package trustist

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Payment is a Trustist payment as the API answered it: the Detail of the payments Pay
// and GetPayment return, reached with provider.Payment.As and a **Payment target. A
// payment the Gateway answers from its journal (a repeated Pay) has none.
//
// Trustist documents id, status, amount and reference for GET /v1/payments/{id}
// (trustist.md §3.2), and id, payLink, payIdString and payerServicesUrl for the create
// answer (§3.1); the other members are read when the answer carries them. Raw holds the
// whole answer, for members this type does not name (no source publishes the card or
// bank details a payment may carry).
type Payment struct {
	ID string
	// Status is Trustist's own status text ("COMPLETE", "Pending", ...).
	Status string
	// Amount is the amount Trustist recorded, in the account's currency.
	Amount    money.Amount
	Reference string
	// Description, CustomerDetails and PayerEmail are echoed from the request, when the
	// answer carries them.
	Description     string
	CustomerDetails string
	PayerEmail      string
	// PaymentMethod is how the payer paid (the webhook example says "Bank Transfer";
	// trustist.md §4.1), when the answer says. [I]
	PaymentMethod string
	// PayLink is the hosted page; PayIDString the short payment id shown to the payer;
	// PayerServicesURL the payer's services page (its use is not published).
	PayLink          string
	PayIDString      string
	PayerServicesURL string
	Created          time.Time
	// Raw is the answer's JSON body as received: the read-back's, for Pay.
	Raw json.RawMessage
}

// describe is how a Payment prints: its id, status and amount, never the payer's
// details or the raw answer, which hold personal data.
func (p Payment) describe() secret.Opaque {
	return secret.Describe("trustist.Payment", "id", p.ID, "status", p.Status, "amount", p.Amount.String())
}

// String shows the payment's id, status and amount only.
func (p Payment) String() string { return p.describe().String() }

// GoString shows the payment's id, status and amount only.
func (p Payment) GoString() string { return p.describe().GoString() }

// Format prints the payment's id, status and amount only, whatever the verb.
func (p Payment) Format(f fmt.State, verb rune) { p.describe().Format(f, verb) }

// LogValue logs the payment's id, status and amount only. It takes the value, so that a
// payment logged by value is described too: a JSON handler would otherwise marshal its
// fields, the payer's details and the raw answer included.
func (p Payment) LogValue() slog.Value { return p.describe().LogValue() }

// paymentWire is a payment as the API returns it. encoding/json matches member names
// case-insensitively, so PascalCase answers decode too.
type paymentWire struct {
	ID        string      `json:"id"`
	Status    string      `json:"status"`
	Amount    json.Number `json:"amount"`
	Currency  string      `json:"currency"`
	Reference string      `json:"reference"`
	PayLink   string      `json:"payLink"`
	Created   string      `json:"created"`
	// Members kept in the Payment detail only.
	Description      string `json:"description"`
	CustomerDetails  string `json:"customerDetails"`
	PayerEmail       string `json:"payerEmail"`
	PaymentMethod    string `json:"paymentMethod"`
	PayIDString      string `json:"payIdString"`
	PayerServicesURL string `json:"payerServicesUrl"`
}

// Pay implements provider.Provider: POST /v1/payments with the merchant key, sent once.
// The result has Status requires_action and RedirectURL set to the payLink, where the
// payer chooses how to pay. The create answer Trustist documents carries no amount, so
// Pay then reads the payment back (GET /v1/payments/{id}) for the amount it recorded.
//
// The adapter keeps no idempotency state. The Trustist API takes no idempotency key, so
// idempotency lives in the Gateway's operations journal: the Gateway records the call
// before Pay is reached, answers a repeat with the recorded payment, and never calls Pay
// again for a key whose earlier attempt may have created a payment. Pay's error says
// which it was:
//   - nothing was created — a 503 or 429 (refused before processing), a request that
//     never left: ProviderUnavailable or RateLimited, and a repeat with the key sends
//     again;
//   - a payment may exist — no answer after the request was sent, a 500, 501, 502, 504
//     or other 5xx, a 2xx answer that cannot be read, whose Server-Authorization does not
//     verify or that carries no payLink: UnknownOutcome;
//   - the payment was created but its read-back failed: UnknownOutcome naming the
//     payment, with the read's HTTP status and correlation id.
//
// Trustist offers no look-up by reference, so the adapter implements no
// provider.Resolver and an uncertain Pay is never sent again, however old. It settles
// when a notification about the payment (payment.created or a later one), confirmed by
// VerifyNotification, reaches the notification handler of a Gateway on the same journal
// and matches the call by reference and amount — a repeat with the key then returns the
// payment — or when an operator records its outcome (Gateway.Journal). Whether that holds
// across a restart, or for another instance, depends on the journal: the default
// in-memory one is lost with the process, package journal/pgjournal shared by every
// instance is not.
//
// The merchant reference is sent as Trustist's reference, which Trustist describes as
// unique; Payer names become customerDetails, Payer.Email payerEmail, Description
// description and CustomerID customerId. Metadata, Payer.Phone, Payer.DateOfBirth,
// Payer.NationalID and Payer.Address have no place in the request: Capabilities leaves
// them out of RequestFields, so the Gateway refuses them by name. CaptureManual is
// refused (NotSupported): Trustist has no authorization hold. NotificationURL is not sent:
// payment webhooks are configured per merchant in the TrustistTransfer portal.
//
// req.BeforeSend reaches the body as a **PaymentBody target; the result's Detail is a
// *Payment.
func (p *Client) Pay(ctx context.Context, req *provider.PaymentRequest) (*provider.Payment, error) {
	body, err := p.paymentBody(req)
	if err != nil {
		return nil, err
	}
	return p.createPayment(ctx, body)
}

// mergeReadBack completes a payment known from its create answer with what GET
// /v1/payments/{id} reported: the amount, and the status, reference and creation time
// when the create answer had none. The payLink of the create answer is kept.
func mergeReadBack(pm, got *provider.Payment) {
	pm.Amount, pm.Refunded = got.Amount, got.Refunded
	if d, ok := got.Detail.(*Payment); ok {
		if created, ok := pm.Detail.(*Payment); ok {
			// The create answer alone is documented to carry these.
			d.PayLink = cmp.Or(d.PayLink, created.PayLink)
			d.PayIDString = cmp.Or(d.PayIDString, created.PayIDString)
			d.PayerServicesURL = cmp.Or(d.PayerServicesURL, created.PayerServicesURL)
		}
		pm.Detail = d
	}
	if pm.ProviderStatus == "" {
		pm.ProviderStatus = got.ProviderStatus
	}
	if got.Status.Final() || pm.RedirectURL == "" {
		pm.Status, pm.ProviderStatus, pm.RedirectURL = got.Status, got.ProviderStatus, got.RedirectURL
	}
	if pm.MerchantReference == "" {
		pm.MerchantReference = got.MerchantReference
	}
	if pm.CreatedAt.IsZero() {
		pm.CreatedAt = got.CreatedAt
	}
}

// maxPayment is the most one payment may be, in major units. Trustist publishes no limit;
// its payments are UK open-banking payments, which travel over Faster Payments, whose
// scheme limit per payment is £1 million
// (https://www.wearepay.uk/what-we-do/payment-systems/faster-payment-system/). [I]
const maxPayment = "1000000"

// paymentBody checks what Trustist asks of req beyond the Gateway's checks (the amount
// is valid, positive and in the account's currency, Capabilities.Currencies), builds the
// body, runs req.BeforeSend on it, checks it again and encodes it.
func (p *Client) paymentBody(req *provider.PaymentRequest) ([]byte, error) {
	if req.Capture == provider.CaptureManual {
		return nil, provider.NotSupportedf("Trustist has no authorization hold: a payment completes when the payer " +
			"approves it, and no capture or void endpoint exists (trustist.md §3.1, §3.8); leave Capture empty")
	}
	if c, err := req.Amount.Cmp(money.MustNew(maxPayment, req.Amount.Currency().String())); err != nil || c > 0 {
		return nil, provider.FieldError("Amount", "is above %s %s, the most one open-banking payment can carry", maxPayment, req.Amount.Currency())
	}
	if req.MerchantReference == "" {
		return nil, provider.FieldError("MerchantReference", "is required (it becomes Trustist's unique payment reference)")
	}
	if req.ReturnURL == "" {
		return nil, provider.FieldError("ReturnURL", "is required")
	}
	b := PaymentBody{
		Amount:          req.Amount.JSONNumber(),
		Reference:       req.MerchantReference,
		ReturnURL:       req.ReturnURL,
		CancelURL:       req.CancelURL,
		Description:     req.Description,
		CustomerDetails: strings.TrimSpace(req.Payer.FirstName + " " + req.Payer.LastName),
		PayerEmail:      req.Payer.Email,
		CustomerID:      req.CustomerID,
	}
	if err := req.BeforeSend.Run(&b); err != nil {
		return nil, err
	}
	if err := b.check(req); err != nil {
		return nil, err
	}
	return marshal(&b)
}

// createPayment sends POST /v1/payments and, because the documented create answer
// carries id, payLink, payIdString and payerServicesUrl but no amount, reads the payment
// back with GET /v1/payments/{id}.
func (p *Client) createPayment(ctx context.Context, body []byte) (*provider.Payment, error) {
	r, err := p.send(ctx, call{scope: merchantKey, method: http.MethodPost, path: "/v1/payments", body: body, write: true, what: "payment"})
	if err != nil {
		return nil, err
	}
	pm, err := p.decodePayment(r)
	if err != nil {
		return nil, uncertainAnswer(r, err)
	}
	if pm.RedirectURL == "" && !pm.Status.Final() {
		// The payment exists but the payer cannot be sent to it. Like any other unusable
		// 2xx answer to a write, its outcome is unknown to the caller: a repeat with the
		// same key must not create a second payment.
		return nil, &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: r.status, CorrelationID: r.correlationID,
			Message: "Trustist created payment " + quote(pm.ID) + " but returned no payLink to send the payer to"}
	}
	if !pm.Status.Final() {
		pm.Status = provider.PaymentRequiresAction
	}
	if !pm.Amount.IsValid() {
		got, err := p.GetPayment(ctx, pm.ID)
		if err != nil {
			return nil, readBackError(pm.ID, err)
		}
		mergeReadBack(pm, got)
	}
	return pm, nil
}

// readBackError reports a payment that was created but could not be read back. Whatever
// the read's failure (a cancelled context, a 404 from a replica not yet aware of the
// payment, a 5xx), the code is UnknownOutcome: the payment exists, so the call must not
// be sent again, and the Gateway keeps it uncertain until the payment's notification or
// an operator settles it. The read's HTTP status and correlation id are kept.
func readBackError(id string, err error) error {
	e := &provider.Error{Code: provider.UnknownOutcome, Err: err, ObjectID: id,
		Message: "payment " + quote(id) + " was created but could not be read back; read it with GetPayment " +
			"instead of paying again"}
	var pe *provider.Error
	if errors.As(err, &pe) {
		e.HTTPStatus, e.CorrelationID = pe.HTTPStatus, pe.CorrelationID
	}
	return e
}

// uncertainAnswer reports a 2xx answer to a write that could not be understood.
func uncertainAnswer(r *reply, err error) error {
	return &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: r.status, CorrelationID: r.correlationID,
		Message: "Trustist accepted the request but its answer could not be read", Err: err}
}

// GetPayment implements provider.Provider: GET /v1/payments/{id} with the merchant key.
func (p *Client) GetPayment(ctx context.Context, id string) (*provider.Payment, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: merchantKey, method: http.MethodGet, path: "/v1/payments/" + url.PathEscape(id), what: "payment"})
	if err != nil {
		return nil, err
	}
	pm, err := p.decodePayment(r)
	if err != nil {
		return nil, badAnswer(r, err)
	}
	if !pm.Amount.IsValid() {
		return nil, badAnswer(r, errNoAmount)
	}
	if !strings.EqualFold(pm.ID, id) {
		// An answer about another payment (a caching proxy, a routing fault) must not
		// stand for this one: a webhook would otherwise confirm the wrong payment.
		return nil, badAnswer(r, errOtherPayment)
	}
	return pm, nil
}

// errOtherPayment reports an answer to a payment read that describes another payment.
var errOtherPayment = errors.New("the answer describes another payment")

// answerCurrency parses the currency an answer names, or gives the account's currency
// when it names none.
func (p *Client) answerCurrency(code string) (money.Currency, error) {
	if code == "" {
		return p.currency, nil
	}
	return money.ParseCurrency(code)
}

// decodePayment reads a payment answer and converts it.
func (p *Client) decodePayment(r *reply) (*provider.Payment, error) {
	w, err := decodePaymentWire(r.body)
	if err != nil {
		return nil, err
	}
	return p.toPayment(&w, r)
}

// decodePaymentWire reads a payment answer.
func decodePaymentWire(body []byte) (paymentWire, error) {
	var w paymentWire
	err := json.Unmarshal(body, &w)
	return w, err
}

// toPayment converts an API payment.
func (p *Client) toPayment(w *paymentWire, r *reply) (*provider.Payment, error) {
	if w.ID == "" {
		return nil, errorf("the answer carries no payment id")
	}
	cur, err := p.answerCurrency(w.Currency)
	if err != nil {
		return nil, err
	}
	pm := &provider.Payment{
		ID:                w.ID,
		Provider:          Name,
		Status:            paymentStatus(w.Status),
		ProviderStatus:    w.Status,
		MerchantReference: w.Reference,
		CreatedAt:         parseTime(w.Created),
	}
	if w.Amount != "" {
		a, err := parseAmount(w.Amount, cur)
		if err != nil {
			return nil, err
		}
		pm.Amount = a
		pm.Refunded = money.FromMinorCurrency(0, cur)
	}
	pm.Detail = &Payment{ID: w.ID, Status: w.Status, Amount: pm.Amount, Reference: w.Reference, Description: w.Description,
		CustomerDetails: w.CustomerDetails, PayerEmail: w.PayerEmail, PaymentMethod: w.PaymentMethod, PayLink: w.PayLink,
		PayIDString: w.PayIDString, PayerServicesURL: w.PayerServicesURL, Created: pm.CreatedAt,
		Raw: json.RawMessage(slices.Clone(r.body))}
	if !pm.Status.Final() && w.PayLink != "" {
		if u, err := url.Parse(w.PayLink); err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, errorf("the payLink is not an absolute http(s) URL")
		}
		pm.RedirectURL = w.PayLink
	}
	return pm, nil
}

// decode reads a JSON answer. Amounts are read into json.Number fields, which keep the
// number's text exactly.
func decode(r *reply, v any) error {
	return json.Unmarshal(r.body, v)
}

// badAnswer reports an answer to a read that could not be understood.
func badAnswer(r *reply, err error) error {
	return &provider.Error{Code: provider.Internal, HTTPStatus: r.status, CorrelationID: r.correlationID,
		Message: "Trustist's answer could not be understood", Err: err}
}

// checkID refuses ids that cannot name a Trustist object, before anything is sent.
func checkID(field, id string) error {
	if id == "" || len(id) > 256 {
		return provider.FieldError(field, "must be 1 to 256 characters")
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= 0x20 || c >= 0x7f {
			return provider.FieldError(field, "must be printable ASCII without spaces")
		}
	}
	return nil
}

// parseTime reads an ISO-8601 time, or returns the zero time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
