package signing

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestDecodeForm(t *testing.T) {
	tests := []struct {
		raw  string
		want Form
	}{
		{"", nil},
		{"a=1", Form{{"a", "1"}}},
		{"b=2&a=1", Form{{"b", "2"}, {"a", "1"}}},
		{"a=&b", Form{{"a", ""}, {"b", ""}}},
		{"a=1&&b=2&", Form{{"a", "1"}, {"b", "2"}}},
		{"a=x=y", Form{{"a", "x=y"}}},
		{"m=Tom+%26+Jerry+%3D+friends", Form{{"m", "Tom & Jerry = friends"}}},
		{"p=1%2B1%3D2+x", Form{{"p", "1+1=2 x"}}},
		{"n=Jos%C3%A9&o=%c3%a9", Form{{"n", "José"}, {"o", "é"}}},
		{"k%2Ey=v", Form{{"k.y", "v"}}},
		{"raw=é", Form{{"raw", "é"}}},
	}
	for _, tt := range tests {
		got, err := DecodeForm(tt.raw)
		if err != nil {
			t.Errorf("DecodeForm(%q): %v", tt.raw, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("DecodeForm(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

func TestDecodeFormRejects(t *testing.T) {
	for _, raw := range []string{
		"a=%", "a=%4", "a=%4G", "a=%G4", "%zz=1", "a=100%", "a=%%41",
		"a=%FF", "a=%C3", "a=\xff", "\xc3=1", // invalid UTF-8 after decoding
		"=1", "a=1&=2", // empty name
		"a=1&a=2", "a=1&%61=2", "a&a", // repeated name, also after decoding
	} {
		if f, err := DecodeForm(raw); !errors.Is(err, ErrMalformedForm) {
			t.Errorf("DecodeForm(%q) = %v, %v; want ErrMalformedForm", raw, f, err)
		}
	}
}

func TestDecodeFormErrorQuotesLongNames(t *testing.T) {
	long := strings.Repeat("k", 500)
	_, err := DecodeForm(long + "=1&" + long + "=2")
	if !errors.Is(err, ErrMalformedForm) {
		t.Fatalf("err = %v", err)
	}
	if len(err.Error()) > 200 {
		t.Errorf("error message is %d bytes long; untrusted names must be cut", len(err.Error()))
	}
}

func TestEncodeForm(t *testing.T) {
	f := Form{{"merchantReference", "ref 1&2"}, {"splitToken", "AbC9/d+eFg=="}, {"timeZone", "Etc/UTC"}, {"name", "José"}}
	raw := EncodeForm(f)
	const want = "merchantReference=ref+1%262&splitToken=AbC9%2Fd%2BeFg%3D%3D&timeZone=Etc%2FUTC&name=Jos%C3%A9"
	if raw != want {
		t.Errorf("EncodeForm = %q, want %q", raw, want)
	}
	back, err := DecodeForm(raw)
	if err != nil || !slices.Equal(back, f) {
		t.Errorf("DecodeForm(EncodeForm(f)) = %v, %v; want %v", back, err, f)
	}
	if EncodeForm(nil) != "" {
		t.Error("EncodeForm(nil) is not empty")
	}
}

func TestFormAccessors(t *testing.T) {
	f := Form{{"a", "1"}, {"b", ""}, {"a", "2"}}
	if f.Get("a") != "1" {
		t.Errorf("Get returns %q, want the first value", f.Get("a"))
	}
	if v, ok := f.Lookup("b"); !ok || v != "" {
		t.Errorf("Lookup(b) = %q, %v", v, ok)
	}
	if v, ok := f.Lookup("c"); ok || v != "" {
		t.Errorf("Lookup(c) = %q, %v", v, ok)
	}
	if got, want := f.Values(), (url.Values{"a": {"1", "2"}, "b": {""}}); !mapsEqual(got, want) {
		t.Errorf("Values = %v, want %v", got, want)
	}
}

func TestDecodeFormLong(t *testing.T) {
	var f Form
	for i := range 200 {
		f = append(f, Pair{Key: "k" + strings.Repeat("x", i), Value: "v"})
	}
	raw := EncodeForm(f)
	got, err := DecodeForm(raw)
	if err != nil || !slices.Equal(got, f) {
		t.Fatalf("DecodeForm of 200 parameters: %v", err)
	}
	for _, dup := range []string{"k", "kxxxxx", "k" + strings.Repeat("x", 150)} {
		if _, err := DecodeForm(raw + "&" + dup + "=again"); !errors.Is(err, ErrMalformedForm) {
			t.Errorf("repeated %q after 200 parameters: err = %v", dup, err)
		}
	}
	if _, err := DecodeForm("k=1&" + raw[len("k=v&"):] + "&k=2"); !errors.Is(err, ErrMalformedForm) {
		t.Errorf("first key repeated last: err = %v", err)
	}
}
