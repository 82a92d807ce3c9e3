package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/secret"
)

// usePartnerSim sets the environment `paybridge sim` prints for its Partner API
// simulator, and returns the client secret (read from its file).
func usePartnerSim(t *testing.T, set *simSet) string {
	t.Helper()
	t.Setenv(envPartnerClientSecret, "")
	for _, v := range set.Partner.Env {
		t.Setenv(v.Name, v.Value)
	}
	b, err := os.ReadFile(os.Getenv(envPartnerClientSecret + "_FILE"))
	if err != nil || len(b) == 0 {
		t.Fatalf("the client secret file: %v", err)
	}
	return string(b)
}

// notIn fails when any of the secrets shows in the run's output.
func (r result) notIn(t *testing.T, secrets ...string) result {
	t.Helper()
	for _, s := range secrets {
		if s != "" && (strings.Contains(r.out, s) || strings.Contains(r.err, s)) {
			t.Fatalf("a secret is printed:\nstdout:\n%s\nstderr:\n%s", r.out, r.err)
		}
	}
	return r
}

// A platform invites a merchant, lists its invitations and reads the keys of the merchant
// once it accepted, against the simulators `paybridge sim` starts; with the keys it
// prints, the merchant takes a payment at the Trustist simulator. The private key shows
// only with --show-secret, the client secret never.
func TestPartnerInviteListKeys(t *testing.T) {
	clearProviderEnv(t)
	set, _ := startTestSims(t)
	clientSecret := usePartnerSim(t, set)

	inv := decode[struct{ ID, Status, Email, Name string }](t,
		cli(t, "partner", "invite", "--email", "owner@bakery.example", "--name", "Corner Bakery", "--cards", "--json").
			mustCode(t, exitOK).notIn(t, clientSecret))
	if inv.ID == "" || inv.Status != "pending" || inv.Email != "owner@bakery.example" {
		t.Fatalf("invitation %+v", inv)
	}
	text := cli(t, "partner", "invite", "--email", "second@shop.example", "--name", "Second Shop").mustCode(t, exitOK).out
	contains(t, text, "invitation", "payment types  openbanking\n", "paybridge partner keys ")

	list := cli(t, "partner", "list").mustCode(t, exitOK).notIn(t, clientSecret).out
	contains(t, list, "INVITATION", inv.ID+"  sent", "openbanking, cards", "Corner Bakery", "owner@bakery.example", "Second Shop")

	// Before the merchant accepts there are no keys.
	r := cli(t, "partner", "keys", inv.ID).mustCode(t, exitFailed)
	contains(t, r.err, "not accepted", "not_found")

	link, ok := set.partner.InvitationURL(inv.ID)
	if !ok {
		t.Fatal("no invitation page")
	}
	if err := set.partner.EndUser().Approve(context.Background(), link); err != nil {
		t.Fatal(err)
	}
	listed := decode[[]struct{ ID, Status string }](t, cli(t, "partner", "list", "--json").mustCode(t, exitOK))
	if len(listed) != 2 || listed[0].ID != inv.ID || listed[0].Status != "accepted" || listed[1].Status != "sent" {
		t.Fatalf("listed %+v", listed)
	}

	shown := decode[struct {
		Invitation string
		Keys       []keyJSON
	}](t, cli(t, "partner", "keys", inv.ID, "--show-secret", "--json").mustCode(t, exitOK))
	if shown.Invitation != inv.ID || len(shown.Keys) != 1 || shown.Keys[0].APIKey == "" || shown.Keys[0].PrivateKey == "" {
		t.Fatalf("keys with --show-secret: %+v", shown)
	}
	key := shown.Keys[0]

	hidden := decode[struct{ Keys []keyJSON }](t, cli(t, "partner", "keys", inv.ID, "--json").mustCode(t, exitOK).notIn(t, key.PrivateKey))
	if len(hidden.Keys) != 1 || hidden.Keys[0].APIKey != key.APIKey || !hidden.Keys[0].PrivateKeyHidden || hidden.Keys[0].PrivateKey != "" {
		t.Fatalf("keys without --show-secret: %+v", hidden)
	}
	masked := cli(t, "partner", "keys", inv.ID).mustCode(t, exitOK).notIn(t, key.PrivateKey, clientSecret).out
	contains(t, masked, key.APIKey, "hidden: add --show-secret", "export "+trustist.EnvHawkID+"="+key.APIKey+"\n",
		"# "+trustist.EnvHawkKey+": the private key, printed with --show-secret\n")

	// The export lines --show-secret prints configure the trustist provider: the new
	// merchant takes a payment at the Trustist simulator.
	revealed := cli(t, "partner", "keys", inv.ID, "--show-secret").mustCode(t, exitOK).notIn(t, clientSecret).out
	for _, line := range strings.Split(revealed, "\n") {
		if assign, ok := strings.CutPrefix(line, "    export "); ok {
			name, value, _ := strings.Cut(assign, "=")
			t.Setenv(name, strings.Trim(value, "'"))
		}
	}
	if os.Getenv(trustist.EnvHawkKey) != key.PrivateKey || os.Getenv(trustist.EnvHawkID) != key.APIKey {
		t.Fatalf("the export lines do not carry the key:\n%s", revealed)
	}
	pay := cli(t, "pay", "--url", "trustist://sandbox?base_url="+set.trustist.URL(), "--amount", "18.40", "--currency", "GBP",
		"--reference", "bakery-1", "--return-url", set.ReturnURL, "--first-name", "Ada", "--last-name", "Lovelace",
		"--idempotency-key", "bakery-1").mustCode(t, exitOK).notIn(t, key.PrivateKey)
	contains(t, pay.out, "requires_action")
	found := false
	for _, m := range set.trustist.Movements() {
		found = found || m.Reference == "bakery-1" && m.Merchant == key.APIKey
	}
	if !found {
		t.Fatalf("the Trustist simulator booked no payment of the new merchant: %+v", set.trustist.Movements())
	}
}

// The partner commands' configuration: the client id and secret are required, the
// secret comes from a file or the environment and never shows in an error, and refused
// credentials are a configuration error.
func TestPartnerConfiguration(t *testing.T) {
	clearProviderEnv(t)
	set, _ := startTestSims(t)
	clientSecret := usePartnerSim(t, set)

	t.Setenv(envPartnerClientID, "")
	contains(t, cli(t, "partner", "list").mustCode(t, exitConfig).err, "no client id", "--client-id")
	contains(t, cli(t, "partner", "list", "--client-id", set.partner.ClientID()).mustCode(t, exitOK).out, "no invitations")

	t.Setenv(envPartnerClientID, set.partner.ClientID())
	t.Setenv(envPartnerClientSecret+"_FILE", "")
	contains(t, cli(t, "partner", "list").mustCode(t, exitConfig).err, "no client secret")
	wrong := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(wrong, []byte("cs_test_not_the_secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "partner", "list", "--client-secret-file", wrong).mustCode(t, exitConfig).notIn(t, "cs_test_not_the_secret", clientSecret)
	contains(t, r.err, "unauthenticated", "Check --base-url, --client-id and the client secret")
	r = cli(t, "partner", "list", "--client-secret-file", wrong, "--json").mustCode(t, exitConfig).notIn(t, "cs_test_not_the_secret")
	contains(t, r.out, `"code": "unauthenticated"`, `"httpStatus": 401`)

	t.Setenv(envPartnerClientSecret, clientSecret)
	cli(t, "partner", "list").mustCode(t, exitOK)
	contains(t, cli(t, "partner", "list", "--production", "--base-url", set.partner.URL()).mustCode(t, exitConfig).err, "--production and --base-url")

	// Requests refused before anything is sent, and what the API refuses, are usage
	// errors.
	contains(t, cli(t, "partner", "invite", "--name", "Shop").mustCode(t, exitUsage).err, "--email and --name are required")
	contains(t, cli(t, "partner", "invite", "--email", "not an address", "--name", "Shop").mustCode(t, exitUsage).err, "Email")
	contains(t, cli(t, "partner", "keys").mustCode(t, exitUsage).err, "give one invitation id")
	contains(t, cli(t, "partner", "keys", "00000000-0000-0000-0000-000000000000").mustCode(t, exitFailed).err, "not_found")
	contains(t, cli(t, "partner", "frobnicate").mustCode(t, exitUsage).err, "unknown subcommand")
	contains(t, cli(t, "partner", "--help").mustCode(t, exitOK).out, "--show-secret", envPartnerClientSecret)
	contains(t, cli(t, "help").mustCode(t, exitOK).out, "partner ")
}

// A key whose private half the Partner API did not return prints no export line for it,
// --show-secret or not, and says where the private key comes from; two keys are
// numbered.
func TestShowKeysWithoutPrivateHalf(t *testing.T) {
	for _, show := range []bool{false, true} {
		var b bytes.Buffer
		showKeys(&b, "inv-1", []partner.MerchantKey{{HawkID: "hawk-1"}, {HawkID: "hawk-2", HawkKey: secret.New("sk_test_two")}}, show)
		out := b.String()
		contains(t, out, "key 1\n", "key 2\n", "export "+trustist.EnvHawkID+"=hawk-1\n",
			"not in the Partner API's answer", "# "+trustist.EnvHawkKey+": the private key, which the merchant copies from TrustistTransfer")
		if strings.Contains(out, "sk_test_two") != show || strings.Count(out, "export "+trustist.EnvHawkKey+"=") != map[bool]int{false: 0, true: 1}[show] {
			t.Fatalf("--show-secret %v:\n%s", show, out)
		}
	}
}

// With --json, `paybridge sim` prints each invitation it sends as a line of JSON with
// the link where the merchant accepts.
func TestSimPrintsInvitationsAsJSON(t *testing.T) {
	clearProviderEnv(t)
	rs := startSimCommand(t, "\n", "--json")
	line, _, _ := strings.Cut(rs.out.String(), "\n")
	var set simSet
	if err := json.Unmarshal([]byte(line), &set); err != nil || set.Partner.BaseURL == "" {
		t.Fatalf("configuration line %s: %v", line, err)
	}
	for _, v := range set.Partner.Env {
		t.Setenv(v.Name, v.Value)
	}
	inv := decode[struct{ ID string }](t, cli(t, "partner", "invite", "--email", "owner@shop.example", "--name", "Shop", "--json").mustCode(t, exitOK))
	var printed struct {
		Invitation struct{ ID, Email, URL string }
	}
	for _, l := range strings.Split(rs.out.String(), "\n") {
		if strings.HasPrefix(l, `{"invitation":`) {
			if err := json.Unmarshal([]byte(l), &printed); err != nil {
				t.Fatalf("invitation line %s: %v", l, err)
			}
		}
	}
	if printed.Invitation.ID != inv.ID || printed.Invitation.Email != "owner@shop.example" ||
		!strings.HasPrefix(printed.Invitation.URL, set.Partner.BaseURL+"/join/"+inv.ID+"?") {
		t.Fatalf("printed %+v for invitation %s:\n%s", printed, inv.ID, rs.out.String())
	}
	pageServed(context.Background(), t, printed.Invitation.URL)
}
