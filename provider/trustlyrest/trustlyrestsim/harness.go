package trustlyrestsim

import (
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/secret"
)

// TestPayer is a payer the simulator (and Trustly) accepts.
var TestPayer = paybridge.Person{
	ID: "user-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Phone: "+14155550100",
	Country: "US", Locale: "en_US",
	Address: &paybridge.Address{Line1: "1 Market St", City: "San Francisco", Region: "CA", PostalCode: "94105", Country: "US"},
}

// Config returns an adapter configuration for this server.
func (s *Server) Config() trustlyrest.Config {
	return trustlyrest.Config{
		AccessID: s.AccessID(), AccessKey: secret.New(s.AccessKey()), MerchantID: s.MerchantID(), BaseURL: s.APIURL(),
	}
}

// ConformanceHarness starts a simulator with fast settlement and notification retries and
// returns the conformance harness for the Trustly REST adapter over it, and a function that
// stops it.
//
// Account and RejectedAccount are sandbox test accounts (the last digit is the verification
// score, 6 or more verifies: https://amer.developers.trustly.com/payments/reference/testing).
// An account verified from bank details
// gives Trustly no authorization to pay into, so payouts use an account verified
// interactively (PayoutAccountInteractive), which the EndUser approves. The EndUser also
// approves the hosted pages of payments made with CaptureManual, of mandates (Recurring
// authorizations) and of interactive payouts (Disbursement authorizations of the payout's
// amount, which the adapter pays out on their Authorize notification).
func ConformanceHarness() (conformance.Harness, func(), error) {
	s, err := Start(Options{SettleDelay: 5 * time.Millisecond,
		Options: simkit.Options{RetryBase: 10 * time.Millisecond, RetryMax: 200 * time.Millisecond}})
	if err != nil {
		return conformance.Harness{}, nil, err
	}
	bad := s.Config()
	bad.AccessKey = secret.New("WrongKey" + simkit.RandomHex(12))
	return conformance.Harness{
		NewGateway:               conformance.Gateways(func() (*trustlyrest.Client, error) { return trustlyrest.New(s.Config()) }),
		NewGatewayBadCredentials: conformance.Gateways(func() (*trustlyrest.Client, error) { return trustlyrest.New(bad) }),
		EndUser:                  s.EndUser(),
		Currency:                 money.MustCurrency("USD"),
		Payer:                    TestPayer,
		Account:                  paybridge.BankAccount{HolderName: "John Smith", Country: "US", RoutingNumber: DemoRoutingNumber, AccountNumber: "1000000009"},
		RejectedAccount:          paybridge.BankAccount{HolderName: "John Smith", Country: "US", RoutingNumber: DemoRoutingNumber, AccountNumber: "1000000002"},
		PayoutAccountInteractive: true,
		Requests:                 s.Requests,
		LoseNextAnswers:          s.DropNextWrite,
		Movements:                s.transactions,
		LoopbackNotifications:    true,
		SetNotificationURL:       s.SetNotificationURL,
		Secrets:                  []string{s.AccessKey(), bad.AccessKey.Reveal(), DemoAccountNumber, "1000000009"},
		Timeout:                  20 * time.Second,
		PollInterval:             5 * time.Millisecond,
		// What Gateway.As and errors.As reach.
		As: conformance.AsTargets{Gateway: []any{new(*trustlyrest.Client)}, Error: []any{new(*trustlyrest.APIError)},
			// What a Pay's BeforeSend hook and Payment.As reach.
			Request: []any{new(*trustlyrest.EstablishOptions)}, Payment: []any{new(*trustlyrest.Transaction)},
			Event: []any{new(*trustlyrest.Webhook)}},
	}, s.Close, nil
}

// transactions counts every transaction created: payments, captures, refunds, deposits.
func (s *Server) transactions() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.txOrder))
}
