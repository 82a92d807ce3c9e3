package jsontree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"
)

// tokenTree parses through json.Decoder's token stream: the reference Parse must agree
// with.
func tokenTree(body []byte, maxDepth int) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := tokenValue(dec, 0, maxDepth)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return v, nil
}

func tokenValue(dec *json.Decoder, depth, maxDepth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if d != '{' && d != '[' {
		return nil, fmt.Errorf("unexpected %q", rune(d))
	}
	if depth >= maxDepth {
		return nil, errors.New("too deep")
	}
	if d == '[' {
		arr := []any{}
		for dec.More() {
			e, err := tokenValue(dec, depth+1, maxDepth)
			if err != nil {
				return nil, err
			}
			arr = append(arr, e)
		}
		_, err := dec.Token()
		return arr, err
	}
	obj := map[string]any{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := kt.(string)
		if !ok {
			return nil, errors.New("member name is not a string")
		}
		if _, dup := obj[k]; dup {
			return nil, errors.New("duplicate member")
		}
		v, err := tokenValue(dec, depth+1, maxDepth)
		if err != nil {
			return nil, err
		}
		obj[k] = v
	}
	_, err = dec.Token()
	return obj, err
}

var treeSeeds = []string{
	`{"method":"Deposit","params":{"Signature":"abc","UUID":"u","Data":{"Amount":"12.50","n":1.5e3,"ok":true,"none":null,"l":[1,"a",{}]}},"version":"1.1"}`,
	`{}`, `[]`, `[1,2,]`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":1}{"b":2}`, `{"a":1} x`, `{"a" 1}`, `{a:1}`,
	`{"a":"\u00e9\ud83d\ude00\n\/\\\""}`, `{"a":"\ud800"}`, `{"a":"\x"}`, `{"a":"tab	in"}`, `{"a":"`, `"\`,
	`{"a":1,"a":2}`, `{"a":{"b":{"c":{"d":{}}}}}`, `-`, `-0`, `01`, `1.`, `.5`, `1e`, `1e+`, `1E-7`, `-0.0e0`,
	`tru`, `true`, `nul`, `null `, ` {"k" : [ true , false , null ] } `, `[[[[[[[[[[[[]]]]]]]]]]]]`,
	`{"é":"ü","":""}`, `{"a":"\u0000"}`, "{\"a\":\"\x7f\"}", `{"a":12345678901234567890123}`,
}

func TestParseSeeds(t *testing.T) {
	for _, s := range treeSeeds {
		compareTrees(t, []byte(s), 8)
	}
}

// FuzzParseMatchesTokens: on any valid UTF-8 input Parse and the token-stream
// parse both fail, or both give the same tree.
func FuzzParseMatchesTokens(f *testing.F) {
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
	got, gerr := Parse(body, depth)
	want, werr := tokenTree(body, depth)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("%q (depth %d): Parse error %v, token parse error %v", body, depth, gerr, werr)
	}
	if gerr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: Parse %#v, token parse %#v", body, got, want)
	}
}
