package secret_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/secret"
)

const plain = "hunter2-very-secret"

// Leaks renders v in every way a program might print it and returns the renderings
// that contain needle. It is exported to other packages' tests through AssertNoLeak.
func leaks(v any, needle string) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%-20v", "%d"} {
		if s := fmt.Sprintf(verb, v); strings.Contains(s, needle) {
			out = append(out, verb+": "+s)
		}
	}
	if b, err := json.Marshal(v); err == nil && bytes.Contains(b, []byte(needle)) {
		out = append(out, "json: "+string(b))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("x", "v", v)
	slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("x", "v", v)
	if strings.Contains(buf.String(), needle) {
		out = append(out, "slog: "+buf.String())
	}
	return out
}

func TestValueNeverPrints(t *testing.T) {
	v := secret.New(plain)
	type cfg struct {
		User     string
		Password secret.Value
		Ptr      *secret.Value
	}
	for name, x := range map[string]any{
		"value":   v,
		"pointer": &v,
		"struct":  cfg{User: "u", Password: v, Ptr: &v},
		"structp": &cfg{User: "u", Password: v},
		"slice":   []secret.Value{v},
		"map":     map[string]secret.Value{"k": v},
	} {
		if l := leaks(x, plain); len(l) > 0 {
			t.Errorf("%s leaks the secret: %q", name, l)
		}
	}
	if got := v.Reveal(); got != plain {
		t.Fatalf("Reveal = %q", got)
	}
	if got := fmt.Sprint(v); got != secret.Redacted {
		t.Fatalf("Sprint = %q, want %q", got, secret.Redacted)
	}
	if fmt.Sprint(secret.Value{}) != "" {
		t.Fatal("empty value should print empty")
	}
}

func TestEqualAndBytes(t *testing.T) {
	a, b := secret.New("abc"), secret.FromBytes([]byte("abc"))
	if !a.Equal(b) || a.Equal(secret.New("abd")) || a.Equal(secret.New("ab")) {
		t.Fatal("Equal is wrong")
	}
	bs := a.Bytes()
	bs[0] = 'z'
	if a.Reveal() != "abc" {
		t.Fatal("Bytes must return a copy")
	}
	if !secret.New("").IsZero() || a.IsZero() {
		t.Fatal("IsZero is wrong")
	}
}

func TestFromEnvAndFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(path, []byte(plain+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PB_TEST_SECRET", "")
	t.Setenv("PB_TEST_SECRET_FILE", path)
	v, ok, err := secret.FromEnv("PB_TEST_SECRET")
	if err != nil || !ok || v.Reveal() != plain {
		t.Fatalf("FromEnv via _FILE = %v %v %v", v, ok, err)
	}
	t.Setenv("PB_TEST_SECRET", "direct")
	if v, ok, _ := secret.FromEnv("PB_TEST_SECRET"); !ok || v.Reveal() != "direct" {
		t.Fatal("direct variable should win over _FILE")
	}
	t.Setenv("PB_TEST_SECRET", "")
	t.Setenv("PB_TEST_SECRET_FILE", filepath.Join(dir, "missing"))
	_, _, err = secret.FromEnv("PB_TEST_SECRET")
	// One plain sentence: the variable, then the operating system's own error.
	if want := "reading PB_TEST_SECRET_FILE: open " + filepath.Join(dir, "missing") + ": no such file or directory"; err == nil || err.Error() != want {
		t.Fatalf("missing file error = %v, want %q", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file error %v does not match fs.ErrNotExist", err)
	}
	t.Setenv("PB_TEST_SECRET_FILE", "")
	if _, ok, err := secret.FromEnv("PB_TEST_SECRET"); ok || err != nil {
		t.Fatal("unset variable should report ok=false")
	}
}

func TestOpaque(t *testing.T) {
	o := secret.Describe("example.Client", "user", "alice", "base", "https://example.com")
	for verb, want := range map[string]string{
		"%v":  "example.Client{user: alice, base: https://example.com}",
		"%s":  "example.Client{user: alice, base: https://example.com}",
		"%x":  "example.Client{user: alice, base: https://example.com}",
		"%+v": "example.Client{user: alice, base: https://example.com}",
		"%#v": `example.Client{user:"alice", base:"https://example.com"}`,
		"%q":  `"example.Client{user: alice, base: https://example.com}"`,
	} {
		if got := fmt.Sprintf(verb, o); got != want {
			t.Errorf("%s: got %s, want %s", verb, got, want)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "c", o)
	if !strings.Contains(buf.String(), `"c":{"type":"example.Client","user":"alice","base":"https://example.com"}`) {
		t.Errorf("slog JSON: %s", buf.String())
	}
	if got := secret.Describe("example.Empty").String(); got != "example.Empty{}" {
		t.Errorf("no details: %s", got)
	}
}

// A type that embeds a Printed prints, logs and encodes as its description, by pointer or
// by value, and a nil pointer to it as <nil> or null; its fields never show.
func TestPrinted(t *testing.T) {
	type state struct{ password string }
	type client struct {
		*state
		secret.Printed
	}
	c := &client{&state{"PASSW0RD-Z"}, secret.PrintAs("example.Client", "user", `al"ice`, "base", "https://example.com/<x>")}
	want := `example.Client{user: al"ice, base: https://example.com/<x>}`
	for verb, w := range map[string]string{
		"%v": want, "%s": want, "%x": want, "%+v": want, "%d": want,
		"%#v": `example.Client{user:"al\"ice", base:"https://example.com/<x>"}`,
		"%q":  strconv.Quote(want),
	} {
		for _, v := range []any{c, *c} {
			if got := fmt.Sprintf(verb, v); got != w {
				t.Errorf("%s of %T: got %s, want %s", verb, v, got, w)
			}
		}
	}
	if got := c.String(); got != want {
		t.Errorf("String: %s", got)
	}
	var nilClient *client
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "c", c, "v", *c, "n", nilClient)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "c", c, "v", *c, "n", nilClient)
	if w := `c="` + strings.ReplaceAll(want, `"`, `\"`) + `" v="`; !strings.Contains(text.String(), w) || !strings.Contains(text.String(), "n=<nil>") {
		t.Errorf("slog text: %s", text.String())
	}
	wantJSON := `{"type":"example.Client","user":"al\"ice","base":"https://example.com/\u003cx\u003e"}`
	if !strings.Contains(js.String(), `"c":`+wantJSON+`,"v":`+wantJSON+`,"n":null`) {
		t.Errorf("slog JSON: %s", js.String())
	}
	b, err := json.Marshal(struct{ C *client }{c})
	if err != nil || string(b) != `{"C":`+wantJSON+`}` {
		t.Errorf("json.Marshal: %s %v", b, err)
	}
	if out := text.String() + js.String() + fmt.Sprintf("%v %+v %#v", c, *c, c); strings.Contains(out, "PASSW0RD") {
		t.Errorf("printed the state: %s", out)
	}
	if got := fmt.Sprint(secret.Printed{}); got != "{}" {
		t.Errorf("the zero Printed: %s", got)
	}
}
