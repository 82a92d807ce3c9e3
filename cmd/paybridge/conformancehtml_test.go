package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/provider/trustist"
)

// node is an element of a page read back by parsePage.
type node struct {
	name     string
	attrs    map[string]string
	children []*node
	text     strings.Builder // all the text inside, children's included
}

// parsePage reads the page as XML, which only well-formed XHTML passes: every element
// closed and nested, every attribute quoted, every & and < escaped.
func parsePage(t *testing.T, page []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	root := &node{name: "#document"}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page is not well-formed: %v\n%s", err, page)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.text.Write(tok)
			}
		}
	}
	if len(stack) != 1 {
		t.Fatalf("%d elements left open", len(stack)-1)
	}
	return root
}

// all returns the elements named name under n, in document order.
func (n *node) all(name string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

func (n *node) one(t *testing.T, name string) *node {
	t.Helper()
	all := n.all(name)
	if len(all) != 1 {
		t.Fatalf("%d <%s> elements, want 1", len(all), name)
	}
	return all[0]
}

func (n *node) String() string { return strings.Join(strings.Fields(n.text.String()), " ") }

// rowsOf returns the table's body rows by scenario, each with its cells, and the columns'
// headings.
func rowsOf(t *testing.T, page *node) (map[string][]*node, []string) {
	t.Helper()
	table := page.one(t, "table")
	var cols []string
	for _, th := range table.one(t, "thead").all("th")[1:] {
		cols = append(cols, th.String())
	}
	rows := map[string][]*node{}
	for _, tr := range table.one(t, "tbody").all("tr") {
		name := tr.one(t, "th").String()
		if _, dup := rows[name]; dup {
			t.Fatalf("two rows for %s", name)
		}
		rows[name] = tr.all("td")
		if len(rows[name]) != len(cols) {
			t.Fatalf("row %s has %d cells for %d columns", name, len(rows[name]), len(cols))
		}
	}
	return rows, cols
}

// The page shows every result, and every message as text, whatever a provider answered.
func TestConformanceHTMLPage(t *testing.T) {
	const (
		skipReason = `needs a person at "the bank's" page & <b>a browser</b>`
		failure    = "Pay: provider answered </td></tr><script>alert(1)</script> \x1b[31m\xff"
		notRun     = "the sandbox did not answer: <i>dial tcp</i>"
	)
	scs := conformance.Scenarios()
	var mem []scenarioResult
	for i, sc := range scs {
		res := scenarioResult{Scenario: sc.Name, Status: conformance.Passed, DurationMs: float64(i)}
		switch i {
		case 2:
			res.Status, res.Message = conformance.Skipped, skipReason
		case 5:
			res.Status, res.Message = conformance.Failed, failure
		}
		mem = append(mem, res)
	}
	other := []scenarioResult{{Scenario: scs[0].Name, Status: conformance.Skipped}} // no reason, the rest missing
	reports := []report{
		{Provider: "mem", Target: targetMemory, Results: mem},
		{Provider: "trustist", Target: targetSandbox, URL: "http://127.0.0.1:8421", Results: other},
		{Provider: "trustly", Target: targetSandbox, Error: notRun, exit: exitUnavailable},
	}
	date := time.Date(2026, 12, 7, 9, 30, 5, 0, time.FixedZone("CET", 3600))
	var buf bytes.Buffer
	if err := writeHTML(&buf, reports, true, date, "v1.4.0"); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	page := parsePage(t, buf.Bytes())

	if len(page.all("script")) != 0 || len(page.all("b")) != 0 || len(page.all("i")) != 0 {
		t.Fatalf("a message became markup:\n%s", raw)
	}
	if strings.Contains(raw, "\x1b") || strings.Contains(raw, "\xff") {
		t.Fatalf("a control character or invalid UTF-8 reached the page:\n%q", raw)
	}
	summary := strconv.Itoa(len(scs)-2) + " passed, 1 failed, 2 skipped"
	if got := page.one(t, "title").String(); got != "paybridge conformance: "+summary {
		t.Errorf("title %q", got)
	}
	head := page.one(t, "head")
	if len(head.all("link")) != 0 || len(page.all("img")) != 0 || len(page.all("script")) != 0 {
		t.Errorf("the page loads something: it must stand alone")
	}
	body := page.one(t, "body")
	contains(t, body.String(), "Run on 2026-12-07 08:30:05 UTC by paybridge v1.4.0", "the providers' sandboxes configured in the environment, or the base URLs it names instead",
		strings.Join(strings.Fields(sandboxLegend), " "), "Legend", "✓ passed", "✗ failed", "– skipped",
		summary)
	if tm := page.one(t, "time"); tm.attrs["datetime"] != "2026-12-07T08:30:05Z" {
		t.Errorf("time %v", tm.attrs)
	}

	rows, cols := rowsOf(t, page)
	if strings.Join(cols, "|") != "mem (memory)|trustist (http://127.0.0.1:8421)" {
		t.Errorf("columns %q", cols)
	}
	if len(rows) != len(scs) {
		t.Fatalf("%d rows for %d scenarios", len(rows), len(scs))
	}
	for i, sc := range scs {
		cells := rows[sc.Name]
		if cells == nil {
			t.Fatalf("no row for %s", sc.Name)
		}
		want := map[int]string{2: "skipped", 5: "failed"}[i]
		if want == "" {
			want = "passed"
		}
		if c := cells[0]; c.attrs["class"] != want || !strings.Contains(c.String(), want) {
			t.Errorf("mem / %s: class %q text %q, want %s", sc.Name, c.attrs["class"], c, want)
		}
		if i > 0 && cells[1].String() != "not reported" {
			t.Errorf("trustist / %s: %q, want not reported", sc.Name, cells[1])
		}
	}
	// A cell that did not pass holds its message, as text, in a details element.
	wantFailure := "Pay: provider answered </td></tr><script>alert(1)</script> \\x1b[31m\uFFFD"
	if d := rows[scs[5].Name][0].one(t, "details"); !strings.Contains(d.String(), wantFailure) {
		t.Errorf("failed cell %q lacks the message %q", d, wantFailure)
	}
	if d := rows[scs[2].Name][0].one(t, "details"); !strings.Contains(d.String(), skipReason) {
		t.Errorf("skipped cell %q lacks the reason", d)
	}
	// And the list below the table holds every one, numbered in table order.
	notes := page.one(t, "ol").all("li")
	if len(notes) != 3 {
		t.Fatalf("%d notes, want 3", len(notes))
	}
	for i, want := range []string{
		"trustist / " + scs[0].Name + " (skipped): (no reason given)",
		"mem / " + scs[2].Name + " (skipped): " + skipReason,
		"mem / " + scs[5].Name + " (failed): " + wantFailure,
	} {
		if notes[i].String() != want {
			t.Errorf("note %d: %q, want %q", i+1, notes[i], want)
		}
		if notes[i].attrs["id"] != "note-"+strconv.Itoa(i+1) {
			t.Errorf("note %d id %q", i+1, notes[i].attrs["id"])
		}
	}
	// The provider that did not run is named with the reason.
	contains(t, page.one(t, "ul").String(), "trustly (sandbox): "+notRun)

	// Without a version the sentence leaves it out; without a run the table is absent.
	buf.Reset()
	if err := writeHTML(&buf, []report{{Provider: "trustly", Target: targetSandbox, NotRun: "no credentials: set X"}}, true, date, ""); err != nil {
		t.Fatal(err)
	}
	page = parsePage(t, buf.Bytes())
	if len(page.all("table")) != 0 || strings.Contains(page.String(), "by paybridge") {
		t.Errorf("page:\n%s", buf.String())
	}
	contains(t, page.String(), "No sandbox is configured in the environment; nothing was run.", "trustly (sandbox): no credentials: set X")
}

// The command writes the page beside the usual table, which does not change.
func TestConformanceHTMLCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte("an older page"), 0o600); err != nil {
		t.Fatal(err)
	}
	plain := cli(t, "conformance").mustCode(t, exitOK)
	r := cli(t, "conformance", "--html", path).mustCode(t, exitOK)
	if r.out != plain.out {
		t.Errorf("--html changed the table:\n%s\nwithout it:\n%s", r.out, plain.out)
	}
	contains(t, r.err, "wrote the page to "+path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d files, want the page alone", len(entries))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("page mode %v, %v", fi.Mode(), err)
	}
	page := parsePage(t, data)
	rows, cols := rowsOf(t, page)
	if strings.Join(cols, "|") != "mem (memory)|trustly (simulator)|trustlyrest (simulator)|trustist (simulator)" {
		t.Errorf("columns %q", cols)
	}
	skipped := 0
	for _, sc := range conformance.Scenarios() {
		if rows[sc.Name] == nil {
			t.Errorf("no row for %s", sc.Name)
		}
		for _, c := range rows[sc.Name] {
			if c.attrs["class"] == string(conformance.Skipped) {
				skipped++
			}
		}
	}
	// Every skip the table lists is in the page with its reason.
	notes := page.one(t, "ol").String()
	var listed int
	for _, line := range strings.Split(r.out, "\n") {
		if note, ok := strings.CutPrefix(line, "  "); ok && strings.Contains(note, " (skipped): ") {
			listed++
			contains(t, notes, note)
		}
	}
	if skipped == 0 || listed != skipped || len(page.one(t, "ol").all("li")) != skipped {
		t.Errorf("%d skipped cells, %d skips in the table, %d notes", skipped, listed, len(page.one(t, "ol").all("li")))
	}
	contains(t, page.one(t, "body").String(), " 0 failed, "+strconv.Itoa(skipped)+" skipped", "in-memory provider and the simulators")

	// A sandbox run with nothing configured writes a page that says so.
	clearProviderEnv(t)
	r = cli(t, "conformance", "--sandbox", "--json", "--html", path).mustCode(t, exitUsage)
	decode[[]report](t, r)
	data, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, parsePage(t, data).String(), "No sandbox is configured", "trustist (sandbox): no credentials: set PAYBRIDGE_TRUSTIST_HAWK_ID")

	// A configured sandbox that cannot be used is not reported as unconfigured.
	t.Setenv(trustist.EnvHawkID, "id")
	t.Setenv(trustist.EnvHawkKey+"_FILE", filepath.Join(t.TempDir(), "missing"))
	cli(t, "conformance", "--sandbox", "--provider", "trustist", "--html", path).mustCode(t, exitConfig)
	if data, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	page = parsePage(t, data)
	contains(t, page.String(), "No sandbox could be run; nothing was run.", "trustist (sandbox): configuration error: ")
	if strings.Contains(page.String(), "No sandbox is configured") {
		t.Errorf("the page reports a configured sandbox as unconfigured:\n%s", page.String())
	}
}

// A page that cannot be written is a usage error before the suite runs.
func TestConformanceHTMLUnwritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, why := range map[string]string{
		filepath.Join(dir, "missing", "page.html"): "cannot create a file in " + filepath.Join(dir, "missing") + ": no such file or directory",
		dir:                              "it is a directory",
		filepath.Join(file, "page.html"): "not a directory",
	} {
		r := cli(t, "conformance", "--provider", "mem", "--html", path).mustCode(t, exitUsage)
		want := "paybridge conformance: cannot write the page to " + path + ": " + why + "\n"
		if r.err != want || r.out != "" {
			t.Errorf("stderr %q stdout %q, want only %q", r.err, r.out, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a failed run left files: %v", entries)
	}
	r := cli(t, "conformance", "--help").mustCode(t, exitOK)
	contains(t, r.out, "--html FILE", "paybridge conformance --html conformance.html")
}

func TestVersionOf(t *testing.T) {
	for _, c := range []struct {
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"v1.2.3", []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}}, "v1.2.3"},
		{"(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}},
			"0123456789ab (modified)"},
		{"", []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "false"}}, "0123456789ab"},
		{"(devel)", nil, ""},
	} {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/paybridge/paybridge", Version: c.version}, Settings: c.settings}
		if got := versionOf(bi); got != c.want {
			t.Errorf("versionOf(%q, %v) = %q, want %q", c.version, c.settings, got, c.want)
		}
	}
}
