package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// seeAlso ends the help of the operator commands.
const seeAlso = `
See also: 'paybridge help environment' (provider URLs and credentials),
'paybridge help idempotency', 'paybridge help exit-codes'.
`

// personFlags are the flags describing the payer, payee or account holder.
type personFlags struct{ p paybridge.Person }

func (f *personFlags) register(fs *flag.FlagSet, whose string) {
	fs.StringVar(&f.p.ID, "user-id", "", "your stable id for the "+whose+" (Trustly's EndUserID; required by Trustly)")
	fs.StringVar(&f.p.FirstName, "first-name", "", whose+"'s first name")
	fs.StringVar(&f.p.LastName, "last-name", "", whose+"'s last name")
	fs.StringVar(&f.p.Email, "email", "", whose+"'s e-mail address")
	phone := whose + "'s phone number, international form (+14155550100)"
	switch whose {
	case "payer":
		phone += "; required by Trustly REST unless --customer-id names a customer kept there"
	case "holder":
		phone += "; required by Trustly REST for an interactive verification"
	}
	fs.StringVar(&f.p.Phone, "phone", "", phone)
	fs.StringVar(&f.p.Country, "country", "", whose+"'s country, ISO 3166-1 alpha-2 (GB, SE, US)")
	fs.StringVar(&f.p.Locale, "locale", "", whose+"'s locale (en_GB, sv_SE)")
}

// amountFlags read an amount as two flags.
type amountFlags struct{ value, currency string }

func (f *amountFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.value, "amount", "", "amount as a plain decimal number, e.g. 12.34; the currency goes in --currency")
	fs.StringVar(&f.currency, "currency", "", "ISO 4217 currency code, e.g. GBP")
}

// amount reads the two flags. Its errors say how to write the flags right.
func (f *amountFlags) amount() (money.Amount, error) {
	value, code := strings.TrimSpace(f.value), strings.TrimSpace(f.currency)
	// "10.00 GBP" or "GBP 10.00" in --amount: the currency has a flag of its own.
	if parts := strings.Fields(value); len(parts) == 2 {
		num, cur := parts[0], parts[1]
		if _, err := money.ParseCurrency(num); err == nil {
			num, cur = cur, num
		}
		if c, err := money.ParseCurrency(cur); err == nil && (code == "" || strings.EqualFold(code, cur)) {
			msg := fmt.Sprintf("--amount %q: the currency goes in its own flag: --amount %s --currency %s", value, num, c)
			if _, err := money.NewCurrency(num, c); errors.Is(err, money.ErrPrecision) {
				msg += ". Also: " + precisionProblem(num, c)
			}
			return money.Amount{}, errors.New(msg)
		}
	}
	switch {
	case value == "" && code == "":
		return money.Amount{}, errors.New("--amount and --currency are required, e.g. --amount 12.34 --currency GBP")
	case value == "":
		return money.Amount{}, fmt.Errorf("--amount is required, e.g. --amount 12.34 --currency %s", code)
	case code == "":
		return money.Amount{}, fmt.Errorf("--currency is required: --amount %s --currency GBP (or EUR, USD, SEK, ...)", value)
	}
	c, err := money.ParseCurrency(code)
	if err != nil {
		return money.Amount{}, fmt.Errorf("--currency %q is not an ISO 4217 currency code such as GBP, EUR, USD or SEK", code)
	}
	a, err := money.NewCurrency(value, c)
	switch {
	case errors.Is(err, money.ErrPrecision):
		return money.Amount{}, fmt.Errorf("--amount %s: %s", value, precisionProblem(value, c))
	case err != nil:
		return money.Amount{}, fmt.Errorf("--amount %q is not a plain decimal number such as 12.34 (no thousands separators or exponents; the currency goes in --currency)", value)
	}
	return a, nil
}

// precisionProblem says how many decimals the currency allows; amounts are never rounded.
func precisionProblem(value string, c money.Currency) string {
	switch n := c.Exponent(); n {
	case 0:
		return fmt.Sprintf("%s amounts are whole numbers; paybridge never rounds, so %s is refused", c, value)
	case 1:
		return fmt.Sprintf("%s amounts have at most 1 decimal place; paybridge never rounds, so %s is refused", c, value)
	default:
		return fmt.Sprintf("%s amounts have at most %d decimal places; paybridge never rounds, so %s is refused", c, n, value)
	}
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
With --journal (or `+envJournal+`) running the same command with the same key
again returns the first result; without a journal only the providers that
recognise repeats do ('paybridge help idempotency' says which).
Run 'paybridge %s --help' for usage.
`, cmd, suggestKey(cmd), cmd)
	return exitUsage, false
}

// opKind says what an operator command's call does at the provider.
type opKind int

const (
	opRead   opKind = iota // reads (status): nothing can move
	opChange               // changes something but moves no money (verify)
	opMove                 // may move money (pay, refund, payout)
)

// op runs one Gateway call under the flags' timeout and prints its result or error.
func op[T any](ctx context.Context, s stdio, cmd string, c *connFlags, kind opKind, key string,
	call func(context.Context, *paybridge.Gateway) (T, error), show func(io.Writer, T)) int {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	how := callKind{read: kind == opRead}
	var opts []paybridge.Option
	if c.journal != nil {
		j, err := c.journal.open(ctx)
		if err != nil {
			return reportError(s, cmd, how, c.json, err, exitConfig, key)
		}
		if j != nil {
			defer j.Close()
			opts = append(opts, paybridge.WithJournal(j))
			how.journaled = true
		}
	}
	gw, err := c.open(ctx, s.err, opts...)
	if err != nil {
		return reportError(s, cmd, how, c.json, err, exitConfig, key)
	}
	defer gw.Close()
	res, err := call(ctx, gw)
	if err != nil {
		if paybridge.CodeOf(err) == paybridge.CodeUnknown {
			switch {
			case errors.Is(err, context.DeadlineExceeded):
				err = &stopError{msg: "no answer within --timeout " + c.timeout.String(), err: err}
			case errors.Is(err, context.Canceled):
				err = &stopError{msg: "interrupted before the provider answered", err: err}
			}
		}
		return reportError(s, cmd, how, c.json, &flagsError{err, c.flags}, exitCodeFor(err, kind == opMove), key)
	}
	if c.json {
		writeJSON(s.out, res)
	} else {
		show(s.out, res)
	}
	return exitOK
}

// stopError is a call the command stopped waiting for, in words an operator reads.
type stopError struct {
	msg string
	err error
}

func (e *stopError) Error() string { return e.msg }
func (e *stopError) Unwrap() error { return e.err }

// errorJSON is the --json form of a failure.
type errorJSON struct {
	// Code is the library's error code (invalid_request, unknown_outcome, ...), or one
	// of the command's own: configuration, timeout, canceled.
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
	Field string `json:"field"`
	// Flag is the command's flag that sets Field, when one does.
	Flag    string `json:"flag,omitempty"`
	Problem string `json:"problem"`
}

func describe(err error, exit int, key string) errorJSON {
	e := errorJSON{Message: explain(err), ExitCode: exit, IdempotencyKey: key}
	code := paybridge.CodeOf(err)
	var ce *configError
	isConfig := errors.As(err, &ce)
	switch {
	case isConfig:
		e.Code = "configuration"
	case code != paybridge.CodeUnknown:
		e.Code = code.String()
		e.Retryable = code.Retryable()
	case errors.Is(err, context.DeadlineExceeded):
		e.Code = "timeout"
	case errors.Is(err, context.Canceled):
		e.Code = "canceled"
	default:
		e.Code = paybridge.CodeInternal.String()
	}
	var pe *paybridge.Error
	if errors.As(err, &pe) {
		if pe.Op != "Open" {
			e.Operation = pe.Op
		}
		e.Provider = pe.Provider
		if pe.IdempotencyKey != "" {
			e.IdempotencyKey = pe.IdempotencyKey
		}
		for _, f := range pe.Fields {
			fj := fieldJSON{Field: f.Field, Problem: f.Problem}
			if pe.Op != "Open" {
				fj.Flag = flagOf(err, f.Field)
			}
			e.Fields = append(e.Fields, fj)
		}
	}
	var prov *provider.Error
	if errors.As(err, &prov) {
		e.ProviderCode, e.HTTPStatus, e.CorrelationID = prov.ProviderCode, prov.HTTPStatus, prov.CorrelationID
		// A field the provider's answer names (Trustly's Amount for its error 620, say)
		// is listed as the refused ones are, with its flag.
		if pe != nil && pe.Op != "Open" && len(pe.Fields) == 0 && prov.Code == provider.InvalidRequest && prov.Field != "" {
			e.Fields = append(e.Fields, fieldJSON{Field: prov.Field, Flag: flagOf(err, prov.Field), Problem: prov.Message})
		}
	}
	if exit == exitConfig {
		// Nothing was sent: there is nothing to repeat with the key.
		e.IdempotencyKey = ""
	}
	return e
}

// reportError prints err (as JSON on stdout with --json, as text on stderr otherwise),
// followed in text by what to do next, and returns exit.
func reportError(s stdio, cmd string, how callKind, asJSON bool, err error, exit int, key string) int {
	e := describe(err, exit, key)
	if asJSON {
		writeJSON(s.out, struct {
			Error errorJSON `json:"error"`
		}{e})
		return exit
	}
	label := ""
	switch exit {
	case exitConfig:
		label = "configuration error: "
	case exitUnavailable:
		label = "provider unavailable: "
	case exitUnknown:
		label = "outcome unknown: "
	}
	fmt.Fprintf(s.err, "paybridge %s: %s%s\n", cmd, label, e.Message)
	if e.Code != "configuration" {
		kv(s.err, "  code", e.Code, "  provider code", e.ProviderCode, "  HTTP status", httpStatus(e.HTTPStatus),
			"  correlation id", e.CorrelationID, "  idempotency key", e.IdempotencyKey)
	}
	fmt.Fprint(s.err, nextStep(cmd, how, err, e, exit))
	return exit
}

func httpStatus(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func payCmd(ctx context.Context, s stdio, args []string) int {
	const help = `Usage: paybridge pay --amount 12.34 --currency GBP --reference REF --return-url URL
                     --idempotency-key KEY [payer flags] [flags]

Creates a payment (a pay-in) and prints it: the payment id, the neutral status
(usually requires_action), the provider's own status, and the redirect URL where the
payer approves it at their bank. The outcome arrives as a notification, or read it
with 'paybridge status payment ID'. If the command fails with exit status 4, run it
again unchanged, with the same --idempotency-key. With --journal (the journal your
application shares) the repeat returns the first payment; without one, Trustly REST
(before the payer approves) and Trustist open a second payment page.

Examples:
  paybridge pay --url mem:// --amount 12.34 --currency GBP --reference order-1001 \
      --return-url https://shop.example.com/orders/1001 --email ada@example.com \
      --idempotency-key order-1001-pay
  export PAYBRIDGE_URL='trustlyrest://sandbox?merchant_id=1002463580&access_id=…'
  paybridge pay --json --amount 10.00 --currency USD --reference order-7 \
      --description 'Order 7' --return-url https://shop.example.com/7 \
      --first-name Ada --last-name Lovelace --email ada@example.com --phone +14155550100 \
      --country US --idempotency-key order-7-pay | jq -r .redirectUrl
` + seeAlso
	fs := newFlags(s, "pay")
	var c connFlags
	var amt amountFlags
	var payer personFlags
	var req paybridge.PaymentRequest
	c.register(fs)
	c.registerJournal(fs)
	amt.register(fs)
	payer.register(fs, "payer")
	fs.StringVar(&req.MerchantReference, "reference", "", "your order reference, unique per payment (required)")
	fs.StringVar(&req.ReturnURL, "return-url", "", "where the payer is sent after approving (required)")
	fs.StringVar(&req.CancelURL, "cancel-url", "", "where the payer is sent after cancelling (default the return URL)")
	fs.StringVar(&req.NotificationURL, "notification-url", "", "where the provider sends this payment's notifications, where it takes one per payment (Trustly)")
	fs.StringVar(&req.Description, "description", "", "text shown to the payer (required by Trustly REST)")
	fs.StringVar(&req.CustomerID, "customer-id", "", "a customer created at the provider, where supported")
	fs.StringVar(&req.IdempotencyKey, "idempotency-key", "", "key that makes a repeat of this command safe (required)")
	if code, ok := parseFlags(fs, s, help, args); !ok {
		return code
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
	return op(ctx, s, "pay", &c, opMove, req.IdempotencyKey,
		func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payment, error) { return gw.Pay(ctx, req) },
		showPayment)
}

func refundCmd(ctx context.Context, s stdio, args []string) int {
	const help = `Usage: paybridge refund --payment ID --amount 5.00 --currency GBP --idempotency-key KEY [flags]

Refunds a succeeded payment, in full or in part (where the provider allows partial and
repeated refunds), and prints the refund: its id, the neutral status (pending until
the provider confirms it) and the provider's own status. Read it later with
'paybridge status refund ID' where the provider can (Trustly JSON-RPC reports the
outcome by notification only). Repeated with the same --idempotency-key it refunds
once: with --journal the journal returns the first refund; without one Trustly
(JSON-RPC and REST) recognise the repeat.

Examples:
  paybridge refund --payment 1002600001 --amount 5.00 --currency USD \
      --reference ticket-4711 --idempotency-key ticket-4711-refund
  paybridge refund --json --payment 7350154867 --amount 12.34 --currency EUR \
      --idempotency-key order-1001-refund-1
` + seeAlso
	fs := newFlags(s, "refund")
	var c connFlags
	var amt amountFlags
	var req paybridge.RefundRequest
	c.register(fs)
	c.registerJournal(fs)
	amt.register(fs)
	fs.StringVar(&req.PaymentID, "payment", "", "id of the payment to refund (required)")
	fs.StringVar(&req.MerchantReference, "reference", "", "your reference for the refund (default derived from the idempotency key)")
	fs.StringVar(&req.Reason, "reason", "", "why the refund is made; only mem:// carries it: Trustly (JSON-RPC and REST) and Trustist refuse a refund that sets it")
	fs.StringVar(&req.IdempotencyKey, "idempotency-key", "", "key that makes a repeat of this command safe (required)")
	if code, ok := parseFlags(fs, s, help, args); !ok {
		return code
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
	return op(ctx, s, "refund", &c, opMove, req.IdempotencyKey,
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
with. Repeated with the same --idempotency-key it pays out once: with --journal the
journal returns the first payout; without one Trustly (JSON-RPC and REST) recognise
the repeat.

Example:
  paybridge payout --account-id 1293847561 --amount 25.00 --currency EUR \
      --reference withdrawal-88 --user-id customer-42 --first-name Ada \
      --last-name Lovelace --email ada@example.com --country SE --locale sv_SE \
      --idempotency-key withdrawal-88
` + seeAlso
	fs := newFlags(s, "payout")
	var c connFlags
	var amt amountFlags
	var payee personFlags
	var req paybridge.PayoutRequest
	c.register(fs)
	c.registerJournal(fs)
	amt.register(fs)
	payee.register(fs, "payee")
	fs.StringVar(&req.AccountID, "account-id", "", "id of the verified account, from 'paybridge verify' (required)")
	fs.StringVar(&req.MerchantReference, "reference", "", "your reference, unique per payout (required)")
	fs.StringVar(&req.Description, "description", "", "text on the payee's bank statement, where supported")
	fs.StringVar(&req.NotificationURL, "notification-url", "", "where the provider sends this payout's notifications, where it takes one per payout (Trustly)")
	fs.StringVar(&req.IdempotencyKey, "idempotency-key", "", "key that makes a repeat of this command safe (required)")
	if code, ok := parseFlags(fs, s, help, args); !ok {
		return code
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
	return op(ctx, s, "payout", &c, opMove, req.IdempotencyKey,
		func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payout, error) {
			return gw.Payout(ctx, req)
		},
		showPayout)
}

func verifyCmd(ctx context.Context, s stdio, args []string) int {
	const help = `Usage: paybridge verify [--iban IBAN | --account-number N --routing-number R] [holder flags] [flags]

Verifies a bank account so that it can receive payouts, and prints the verification:
its id, the neutral status, the provider's own status and, once verified, the account
id to give 'paybridge payout --account-id'. At Trustly REST only an interactive
verification gives an account id payout accepts: an account verified from its details
is verified, but payout refuses it.

With account details the provider checks the account without the holder, where it can.
Without them the verification is interactive: the command prints a redirect URL where
the holder picks and confirms the account at their bank (give --return-url); follow it
with 'paybridge status verification ID'.

Verification moves no money, so --idempotency-key is optional here: without one a key
is made, and printed with the result. With --journal a repeat with the same key returns
the first verification.

Examples:
  paybridge verify --url mem:// --iban GB29NWBK60161331926819 --first-name Ada \
      --last-name Lovelace
  paybridge verify --account-number 1000000008 --routing-number 124003116 \
      --first-name Ada --last-name Lovelace --email ada@example.com --country US
  paybridge verify --return-url https://shop.example.com/verified --user-id customer-42 \
      --first-name Ada --last-name Lovelace --email ada@example.com --country SE \
      --locale sv_SE
` + seeAlso
	fs := newFlags(s, "verify")
	var c connFlags
	var holder personFlags
	var req paybridge.VerifyAccountRequest
	var cur string
	c.register(fs)
	c.registerJournal(fs)
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
	if code, ok := parseFlags(fs, s, help, args); !ok {
		return code
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
	return op(ctx, s, "verify", &c, opChange, req.IdempotencyKey,
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
` + seeAlso
	fs := newFlags(s, "status")
	var c connFlags
	c.register(fs)
	pos, code, ok := parse(fs, s, help, args)
	if !ok {
		return code
	}
	kinds := []string{"payment", "refund", "payout", "verification"}
	kind, id := "payment", ""
	switch len(pos) {
	case 0:
		return usageError(s, "status", "the id is missing: paybridge status [payment|refund|payout|verification] ID")
	case 1:
		if slices.Contains(kinds, pos[0]) {
			// "status payout" with the id forgotten: not a payment named "payout".
			return usageError(s, "status", "the %s id is missing: paybridge status %s ID", pos[0], pos[0])
		}
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
		return op(ctx, s, "status", &c, opRead, "",
			func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payment, error) {
				return gw.GetPayment(ctx, id)
			},
			showPayment)
	case "refund":
		return op(ctx, s, "status", &c, opRead, "",
			func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Refund, error) {
				return gw.GetRefund(ctx, id)
			},
			showRefund)
	case "payout":
		return op(ctx, s, "status", &c, opRead, "",
			func(ctx context.Context, gw *paybridge.Gateway) (*paybridge.Payout, error) {
				return gw.GetPayout(ctx, id)
			},
			showPayout)
	case "verification":
		return op(ctx, s, "status", &c, opRead, "",
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
