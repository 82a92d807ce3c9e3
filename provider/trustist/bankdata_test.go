package trustist_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
)

// connected onboards a customer through the simulator's pages and returns the customer
// id and the account the customer connected.
func connected(t *testing.T, e *env) (string, trustist.BankAccount) {
	t.Helper()
	ctx := context.Background()
	v, err := e.gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{
		Holder:    paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
		ReturnURL: "https://shop.example.com/verified"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		t.Fatal(err)
	}
	var s *trustist.OnboardSession // the verification is an onboard session of the customer's
	if !v.As(&s) || s.CustomerID == "" {
		t.Fatalf("the verification's detail names no customer: %+v", s)
	}
	accounts, err := e.p.BankAccounts(ctx, s.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 1 {
		t.Fatalf("connected %d accounts, want 1", len(accounts))
	}
	return s.CustomerID, accounts[0]
}

func TestBankAccountsFullDetails(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	_, a := connected(t, e)
	if a.ID == "" || a.BankName != trustistsim.TestBankName || a.HolderName != "Ada Lovelace" ||
		a.AccountName != trustistsim.TestAccountName || a.SortCode != trustistsim.TestSortCode ||
		a.AccountNumber != trustistsim.TestAccountNumber || a.IBAN != trustistsim.TestIBAN ||
		a.Currency != money.MustCurrency("GBP") || a.Connected.IsZero() || a.Last4() != "5678" {
		t.Fatalf("account = %#v (holder %q, number %q, IBAN %q)", a, a.HolderName, a.AccountNumber, a.IBAN)
	}
	if !bytes.Contains(a.Raw, []byte(trustistsim.TestIBAN)) {
		t.Fatalf("Raw = %s", a.Raw)
	}
	r := e.last()
	if r.method != http.MethodGet || !strings.HasPrefix(r.header.Get("Authorization"), `Hawk id="`+e.sim.TenantKey().HawkID+`"`) {
		t.Fatalf("sent %s %s, Authorization %q", r.method, r.path, r.header.Get("Authorization"))
	}
}

// A connected account's number, IBAN and holder never reach fmt or log/slog output.
func TestBankAccountPrintsMasked(t *testing.T) {
	a := trustist.BankAccount{ID: "acc-1", BankName: "Mock Redirect Bank", HolderName: "Ada Lovelace", SortCode: "04-00-04",
		AccountNumber: "40005678", IBAN: "GB49MOCK04000440005678", Currency: money.MustCurrency("GBP"),
		Raw: []byte(`{"holderName":"Ada Lovelace","accountNumber":"40005678"}`)}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, a), fmt.Sprintf(verb, &a), fmt.Sprintf(verb, []trustist.BankAccount{a}))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("account", "a", &a, "v", a)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("account", "a", &a, "v", a)
	outs = append(outs, buf.String())
	for _, out := range outs {
		for _, personal := range []string{"Lovelace", "40005678", "MOCK0400", "4c6f76656c616365"} {
			if strings.Contains(out, personal) {
				t.Errorf("printed %q: %s", personal, out)
			}
		}
	}
	if !strings.Contains(outs[0], "acc-1") || !strings.Contains(outs[0], "****5678") || !strings.Contains(outs[0], "04-00-04") {
		t.Errorf("%%v = %s; want the id, sort code and last digits", outs[0])
	}
}

// A tenant key without a permission gets an error naming it, as a message and a field.
func TestBankDataPermissionDenied(t *testing.T) {
	e := start(t, trustistsim.Options{}, nil)
	cust, _ := connected(t, e)
	ctx := context.Background()
	const perm = trustist.PermissionReadBankAccounts
	e.sim.RevokeTenantPermission(perm)
	_, err := e.p.BankAccounts(ctx, cust)
	pe := wantCode(t, err, provider.PermissionDenied)
	var missing *trustist.PermissionError
	if !errors.As(err, &missing) || missing.Permission != perm || pe.HTTPStatus != http.StatusForbidden ||
		!strings.Contains(pe.Message, perm) || strings.Contains(err.Error(), e.sim.TenantKey().HawkKey.Reveal()) {
		t.Fatalf("%s revoked: %v (PermissionError %+v)", perm, err, missing)
	}
	e.sim.GrantTenantPermission(perm)
	if accounts, err := e.p.BankAccounts(ctx, cust); err != nil || len(accounts) != 1 {
		t.Fatalf("%s granted again: %v, %d accounts", perm, err, len(accounts))
	}
}

func TestBankAccountsRefusedBeforeSending(t *testing.T) {
	e := start(t, trustistsim.Options{}, func(c *trustist.Config) { c.Tenant = trustist.Key{} })
	ctx := context.Background()
	_, err := e.p.BankAccounts(ctx, "cust")
	wantCode(t, err, provider.PermissionDenied)
	e2 := start(t, trustistsim.Options{}, nil)
	for _, id := range []string{"", "a b"} {
		_, err = e2.p.BankAccounts(ctx, id)
		wantCode(t, err, provider.InvalidRequest)
	}
	if n := len(e.requests()) + len(e2.requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}
