package trustist_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// creates counts the POST /v1/payments requests the simulator received.
func (e *env) creates() int {
	n := 0
	for _, r := range e.requests() {
		if r.method == "POST" && r.path == "/v1/payments" {
			n++
		}
	}
	return n
}

// TestBeforeSendReachesPaymentBody: the hook's as function sets a **PaymentBody target to
// the body Pay sends; what it sets there reaches Trustist in the documented members, the
// workflow mode in its documented spelling; and the result's Detail is the decoded
// payment.
func TestBeforeSendReachesPaymentBody(t *testing.T) {
	for _, full := range []bool{false, true} {
		e := start(t, trustistsim.Options{FullCreateAnswer: full}, nil)
		req := payReq(t, "25.50", "opts-1")
		req.IdempotencyKey = "opts-key"
		var hooked, other int
		req.BeforeSend = func(as func(any) bool) error {
			hooked++
			var s *string
			if as(&s) || as(new(trustist.PaymentBody)) {
				other++
			}
			var b *trustist.PaymentBody
			if !as(&b) {
				return errors.New("no **trustist.PaymentBody target")
			}
			if b.Amount != "25.50" || b.Reference != "opts-1" || b.CustomerDetails != "Ada Lovelace" {
				return errors.New("the body does not hold the neutral request: " + string(b.Amount) + " " + b.Reference)
			}
			b.Workflow = &trustist.Workflow{Mode: "remoteOnly"}
			b.LogoURL = "https://shop.example.com/logo.png"
			b.PartnerID = "4CUEP4lP0xGaDAMF6CwzAQ"
			b.PartnerReference = "partner-order-9"
			b.CustomerDetails = "Ada King, Countess of Lovelace"
			return nil
		}
		p, err := e.gw.Pay(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if hooked != 1 || other != 0 {
			t.Fatalf("hook ran %d times, %d targets of other types set; want once, none", hooked, other)
		}
		var sent map[string]any
		for _, r := range e.requests() {
			if r.method == "POST" && r.path == "/v1/payments" {
				if err := json.Unmarshal(r.body, &sent); err != nil {
					t.Fatal(err)
				}
			}
		}
		wf, _ := sent["workflow"].(map[string]any)
		if wf["mode"] != "RemoteOnly" || sent["logoUrl"] != "https://shop.example.com/logo.png" ||
			sent["partnerId"] != "4CUEP4lP0xGaDAMF6CwzAQ" || sent["partnerReference"] != "partner-order-9" ||
			sent["customerDetails"] != "Ada King, Countess of Lovelace" || sent["description"] != "test order" {
			t.Errorf("sent %v; want the hook's options in the documented members", sent)
		}
		got, ok := e.sim.PaymentOptions(p.ID)
		if !ok || got.WorkflowMode != "RemoteOnly" || got.PartnerReference != "partner-order-9" {
			t.Errorf("the simulator kept %+v, %v", got, ok)
		}

		var d *trustist.Payment
		if !p.As(&d) || d == nil {
			t.Fatalf("Payment.As(**trustist.Payment) = false; Detail %T", p.Detail)
		}
		if d.ID != p.ID || !d.Amount.Equal(p.Amount) || d.Reference != "opts-1" || d.Status == "" ||
			d.PayIDString == "" || d.PayLink != p.RedirectURL || d.Created.IsZero() || !json.Valid(d.Raw) ||
			!strings.Contains(string(d.Raw), p.ID) {
			t.Errorf("full create answer %v: detail %+v does not describe payment %s", full, d, p.ID)
		}
		var s *string
		if p.As(&s) || p.As(nil) {
			t.Error("Payment.As set a target of a type the adapter does not hand out")
		}

		// GetPayment carries the detail too; a repeat answered from the journal has none.
		again, err := e.gw.GetPayment(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !again.As(&d) || d.ID != p.ID {
			t.Errorf("GetPayment's detail: %+v", d)
		}
		req.BeforeSend = nil
		rep, err := e.gw.Pay(context.Background(), req)
		if err != nil || rep.ID != p.ID || e.creates() != 1 || rep.Detail != nil {
			t.Fatalf("repeat: %+v, %v, %d creates; want the journal's payment, without detail", rep, err, e.creates())
		}
	}
}

// TestBeforeSendRefusals: a hook's error, a value Trustist documents as invalid and a
// change to what the journal recorded are refused before anything is sent, naming the
// field.
func TestBeforeSendRefusals(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	for name, tc := range map[string]struct {
		set   func(b *trustist.PaymentBody) error
		field string
	}{
		"hook error":        {func(*trustist.PaymentBody) error { return errors.New("no options today") }, ""},
		"workflow mode":     {func(b *trustist.PaymentBody) error { b.Workflow = &trustist.Workflow{Mode: "Fast"}; return nil }, "PaymentBody.Workflow.Mode"},
		"empty mode":        {func(b *trustist.PaymentBody) error { b.Workflow = &trustist.Workflow{}; return nil }, "PaymentBody.Workflow.Mode"},
		"partner id":        {func(b *trustist.PaymentBody) error { b.PartnerID = "partner-1"; return nil }, "PaymentBody.PartnerID"},
		"logo over http":    {func(b *trustist.PaymentBody) error { b.LogoURL = "http://shop.example.com/l.png"; return nil }, "PaymentBody.LogoURL"},
		"relative logo":     {func(b *trustist.PaymentBody) error { b.LogoURL = "/l.png"; return nil }, "PaymentBody.LogoURL"},
		"two-line details":  {func(b *trustist.PaymentBody) error { b.CustomerDetails = "Ada\nLovelace"; return nil }, "PaymentBody.CustomerDetails"},
		"payer email":       {func(b *trustist.PaymentBody) error { b.PayerEmail = "Ada <ada@example.com>"; return nil }, "PaymentBody.PayerEmail"},
		"cancel url":        {func(b *trustist.PaymentBody) error { b.CancelURL = "ftp://x"; return nil }, "PaymentBody.CancelURL"},
		"no return url":     {func(b *trustist.PaymentBody) error { b.ReturnURL = ""; return nil }, "PaymentBody.ReturnURL"},
		"amount changed":    {func(b *trustist.PaymentBody) error { b.Amount = "1.00"; return nil }, "PaymentBody.Amount"},
		"reference changed": {func(b *trustist.PaymentBody) error { b.Reference = "other"; return nil }, "PaymentBody.Reference"},
	} {
		t.Run(name, func(t *testing.T) {
			req := payReq(t, "10.00", "refused-"+strings.ReplaceAll(name, " ", "-"))
			req.BeforeSend = func(as func(any) bool) error {
				var b *trustist.PaymentBody
				if !as(&b) {
					return errors.New("no body")
				}
				return tc.set(b)
			}
			_, err := e.gw.Pay(context.Background(), req)
			pe := wantCode(t, err, provider.InvalidRequest)
			if tc.field != "" && !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q (field %q) does not name %s", err, pe.Field, tc.field)
			}
			if n := e.creates(); n != 0 {
				t.Errorf("%d payments sent; want none", n)
			}
		})
	}
}

// TestRequestFieldsRefusedNotDropped: the fields a hosted Trustist payment has no place
// for are refused by name before anything is sent, as is a manual capture; those it
// carries are sent.
func TestRequestFieldsRefusedNotDropped(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	for field, set := range map[string]func(r *paybridge.PaymentRequest){
		"Metadata":          func(r *paybridge.PaymentRequest) { r.Metadata = map[string]string{"order": "1"} },
		"Payer.Phone":       func(r *paybridge.PaymentRequest) { r.Payer.Phone = "+447700900000" },
		"Payer.DateOfBirth": func(r *paybridge.PaymentRequest) { r.Payer.DateOfBirth = "1990-12-10" },
		"Payer.NationalID":  func(r *paybridge.PaymentRequest) { r.Payer.NationalID = "QQ123456C" },
		"Payer.Address": func(r *paybridge.PaymentRequest) {
			r.Payer.Address = &paybridge.Address{Line1: "1 High St", Country: "GB"}
		},
	} {
		req := payReq(t, "5.00", "fields-"+field)
		set(&req)
		_, err := e.gw.Pay(ctx, req)
		if paybridge.CodeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v; want InvalidRequest naming it", field, err)
		}
	}
	req := payReq(t, "5.00", "fields-capture")
	req.Capture = paybridge.CaptureManual
	if _, err := e.gw.Pay(ctx, req); paybridge.CodeOf(err) != paybridge.CodeNotSupported {
		t.Errorf("CaptureManual: %v; want NotSupported", err)
	}
	if n := e.creates(); n != 0 {
		t.Fatalf("%d payments sent; want none", n)
	}
	for _, name := range provider.RequestFieldNames {
		carried := name == "PaymentRequest.Description" || name == "PaymentRequest.CustomerID" ||
			name == "VerifyAccountRequest.CustomerID"
		if got := e.p.Capabilities().CarriesRequestField(name); got != carried {
			t.Errorf("CarriesRequestField(%s) = %v, want %v", name, got, carried)
		}
	}
	req = payReq(t, "5.00", "fields-carried")
	req.Description = "two books"
	if _, err := e.gw.Pay(ctx, req); err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	if err := json.Unmarshal(e.requests()[0].body, &sent); err != nil || sent["description"] != "two books" {
		t.Errorf("sent %v, %v; want the description", sent, err)
	}
}

// TestNoCaptureMandatesLedger: Trustist has no capture, mandate or ledger operations; the
// Gateway says so before sending anything, with the reason.
func TestNoCaptureMandatesLedger(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	caps := e.gw.Capabilities()
	for _, op := range []paybridge.Operation{paybridge.OpCapture, paybridge.OpPartialCapture, paybridge.OpMultipleCaptures,
		paybridge.OpGetCapture, paybridge.OpVoid, paybridge.OpCreateMandate, paybridge.OpGetMandate, paybridge.OpCancelMandate,
		paybridge.OpCharge, paybridge.OpLedger} {
		if caps.Supports(op) {
			t.Errorf("Capabilities supports %s", op)
		}
	}
	_, err := e.gw.Capture(ctx, paybridge.CaptureRequest{PaymentID: "p1", Amount: gbp(t, "1.00")})
	if paybridge.CodeOf(err) != paybridge.CodeNotSupported || !strings.Contains(err.Error(), "authorization hold") {
		t.Errorf("Capture: %v; want NotSupported saying why", err)
	}
	_, err = e.gw.CreateMandate(ctx, paybridge.MandateRequest{})
	if paybridge.CodeOf(err) != paybridge.CodeNotSupported || !strings.Contains(err.Error(), "standing orders") {
		t.Errorf("CreateMandate: %v; want NotSupported pointing at standing orders", err)
	}
	for _, err := range e.gw.Ledger(ctx, paybridge.LedgerRequest{}) {
		if paybridge.CodeOf(err) != paybridge.CodeNotSupported || !strings.Contains(err.Error(), "listing") {
			t.Errorf("Ledger: %v; want NotSupported saying why", err)
		}
	}
	if len(e.requests()) != 0 {
		t.Errorf("%d requests sent; want none", len(e.requests()))
	}
	// Standing orders stay reachable through As.
	var c *trustist.Client
	if !e.gw.As(&c) || c != e.p {
		t.Fatal("Gateway.As(**trustist.Client) did not reach the adapter")
	}
}

// TestVerifyAccountFields: the holder's address reaches the Trustist customer, a phone or
// national id is refused, and the hook runs with no target to set.
func TestVerifyAccountFields(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	holder := paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
		Address: &paybridge.Address{Line1: "1 High St", City: "London", PostalCode: "N1 1AA", Country: "GB"}}
	var hooked bool
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: holder, ReturnURL: "https://shop.example.com/r",
		BeforeSend: func(as func(any) bool) error {
			var b *trustist.PaymentBody
			hooked = true
			if as(&b) {
				return errors.New("a payment body offered to VerifyAccount's hook")
			}
			return nil
		}})
	if err != nil || !hooked {
		t.Fatalf("VerifyAccount: %v (hook ran %v)", err, hooked)
	}
	var session *trustist.OnboardSession
	if !v.As(&session) {
		t.Fatalf("VerifyAccount's result has no *trustist.OnboardSession detail")
	}
	cust, err := e.p.GetCustomer(ctx, session.CustomerID)
	if err != nil || cust.Address == nil || cust.Address.PostalCode != "N1 1AA" || cust.Address.City != "London" {
		t.Fatalf("the customer behind the verification: %+v, %v; want the holder's address", cust, err)
	}
	for field, h := range map[string]paybridge.Person{
		"Holder.Phone":          {FirstName: "Ada", Phone: "+447700900000"},
		"Holder.NationalID":     {FirstName: "Ada", NationalID: "QQ123456C"},
		"Holder.Address.Region": {FirstName: "Ada", Address: &paybridge.Address{Line1: "x", Region: "Greater London"}},
	} {
		before := len(e.requests())
		_, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: h, ReturnURL: "https://shop.example.com/r"})
		if paybridge.CodeOf(err) != paybridge.CodeInvalidRequest || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v; want InvalidRequest naming it", field, err)
		}
		if len(e.requests()) != before {
			t.Errorf("%s: a request was sent", field)
		}
	}
}
