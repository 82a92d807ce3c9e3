package wire

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/testvectors"
)

const vectorFileName = "trustly-jsonrpc.json"

// vectorFile mirrors the layout of the trustly-jsonrpc.json vector file.
type vectorFile struct {
	Keys               map[string]string `json:"keys"`
	SerializationCases []struct {
		Name     string `json:"name"`
		Input    any    `json:"input"`
		Expected string `json:"expected"`
	} `json:"serialization_cases"`
	SignatureCases []signatureCase `json:"signature_cases"`
}

type signatureCase struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Method    string `json:"method"`
	UUID      string `json:"uuid"`
	Data      any    `json:"data"`
	Plaintext string `json:"plaintext"`
	Signature string `json:"signature"`
	VerifyKey string `json:"verify_key"`
	SignKey   string `json:"sign_key"`
}

func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	var v vectorFile
	testvectors.Load(t, vectorFileName, &v)
	if len(v.SignatureCases) == 0 || len(v.SerializationCases) == 0 || len(v.Keys) == 0 {
		t.Fatalf("%s: no cases or keys found", vectorFileName)
	}
	return &v
}

func (v *vectorFile) publicKey(t testing.TB, name string) *rsa.PublicKey {
	t.Helper()
	p, ok := v.Keys[name]
	if !ok {
		t.Fatalf("key %q is not in the vector file's keys", name)
	}
	k, err := ParsePublicKey([]byte(p))
	if err != nil {
		t.Fatalf("key %q: %v", name, err)
	}
	return k
}

func (v *vectorFile) privateKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	p, ok := v.Keys[name]
	if !ok {
		t.Fatalf("key %q is not in the vector file's keys", name)
	}
	k, err := ParsePrivateKey([]byte(p))
	if err != nil {
		t.Fatalf("key %q: %v", name, err)
	}
	return k
}

// testKeys returns the signature-tester key pair from the vector file. It stands in for
// both the merchant's and Trustly's key in envelope tests.
func testKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PublicKey) {
	t.Helper()
	v := loadVectors(t)
	return v.privateKey(t, "signaturetester_merchant_private"), v.publicKey(t, "signaturetester_merchant_public")
}

// decodeJSON decodes b the way received bodies are decoded (numbers as json.Number).
func decodeJSON(t testing.TB, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return v
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

// refSerialize is a deliberately naive second implementation of S, used to cross-check
// Serialize. ok is false when the tree holds a value without a serialization.
func refSerialize(v any) (string, bool) {
	var b strings.Builder
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case nil:
		case string:
			b.WriteString(x)
		case json.Number:
			b.WriteString(x.String())
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				b.WriteString(k)
				if !walk(x[k]) {
					return false
				}
			}
		case []any:
			for _, e := range x {
				if !walk(e) {
					return false
				}
			}
		default:
			return false
		}
		return true
	}
	ok := walk(v)
	return b.String(), ok
}

// refVerify checks a signature without using the package's own code paths.
func refVerify(pub *rsa.PublicKey, method, uuid string, data any, signature string) bool {
	s, ok := refSerialize(data)
	if !ok {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	d := sha1.Sum([]byte(method + uuid + s))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA1, d[:], sig) == nil
}

// shuffledJSON writes v as JSON with object members in a random order.
func shuffledJSON(v any, r *rand.Rand) []byte {
	var b bytes.Buffer
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteByte(',')
				}
				kb, _ := json.Marshal(k)
				b.Write(kb)
				b.WriteByte(':')
				walk(x[k])
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, e := range x {
				if i > 0 {
					b.WriteByte(',')
				}
				walk(e)
			}
			b.WriteByte(']')
		default:
			eb, _ := json.Marshal(x)
			b.Write(eb)
		}
	}
	walk(v)
	return b.Bytes()
}

// containsBool reports whether a raw tree holds a boolean anywhere.
func containsBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return true
	case map[string]any:
		for _, e := range x {
			if containsBool(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if containsBool(e) {
				return true
			}
		}
	}
	return false
}

// tamper returns a deep copy of v in which one character of the first non-empty string or
// number (in serialization order) is changed, and whether such a value was found.
func tamper(t testing.TB, v any) (any, bool) {
	t.Helper()
	c, err := Normalize(v)
	if err != nil {
		t.Fatalf("copying data: %v", err)
	}
	done := false
	var walk func(any) any
	walk = func(v any) any {
		if done {
			return v
		}
		switch x := v.(type) {
		case string:
			if x != "" {
				done = true
				return changeLast(x)
			}
		case json.Number:
			done = true
			s := string(x)
			last := s[len(s)-1]
			repl := byte('1')
			if last == '1' {
				repl = '2'
			}
			return json.Number(s[:len(s)-1] + string(repl))
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				x[k] = walk(x[k])
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		}
		return v
	}
	out := walk(c)
	return out, done
}

// changeLast replaces the last character of a non-empty string with a different one.
func changeLast(s string) string {
	r := []rune(s)
	if r[len(r)-1] == 'X' {
		r[len(r)-1] = 'Y'
	} else {
		r[len(r)-1] = 'X'
	}
	return string(r)
}
