package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// FuzzStreamArray checks the streaming decoder against DecodeResponse on bodies whose
// result.data is the fuzzed text, written verbatim and signed as encoding/json reads it.
// mode picks the member order of result and whether the body arrives one byte at a time.
func FuzzStreamArray(f *testing.F) {
	for name, c := range streamCases {
		if len(c) < 1000 {
			f.Add([]byte(c), uint8(len(name)))
		}
	}
	f.Add([]byte(`[{"a":true}]`), uint8(1))
	f.Add([]byte(`[{"a":"1","a":"2"}]`), uint8(2))
	f.Add([]byte(`[{"a":"\ud800"},"\u00e5"]`), uint8(7))
	f.Add([]byte(`[], "extra": 1`), uint8(3))
	f.Add([]byte(`{"a":"b"}`), uint8(5))
	priv, pub := testKeys(f)
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var tree any
		sig := "AAAA"
		if dec.Decode(&tree) == nil {
			if s, err := Sign(priv, ledgerMethod, testUUID, tree); err == nil {
				sig = s
			}
		}
		body := buildBody(ledgerMethod, testUUID, sig, data, orders[mode%4])
		res, derr := DecodeResponse(body, pub, ledgerMethod, testUUID)
		var r io.Reader = bytes.NewReader(body)
		if mode&4 != 0 {
			r = iotest.OneByteReader(r)
		}
		var want []any
		if derr == nil {
			want, _ = res.Data.([]any)
		}
		got, serr := streamArray(r, pub, want)
		switch {
		case derr == nil && want != nil:
			if serr != nil {
				t.Fatalf("DecodeResponse accepts %q, the stream fails: %v", body, serr)
			}
			if !reflect.DeepEqual(got, scalars(want)) {
				t.Fatalf("elements differ for %q:\n got %v\nwant %v", body, got, scalars(want))
			}
		case serr == nil:
			t.Fatalf("the stream accepts %q, DecodeResponse: %v", body, derr)
		}
	})
}

// FuzzStreamString checks the streamed text of a string member against encoding/json's
// reading of the same JSON string, which the signature covers.
func FuzzStreamString(f *testing.F) {
	for _, s := range []string{`plain`, `a\/b\u00e5\ud83d\ude00`, `\ud800\udc00\udbff\udfff`, `\ud800x\udc00`,
		`\u0000\b\f\n\r\t\"\\`, "åäö😀", `\u12`, `\x`, "a\x01", `","a":"b`} {
		f.Add([]byte(s), false)
	}
	priv, pub := testKeys(f)
	f.Fuzz(func(t *testing.T, content []byte, oneByte bool) {
		var want string
		sig := "AAAA"
		// Bodies must be valid UTF-8 (encoding/json would replace bad bytes instead).
		valid := utf8.Valid(content) && json.Unmarshal(append(append([]byte(`"`), content...), '"'), &want) == nil
		if valid {
			s, err := Sign(priv, "ViewAutomaticSettlementDetailsCSV", testUUID, map[string]any{csvMember: want})
			if err != nil {
				t.Fatal(err)
			}
			sig = s
		}
		data := append(append([]byte(`{"`+csvMember+`":"`), content...), `"}`...)
		body := buildBody("ViewAutomaticSettlementDetailsCSV", testUUID, sig, data, orders[2])
		var r io.Reader = bytes.NewReader(body)
		if oneByte {
			r = iotest.OneByteReader(r)
		}
		var got bytes.Buffer
		err := StreamStringResult(r, pub, "ViewAutomaticSettlementDetailsCSV", testUUID, csvMember, &got)
		switch {
		case valid && err != nil:
			t.Fatalf("%q: %v", content, err)
		case valid && got.String() != want:
			t.Fatalf("%q: streamed %q, encoding/json reads %q", content, got.String(), want)
		case !valid && err == nil:
			t.Fatalf("%q: accepted text that encoding/json rejects", content)
		}
	})
}
