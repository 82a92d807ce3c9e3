package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/partner/partnersim"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/sandbox"
)

const simHelp = `Usage: paybridge sim [--port N] [--json]

Starts the simulators of Trustly JSON-RPC, Trustly REST and Trustist on 127.0.0.1 and
prints, for each, its base URL, the credentials to configure, the environment exports
and the URL to give paybridge.Open or --url. Beside them runs a simulator of the
Trustist Partner API, for 'paybridge partner': its invitations' links are printed as
they are sent, and a merchant that accepts one takes payments at the Trustist
simulator with the keys 'paybridge partner keys' prints. Key material is written to files in a new
temporary directory, with an env.sh that exports every variable; the terminal shows
the files' names, never a private key. The directory is removed when the simulators
stop.

The simulators serve their hosted pages: open a payment's redirect URL in a browser to
approve, decline or abandon it by hand. The simulators send their notifications to a
receiver this command runs, which verifies them with the printed configuration and
prints each one. Ctrl-C stops everything.

With --port N the simulators listen on fixed ports: Trustly N, Trustly REST N+1,
Trustist N+2, the notification receiver N+3, the Trustist Partner API N+4. Credentials are new on every start.

With --json the configuration is printed as one line of JSON, then each notification
as a line of JSON.

Each simulator's 'try' line is a pay command that works once env.sh is sourced. A
Trustly JSON-RPC notification about an order this receiver did not create (one made
by another command) is printed with Trustly's own method and what it means.

Examples:
  paybridge sim
  paybridge sim --port 18080
  . /tmp/paybridge-sim-…/env.sh && paybridge conformance --sandbox
`

// simInfo describes one running simulator and how to configure paybridge against it.
type simInfo struct {
	Provider string `json:"provider"`
	Title    string `json:"title"`
	// BaseURL is the API endpoint to configure (the adapters' base_url).
	BaseURL string `json:"baseUrl"`
	// PagesURL is where the hosted pages live.
	PagesURL string `json:"pagesUrl"`
	// OpenURL is the URL for paybridge.Open and --url.
	OpenURL string `json:"openUrl"`
	// Env lists the environment variables to set, in order; key material is given as
	// files (NAME_FILE).
	Env []envVar `json:"env"`
	// Notes say anything else a developer needs.
	Notes []string `json:"notes,omitempty"`
	// Example is a pay command that works against this simulator.
	Example string `json:"example"`
}

type envVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// simSet is the running simulators, the notification receiver and their files.
type simSet struct {
	Dir             string    `json:"dir"`
	EnvFile         string    `json:"envFile"`
	NotificationURL string    `json:"notificationUrl"`
	ReturnURL       string    `json:"returnUrl"`
	Simulators      []simInfo `json:"simulators"`
	// Partner is the Trustist Partner API simulator, which is no payment provider: it
	// has no paybridge URL.
	Partner simInfo `json:"partner"`

	trustly  *trustlysim.Server
	rest     *trustlyrestsim.Server
	trustist *trustistsim.Server
	partner  *partnersim.Server
	// onInvite, when set, is given each invitation the Partner API simulator sends.
	onInvite *atomic.Pointer[func(partnersim.Invite)]
	servers  []*http.Server
	gateways []*paybridge.Gateway
}

func simCmd(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "sim")
	port := fs.Int("port", 0, "first of five fixed ports (default: free ports)")
	asJSON := fs.Bool("json", false, "print the configuration, then each notification, as JSON lines")
	if code, ok := parseFlags(fs, s, simHelp, args); !ok {
		return code
	}
	if *port < 0 || *port > 65535-4 {
		return usageError(s, "sim", "--port must be between 1 and 65531")
	}
	out := &lockedWriter{w: s.out}
	onEvent := func(e notify.Event, ours bool) {
		if *asJSON {
			orderID, note := foreignOrder(e)
			if note == "" && !ours {
				note = otherProcess
			}
			b, _ := json.Marshal(struct {
				Notification notify.Event `json:"notification"`
				// OrderID and Note describe a notification about an order another process
				// made.
				OrderID string `json:"orderId,omitempty"`
				Note    string `json:"note,omitempty"`
			}{e, orderID, note})
			fmt.Fprintf(out, "%s\n", b)
			return
		}
		line := describeEvent(e)
		if _, note := foreignOrder(e); note == "" && !ours {
			line += "  (" + otherProcess + ")"
		}
		fmt.Fprintf(out, "notification  %s\n", line)
	}
	set, err := startSims(*port, onEvent)
	if err != nil {
		fmt.Fprintf(s.err, "paybridge sim: %v\n", err)
		return exitConfig
	}
	onInvite := func(i partnersim.Invite) {
		if *asJSON {
			b, _ := json.Marshal(struct {
				Invitation partnersim.Invite `json:"invitation"`
			}{i})
			fmt.Fprintf(out, "%s\n", b)
			return
		}
		fmt.Fprintf(out, "invitation    %s sent to %s: the merchant accepts at %s\n", i.ID, i.Email, i.URL)
	}
	set.onInvite.Store(&onInvite)
	if *asJSON {
		b, _ := json.Marshal(set)
		fmt.Fprintf(out, "%s\n", b)
	} else {
		printSims(out, set)
	}
	<-ctx.Done()
	set.Close()
	fmt.Fprintln(s.err, "paybridge sim: stopped; removed "+set.Dir)
	return exitOK
}

// startSims starts the three simulators and the notification receiver on 127.0.0.1,
// on ports from base (0: free ports), writes their key material and env.sh to a new
// temporary directory, and calls onEvent for each verified notification, saying whether
// it concerns an order this process made (ours) or another process did.
func startSims(base int, onEvent func(e notify.Event, ours bool)) (set *simSet, err error) {
	set = &simSet{onInvite: new(atomic.Pointer[func(partnersim.Invite)])}
	defer func() {
		if err != nil {
			set.Close()
			set = nil
		}
	}()
	if set.Dir, err = os.MkdirTemp("", "paybridge-sim-"); err != nil {
		return set, err
	}
	port := func(i int) int {
		if base == 0 {
			return 0
		}
		return base + i
	}
	// The receiver first: the simulators are configured with its URL.
	recvLn, err := listen(port(3))
	if err != nil {
		return set, err
	}
	recvBase := "http://" + recvLn.Addr().String()
	set.NotificationURL, set.ReturnURL = recvBase+"/notifications/", recvBase+"/return"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /return", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>paybridge sim</title><p>Back at the shop. The payment's outcome "+
			"arrives as a notification, printed by <code>paybridge sim</code>.</p>")
	})
	set.serve(recvLn, mux)

	if err := set.startTrustly(port(0)); err != nil {
		return set, fmt.Errorf("starting the Trustly simulator: %w", err)
	}
	if err := set.startTrustlyREST(port(1)); err != nil {
		return set, fmt.Errorf("starting the Trustly REST simulator: %w", err)
	}
	if err := set.startTrustist(port(2)); err != nil {
		return set, fmt.Errorf("starting the Trustist simulator: %w", err)
	}
	if err := set.startPartner(port(4)); err != nil {
		return set, fmt.Errorf("starting the Trustist Partner API simulator: %w", err)
	}
	for _, g := range set.gateways {
		name := g.Provider()
		h, err := g.NotificationHandler(func(_ context.Context, e notify.Event) error {
			onEvent(e, true)
			return nil
		}, notify.WithUnmatched(func(_ context.Context, e notify.Event, _ error) { onEvent(e, false) }))
		if err != nil {
			return set, fmt.Errorf("%s notification handler: %w", name, err)
		}
		mux.Handle("POST /notifications/"+name, h)
	}
	var env strings.Builder
	env.WriteString("# paybridge sim: the simulators' configuration. Source it: . " + filepath.Join(set.Dir, "env.sh") + "\n")
	for _, si := range append(set.Simulators, set.Partner) {
		env.WriteString("\n# " + si.Title + "\n")
		for _, v := range si.Env {
			env.WriteString("export " + v.Name + "=" + shellQuote(v.Value) + "\n")
		}
	}
	set.EnvFile = filepath.Join(set.Dir, "env.sh")
	return set, os.WriteFile(set.EnvFile, []byte(env.String()), 0o600)
}

func listen(port int) (net.Listener, error) {
	return net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
}

func (set *simSet) serve(ln net.Listener, h http.Handler) {
	srv := simkit.NewHTTPServer(h)
	set.servers = append(set.servers, srv)
	go func() { _ = srv.Serve(ln) }()
}

// writeFile writes key material to a file only the user can read and returns its path.
func (set *simSet) writeFile(name string, data []byte) (string, error) {
	p := filepath.Join(set.Dir, name)
	return p, os.WriteFile(p, data, 0o600)
}

// simOptions are the options of a simulator listening on port (0: a free port) of
// 127.0.0.1.
func simOptions(port int) simkit.Options {
	return simkit.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
}

func (set *simSet) startTrustly(port int) error {
	s, err := trustlysim.Start(trustlysim.Options{Options: simOptions(port), AllowLoopbackHTTP: true})
	if err != nil {
		return err
	}
	set.trustly = s
	base := s.URL()
	creds, err := s.NewMerchant("paybridge-dev")
	if err != nil {
		return err
	}
	pwFile, err := set.writeFile("trustly-password", creds.Password.Bytes())
	if err != nil {
		return err
	}
	keyFile, err := set.writeFile("trustly-merchant-key.pem", creds.PrivateKey.Bytes())
	if err != nil {
		return err
	}
	pubFile, err := set.writeFile("trustly-simulator-public-key.pem", s.PublicKeyPEM())
	if err != nil {
		return err
	}
	notifyURL := set.NotificationURL + trustly.Name
	q := query("username", creds.Username, "base_url", s.APIURL(), "notification_url", notifyURL)
	info := simInfo{
		Provider: trustly.Name, Title: "Trustly JSON-RPC", BaseURL: s.APIURL(), PagesURL: base + "/checkout/",
		OpenURL: "trustly://test?" + q,
		Env: []envVar{
			{trustly.EnvUsername, creds.Username},
			{trustly.EnvPassword + "_FILE", pwFile},
			{trustly.EnvPrivateKey + "_FILE", keyFile},
			{sandbox.EnvTrustlyPublicKey + "_FILE", pubFile},
			{sandbox.EnvTrustlyBaseURL, s.APIURL()},
			{sandbox.EnvTrustlyNotificationURL, notifyURL},
		},
		Notes: []string{
			"the merchant key's public half is registered with the simulator; " + sandbox.EnvTrustlyPublicKey +
				"_FILE, the simulator's own public key, verifies its answers (Trustly's TEST key would refuse them)",
			"refunds execute a second after they are accepted, as Trustly executes them: a payoutconfirmation " +
				"notification follows",
		},
		Example: "paybridge pay --url '" + "trustly://test?" + q + "' --amount 10.00 --currency EUR " +
			"--reference demo-1 --return-url " + set.ReturnURL + " --user-id customer-1 --first-name Ada " +
			"--last-name Lovelace --email ada@example.com --country SE --locale sv_SE --idempotency-key demo-1",
	}
	set.Simulators = append(set.Simulators, info)
	c, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: s.APIURL(), TrustlyPublicKey: s.PublicKeyPEM(), NotificationURL: notifyURL})
	if err != nil {
		return err
	}
	set.gateways = append(set.gateways, paybridge.New(c))
	return nil
}

func (set *simSet) startTrustlyREST(port int) error {
	s, err := trustlyrestsim.Start(trustlyrestsim.Options{Options: simOptions(port),
		NotificationURL: set.NotificationURL + trustlyrest.Name})
	if err != nil {
		return err
	}
	set.rest = s
	apiURL := s.APIURL()
	keyFile, err := set.writeFile("trustlyrest-access-key", []byte(s.AccessKey()))
	if err != nil {
		return err
	}
	openURL := "trustlyrest://sandbox?" + query("merchant_id", s.MerchantID(), "access_id", s.AccessID(), "base_url", apiURL)
	set.Simulators = append(set.Simulators, simInfo{
		Provider: trustlyrest.Name, Title: "Trustly REST", BaseURL: apiURL, PagesURL: s.URL() + "/start/",
		OpenURL: openURL,
		Env: []envVar{
			{trustlyrest.EnvAccessID, s.AccessID()},
			{trustlyrest.EnvAccessKey + "_FILE", keyFile},
			{trustlyrest.EnvMerchantID, s.MerchantID()},
			{sandbox.EnvTrustlyRESTBaseURL, apiURL},
		},
		Notes: []string{"notifications go to " + set.NotificationURL + trustlyrest.Name + " unless a payment names another"},
		Example: "paybridge pay --url '" + openURL + "' --amount 10.00 --currency USD --reference demo-2 " +
			"--description 'Demo order' --return-url " + set.ReturnURL + " --first-name Ada --last-name Lovelace " +
			"--email ada@example.com --phone +14155550100 --country US --idempotency-key demo-2",
	})
	c, err := trustlyrest.New(s.Config())
	if err != nil {
		return err
	}
	set.gateways = append(set.gateways, paybridge.New(c))
	return nil
}

func (set *simSet) startTrustist(port int) error {
	s, err := trustistsim.Start(trustistsim.Options{Options: simOptions(port)})
	if err != nil {
		return err
	}
	set.trustist = s
	base := s.URL()
	s.SetWebhookURL(set.NotificationURL + trustist.Name)
	mk, tk := s.MerchantKey(), s.TenantKey()
	keyFile, err := set.writeFile("trustist-hawk-key", mk.HawkKey.Bytes())
	if err != nil {
		return err
	}
	tenantFile, err := set.writeFile("trustist-tenant-hawk-key", tk.HawkKey.Bytes())
	if err != nil {
		return err
	}
	openURL := "trustist://sandbox?" + query("base_url", base)
	set.Simulators = append(set.Simulators, simInfo{
		Provider: trustist.Name, Title: "Trustist", BaseURL: base, PagesURL: base + "/pay/", OpenURL: openURL,
		Env: []envVar{
			{trustist.EnvHawkID, mk.HawkID},
			{trustist.EnvHawkKey + "_FILE", keyFile},
			{trustist.EnvTenantHawkID, tk.HawkID},
			{trustist.EnvTenantKey + "_FILE", tenantFile},
			{sandbox.EnvTrustistBaseURL, base},
		},
		Notes: []string{"webhooks go to " + set.NotificationURL + trustist.Name + " (Trustist configures one URL per merchant)"},
		Example: "paybridge pay --url '" + openURL + "' --amount 10.00 --currency GBP --reference demo-3 " +
			"--return-url " + set.ReturnURL + " --first-name Ada --last-name Lovelace --email ada@example.com " +
			"--idempotency-key demo-3",
	})
	cfg := s.Config()
	p, err := trustist.New(cfg)
	if err != nil {
		return err
	}
	set.gateways = append(set.gateways, paybridge.New(p))
	return nil
}

// startPartner starts the Trustist Partner API simulator, linked to the Trustist one:
// a merchant that accepts an invitation joins it.
func (set *simSet) startPartner(port int) error {
	s, err := partnersim.Start(partnersim.Options{Options: simOptions(port), Trustist: set.trustist,
		OnInvite: func(i partnersim.Invite) {
			if fn := set.onInvite.Load(); fn != nil {
				(*fn)(i)
			}
		}})
	if err != nil {
		return err
	}
	set.partner = s
	secretFile, err := set.writeFile("trustist-partner-client-secret", s.ClientSecret().Bytes())
	if err != nil {
		return err
	}
	set.Partner = simInfo{
		Provider: "trustist-partner", Title: "Trustist Partner API", BaseURL: s.URL(), PagesURL: s.URL() + "/join/",
		Env: []envVar{
			{envPartnerBaseURL, s.URL()},
			{envPartnerClientID, s.ClientID()},
			{envPartnerClientSecret + "_FILE", secretFile},
		},
		Notes: []string{
			"an invitation's link is printed below when it is sent: open it to accept as the merchant",
			"an accepted merchant takes payments at the Trustist simulator above with the keys " +
				"'paybridge partner keys ID --show-secret' prints; its webhooks are not sent",
		},
		Example: "paybridge partner invite --email owner@shop.example --name 'Example Shop' --cards",
	}
	return nil
}

// Close stops the servers, the simulators and their deliveries, and removes the files.
func (set *simSet) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range set.servers {
		_ = srv.Shutdown(ctx)
	}
	if set.trustly != nil {
		set.trustly.Close()
	}
	if set.rest != nil {
		set.rest.Close()
	}
	if set.partner != nil {
		set.partner.Close()
	}
	if set.trustist != nil {
		set.trustist.Close()
	}
	for _, g := range set.gateways {
		_ = g.Close()
	}
	if set.Dir != "" {
		_ = os.RemoveAll(set.Dir)
	}
}

func printSims(w io.Writer, set *simSet) {
	fmt.Fprintf(w, "paybridge sim: the simulators of Trustly JSON-RPC, Trustly REST, Trustist and the Trustist Partner API are running on 127.0.0.1.\n")
	fmt.Fprintf(w, "Key files and env.sh are in %s (removed when the simulators stop).\n", set.Dir)
	for _, si := range append(set.Simulators, set.Partner) {
		fmt.Fprintf(w, "\n%s (%s)\n", si.Title, si.Provider)
		pairs := []string{"  base URL", si.BaseURL, "  hosted pages", si.PagesURL + "…", "  paybridge URL", si.OpenURL}
		kv(w, pairs...)
		fmt.Fprintln(w, "  environment:")
		for _, v := range si.Env {
			fmt.Fprintf(w, "    export %s=%s\n", v.Name, shellQuote(v.Value))
		}
		for _, n := range si.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		fmt.Fprintf(w, "  try, in a shell where you ran . %s first:\n    %s\n", set.EnvFile, si.Example)
	}
	fmt.Fprintf(w, `
Every export above is in one file. In another terminal, source it first:
  . %s
Then the 'try' commands above work, 'paybridge conformance --sandbox' runs the suite
against these simulators, and a program's paybridge.Open takes the paybridge URLs above.
Open a payment's redirect URL in a browser to approve, decline or abandon it.
Notifications arrive at %s… and are printed below. Ctrl-C stops the simulators.
`, set.EnvFile, set.NotificationURL)
}

func describeEvent(e notify.Event) string {
	parts := []string{e.Provider, string(e.Kind)}
	orderID, note := foreignOrder(e)
	if note != "" {
		parts[1] = e.ProviderEvent
	}
	for _, f := range [][2]string{{"payment", e.PaymentID}, {"refund", e.RefundID}, {"payout", e.PayoutID},
		{"account", e.AccountID}, {"order", orderID}, {"reference", e.MerchantReference}} {
		if f[1] != "" {
			parts = append(parts, f[0]+"="+f[1])
		}
	}
	if e.Amount.IsValid() {
		parts = append(parts, "amount="+e.Amount.String())
	}
	switch {
	case note != "":
		parts = append(parts, "("+note+")")
	case e.ProviderStatus != "" && e.ProviderStatus != e.ProviderEvent:
		parts = append(parts, "provider="+strings.TrimSpace(e.ProviderEvent+" "+e.ProviderStatus))
	case e.ProviderEvent != "":
		parts = append(parts, "provider="+e.ProviderEvent)
	}
	return strings.Join(parts, "  ")
}

// trustlyMeanings says what each Trustly notification method means on an order whose
// kind the receiver does not know
// (https://eu.developers.trustly.com/doc/reference/notifications-overview).
var trustlyMeanings = map[string]string{
	"pending":            "the payer finished at the bank; the deposit is not confirmed yet",
	"credit":             "money reached the merchant: a deposit paid, or a refund or payout that came back",
	"debit":              "money left the merchant's account: a paid deposit reversed",
	"cancel":             "the order was canceled",
	"payoutconfirmation": "a refund or payout of this order was executed",
}

// foreignOrder recognises a Trustly notification about an order the receiver did not
// create (a payment made by another command, for example): the adapter cannot know what
// such an order is, so it reports Kind Other with Trustly's method. It returns the order
// id and a note saying what the method means; "" when e is not one.
func foreignOrder(e notify.Event) (orderID, note string) {
	if e.Provider != trustly.Name || e.Kind != notify.Other || e.PaymentID != "" || e.PayoutID != "" {
		return "", ""
	}
	meaning, ok := trustlyMeanings[e.ProviderEvent]
	if !ok {
		return "", ""
	}
	var body struct {
		Params struct {
			Data struct {
				OrderID string `json:"orderid"`
			} `json:"data"`
		} `json:"params"`
	}
	_ = json.Unmarshal(e.Raw, &body)
	return body.Params.Data.OrderID, meaning + "; shown by Trustly's method name because another command made the order"
}

// otherProcess explains a notification about an order a command (another process, with a
// journal of its own) made: the receiver verified and acknowledged it, and an application
// would not be given it unless it shared that journal.
const otherProcess = "an order another command made: verified and acknowledged; an application receives it only " +
	"from a Gateway sharing the journal of the Gateway that made the order"

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// lockedWriter serialises writes from the notification handlers and the banner.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// query encodes name, value pairs as a URL query in the order given, leaving ':' and '/'
// unescaped (RFC 3986 allows both in a query) so that URLs in values stay readable.
func query(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		v := strings.NewReplacer("%3A", ":", "%2F", "/").Replace(url.QueryEscape(pairs[i+1]))
		parts = append(parts, url.QueryEscape(pairs[i])+"="+v)
	}
	return strings.Join(parts, "&")
}
