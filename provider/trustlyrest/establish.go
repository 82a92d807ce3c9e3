package trustlyrest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// establishData is the establish data the adapter sends
// (https://amer.developers.trustly.com/integrate/core-concepts/the-establish-data-object).
// Every value is a string, sent and signed byte for byte as written here.
type establishData struct {
	AccessID          string            `json:"accessId"`
	MerchantID        string            `json:"merchantId"`
	Description       string            `json:"description,omitempty"`
	Currency          string            `json:"currency"`
	Amount            string            `json:"amount"`
	MerchantReference string            `json:"merchantReference"`
	PaymentType       string            `json:"paymentType"`
	ReturnURL         string            `json:"returnUrl"`
	CancelURL         string            `json:"cancelUrl"`
	NotificationURL   string            `json:"notificationUrl,omitempty"`
	Customer          establishCustomer `json:"customer,omitzero"`
	Recurrence        *Recurrence       `json:"recurrence,omitempty"`
	// The options a BeforeSend hook reaches.
	EstablishOptions
	RequestSignature string `json:"requestSignature"`
}

type establishCustomer struct {
	CustomerID  string      `json:"customerId,omitempty"`
	ExternalID  string      `json:"externalId,omitempty"`
	Name        string      `json:"name,omitempty"`
	Phone       string      `json:"phone,omitempty"`
	Email       string      `json:"email,omitempty"`
	DateOfBirth string      `json:"dateOfBirth,omitempty"`
	NationalID  string      `json:"nationalId,omitempty"`
	Address     wireAddress `json:"address,omitzero"`
}

// signedFields appends the establish data's values under their dotted keys to f, for the
// request signature, in the order the signature covers them, which the signer reads
// without looking each key up.
func (e *establishData) signedFields(f []signing.Pair) []signing.Pair {
	add := func(k, v string) {
		if v != "" {
			f = append(f, signing.Pair{Key: k, Value: v})
		}
	}
	add("accessId", e.AccessID)
	add("merchantId", e.MerchantID)
	add("description", e.Description)
	add("currency", e.Currency)
	add("amount", e.Amount)
	add("displayAmount", e.DisplayAmount)
	add("merchantReference", e.MerchantReference)
	add("paymentType", e.PaymentType)
	add("timeZone", e.TimeZone)
	if r := e.Recurrence; r != nil {
		num := func(k string, n int64) {
			if n != 0 {
				add(k, strconv.FormatInt(n, 10))
			}
		}
		num("recurrence.startDate", r.StartDate)
		num("recurrence.endDate", r.EndDate)
		num("recurrence.frequency", int64(r.Frequency))
		num("recurrence.frequencyUnit", int64(r.FrequencyUnit))
		add("recurrence.frequencyUnitType", r.FrequencyUnitType)
		add("recurrence.recurringAmount", r.RecurringAmount)
	}
	c := &e.Customer
	add("customer.customerId", c.CustomerID)
	add("customer.externalId", c.ExternalID)
	add("customer.name", c.Name)
	add("customer.address.address1", c.Address.Address1)
	add("customer.address.address2", c.Address.Address2)
	add("customer.address.city", c.Address.City)
	add("customer.address.state", c.Address.State)
	add("customer.address.zip", c.Address.Zip)
	add("customer.address.country", c.Address.Country)
	add("customer.phone", c.Phone)
	add("customer.email", c.Email)
	add("customer.dateOfBirth", c.DateOfBirth)
	return f
}

// establish runs the request's BeforeSend hook on the establish options (and the
// recurrence of a mandate), signs the establish data and sends POST
// /establish?createTransaction=true.
func (c *Client) establish(ctx context.Context, est *establishData, hook provider.BeforeSend) (establishAnswer, error) {
	targets := []any{&est.EstablishOptions}
	var recurringAmount string
	if est.Recurrence != nil {
		targets = append(targets, est.Recurrence)
		recurringAmount = est.Recurrence.RecurringAmount
	}
	if err := hook.Run(targets...); err != nil {
		return establishAnswer{}, err
	}
	// A mandate's recurringAmount is its MaxAmount, which Charge enforces and the Gateway
	// records: the hook may describe a schedule but not change the cap.
	if est.Recurrence != nil && est.Recurrence.RecurringAmount != recurringAmount {
		return establishAnswer{}, provider.FieldError("MaxAmount",
			"the BeforeSend hook changed the recurrence's recurringAmount (%q) from the %q MaxAmount sets", est.Recurrence.RecurringAmount, recurringAmount)
	}
	est.AccessID, est.MerchantID = c.accessID, c.merchantID
	var fields [32]signing.Pair
	sig, err := c.signer.Sign(est.signedFields(fields[:0]))
	if err != nil {
		return establishAnswer{}, &provider.Error{Code: provider.InvalidRequest, Message: "the establish data cannot be signed", Err: err}
	}
	est.RequestSignature = sig
	raw, err := c.call(ctx, http.MethodPost, "/establish", establishQuery, &body{json: est}, isAction)
	if err != nil {
		return establishAnswer{}, err
	}
	// A 2xx answer that cannot be used still means Trustly may have established the
	// transaction: the outcome is unknown.
	a, err := decodeEstablishAnswer(raw)
	if err != nil {
		return establishAnswer{}, unreadableAnswer(fmt.Errorf("decoding the establish answer: %w", err))
	}
	if !validID(string(a.TransactionID)) {
		return establishAnswer{}, unreadableAnswer(errors.New("the establish answer carries no transactionId"))
	}
	if u, err := url.Parse(a.URL); err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") {
		return establishAnswer{}, unreadableAnswer(errors.New("the establish answer carries no absolute url"))
	}
	return a, nil
}

// establishQuery is the query of POST /establish.
const establishQuery = "createTransaction=true"

// customerData sets establish data's customer from a person, or refers to a customer kept
// at Trustly by its customerId alone
// (https://amer.developers.trustly.com/integrate/core-concepts/the-establish-data-object).
// It is the one place the adapter checks the customer of establish data, which every call
// that establishes sends: Pay (Deferred), CreateMandate (Recurring), an interactive Payout
// and an interactive VerifyAccount (both Disbursement), the payment types for which Trustly
// requires a customer. A customerId alone names a known customer and needs nothing else.
// A new customer needs the name, e-mail address, phone and address country: the
// establish data page stars name, address (country), phone and email, and the Customer
// schema of https://amer.developers.trustly.com/openapi.json requires them. The other
// address fields are sent when known ([I] the address is starred as a whole, but only its
// country is, within it; the adapter does not demand the street, city, state or zip).
func customerData(field string, p provider.Person, customerID string, est *establishData) error {
	if customerID != "" {
		if !validID(customerID) {
			return provider.FieldError("CustomerID", "must be a Trustly customerId (digits only)")
		}
		est.Customer = establishCustomer{CustomerID: customerID}
		return nil
	}
	name := strings.TrimSpace(p.FirstName + " " + p.LastName)
	if name == "" {
		return provider.FieldError(field+".FirstName", "or %s.LastName is required: Trustly needs the customer's name", field)
	}
	if p.Email == "" {
		return provider.FieldError(field+".Email", "is required by Trustly")
	}
	if p.Phone == "" {
		return provider.FieldError(field+".Phone", "is required by Trustly")
	}
	country := p.Country
	if p.Address != nil && p.Address.Country != "" {
		country = p.Address.Country
	}
	if country == "" {
		return provider.FieldError(field+".Country", "is required by Trustly (or %s.Address.Country)", field)
	}
	est.Customer = establishCustomer{ExternalID: p.ID, Name: name, Email: p.Email, Phone: p.Phone, DateOfBirth: p.DateOfBirth,
		NationalID: p.NationalID, Address: wireAddress{Country: country}}
	if a := p.Address; a != nil {
		ca := &est.Customer.Address
		ca.Address1, ca.Address2, ca.City, ca.State, ca.Zip = a.Line1, a.Line2, a.City, a.Region, a.PostalCode
	}
	return nil
}
