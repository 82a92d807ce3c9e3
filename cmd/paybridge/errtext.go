package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustlyrest"
)

// configError is a configuration error: the provider URL, or the provider's credentials
// and options, missing or unusable, or the journal (--journal) that cannot be opened.
// Nothing was sent.
type configError struct {
	err error
	// journal says the journal, not the provider, is what failed.
	journal bool
}

func (e *configError) Error() string { return "configuration error: " + explain(e.err) }

func (e *configError) Unwrap() error { return e.err }

// errNoURL is the configuration error of a command given no provider URL.
var errNoURL = &configError{err: errors.New("no provider URL: pass --url or set " + envURL +
	" (for example trustlyrest://sandbox?merchant_id=…; 'paybridge help environment' lists them)")}

// checkScheme refuses, as a configuration error, a URL whose scheme this command cannot
// open, naming the ones it can.
func checkScheme(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		// Let Open describe a malformed URL; one without a scheme is most likely a
		// bare host or a typo.
		if err == nil {
			return &configError{err: fmt.Errorf("the provider URL %q has no scheme: write one of %s",
				redactURL(raw), schemeList())}
		}
		return nil
	}
	if u.User != nil {
		return &configError{err: errors.New("the provider URL must not carry credentials: give them in the provider's variables ('paybridge help environment')")}
	}
	for _, s := range paybridge.Schemes() {
		if s == u.Scheme {
			return nil
		}
	}
	return &configError{err: fmt.Errorf("unknown provider %q in the URL: paybridge knows %s", u.Scheme, schemeList())}
}

// schemeList lists the schemes the command opens, as URL beginnings.
func schemeList() string {
	var out []string
	for _, s := range paybridge.Schemes() {
		out = append(out, s+"://")
	}
	return strings.Join(out, ", ")
}

// redactURL returns raw without any query, which might hold something that should not
// be echoed; what the reader needs to see is the beginning.
func redactURL(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i] + "?…"
	}
	return raw
}

// explain says what went wrong in one sentence without package prefixes or error codes
// (the command prints the code on its own): "trustlyrest AccessKey: reading
// PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE: open /x: no such file or directory",
// "trustly Refund: Amount must be positive".
func explain(err error) string {
	var ce *configError
	if errors.As(err, &ce) {
		return explain(ce.err)
	}
	var pe *paybridge.Error
	if !errors.As(err, &pe) {
		var pv *provider.Error
		if errors.As(err, &pv) {
			return explainProvider(pv)
		}
		return err.Error()
	}
	inner := pe.Unwrap()
	pv, isProvider := inner.(*provider.Error)
	var detail string
	switch {
	case len(pe.Fields) > 0:
		var parts []string
		for _, f := range pe.Fields {
			parts = append(parts, withFlag(err, pe, f.Field)+" "+f.Problem)
		}
		detail = strings.Join(parts, "; ")
	case isProvider:
		if named := withFlag(err, pe, pv.Field); named != pv.Field {
			c := *pv
			c.Field = named
			pv = &c
		}
		detail = explainProvider(pv)
	case inner != nil:
		detail = inner.Error()
	default:
		detail = pe.Code.String()
	}
	switch {
	case pe.Provider != "" && strings.HasPrefix(strings.ToLower(detail), strings.ToLower(pe.Provider)+" "):
		// It names the provider already ("trustist does not support refund: …").
		return detail
	case pe.Op == "Open" && pe.Provider != "" && isProvider && pv.Field != "":
		// "trustlyrest AccessKey: …": the provider and its setting are the subject.
		return pe.Provider + " " + detail
	case pe.Op == "Open" && pe.Provider != "":
		return pe.Provider + ": " + detail
	case pe.Op == "Open" || pe.Op == "":
		return strings.TrimSpace(pe.Provider + " " + detail)
	case pe.Provider != "":
		return pe.Provider + " " + pe.Op + ": " + detail
	}
	return pe.Op + ": " + detail
}

// fieldFlags names the flag that sets each request field the commands read from a flag,
// so that a refused request names what the user wrote (--email) beside the Gateway's
// field (Payer.Email). The payer's, payee's and holder's fields share their flags
// (personFieldFlags).
var fieldFlags = map[string]string{
	"Amount": "--amount", "MerchantReference": "--reference", "IdempotencyKey": "--idempotency-key",
	"ReturnURL": "--return-url", "CancelURL": "--cancel-url", "NotificationURL": "--notification-url",
	"Description": "--description", "Reason": "--reason", "PaymentID": "--payment", "CustomerID": "--customer-id",
	"AccountID": "--account-id", "Account.IBAN": "--iban", "Account.BIC": "--bic", "Account.AccountNumber": "--account-number",
	"Account.RoutingNumber": "--routing-number", "Account.HolderName": "--holder-name", "Account.Country": "--account-country",
}

var personFieldFlags = map[string]string{"ID": "--user-id", "FirstName": "--first-name", "LastName": "--last-name",
	"Email": "--email", "Phone": "--phone", "Country": "--country", "Locale": "--locale"}

// flagOf returns the flag that sets a request field in the command whose call failed with
// err, or "" when no flag does. A request field shared by several requests may be set
// from a flag by some commands only (a payout's ReturnURL, a verification's CustomerID):
// when err carries the command's flags (flagsError), a flag the command does not define
// is not named.
func flagOf(err error, field string) string {
	f, ok := fieldFlags[field]
	if !ok {
		if who, sub, cut := strings.Cut(field, "."); cut && (who == "Payer" || who == "Payee" || who == "Holder") {
			f = personFieldFlags[sub]
		}
	}
	var fe *flagsError
	if f != "" && errors.As(err, &fe) && fe.flags != nil && fe.flags.Lookup(strings.TrimPrefix(f, "--")) == nil {
		return ""
	}
	return f
}

// flagsError is the error of a call a command made, with the flags the command defines,
// for flagOf.
type flagsError struct {
	err   error
	flags *flag.FlagSet
}

func (e *flagsError) Error() string { return e.err.Error() }
func (e *flagsError) Unwrap() error { return e.err }

// withFlag returns field followed by its flag in parentheses, for a field of a request a
// command sent (not of a provider's configuration, which Open reports).
func withFlag(err error, pe *paybridge.Error, field string) string {
	if f := flagOf(err, field); f != "" && pe.Op != "Open" {
		return field + " (" + f + ")"
	}
	return field
}

// explainProvider renders an adapter's error without its code prefix: "AccessKey:
// reading …", "Username is missing: …", or the provider's message.
func explainProvider(pv *provider.Error) string {
	msg := pv.Message
	if pv.Err != nil {
		switch cause := explain(pv.Err); {
		case msg == "":
			msg = cause
		case strings.Contains(cause, msg):
			// The provider's own error repeating its message ("trustly error 375:
			// Access not authorized"); its code is printed on a line of its own.
		default:
			msg += ": " + cause
		}
	}
	if msg == "" {
		msg = pv.Code.String()
	}
	if pv.Field == "" {
		return msg
	}
	for _, w := range []string{"is ", "are ", "must ", "has ", "contains ", "takes "} {
		if strings.HasPrefix(msg, w) {
			return pv.Field + " " + msg
		}
	}
	return pv.Field + ": " + msg
}

// exitCodeFor classifies an operation's error. write says the call could have moved money.
func exitCodeFor(err error, write bool) int {
	var ce *configError
	if errors.As(err, &ce) {
		return exitConfig
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if write && paybridge.CodeOf(err) != paybridge.CodeProviderUnavailable {
			return exitUnknown
		}
		return exitUnavailable
	}
	switch paybridge.CodeOf(err) {
	case paybridge.CodeInvalidRequest, paybridge.CodeNotSupported:
		return exitUsage
	case paybridge.CodeUnauthenticated, paybridge.CodePermissionDenied:
		return exitConfig
	case paybridge.CodeProviderUnavailable, paybridge.CodeRateLimited:
		return exitUnavailable
	case paybridge.CodeUnknownOutcome:
		return exitUnknown
	}
	return exitFailed
}

// callKind says what a failed command was doing, for the advice after its error.
type callKind struct {
	// read: the command only reads (status); nothing it does can move money.
	read bool
	// journaled: the call went through the journal --journal names, which answers a
	// repeat with the first result.
	journaled bool
}

// nextStep says what to do after a failure that exited with exit: lines ending in a
// newline, or "".
func nextStep(cmd string, how callKind, err error, e errorJSON, exit int) string {
	var ce *configError
	journalFailed := errors.As(err, &ce) && ce.journal
	switch {
	case exit == exitConfig && journalFailed:
		return "Nothing was sent.\nCheck --journal (or " + envJournal + "), the journal's PostgreSQL connection string,\n" +
			"--journal-table, which names a table your application's migration made, and that the\n" +
			"server is reachable ('paybridge help idempotency').\n"
	case exit == exitConfig:
		var b strings.Builder
		switch {
		case e.Code != "configuration" && how.read:
			b.WriteString("The provider refused the credentials.\n")
		case e.Code != "configuration":
			b.WriteString("The provider refused the credentials; nothing moved.\n")
		case !errors.Is(err, errNoURL):
			b.WriteString("Nothing was sent.\n")
		}
		b.WriteString("Check --url (or " + envURL + ") and the provider's variables: 'paybridge help environment'.\n")
		return b.String()
	case how.read:
		return readStep(exit)
	case exit == exitUsage:
		return "Nothing moved: change the request.\n"
	case exit == exitUnavailable && e.IdempotencyKey != "":
		return fmt.Sprintf("Nothing moved: try again later, with --idempotency-key %s.\n", e.IdempotencyKey)
	case exit == exitUnavailable:
		return "Nothing moved: try again later.\n"
	case exit == exitUnknown:
		return unknownStep(cmd, how, e)
	}
	return ""
}

// readStep is the advice after a failed read: nothing was or could be moved.
func readStep(exit int) string {
	switch exit {
	case exitUsage:
		return "Nothing was read, and a read changes nothing: change the request.\n"
	case exitUnavailable:
		return "Nothing was read: try again later.\n"
	case exitUnknown:
		return "The answer was lost or could not be trusted. A read changes nothing: run the\ncommand again.\n"
	}
	return ""
}

// unknownStep is the advice after a write whose outcome is unknown: repeat it with its key,
// and what the repeat does, which depends on the journal and the provider.
func unknownStep(cmd string, how callKind, e errorJSON) string {
	if how.journaled {
		return fmt.Sprintf("The provider may have acted. Run the same command again, with --idempotency-key %s\n"+
			"and the same journal, to learn the outcome: the journal returns the first result once it\n"+
			"is known, and never sends the call twice.\n", e.IdempotencyKey)
	}
	head := fmt.Sprintf("The provider may have acted. Run the same command again, with\n"+
		"--idempotency-key %s, to learn the outcome. Without --journal only the provider can\n"+
		"recognise the repeat:\n", e.IdempotencyKey)
	switch {
	case e.Provider == trustly.Name:
		return head + "Trustly answers it with the first result instead of acting twice.\n"
	case e.Provider == trustlyrest.Name && (cmd == "refund" || cmd == "payout"):
		return head + "Trustly REST finds the first " + cmd + " by its reference instead of making a second.\n"
	case e.Provider == trustlyrest.Name && cmd == "pay":
		return head + "Trustly REST does not while the first payment is not approved: the repeat can open a\n" +
			"second payment page (the reference lets only one be authorized).\n"
	case e.Provider == trustist.Name:
		return head + "Trustist keeps no idempotency keys: look the reference up in the TrustistTransfer portal first.\n"
	}
	return head + "'paybridge help idempotency' says which providers do.\n"
}
