// Command bench reads `go test -bench` output on standard input and prints the
// performance targets as a table: for each target, the median of the runs of its metric,
// the target, and whether it is met. It exits 1 when a target is missed and 2 when a
// benchmark a target names did not run.
//
// Run it through bench/run, which runs the benchmarks first:
//
//	bench/run            # the whole suite, 5 runs each
//	COUNT=1 bench/run    # a quick look
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// target is one performance promise: a benchmark's metric against a bound.
type target struct {
	pkg, bench, metric string
	atMost             bool // the metric must be at most bound (else at least)
	bound              float64
	what               string
}

var targets = []target{
	// The harness first: two identical loopback POSTs, paired as a call and its floor
	// are, must read as equal, or no ratio below means what it says.
	{"internal/benchkit", "BenchmarkPairedSelf/alternating", "x-self", true, 1.05, "harness: a bare POST ÷ the same POST, paired (at most)"},
	{"internal/benchkit", "BenchmarkPairedSelf/alternating", "x-self", false, 0.95, "harness: a bare POST ÷ the same POST, paired (at least)"},
	{"provider/trustly", "BenchmarkPay", "x-floor", true, 1.10, "Trustly JSON-RPC Pay ÷ floor"},
	{"provider/trustly", "BenchmarkRefund", "x-floor", true, 1.10, "Trustly JSON-RPC Refund ÷ floor"},
	{"provider/trustly", "BenchmarkPayout", "x-floor", true, 1.10, "Trustly JSON-RPC Payout ÷ floor"},
	{"provider/trustlyrest", "BenchmarkPay", "x-bare-post", true, 1.5, "Trustly REST Pay ÷ bare POST"},
	{"provider/trustist", "BenchmarkPayVersusBarePOST/gateway", "x-bare-post", true, 1.5, "Trustist Pay ÷ bare POST"},
	{"provider/trustlyrest", "BenchmarkPayNoNetwork", "cpu-ns/op", true, 25000, "Trustly REST Pay without network, CPU ns"},
	{"provider/trustist", "BenchmarkPayNoNetwork", "cpu-ns/op", true, 25000, "Trustist Pay without network, CPU ns"},
	{"provider/trustly", "BenchmarkNotifications", "x-floor-rate", false, 0.85, "Trustly JSON-RPC notifications/s ÷ floor rate"},
	{"provider/trustlyrest", "BenchmarkNotifications", "x-floor-rate", false, 0.85, "Trustly REST notifications/s ÷ floor rate"},
	{"provider/trustist", "BenchmarkNotifications", "x-floor-rate", false, 0.85, "Trustist notifications/s ÷ floor rate"},
	{"provider/trustly/report", "BenchmarkAccountLedger/rows=10000", "x-plain", true, 1.5, "AccountLedger 10k rows ÷ plain json.Decoder pass"},
	{"provider/trustly/report", "BenchmarkAccountLedger/rows=100000", "x-plain", true, 1.5, "AccountLedger 100k rows ÷ plain pass"},
	{"provider/trustly/report", "BenchmarkAccountLedger/rows=1000000", "x-plain", true, 1.5, "AccountLedger 1M rows ÷ plain pass"},
	{"", "BenchmarkJournalThroughput/steady", "x-memory-rate", false, 0.9, "64 callers, 50 ms provider: PostgreSQL journal ÷ in-memory throughput"},
	{"", "BenchmarkJournalThroughput/steady", "journal-trips", true, 2, "journal round trips per Pay that succeeds first time"},
}

var (
	pkgLine   = regexp.MustCompile(`^pkg: github\.com/paybridge/paybridge/?(\S*)`)
	benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)
	metric    = regexp.MustCompile(`([0-9.e+-]+) (\S+)`)
)

func main() {
	markdown := flag.Bool("markdown", false, "print a Markdown table")
	flag.Parse()
	samples, extra, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	os.Exit(report(os.Stdout, samples, extra, *markdown))
}

// key names one metric of one benchmark of one package.
type key struct{ pkg, bench, metric string }

// read collects every metric of every benchmark line, by package. extra lists the
// other benchmarks' ns/op in the order they appeared.
func read(r io.Reader) (map[key][]float64, []key, error) {
	samples := map[key][]float64{}
	var extra []key
	pkg := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if m := pkgLine.FindStringSubmatch(line); m != nil {
			pkg = m[1]
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, mm := range metric.FindAllStringSubmatch(m[2], -1) {
			v, err := strconv.ParseFloat(mm[1], 64)
			if err != nil {
				continue
			}
			k := key{pkg, m[1], mm[2]}
			if _, seen := samples[k]; !seen && mm[2] == "ns/op" {
				extra = append(extra, k)
			}
			samples[k] = append(samples[k], v)
		}
	}
	return samples, extra, sc.Err()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func report(w io.Writer, samples map[key][]float64, extra []key, markdown bool) int {
	row := func(cells ...string) {
		if markdown {
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		} else {
			fmt.Fprintf(w, "%-52s %-12s %-9s %-7s %s\n", cells[0], cells[1], cells[2], cells[3], cells[4])
		}
	}
	row("target", "median", "bound", "runs", "met")
	if markdown {
		fmt.Fprintln(w, "|---|---|---|---|---|")
	}
	status := 0
	for _, t := range targets {
		v := samples[key{t.pkg, t.bench, t.metric}]
		if len(v) == 0 {
			row(t.what, "not run", bound(t), "0", "?")
			status = max(status, 2)
			continue
		}
		m := median(v)
		ok := m <= t.bound
		if !t.atMost {
			ok = m >= t.bound
		}
		verdict := "yes"
		if !ok {
			verdict = "NO"
			status = max(status, 1)
		}
		row(t.what, strconv.FormatFloat(m, 'f', 3, 64), bound(t), strconv.Itoa(len(v)), verdict)
	}
	fmt.Fprintln(w)
	for _, k := range extra {
		name := strings.TrimPrefix(k.pkg+" "+k.bench, " ")
		line := fmt.Sprintf("%s: %.0f ns/op", name, median(samples[k]))
		if a := samples[key{k.pkg, k.bench, "allocs/op"}]; len(a) > 0 {
			line += fmt.Sprintf(", %.0f allocs/op", median(a))
		}
		if markdown {
			line = "- " + line
		}
		fmt.Fprintln(w, line)
	}
	return status
}

func bound(t target) string {
	if t.atMost {
		return "≤ " + strconv.FormatFloat(t.bound, 'f', 2, 64)
	}
	return "≥ " + strconv.FormatFloat(t.bound, 'f', 2, 64)
}
