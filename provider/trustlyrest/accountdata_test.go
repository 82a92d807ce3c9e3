package trustlyrest_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// paymentsSince lists the payments created from t on.
func paymentsSince(t *testing.T, c *trustlyrest.Client, from time.Time, size int) []*trustlyrest.PaymentRecord {
	t.Helper()
	var out []*trustlyrest.PaymentRecord
	for p, err := range c.ListPayments(context.Background(), trustlyrest.PaymentFilter{CreatedFrom: from, PageSize: size}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// foreignClient returns an adapter for another merchant of the same simulator.
func foreignClient(t *testing.T, e *env) *trustlyrest.Client {
	t.Helper()
	cfg, err := e.sim.NewMerchant("1002463599")
	if err != nil {
		t.Fatal(err)
	}
	c, err := trustlyrest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestListPaymentsCrossesPageBoundaries(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	from := time.Now().Add(-time.Millisecond)
	var refs []string
	for i := range 5 {
		req := e.payReq(fmt.Sprintf("1%d.00", i))
		req.MerchantReference = fmt.Sprintf("page-order-%d", i)
		if _, err := e.gw.Pay(ctx, req); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, req.MerchantReference)
	}
	before := e.sim.Requests()
	got := paymentsSince(t, e.client, from, 2)
	if len(got) != 5 {
		t.Fatalf("listed %d payments across pages of 2, want 5", len(got))
	}
	// Pages of 2: 2, 2, 1 — the short third page ends the listing.
	if n := e.sim.Requests() - before; n != 3 {
		t.Errorf("listing 5 payments in pages of 2 took %d requests, want 3", n)
	}
	seen := map[string]bool{}
	for i, p := range got {
		if seen[p.ID] {
			t.Errorf("payment %s listed twice", p.ID)
		}
		seen[p.ID] = true
		if !strings.HasPrefix(p.MerchantReference, refs[i]) {
			t.Errorf("payment %d has reference %q, want the %q order's (oldest first)", i, p.MerchantReference, refs[i])
		}
		if want := usd(fmt.Sprintf("1%d.00", i)); !p.Amount.Equal(want) || p.Type != 2 || p.MerchantID != e.sim.MerchantID() {
			t.Errorf("payment %d = %+v, want a Deferred payment of %s of merchant %s", i, p, want, e.sim.MerchantID())
		}
	}
	// A page that ends exactly at the last payment is followed by an empty one.
	if got := paymentsSince(t, e.client, from, 5); len(got) != 5 {
		t.Errorf("listed %d payments in one full page, want 5", len(got))
	}
	// A filter: the payment type no payment has.
	for p, err := range e.client.ListPayments(ctx, trustlyrest.PaymentFilter{CreatedFrom: from, Types: []int{4}}) {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("Disbursement filter listed payment %s of type %d", p.ID, p.Type)
	}
	// A payment type Trustly does not have is refused before anything is sent, naming the
	// field.
	before = e.sim.Requests()
	for field, f := range map[string]trustlyrest.PaymentFilter{
		"Types": {Types: []int{2, 9}},
	} {
		var errs int
		for p, err := range e.client.ListPayments(ctx, f) {
			var pe *provider.Error
			if err == nil || !errorsAs(err, &pe) || pe.Code != provider.InvalidRequest || pe.Field != field {
				t.Errorf("ListPayments(%s) = %v, %v; want InvalidRequest naming %s", field, p, err, field)
			}
			errs++
		}
		if errs != 1 {
			t.Errorf("ListPayments(%s) yielded %d errors, want 1", field, errs)
		}
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Errorf("refused filters sent %d requests", n)
	}
}

func TestPaymentRecordTotalsAndForeignMerchant(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	from := time.Now().Add(-time.Millisecond)
	pay := e.paid("25.00", provider.PaymentSucceeded)
	list := paymentsSince(t, e.client, from, 0)
	if len(list) != 1 {
		t.Fatalf("listed %d payments, want 1", len(list))
	}
	rec, err := e.client.GetPaymentRecord(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != list[0].ID || !rec.Paid.Equal(usd("25.00")) || !rec.Balance.Equal(usd("25.00")) ||
		!rec.Pending.Equal(usd("0.00")) || !rec.Refunded.Equal(usd("0.00")) || rec.AuthorizationStatus != 2 {
		t.Errorf("record = %+v, want 25.00 paid, balance 25.00, nothing pending or refunded, authorization 2", rec)
	}
	if rec.Account == nil || rec.Account.Last4 != trustlyrestsim.DemoAccountNumber[6:] || rec.BankName != trustlyrestsim.DemoBank {
		t.Errorf("record account = %+v at %q, want the demo account at %q", rec.Account, rec.BankName, trustlyrestsim.DemoBank)
	}
	if s := fmt.Sprintf("%+v", rec); !strings.Contains(s, "****"+trustlyrestsim.DemoAccountNumber[6:]) {
		t.Errorf("a record prints its account as %s, want it masked to the last four digits", s)
	}
	// The Payment object's account may carry its holder and full number (Trustly's
	// Account schema): the record prints and logs them masked.
	full := *rec
	full.Account = &trustlyrest.UserAccount{NameOnAccount: "Ada Lovelace", AccountNumber: trustlyrestsim.DemoAccountNumber}
	assertMasked(t, "PaymentRecord", full, []string{trustlyrestsim.DemoAccountNumber, "Lovelace"})
	assertMasked(t, "PaymentRecord", &full, []string{trustlyrestsim.DemoAccountNumber, "Lovelace"})
	// Refunding changes the totals Trustly keeps.
	if _, err := e.gw.Refund(ctx, paybridge.RefundRequest{PaymentID: pay.ID, Amount: usd("5.00")}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the refund in the payment's totals", func() bool {
		r, err := e.client.GetPaymentRecord(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r.Refunded.Equal(usd("5.00")) && r.Balance.Equal(usd("20.00"))
	})

	other := foreignClient(t, e)
	if _, err := other.GetPaymentRecord(ctx, rec.ID); provider.CodeOf(err) != provider.NotFound {
		t.Errorf("another merchant's GetPaymentRecord: %v, want NotFound", err)
	}
	for p, err := range other.ListPayments(ctx, trustlyrest.PaymentFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("another merchant listed payment %s", p.ID)
	}
	if _, err := e.client.GetPaymentRecord(ctx, "not-an-id"); provider.CodeOf(err) != provider.NotFound {
		t.Errorf("GetPaymentRecord of a malformed id: %v, want NotFound", err)
	}
}

func TestBankDataAfterAuthorization(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	pay := e.paid("12.00", provider.PaymentSucceeded)

	u, err := e.client.GetUser(ctx, pay.ID)
	if err != nil {
		t.Fatal(err)
	}
	payer := trustlyrestsim.TestPayer
	if len(u.Names) != 1 || u.Names[0] != payer.FirstName+" "+payer.LastName || len(u.Emails) != 1 || u.Emails[0] != payer.Email ||
		len(u.Phones) != 1 || u.Phones[0] != payer.Phone || len(u.Addresses) != 1 || u.Addresses[0].City != payer.Address.City ||
		u.Addresses[0].Zip != payer.Address.PostalCode || u.BankName != trustlyrestsim.DemoBank {
		t.Errorf("user = %#v (fields %q %q %q %v), want the payer the bank knows", u, u.Names, u.Emails, u.Phones, u.Addresses)
	}
	if s := u.SegmentedName; s == nil || s.FirstName != payer.FirstName || s.LastName != payer.LastName {
		t.Errorf("segmented name = %+v, want %s / %s", s, payer.FirstName, payer.LastName)
	}
	personal := []string{payer.LastName, payer.Email, payer.Phone, payer.Address.Line1, payer.Address.City, payer.Address.PostalCode,
		trustlyrestsim.DemoAccountNumber, "Ada"}
	assertMasked(t, "BankUser", u, personal)
	assertMasked(t, "Address", u.Addresses[0], personal)
	assertMasked(t, "SegmentedName", *u.SegmentedName, personal)

	accts, err := e.client.GetUserAccounts(ctx, pay.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 || accts[0].AccountNumber != trustlyrestsim.DemoAccountNumber || accts[0].Last4 != trustlyrestsim.DemoAccountNumber[6:] ||
		accts[0].RoutingNumber != trustlyrestsim.DemoRoutingNumber || accts[0].Token == "" || !accts[0].Verified || accts[0].Type != 1 {
		t.Fatalf("accounts = %v, want the demo account", accts)
	}
	assertMasked(t, "UserAccount", accts[0], personal)
	if s := fmt.Sprint(accts[0]); !strings.Contains(s, "****"+trustlyrestsim.DemoAccountNumber[6:]) {
		t.Errorf("masked account %s does not show the last four digits", s)
	}

	bal, err := e.client.AccountBalance(ctx, pay.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bal.Amount.Equal(usd(trustlyrestsim.DemoBalance)) || bal.Account == nil || bal.Account.Token != accts[0].Token {
		t.Errorf("balance = %v, want %s on the demo account", bal, trustlyrestsim.DemoBalance)
	}
	assertMasked(t, "AccountBalance", bal, personal)

	// Another merchant's transaction is unknown to it.
	other := foreignClient(t, e)
	if _, err := other.GetUser(ctx, pay.ID); provider.CodeOf(err) != provider.NotFound {
		t.Errorf("another merchant's GetUser: %v, want NotFound", err)
	}
	if _, err := other.GetUserAccounts(ctx, pay.ID); provider.CodeOf(err) != provider.NotFound {
		t.Errorf("another merchant's GetUserAccounts: %v, want NotFound", err)
	}
	if _, err := other.AccountBalance(ctx, pay.ID); provider.CodeOf(err) != provider.NotFound {
		t.Errorf("another merchant's AccountBalance: %v, want NotFound", err)
	}
}

func TestBankDataBeforeAuthorizationIsRefused(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	p, err := e.gw.Pay(context.Background(), e.payReq("10.00"))
	if err != nil {
		t.Fatal(err)
	}
	// Trustly's answer is its error 200, which on a read by id means there is nothing to
	// read: NotFound, the data not being there yet.
	if _, err := e.client.GetUser(context.Background(), p.ID); provider.CodeOf(err) != provider.NotFound ||
		trustlyrest.TrustlyCode(err) != 200 {
		t.Errorf("GetUser before the payer authorized: %v, want NotFound with Trustly's error 200", err)
	}
}

func TestAccountBalanceNotApproved(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{WithoutBalanceApproval: true}, nil)
	pay := e.paid("12.00", provider.PaymentSucceeded)
	_, err := e.client.AccountBalance(context.Background(), pay.ID)
	if provider.CodeOf(err) != provider.PermissionDenied || !strings.Contains(err.Error(), "restricted") {
		t.Fatalf("AccountBalance without approval: %v, want PermissionDenied naming the restricted API", err)
	}
	if trustlyrest.TrustlyCode(err) != 375 {
		t.Errorf("Trustly's code %d is not kept", trustlyrest.TrustlyCode(err))
	}
}

// assertMasked prints v every way fmt and slog can and checks that none of the personal
// values appears.
func assertMasked(t *testing.T, name string, v any, personal []string) {
	t.Helper()
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		b.WriteString(fmt.Sprintf(verb, v))
	}
	if s, ok := v.(fmt.Stringer); ok {
		b.WriteString(s.String())
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "v", v)
	// A JSON handler marshals a value's fields unless the value is a slog.LogValuer.
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "v", v)
	b.WriteString(logged.String())
	out := b.String()
	for _, p := range personal {
		if strings.Contains(out, p) {
			t.Errorf("%s prints %q: %s", name, p, out)
		}
	}
	if !strings.Contains(out, "***") {
		t.Errorf("%s prints nothing masked: %s", name, out)
	}
}

func TestTokenizeAccount(t *testing.T) {
	e := newEnv(t, trustlyrestsim.Options{}, nil)
	ctx := context.Background()
	acct := provider.BankAccount{HolderName: "John Smith", RoutingNumber: trustlyrestsim.DemoRoutingNumber, AccountNumber: "1000000009"}
	tok, err := e.client.TokenizeAccount(ctx, &trustlyrest.TokenizeRequest{Account: acct, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Token == "" || !tok.Verified || tok.Score != 9 || tok.Account.Last4 != "0009" || tok.Account.AccountNumber != "0009" {
		t.Errorf("tokenized = %+v (account %+v), want a verified token with score 9 and the last four digits", tok, tok.Account)
	}
	if s := fmt.Sprintf("%+v %#v", tok, tok.Account); strings.Contains(s, "1000000009") {
		t.Errorf("the tokenized account shows the account number: %s", s)
	}
	assertMasked(t, "TokenizedAccount", *tok, []string{"1000000009", "Smith"})
	again, err := e.client.TokenizeAccount(ctx, &trustlyrest.TokenizeRequest{Account: acct})
	if err != nil {
		t.Fatal(err)
	}
	if again.Token != tok.Token || again.Verified || again.Score != -1 {
		t.Errorf("tokenizing again without verifying = %+v, want the same token, unverified", again)
	}
	iban, err := e.client.TokenizeAccount(ctx, &trustlyrest.TokenizeRequest{Account: provider.BankAccount{IBAN: "GB33BUKB20201555555555"}})
	if err != nil || iban.Token == "" || iban.Token == tok.Token || iban.Account.Last4 != "5555" {
		t.Errorf("tokenizing an IBAN = %+v, %v; want its own token", iban, err)
	}
	// Bad details are refused before anything is sent.
	before := e.sim.Requests()
	for _, a := range []provider.BankAccount{{AccountNumber: "1000000009"}, {HolderName: "No Numbers"}} {
		_, err := e.client.TokenizeAccount(ctx, &trustlyrest.TokenizeRequest{Account: a})
		var pe *provider.Error
		if !errorsAs(err, &pe) || pe.Code != provider.InvalidRequest || !strings.HasPrefix(pe.Field, "Account") {
			t.Errorf("TokenizeAccount(%v) = %v, want InvalidRequest naming the account", a, err)
		}
	}
	if n := e.sim.Requests() - before; n != 0 {
		t.Errorf("refused details sent %d requests", n)
	}
	// An account Trustly cannot read: error 330.
	_, err = e.client.TokenizeAccount(ctx, &trustlyrest.TokenizeRequest{Account: provider.BankAccount{RoutingNumber: "123456789", AccountNumber: "42"}})
	var pe *provider.Error
	if !errorsAs(err, &pe) || pe.ProviderCode != "330" || pe.Field != "Account" {
		t.Errorf("tokenizing an account with a bad routing number: %v, want error 330 on Account", err)
	}
}
