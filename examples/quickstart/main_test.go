package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestRunPrintsEachStep runs the quick start and checks every step it reports: the payment
// waits for the buyer, the verified notification names that payment, and the refund of the
// whole amount succeeds and is notified too.
func TestRunPrintsEachStep(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), &out); err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	fields := func(i int) []string {
		if i >= len(lines) {
			t.Fatalf("%d lines printed, want more:\n%s", len(lines), out.String())
		}
		return strings.Fields(lines[i])
	}
	want := func(i int, prefix string, n int) []string {
		t.Helper()
		f := fields(i)
		if len(f) != n || f[0] != prefix {
			t.Fatalf("line %d = %q, want %q and %d fields", i+1, lines[i], prefix, n)
		}
		return f
	}

	paid := want(0, "paid:", 7) // paid: ID STATUS VALUE CURRENCY redirect: URL
	id := paid[1]
	if paid[2] != "requires_action" || paid[3] != "12.34" || paid[4] != "GBP" || paid[5] != "redirect:" || !strings.HasSuffix(paid[6], "/"+id) {
		t.Errorf("payment line %q: want %s requires_action 12.34 GBP and a redirect URL for it", lines[0], id)
	}
	if !strings.HasPrefix(lines[1], "approved:") {
		t.Errorf("line 2 = %q, want the approval", lines[1])
	}
	if n := want(2, "notification:", 5); n[1] != "payment.succeeded" || n[2] != id || n[3] != "12.34" || n[4] != "GBP" {
		t.Errorf("line 3 = %q, want payment.succeeded for %s, 12.34 GBP", lines[2], id)
	}
	if r := want(3, "refunded:", 5); r[1] == "" || r[2] != "succeeded" || r[3] != "12.34" || r[4] != "GBP" {
		t.Errorf("line 4 = %q, want a succeeded refund of 12.34 GBP", lines[3])
	}
	if n := want(4, "notification:", 5); n[1] != "refund.succeeded" || n[2] != id || n[3] != "12.34" || n[4] != "GBP" {
		t.Errorf("line 5 = %q, want refund.succeeded for %s, 12.34 GBP", lines[4], id)
	}
	if len(lines) != 5 {
		t.Errorf("%d lines printed, want 5:\n%s", len(lines), out.String())
	}
}

// TestReadmeQuickStartIsThisProgram keeps the README's quick start and this program equal:
// the first Go block under "## Quick start" must be main.go from its package clause on, so
// the README shows code that compiles and runs.
func TestReadmeQuickStartIsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := quickStartBlock(string(readme))
	if !ok {
		t.Fatal(`README.md has no "## Quick start" section with a closed go code block`)
	}
	i := strings.Index(string(src), "\npackage main\n")
	if i < 0 {
		t.Fatal("main.go has no package clause at the start of a line")
	}
	wantSrc := string(src[i+1:])
	if got == wantSrc {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(wantSrc, "\n")
	for n := range max(len(g), len(w)) {
		var gl, wl string
		if n < len(g) {
			gl = g[n]
		}
		if n < len(w) {
			wl = w[n]
		}
		if gl != wl {
			t.Fatalf("README quick start differs from examples/quickstart/main.go at its line %d:\nREADME:  %q\nmain.go: %q\n"+
				"copy main.go from \"package main\" on into the README's go block", n+1, gl, wl)
		}
	}
	t.Fatal("README quick start differs from main.go") // unreachable unless the split hides a difference
}

// quickStartBlock returns the body of the first ```go block after the "## Quick start"
// heading and before the next "## " heading.
func quickStartBlock(readme string) (string, bool) {
	_, section, ok := strings.Cut(readme, "\n## Quick start\n")
	if !ok {
		return "", false
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end+1]
	}
	_, rest, ok := strings.Cut(section, "```go\n")
	if !ok {
		return "", false
	}
	body, _, ok := strings.Cut(rest, "\n```\n")
	if !ok {
		return "", false
	}
	return body + "\n", true
}
