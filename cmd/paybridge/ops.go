package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
)

const opsEnvHelp = `Environment:
  PAYBRIDGE_URL                 provider URL when --url is not given
  trustly://      PAYBRIDGE_TRUSTLY_USERNAME, PAYBRIDGE_TRUSTLY_PASSWORD (or _FILE),
                  PAYBRIDGE_TRUSTLY_PRIVATE_KEY (or _FILE: PEM file); for an endpoint
                  other than Trustly's (a simulator), PAYBRIDGE_TRUSTLY_PUBLIC_KEY (or
                  _FILE), the public key that verifies its signatures
  trustlyrest://  PAYBRIDGE_TRUSTLYREST_ACCESS_ID, PAYBRIDGE_TRUSTLYREST_ACCESS_KEY (or
                  _FILE), PAYBRIDGE_TRUSTLYREST_MERCHANT_ID (or the URL's access_id and
                  merchant_id)
  trustist://     PAYBRIDGE_TRUSTIST_HAWK_ID, PAYBRIDGE_TRUSTIST_HAWK_KEY (or _FILE); for
                  customers and verification also PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and
                  PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY (or _FILE)
  mem://          nothing (an in-memory provider, forgotten when the command ends)
`

const idempotencyHelp = `Idempotency: pay, refund and payout refuse to run without --idempotency-key.
If the command times out or exits with 4 (outcome unknown), run exactly the same
command again: with the same key the provider returns the first result instead of
moving money twice. A key made up afresh on each run would turn that repeat into a
second payment, so the key belongs on the command line, where the shell history and
the runbook keep it. Use something tied to the job: the order or ticket number.
Every provider recognises a repeated refund or payout. A repeated pay can open a
second payment page where the provider keeps no keys: at Trustly REST while the first
is not yet approved (the reference lets only one be authorized), and at Trustist,
whose API has no idempotency at all: there, look the reference up in the
TrustistTransfer portal before paying again.
`

// personFlags are the flags describing the payer, payee or account holder.
type personFlags struct{ p paybridge.Person }

func (f *personFlags) register(fs *flag.FlagSet, whose string) {
	fs.StringVar(&f.p.ID, "user-id", "", "your stable id for the "+whose+" (Trustly's EndUserID; required by Trustly)")
	fs.StringVar(&f.p.FirstName, "first-name", "", whose+"'s first name")
	fs.StringVar(&f.p.LastName, "last-name", "", whose+"'s last name")
	fs.StringVar(&f.p.Email, "email", "", whose+"'s e-mail address")
	fs.StringVar(&f.p.Phone, "phone", "", whose+"'s phone number, international form")
	fs.StringVar(&f.p.Country, "country", "", whose+"'s country, ISO 3166-1 alpha-2 (GB, SE, US)")
	fs.StringVar(&f.p.Locale, "locale", "", whose+"'s locale (en_GB, sv_SE)")
}

// amountFlags read an amount as two flags.
type amountFlags struct{ value, currency string }

func (f *amountFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.value, "amount", "", "amount as decimal text, e.g. 12.34 (never rounded: 12.345 GBP is refused)")
	fs.StringVar(&f.currency, "currency", "", "ISO 4217 currency code, e.g. GBP")
}

func (f *amountFlags) amount() (money.Amount, error) {
	if f.value == "" || f.currency == "" {
		return money.Amount{}, errors.New("--amount and --currency are required")
	}
	a, err := money.New(f.value, f.currency)
	if err != nil {
		return money.Amount{}, fmt.Errorf("--amount %s --currency %s: %v", f.value, f.currency, err)
	}
	return a, nil
}

// suggestKey returns a fresh idempotency key to suggest to the operator.
func suggestKey(cmd string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return cmd + "-" + time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(b)
}

func requireKey(s stdio, cmd, key string) (int, bool) {
	if key != "" {
		return 0, true
	}
	fmt.Fprintf(s.err, `paybridge %s: --idempotency-key is required for a command that moves money.
Pick one tied to this job and keep it, for example:
  --idempotency-key %s
Running the same command with the same key again never moves money twice.
Run 'paybridge %s --help' for usage.
`, cmd, suggestKey(cmd), cmd)
	return exitUsage, false
}

// op runs one Gateway call under the flags' timeout and prints its result or error.
func op[T any](ctx context.Context, s stdio, cmd string, c *connFlags, write bool, key string,
	call func(context.Context, *paybridge.Gateway) (T, error), show func(io.Writer, T)) int {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	gw, err := c.open(ctx, s.err)
	if err != nil {
		return reportError(s, cmd, c.json, err, exitConfig, key)
	}
	defer gw.Close()
	res, err := call(ctx, gw)
	if err != nil {
		return reportError(s, cmd, c.json, err, exitCodeFor(err, write), key)
	}
	if c.json {
		writeJSON(s.out, res)
	} else {
		show(s.out, res)
	}
	return exitOK
}

// exitCodeFor classifies a Gateway error. write says the call could have moved money.
func exitCodeFor(err error, write bool) int {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if write {
			return exitUnknown
		}
		return exitConfig
	}
	switch paybridge.CodeOf(err) {
	case paybridge.CodeInvalidRequest, paybridge.CodeNotSupported:
		return exitUsage
	case paybridge.CodeUnauthenticated, paybridge.CodePermissionDenied, paybridge.CodeProviderUnavailable, paybridge.CodeRateLimited:
		return exitConfig
	case paybridge.CodeUnknownOutcome:
		return exitUnknown
	}
	return exitFailed
}

// errorJSON is the --json form of a failure.
type errorJSON struct {
	Code           string      `json:"code"`
	Message        string      `json:"message"`
	ExitCode       int         `json:"exitCode"`
	Retryable      bool        `json:"retryable"`
	Operation      string      `json:"operation,omitempty"`
	Provider       string      `json:"provider,omitempty"`
	IdempotencyKey string      `json:"idempotencyKey,omitempty"`
	ProviderCode   string      `json:"providerCode,omitempty"`
	HTTPStatus     int         `json:"httpStatus,omitempty"`
	CorrelationID  string      `json:"correlationId,omitempty"`
	Fields         []fieldJSON `json:"fields,omitempty"`
}

type fieldJSON struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

func describe(err error, exit int, key string) errorJSON {
	e := errorJSON{Message: err.Error(), ExitCode: exit, IdempotencyKey: key}
	code := paybridge.CodeOf(err)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		e.Code = "timeout"
	case errors.Is(err, context.Canceled):
		e.Code = "canceled"
	case code != paybridge.CodeUnknown:
		e.Code = code.String()
		e.Retryable = code.Retryable()
	case exit == exitConfig:
		e.Code = "configuration"
	default:
		e.Code = code.String()
	}
	var pe *paybridge.Error
	if errors.As(err, &pe) {
		e.Operation, e.Provider = pe.Op, pe.Provider
		if pe.IdempotencyKey != "" {
			e.IdempotencyKey = pe.IdempotencyKey
		}
		for _, f := range pe.Fields {
			e.Fields = append(e.Fields, fieldJSON{Field: f.Field, Problem: f.Problem})
		}
	}
	var prov *provider.Error
	if errors.As(err, &prov) {
		e.ProviderCode, e.HTTPStatus, e.CorrelationID = prov.ProviderCode, prov.HTTPStatus, prov.CorrelationID
	}
	return e
}

// reportError prints err (as JSON on stdout with --json, as text on stderr otherwise) and
// returns exit.
func reportError(s stdio, cmd string, asJSON bool, err error, exit int, key string) int {
	e := describe(err, exit, key)
	if asJSON {
		writeJSON(s.out, struct {
			Error errorJSON `json:"error"`
		}{e})
		return exit
	}
	fmt.Fprintf(s.err, "paybridge %s: %s\n", cmd, e.Message)
	kv(s.err, "  code", e.Code, "  provider code", e.ProviderCode, "  correlation id", e.CorrelationID,
		"  idempotency key", e.IdempotencyKey)
	switch exit {
	case exitUsage:
		fmt.Fprintln(s.err, "Nothing moved: change the request.")
	case exitConfig:
		if errors.Is(err, errNoURL) {
			break
		}
		fmt.Fprintln(s.err, "Check the URL, the credentials and the connection; the provider did not act on this call.")
	case exitUnknown:
		fmt.Fprintf(s.err, "The outcome is unknown: the provider may have acted. Run the same command again, with\n"+
			"--idempotency-key %s, to learn it; the provider answers with the first result instead of acting twice.\n",
			e.IdempotencyKey)
		if e.Provider == trustist.Name {
			fmt.Fprintln(s.err, "Trustist keeps no idempotency keys: look the reference up in the TrustistTransfer portal first.")
		}
	}
	return exit
}

func payCmd(ctx context.Context, s stdio, args []string) int {
	const help = `Usage: paybridge pay --amount 12.34 --currency GBP --reference REF --return-url URL
                     --idempotency-key KEY [payer flags] [flags]

Creates a payment (a pay-in) and prints it: the payment id, the neutral status
(usually requires_action), the provider's own status, and the redirect URL where the
payer approves it at their bank. Send the payer there; the outcome arrives as a
notification, or read it with 'paybridge status payment ID'.

` + idempotencyHelp + `
Examples:
  paybridge pay --url mem:// --amount 12.34 --currency GBP --reference order-1001 \
      --return-url https://shop.example.com/orders/1001 --email ada@example.com \
      --idempotency-key order-1001-pay
  export PAYBRIDGE_URL='trustlyrest://sandbox?merchant_id=1002463580&access_id=…'
  paybridge pay --json --amount 10.00 --currency USD --reference order-7 \
      --description 'Order 7' --return-url https://shop.example.com/7 \
      --first-name Ada --last-name Lovelace --email ada@example.com --country US \
      --idempotency-key order-7-pay | jq -r .redirectUrl

` + opsEnvHelp
	fs := newFlags(s, "pay")
	var c connFlags
	var amt amountFlags
	var payer personFlags
	var req paybridge.PaymentRequest
	c.register(fs)
	amt.register(fs)
	payer.register(fs, "payer")
	fs.StringVar(&req.MerchantReference, "reference", "", "your order reference, unique per payment (required)")
	fs.StringVar(&req.ReturnURL, "return-url", "", "where the payer is sent after approving (required)")
	fs.StringVar(&req.CancelURL, "cancel-url", "", "where the payer is sent after cancelling (default the return URL)")
	fs.StringVar(&req.NotificationURL, "notification-url", "", "where the provider sends this payment's notifications, where it takes one per payment (Trustly)")
	fs.StringVar(&req.Description, "description", "", "text shown to the payer (required by Trustly REST)")
	fs.StringVar(&req.CustomerID, "customer-id", "", "a customer created at the provider, where supported")
	fs.StringVar(&req.IdempotencyKey, "idempotency-key", "", "key that makes a repeat of this command safe (required)")
	pos, code, ok := parse(fs, s, help, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(s, "pay", "unexpected argument %q", pos[0])
	}
	var err error
	if req.Amount, err = amt.amount(); err != nil {
		return usageError(s, "pay", "%v", err)
	}
	if req.MerchantReference == "" || req.ReturnURL == "" {
		return usageError(s, "pay", "--reference and --return-url are required")
	}
	if code, ok := requireKey(s, "pay", req.IdempotencyKey); !ok {
		return code
	}
	req.Payer = payer.p
	return op(ctx, s, "pay", &c, true, req.IdempotencyKey,
		func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payment, error) { return gw.Pay(ctx, req) },
		showPayment)
}

func refundCmd(ctx context.Context, s stdio, args []string) int {
	const help = `Usage: paybridge refund --payment ID --amount 5.00 --currency GBP --idempotency-key KEY [flags]

Refunds a succeeded payment, in full or in part (where the provider allows partial and
repeated refunds), and prints the refund: its id, the neutral status (pending until
the provider confirms it) and the provider's own status. Read it later with
'paybridge status refund ID'.

` + idempotencyHelp + `
Examples:
  paybridge refund --payment 1002600001 --amount 5.00 --currency USD \
      --reason 'damaged item' --idempotency-key ticket-4711-refund
  paybridge refund --json --payment 7350154867 --amount 12.34 --currency EUR \
      --idempotency-key order-1001-refund-1

` + opsEnvHelp
	fs := newFlags(s, "refund")
	var c connFlags
	var amt amountFlags
	var req paybridge.RefundRequest
	c.register(fs)
	amt.register(fs)
	fs.StringVar(&req.PaymentID, "payment", "", "id of the payment to refund (required)")
	fs.StringVar(&req.MerchantReference, "reference", "", "your reference for the refund (default derived from the idempotency key)")
	fs.StringVar(&req.Reason, "reason", "", "why, where the provider records it")
	fs.StringVar(&req.IdempotencyKey, "idempotency-key", "", "key that makes a repeat of this command safe (required)")
	pos, code, ok := parse(fs, s, help, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(s, "refund", "unexpected argument %q", pos[0])
	}
	if req.PaymentID == "" {
		return usageError(s, "refund", "--payment is required")
	}
	var err error
	if req.Amount, err = amt.amount(); err != nil {
		return usageError(s, "refund", "%v", err)
	}
	if code, ok := requireKey(s, "refund", req.IdempotencyKey); !ok {
		return code
	}
	return op(ctx, s, "refund", &c, true, req.IdempotencyKey,
		func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Refund, error) {
			return gw.Refund(ctx, req)
		},
		showRefund)
}

func payoutCmd(ctx context.Context, s stdio, args []string) int {
	const help = `Usage: paybridge payout --account-id ID --amount 25.00 --currency EUR --reference REF
                        --idempotency-key KEY [payee flags] [flags]

Sends money to a bank account the provider has verified, and prints the payout: its
id, the neutral status (pending until the bank confirms it) and the provider's own
status. The account id is the one 'paybridge verify' printed for a verified account.
Trustly ties accounts to the end user: give the --user-id the account was verified
with.

` + idempotencyHelp + `
Example:
  paybridge payout --account-id 1293847561 --amount 25.00 --currency EUR \
      --reference withdrawal-88 --user-id customer-42 --first-name Ada \
      --last-name Lovelace --email ada@example.com --country SE --locale sv_SE \
      --idempotency-key withdrawal-88

` + opsEnvHelp
	fs := newFlags(s, "payout")
	var c connFlags
	var amt amountFlags
	var payee personFlags
	var req paybridge.PayoutRequest
	c.register(fs)
	amt.register(fs)
	payee.register(fs, "payee")
	fs.StringVar(&req.AccountID, "account-id", "", "id of the verified account, from 'paybridge verify' (required)")
	fs.StringVar(&req.MerchantReference, "reference", "", "your reference, unique per payout (required)")
	fs.StringVar(&req.Description, "description", "", "text on the payee's bank statement, where supported")
	fs.StringVar(&req.NotificationURL, "notification-url", "", "where the provider sends this payout's notifications, where it takes one per payout (Trustly)")
	fs.StringVar(&req.IdempotencyKey, "idempotency-key", "", "key that makes a repeat of this command safe (required)")
	pos, code, ok := parse(fs, s, help, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(s, "payout", "unexpected argument %q", pos[0])
	}
	if req.AccountID == "" || req.MerchantReference == "" {
		return usageError(s, "payout", "--account-id and --reference are required")
	}
	var err error
	if req.Amount, err = amt.amount(); err != nil {
		return usageError(s, "payout", "%v", err)
	}
	if code, ok := requireKey(s, "payout", req.IdempotencyKey); !ok {
		return code
	}
	req.Payee = payee.p
	return op(ctx, s, "payout", &c, true, req.IdempotencyKey,
		func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payout, error) {
			return gw.Payout(ctx, req)
		},
		showPayout)
}

func verifyCmd(ctx context.Context, s stdio, args []string) int {
	const help = `Usage: paybridge verify [--iban IBAN | --account-number N --routing-number R] [holder flags] [flags]

Verifies a bank account so that it can receive payouts, and prints the verification:
its id, the neutral status, the provider's own status and, once verified, the account
id to give 'paybridge payout --account-id'.

With account details the provider checks the account without the holder, where it can.
Without them the verification is interactive: the command prints a redirect URL where
the holder picks and confirms the account at their bank (give --return-url); follow it
with 'paybridge status verification ID'.

Verification moves no money, so --idempotency-key is optional here: without one a key
is made, and printed with the result so that the call can be repeated safely.

Examples:
  paybridge verify --url mem:// --iban GB29NWBK60161331926819 --first-name Ada \
      --last-name Lovelace
  paybridge verify --account-number 1000000008 --routing-number 124003116 \
      --first-name Ada --last-name Lovelace --email ada@example.com --country US
  paybridge verify --return-url https://shop.example.com/verified --user-id customer-42 \
      --first-name Ada --last-name Lovelace --email ada@example.com --country SE \
      --locale sv_SE

` + opsEnvHelp
	fs := newFlags(s, "verify")
	var c connFlags
	var holder personFlags
	var req paybridge.VerifyAccountRequest
	var cur string
	c.register(fs)
	holder.register(fs, "holder")
	fs.StringVar(&req.Account.IBAN, "iban", "", "the account's IBAN")
	fs.StringVar(&req.Account.AccountNumber, "account-number", "", "the account number (with --routing-number)")
	fs.StringVar(&req.Account.RoutingNumber, "routing-number", "", "US ABA routing number, UK sort code or Swedish clearing number")
	fs.StringVar(&req.Account.BIC, "bic", "", "the bank's BIC, where needed")
	fs.StringVar(&req.Account.HolderName, "holder-name", "", "name on the account (default first and last name)")
	fs.StringVar(&req.Account.Country, "account-country", "", "the account's country (default the holder's)")
	fs.StringVar(&cur, "currency", "", "currency of the payouts the account will receive, where the provider asks")
	fs.StringVar(&req.MerchantReference, "reference", "", "your reference for the verification")
	fs.StringVar(&req.ReturnURL, "return-url", "", "where the holder is sent after confirming (interactive verification)")
	fs.StringVar(&req.CancelURL, "cancel-url", "", "where the holder is sent after cancelling")
	fs.StringVar(&req.NotificationURL, "notification-url", "", "where the provider sends the verification's notifications (Trustly)")
	fs.StringVar(&req.IdempotencyKey, "idempotency-key", "", "key that makes a repeat safe (default: made and printed)")
	pos, code, ok := parse(fs, s, help, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(s, "verify", "unexpected argument %q", pos[0])
	}
	if cur != "" {
		var err error
		if req.Currency, err = money.ParseCurrency(cur); err != nil {
			return usageError(s, "verify", "--currency: %v", err)
		}
	}
	req.Holder = holder.p
	if !req.Account.IsZero() {
		if req.Account.HolderName == "" {
			req.Account.HolderName = strings.TrimSpace(req.Holder.FirstName + " " + req.Holder.LastName)
		}
		if req.Account.Country == "" {
			req.Account.Country = req.Holder.Country
		}
	} else if req.Account != (paybridge.BankAccount{}) {
		return usageError(s, "verify", "give --iban or --account-number with the other account details")
	}
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = suggestKey("verify")
	}
	return op(ctx, s, "verify", &c, false, req.IdempotencyKey,
		func(ctx context.Context, gw *paybridge.Gateway) (verification, error) {
			v, err := gw.VerifyAccount(ctx, req)
			return verification{v, req.IdempotencyKey}, err
		},
		func(w io.Writer, v verification) {
			showVerification(w, v.AccountVerification)
			kv(w, "idempotency key", v.IdempotencyKey)
		})
}

// verification is the result of verify: the verification and the key it was made with.
type verification struct {
	*paybridge.AccountVerification
	IdempotencyKey string `json:"idempotencyKey"`
}

func statusCmd(ctx context.Context, s stdio, args []string) int {
	const help = `Usage: paybridge status [payment|refund|payout|verification] ID [flags]

Reads a payment (the default), refund, payout or account verification from the
provider and prints it: the neutral status, the provider's own status, the amounts and
references. Not every provider can read every kind back (Trustly JSON-RPC reports
outcomes only by notification); those exit with 2 and say so.

Examples:
  paybridge status 1002600001
  paybridge status refund 1002600007 --json
  paybridge status verification 3c1d2e6f --url trustist://sandbox

` + opsEnvHelp
	fs := newFlags(s, "status")
	var c connFlags
	c.register(fs)
	pos, code, ok := parse(fs, s, help, args)
	if !ok {
		return code
	}
	kind, id := "payment", ""
	switch len(pos) {
	case 1:
		id = pos[0]
	case 2:
		kind, id = pos[0], pos[1]
	default:
		return usageError(s, "status", "want [KIND] ID, got %d arguments", len(pos))
	}
	if id == "" {
		return usageError(s, "status", "the id is empty")
	}
	switch kind {
	case "payment":
		return op(ctx, s, "status", &c, false, "",
			func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payment, error) {
				return gw.GetPayment(ctx, id)
			},
			showPayment)
	case "refund":
		return op(ctx, s, "status", &c, false, "",
			func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Refund, error) {
				return gw.GetRefund(ctx, id)
			},
			showRefund)
	case "payout":
		return op(ctx, s, "status", &c, false, "",
			func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payout, error) {
				return gw.GetPayout(ctx, id)
			},
			showPayout)
	case "verification":
		return op(ctx, s, "status", &c, false, "",
			func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.AccountVerification, error) {
				return gw.GetAccountVerification(ctx, id)
			},
			showVerification)
	}
	return usageError(s, "status", "unknown kind %q: payment, refund, payout or verification", kind)
}

func amountText(a money.Amount) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func showPayment(w io.Writer, p *paybridge.Payment) {
	kv(w, "payment", p.ID, "provider", p.Provider, "status", string(p.Status), "provider status", p.ProviderStatus,
		"amount", amountText(p.Amount), "refunded", amountText(p.Refunded), "reference", p.MerchantReference,
		"idempotency key", p.IdempotencyKey, "redirect URL", p.RedirectURL,
		"created", timeText(p.CreatedAt), "updated", timeText(p.UpdatedAt))
}

func showRefund(w io.Writer, r *paybridge.Refund) {
	kv(w, "refund", r.ID, "provider", r.Provider, "payment", r.PaymentID, "status", string(r.Status),
		"provider status", r.ProviderStatus, "amount", amountText(r.Amount), "reference", r.MerchantReference,
		"idempotency key", r.IdempotencyKey, "created", timeText(r.CreatedAt))
}

func showPayout(w io.Writer, p *paybridge.Payout) {
	kv(w, "payout", p.ID, "provider", p.Provider, "status", string(p.Status), "provider status", p.ProviderStatus,
		"amount", amountText(p.Amount), "account", p.AccountID, "reference", p.MerchantReference,
		"idempotency key", p.IdempotencyKey, "created", timeText(p.CreatedAt))
}

func showVerification(w io.Writer, v *paybridge.AccountVerification) {
	kv(w, "verification", v.ID, "provider", v.Provider, "status", string(v.Status), "provider status", v.ProviderStatus,
		"account id", v.AccountID, "bank", v.BankName, "account", lastFour(v.Last4), "redirect URL", v.RedirectURL,
		"created", timeText(v.CreatedAt))
}

func lastFour(s string) string {
	if s == "" {
		return ""
	}
	return "****" + s
}
