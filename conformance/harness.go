// Package conformance is the one test suite every paybridge adapter passes.
//
// RunConformanceTests drives an adapter only through the portable *paybridge.Gateway, so the
// same named scenarios run against the in-memory provider, each provider's simulator and
// each provider's real sandbox. Each scenario runs, or skips with the reason, according to
// the Gateway's Capabilities and what the Harness can do (an end user that can approve a
// hosted page, notifications that can reach this machine, a request counter). Operations
// that Capabilities leaves out must fail with ErrNotSupported. The As scenario checks that
// Gateway.As and errors.As reach the adapter's own types the Harness declares (AsTargets),
// and nothing else; the BeforeSend scenario does the same for the as function of a Pay's
// hook and for Payment.As, and RequestFields checks that each optional request field the
// provider does not carry (Capabilities.RequestFields) is refused by name before sending.
//
// An adapter's test builds a [Harness] and passes it to [RunConformanceTests], which runs
// each scenario as a subtest. This one, from this package's tests, tests the in-memory
// provider; an adapter over an HTTP API starts its simulator instead of a Backend and
// takes the EndUser, Requests and credentials from it (see trustistsim.Server.Harness):
//
//	func TestConformance(t *testing.T) {
//		b := memprovider.NewBackend()
//		defer b.Close()
//		conformance.RunConformanceTests(t, conformance.Harness{
//			NewGateway: func(_ context.Context, _ conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
//				return paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}), opts...)
//			},
//			EndUser:               b.EndUser(), // approves, declines and abandons hosted pages
//			Currency:              money.MustCurrency("GBP"),
//			Payer:                 paybridge.Person{ID: "user-1", Email: "ada@example.com", Country: "GB"},
//			Account:               paybridge.BankAccount{HolderName: "Ada Lovelace", IBAN: "GB29NWBK60161331926819"},
//			Requests:              b.Requests, // proves invalid requests are refused before sending
//			LoopbackNotifications: true,
//			Secrets:               []string{b.APIKey().Reveal(), b.WebhookKey().Reveal()},
//			As: conformance.AsTargets{
//				Gateway: []any{new(*memprovider.Client), new(*memprovider.Backend)},
//				Request: []any{new(*memprovider.PaymentOptions)}, // what a Pay's BeforeSend hook reaches
//				Payment: []any{new(*memprovider.PaymentDetail)},  // what Payment.As reaches
//			},
//		})
//	}
//
// [Run] runs the same scenarios outside a test and returns one [Result] each, for reports.
package conformance

import (
	"context"
	"net/http"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// T is the part of testing.TB the scenarios and harness functions use. *testing.T satisfies
// it; Run supplies its own for programs that are not tests.
type T interface {
	Helper()
	Log(args ...any)
	Logf(format string, args ...any)
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Skip(args ...any)
	Skipf(format string, args ...any)
	Failed() bool
}

// EndUser acts on a provider's hosted pages as a person would.
type EndUser interface {
	// Approve completes the page at redirectURL: pays, or confirms an account.
	Approve(ctx context.Context, redirectURL string) error
	// Decline refuses at the bank.
	Decline(ctx context.Context, redirectURL string) error
	// Abandon leaves without finishing.
	Abandon(ctx context.Context, redirectURL string) error
}

// Gateways returns a Harness.NewGateway (or NewGatewayBadCredentials) that builds each
// Gateway over the provider newProvider returns, with the options the suite passes, and
// fails the test when newProvider returns an error.
func Gateways[P provider.Provider](newProvider func() (P, error)) func(context.Context, T, ...paybridge.Option) *paybridge.Gateway {
	return func(_ context.Context, t T, opts ...paybridge.Option) *paybridge.Gateway {
		p, err := newProvider()
		if err != nil {
			t.Fatalf("the adapter refused its configuration: %v", err)
		}
		return paybridge.New(p, opts...)
	}
}

// Harness is what an adapter supplies to the suite.
type Harness struct {
	// NewGateway returns a Gateway for the provider under test, built with opts (the suite
	// passes its logger). Required.
	NewGateway func(ctx context.Context, t T, opts ...paybridge.Option) *paybridge.Gateway
	// NewGatewayBadCredentials returns a Gateway configured like NewGateway but with wrong
	// credentials. Nil skips the bad-credentials scenario.
	NewGatewayBadCredentials func(ctx context.Context, t T, opts ...paybridge.Option) *paybridge.Gateway
	// EndUser drives hosted pages. Nil skips scenarios that need a person.
	EndUser EndUser
	// Currency is the currency of test payments; amounts are small (1.00 to 20.00).
	Currency money.Currency
	// Payer is a payer the provider accepts, with every detail it requires of a new
	// customer (names, e-mail, phone, country, locale, ...; Trustly REST requires the
	// phone). Scenarios leave out the optional fields the provider does not carry
	// (Capabilities.RequestFields).
	Payer paybridge.Person
	// Account is a bank account the provider verifies without interaction, for
	// VerifyAccount and Payout. Zero skips those scenarios unless the provider verifies
	// interactively and EndUser is set.
	Account paybridge.BankAccount
	// PayoutAccountInteractive says payouts need an account verified interactively (the
	// holder confirms it at their bank), not one verified from Account's details; the
	// payout scenarios then use the interactive path even when Account is set.
	PayoutAccountInteractive bool
	// RejectedAccount is an account the provider refuses to verify; zero skips that check.
	RejectedAccount paybridge.BankAccount
	// Requests, when set, returns how many requests the provider has received; the suite
	// uses it to prove that invalid requests are refused before anything is sent.
	Requests func() int64
	// LoopbackNotifications says the provider can deliver notifications to a server on this
	// machine (true for simulators). False skips the notification scenarios.
	LoopbackNotifications bool
	// SetNotificationURL is called with the suite's notification endpoint for providers
	// configured with one fixed notification URL rather than one per request.
	SetNotificationURL func(url string)
	// Tamper alters a captured notification so that it must be rejected. The default
	// changes every decimal digit of the body.
	Tamper func(body []byte, h http.Header) ([]byte, http.Header)
	// Secrets lists every credential string (passwords, keys, tokens, full account
	// numbers) that must never appear in logs or error messages.
	Secrets []string
	// As declares the adapter's own types that Gateway.As and errors.As reach, for the As
	// scenario. Without it the scenario checks only what holds for every adapter.
	As AsTargets
	// LoseNextAnswers makes the provider apply the next n writes (Pay, Refund, Payout, and
	// the other writes where the provider can) and lose their answers, as a connection
	// dropped on the way back would; 0 stops it.
	// Without it, with Movements, the scenarios about lost answers are skipped.
	LoseNextAnswers func(n int)
	// Movements returns how many money movements the provider has applied: payments
	// created (by Pay or by a Charge under a mandate), captures, refunds and payouts made.
	Movements func() int64
	// NewJournal returns the operations journal that scenarios share between several
	// Gateways (a restarted process, a second instance). Default: a new in-memory one.
	// Set it to run those scenarios on a persistent journal such as pgjournal.
	NewJournal func(t T) journal.Journal
	// GatewayOptions are added to the options of every Gateway the suite builds (after
	// the suite's logger), for example paybridge.WithTracerProvider and
	// paybridge.WithMeterProvider to record the suite's telemetry.
	GatewayOptions []paybridge.Option
	// Timeout bounds each scenario (default 30s).
	Timeout time.Duration
	// PollInterval is the first wait between status polls (default 10ms; it doubles up to
	// 1s).
	PollInterval time.Duration
}

// AsTargets declares what an adapter's As methods reach, as go-cloud's drivertest.AsTest
// does for its drivers. Each target is what a caller passes: a non-nil pointer to a
// variable of the adapter's type, e.g. new(*trustly.Client). The As scenario requires each
// one to be set to a non-zero value, and a target of any type the adapter does not know to
// be refused.
type AsTargets struct {
	// Gateway lists targets Gateway.As sets: the adapter's client, and anything else its
	// As hands out (memprovider's *Backend).
	Gateway []any
	// Error lists targets errors.As sets from every refusal the provider sends back
	// through the Gateway (wrong credentials, an unknown payment id), beyond the
	// *paybridge.Error and *provider.Error every adapter's refusals reach, e.g.
	// new(*trustlyrest.APIError). Each target's element type must implement error or be
	// an interface, as errors.As requires.
	Error []any
	// Request lists targets the as function of a Pay's BeforeSend hook sets: the
	// adapter's wire request or its parts, e.g. new(*trustist.PaymentBody). Without any,
	// the BeforeSend scenario is skipped.
	Request []any
	// Payment lists targets Payment.As sets on the result of a Pay: the adapter's own
	// decoded answer.
	Payment []any
	// Event lists targets notify.Event.As sets on a verified payment notification: the
	// adapter's own decoded form of it.
	Event []any
}

func (h *Harness) defaults() {
	if h.Timeout == 0 {
		h.Timeout = 30 * time.Second
	}
	if h.PollInterval == 0 {
		h.PollInterval = 10 * time.Millisecond
	}
	if h.Tamper == nil {
		h.Tamper = shiftDigits
	}
}

// shiftDigits replaces each decimal digit d with (d+1) mod 10.
func shiftDigits(body []byte, h http.Header) ([]byte, http.Header) {
	out := make([]byte, len(body))
	for i, c := range body {
		if c >= '0' && c <= '9' {
			c = '0' + (c-'0'+1)%10
		}
		out[i] = c
	}
	return out, h.Clone()
}
