package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"
)

// tokenTree is the token-stream parse parseTree replaced: the reference it must agree with.
func tokenTree(body []byte, maxDepth int) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tp := treeParser{dec: dec, maxDepth: maxDepth}
	v, err := tp.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return v, nil
}

var treeSeeds = []string{
	`{"method":"Deposit","params":{"Signature":"abc","UUID":"u","Data":{"Amount":"12.50","n":1.5e3,"ok":true,"none":null,"l":[1,"a",{}]}},"version":"1.1"}`,
	`{}`, `[]`, `[1,2,]`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":1}{"b":2}`, `{"a":1} x`, `{"a" 1}`, `{a:1}`,
	`{"a":"\u00e9\ud83d\ude00\n\/\\\""}`, `{"a":"\ud800"}`, `{"a":"\x"}`, `{"a":"tab	in"}`, `{"a":"`, `"\`,
	`{"a":1,"a":2}`, `{"a":{"b":{"c":{"d":{}}}}}`, `-`, `-0`, `01`, `1.`, `.5`, `1e`, `1e+`, `1E-7`, `-0.0e0`,
	`tru`, `true`, `nul`, `null `, ` {"k" : [ true , false , null ] } `, `[[[[[[[[[[[[]]]]]]]]]]]]`,
	`{"é":"ü","":""}`, `{"a":"\u0000"}`, "{\"a\":\"\x7f\"}", `{"a":12345678901234567890123}`,
}

func TestParseTreeSeeds(t *testing.T) {
	for _, s := range treeSeeds {
		compareTrees(t, []byte(s), 8)
	}
}

// FuzzParseTreeMatchesTokens: on any valid UTF-8 input the direct parse and the
// token-stream parse both fail, or both give the same tree.
func FuzzParseTreeMatchesTokens(f *testing.F) {
	for _, s := range treeSeeds {
		f.Add([]byte(s), 8)
	}
	f.Fuzz(func(t *testing.T, body []byte, depth int) {
		if !utf8.Valid(body) || depth < 1 || depth > 64 {
			return
		}
		compareTrees(t, body, depth)
	})
}

func compareTrees(t *testing.T, body []byte, depth int) {
	t.Helper()
	got, gerr := parseTree(body, depth)
	want, werr := tokenTree(body, depth)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("%q (depth %d): parseTree error %v, token parse error %v", body, depth, gerr, werr)
	}
	if gerr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: parseTree %#v, token parse %#v", body, got, want)
	}
}
