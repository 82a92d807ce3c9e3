package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/secret"
)

// The variables the partner commands read their configuration from.
const (
	envPartnerBaseURL      = "PAYBRIDGE_TRUSTIST_PARTNER_BASE_URL"
	envPartnerClientID     = "PAYBRIDGE_TRUSTIST_PARTNER_CLIENT_ID"
	envPartnerClientSecret = "PAYBRIDGE_TRUSTIST_PARTNER_CLIENT_SECRET"
)

const partnerHelp = `Usage: paybridge partner invite --email ADDRESS --name NAME [--cards] [flags]
       paybridge partner list [flags]
       paybridge partner keys INVITATION_ID [--show-secret] [flags]

Onboards merchants through the Trustist Partner API (TrustistTransfer): invite sends
a merchant an invitation to open an account, offering open banking and, with --cards,
card payments; list shows the partner's invitations and their status; keys prints the
API keys of the merchant that accepted an invitation, the Hawk id and key that
configure the trustist provider.

The private half of a merchant key is a secret: keys prints it only with
--show-secret (as an export line for PAYBRIDGE_TRUSTIST_HAWK_KEY, or as "privateKey"
with --json); without it the key shows as hidden. Where the Partner API does not
return the private half, the merchant copies it from TrustistTransfer.

The partner's client id and secret come from --client-id and --client-secret-file, or
from ` + envPartnerClientID + ` and ` + envPartnerClientSecret + `
(or ` + envPartnerClientSecret + `_FILE); the Partner API from --base-url, or
` + envPartnerBaseURL + `, else the sandbox. The secret is never read from
the command line, where the process list and the shell history would keep it.
'paybridge sim' starts a Partner API simulator and writes these variables to its env.sh.

The Partner API keeps no idempotency key: if invite exits with 4 (outcome unknown),
run 'paybridge partner list' before inviting again.

Examples:
  paybridge partner invite --email owner@shop.example --name 'Example Shop' --cards
  paybridge partner list --json
  paybridge partner keys 5f0c7d2e-… --show-secret
`

// partnerFlags are the flags every partner command shares.
type partnerFlags struct {
	baseURL, clientID, secretFile string
	production, json              bool
	timeout                       time.Duration
}

func (f *partnerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.baseURL, "base-url", "", "Partner API base URL (default $"+envPartnerBaseURL+", else the sandbox)")
	fs.BoolVar(&f.production, "production", false, "use the production Partner API, "+partner.ProductionBaseURL)
	fs.StringVar(&f.clientID, "client-id", "", "the partner's OAuth client id (default $"+envPartnerClientID+")")
	fs.StringVar(&f.secretFile, "client-secret-file", "", "file holding the partner's OAuth client secret (default $"+
		envPartnerClientSecret+" or $"+envPartnerClientSecret+"_FILE)")
	fs.BoolVar(&f.json, "json", false, "print the result, or the error, as JSON on stdout")
	fs.DurationVar(&f.timeout, "timeout", time.Minute, "give up after this long")
}

// client returns a Partner API client for the flags and the environment. Its errors are
// *configError.
func (f *partnerFlags) client() (*partner.Client, error) {
	cfg := partner.Config{BaseURL: f.baseURL, ClientID: f.clientID}
	if f.production {
		if cfg.BaseURL != "" {
			return nil, &configError{err: errors.New("--production and --base-url name two endpoints: give one")}
		}
		cfg.Environment = partner.Production
	} else if cfg.BaseURL == "" {
		cfg.BaseURL = os.Getenv(envPartnerBaseURL)
	}
	if cfg.ClientID == "" {
		cfg.ClientID = os.Getenv(envPartnerClientID)
	}
	if cfg.ClientID == "" {
		return nil, &configError{err: errors.New("no client id: pass --client-id or set " + envPartnerClientID)}
	}
	if f.secretFile != "" {
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return nil, &configError{err: fmt.Errorf("reading --client-secret-file: %w", err)}
		}
		cfg.ClientSecret = secret.New(strings.TrimSpace(string(b)))
	} else {
		v, ok, err := secret.FromEnv(envPartnerClientSecret)
		if err != nil {
			return nil, &configError{err: err}
		}
		if !ok {
			return nil, &configError{err: errors.New("no client secret: pass --client-secret-file or set " +
				envPartnerClientSecret + " or " + envPartnerClientSecret + "_FILE")}
		}
		cfg.ClientSecret = v
	}
	c, err := partner.New(cfg)
	if err != nil {
		return nil, &configError{err: err}
	}
	return c, nil
}

func partnerCmd(ctx context.Context, s stdio, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(s.err, partnerHelp)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fs := newFlags(s, "partner")
		new(partnerFlags).register(fs)
		printHelp(s.out, fs, partnerHelp)
		return exitOK
	case "invite":
		return partnerInvite(ctx, s, args[1:])
	case "list":
		return partnerList(ctx, s, args[1:])
	case "keys":
		return partnerKeys(ctx, s, args[1:])
	}
	return usageError(s, "partner", "unknown subcommand %q: use invite, list or keys", args[0])
}

// partnerCall runs call with a client under the flags' timeout, and reports its error.
// write says the call creates something.
func partnerCall(ctx context.Context, s stdio, cmd string, f *partnerFlags, write bool,
	call func(context.Context, *partner.Client) error) int {
	c, err := f.client()
	if err != nil {
		return partnerError(s, cmd, f.json, err, exitConfig)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if err := call(ctx, c); err != nil {
		if provider.CodeOf(err) == provider.Unknown {
			switch {
			case errors.Is(err, context.DeadlineExceeded):
				err = &stopError{msg: "no answer within --timeout " + f.timeout.String(), err: err}
			case errors.Is(err, context.Canceled):
				err = &stopError{msg: "interrupted before the Partner API answered", err: err}
			}
		}
		return partnerError(s, cmd, f.json, err, exitCodeFor(err, write))
	}
	return exitOK
}

// partnerError prints a partner command's failure and returns exit: as JSON on stdout
// with --json (the shape every command uses), as text on stderr otherwise.
func partnerError(s stdio, cmd string, asJSON bool, err error, exit int) int {
	e := describe(err, exit, "")
	e.Provider = "trustist-partner"
	if asJSON {
		writeJSON(s.out, struct {
			Error errorJSON `json:"error"`
		}{e})
		return exit
	}
	fmt.Fprintf(s.err, "paybridge %s: %s\n", cmd, e.Message)
	if e.Code != "configuration" {
		kv(s.err, "  code", e.Code, "  HTTP status", httpStatus(e.HTTPStatus), "  provider code", e.ProviderCode,
			"  correlation id", e.CorrelationID)
	}
	switch exit {
	case exitUsage:
		fmt.Fprintln(s.err, "Nothing was created: change the request.")
	case exitConfig:
		fmt.Fprintln(s.err, "Check --base-url, --client-id and the client secret: 'paybridge partner --help'.")
	case exitUnavailable:
		fmt.Fprintln(s.err, "Nothing was created: try again later.")
	case exitUnknown:
		fmt.Fprintln(s.err, "The invitation may have been created: run 'paybridge partner list' before inviting again\n"+
			"(the Partner API keeps no idempotency key).")
	}
	return exit
}

func partnerInvite(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "partner invite")
	var f partnerFlags
	f.register(fs)
	var req partner.CreateInvitationRequest
	fs.StringVar(&req.Email, "email", "", "the merchant's e-mail address, where the invitation goes (required)")
	fs.StringVar(&req.Name, "name", "", "the merchant's name (required)")
	cards := fs.Bool("cards", false, "offer card payments too (open banking is always offered)")
	if code, ok := parseFlags(fs, s, partnerHelp, args); !ok {
		return code
	}
	if req.Email == "" || req.Name == "" {
		return usageError(s, "partner invite", "--email and --name are required")
	}
	req.PaymentTypes = []partner.PaymentType{partner.OpenBanking}
	if *cards {
		req.PaymentTypes = append(req.PaymentTypes, partner.Cards)
	}
	return partnerCall(ctx, s, "partner invite", &f, true, func(ctx context.Context, c *partner.Client) error {
		inv, err := c.CreateInvitation(ctx, req)
		if err != nil {
			return err
		}
		if f.json {
			writeJSON(s.out, json.RawMessage(inv.Raw))
			return nil
		}
		kv(s.out, "invitation", inv.ID, "status", inv.Status, "payment types", typesText(inv.PaymentTypes),
			"e-mail", req.Email, "name", req.Name)
		fmt.Fprintf(s.out, "Once the merchant accepts the e-mailed invitation, 'paybridge partner keys %s' prints its keys.\n", inv.ID)
		return nil
	})
}

func partnerList(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "partner list")
	var f partnerFlags
	f.register(fs)
	if code, ok := parseFlags(fs, s, partnerHelp, args); !ok {
		return code
	}
	return partnerCall(ctx, s, "partner list", &f, false, func(ctx context.Context, c *partner.Client) error {
		list, err := c.Invitations(ctx)
		if err != nil {
			return err
		}
		if f.json {
			raw := make([]json.RawMessage, 0, len(list))
			for _, inv := range list {
				raw = append(raw, inv.Raw)
			}
			writeJSON(s.out, raw)
			return nil
		}
		if len(list) == 0 {
			fmt.Fprintln(s.out, "no invitations")
			return nil
		}
		tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "INVITATION\tSTATUS\tPAYMENT TYPES\tNAME\tE-MAIL")
		for _, inv := range list {
			// [I] name and email are not published members of an invitation: shown
			// when the answer has them.
			var extra struct{ Name, Email string }
			_ = json.Unmarshal(inv.Raw, &extra)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inv.ID, orDash(inv.Status), orDash(typesText(inv.PaymentTypes)),
				orDash(oneLine(extra.Name)), orDash(oneLine(extra.Email)))
		}
		return tw.Flush()
	})
}

// keyJSON is a merchant key in the --json output of keys.
type keyJSON struct {
	APIKey string `json:"apiKey"`
	// PrivateKey is printed with --show-secret only.
	PrivateKey string `json:"privateKey,omitempty"`
	// PrivateKeyHidden says the answer had the private half and --show-secret was not
	// given; PrivateKeyMissing that the answer did not have it.
	PrivateKeyHidden  bool `json:"privateKeyHidden,omitempty"`
	PrivateKeyMissing bool `json:"privateKeyMissing,omitempty"`
}

func partnerKeys(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "partner keys")
	var f partnerFlags
	f.register(fs)
	show := fs.Bool("show-secret", false, "print the private half of each key (a secret)")
	pos, code, ok := parse(fs, s, partnerHelp, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(s, "partner keys", "give one invitation id")
	}
	id := pos[0]
	return partnerCall(ctx, s, "partner keys", &f, false, func(ctx context.Context, c *partner.Client) error {
		keys, err := c.MerchantKeys(ctx, id)
		if err != nil {
			return err
		}
		if f.json {
			out := struct {
				Invitation string    `json:"invitation"`
				Keys       []keyJSON `json:"keys"`
			}{Invitation: id}
			for _, k := range keys {
				j := keyJSON{APIKey: k.HawkID, PrivateKeyMissing: k.HawkKey.IsZero()}
				if !j.PrivateKeyMissing {
					if *show {
						j.PrivateKey = k.HawkKey.Reveal()
					} else {
						j.PrivateKeyHidden = true
					}
				}
				out.Keys = append(out.Keys, j)
			}
			writeJSON(s.out, out)
			return nil
		}
		showKeys(s.out, id, keys, *show)
		return nil
	})
}

// showKeys prints the merchant keys as text: the private half only when show is set.
func showKeys(w io.Writer, id string, keys []partner.MerchantKey, show bool) {
	fmt.Fprintf(w, "merchant keys of invitation %s\n", id)
	for i, k := range keys {
		if len(keys) > 1 {
			fmt.Fprintf(w, "\nkey %d\n", i+1)
		}
		private := "hidden: add --show-secret to print it"
		switch {
		case k.HawkKey.IsZero():
			private = "not in the Partner API's answer: the merchant copies it from TrustistTransfer"
		case show:
			private = "(in the export line below)"
		}
		kv(w, "  API key (Hawk id)", k.HawkID, "  private key", private)
		fmt.Fprintf(w, "  configure the trustist provider with:\n    export %s=%s\n", trustist.EnvHawkID, shellQuote(k.HawkID))
		switch {
		case k.HawkKey.IsZero():
			fmt.Fprintf(w, "    # %s: the private key, which the merchant copies from TrustistTransfer\n", trustist.EnvHawkKey)
		case show:
			fmt.Fprintf(w, "    export %s=%s\n", trustist.EnvHawkKey, shellQuote(k.HawkKey.Reveal()))
		default:
			fmt.Fprintf(w, "    # %s: the private key, printed with --show-secret\n", trustist.EnvHawkKey)
		}
	}
}

func typesText(ts []partner.PaymentType) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = string(t)
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps an answer's text on one line of the table.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
