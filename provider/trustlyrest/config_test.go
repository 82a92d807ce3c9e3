package trustlyrest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/secrettest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/secret"
)

func TestConfigNeverPrintsCredentials(t *testing.T) {
	if f := secrettest.AssertRedacted(t, &trustlyrest.Config{}); len(f) != 1 {
		t.Fatalf("checked %v; want AccessKey", f)
	}
}

func TestConfigValidation(t *testing.T) {
	good := trustlyrest.Config{AccessID: "id", AccessKey: secret.New("key-value"), MerchantID: "1002463580"}
	if _, err := trustlyrest.New(good); err != nil {
		t.Fatal(err)
	}
	for field, mod := range map[string]func(*trustlyrest.Config){
		"AccessID":           func(c *trustlyrest.Config) { c.AccessID = "" },
		"AccessKey":          func(c *trustlyrest.Config) { c.AccessKey = secret.Value{} },
		"MerchantID":         func(c *trustlyrest.Config) { c.MerchantID = "abc" },
		"BaseURL":            func(c *trustlyrest.Config) { c.Environment = trustlyrest.Production },
		"Environment":        func(c *trustlyrest.Config) { c.Environment = "staging" },
		"Capture":            func(c *trustlyrest.Config) { c.Capture = 7 },
		"SignatureAlgorithm": func(c *trustlyrest.Config) { c.SignatureAlgorithm = 9 },
		"Currencies[0]":      func(c *trustlyrest.Config) { c.Currencies = []money.Currency{money.MustCurrency("EUR")} },
	} {
		cfg := good
		mod(&cfg)
		_, err := trustlyrest.New(cfg)
		var pe *provider.Error
		if !errorsAs(err, &pe) || pe.Field != field || pe.Code != provider.InvalidRequest {
			t.Errorf("%s: %v", field, err)
		}
	}
	cfg := good
	cfg.BaseURL = "http://api.example.com/api/v1"
	if _, err := trustlyrest.New(cfg); err == nil || !strings.Contains(err.Error(), "BaseURL") {
		t.Errorf("plain http to a remote host: %v", err)
	}
	cfg.Environment, cfg.BaseURL = trustlyrest.Production, "https://api.trustly.one/api/v1"
	if _, err := trustlyrest.New(cfg); err != nil {
		t.Errorf("production with a base URL: %v", err)
	}
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	t.Setenv(trustlyrest.EnvAccessKey, "")
	t.Setenv(trustlyrest.EnvAccessKey+"_FILE", "")
	t.Setenv(trustlyrest.EnvAccessID, "")
	if _, err := paybridge.Open(ctx, "trustlyrest://sandbox?merchant_id=1&access_id=a"); err == nil || !strings.Contains(err.Error(), trustlyrest.EnvAccessKey) {
		t.Fatalf("no key: %v", err)
	}
	t.Setenv(trustlyrest.EnvAccessKey, "the-access-key")
	gw, err := paybridge.Open(ctx, "trustlyrest://sandbox?merchant_id=1002463580&access_id=a&capture=manual&signature=HmacSHA512&currencies=USD")
	if err != nil {
		t.Fatal(err)
	}
	if gw.Provider() != trustlyrest.Name || len(gw.Capabilities().Currencies) != 1 {
		t.Errorf("opened %s %+v", gw.Provider(), gw.Capabilities())
	}
	var c *trustlyrest.Client
	if !gw.As(&c) {
		t.Error("As(*Client) failed")
	}
	for _, bad := range []string{
		"trustlyrest://sandbox?merchant_id=1&access_id=a&colour=blue",
		"trustlyrest://staging?merchant_id=1&access_id=a",
		"trustlyrest://production?merchant_id=1&access_id=a",
		"trustlyrest://sandbox?merchant_id=1",
		"trustlyrest://sandbox?merchant_id=1&access_id=a&capture=later",
	} {
		if _, err := paybridge.Open(ctx, bad); err == nil {
			t.Errorf("%s was accepted", bad)
		} else if strings.Contains(err.Error(), "the-access-key") {
			t.Errorf("%s: error reveals the key", bad)
		}
	}
	t.Setenv(trustlyrest.EnvAccessID, "from-env")
	if _, err := paybridge.Open(ctx, "trustlyrest://sandbox?merchant_id=1"); err != nil {
		t.Errorf("accessId from the environment: %v", err)
	}
}
