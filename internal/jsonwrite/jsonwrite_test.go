package jsonwrite

import (
	"encoding/json"
	"testing"
)

var stringSeeds = []string{
	"", "plain", `quote " and \ backslash`, "<tag> & amp", "\b\f\n\r\t\x00\x01\x1f\x7f", "é ü ß 日本 😀",
	"\u2028\u2029", "\xff", "\xe2\x82", "a\xc3(b", "\xed\xa0\x80", "https://shop.example/return?a=1&b=2",
}

// FuzzAppendStringMatchesMarshal: AppendString writes every string as json.Marshal does.
func FuzzAppendStringMatchesMarshal(f *testing.F) {
	for _, s := range stringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: AppendString wrote %s, json.Marshal %s", s, got, want)
		}
	})
}

type inner struct {
	C string `json:"c"`
	D string `json:"d,omitempty"`
}

type outer struct {
	A   string          `json:"a"`
	B   string          `json:"b,omitempty"`
	In  *inner          `json:"in,omitempty"`
	Raw json.RawMessage `json:"raw"`
	E   string          `json:"e"`
}

func TestObjectMatchesMarshal(t *testing.T) {
	for _, v := range []outer{
		{Raw: json.RawMessage(`1`)},
		{A: "a<", B: "b", In: &inner{C: "c"}, Raw: json.RawMessage(`{"x":[1,2]}`), E: "\u2028"},
		{In: &inner{D: "d"}, Raw: json.RawMessage(`null`)},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		o := NewObject([]byte("prefix:"))
		o.String("a", v.A)
		o.StringOmitEmpty("b", v.B)
		if v.In != nil {
			o.Begin("in")
			o.String("c", v.In.C)
			o.StringOmitEmpty("d", v.In.D)
			o.End()
		}
		o.Raw("raw", v.Raw)
		o.String("e", v.E)
		if got := o.Bytes(); string(got) != "prefix:"+string(want) {
			t.Errorf("wrote %s, json.Marshal %s", got, want)
		}
	}
	empty := NewObject(nil)
	if got := string(empty.Bytes()); got != "{}" {
		t.Errorf("an empty object is %s", got)
	}
	o := NewObject(nil)
	o.Begin("x")
	o.String("y", "z")
	if got := string(o.Bytes()); got != `{"x":{"y":"z"}}` {
		t.Errorf("Bytes left a nested object open: %s", got)
	}
}

func BenchmarkAppendString(b *testing.B) {
	s := "https://shop.example.com/checkout/return?order=000123"
	b.ReportAllocs()
	buf := make([]byte, 0, 128)
	for b.Loop() {
		buf = AppendString(buf[:0], s)
	}
}
