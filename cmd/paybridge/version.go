package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

const versionHelp = `Usage: paybridge version

Prints the version of the paybridge module this command was built from, "(devel)"
when it was built from a checkout (go install ./cmd/paybridge, go run), and the Go
version that built it; with the commit, when the build recorded one.

Example:
  paybridge version
  paybridge --version
`

func versionCmd(_ context.Context, s stdio, args []string) int {
	fs := newFlags(s, "version")
	if code, ok := parseFlags(fs, s, versionHelp, args); !ok {
		return code
	}
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprintln(s.out, versionText(bi, ok))
	return exitOK
}

// versionText says which module version and Go version built the command.
func versionText(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "paybridge (unknown version: the binary carries no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	text := "paybridge " + v + ", built with " + bi.GoVersion
	if rev, modified := vcsRevision(bi); rev != "" {
		text += ", commit " + rev
		if modified {
			text += " with local changes"
		}
	}
	return text
}
