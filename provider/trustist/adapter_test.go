package trustist_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/hawk"
	"github.com/paybridge/paybridge/internal/secrettest"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/secret"
)

func TestPaySendsExactAmountAndFields(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	for _, v := range []string{"0.01", "12.30", "12.34", "999999.99", "1000000.00"} {
		p, err := e.gw.Pay(ctx, payReq(t, v, "order-"+v))
		if err != nil {
			t.Fatalf("Pay %s: %v", v, err)
		}
		rs := e.requests()
		r := rs[len(rs)-2] // the POST, then the read-back
		if r.method != http.MethodPost || r.path != "/v1/payments" || e.last().path != "/v1/payments/"+p.ID {
			t.Fatalf("sent %s %s, then %s %s", r.method, r.path, e.last().method, e.last().path)
		}
		if want := `"amount":` + v + `,`; !strings.Contains(string(r.body), want) {
			t.Fatalf("body %s does not carry %s", r.body, want)
		}
		if !p.Amount.Equal(gbp(t, v)) || p.Status != provider.PaymentRequiresAction || !strings.HasPrefix(p.RedirectURL, e.sim.URL()+"/pay/") {
			t.Fatalf("Pay %s = %+v", v, p)
		}
	}
	rs := e.requests()
	posted := rs[len(rs)-2]
	var sent map[string]any
	if err := json.Unmarshal(posted.body, &sent); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"reference": "order-1000000.00", "returnUrl": "https://shop.example.com/return",
		"cancelUrl": "https://shop.example.com/cancel", "description": "test order", "customerDetails": "Ada Lovelace",
		"payerEmail": "ada@example.com"}
	for k, v := range want {
		if sent[k] != v {
			t.Errorf("sent %s = %v, want %v", k, sent[k], v)
		}
	}
	h := posted.header
	if attrs, err := hawk.ParseHeader(h.Get("Authorization"), hawk.Authorization); err != nil || attrs["hash"] == "" || attrs["ext"] != "" {
		t.Errorf("Authorization %q: want a Hawk header with a payload hash and no ext (%v)", h.Get("Authorization"), err)
	}
	if h.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
}

func TestGetPaymentCarriesRawStatusAndAmount(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, payReq(t, "5.50", "o-1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.gw.GetPayment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != provider.PaymentPending || got.ProviderStatus != "PENDING" || !got.Amount.Equal(gbp(t, "5.50")) || got.MerchantReference != "o-1" {
		t.Fatalf("GetPayment = %+v", got)
	}
	if r := e.last(); r.method != http.MethodGet || r.path != "/v1/payments/"+p.ID || len(r.body) != 0 {
		t.Fatalf("sent %s %s %q", r.method, r.path, r.body)
	}
	if attrs, _ := hawk.ParseHeader(e.last().header.Get("Authorization"), hawk.Authorization); attrs["hash"] != "" {
		t.Error("a GET carries a payload hash")
	}
}

func TestStatusSpellings(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, payReq(t, "1.00", "o-status"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]provider.PaymentStatus{
		"COMPLETE": provider.PaymentSucceeded, "Completed": provider.PaymentSucceeded, "completed": provider.PaymentSucceeded,
		"COMPLETED": provider.PaymentSucceeded, "Pending": provider.PaymentPending, "PENDING_ACTION": provider.PaymentRequiresAction,
		"Pending Action": provider.PaymentRequiresAction, "Failed": provider.PaymentDeclined, "FAILED": provider.PaymentDeclined,
		"Cancelled": provider.PaymentCanceled, "canceled": provider.PaymentCanceled, "EXPIRED": provider.PaymentExpired,
		"STARTED": provider.PaymentPending, "Authorised": provider.PaymentAuthorized,
		"SOMETHING_NEW": provider.PaymentPending, "": provider.PaymentPending, "complete-ish": provider.PaymentPending,
	}
	for raw, want := range cases {
		if err := e.sim.SetPaymentStatus(p.ID, raw); err != nil {
			t.Fatal(err)
		}
		got, err := e.gw.GetPayment(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != want || got.ProviderStatus != raw {
			t.Errorf("status %q → %q (raw %q), want %q", raw, got.Status, got.ProviderStatus, want)
		}
	}
}

// Repeats with one key, concurrent or later, are answered from the Gateway's journal: one
// payment, and a repeat sends nothing.
func TestPayIdempotency(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	req := payReq(t, "7.00", "o-idem")
	req.IdempotencyKey = "key-1"
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Go(func() {
			p, err := e.gw.Pay(ctx, req)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = p.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one key gave payments %v", ids)
		}
	}
	if n := e.sim.Payments(); n != 1 {
		t.Fatalf("%d payments created for one key", n)
	}
	before := e.sim.Requests()
	if _, err := e.gw.Pay(ctx, req); err != nil || e.sim.Requests() != before {
		t.Fatalf("repeat: %v, %d requests", err, e.sim.Requests()-before)
	}
	other := req
	other.Amount = gbp(t, "8.00")
	_, err := e.gw.Pay(ctx, other)
	wantCode(t, err, provider.Duplicate)
}

func TestPayAfterFailureBeforeProcessingSendsAgain(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	req := payReq(t, "3.00", "o-503")
	req.IdempotencyKey = "key-503"
	e.sim.FailNext(1)
	_, err := e.gw.Pay(ctx, req)
	pe := wantCode(t, err, provider.ProviderUnavailable)
	if pe.HTTPStatus != 503 || pe.CorrelationID == "" {
		t.Fatalf("error %+v lacks status or correlation id", pe)
	}
	if e.sim.Payments() != 0 || countPOSTs(e) != 1 {
		t.Fatalf("%d payments from %d POSTs; the 503 must have created none", e.sim.Payments(), countPOSTs(e))
	}
	p, err := e.gw.Pay(ctx, req)
	if err != nil || e.sim.Payments() != 1 || countPOSTs(e) != 2 {
		t.Fatalf("retry: %v, %d payments from %d POSTs; want the repeat sent", err, e.sim.Payments(), countPOSTs(e))
	}
	if p.IdempotencyKey != "key-503" {
		t.Fatalf("IdempotencyKey %q", p.IdempotencyKey)
	}
}

func TestStaleTimestampIsResynchronised(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	e.sim.SetClockSkew(10 * time.Minute)
	ctx := context.Background()
	before := e.sim.Requests()
	began := time.Now()
	if _, err := e.gw.Pay(ctx, payReq(t, "2.00", "o-skew")); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Requests() - before; n != 3 {
		t.Fatalf("%d requests, want the refused POST, its retry and the read-back", n)
	}
	// The offset is the server's time when it refused, less the local time when the
	// answer was read: 600 s less the seconds in between, however many a busy machine took.
	slack := int64(time.Since(began)/time.Second) + 1
	if off := e.p.ClockOffset(); off < 600-slack || off > 610 {
		t.Fatalf("clock offset %d s, want about 600", off)
	}
	before = e.sim.Requests()
	if _, err := e.p.Merchant(ctx); err != nil || e.sim.Requests()-before != 1 {
		t.Fatalf("after sync: %v, %d requests", err, e.sim.Requests()-before)
	}
}

func TestForgedTimestampReplyIsRefused(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	e.sim.SetClockSkew(-10 * time.Minute)
	e.sim.ForgeTimestampReplies(true)
	before := e.sim.Requests()
	_, err := e.gw.Pay(context.Background(), payReq(t, "2.00", "o-forged"))
	wantCode(t, err, provider.Unauthenticated)
	if n := e.sim.Requests() - before; n != 1 {
		t.Fatalf("%d requests sent; a forged server time must not trigger a retry", n)
	}
	if e.p.ClockOffset() != 0 {
		t.Fatal("the clock was moved by a forged reply")
	}
}

func TestServerAuthorizationIsVerified(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	p, err := e.gw.Pay(ctx, payReq(t, "2.00", "o-sa"))
	if err != nil {
		t.Fatal(err)
	}
	e.sim.CorruptServerAuthorization(true)
	_, err = e.gw.GetPayment(ctx, p.ID)
	wantCode(t, err, provider.Internal)
	_, err = e.gw.Pay(ctx, payReq(t, "2.00", "o-sa-2"))
	wantCode(t, err, provider.UnknownOutcome)
}

func TestNetworkErrors(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	// A server that never answers: the calls end only by their contexts.
	silentURL, arrived := testwait.Silent(t)
	silentCfg := e.sim.Config()
	silentCfg.BaseURL = silentURL
	sp, err := trustist.New(silentCfg)
	if err != nil {
		t.Fatal(err)
	}
	silent := paybridge.New(sp, paybridge.WithRetry(paybridge.NoRetry))
	// The write's context ends once the server holds the request, so it was sent however
	// slow the machine, and its outcome is unknown.
	short, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-arrived:
		case <-short.Done():
		}
		cancel()
	}()
	testwait.Returns(t, "a payment the provider does not answer, after its context ended", func() {
		_, err = silent.Pay(short, payReq(t, "2.00", "o-slow"))
	})
	wantCode(t, err, provider.UnknownOutcome)
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	// A read is classified as a write is: it was sent, so it may have been processed, and
	// the error says the context ended.
	testwait.Returns(t, "a read the provider does not answer, after its deadline", func() { _, err = silent.GetPayment(short2, "x") })
	if provider.CodeOf(err) != provider.UnknownOutcome || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a read cut short returned %v; want UnknownOutcome with the context's error", err)
	}

	cfg := e.sim.Config()
	cfg.BaseURL = "http://127.0.0.1:1" // nothing listens on port 1
	p, err := trustist.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = paybridge.New(p).Pay(ctx, payReq(t, "2.00", "o-down"))
	wantCode(t, err, provider.ProviderUnavailable)
}

func TestErrorsMapped(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	_, err := e.gw.GetPayment(ctx, "8c0e9b52-0000-4000-8000-000000000000")
	pe := wantCode(t, err, provider.NotFound)
	if pe.HTTPStatus != 404 || pe.CorrelationID == "" {
		t.Fatalf("%+v", pe)
	}
	// A customer id Trustist does not know: the API answers 400 with a field error.
	req := payReq(t, "1.00", "o-400")
	req.CustomerID = "nosuchcustomer"
	_, err = e.gw.Pay(ctx, req)
	pe = wantCode(t, err, provider.InvalidRequest)
	if pe.Field != "CustomerID" || !strings.Contains(pe.Message, "customer does not exist") || pe.CorrelationID == "" {
		t.Fatalf("%+v", pe)
	}
}

func TestBadKeyIsUnauthenticated(t *testing.T) {
	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Merchant.HawkKey = secret.New("sk_test_wrong_key_000") })
	_, err := e.p.Merchant(context.Background())
	pe := wantCode(t, err, provider.Unauthenticated)
	if !strings.Contains(pe.Message, e.sim.MerchantKey().HawkID) || strings.Contains(err.Error(), "sk_test_wrong_key_000") {
		t.Fatalf("message %q", pe.Message)
	}
}

func TestTenantKeyRouting(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	if _, err := e.gw.CreateCustomer(ctx, paybridge.Customer{FirstName: "Ada"}); err != nil {
		t.Fatal(err)
	}
	id, _ := hawk.ParseHeader(e.last().header.Get("Authorization"), hawk.Authorization)
	if id["id"] != e.sim.TenantKey().HawkID {
		t.Fatalf("customer call signed with %q, want the tenant key", id["id"])
	}
	if _, err := e.gw.Pay(ctx, payReq(t, "1.00", "o-k")); err != nil {
		t.Fatal(err)
	}
	id, _ = hawk.ParseHeader(e.last().header.Get("Authorization"), hawk.Authorization)
	if id["id"] != e.sim.MerchantKey().HawkID {
		t.Fatalf("payment signed with %q, want the merchant key", id["id"])
	}
}

func TestNoTenantKey(t *testing.T) {
	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Tenant = trustist.Key{} })
	ctx := context.Background()
	caps := e.gw.Capabilities()
	if caps.Supports(provider.OpCustomers) || caps.Supports(provider.OpVerifyAccountInteractive) || !caps.Supports(provider.OpPay) {
		t.Fatalf("capabilities without a tenant key: %v", caps.Operations)
	}
	if !strings.Contains(caps.Notes[provider.OpCustomers], "tenant key") {
		t.Fatalf("note %q", caps.Notes[provider.OpCustomers])
	}
	before := e.sim.Requests()
	_, err := e.p.CreateCustomer(ctx, &provider.Customer{FirstName: "Ada"})
	pe := wantCode(t, err, provider.PermissionDenied)
	if !strings.Contains(pe.Message, "tenant key") || !strings.Contains(pe.Message, "PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID") {
		t.Fatalf("message %q", pe.Message)
	}
	_, err = e.p.VerifyAccount(ctx, &provider.VerifyAccountRequest{ReturnURL: "https://shop.example.com/r"})
	wantCode(t, err, provider.PermissionDenied)
	_, err = e.gw.CreateCustomer(ctx, paybridge.Customer{FirstName: "Ada"})
	if !strings.Contains(fmt.Sprint(err), "tenant key") || paybridge.CodeOf(err) != paybridge.CodeNotSupported {
		t.Fatalf("Gateway: %v", err)
	}
	if e.sim.Requests() != before {
		t.Fatal("a tenant-only call was sent without a tenant key")
	}
}

func TestMerchantKeyInPlaceOfTenantKey(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	cfg := e.sim.Config()
	cfg.Tenant = cfg.Merchant
	p, err := trustist.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.CreateCustomer(context.Background(), &provider.Customer{FirstName: "Ada"})
	pe := wantCode(t, err, provider.PermissionDenied)
	if pe.HTTPStatus != 403 || !strings.Contains(pe.Message, "tenant key") {
		t.Fatalf("%+v", pe)
	}
}

func TestCustomers(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	in := paybridge.Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", DateOfBirth: "1990-12-10",
		Group: "branch-1", Address: &paybridge.Address{Line1: "1 Test Street", City: "London", PostalCode: "N1 1AA", Country: "GB"}}
	c, err := e.gw.CreateCustomer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	_ = json.Unmarshal(e.last().body, &sent)
	if sent["emailAddress"] != "ada@example.com" || sent["orgId"] != "branch-1" || sent["email"] != nil {
		t.Fatalf("sent %v", sent)
	}
	if c.ID == "" || c.Email != in.Email || c.Group != "branch-1" || c.Address == nil || c.Address.City != "London" || c.DateOfBirth != "1990-12-10" {
		t.Fatalf("CreateCustomer = %+v", c)
	}
	upd, err := e.gw.UpdateCustomer(ctx, c.ID, paybridge.CustomerUpdate{FirstName: paybridge.Set("Augusta"),
		DateOfBirth: paybridge.Clear[string](), Address: paybridge.Clear[*paybridge.Address]()})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.last(); r.method != http.MethodPut || string(r.body) != `{"address":null,"dateOfBirth":null,"firstName":"Augusta"}` {
		t.Fatalf("sent %s %s", r.method, r.body)
	}
	if upd.FirstName != "Augusta" || upd.LastName != "Lovelace" || upd.DateOfBirth != "" || upd.Address != nil || upd.Email != in.Email {
		t.Fatalf("UpdateCustomer = %+v", upd)
	}
	if _, err := e.gw.CreateCustomer(ctx, paybridge.Customer{FirstName: "Other", Group: "branch-2"}); err != nil {
		t.Fatal(err)
	}
	var found []string
	for cu, err := range e.gw.ListCustomers(ctx, paybridge.ListCustomersRequest{Group: "branch-1"}) {
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, cu.ID)
	}
	if len(found) != 1 || found[0] != c.ID || e.last().path != "/v1/customers?orgId=branch-1" {
		t.Fatalf("ListCustomers found %v via %s", found, e.last().path)
	}
	_, err = e.gw.GetCustomer(ctx, "unknown1234")
	wantCode(t, err, provider.NotFound)

	before := e.sim.Requests()
	for field, c := range map[string]paybridge.Customer{
		"ExternalID":     {ExternalID: "crm-1"},
		"Phone":          {Phone: "+447700900123"},
		"Address.Region": {Address: &paybridge.Address{Region: "Kent"}},
	} {
		_, err := e.gw.CreateCustomer(ctx, c)
		var ge *paybridge.Error
		namedByGateway := errors.As(err, &ge) && len(ge.Fields) == 1 && ge.Fields[0].Field == field
		var pe *provider.Error
		namedByAdapter := errors.As(err, &pe) && pe.Field == field
		if !errors.Is(err, paybridge.ErrInvalidRequest) || !(namedByGateway || namedByAdapter) {
			t.Errorf("%s: %v", field, err)
		}
	}
	for _, u := range []paybridge.CustomerUpdate{{Phone: paybridge.Set("+447700900123")}, {Phone: paybridge.Clear[string]()}} {
		_, err = e.gw.UpdateCustomer(ctx, c.ID, u)
		wantCode(t, err, provider.InvalidRequest)
	}
	_, err = e.gw.ListCustomersPage(ctx, paybridge.ListCustomersRequest{ExternalID: "crm-1"})
	wantCode(t, err, provider.InvalidRequest)
	if e.sim.Requests() != before {
		t.Fatal("refused customer fields were sent")
	}
}

func TestVerifyAccountInteractive(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	req := paybridge.VerifyAccountRequest{Holder: paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
		ReturnURL: "https://shop.example.com/verified", IdempotencyKey: "verify-1"}
	v, err := e.gw.VerifyAccount(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var session map[string]any
	_ = json.Unmarshal(e.last().body, &session)
	customerID, _ := session["customerId"].(string)
	if e.last().path != "/v1/onboard/sessions" || customerID == "" || customerID == v.ID ||
		fmt.Sprint(session["options"]) != "map[ais:map[accountLimit:1 accounts:true]]" {
		t.Fatalf("sent %s %v", e.last().path, session)
	}
	// The verification is the session: its id, and its Detail.
	var detail *trustist.OnboardSession
	if !v.As(&detail) || detail.ID != v.ID || detail.CustomerID != customerID || !detail.AIS.Requested || detail.Identity.Requested {
		t.Fatalf("VerifyAccount's detail: %+v", detail)
	}
	if v.Status != provider.VerificationRequiresAction || !strings.HasPrefix(v.RedirectURL, e.sim.URL()+"/onboard/") {
		t.Fatalf("VerifyAccount = %+v", v)
	}
	again, err := e.gw.VerifyAccount(ctx, req)
	if err != nil || again.ID != v.ID || again.RedirectURL != v.RedirectURL {
		t.Fatalf("repeat = %+v, %v", again, err)
	}
	pending, err := e.gw.GetAccountVerification(ctx, v.ID)
	if err != nil || pending.Status != provider.VerificationRequiresAction || pending.RedirectURL != v.RedirectURL {
		t.Fatalf("before approval: %+v, %v", pending, err)
	}
	if err := e.sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	done, err := e.gw.GetAccountVerification(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != provider.VerificationVerified || done.AccountID == "" || done.Last4 != "5678" || done.BankName != trustistsim.TestBankName {
		t.Fatalf("after approval: %+v", done)
	}
	if e.last().path != "/api/customers/"+customerID+"/bank-accounts" {
		t.Fatalf("read %s", e.last().path)
	}

	declined, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{Holder: req.Holder, ReturnURL: req.ReturnURL})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Decline(ctx, declined.RedirectURL); err != nil {
		t.Fatal(err)
	}
	if got, err := e.gw.GetAccountVerification(ctx, declined.ID); err != nil || got.Status != provider.VerificationFailed {
		t.Fatalf("declined: %+v, %v", got, err)
	}

	_, err = e.p.VerifyAccount(ctx, &provider.VerifyAccountRequest{Account: provider.BankAccount{IBAN: "GB33BUKB20201555555555"}})
	wantCode(t, err, provider.NotSupported)
	_, err = e.p.VerifyAccount(ctx, &provider.VerifyAccountRequest{ReturnURL: "http://shop.example.com/r"})
	if pe := wantCode(t, err, provider.InvalidRequest); pe.Field != "ReturnURL" {
		t.Fatalf("%+v", pe)
	}
}

func TestMerchantAndStandingOrders(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	ctx := context.Background()
	var c *trustist.Client
	if !e.gw.As(&c) {
		t.Fatal("Gateway.As(**trustist.Client) = false")
	}
	m, err := c.Merchant(ctx)
	if err != nil || m.Name != trustistsim.MerchantName || !m.StandingOrdersMonitored || !m.OpenBankingEnabled {
		t.Fatalf("Merchant = %+v, %v", m, err)
	}
	tomorrow := time.Now().UTC().Add(48 * time.Hour).Format("2006-01-02")
	so, err := c.CreateStandingOrder(ctx, trustist.StandingOrderRequest{Amount: gbp(t, "9.99"), StartDate: tomorrow,
		Frequency: "monthly", NumberOfPayments: 12, Reference: "so-1", ReturnURL: "https://shop.example.com/so"})
	if err != nil {
		t.Fatal(err)
	}
	if so.Status != trustist.StandingOrderPending || !so.Amount.Equal(gbp(t, "9.99")) || so.PayLink == "" || so.Frequency != "Monthly" {
		t.Fatalf("CreateStandingOrder = %+v", so)
	}
	if err := e.sim.EndUser().Approve(ctx, so.PayLink); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetStandingOrder(ctx, so.ID)
	if err != nil || got.Status != trustist.StandingOrderActive || got.ProviderStatus != "ACTIVE" {
		t.Fatalf("GetStandingOrder = %+v, %v", got, err)
	}
	before := e.sim.Requests()
	for _, bad := range []trustist.StandingOrderRequest{
		{Amount: gbp(t, "1.00"), StartDate: time.Now().UTC().Format("2006-01-02"), Frequency: trustist.Weekly, Reference: "r", ReturnURL: "https://x.example/r"},
		{Amount: gbp(t, "1.00"), StartDate: tomorrow, Frequency: "Daily", Reference: "r", ReturnURL: "https://x.example/r"},
		{Amount: money.MustNew("1.00", "EUR"), StartDate: tomorrow, Frequency: trustist.Weekly, Reference: "r", ReturnURL: "https://x.example/r"},
	} {
		if _, err := c.CreateStandingOrder(ctx, bad); provider.CodeOf(err) != provider.InvalidRequest {
			t.Errorf("CreateStandingOrder(%+v) = %v", bad, err)
		}
	}
	if e.sim.Requests() != before {
		t.Fatal("invalid standing orders were sent")
	}
}

func TestStandingOrdersRefusedWithoutMonitoring(t *testing.T) {
	e := start(t, trustistsim.Options{StandingOrdersDisabled: true}, nil)
	_, err := e.p.CreateStandingOrder(context.Background(), trustist.StandingOrderRequest{Amount: gbp(t, "9.99"),
		StartDate: time.Now().UTC().Add(48 * time.Hour).Format("2006-01-02"), Frequency: trustist.Weekly, Reference: "so", ReturnURL: "https://x.example/r"})
	if pe := wantCode(t, err, provider.InvalidRequest); !strings.Contains(pe.Message, "bank monitoring") {
		t.Fatalf("%+v", pe)
	}
}

func TestCurrencyConfigured(t *testing.T) {
	e := start(t, trustistsim.Options{Currency: money.MustCurrency("EUR")}, nil)
	caps := e.gw.Capabilities()
	if len(caps.Currencies) != 1 || caps.Currencies[0].String() != "EUR" {
		t.Fatalf("currencies %v", caps.Currencies)
	}
	p, err := e.gw.Pay(context.Background(), paybridge.PaymentRequest{Amount: money.MustNew("10.00", "EUR"), MerchantReference: "eur-1", ReturnURL: "https://x.example/r"})
	if err != nil || p.Amount.Currency().String() != "EUR" {
		t.Fatalf("Pay EUR: %+v, %v", p, err)
	}
	// Another currency is refused by the Gateway, from Capabilities.Currencies, before
	// anything is sent.
	before := e.sim.Requests()
	_, err = e.gw.Pay(context.Background(), paybridge.PaymentRequest{Amount: gbp(t, "1.00"), MerchantReference: "gbp", ReturnURL: "https://x.example/r"})
	if !errors.Is(err, paybridge.ErrNotSupported) || e.sim.Requests() != before {
		t.Fatalf("Pay GBP from an EUR account: %v, %d requests sent", err, e.sim.Requests()-before)
	}
}

func TestConfigNeverPrintsCredentials(t *testing.T) {
	if f := secrettest.AssertRedacted(t, &trustist.Config{}); len(f) != 2 {
		t.Fatalf("checked %v, want Merchant.HawkKey and Tenant.HawkKey", f)
	}
}

func TestNewChecksConfig(t *testing.T) {
	good := trustist.Key{HawkID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", HawkKey: secret.New("sk_test_x")}
	for name, cfg := range map[string]trustist.Config{
		"no merchant":     {},
		"no merchant key": {Merchant: trustist.Key{HawkID: good.HawkID}},
		"quote in id":     {Merchant: trustist.Key{HawkID: `a"b`, HawkKey: good.HawkKey}},
		"half tenant":     {Merchant: good, Tenant: trustist.Key{HawkID: "t"}},
		"plain http":      {Merchant: good, BaseURL: "http://api.trustistecommerce.com"},
		"bad env":         {Merchant: good, Environment: "staging"},
		"NaN rate":        {Merchant: good, ConfirmationsPerSecond: math.NaN()},
		"negative burst":  {Merchant: good, ConfirmationBurst: -1},
	} {
		if _, err := trustist.New(cfg); provider.CodeOf(err) != provider.InvalidRequest {
			t.Errorf("%s: New = %v, want InvalidRequest", name, err)
		}
	}
	p, err := trustist.New(trustist.Config{Merchant: good})
	if err != nil || p.HasTenantKey() {
		t.Fatalf("New = %v, %v", p, err)
	}
}
