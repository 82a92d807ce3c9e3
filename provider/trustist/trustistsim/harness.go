package trustistsim

import (
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/secret"
)

// ConformanceHarness starts a simulator with fast webhook retries and returns a
// conformance harness whose Gateways use the trustist adapter against it (merchant and
// tenant keys configured), and a cleanup function that stops the simulator.
func ConformanceHarness() (conformance.Harness, func(), error) {
	s, err := Start(Options{Options: simkit.Options{RetryBase: 5 * time.Millisecond, RetryMax: 100 * time.Millisecond, MaxAttempts: 50}})
	if err != nil {
		return conformance.Harness{}, nil, err
	}
	return s.Harness(), s.Close, nil
}

// Harness returns a conformance harness for this server.
func (s *Server) Harness() conformance.Harness {
	bad := s.Config()
	wrongKey := secret.New("sk_test_wrong_" + simkit.RandomHex(12))
	bad.Merchant.HawkKey = wrongKey
	return conformance.Harness{
		NewGateway:               conformance.Gateways(func() (*trustist.Client, error) { return trustist.New(s.Config()) }),
		NewGatewayBadCredentials: conformance.Gateways(func() (*trustist.Client, error) { return trustist.New(bad) }),
		EndUser:                  s.EndUser(),
		Currency:                 s.currency,
		Payer: paybridge.Person{ID: "user-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Country: "GB", Locale: "en_GB"},
		Requests:              s.Requests,
		LoseNextAnswers:       s.DropNext,
		Movements:             func() int64 { return int64(s.Payments()) },
		LoopbackNotifications: true,
		SetNotificationURL:    s.SetWebhookURL,
		Secrets:               []string{s.merchant.HawkKey.Reveal(), s.tenant.HawkKey.Reveal(), wrongKey.Reveal()},
		Timeout:               20 * time.Second,
		// What Gateway.As, Pay's BeforeSend hook and Payment.As reach.
		As: conformance.AsTargets{Gateway: []any{new(*trustist.Client)}, Request: []any{new(*trustist.PaymentBody)},
			Payment: []any{new(*trustist.Payment)}, Event: []any{new(*trustist.Payment)}},
	}
}
