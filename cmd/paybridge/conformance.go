package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

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
)

// target is a provider the conformance command can run against.
type target struct {
	name    string
	harness func() (conformance.Harness, func())
}

// targets lists the embedded providers, in report order.
func targets() []target {
	return []target{
		{name: memprovider.Name, harness: memHarness},
		{name: trustly.Name, harness: trustlysim.ConformanceHarness},
		{name: trustlyrest.Name, harness: trustlyrestsim.ConformanceHarness},
		{name: trustist.Name, harness: trustistsim.ConformanceHarness},
	}
}

func memHarness() (conformance.Harness, func()) {
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
		LoopbackNotifications:    true,
		Secrets:                  []string{b.APIKey().Reveal(), b.WebhookKey().Reveal(), "GB29NWBK60161331926819"},
	}, b.Close
}

type report struct {
	Provider string               `json:"provider"`
	Results  []conformance.Result `json:"results"`
}

func conformanceCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("provider", "", "run against this provider only ("+strings.Join(names(), ", ")+")")
	asJSON := fs.Bool("json", false, "print results as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: paybridge conformance [--provider NAME] [--json]")
		fmt.Fprintln(stderr, "Runs the conformance suite against the embedded providers and prints a scenario × provider table.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "paybridge conformance: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var reports []report
	for _, tg := range targets() {
		if *only != "" && tg.name != *only {
			continue
		}
		h, closeFn := tg.harness()
		results := conformance.Run(ctx, h, func(i, n int, sc string) {
			fmt.Fprintf(stderr, "\r\033[K%s: %d/%d %s", tg.name, i+1, n, sc)
		})
		closeFn()
		fmt.Fprintf(stderr, "\r\033[K")
		reports = append(reports, report{Provider: tg.name, Results: results})
	}
	if len(reports) == 0 {
		fmt.Fprintf(stderr, "paybridge conformance: unknown provider %q (known: %s)\n", *only, strings.Join(names(), ", "))
		return 2
	}
	failed := false
	for _, r := range reports {
		for _, res := range r.Results {
			failed = failed || res.Status == conformance.Failed
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(reports)
	} else {
		printTable(stdout, reports)
	}
	if failed {
		return 1
	}
	return 0
}

func names() []string {
	var out []string
	for _, t := range targets() {
		out = append(out, t.name)
	}
	return out
}

func printTable(w io.Writer, reports []report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"SCENARIO"}
	for _, r := range reports {
		header = append(header, strings.ToUpper(r.Provider))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	var notes []string
	for i, sc := range conformance.Scenarios() {
		row := []string{sc.Name}
		for _, r := range reports {
			res := r.Results[i]
			row = append(row, string(res.Status))
			if res.Status != conformance.Passed && res.Message != "" {
				notes = append(notes, fmt.Sprintf("%s / %s: %s", r.Provider, sc.Name, res.Message))
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()
	counts := map[conformance.Status]int{}
	for _, r := range reports {
		for _, res := range r.Results {
			counts[res.Status]++
		}
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped\n", counts[conformance.Passed], counts[conformance.Failed], counts[conformance.Skipped])
	if len(notes) > 0 {
		slices.Sort(notes)
		fmt.Fprintln(w, "\nSkipped or failed, with the reason:")
		for _, n := range notes {
			fmt.Fprintln(w, "  "+n)
		}
	}
}
