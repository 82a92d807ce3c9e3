package hawk

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name string
		h    string
		kind HeaderKind
		want map[string]string
		err  error
	}{
		{name: "request", kind: Authorization,
			h:    `Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", ext="some-app-ext-data", mac="6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="`,
			want: map[string]string{"id": "dh37fgj492je", "ts": "1353832234", "nonce": "j4h3g2", "ext": "some-app-ext-data", "mac": "6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="}},
		{name: "scheme case and spacing", kind: Authorization, h: "hAWK \tid=\"a\" ,\tts=\"1\"  ",
			want: map[string]string{"id": "a", "ts": "1"}},
		{name: "no space after comma", kind: Authorization, h: `Hawk id="a",ts="1"`, want: map[string]string{"id": "a", "ts": "1"}},
		{name: "value with punctuation", kind: Authorization, h: `Hawk ext="a, b=c; d@e [f] {g} ~!#$%&'()*+-./:<>?^_|` + "`" + `"`,
			want: map[string]string{"ext": "a, b=c; d@e [f] {g} ~!#$%&'()*+-./:<>?^_|`"}},
		{name: "stale reply", kind: WWWAuthenticate, h: `Hawk ts="1353832234", tsm="bs0ZnoWOd1E0NvVEbqEFyP6ok3QSdrMSeKxHpigVTxs=", error="Stale timestamp"`,
			want: map[string]string{"ts": "1353832234", "tsm": "bs0ZnoWOd1E0NvVEbqEFyP6ok3QSdrMSeKxHpigVTxs=", "error": "Stale timestamp"}},
		{name: "server authorization", kind: ServerAuthorization, h: `Hawk mac="m", hash="h", ext="e"`,
			want: map[string]string{"mac": "m", "hash": "h", "ext": "e"}},

		{name: "empty", kind: Authorization, h: "", err: ErrNotHawk},
		{name: "other scheme", kind: Authorization, h: `Basic dXNlcjpwYXNz`, err: ErrNotHawk},
		{name: "scheme prefix", kind: Authorization, h: `Hawkish id="a"`, err: ErrNotHawk},
		{name: "scheme only", kind: Authorization, h: "Hawk", err: ErrInvalidHeader},
		{name: "scheme and space", kind: Authorization, h: "Hawk  ", err: ErrInvalidHeader},
		{name: "leading space", kind: Authorization, h: ` Hawk id="a"`, err: ErrInvalidHeader},
		{name: "no separator after scheme", kind: Authorization, h: `Hawk,id="a"`, err: ErrInvalidHeader},
		{name: "unknown attribute", kind: Authorization, h: `Hawk id="a", realm="x"`, err: ErrInvalidHeader},
		{name: "name case", kind: Authorization, h: `Hawk ID="a"`, err: ErrInvalidHeader},
		{name: "wrong kind", kind: WWWAuthenticate, h: `Hawk id="a"`, err: ErrInvalidHeader},
		{name: "tsm in request", kind: Authorization, h: `Hawk tsm="a"`, err: ErrInvalidHeader},
		{name: "duplicate", kind: Authorization, h: `Hawk id="a", id="a"`, err: ErrInvalidHeader},
		{name: "empty value", kind: Authorization, h: `Hawk id=""`, err: ErrInvalidHeader},
		{name: "escaped quote", kind: Authorization, h: `Hawk ext="a\"b"`, err: ErrInvalidHeader},
		{name: "backslash", kind: Authorization, h: `Hawk ext="a\\b"`, err: ErrInvalidHeader},
		{name: "non-ASCII", kind: Authorization, h: `Hawk ext="é"`, err: ErrInvalidHeader},
		{name: "control char", kind: Authorization, h: "Hawk ext=\"a\tb\"", err: ErrInvalidHeader},
		{name: "unterminated", kind: Authorization, h: `Hawk id="a`, err: ErrInvalidHeader},
		{name: "unquoted", kind: Authorization, h: `Hawk id=a`, err: ErrInvalidHeader},
		{name: "space before equals", kind: Authorization, h: `Hawk id ="a"`, err: ErrInvalidHeader},
		{name: "missing comma", kind: Authorization, h: `Hawk id="a" ts="1"`, err: ErrInvalidHeader},
		{name: "trailing comma", kind: Authorization, h: `Hawk id="a",`, err: ErrInvalidHeader},
		{name: "double comma", kind: Authorization, h: `Hawk id="a",, ts="1"`, err: ErrInvalidHeader},
		{name: "trailing junk", kind: Authorization, h: `Hawk id="a" x`, err: ErrInvalidHeader},
		{name: "too long", kind: Authorization, h: `Hawk ext="` + strings.Repeat("a", MaxHeaderLength) + `"`, err: ErrInvalidHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseHeader(tc.h, tc.kind)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v (attrs %v)", err, tc.err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := ParseHeader(`Hawk id="a"`, HeaderKind(7)); err == nil {
		t.Error("unknown kind accepted")
	}
	long := `Hawk ext="` + strings.Repeat("a", MaxHeaderLength-len(`Hawk ext=""`)) + `"`
	if _, err := ParseHeader(long, Authorization); err != nil {
		t.Errorf("header of exactly MaxHeaderLength refused: %v", err)
	}
}

func TestFormatHeader(t *testing.T) {
	h, err := FormatHeader(Authorization, map[string]string{"mac": "m", "id": "i", "ext": "e", "ts": "1", "nonce": "n", "hash": "h"})
	if err != nil || h != `Hawk id="i", ts="1", nonce="n", hash="h", ext="e", mac="m"` {
		t.Errorf("got %q, %v", h, err)
	}
	h, err = FormatHeader(WWWAuthenticate, map[string]string{"error": "Stale timestamp", "tsm": "t", "ts": "1"})
	if err != nil || h != `Hawk ts="1", tsm="t", error="Stale timestamp"` {
		t.Errorf("got %q, %v", h, err)
	}
	for _, bad := range []map[string]string{nil, {"id": ""}, {"id": `"`}, {"tsm": "x"}} {
		if h, err := FormatHeader(Authorization, bad); err == nil {
			t.Errorf("FormatHeader(%v) = %q, want error", bad, h)
		}
	}
	if _, err := FormatHeader(HeaderKind(-1), map[string]string{"id": "a"}); err == nil {
		t.Error("unknown kind accepted")
	}
	for k, want := range map[HeaderKind]string{Authorization: "Authorization", ServerAuthorization: "Server-Authorization", WWWAuthenticate: "WWW-Authenticate", 9: "HeaderKind(9)"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q", int(k), k.String())
		}
	}
}

func TestNormalizeContentType(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "",
		"application/json":                  "application/json",
		"Application/JSON":                  "application/json",
		" application/json ; charset=utf-8": "application/json",
		"text/plain;charset=UTF-8":          "text/plain",
		";x":                                "",
	} {
		if got := NormalizeContentType(in); got != want {
			t.Errorf("NormalizeContentType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	for in, ok := range map[string]bool{
		"0": true, "1700000000": true, "999999999999999": true,
		"": false, "01": false, "-1": false, "+1": false, "1e9": false, " 1": false, "1000000000000000": false,
	} {
		if _, got := parseTimestamp(in); got != ok {
			t.Errorf("parseTimestamp(%q) ok = %v, want %v", in, got, ok)
		}
	}
}

func FuzzParseHeader(f *testing.F) {
	for _, seed := range []string{
		`Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", ext="some-app-ext-data", mac="6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="`,
		`Hawk id="123456", ts="1353809207", nonce="Ygvqdz", hash="2QfCt3GuY9HQnHWyWD3wX68ZOKbynqlfYmuO2ZBRqtY=", mac="HTgtd0jPI6E4izx8e4OHdO36q00xFCU0FolNq3RiCYs="`,
		`Hawk ts="1353832234", tsm="bs0ZnoWOd1E0NvVEbqEFyP6ok3QSdrMSeKxHpigVTxs=", error="Stale timestamp"`,
		`Hawk mac="m", hash="h", ext="e"`,
		`Hawk id="a",ts="1"`,
		"hawk\tid=\"a\" , ts=\"1\" ",
		`Hawk id="a", id="b"`,
		`Hawk ext="a\"b"`,
		`Basic abc`,
		``,
	} {
		for k := range 3 {
			f.Add(seed, uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, h string, k uint8) {
		kind := HeaderKind(k % 3)
		attrs, err := ParseHeader(h, kind)
		if err != nil {
			if attrs != nil {
				t.Fatalf("attributes %v returned with error %v", attrs, err)
			}
			if !errors.Is(err, ErrNotHawk) && !errors.Is(err, ErrInvalidHeader) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if len(h) > MaxHeaderLength || len(attrs) == 0 {
			t.Fatalf("accepted %q (%d attributes)", h, len(attrs))
		}
		for name, v := range attrs {
			if !contains(kind.attributes(), name) || !ValidAttributeValue(v) {
				t.Fatalf("accepted attribute %q=%q for %v", name, v, kind)
			}
		}
		out, err := FormatHeader(kind, attrs)
		if err != nil {
			t.Fatalf("FormatHeader(%v): %v", attrs, err)
		}
		again, err := ParseHeader(out, kind)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", out, err)
		}
		if !maps.Equal(attrs, again) {
			t.Fatalf("round trip changed attributes: %v -> %q -> %v", attrs, out, again)
		}
	})
}
