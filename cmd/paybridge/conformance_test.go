package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
	"github.com/paybridge/paybridge/sandbox"
)

func TestConformanceCommand(t *testing.T) {
	r := cli(t, "conformance").mustCode(t, exitOK)
	contains(t, r.out, "SCENARIO", "MEM", "TRUSTLY", "TRUSTLYREST", "TRUSTIST", "PayApproved", "passed", " 0 failed",
		"mem (memory)", "trustist (simulator)", "Skipped or failed, with the reason:")
	// Every scenario has a row, and every skip a reason.
	for _, sc := range conformance.Scenarios() {
		contains(t, r.out, "\n"+sc.Name+" ")
	}
	// stderr is not a terminal here: one line per provider as it starts and ends.
	for _, name := range []string{"mem", "trustly", "trustlyrest", "trustist"} {
		contains(t, r.err, name+": running ", name+": ")
	}
	if strings.Contains(r.err, "\r") || strings.Contains(r.err, "\033[") {
		t.Errorf("terminal control codes on a stderr that is not a terminal: %q", r.err)
	}
}

func TestConformanceJSON(t *testing.T) {
	// --provider takes any case.
	r := cli(t, "conformance", "--provider", "MEM", "--json").mustCode(t, exitOK)
	reports := decode[[]report](t, r)
	if len(reports) != 1 || reports[0].Provider != "mem" || reports[0].Target != targetMemory ||
		len(reports[0].Results) != len(conformance.Scenarios()) {
		t.Fatalf("reports %+v", reports)
	}
	var total float64
	for _, res := range reports[0].Results {
		if res.Status != conformance.Passed {
			t.Errorf("mem %s: %s %s", res.Scenario, res.Status, res.Message)
		}
		if res.DurationMs < 0 {
			t.Errorf("mem %s: durationMs %v", res.Scenario, res.DurationMs)
		}
		total += res.DurationMs
	}
	if total <= 0 {
		t.Errorf("no scenario took any time: %+v", reports[0].Results)
	}
	// Durations are milliseconds, and say so; never Go's nanosecond count.
	var raw []struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, res := range raw[0].Results {
		if _, ok := res["duration"]; ok {
			t.Fatalf("a bare duration field: %v", res)
		}
		if ms, ok := res["durationMs"].(float64); !ok || ms > 60_000 {
			t.Fatalf("durationMs %v is not a number of milliseconds", res["durationMs"])
		}
	}
	cli(t, "conformance", "--provider", "TrustlyREST", "--json").mustCode(t, exitOK)
}

func TestConformanceSandboxWithoutCredentials(t *testing.T) {
	clearProviderEnv(t)
	// An explicit --sandbox that runs nothing fails, so that a CI job whose secrets are
	// missing does not pass silently.
	r := cli(t, "conformance", "--sandbox").mustCode(t, exitUsage)
	contains(t, r.out, "No sandbox is configured", "Not run:",
		"trustly: no credentials: set PAYBRIDGE_TRUSTLY_USERNAME, PAYBRIDGE_TRUSTLY_PASSWORD (or PAYBRIDGE_TRUSTLY_PASSWORD_FILE)",
		"trustlyrest: no credentials: set PAYBRIDGE_TRUSTLYREST_ACCESS_ID",
		"trustist: no credentials: set PAYBRIDGE_TRUSTIST_HAWK_ID, PAYBRIDGE_TRUSTIST_HAWK_KEY (or PAYBRIDGE_TRUSTIST_HAWK_KEY_FILE)")

	// Only what is missing is named.
	t.Setenv(trustlyrest.EnvAccessID, "abc")
	t.Setenv(trustlyrest.EnvMerchantID, "123")
	r = cli(t, "conformance", "--sandbox", "--provider", "trustlyrest", "--json").mustCode(t, exitUsage)
	contains(t, r.err, "nothing was run")
	reports := decode[[]report](t, r)
	if len(reports) != 1 || len(reports[0].Results) != 0 ||
		reports[0].NotRun != "no credentials: set PAYBRIDGE_TRUSTLYREST_ACCESS_KEY (or PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE)" {
		t.Fatalf("reports %+v", reports)
	}
}

// The help names every key --json prints for a scenario.
func TestConformanceHelpNamesJSONKeys(t *testing.T) {
	help := strings.Join(strings.Fields(cli(t, "conformance", "--help").mustCode(t, exitOK).out), " ")
	_, jsonPart, ok := strings.Cut(help, "--json prints")
	if !ok {
		t.Fatalf("the help does not say what --json prints:\n%s", help)
	}
	jsonPart, _, _ = strings.Cut(jsonPart, ".")
	b, err := json.Marshal(scenarioResult{Scenario: "s", Status: conformance.Skipped, Message: "m", DurationMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for k := range keys {
		if !strings.Contains(jsonPart, k) {
			t.Errorf("the help's sentence on --json (%q) does not name the key %q", jsonPart, k)
		}
	}
	if strings.Contains(jsonPart, "reason") && !strings.Contains(jsonPart, "message") {
		t.Errorf("the help names a key --json does not print: %q", jsonPart)
	}
}

// writeSecret writes a key file for a *_FILE variable.
func writeSecret(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConformanceSandboxAgainstSimulators gives each simulator's base URL and
// credentials to the sandbox variables, as a real sandbox's would be given, and runs
// `conformance --sandbox`: the path CI cannot run against the real sandboxes.
func TestConformanceSandboxAgainstSimulators(t *testing.T) {
	clearProviderEnv(t)

	ts, err := trustlysim.Start(trustlysim.Options{AllowLoopbackHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ts.Close)
	creds, err := ts.NewMerchant("sandbox-merchant")
	if err != nil {
		t.Fatal(err)
	}
	// The orders' notifications go to a loopback receiver, never off this machine.
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	t.Cleanup(sink.Close)
	t.Setenv(trustly.EnvUsername, creds.Username)
	t.Setenv(trustly.EnvPassword+"_FILE", writeSecret(t, "trustly-password", creds.Password.Bytes()))
	t.Setenv(trustly.EnvPrivateKey+"_FILE", writeSecret(t, "trustly-key.pem", creds.PrivateKey.Bytes()))
	t.Setenv(sandbox.EnvTrustlyPublicKey+"_FILE", writeSecret(t, "trustly-sim.pem", ts.PublicKeyPEM()))
	t.Setenv(sandbox.EnvTrustlyBaseURL, ts.APIURL())
	t.Setenv(sandbox.EnvTrustlyNotificationURL, sink.URL+"/trustly")

	rs, err := trustlyrestsim.Start(trustlyrestsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.Close)
	t.Setenv(trustlyrest.EnvAccessID, rs.AccessID())
	t.Setenv(trustlyrest.EnvAccessKey, rs.AccessKey())
	t.Setenv(trustlyrest.EnvMerchantID, rs.MerchantID())
	t.Setenv(sandbox.EnvTrustlyRESTBaseURL, rs.APIURL())

	tt, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tt.Close)
	t.Setenv(trustist.EnvHawkID, tt.MerchantKey().HawkID)
	t.Setenv(trustist.EnvHawkKey+"_FILE", writeSecret(t, "trustist-key", tt.MerchantKey().HawkKey.Bytes()))
	t.Setenv(trustist.EnvTenantHawkID, tt.TenantKey().HawkID)
	t.Setenv(trustist.EnvTenantKey, tt.TenantKey().HawkKey.Reveal())
	t.Setenv(sandbox.EnvTrustistBaseURL, tt.URL())

	r := cli(t, "conformance", "--sandbox", "--json").mustCode(t, exitOK)
	reports := decode[[]report](t, r)
	if len(reports) != 3 {
		t.Fatalf("want a report per sandbox, got %+v", reports)
	}
	// The run names the simulators' URLs it ran against, not "the sandbox".
	urls := map[string]string{trustly.Name: ts.APIURL(), trustlyrest.Name: rs.APIURL(), trustist.Name: tt.URL()}
	for _, rep := range reports {
		if rep.URL != urls[rep.Provider] {
			t.Errorf("%s: url %q, want %q", rep.Provider, rep.URL, urls[rep.Provider])
		}
		contains(t, r.err, rep.Provider+": running "+strconv.Itoa(len(conformance.Scenarios()))+" scenarios against "+urls[rep.Provider]+"\n")
	}
	if strings.Contains(r.err, "against the sandbox") {
		t.Errorf("a run against the simulators says it ran against the sandbox:\n%s", r.err)
	}
	// What must pass without a person at the bank page or a reachable notification URL.
	mustPass := []string{"Capabilities", "PayIdempotent", "BadCredentials", "InvalidRequestRejectedBeforeSending",
		"UnsupportedCurrencyRejected", "SecretsAbsentFromLogs"}
	for _, rep := range reports {
		if rep.Target != targetSandbox || rep.NotRun != "" || rep.Error != "" || len(rep.Results) != len(conformance.Scenarios()) {
			t.Fatalf("%s: %+v", rep.Provider, rep)
		}
		for _, res := range rep.Results {
			switch {
			case res.Status == conformance.Failed:
				t.Errorf("%s / %s failed: %s", rep.Provider, res.Scenario, res.Message)
			case res.Status == conformance.Skipped && res.Message == "":
				t.Errorf("%s / %s skipped without a reason", rep.Provider, res.Scenario)
			case res.Status != conformance.Passed && slices.Contains(mustPass, res.Scenario):
				t.Errorf("%s / %s: %s %s", rep.Provider, res.Scenario, res.Status, res.Message)
			}
			if res.Scenario == "PayApproved" && (res.Status != conformance.Skipped || !strings.Contains(res.Message, "EndUser")) {
				t.Errorf("%s / PayApproved in a sandbox run: %s %q, want skipped for want of a person at the bank page",
					rep.Provider, res.Status, res.Message)
			}
		}
	}
	// The plain table says why the skipped scenarios skipped.
	r = cli(t, "conformance", "--sandbox").mustCode(t, exitOK)
	contains(t, r.out, "trustly ("+ts.APIURL()+"), trustlyrest ("+rs.APIURL()+"), trustist ("+tt.URL()+")", " 0 failed",
		"nobody acts on the provider's hosted pages", "trustly / PayApproved (skipped): harness has no EndUser")
	if strings.Contains(r.out+r.err, creds.Password.Reveal()) || strings.Contains(r.out+r.err, rs.AccessKey()) {
		t.Fatal("a credential was printed")
	}
}

func TestConformanceSandboxConfigurationErrors(t *testing.T) {
	clearProviderEnv(t)
	// An unreadable key file: a configuration error, exit 3, naming the variable.
	t.Setenv(trustist.EnvHawkID, "id")
	t.Setenv(trustist.EnvHawkKey+"_FILE", filepath.Join(t.TempDir(), "missing"))
	r := cli(t, "conformance", "--sandbox", "--provider", "trustist").mustCode(t, exitConfig)
	contains(t, r.out, "trustist: configuration error: Merchant.HawkKey: reading PAYBRIDGE_TRUSTIST_HAWK_KEY_FILE: open ", "no such file or directory")
	noStutter(t, r.out)
	// The sandbox is configured, so the line standing for the table does not say otherwise.
	contains(t, r.out, "No sandbox could be run; nothing was run.")
	if strings.Contains(r.out, "No sandbox is configured") {
		t.Errorf("a configured sandbox whose key file is unreadable is reported as unconfigured:\n%s", r.out)
	}

	// A sandbox that does not answer: exit 5, before the suite runs.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	t.Setenv(trustist.EnvHawkKey+"_FILE", "")
	t.Setenv(trustist.EnvHawkKey, "not-a-real-key")
	t.Setenv(sandbox.EnvTrustistBaseURL, "http://"+addr)
	r = cli(t, "conformance", "--sandbox", "--provider", "trustist", "--json").mustCode(t, exitUnavailable)
	reports := decode[[]report](t, r)
	if len(reports) != 1 || !strings.Contains(reports[0].Error, "did not answer") || len(reports[0].Results) != 0 {
		t.Fatalf("reports %+v", reports)
	}
	if strings.Contains(r.out+r.err, "not-a-real-key") {
		t.Fatal("the key was printed")
	}

	// Credentials the sandbox refuses: a configuration error, exit 3.
	tt, err := trustistsim.Start(trustistsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tt.Close)
	t.Setenv(trustist.EnvHawkID, tt.MerchantKey().HawkID)
	t.Setenv(sandbox.EnvTrustistBaseURL, tt.URL())
	r = cli(t, "conformance", "--sandbox", "--provider", "trustist").mustCode(t, exitConfig)
	contains(t, r.out, "refused the credentials (unauthenticated)", "No sandbox could be run; nothing was run.")
}

// On a terminal the progress is one line, redrawn per scenario and cleared at the end.
func TestConformanceProgressOnTerminal(t *testing.T) {
	var buf syncBuffer
	pr := &progress{w: &buf, tty: true}
	h, closeFn, _ := memHarness()
	defer closeFn()
	results := pr.run(t.Context(), "mem", targetMemory, h)
	out := buf.String()
	n := len(conformance.Scenarios())
	contains(t, out, "\r\033[Kmem (memory): 1/"+strconv.Itoa(n)+" "+conformance.Scenarios()[0].Name,
		"\r\033[Kmem (memory): "+strconv.Itoa(n)+"/"+strconv.Itoa(n)+" ", "\r\033[Kmem: "+strconv.Itoa(n)+" passed, 0 failed")
	if strings.Count(out, "\n") != 1 || len(results) != n {
		t.Fatalf("want the progress on one line and a summary line, got %q", out)
	}
}
