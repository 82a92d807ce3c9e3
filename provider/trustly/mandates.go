package trustly

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// Mandates are Trustly Direct Debit (TDD): SelectAccount with the attribute
// RequestDirectDebitMandate "1" has the payer approve a mandate on Trustly's page, the
// account notification names the account and whether its mandate is registered
// (attributes.directdebitmandate), and Charge collects from that account
// (https://eu.developers.trustly.com/doc/docs/trading-recurring-payments,
// https://docs.trustly.com/api/charge; Trustly's Java client,
// SelectAccountRequestDataAttributes.java and AccountNotificationDataAttributes.java).
// Trustly no longer offers TDD to new merchants and points them to Merchant Direct Debit
// (MDD: DirectDebitMandate, DirectDebit, CancelDirectDebitMandate), which none of
// Trustly's official clients implements; this adapter implements TDD, which they do.
//
// Mandate.ID is the SelectAccount's orderid. Charge needs the account's accountid, which
// only the account notification gives: while verifying it, the adapter records the
// accountid with the order through provider.Calls.MarkKept, in the Gateway's journal, so
// that every instance sharing the journal, and a restarted process, can charge the
// mandate — for as long as it lasts: the journal keeps a mandate's record, and these
// marks, past its retention.
// The payer's EndUserID and Email, which Charge must send again, are recorded the same way
// when the mandate is created. The mandate operations therefore need a Gateway (its
// journal): called on the Client alone, Charge and GetMandate refuse.

// Marks recorded through provider.Calls for mandates.
const (
	// markMandatePayer, by the CreateMandate call's idempotency key: the mandateRecord.
	markMandatePayer = "trustly.mandate.payer"
	// markMandatePending, by orderid: the accountid of an account notification with
	// directdebitmandate 0 (the mandate is on its way to the bank).
	markMandatePending = "trustly.mandate.pending"
	// markMandateActive, by orderid: the accountid of an account notification with
	// directdebitmandate 1 (the mandate is registered; Charge may use it).
	markMandateActive = "trustly.mandate.active"
	// markMandateFailed, by orderid: the notificationid of the cancel that ended the
	// SelectAccount (the payer declined or left).
	markMandateFailed = "trustly.mandate.failed"
)

// mandateRecord is what CreateMandate records for Charge: what a Charge must send again
// and what it is checked against.
type mandateRecord struct {
	EndUserID string `json:"enduserid"`
	Email     string `json:"email"`
	Currency  string `json:"currency"`
}

// CreateMandate implements provider.MandateManager with a SelectAccount whose attribute
// RequestDirectDebitMandate is "1". Trustly requires the payer's Email with it, and the
// names, country and locale every SelectAccount needs; Payer.DateOfBirth is sent as
// DateOfBirth. The result is MandateRequiresAction with the page's URL; its ID is the
// SelectAccount's orderid, its Detail an *OrderResult. MerchantReference is the
// MessageID.
//
// Through a Gateway, the payer's end user id and e-mail and the currency, which every
// Charge of the mandate sends or is checked against, are recorded in the journal under the
// idempotency key before the request is sent, and kept. An idempotency key whose earlier
// CreateMandate the journal let go (refused unprocessed, or forgotten by an operator) is
// therefore refused, naming IdempotencyKey, for another payer or currency: use a new key.
func (c *Client) CreateMandate(ctx context.Context, req *provider.MandateRequest) (*provider.Mandate, error) {
	notifyURL := c.notificationURL(req.NotificationURL)
	if err := checkNotificationURL("NotificationURL", notifyURL); err != nil {
		return nil, err
	}
	if req.Payer.Email == "" {
		return nil, provider.FieldError("Payer.Email", "is required by Trustly with a direct-debit mandate (RequestDirectDebitMandate)")
	}
	attrs := map[string]any{"SuccessURL": req.ReturnURL, "FailURL": req.CancelURL, "RequestDirectDebitMandate": "1"}
	if req.CancelURL == "" {
		attrs["FailURL"] = req.ReturnURL
	}
	if err := personAttributes("Payer", &req.Payer, attrs); err != nil {
		return nil, err
	}
	optional(attrs, "DateOfBirth", req.Payer.DateOfBirth)
	attrs, err := runHook(req.BeforeSend, "SelectAccount", attrs, selectAccountFixed)
	if err != nil {
		return nil, err
	}
	if calls := provider.CallsFrom(ctx); calls != nil {
		// Recorded before sending, under the call's idempotency key: a repeat of the
		// call is the identical request and records the same. The first record stays:
		// one of another payer or currency was made by an earlier call with the key that
		// the journal then let go (refused unprocessed, or forgotten), and it would stand
		// for this mandate in its charges.
		rec, _ := json.Marshal(mandateRecord{EndUserID: req.Payer.ID, Email: req.Payer.Email, Currency: req.Currency.String()})
		first, err := calls.MarkKept(ctx, markMandatePayer, req.IdempotencyKey, string(rec))
		if err != nil {
			return nil, fmt.Errorf("trustly: recording the mandate's payer in the journal: %w", err)
		}
		if first != string(rec) {
			return nil, provider.FieldError("IdempotencyKey", "was used by an earlier CreateMandate for another payer or "+
				"currency, whose details the journal keeps for the charges of that key's mandate; use a new idempotency key")
		}
	}
	r := &rpc{method: "SelectAccount", uuid: c.requestUUID("SelectAccount+DirectDebitMandate", req.IdempotencyKey), write: true,
		person: "Payer",
		data: map[string]any{
			"NotificationURL": notifyURL,
			"EndUserID":       req.Payer.ID,
			"MessageID":       req.MerchantReference,
			"Attributes":      attrs,
		}}
	o, err := c.openOrder(ctx, r)
	if err != nil {
		return nil, err
	}
	return &provider.Mandate{ID: o.OrderID, Provider: Name, Status: provider.MandateRequiresAction, RedirectURL: o.URL,
		Currency: req.Currency, MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey,
		CreatedAt: time.Now(), Detailed: provider.Detailed{Detail: o}}, nil
}

// mandateState is what the journal knows of a mandate created through a Gateway.
type mandateState struct {
	call    provider.Call
	record  mandateRecord
	status  provider.MandateStatus
	account string // the accountid Charge uses, once active
}

// mandate reads what the journal knows of mandate id: NotFound when no CreateMandate of
// this merchant created it.
func mandate(ctx context.Context, id string) (*mandateState, error) {
	calls := provider.CallsFrom(ctx)
	if calls == nil {
		return nil, provider.Errorf(provider.InvalidRequest, "a Trustly mandate is read from the Gateway's journal, where the "+
			"account notification recorded its account; call it through a paybridge Gateway")
	}
	call, ok, err := calls.ByProviderID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok || call.Op != provider.OpCreateMandate {
		return nil, &provider.Error{Code: provider.NotFound, Field: "MandateID",
			Message: fmt.Sprintf("no mandate %q was created through a Gateway sharing this journal", id)}
	}
	st := &mandateState{call: call, status: provider.MandateRequiresAction}
	if text, err := calls.Marked(ctx, markMandatePayer, call.Key); err != nil {
		return nil, err
	} else if text != "" {
		if err := json.Unmarshal([]byte(text), &st.record); err != nil {
			return nil, &provider.Error{Code: provider.Internal, Message: "the journal's record of mandate " + id + " cannot be read"}
		}
	}
	for _, m := range []struct {
		name   string
		status provider.MandateStatus
	}{{markMandateFailed, provider.MandateFailed}, {markMandateActive, provider.MandateActive}, {markMandatePending, provider.MandatePending}} {
		v, err := calls.Marked(ctx, m.name, id)
		if err != nil {
			return nil, err
		}
		if v != "" {
			st.status = m.status
			if m.status == provider.MandateActive {
				st.account = v
			}
			break
		}
	}
	return st, nil
}

// GetMandate implements provider.MandateManager. Trustly has no call that reads a
// mandate, so the answer is what the verified notifications of the mandate's
// SelectAccount, recorded in the Gateway's journal, have said: MandateRequiresAction
// until the account notification, MandatePending after one with directdebitmandate 0,
// MandateActive after one with directdebitmandate 1, MandateFailed after a cancel. A
// mandate the payer or the bank ends later is not reported by TDD at all (it has no such
// notification); a Charge of it is then rejected by Trustly (ERROR_MANDATE_NOT_FOUND).
func (c *Client) GetMandate(ctx context.Context, id string) (*provider.Mandate, error) {
	st, err := mandate(ctx, id)
	if err != nil {
		return nil, err
	}
	m := &provider.Mandate{ID: id, Provider: Name, Status: st.status, MerchantReference: st.call.Reference,
		IdempotencyKey: st.call.Key, CreatedAt: st.call.CreatedAt}
	if cur, err := money.ParseCurrency(st.record.Currency); err == nil {
		m.Currency = cur
	}
	return m, nil
}

// CancelMandate implements provider.MandateManager. TDD has no documented way to cancel a
// mandate (only CancelCharge, for one charge with a future PaymentDate), so it always
// returns a NotSupported error; Capabilities lists OpCancelMandate as Unavailable.
// CancelCharge stays on the Client, reached with Gateway.As.
func (c *Client) CancelMandate(context.Context, *provider.CancelMandateRequest) (*provider.Mandate, error) {
	return nil, provider.NotSupportedf("%s", noCancelMandate)
}

const noCancelMandate = "Trustly Direct Debit documents no cancellation of a mandate, only CancelCharge of a charge " +
	"with a future PaymentDate (on the Client, through Gateway.As); Merchant Direct Debit's CancelDirectDebitMandate is " +
	"implemented by none of Trustly's clients, nor by this adapter"

// statementRE is what Trustly accepts in a Charge's ShopperStatement
// (https://docs.trustly.com/api/charge).
var statementRE = regexp.MustCompile(`^[A-Za-z0-9._\- ]+$`)

// ChargeResult is Trustly's answer to Charge or CancelCharge. It is the Detail of the
// Payment Charge returns (reach it with Payment.As and a **ChargeResult target).
type ChargeResult struct {
	// OrderID of the charge; empty when rejected (and for CancelCharge).
	OrderID string
	// Accepted reports result "1".
	Accepted bool
	// Rejected is Trustly's reason when not accepted, e.g. "ERROR_MANDATE_NOT_FOUND".
	Rejected string
}

// Charge implements provider.MandateManager with Trustly's Charge of the mandate's
// account. MerchantReference is the MessageID; the EndUserID and the Email Trustly
// requires are the mandate's payer's; the ShopperStatement Trustly requires is
// Description, else Config.ShopperStatement, else what the BeforeSend hook sets (A–Z,
// a–z, 0–9, '.', '-', '_' and space; the bank statement shows the first 7 characters).
// The hook may also set PaymentDate (YYYY-MM-DD) to schedule the charge, and
// ExternalReference. An accepted charge is PaymentPending, with MandateID set and a
// *ChargeResult as Detail; Trustly reports it with pending, then credit (or cancel)
// notifications on its order, which are payment events of this payment. A charge
// Trustly rejects (ERROR_MANDATE_NOT_FOUND, ERROR_ACCOUNT_NOT_FOUND) is an InvalidRequest
// error, as is a charge of a mandate that is not active as far as the journal knows.
func (c *Client) Charge(ctx context.Context, req *provider.ChargeRequest) (*provider.Payment, error) {
	if err := checkAmount("Amount", req.Amount); err != nil {
		return nil, err
	}
	notifyURL := c.notificationURL(req.NotificationURL)
	if err := checkNotificationURL("NotificationURL", notifyURL); err != nil {
		return nil, err
	}
	st, err := mandate(ctx, req.MandateID)
	if err != nil {
		return nil, err
	}
	switch {
	case st.record.EndUserID == "" || st.record.Email == "":
		return nil, provider.FieldError("MandateID", "names a mandate whose payer the journal did not record; create it again")
	case st.record.Currency != req.Amount.Currency().String():
		return nil, provider.FieldError("Amount", "must be in the mandate's currency, %s", st.record.Currency)
	case st.status != provider.MandateActive:
		return nil, &provider.Error{Code: provider.InvalidRequest, Field: "MandateID",
			Message: fmt.Sprintf("mandate %s is %s, not active: Trustly has not reported its direct-debit mandate registered "+
				"(an account notification with directdebitmandate 1)", req.MandateID, st.status)}
	}
	statement := req.Description
	if statement == "" {
		statement = c.s.statement
	}
	attrs := map[string]any{"Email": st.record.Email}
	optional(attrs, "ShopperStatement", statement)
	attrs, err = runHook(req.BeforeSend, "Charge", attrs, []string{"Email"})
	if err != nil {
		return nil, err
	}
	switch s, _ := attrs["ShopperStatement"].(string); {
	case s == "":
		return nil, provider.FieldError("Description", "is required by Trustly as the charge's shopper statement (or set Config.ShopperStatement, or Attributes.ShopperStatement in BeforeSend)")
	case !statementRE.MatchString(s):
		return nil, provider.FieldError("Description", "is the charge's shopper statement, which Trustly takes only in A-Z, a-z, 0-9, '.', '-', '_' and space")
	}
	if d, ok := attrs["PaymentDate"]; ok {
		if s, _ := d.(string); !validDate(s) {
			return nil, hookRefused("Attributes.PaymentDate must be a date, YYYY-MM-DD")
		}
	}
	res, err := c.call(ctx, &rpc{method: "Charge", uuid: c.requestUUID("Charge", req.IdempotencyKey), write: true,
		data: map[string]any{
			"AccountID": st.account, "NotificationURL": notifyURL, "EndUserID": st.record.EndUserID,
			"MessageID": req.MerchantReference, "Amount": req.Amount.Fixed(), "Currency": req.Amount.Currency().String(),
			"Attributes": attrs,
		}})
	if err != nil {
		return nil, err
	}
	cr := chargeResult(res)
	if !cr.Accepted {
		code := provider.Declined
		switch cr.Rejected {
		case "ERROR_MANDATE_NOT_FOUND", "ERROR_ACCOUNT_NOT_FOUND", "ERROR_DIRECT_DEBIT_NOT_ALLOWED":
			code = provider.InvalidRequest
		}
		return nil, &provider.Error{Code: code, Field: "MandateID", ProviderCode: cr.Rejected,
			Message: "Trustly rejected the charge of mandate " + req.MandateID}
	}
	if cr.OrderID == "" {
		return nil, badAnswer("Charge", "orderid")
	}
	now := time.Now()
	return &provider.Payment{ID: cr.OrderID, Provider: Name, Status: provider.PaymentPending, ProviderStatus: "accepted",
		Amount: req.Amount, MerchantReference: req.MerchantReference, IdempotencyKey: req.IdempotencyKey,
		MandateID: req.MandateID, CreatedAt: now, UpdatedAt: now, Detailed: provider.Detailed{Detail: cr}}, nil
}

func validDate(s string) bool {
	_, err := time.Parse(dateLayout, s)
	return err == nil && len(s) == len(dateLayout)
}
