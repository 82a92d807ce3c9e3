package readme

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// goBlocks returns the bodies of the README's ```go blocks outside its quick start
// section, which examples/quickstart keeps compiling.
func goBlocks(readme string) []string {
	var out []string
	section := ""
	inBlock := false
	var block []string
	for line := range strings.SplitSeq(readme, "\n") {
		switch {
		case inBlock && line == "```":
			inBlock = false
			if section != "## Quick start" {
				out = append(out, strings.Join(block, "\n"))
			}
		case inBlock:
			block = append(block, line)
		case line == "```go":
			inBlock, block = true, nil
		case strings.HasPrefix(line, "## "):
			section = line
		}
	}
	return out
}

// regions returns the code between "// readme:begin" and "// readme:end" lines in src,
// without the blank lines at either end and with the indentation all its lines share
// removed.
func regions(src string) []string {
	var out []string
	var cur []string
	in := false
	for line := range strings.SplitSeq(src, "\n") {
		switch strings.TrimSpace(line) {
		case "// readme:begin":
			in, cur = true, nil
			continue
		case "// readme:end":
			in = false
			for len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
				cur = cur[:len(cur)-1]
			}
			indent := ""
			if len(cur) > 0 {
				indent = cur[0][:len(cur[0])-len(strings.TrimLeft(cur[0], "\t"))]
			}
			for i, l := range cur {
				cur[i] = strings.TrimPrefix(l, indent)
			}
			out = append(out, strings.Join(cur, "\n"))
			continue
		}
		if in && !(len(cur) == 0 && strings.TrimSpace(line) == "") {
			cur = append(cur, line)
		}
	}
	return out
}

// Every Go snippet of the README beyond the quick start is code of this package, which
// compiles with the module, and every snippet here is in the README.
func TestReadmeGoSnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("snippets.go")
	if err != nil {
		t.Fatal(err)
	}
	blocks, here := goBlocks(string(readme)), regions(string(src))
	if len(blocks) == 0 || len(here) == 0 {
		t.Fatalf("%d README blocks, %d snippets here: the markers or the README's fences changed", len(blocks), len(here))
	}
	for _, b := range blocks {
		if !slices.Contains(here, b) {
			t.Errorf("the README's Go snippet is not in examples/readme/snippets.go (copy it between readme:begin and readme:end, where it compiles):\n%s", b)
		}
	}
	for _, r := range here {
		if !slices.Contains(blocks, r) {
			t.Errorf("a snippet of examples/readme/snippets.go is not in the README:\n%s", r)
		}
	}
}
