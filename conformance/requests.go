package conformance

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
)

// fieldRequest is a request that sets one optional request field (as
// provider.RequestFieldNames names it) and is otherwise valid, and the call that sends it.
type fieldRequest struct {
	need paybridge.Operation
	call func(ctx context.Context) error
}

// fieldRequests returns, for each name in provider.RequestFieldNames, a request that sets
// that field alone among the optional ones.
func (s *suite) fieldRequests(t T) map[string]fieldRequest {
	pay := func(set func(*paybridge.PaymentRequest)) fieldRequest {
		req := s.paymentRequest(t, "1.00")
		req.Description = ""
		req.Payer = paybridge.Person{ID: s.h.Payer.ID, FirstName: s.h.Payer.FirstName, LastName: s.h.Payer.LastName,
			Email: s.h.Payer.Email, Country: s.h.Payer.Country, Locale: s.h.Payer.Locale}
		set(&req)
		return fieldRequest{paybridge.OpPay, func(ctx context.Context) error { _, err := s.gw.Pay(ctx, req); return err }}
	}
	refund := func(set func(*paybridge.RefundRequest)) fieldRequest {
		req := paybridge.RefundRequest{PaymentID: "x-1", Amount: s.amount(t, "1.00")}
		set(&req)
		return fieldRequest{paybridge.OpRefund, func(ctx context.Context) error { _, err := s.gw.Refund(ctx, req); return err }}
	}
	payout := func(set func(*paybridge.PayoutRequest)) fieldRequest {
		req := paybridge.PayoutRequest{Amount: s.amount(t, "1.00"), AccountID: "x-1", MerchantReference: newRef("po"),
			Payee: paybridge.Person{ID: s.h.Payer.ID, FirstName: s.h.Payer.FirstName, LastName: s.h.Payer.LastName}}
		set(&req)
		return fieldRequest{paybridge.OpPayout, func(ctx context.Context) error { _, err := s.gw.Payout(ctx, req); return err }}
	}
	mandate := func(set func(*paybridge.MandateRequest)) fieldRequest {
		req := paybridge.MandateRequest{Payer: paybridge.Person{ID: "payer-1", Email: s.h.Payer.Email, Country: s.h.Payer.Country},
			Currency: s.h.Currency, MerchantReference: newRef("mandate"), ReturnURL: "https://merchant.example.com/return"}
		set(&req)
		return fieldRequest{paybridge.OpCreateMandate, func(ctx context.Context) error { _, err := s.gw.CreateMandate(ctx, req); return err }}
	}
	charge := func(set func(*paybridge.ChargeRequest)) fieldRequest {
		req := paybridge.ChargeRequest{MandateID: "x-1", Amount: s.amount(t, "1.00"), MerchantReference: newRef("charge")}
		set(&req)
		return fieldRequest{paybridge.OpCharge, func(ctx context.Context) error { _, err := s.gw.Charge(ctx, req); return err }}
	}
	void := func(set func(*paybridge.VoidRequest)) fieldRequest {
		req := paybridge.VoidRequest{PaymentID: "x-1"}
		set(&req)
		return fieldRequest{paybridge.OpVoid, func(ctx context.Context) error { _, err := s.gw.Void(ctx, req); return err }}
	}
	verify := func(set func(*paybridge.VerifyAccountRequest)) fieldRequest {
		req := paybridge.VerifyAccountRequest{Holder: paybridge.Person{ID: s.h.Payer.ID, FirstName: s.h.Payer.FirstName,
			LastName: s.h.Payer.LastName, Email: s.h.Payer.Email}, MerchantReference: newRef("verify"),
			ReturnURL: "https://merchant.example.com/return"}
		set(&req)
		return fieldRequest{paybridge.OpVerifyAccountInteractive, func(ctx context.Context) error {
			_, err := s.gw.VerifyAccount(ctx, req)
			return err
		}}
	}
	addr := &paybridge.Address{Line1: "1 Test Street", City: "London", PostalCode: "N1 1AA", Country: "GB"}
	md := map[string]string{"order": "42"}
	return map[string]fieldRequest{
		"PaymentRequest.Description":       pay(func(r *paybridge.PaymentRequest) { r.Description = "conformance test order" }),
		"PaymentRequest.Metadata":          pay(func(r *paybridge.PaymentRequest) { r.Metadata = md }),
		"PaymentRequest.CustomerID":        pay(func(r *paybridge.PaymentRequest) { r.CustomerID = "cust-1" }),
		"PaymentRequest.Payer.Phone":       pay(func(r *paybridge.PaymentRequest) { r.Payer.Phone = "+447700900123" }),
		"PaymentRequest.Payer.DateOfBirth": pay(func(r *paybridge.PaymentRequest) { r.Payer.DateOfBirth = "1990-12-10" }),
		"PaymentRequest.Payer.NationalID":  pay(func(r *paybridge.PaymentRequest) { r.Payer.NationalID = "19901210-1234" }),
		"PaymentRequest.Payer.Address":     pay(func(r *paybridge.PaymentRequest) { r.Payer.Address = addr }),
		"RefundRequest.Reason":             refund(func(r *paybridge.RefundRequest) { r.Reason = "conformance" }),
		"RefundRequest.Metadata":           refund(func(r *paybridge.RefundRequest) { r.Metadata = md }),
		"PayoutRequest.Description":        payout(func(r *paybridge.PayoutRequest) { r.Description = "conformance payout" }),
		"PayoutRequest.Metadata":           payout(func(r *paybridge.PayoutRequest) { r.Metadata = md }),
		"PayoutRequest.Payee.DateOfBirth":  payout(func(r *paybridge.PayoutRequest) { r.Payee.DateOfBirth = "1990-12-10" }),
		"PayoutRequest.Payee.Address":      payout(func(r *paybridge.PayoutRequest) { r.Payee.Address = addr }),
		"MandateRequest.Description":       mandate(func(r *paybridge.MandateRequest) { r.Description = "monthly plan" }),
		"MandateRequest.MaxAmount":         mandate(func(r *paybridge.MandateRequest) { r.MaxAmount = s.amount(t, "50.00") }),
		"MandateRequest.Payer.DateOfBirth": mandate(func(r *paybridge.MandateRequest) { r.Payer.DateOfBirth = "1990-12-10" }),
		"MandateRequest.Payer.Address":     mandate(func(r *paybridge.MandateRequest) { r.Payer.Address = addr }),
		"ChargeRequest.Description":        charge(func(r *paybridge.ChargeRequest) { r.Description = "March" }),
		"ChargeRequest.Metadata":           charge(func(r *paybridge.ChargeRequest) { r.Metadata = md }),
		"ChargeRequest.NotificationURL":    charge(func(r *paybridge.ChargeRequest) { r.NotificationURL = "https://merchant.example.com/n" }),
		"VoidRequest.Reason":               void(func(r *paybridge.VoidRequest) { r.Reason = "order canceled" }),
		"VerifyAccountRequest.CustomerID":  verify(func(r *paybridge.VerifyAccountRequest) { r.CustomerID = "cust-1" }),
	}
}

// requestFields checks that every optional request field the provider does not carry is
// refused, named, before anything is sent, and that a Pay setting the fields it does carry
// is accepted.
func requestFields(ctx context.Context, t T, s *suite) {
	reqs := s.fieldRequests(t)
	refused, carried := 0, 0
	for _, name := range provider.RequestFieldNames {
		fr, ok := reqs[name]
		if !ok {
			t.Fatalf("the suite has no request setting %s", name)
		}
		if s.caps.CarriesRequestField(name) {
			carried++
			continue
		}
		if !s.caps.Supports(fr.need) {
			t.Logf("%s: not carried, and %s is not supported at all (the Capabilities scenario checks it)", name, fr.need)
			continue
		}
		var err error
		sent := s.sentNothing(ctx, func() { err = fr.call(ctx) })
		_, field, _ := strings.Cut(name, ".")
		expectFields(t, s, err, field)
		if s.h.Requests != nil && sent != 0 {
			t.Fatalf("a request setting %s, which the provider does not carry, sent %d requests", name, sent)
		}
		refused++
	}

	// A Pay with every carried field the suite can set without a customer of its own or a
	// national id in the payer's country's format is accepted. An adapter may still refuse
	// one of them itself, naming it (nothing is dropped, though its Capabilities should
	// have said so); any other refusal fails.
	req := s.paymentRequest(t, "1.00")
	req.Description = ""
	var set []string
	for name, apply := range map[string]func(){
		"PaymentRequest.Description":       func() { req.Description = "conformance test order" },
		"PaymentRequest.Metadata":          func() { req.Metadata = map[string]string{"order": "42"} },
		"PaymentRequest.Payer.Phone":       func() { req.Payer.Phone = "+447700900123" },
		"PaymentRequest.Payer.DateOfBirth": func() { req.Payer.DateOfBirth = "1990-12-10" },
		"PaymentRequest.Payer.Address": func() {
			req.Payer.Address = &paybridge.Address{Line1: "1 Test Street", City: "London", PostalCode: "N1 1AA", Country: s.h.Payer.Country}
		},
	} {
		if s.caps.CarriesRequestField(name) {
			apply()
			set = append(set, name)
		}
	}
	slices.Sort(set)
	_, err := s.gw.Pay(ctx, req)
	if err != nil {
		var fields []string
		var pe *paybridge.Error
		if errors.As(err, &pe) {
			for _, f := range pe.Fields {
				fields = append(fields, f.Field)
			}
		}
		var ae *provider.Error
		if errors.As(err, &ae) {
			fields = append(fields, ae.Field)
		}
		named := ""
		for _, f := range fields {
			if errors.Is(err, paybridge.ErrInvalidRequest) && slices.Contains(set, "PaymentRequest."+f) {
				named = f
			}
		}
		if named == "" {
			must(t, s, "Pay setting the carried fields "+strings.Join(set, ", "), err)
		}
		s.noteErr(err)
		t.Logf("the adapter refuses %s itself, though Capabilities.RequestFields says it is carried: %v", named, err)
	}
	t.Logf("%d optional fields carried, %d refused by name before sending", carried, refused)
}

// beforeSend checks the Pay hook: an error refuses the call before anything is sent; its
// as function sets each declared AsTargets.Request target and nothing of a foreign type;
// the result's As sets each declared AsTargets.Payment target and nothing foreign.
func beforeSend(ctx context.Context, t T, s *suite) {
	if len(s.h.As.Request) == 0 {
		// Every adapter has a wire request for the hook to reach; one that declares none
		// has not yet been held to its hook.
		t.Skip("the harness declares no BeforeSend targets (Harness.As.Request): declare what a Pay's hook reaches to run this scenario")
	}
	stop := errors.New("conformance: the hook refuses")
	req := s.paymentRequest(t, "1.00")
	req.BeforeSend = func(func(any) bool) error { return stop }
	var err error
	sent := s.sentNothing(ctx, func() { _, err = s.gw.Pay(ctx, req) })
	expectCode(t, s, err, paybridge.ErrInvalidRequest)
	if !errors.Is(err, stop) {
		t.Errorf("the refusal %v does not wrap the hook's error", err)
	}
	if s.h.Requests != nil && sent != 0 {
		t.Fatalf("a Pay whose hook refused sent %d requests", sent)
	}

	calls := 0
	var problems []string
	req = s.paymentRequest(t, "1.00")
	req.BeforeSend = func(as func(any) bool) error {
		calls++
		var odd *stranger
		if as(&odd) || odd != nil {
			problems = append(problems, "the hook's as function set a target of a type the adapter does not know")
		}
		if as(nil) {
			problems = append(problems, "the hook's as function reported true for a nil target")
		}
		for i, target := range s.h.As.Request {
			v := asTarget(t, "Harness.As.Request", i, target, false)
			if !as(target) {
				problems = append(problems, "the hook's as function did not set "+reflect.TypeOf(target).String())
			} else if v.IsZero() {
				problems = append(problems, "the hook's as function reported true for "+reflect.TypeOf(target).String()+" but left it zero")
			}
		}
		return nil
	}
	p, err := s.gw.Pay(ctx, req)
	must(t, s, "Pay with a hook", err)
	if calls == 0 {
		t.Fatal("the adapter never called the Pay's BeforeSend hook")
	}
	for _, pr := range problems {
		t.Error(pr)
	}

	var odd *stranger
	if p.As(&odd) || odd != nil {
		t.Error("Payment.As set a target of a type the adapter does not know")
	}
	for i, target := range s.h.As.Payment {
		v := asTarget(t, "Harness.As.Payment", i, target, false)
		if !p.As(target) {
			t.Errorf("Payment.As(%T) reported false on the result of Pay", target)
		} else if v.IsZero() {
			t.Errorf("Payment.As(%T) reported true but left the target zero", target)
		}
	}
	t.Logf("the hook ran %d times; %d request targets and %d payment targets checked", calls, len(s.h.As.Request), len(s.h.As.Payment))
}
