package main

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/conformance"
)

// htmlPage is what the --html page shows: the table printTable prints, with every reason.
type htmlPage struct {
	Date    time.Time
	Version string
	Sandbox bool
	Legend  string
	// NoneRan replaces the table when no provider ran.
	NoneRan                 string
	Passed, Failed, Skipped int
	Columns                 []htmlColumn
	Rows                    []htmlRow
	Notes                   []htmlNote
	NotRun                  []htmlNotRun
}

type htmlColumn struct{ Provider, Target string }

type htmlRow struct {
	Scenario, Doc string
	Cells         []htmlCell
}

// htmlCell is one scenario's outcome at one provider. Note numbers its entry in the list
// of reasons (0: none); Status is empty when the provider reported no result for it.
type htmlCell struct {
	Status   conformance.Status
	Message  string
	Duration string
	Note     int
}

type htmlNote struct {
	N                  int
	Provider, Scenario string
	Status             conformance.Status
	Message            string
}

type htmlNotRun struct{ Provider, Target, Reason string }

// newHTMLPage lays out the reports as the text table does: a column per provider that
// ran, a row per scenario, and the providers that did not run below.
func newHTMLPage(reports []report, sandboxRun bool, date time.Time, version string) htmlPage {
	p := htmlPage{Date: date.UTC(), Version: version, Sandbox: sandboxRun}
	if sandboxRun {
		p.Legend = strings.ReplaceAll(strings.TrimSpace(sandboxLegend), "\n", " ")
	}
	var ran, notRun []report
	for _, r := range reports {
		if len(r.Results) > 0 {
			ran = append(ran, r)
			p.Columns = append(p.Columns, htmlColumn{r.Provider, r.against()})
			p.Passed += r.count(conformance.Passed)
			p.Failed += r.count(conformance.Failed)
			p.Skipped += r.count(conformance.Skipped)
		} else {
			notRun = append(notRun, r)
			p.NotRun = append(p.NotRun, htmlNotRun{r.Provider, r.against(), printable(r.NotRun + r.Error)})
		}
	}
	if len(ran) == 0 {
		p.NoneRan = noneRan(notRun, sandboxRun)
		return p
	}
	for _, sc := range conformance.Scenarios() {
		row := htmlRow{Scenario: sc.Name, Doc: sc.Doc}
		for _, r := range ran {
			var c htmlCell
			for _, res := range r.Results {
				if res.Scenario != sc.Name {
					continue
				}
				c = htmlCell{Status: res.Status, Duration: fmt.Sprintf("%.1f ms", res.DurationMs)}
				if res.Status != conformance.Passed {
					c.Message = printable(res.Message)
					if c.Message == "" {
						c.Message = "(no reason given)"
					}
					c.Note = len(p.Notes) + 1
					p.Notes = append(p.Notes, htmlNote{c.Note, r.Provider, sc.Name, res.Status, c.Message})
				}
				break
			}
			row.Cells = append(row.Cells, c)
		}
		p.Rows = append(p.Rows, row)
	}
	return p
}

// printable makes text a provider may have answered safe to show in the page: invalid
// UTF-8 becomes U+FFFD and control characters other than newline and tab, which a browser
// would not show and an XML reader refuses, are written as \xNN. html/template escapes
// the rest.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0, r == 0xfffe, r == 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

var statusMark = map[conformance.Status]string{
	conformance.Passed:  "✓",
	conformance.Failed:  "✗",
	conformance.Skipped: "–",
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"mark": func(st conformance.Status) string { return statusMark[st] },
	"utc":  func(t time.Time) string { return t.Format("2006-01-02 15:04:05 UTC") },
	"iso":  func(t time.Time) string { return t.Format(time.RFC3339) },
}).Parse(`<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>paybridge conformance: {{.Passed}} passed, {{.Failed}} failed, {{.Skipped}} skipped</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
thead th { background: #eee; }
th small { font-weight: normal; color: #555; }
td.passed { background: #e3f4e1; }
td.failed { background: #f9d6d5; }
td.skipped { background: #f1f1f1; color: #555; }
td.none { color: #999; }
.msg { white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 0.9em; }
td .msg { max-width: 28em; margin: 0.3em 0 0 0; }
summary { cursor: pointer; }
dl.legend dt { float: left; clear: left; width: 6em; }
dl.legend dd { margin-left: 7em; }
ol.notes li { margin-bottom: 0.4em; }
</style>
</head>
<body>
<h1>paybridge conformance</h1>
<p>Run on <time datetime="{{iso .Date}}">{{utc .Date}}</time>{{if .Version}} by paybridge {{.Version}}{{end}}, against {{if .Sandbox}}the providers' sandboxes configured in the environment, or the base URLs it names instead (each column says which){{else}}the in-memory provider and the simulators, on this machine{{end}}.</p>
{{if .NoneRan}}<p>{{.NoneRan}}</p>
{{else}}<p><strong>{{.Passed}} passed, {{.Failed}} failed, {{.Skipped}} skipped</strong></p>
<h2>Legend</h2>
<dl class="legend">
<dt>✓ passed</dt><dd>the provider does what the scenario requires.</dd>
<dt>✗ failed</dt><dd>it does not; the message says what went wrong.</dd>
<dt>– skipped</dt><dd>the scenario could not run here; the reason says why (most often a capability the provider lacks).</dd>
</dl>
<p>Open a cell to read its reason, or see the numbered list below the table. Hover over a scenario for what it proves, and over a cell for how long it took.</p>
{{if .Legend}}<p>{{.Legend}}</p>
{{end}}<table>
<thead>
<tr><th scope="col">Scenario</th>{{range .Columns}}<th scope="col">{{.Provider}} <small>({{.Target}})</small></th>{{end}}</tr>
</thead>
<tbody>
{{range .Rows}}<tr id="scenario-{{.Scenario}}"><th scope="row" title="{{.Doc}}">{{.Scenario}}</th>{{range .Cells}}{{if not .Status}}<td class="none">not reported</td>{{else if .Note}}<td class="{{.Status}}" title="{{.Duration}}"><details><summary>{{mark .Status}} {{.Status}} <sup>{{.Note}}</sup></summary><p class="msg">{{.Message}}</p></details></td>{{else}}<td class="{{.Status}}" title="{{.Duration}}">{{mark .Status}} {{.Status}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table>
{{if .Notes}}<h2>Skipped or failed, with the reason</h2>
<ol class="notes">
{{range .Notes}}<li id="note-{{.N}}"><a href="#scenario-{{.Scenario}}">{{.Provider}} / {{.Scenario}}</a> ({{.Status}}): <span class="msg">{{.Message}}</span></li>
{{end}}</ol>
{{end}}{{end}}{{if .NotRun}}<h2>Not run</h2>
<ul>
{{range .NotRun}}<li>{{.Provider}} ({{.Target}}): {{.Reason}}</li>
{{end}}</ul>
{{end}}</body>
</html>
`))

// writeHTML writes the page for the reports to w.
func writeHTML(w io.Writer, reports []report, sandboxRun bool, date time.Time, version string) error {
	return pageTemplate.Execute(w, newHTMLPage(reports, sandboxRun, date, version))
}

// pageFile is the --html file: a temporary file beside it, renamed over it once the page
// is complete, so that a run that ends early leaves no half-written page.
type pageFile struct {
	path string
	tmp  *os.File
	done bool
}

// createPage checks that path can be written, before the suite runs, by creating the
// temporary file the page is written to. Its errors do not repeat the path.
func createPage(path string) (*pageFile, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return nil, errors.New("it is a directory")
	case err == nil:
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, bare(err)
		}
		_ = f.Close()
	case !errors.Is(err, fs.ErrNotExist):
		return nil, bare(err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot create a file in %s: %w", dir, bare(err))
	}
	return &pageFile{path: path, tmp: tmp}, nil
}

// bare drops the operation and path a *fs.PathError adds to its cause.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// commit writes the page and puts it in place.
func (p *pageFile) commit(reports []report, sandboxRun bool, date time.Time) error {
	err := writeHTML(p.tmp, reports, sandboxRun, date, buildVersion())
	if cerr := p.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(p.tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(p.tmp.Name(), p.path)
	}
	if err != nil {
		_ = os.Remove(p.tmp.Name())
	}
	p.done = true
	return err
}

// discard removes the temporary file if the page was not committed.
func (p *pageFile) discard() {
	if p.done {
		return
	}
	_ = p.tmp.Close()
	_ = os.Remove(p.tmp.Name())
}

// buildVersion is the version of paybridge this binary was built from: the module
// version go install recorded, or the VCS revision of a local build; empty when the
// build recorded neither (go run, go test).
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, modified := vcsRevision(bi)
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" && modified {
		rev += " (modified)"
	}
	return rev
}

// vcsRevision is the commit the build recorded, if any, and whether the tree had local
// changes.
func vcsRevision(bi *debug.BuildInfo) (rev string, modified bool) {
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	return rev, modified
}
