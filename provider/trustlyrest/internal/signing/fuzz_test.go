package signing

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
)

func FuzzCanonical(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.RequestSignatureCases {
		b, err := json.Marshal(c["establishData"])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{}`, `null`, `{"amount":1.5}`, `{"customer":"x"}`, `{"customer.name":"a","customer":{"name":"b"}}`,
		`{"customer":{"name":{"first":"a"}}}`, `{"recurrence":{"frequency":-0,"startDate":12}}`,
		`{"a.b":{"c":1},"accessId":"\u00e9"}`, `{"account":{"type":1e2}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) != nil {
			return
		}
		c1, err1 := Canonical(m)
		c2, err2 := Canonical(m)
		if c1 != c2 || errText(err1) != errText(err2) {
			t.Fatalf("not deterministic: %q/%v vs %q/%v", c1, err1, c2, err2)
		}
		if err1 != nil && !errors.Is(err1, ErrInvalidEstablishData) {
			t.Fatalf("unexpected error type: %v", err1)
		}
		// The same object written with its keys in the opposite order.
		var rev bytes.Buffer
		writeReversed(&rev, m)
		dec = json.NewDecoder(&rev)
		dec.UseNumber()
		var m2 map[string]any
		if err := dec.Decode(&m2); err != nil {
			t.Fatalf("re-decoding %q: %v", rev.String(), err)
		}
		c3, err3 := Canonical(m2)
		if c3 != c1 || errText(err3) != errText(err1) {
			t.Fatalf("key order changed the result: %q/%v vs %q/%v", c1, err1, c3, err3)
		}
		if err1 != nil {
			return
		}
		if c1 != "" && !slices.ContainsFunc(signedKeys[:], func(k string) bool { return strings.HasPrefix(c1, k+"=") }) {
			t.Fatalf("canonical string %q does not start with a signed key", c1)
		}
		if !hasDottedKey(m) {
			if want, ok := referenceCanonical(m); ok && want != c1 {
				t.Fatalf("Canonical = %q, reference walk gives %q", c1, want)
			}
		}
		sig, err := RequestSignature([]byte("k"), m, HMACSHA1)
		if err != nil || sig != refMAC(HMACSHA1, "k", c1) {
			t.Fatalf("RequestSignature = %q, %v", sig, err)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// writeReversed writes v as JSON with object keys in reverse sorted order.
func writeReversed(w *bytes.Buffer, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(keys)))
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			w.Write(kb)
			w.WriteByte(':')
			writeReversed(w, x[k])
		}
		w.WriteByte('}')
	case []any:
		w.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.WriteByte(',')
			}
			writeReversed(w, e)
		}
		w.WriteByte(']')
	default:
		b, _ := json.Marshal(x)
		w.Write(b)
	}
}

func hasDottedKey(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.Contains(k, ".") || hasDottedKey(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasDottedKey(e) {
				return true
			}
		}
	}
	return false
}

// referenceCanonical walks each signed path through nested objects, as the official sample
// does, and reports ok=false where it has no answer (a value Canonical must reject).
func referenceCanonical(m map[string]any) (string, bool) {
	var parts []string
	for _, k := range signedKeys {
		var cur any = m
		for _, p := range strings.Split(k, ".") {
			mm, isMap := cur.(map[string]any)
			if !isMap {
				cur = nil
				break
			}
			cur = mm[p]
		}
		switch x := cur.(type) {
		case nil:
		case string:
			if x != "" {
				parts = append(parts, k+"="+x)
			}
		case bool:
			if x {
				parts = append(parts, k+"=true")
			}
		case json.Number:
			if strings.ContainsAny(string(x), ".eE") {
				return "", false
			}
			if x != "0" && x != "-0" {
				parts = append(parts, k+"="+string(x))
			}
		default:
			return "", false
		}
	}
	return strings.Join(parts, "&"), true
}

func FuzzVerifyNotification(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.NotificationCases {
		f.Add([]byte(c["rawBody"].(string)), c["authorizationHeader"].(string), uint16(7))
	}
	f.Add([]byte("a=%"), "Basic", uint16(0))
	f.Add([]byte("a=1&a=2"), "", uint16(1))
	key := []byte(testKey)
	f.Fuzz(func(t *testing.T, body []byte, header string, pos uint16) {
		// Arbitrary header: accepted only with the right HMAC and accessId.
		if form, err := VerifyNotification(testID, key, header, body); err == nil {
			requireAuthentic(t, header, body)
			want, err := DecodeForm(string(body))
			if err != nil || !slices.Equal(form, want) {
				t.Fatalf("returned parameters %v, DecodeForm gives %v, %v", form, want, err)
			}
		} else {
			assertNoSecret(t, err, testKey)
		}

		// The right header for this body: accepted unless the body is malformed.
		for _, alg := range []Algorithm{HMACSHA1, HMACSHA512} {
			h, err := SignNotification(testID, key, body, alg)
			if err != nil {
				if !errors.Is(err, ErrMalformedBody) {
					t.Fatalf("SignNotification: %v", err)
				}
				continue
			}
			if _, err := VerifyNotification(testID, key, h, body); err != nil && !errors.Is(err, ErrMalformedBody) {
				t.Fatalf("right header rejected: %v", err)
			}
			// One byte changed: accepted only if the decoded body is the same.
			bad := slices.Clone(body)
			i := int(pos) % len(bad)
			bad[i] ^= byte(pos>>8) | 1
			if _, err := VerifyNotification(testID, key, h, bad); err == nil {
				d1, _ := url.QueryUnescape(string(body))
				d2, _ := url.QueryUnescape(string(bad))
				if d1 != d2 {
					t.Fatalf("changed body %q accepted with the header of %q", bad, body)
				}
			}
			if _, err := VerifyNotification(testID+"x", key, h, body); err == nil {
				t.Fatal("accepted for another accessId")
			}
		}
	})
}

// requireAuthentic fails unless header carries testID and a correct signature of body,
// checked with net/url and an independent HMAC.
func requireAuthentic(t *testing.T, header string, body []byte) {
	t.Helper()
	decoded, err := url.QueryUnescape(string(body))
	if err != nil {
		t.Fatalf("accepted a body net/url cannot decode: %q", body)
	}
	_, cred, _ := strings.Cut(strings.TrimSpace(header), " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimLeft(cred, " "))
	if err != nil {
		t.Fatalf("accepted header %q: %v", header, err)
	}
	id, sig, _ := strings.Cut(string(raw), ":")
	if id != testID {
		t.Fatalf("accepted accessId %q", id)
	}
	ok := sig == refMAC(HMACSHA1, testKey, decoded) ||
		sig == sha1Prefix+refMAC(HMACSHA1, testKey, decoded) ||
		sig == SHA512Prefix+refMAC(HMACSHA512, testKey, decoded)
	if !ok {
		t.Fatalf("accepted a wrong signature for %q", body)
	}
}

func FuzzDecodeForm(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.NotificationCases {
		f.Add(c["rawBody"].(string))
	}
	for _, c := range v.RedirectCases {
		f.Add(c["url"].(string))
	}
	for _, s := range []string{"", "&", "a", "=", "a=1&&b", "%", "%zz", "a=%C3%A9+b", "a=1&a=1", "\xff=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := DecodeForm(raw)
		if err != nil {
			if !errors.Is(err, ErrMalformedForm) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		// Independent decoding of every non-empty parameter with net/url.
		var want Form
		for seg := range strings.SplitSeq(raw, "&") {
			if seg == "" {
				continue
			}
			rk, rv, _ := strings.Cut(seg, "=")
			k, err1 := url.QueryUnescape(rk)
			v, err2 := url.QueryUnescape(rv)
			if err1 != nil || err2 != nil {
				t.Fatalf("accepted %q, which net/url rejects", raw)
			}
			want = append(want, Pair{k, v})
		}
		if !slices.Equal(form, want) {
			t.Fatalf("DecodeForm(%q) = %v, net/url gives %v", raw, form, want)
		}
		seen := map[string]bool{}
		for _, p := range form {
			if p.Key == "" || seen[p.Key] {
				t.Fatalf("empty or repeated key %q accepted", p.Key)
			}
			seen[p.Key] = true
		}
		back, err := DecodeForm(EncodeForm(form))
		if err != nil || !slices.Equal(back, form) {
			t.Fatalf("round trip of %v: %v, %v", form, back, err)
		}
	})
}
