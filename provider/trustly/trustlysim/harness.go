package trustlysim

import (
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/secret"
)

// Test data the conformance harness uses.
const (
	// TestIBAN is a Swedish IBAN with valid check digits, which RegisterAccount accepts.
	TestIBAN = "SE4550000000058398257466"
	// TestBadIBAN has wrong check digits; RegisterAccount refuses it.
	TestBadIBAN = "SE4650000000058398257466"
)

// ConformanceHarness starts a simulator with fast notification retries, registers a
// merchant and returns a conformance harness whose Gateways use the trustly adapter
// against it, and a cleanup function that stops the simulator.
func ConformanceHarness() (conformance.Harness, func(), error) {
	// Withdrawals are approved as soon as the merchant accepts their debit: the suite is
	// provider-neutral and approves nothing through the Client.
	s, err := Start(Options{Options: simkit.Options{RetryBase: 5 * time.Millisecond, RetryMax: 100 * time.Millisecond},
		AllowLoopbackHTTP: true, AutoApproveWithdrawals: true})
	if err != nil {
		return conformance.Harness{}, nil, err
	}
	creds, err := s.NewMerchant("paybridge-conformance")
	if err != nil {
		s.Close()
		return conformance.Harness{}, nil, err
	}
	open := func(password secret.Value) func() (*trustly.Client, error) {
		return func() (*trustly.Client, error) {
			// A ShopperStatement, which Trustly requires on a Charge, for charges that
			// carry no Description.
			return trustly.New(trustly.Config{Username: creds.Username, Password: password, PrivateKey: creds.PrivateKey,
				BaseURL: s.APIURL(), TrustlyPublicKey: s.PublicKeyPEM(), ShopperStatement: "Conformance"})
		}
	}
	return conformance.Harness{
		NewGateway:               conformance.Gateways(open(creds.Password)),
		NewGatewayBadCredentials: conformance.Gateways(open(secret.New("not-the-password-" + creds.Username))),
		EndUser:                  s.EndUser(),
		Currency:                 money.MustCurrency("EUR"),
		Payer: paybridge.Person{ID: "enduser-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Phone: "+46709876543", Country: "SE", Locale: "sv_SE"},
		Account:               paybridge.BankAccount{HolderName: "Ada Lovelace", Country: "SE", IBAN: TestIBAN},
		RejectedAccount:       paybridge.BankAccount{HolderName: "Ada Lovelace", Country: "SE", IBAN: TestBadIBAN},
		Requests:              s.Requests,
		LoseNextAnswers:       s.DropNext,
		Movements:             func() int64 { return s.writesApplied(creds.Username) },
		LoopbackNotifications: true,
		Secrets:               []string{creds.Password.Reveal(), creds.PrivateKey.Reveal(), pemBody(creds.PrivateKey.Reveal()), TestIBAN},
		Timeout:               20 * time.Second,
		// What Gateway.As reaches, what a Pay's BeforeSend hook reaches (the Deposit's
		// Attributes) and what Payment.As reaches on a Pay's result (the Deposit's answer).
		// The EndUser approves a mandate's page (a SelectAccount) as it confirms an
		// account.
		As: conformance.AsTargets{Gateway: []any{new(*trustly.Client)}, Request: []any{new(*trustly.Attributes)},
			Payment: []any{new(*trustly.OrderResult)}, Event: []any{new(*trustly.NotificationData)}},
	}, s.Close, nil
}

// pemBody returns the first base64 line of a PEM block, a fragment that would show if the
// key leaked in part.
func pemBody(p string) string {
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '\n' {
			if start == 0 {
				start = i + 1
				continue
			}
			return p[start:i]
		}
	}
	return p
}

// writesApplied counts the merchant's deposits (paid or not), refunds, payouts,
// withdrawals and charges: every order or refund a money-moving write created.
func (s *Server) writesApplied(username string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, o := range s.orders {
		if o.m.username != username {
			continue
		}
		switch o.kind {
		case "Deposit", "Charge":
			n += 1 + int64(len(o.refunds))
		case "AccountPayout", "Withdraw":
			n++
		}
	}
	return n
}
