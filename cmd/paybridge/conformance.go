package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/memprovider"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/sandbox"
)

// Kinds of conformance target.
const (
	targetMemory    = "memory"
	targetSimulator = "simulator"
	targetSandbox   = "sandbox"
)

// embedded is a provider the conformance command runs without credentials.
type embedded struct {
	name    string
	target  string
	harness func() (conformance.Harness, func(), error)
}

// embeddedProviders lists the embedded providers, in report order.
func embeddedProviders() []embedded {
	return []embedded{
		{memprovider.Name, targetMemory, memHarness},
		{trustly.Name, targetSimulator, trustlysim.ConformanceHarness},
		{trustlyrest.Name, targetSimulator, trustlyrestsim.ConformanceHarness},
		{trustist.Name, targetSimulator, trustistsim.ConformanceHarness},
	}
}

func memHarness() (conformance.Harness, func(), error) {
	b := memprovider.NewBackend()
	open := func(cfg memprovider.Config) func(context.Context, conformance.T, ...paybridge.Option) *paybridge.Gateway {
		return func(_ context.Context, _ conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			return paybridge.New(memprovider.New(cfg), opts...)
		}
	}
	bad := memprovider.Config{Backend: b}
	bad.APIKey = b.WebhookKey() // a real-looking key that is not the API key
	return conformance.Harness{
		NewGateway:               open(memprovider.Config{Backend: b, APIKey: b.APIKey()}),
		NewGatewayBadCredentials: open(bad),
		EndUser:                  b.EndUser(),
		Currency:                 money.MustCurrency("GBP"),
		Payer:                    paybridge.Person{ID: "user-1", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Country: "GB", Locale: "en_GB"},
		Account:                  paybridge.BankAccount{HolderName: "Ada Lovelace", IBAN: "GB29NWBK60161331926819"},
		RejectedAccount:          paybridge.BankAccount{HolderName: "Ada Lovelace", IBAN: "GB29NWBK60161330000000"},
		Requests:                 b.Requests,
		LoseNextAnswers:          b.LoseNextAnswers,
		Movements:                b.Movements,
		LoopbackNotifications:    true,
		Secrets:                  []string{b.APIKey().Reveal(), b.WebhookKey().Reveal(), "GB29NWBK60161331926819"},
		As: conformance.AsTargets{Gateway: []any{new(*memprovider.Client), new(*memprovider.Backend)},
			Request: []any{new(*memprovider.PaymentOptions)}, Payment: []any{new(*memprovider.PaymentDetail)}},
	}, b.Close, nil
}

// report is one provider's column of the conformance table; --json prints a list of them.
type report struct {
	Provider string `json:"provider"`
	// Target is what ran: "memory", "simulator" or "sandbox".
	Target string `json:"target"`
	// URL is the API URL a sandbox run's calls go to: the provider's sandbox or the
	// endpoint its base URL variable names instead (a simulator's, for one).
	URL string `json:"url,omitempty"`
	// NotRun says why the provider was not run (sandbox credentials absent).
	NotRun string `json:"notRun,omitempty"`
	// Error says why the provider could not be run: configuration unusable, the sandbox
	// unreachable or refusing the credentials, or a simulator that did not start.
	Error string `json:"error,omitempty"`
	// exit is the exit status Error calls for (exitConfig or exitUnavailable).
	exit    int
	Results []scenarioResult `json:"results,omitempty"`
}

// scenarioResult is one scenario's outcome as the command reports it.
type scenarioResult struct {
	Scenario string             `json:"scenario"`
	Status   conformance.Status `json:"status"`
	Message  string             `json:"message,omitempty"`
	// DurationMs is how long the scenario ran, in milliseconds.
	DurationMs float64 `json:"durationMs"`
}

func results(rs []conformance.Result) []scenarioResult {
	out := make([]scenarioResult, len(rs))
	for i, r := range rs {
		out[i] = scenarioResult{Scenario: r.Scenario, Status: r.Status, Message: r.Message,
			DurationMs: float64(r.Duration.Round(100*time.Microsecond).Microseconds()) / 1000}
	}
	return out
}

func (r report) count(st conformance.Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == st {
			n++
		}
	}
	return n
}

func conformanceHelp() string {
	var env strings.Builder
	for _, p := range sandbox.Providers() {
		var lines [][2]string
		for _, v := range p.Vars {
			name, doc := v.Name, v.Doc
			if v.File {
				name += "*"
			}
			if v.Required {
				doc = "required: " + doc
			}
			lines = append(lines, [2]string{name, doc})
		}
		env.WriteString(p.Title + ":\n" + envHelp(lines...))
	}
	return `Usage: paybridge conformance [--provider NAME] [--sandbox] [--json] [--html FILE]

Runs the conformance suite, the scenarios every adapter must pass, and prints a
scenario × provider table: passed, failed, or skipped with the reason.

Without --sandbox it runs against the in-memory provider and the simulators of
Trustly (JSON-RPC and REST) and Trustist on 127.0.0.1: no credentials, no network.

With --sandbox it runs against the sandbox of each provider whose variables (below)
are set, or the base URL they name instead (the output says which), naming the missing
ones of the others. Scenarios that need a person at the bank's page or a notification
reaching this machine skip, with that reason. 'paybridge sim' writes an env.sh setting them.

Examples:
  paybridge conformance --html conformance.html
  paybridge conformance --provider trustlyrest --json | jq '.[0].results[] | select(.status != "passed")'
  PAYBRIDGE_TRUSTIST_HAWK_ID=… PAYBRIDGE_TRUSTIST_HAWK_KEY_FILE=trustist.key \
      paybridge conformance --sandbox

Environment, read with --sandbox (NAME_FILE, naming a file, may replace a NAME marked *):
` + env.String() + `
--json prints each scenario's status, message (why it skipped or failed) and
durationMs, and a sandbox run its url. --html FILE also writes the table as a page.

Exit status: 1 a scenario failed; else 2 --html unwritable or --sandbox ran nothing,
3 a sandbox's variables unusable or credentials refused, 5 one did not answer; else 0.
`
}

func conformanceCmd(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "conformance")
	var names []string
	for _, e := range embeddedProviders() {
		names = append(names, e.name)
	}
	only := fs.String("provider", "", "run against this provider only ("+strings.Join(names, ", ")+"; any case)")
	useSandbox := fs.Bool("sandbox", false, "run against the providers' sandboxes configured in the environment, or the base URLs it names instead")
	asJSON := fs.Bool("json", false, "print the results as JSON on stdout")
	htmlPath := fs.String("html", "", "also write the table, with every reason and a legend, as a standalone HTML page to `FILE`")
	if code, ok := parseFlags(fs, s, conformanceHelp(), args); !ok {
		return code
	}
	*only = strings.ToLower(strings.TrimSpace(*only))
	if *only != "" && !slices.Contains(names, *only) {
		return usageError(s, "conformance", "unknown provider %q (known: %s)", *only, strings.Join(names, ", "))
	}
	if *useSandbox && *only == memprovider.Name {
		return usageError(s, "conformance", "the in-memory provider has no sandbox")
	}
	var page *pageFile
	if *htmlPath != "" {
		var err error
		if page, err = createPage(*htmlPath); err != nil {
			fmt.Fprintf(s.err, "paybridge conformance: cannot write the page to %s: %v\n", *htmlPath, err)
			return exitUsage
		}
		defer page.discard()
	}
	started := time.Now()
	pr := newProgress(s.err)
	var reports []report
	if *useSandbox {
		for _, p := range sandbox.Providers() {
			if *only == "" || p.Name == *only {
				reports = append(reports, runSandbox(ctx, p, pr))
			}
		}
	} else {
		for _, e := range embeddedProviders() {
			if *only == "" || e.name == *only {
				reports = append(reports, runEmbedded(ctx, e, pr))
			}
		}
	}
	if *asJSON {
		writeJSON(s.out, reports)
	} else {
		printTable(s.out, reports, *useSandbox)
	}
	pageFailed := false
	if page != nil {
		if err := page.commit(reports, *useSandbox, started); err != nil {
			fmt.Fprintf(s.err, "paybridge conformance: cannot write the page to %s: %v\n", *htmlPath, err)
			pageFailed = true
		} else {
			pr.line("wrote the page to %s", *htmlPath)
		}
	}
	failed, config, unavailable, ran := false, false, false, false
	for _, r := range reports {
		failed = failed || r.count(conformance.Failed) > 0
		config = config || r.exit == exitConfig
		unavailable = unavailable || r.exit == exitUnavailable
		ran = ran || len(r.Results) > 0
	}
	switch {
	case failed:
		return exitFailed
	case pageFailed:
		return exitUsage
	case config:
		return exitConfig
	case unavailable:
		return exitUnavailable
	case *useSandbox && !ran:
		// An explicit --sandbox that ran nothing (no sandbox's variables set) is not a
		// pass: a CI job whose secrets are missing must not succeed silently.
		if *asJSON {
			fmt.Fprintln(s.err, "paybridge conformance: no sandbox is configured in the environment; nothing was run")
		}
		return exitUsage
	}
	return exitOK
}

func runEmbedded(ctx context.Context, e embedded, pr *progress) report {
	h, closeFn, err := e.harness()
	if err != nil {
		r := report{Provider: e.name, Target: e.target, Error: "the simulator did not start: " + err.Error(), exit: exitUnavailable}
		pr.line("%s: not run, %s", e.name, r.Error)
		return r
	}
	defer closeFn()
	return report{Provider: e.name, Target: e.target, Results: results(pr.run(ctx, e.name, e.target, h))}
}

// against names what a report ran against: a sandbox run's URL, else its Target.
func (r report) against() string {
	if r.URL != "" {
		return r.URL
	}
	return r.Target
}

func runSandbox(ctx context.Context, p sandbox.Provider, pr *progress) report {
	r := report{Provider: p.Name, Target: targetSandbox}
	if missing := p.Missing(); len(missing) > 0 {
		r.NotRun = "no credentials: set " + strings.Join(missing, ", ")
		pr.line("%s: not run, %s", p.Name, r.NotRun)
		return r
	}
	tg, err := p.Load()
	if err != nil {
		r.Error, r.exit = "configuration error: "+explain(err), exitConfig
		pr.line("%s: not run, %s", p.Name, r.Error)
		return r
	}
	r.URL = tg.URL
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	err = tg.Check(cctx)
	cancel()
	if err != nil {
		r.exit = exitCodeFor(err, false)
		if r.exit != exitConfig {
			r.exit = exitUnavailable
		}
		what := "did not answer"
		if r.exit == exitConfig {
			what = "refused the credentials"
		}
		if code := paybridge.CodeOf(err); code != paybridge.CodeUnknown {
			what += " (" + code.String() + ")"
		}
		r.Error = tg.URL + " " + what + " on a first call; check the base URL and the credentials: " + explain(err)
		pr.line("%s: not run, %s", p.Name, r.Error)
		return r
	}
	r.Results = results(pr.run(ctx, p.Name, r.against(), tg.Harness))
	return r
}

// progress reports the run on stderr: a line redrawn per scenario on a terminal, one line
// per provider otherwise.
type progress struct {
	w   io.Writer
	tty bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, tty: isTerminal(w)} }

func (p *progress) line(format string, args ...any) {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

// run runs the suite; target is what it runs against: a report's against().
func (p *progress) run(ctx context.Context, name, target string, h conformance.Harness) []conformance.Result {
	start := time.Now()
	if !p.tty {
		what := "the " + target
		switch {
		case target == targetMemory:
			what = "the in-memory provider"
		case strings.Contains(target, "://"):
			what = target
		}
		p.line("%s: running %d scenarios against %s", name, len(conformance.Scenarios()), what)
	}
	results := conformance.Run(ctx, h, func(i, n int, sc string) {
		if p.tty {
			fmt.Fprintf(p.w, "\r\033[K%s (%s): %d/%d %s", name, target, i+1, n, sc)
		}
	})
	count := func(st conformance.Status) int {
		n := 0
		for _, res := range results {
			if res.Status == st {
				n++
			}
		}
		return n
	}
	p.line("%s: %d passed, %d failed, %d skipped in %s", name, count(conformance.Passed), count(conformance.Failed),
		count(conformance.Skipped), time.Since(start).Round(10*time.Millisecond))
	return results
}

const sandboxLegend = `In a sandbox run nobody acts on the provider's hosted pages and notifications cannot
reach this machine, so the scenarios that need either skip.
`

// noneRan is the line that stands for the table when no provider ran: a sandbox run
// says whether the sandboxes were all unconfigured or some configured one could not be
// used (its variables unusable, its credentials refused, no answer), named below it.
func noneRan(notRun []report, sandboxRun bool) string {
	if !sandboxRun {
		return "No provider was run."
	}
	for _, r := range notRun {
		if r.Error != "" {
			return "No sandbox could be run; nothing was run."
		}
	}
	return "No sandbox is configured in the environment; nothing was run."
}

func printTable(w io.Writer, reports []report, sandboxRun bool) {
	var ran, notRun []report
	for _, r := range reports {
		if len(r.Results) > 0 {
			ran = append(ran, r)
		} else {
			notRun = append(notRun, r)
		}
	}
	if len(ran) == 0 {
		fmt.Fprintln(w, noneRan(notRun, sandboxRun))
	} else {
		printResults(w, ran, sandboxRun)
	}
	if len(notRun) > 0 {
		fmt.Fprintln(w, "\nNot run:")
		for _, r := range notRun {
			fmt.Fprintf(w, "  %s: %s\n", r.Provider, r.NotRun+r.Error)
		}
	}
}

func printResults(w io.Writer, ran []report, sandboxRun bool) {
	var targets []string
	for _, r := range ran {
		targets = append(targets, r.Provider+" ("+r.against()+")")
	}
	fmt.Fprintf(w, "Against: %s\n\n", strings.Join(targets, ", "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"SCENARIO"}
	for _, r := range ran {
		header = append(header, strings.ToUpper(r.Provider))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	var notes []string
	for i, sc := range conformance.Scenarios() {
		row := []string{sc.Name}
		for _, r := range ran {
			res := r.Results[i]
			row = append(row, string(res.Status))
			if res.Status != conformance.Passed && res.Message != "" {
				notes = append(notes, fmt.Sprintf("%s / %s (%s): %s", r.Provider, sc.Name, res.Status, res.Message))
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()
	var passed, failed, skipped int
	for _, r := range ran {
		passed += r.count(conformance.Passed)
		failed += r.count(conformance.Failed)
		skipped += r.count(conformance.Skipped)
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if len(notes) > 0 {
		slices.Sort(notes)
		fmt.Fprintln(w, "\nSkipped or failed, with the reason:")
		if sandboxRun {
			fmt.Fprint(w, indent(sandboxLegend, "  "))
		}
		for _, n := range notes {
			fmt.Fprintln(w, "  "+n)
		}
	}
}

func indent(text, prefix string) string {
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}
