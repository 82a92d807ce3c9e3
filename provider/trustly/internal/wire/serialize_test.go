package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSerializeRules(t *testing.T) {
	type status string
	n := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		name string
		data any
		want string
	}{
		{"byte order puts upper case first", map[string]any{"IntegrationModule": "a", "IP": "b", "ip": "c"}, "IPbIntegrationModuleaipc"},
		{"non-ASCII keys sort by UTF-8 bytes", map[string]any{"å": "1", "z": "2", "Ö": "3"}, "z2Ö3å1"},
		{"null keeps its key", map[string]any{"Amount": "30.00", "Attributes": nil, "Currency": "EUR"}, "Amount30.00AttributesCurrencyEUR"},
		{"empty containers keep their key", map[string]any{"a": map[string]any{}, "b": []any{}}, "ab"},
		{"arrays keep order", []any{"b", "a", []any{n("9"), n("5"), n("10")}}, "ba9510"},
		{"number text is kept", map[string]any{"a": n("5.00000000000000000000"), "b": n("3298150342"), "c": n("-0"), "d": n("1E5")}, "a5.00000000000000000000b3298150342c-0d1E5"},
		{"strings are literal", map[string]any{"url": "https://x/?a=1&b=<2>", "q": `"quoted"\`}, `q"quoted"\urlhttps://x/?a=1&b=<2>`},
		{"scalar data", "abc", "abc"},
		{"null data", nil, ""},
		{"map[string]string", map[string]string{"b": "2", "a": "1"}, "a1b2"},
		{"slice of maps", []map[string]any{{"b": "1"}, {"a": "2"}}, "b1a2"},
		{"integers", map[string]any{"i": 42, "u": uint64(18446744073709551615), "n": int8(-3)}, "i42n-3u18446744073709551615"},
		{"named string types", map[status]status{"status": "OK"}, "statusOK"},
		{"pointers", map[string]any{"p": ptr("x"), "nil": (*string)(nil)}, "nilpx"},
		{"nested convenience types", map[string]any{"Attributes": map[string]string{"Locale": "sv_SE"}}, "AttributesLocalesv_SE"},
		{"typed nil map is null", map[string]any{"a": map[string]string(nil)}, "a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Serialize("M", "U", c.data)
			if err != nil {
				t.Fatalf("Serialize: %v", err)
			}
			if want := "MU" + c.want; string(got) != want {
				t.Fatalf("got %q, want %q", got, want)
			}
			// Normalize gives a canonical tree with the same serialization.
			tree, err := Normalize(c.data)
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if s, ok := refSerialize(tree); !ok || s != c.want {
				t.Fatalf("normalized tree serializes to %q (ok=%v)", s, ok)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestSerializeRejects(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	cases := []struct {
		name string
		data any
		path string
	}{
		{"boolean", map[string]any{"Attributes": map[string]any{"Flag": true}}, "data.Attributes.Flag"},
		{"boolean in array", map[string]any{"a": []any{"x", false}}, "data.a[1]"},
		{"float64", map[string]any{"Amount": 10.5}, "data.Amount"},
		{"float32", []any{float32(1)}, "data[0]"},
		{"named bool", map[string]any{"b": struct{ B bool }{}.B}, "data.b"},
		{"empty json.Number", map[string]any{"n": json.Number("")}, "data.n"},
		{"bad json.Number", map[string]any{"n": json.Number("01")}, "data.n"},
		{"non-number json.Number", map[string]any{"n": json.Number("abc")}, "data.n"},
		{"invalid UTF-8 value", map[string]any{"s": "a\xffb"}, "data.s"},
		{"invalid UTF-8 key", map[string]any{"k\xff": "v"}, "data.k\xff"},
		{"bytes", map[string]any{"b": []byte("x")}, "data.b"},
		{"struct", map[string]any{"s": struct{ A string }{"x"}}, "data.s"},
		{"int keys", map[int]string{1: "a"}, "data"},
		{"bool in map[string]bool", map[string]map[string]bool{"x": {"y": true}}, "data.x.y"},
		{"cycle", cyclic, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Serialize("M", "U", c.data)
			if !errors.Is(err, ErrUnserializable) {
				t.Fatalf("Serialize err = %v, want ErrUnserializable", err)
			}
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("err %T is not a *ValueError", err)
			}
			if c.path != "" && ve.Path != c.path {
				t.Fatalf("path %q, want %q (%v)", ve.Path, c.path, err)
			}
			if _, err := Normalize(c.data); !errors.Is(err, ErrUnserializable) {
				t.Fatalf("Normalize err = %v, want ErrUnserializable", err)
			}
			if _, err := Sign(nil, "M", "U", c.data); err == nil {
				t.Fatalf("Sign accepted it")
			}
		})
	}
}

func TestBooleanFailsVerificationClosed(t *testing.T) {
	_, pub := testKeys(t)
	data := decodeJSON(t, []byte(`{"orderid":"1","verified":true}`))
	err := Verify(pub, "account", "u", data, base64.StdEncoding.EncodeToString(make([]byte, pub.Size())))
	if !errors.Is(err, ErrBadSignature) || !errors.Is(err, ErrUnserializable) {
		t.Fatalf("Verify err = %v, want ErrBadSignature and ErrUnserializable", err)
	}
	if !strings.Contains(err.Error(), "data.verified") || !strings.Contains(err.Error(), "boolean") {
		t.Fatalf("error does not name the boolean: %v", err)
	}
}

func TestWritePlaintextStreams(t *testing.T) {
	long := strings.Repeat("x", 3*flushThreshold+7)
	data := map[string]any{"a": long, "b": []any{"c", long, json.Number("12")}}
	for i := range 500 {
		data[strings.Repeat("k", i%40)+string(rune('a'+i%26))+long[:i]] = "v"
	}
	want, err := Serialize("Method", "uuid", data)
	if err != nil {
		t.Fatal(err)
	}
	var w chunkRecorder
	if err := WritePlaintext(&w, "Method", "uuid", data); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.buf.Bytes(), want) {
		t.Fatalf("streamed plaintext differs from Serialize")
	}
	if w.writes < 2 {
		t.Fatalf("expected several writes, got %d", w.writes)
	}
}

type chunkRecorder struct {
	buf    bytes.Buffer
	writes int
}

func (c *chunkRecorder) Write(p []byte) (int, error) {
	c.writes++
	return c.buf.Write(p)
}

func TestAppendPlaintextRestoresOnError(t *testing.T) {
	dst := []byte("keep")
	out, err := AppendPlaintext(dst, "M", "U", map[string]any{"a": "x", "b": true})
	if err == nil || string(out) != "keep" {
		t.Fatalf("AppendPlaintext = %q, %v", out, err)
	}
	out, err = AppendPlaintext(dst, "M", "U", map[string]any{"a": "x"})
	if err != nil || string(out) != "keepMUax" {
		t.Fatalf("AppendPlaintext = %q, %v", out, err)
	}
}

func TestNormalizeCopies(t *testing.T) {
	in := map[string]any{"a": map[string]any{"b": "c"}, "l": []any{"x"}}
	out, err := Normalize(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("Normalize changed a canonical tree: %v", out)
	}
	out.(map[string]any)["a"].(map[string]any)["b"] = "changed"
	out.(map[string]any)["l"].([]any)[0] = "changed"
	if in["a"].(map[string]any)["b"] != "c" || in["l"].([]any)[0] != "x" {
		t.Fatalf("Normalize shares containers with its input")
	}
}

func TestIsJSONNumber(t *testing.T) {
	good := []string{"0", "-0", "1", "10", "1.5", "-1.50", "1e5", "1E+5", "1e-05", "0.0", "123456789012345678901234567890"}
	bad := []string{"", "-", "01", "+1", "1.", ".5", "1e", "1e+", "0x10", "1_000", " 1", "1 ", "NaN", "Infinity", "--1", "1.2.3"}
	for _, s := range good {
		if !isJSONNumber(s) {
			t.Errorf("isJSONNumber(%q) = false", s)
		}
		if !json.Valid([]byte(s)) {
			t.Errorf("test bug: %q is not valid JSON", s)
		}
	}
	for _, s := range bad {
		if isJSONNumber(s) {
			t.Errorf("isJSONNumber(%q) = true", s)
		}
	}
}

func TestSignVerify(t *testing.T) {
	priv, pub := testKeys(t)
	data := map[string]any{"Amount": "10.00", "Attributes": nil}
	sig, err := Sign(priv, "Refund", "u-1", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(pub, "Refund", "u-1", data, sig); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// A missing null member changes the plaintext: verification is on the raw tree.
	if err := Verify(pub, "Refund", "u-1", map[string]any{"Amount": "10.00"}, sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("dropped null member: %v", err)
	}
	for _, bad := range []string{"", "!!!", sig[:len(sig)-4], sig + "AAAA", strings.TrimRight(sig, "=")} {
		if err := Verify(pub, "Refund", "u-1", data, bad); !errors.Is(err, ErrBadSignature) {
			t.Errorf("signature %q: err = %v, want ErrBadSignature", bad, err)
		}
	}
	if err := Verify(TrustlyTestPublicKey(), "Refund", "u-1", data, sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong key: err = %v", err)
	}
	if err := Verify(nil, "Refund", "u-1", data, sig); err == nil {
		t.Fatal("nil key accepted")
	}
	if _, err := Sign(nil, "Refund", "u-1", data); err == nil {
		t.Fatal("nil signing key accepted")
	}
}
