package trustist_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/secret"
)

// Pay, send the payer to the pay link, and read the outcome — here against the simulator.
func Example() {
	ctx := context.Background()
	sim, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		panic(err)
	}
	defer sim.Close()
	p, err := trustist.New(sim.Config()) // in production: trustist.Config{Environment: trustist.Production, Merchant: ...}
	if err != nil {
		panic(err)
	}
	gw := paybridge.New(p)
	defer gw.Close()

	pay, err := gw.Pay(ctx, paybridge.PaymentRequest{
		Amount: money.MustNew("12.34", "GBP"), MerchantReference: "ORDER-1001",
		ReturnURL: "https://shop.example.com/return",
		Payer:     paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(pay.Status, pay.Amount)

	_ = sim.EndUser().Approve(ctx, pay.RedirectURL) // the payer pays on the hosted page
	pay, _ = gw.GetPayment(ctx, pay.ID)
	fmt.Println(pay.Status, pay.ProviderStatus)
	// Output:
	// requires_action 12.34 GBP
	// succeeded COMPLETE
}

// Reach the adapter's own calls through the Gateway: the merchant-info call checks the
// keys cheaply.
func ExampleClient_Merchant() {
	sim, _ := trustistsim.Start(trustistsim.Options{})
	defer sim.Close()
	p, _ := trustist.New(sim.Config())
	gw := paybridge.New(p)

	var c *trustist.Client
	if gw.As(&c) {
		m, err := c.Merchant(context.Background())
		fmt.Println(m.Name, err)
	}
	// Output: Simulated Merchant Ltd <nil>
}

// Without a tenant key, customers and account verification are left out of
// Capabilities, with the reason.
func ExampleNew() {
	p, err := trustist.New(trustist.Config{
		Environment: trustist.Sandbox,
		Merchant:    trustist.Key{HawkID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", HawkKey: secret.New("sk_test_example")},
	})
	if err != nil {
		panic(err)
	}
	caps := paybridge.New(p).Capabilities()
	fmt.Println(caps.Operations, caps.Currencies)
	fmt.Println(caps.Notes[paybridge.OpCustomers])
	// Output:
	// [pay get_payment notifications] [GBP]
	// needs a Trustist tenant key (Config.Tenant), which this provider was not given
}

// Verify a customer's identity: create the customer, then an onboard session with
// identity and AML checks, through the Gateway's own adapter (tenant key). The customer
// completes the checks on the session's OnboardURL; GetOnboardSession, or the
// identity.verified / identity.failed notification, tells the outcome.
func ExampleClient_CreateOnboardSession() {
	ctx := context.Background()
	sim, _ := trustistsim.Start(trustistsim.Options{})
	defer sim.Close()
	p, _ := trustist.New(sim.Config())
	gw := paybridge.New(p)
	defer gw.Close()

	cust, err := gw.CreateCustomer(ctx, paybridge.Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"})
	if err != nil {
		panic(err)
	}
	var c *trustist.Client
	if !gw.As(&c) {
		panic("not a Trustist gateway")
	}
	s, err := c.CreateOnboardSession(ctx, trustist.OnboardSessionRequest{CustomerID: cust.ID,
		Identity: &trustist.CheckOptions{}, AML: &trustist.CheckOptions{},
		ReturnURL: "https://shop.example.com/onboarded"})
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Status, s.Final())

	_ = sim.EndUser().Approve(ctx, s.OnboardURL) // the customer completes the checks
	s, _ = c.GetOnboardSession(ctx, s.ID)
	fmt.Println(s.Status, s.Identity.Passed(), s.AML.Passed(), s.Passed())
	// Output:
	// Created false
	// Complete true true true
}

// Read the bank accounts a customer connected in an onboard session, through the
// Gateway: the call needs a tenant key with the read_customer_bank_accounts permission.
// An account prints masked.
func ExampleClient_BankAccounts() {
	ctx := context.Background()
	sim, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		panic(err)
	}
	defer sim.Close()
	p, err := trustist.New(sim.Config()) // both keys: merchant and tenant
	if err != nil {
		panic(err)
	}
	gw := paybridge.New(p)
	defer gw.Close()

	// The customer connects an account at their bank (here on the simulator's page).
	v, err := gw.VerifyAccount(ctx, paybridge.VerifyAccountRequest{ReturnURL: "https://shop.example.com/verified",
		Holder: paybridge.Person{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}})
	if err != nil {
		panic(err)
	}
	if err := sim.EndUser().Approve(ctx, v.RedirectURL); err != nil {
		panic(err)
	}

	var c *trustist.Client
	var session *trustist.OnboardSession // the verification's onboard session names its customer
	if !gw.As(&c) || !v.As(&session) {
		return
	}
	accounts, err := c.BankAccounts(ctx, session.CustomerID)
	if err != nil || len(accounts) == 0 {
		fmt.Println("no account", err)
		return
	}
	a := accounts[0]
	fmt.Println(a.BankName, a.SortCode, a.Currency, "account ending", a.Last4())
	fmt.Println("holder and IBAN given:", a.HolderName != "" && a.IBAN != "")
	// Output:
	// Mock Redirect Bank 04-00-04 GBP account ending 5678
	// holder and IBAN given: true
}
