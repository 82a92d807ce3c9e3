package jsontree

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// member is one top-level member as the reference, encoding/json's token stream, reads it.
type member struct {
	name string
	raw  string
}

// referenceMembers reads body's top-level members with json.Decoder, or reports that body
// is not one valid JSON object. It also returns the deepest nesting it met.
func referenceMembers(body []byte) (ms []member, depth int, ok bool) {
	if !json.Valid(body) {
		return nil, 0, false
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil {
		return nil, 0, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, 0, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, 0, false
		}
		ms = append(ms, member{name: tok.(string), raw: string(raw)})
	}
	d, maxd := 0, 0
	// The nesting depth, from the raw text's brackets outside strings.
	inString, escaped := false, false
	for _, c := range body {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == '{' || c == '['):
			d++
			maxd = max(maxd, d)
		case !inString && (c == '}' || c == ']'):
			d--
		}
	}
	return ms, maxd, true
}

func kindOf(raw string) Kind {
	switch raw[0] {
	case '"':
		return String
	case '{':
		return Object
	case '[':
		return Array
	case 't', 'f':
		return Bool
	case 'n':
		return Null
	}
	return Number
}

// checkMembers holds Members to the reference on body.
func checkMembers(t *testing.T, body []byte) {
	t.Helper()
	var got []member
	var texts [][]byte
	var kinds []Kind
	src := string(body)
	ok := Members(body, func(name []byte, v Value) bool {
		if string(body[v.Start:v.Start+len(v.Raw)]) != string(v.Raw) {
			t.Fatalf("%q: Start %d does not locate %q", body, v.Start, v.Raw)
		}
		if v.Kind == String && v.In(src) != string(v.Text) {
			t.Fatalf("%q: In gives %q, Text is %q", body, v.In(src), v.Text)
		}
		got = append(got, member{name: string(name), raw: string(v.Raw)})
		texts = append(texts, bytes.Clone(v.Text))
		kinds = append(kinds, v.Kind)
		return true
	})
	want, depth, valid := referenceMembers(body)
	if ok && !valid {
		t.Fatalf("%q: Members accepted what encoding/json refuses as an object", body)
	}
	if !ok {
		// Falling back is always safe; it is required only for what Members declines.
		plain := !bytes.ContainsAny(body, `\`) && isASCII(body) && depth <= memberDepth
		if valid && plain {
			t.Fatalf("%q: Members declined a valid object with plain names", body)
		}
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d members, want %d", body, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%q: member %d is %+v, want %+v", body, i, got[i], want[i])
		}
		if k := kindOf(want[i].raw); kinds[i] != k {
			t.Fatalf("%q: member %d kind %d, want %d", body, i, kinds[i], k)
		}
		if kinds[i] == String {
			var s string
			if err := json.Unmarshal([]byte(want[i].raw), &s); err != nil {
				t.Fatal(err)
			}
			if string(texts[i]) != s {
				t.Fatalf("%q: member %d text %q, encoding/json reads %q", body, i, texts[i], s)
			}
		} else if texts[i] != nil {
			t.Fatalf("%q: member %d is not a string but has text %q", body, i, texts[i])
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

var memberSeeds = []string{
	`{"transactionId":"1002633191","url":"https://x/start/1","amount":"12.34","status":0,"createdAt":1449176555750}`,
	`{"id":"a","Status":"PENDING","amount":125.50,"n":null,"b":true,"f":false,"o":{"x":[1,{"y":"z"}]},"a":[]}`,
	` { } `, `{}`, `[]`, `"s"`, `1`, `null`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":1}{"b":2}`, `{"a":1} x`, `{"a" 1}`,
	`{a:1}`, `{"a":"\u00e9\ud83d\ude00\n\/\\\""}`, `{"a":"\ud800"}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`,
	"{\"a\":\"tab\tin\"}", `{"a":"`, `{"a\u0062":1}`, `{"é":1}`, "{\"a\":\"\xff\xfe\"}", "{\"a\":\"\xe2\x82\"}",
	`{"a":1,"a":2}`, `{"a":-0.0e+0}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`, `{"a":1e}`, `{"a":tru}`,
	`{"a":[1,2,]}`, `{"a":{"b":1,}}`, `{"a":{"b" 1}}`, `{"a":[` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `]}`,
	`{"a":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}`, `{"a":{"\u00e9":"\"}"}}`,
}

func TestMembersSeeds(t *testing.T) {
	for _, s := range memberSeeds {
		checkMembers(t, []byte(s))
	}
}

// FuzzMembersMatchesDecoder: whatever Members accepts is one valid JSON object whose
// members, their exact text and their decoded strings are those encoding/json reads; and
// it declines no valid object with plain names.
func FuzzMembersMatchesDecoder(f *testing.F) {
	for _, s := range memberSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkMembers(t, body)
	})
}

func TestNameIs(t *testing.T) {
	for _, c := range []struct {
		name, field string
		want        bool
	}{
		{"url", "url", true}, {"URL", "url", true}, {"Url", "uRl", true}, {"urls", "url", false}, {"ur", "url", false},
		{"u_l", "url", false}, {"[rl", "{rl", false}, {"@", "`", false}, {"transactionID", "transactionId", true},
	} {
		if got := NameIs([]byte(c.name), c.field); got != c.want {
			t.Errorf("NameIs(%q, %q) = %v", c.name, c.field, got)
		}
		// encoding/json agrees: a member named c.name fills a field tagged c.field.
		typ := reflect.StructOf([]reflect.StructField{{Name: "F", Type: reflect.TypeFor[int](), Tag: reflect.StructTag(`json:"` + c.field + `"`)}})
		v := reflect.New(typ)
		if err := json.Unmarshal([]byte(`{"`+c.name+`":1}`), v.Interface()); err != nil {
			t.Fatal(err)
		}
		if filled := v.Elem().Field(0).Int() == 1; filled != c.want {
			t.Errorf("encoding/json fills %q from %q: %v, NameIs says %v", c.field, c.name, filled, c.want)
		}
	}
}

// BenchmarkMembers measures a walk over a typical 200-byte answer beside json.Unmarshal
// into a struct of the same fields.
func BenchmarkMembers(b *testing.B) {
	body := []byte(memberSeeds[0])
	b.Run("members", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			Members(body, func(name []byte, v Value) bool { n += len(v.Text); return true })
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v struct {
				TransactionID string `json:"transactionId"`
				URL           string `json:"url"`
				Amount        string `json:"amount"`
				Status        int    `json:"status"`
				CreatedAt     int64  `json:"createdAt"`
			}
			_ = json.Unmarshal(body, &v)
		}
	})
}

// TestFillerAndDecode: a Filler takes each field once and strings plain or escaped; Decode
// falls back to encoding/json when the plain decode declines.
func TestFillerAndDecode(t *testing.T) {
	type answer struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	plain := func(a *answer, body []byte) bool {
		f := NewFiller(body)
		return Members(body, func(name []byte, v Value) bool {
			switch {
			case NameIs(name, "id"):
				return f.String(0, v, &a.ID)
			case NameIs(name, "name"):
				return f.String(1, v, &a.Name)
			}
			return true
		})
	}
	for body, want := range map[string]answer{
		`{"id":"a","name":"\u00e9x"}`: {"a", "éx"},
		`{"ID":"a","id":"b"}`:         {"b", ""}, // repeated: encoding/json takes the last
		`{"id":"a","name":null}`:      {"a", ""}, // null: left to encoding/json
	} {
		got, err := Decode([]byte(body), plain)
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", body, got, err, want)
		}
	}
	if _, err := Decode([]byte(`{"id":5}`), plain); err == nil {
		t.Error("a number for a string field decoded without error")
	}
	f := NewFiller(nil)
	if !f.First(63) || f.First(63) {
		t.Error("First did not report field 63 filled once")
	}
}
