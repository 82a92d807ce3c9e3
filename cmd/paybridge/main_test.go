package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestConformanceCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"conformance"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"SCENARIO", "MEM", "TRUSTLY", "TRUSTLYREST", "TRUSTIST", "PayApproved", "passed", " 0 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestConformanceJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"conformance", "--provider", "mem", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var reports []report
	if err := json.Unmarshal(out.Bytes(), &reports); err != nil || len(reports) != 1 || len(reports[0].Results) == 0 {
		t.Fatalf("JSON output %q: %v", out.String(), err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"conformance", "--provider", "nosuch"}, {"conformance", "--bogus"}, {"conformance", "extra"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &out, &out); code != 0 || !strings.Contains(out.String(), "conformance") {
		t.Fatalf("help: %d %s", code, out.String())
	}
}
