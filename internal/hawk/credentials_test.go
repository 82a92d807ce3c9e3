package hawk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// renderings prints v in the ways a program might and returns those containing needle.
func renderings(v any, needle string) []string {
	var leaks []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-20v"} {
		if s := fmt.Sprintf(verb, v); strings.Contains(s, needle) {
			leaks = append(leaks, verb+": "+s)
		}
	}
	if s := fmt.Sprint(v); strings.Contains(s, needle) {
		leaks = append(leaks, "Sprint: "+s)
	}
	if b, err := json.Marshal(v); err != nil || bytes.Contains(b, []byte(needle)) {
		leaks = append(leaks, fmt.Sprintf("json: %s %v", b, err))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", v)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", v)
	if strings.Contains(buf.String(), needle) {
		leaks = append(leaks, "slog: "+buf.String())
	}
	return leaks
}

func TestKeyRedaction(t *testing.T) {
	const plain = "sk_live_very-secret-key"
	cred := Credentials{ID: "public-id", Key: Key(plain)}
	for name, v := range map[string]any{
		"key":             cred.Key,
		"credentials":     cred,
		"credentials ptr": &cred,
		"in a struct":     struct{ C Credentials }{cred},
		"result":          Result{Credentials: cred},
		"in a slice":      []Credentials{cred},
		"in an any slice": []any{cred.Key},
	} {
		if leaks := renderings(v, plain); len(leaks) > 0 {
			t.Errorf("%s leaks the key:\n%s", name, strings.Join(leaks, "\n"))
		}
		// The hex form of the key must not appear either.
		if leaks := renderings(v, fmt.Sprintf("%x", []byte(plain))); len(leaks) > 0 {
			t.Errorf("%s leaks the key in hex:\n%s", name, strings.Join(leaks, "\n"))
		}
	}
	if s := fmt.Sprint(cred); !strings.Contains(s, "public-id") || !strings.Contains(s, Redacted) {
		t.Errorf("credentials print as %q; want the id and %s", s, Redacted)
	}
	if s := fmt.Sprintf("%#v", cred); s != `hawk.Credentials{ID:"public-id", Key:hawk.Key([redacted])}` {
		t.Errorf("%%#v = %s", s)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "cred", cred)
	if !strings.Contains(buf.String(), `"cred":{"id":"public-id","key":"[redacted]"}`) {
		t.Errorf("slog output %s", buf.String())
	}
	// The key is still usable as bytes.
	if string([]byte(cred.Key)) != plain || MAC(cred.Key, TypeHeader, Artifacts{}) != MAC([]byte(plain), TypeHeader, Artifacts{}) {
		t.Error("key bytes changed")
	}
}

// TestPreparedCredentials: Prepared copies the key, and its pooled states give the same
// MACs as a fresh key set-up under concurrent use.
func TestPreparedCredentials(t *testing.T) {
	key := Key("werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn")
	plain := Credentials{ID: "dh37fgj492je", Key: key}
	prepared := plain.Prepared()
	opts := RequestOptions{Timestamp: 1353832234, Nonce: "j4h3g2", ContentType: "text/plain", Payload: []byte("body"), HasPayload: true}
	want, _, err := RequestHeader(plain, "POST", "https://example.com:8000/resource/1?b=1&a=2", opts)
	if err != nil {
		t.Fatal(err)
	}
	key[0] ^= 1 // a change to the caller's key after Prepared does not reach it
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, _, err := RequestHeader(prepared, "POST", "https://example.com:8000/resource/1?b=1&a=2", opts)
				if err != nil || got != want {
					t.Errorf("prepared: %s, %v; want %s", got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if s := fmt.Sprintf("%v %+v %#v", prepared, prepared, prepared); strings.Contains(s, "werx") || strings.Contains(s, "verx") {
		t.Errorf("prepared credentials print their key: %s", s)
	}
}
