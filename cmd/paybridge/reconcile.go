package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/reconcile"
)

// envJournal names the journal's connection string when --journal is not given.
const envJournal = "PAYBRIDGE_JOURNAL_URL"

// Exit statuses of reconcile, as diff(1) has them: whether the books agree is its answer.
const (
	exitAgree  = 0
	exitDiffer = 1
	exitError  = 2
)

const reconcileHelp = `Usage: paybridge reconcile --from TIME --to TIME [--journal URL] [--json | --csv] [flags]

Compares the provider's books with the journal your application's Gateways share:
every movement the provider lists between --from (included) and --to (excluded)
against the payments, refunds, payouts, captures and charges the journal recorded in
that period. It prints what disagrees:

  missing_call    money the provider booked that no call in the journal made
  missing_entry   a call whose money moved (the provider reports it succeeded) with no
                  entry in the provider's books for the period
  amount_differs  the entries booked for a call add up to another amount (refunds and
                  payouts are booked negative), or the journal says the call was refused
  uncertain       a call whose outcome the journal does not know: settle it first

Fees and other movements (settlements to your bank) are counted, not compared. Calls
whose money has not moved yet (a payment the payer has not approved), or was booked
after --to (read up to seven days on), are counted as pending. Not every provider
lists its books: Trustist does not, and reconcile says so.

The journal is the PostgreSQL table of journal/pgjournal that the application's
Gateways write: --journal (or $` + envJournal + `) is its connection string and
--journal-table its table. The provider URL and credentials must name the same
merchant account as the application's, or the journal's entries are not found.

Times are RFC 3339 (2026-12-01T00:00:00Z) or dates (2026-12-01, midnight UTC).
On a terminal, stderr shows how many entries have been read; otherwise a line is
written every 10,000 entries.

Examples:
  paybridge reconcile --from 2026-12-01 --to 2026-12-02
  paybridge reconcile --from 2026-12-01 --to 2026-12-08 --csv > week49.csv

Exit status: 0 the books agree, 1 they differ, 2 an error (bad flags, the
journal or the provider could not be read, no ledger at this provider): nothing
could be said. These replace the other commands' codes below.
` + seeAlso

func reconcileCmd(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "reconcile")
	var c connFlags
	c.register(fs)
	_ = fs.Set("timeout", "30m")
	fs.Lookup("timeout").DefValue = "30m"
	var fromText, toText, journalURL, table string
	var asCSV bool
	fs.StringVar(&fromText, "from", "", "start of the period, included: RFC 3339 time or YYYY-MM-DD (UTC)")
	fs.StringVar(&toText, "to", "", "end of the period, excluded: RFC 3339 time or YYYY-MM-DD (UTC)")
	fs.StringVar(&journalURL, "journal", "", "PostgreSQL connection string of the journal (default $"+envJournal+")")
	fs.StringVar(&table, "journal-table", pgjournal.DefaultTable, "the journal's table")
	fs.BoolVar(&asCSV, "csv", false, "print the findings as CSV on stdout")
	pos, code, ok := parse(fs, s, reconcileHelp, args)
	if !ok {
		if code == exitUsage {
			return exitError
		}
		return code
	}
	fail := func(format string, args ...any) int {
		usageError(s, "reconcile", format, args...)
		return exitError
	}
	if len(pos) > 0 {
		return fail("unexpected arguments %q", pos)
	}
	if c.json && asCSV {
		return fail("--json and --csv exclude each other")
	}
	from, err := parseTime("--from", fromText)
	if err != nil {
		return fail("%v", err)
	}
	to, err := parseTime("--to", toText)
	if err != nil {
		return fail("%v", err)
	}
	if !to.After(from) {
		return fail("--to %s is not after --from %s", toText, fromText)
	}
	if journalURL == "" {
		journalURL = os.Getenv(envJournal)
	}
	if journalURL == "" {
		return fail("no journal: give --journal or %s, the PostgreSQL connection string of the journal "+
			"your application's Gateways share (this command's own journal would be empty)", envJournal)
	}

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	// Opened as the other commands open it: a table that is not there (the application's
	// migration has not run, or --journal-table names another) is a configuration error
	// before anything is read.
	j, err := (&journalFlags{url: journalURL, table: table}).open(ctx)
	if err != nil {
		return reconcileError(s, c.json, err)
	}
	defer j.Close()
	gw, err := c.open(ctx, s.err, paybridge.WithJournal(j))
	if err != nil {
		return reconcileError(s, c.json, err)
	}
	defer gw.Close()
	p := newLedgerProgress(s.err)
	rep, err := reconcile.Run(ctx, gw, from, to, p.update)
	p.done()
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && paybridge.CodeOf(err) == paybridge.CodeUnknown {
			err = &stopError{msg: "not finished within --timeout " + c.timeout.String(), err: err}
		}
		return reconcileError(s, c.json, err)
	}
	switch {
	case c.json:
		writeJSON(s.out, rep)
	case asCSV:
		if err := writeFindingsCSV(s.out, rep); err != nil {
			return reconcileError(s, false, err)
		}
	default:
		writeFindingsTable(s.out, rep)
	}
	if rep.Agree() {
		return exitAgree
	}
	return exitDiffer
}

// reconcileError prints err as the other commands do, with reconcile's exit status.
func reconcileError(s stdio, asJSON bool, err error) int {
	e := describe(err, exitError, "")
	if asJSON {
		writeJSON(s.out, struct {
			Error errorJSON `json:"error"`
		}{e})
		return exitError
	}
	label := ""
	if e.Code == "configuration" {
		label = "configuration error: " // as the other commands say it, though reconcile exits 2
	}
	fmt.Fprintf(s.err, "paybridge reconcile: %s%s\n", label, e.Message)
	if e.Code != "configuration" {
		kv(s.err, "  code", e.Code, "  HTTP status", httpStatus(e.HTTPStatus), "  correlation id", e.CorrelationID)
	}
	return exitError
}

// parseTime reads an RFC 3339 time or a date (midnight UTC).
func parseTime(flag, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, fmt.Errorf("%s is required, e.g. %s 2026-12-01", flag, flag)
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s %q is neither an RFC 3339 time (2026-12-01T00:00:00Z) nor a date (2026-12-01)", flag, v)
}

// ledgerProgress shows how many ledger entries have been read: a line rewritten in place on a
// terminal, at most every 200 ms; elsewhere a line every 10,000 entries.
type ledgerProgress struct {
	w        io.Writer
	terminal bool
	n        int
	last     time.Time
	shown    bool
}

func newLedgerProgress(w io.Writer) *ledgerProgress {
	return &ledgerProgress{w: w, terminal: isTerminal(w)}
}

func (p *ledgerProgress) update(n int) {
	p.n = n
	switch {
	case p.terminal:
		if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond {
			p.last, p.shown = now, true
			fmt.Fprintf(p.w, "\r\033[Kreconcile: %d ledger entries read", n)
		}
	case n%10000 == 0:
		fmt.Fprintf(p.w, "reconcile: %d ledger entries read\n", n)
	}
}

func (p *ledgerProgress) done() {
	if p.shown {
		fmt.Fprintf(p.w, "\r\033[Kreconcile: %d ledger entries read\n", p.n)
	}
}

// findingColumns are the columns of the table and the CSV.
var findingColumns = []string{"kind", "op", "key", "provider_id", "reference", "expected", "booked", "time", "detail"}

func findingRow(f reconcile.Finding) []string {
	amount := func(a money.Amount) string {
		if !a.IsValid() {
			return ""
		}
		return a.String()
	}
	return []string{string(f.Kind), string(f.Op), f.Key, f.ProviderID, f.Reference, amount(f.Expected), amount(f.Booked),
		f.Time.UTC().Format(time.RFC3339), f.Detail}
}

func writeFindingsCSV(w io.Writer, rep *reconcile.Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(findingColumns)
	for _, f := range rep.Findings {
		_ = cw.Write(findingRow(f))
	}
	cw.Flush()
	return cw.Error()
}

// counted is n followed by the noun in the number n calls for.
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func writeFindingsTable(w io.Writer, rep *reconcile.Report) {
	summary := fmt.Sprintf("%s, %s to %s: %s (%d fees and other movements not compared), "+
		"%s in the journal (%d matched, %d pending)",
		rep.Scope, rep.From.UTC().Format(time.RFC3339Nano), rep.To.UTC().Format(time.RFC3339Nano),
		counted(rep.LedgerEntries, "ledger entry", "ledger entries"), rep.NotCompared,
		counted(rep.Calls, "call", "calls"), rep.Matched, rep.Pending)
	fmt.Fprintln(w, summary)
	if rep.Agree() {
		fmt.Fprintln(w, "The books agree.")
		return
	}
	fmt.Fprintln(w, counted(len(rep.Findings), "difference", "differences")+":")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(findingColumns[:len(findingColumns)-1], "\t"))+"\tDETAIL")
	for _, f := range rep.Findings {
		row := findingRow(f)
		for i, v := range row {
			if v == "" {
				row[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()
}
