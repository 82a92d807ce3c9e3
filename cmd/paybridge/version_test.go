package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := cli(t, args...).mustCode(t, exitOK)
		// The test binary is built from the checkout: a development build, with this Go.
		if !strings.HasPrefix(r.out, "paybridge ") || !strings.Contains(r.out, runtime.Version()) || r.err != "" {
			t.Errorf("%v printed %q, stderr %q", args, r.out, r.err)
		}
	}
	cli(t, "version", "extra").mustCode(t, exitUsage)

	released := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Path: "github.com/paybridge/paybridge", Version: "v1.4.2"}}
	if got, want := versionText(released, true), "paybridge v1.4.2, built with go1.99.1"; got != want {
		t.Errorf("released build: %q, want %q", got, want)
	}
	checkout := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Path: "github.com/paybridge/paybridge", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionText(checkout, true), "paybridge (devel), built with go1.99.1, commit 0123abcd with local changes"; got != want {
		t.Errorf("checkout build: %q, want %q", got, want)
	}
	if got := versionText(nil, false); !strings.Contains(got, "unknown version") {
		t.Errorf("no build information: %q", got)
	}
}
