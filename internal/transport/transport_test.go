package transport

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestBaseURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://test.trustly.com/api/1":      true,
		"https://sandbox.trustly.one/api/v1/": true,
		"http://127.0.0.1:8080/api/1":         true,
		"http://localhost:9/x":                true,
		"http://[::1]:9/x":                    true,
		"http://test.trustly.com/api/1":       false,
		"http://10.0.0.1/api":                 false,
		"ftp://x/y":                           false,
		"https://user:pw@host/x":              false,
		"/relative":                           false,
		"%zz":                                 false,
	} {
		u, err := BaseURL(raw)
		if (err == nil) != ok {
			t.Errorf("BaseURL(%q) = %v, %v; want ok=%v", raw, u, err, ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error reveals user info: %v", err)
		}
		if err == nil && strings.HasSuffix(u.Path, "/") {
			t.Errorf("BaseURL(%q) kept a trailing slash", raw)
		}
	}
	// A query or fragment, even an empty one, is dropped: paths are appended to the result.
	for _, raw := range []string{"https://h.example/api?", "https://h.example/api?x=1#f", "https://h.example/api#", "https://h.example/api?#"} {
		u, err := BaseURL(raw)
		if err != nil || u.String() != "https://h.example/api" {
			t.Errorf("BaseURL(%q) = %v, %v; want https://h.example/api", raw, u, err)
		}
	}
}

func TestReadBody(t *testing.T) {
	b, err := ReadBody(strings.NewReader("12345"), 5)
	if err != nil || string(b) != "12345" {
		t.Fatalf("at the limit: %q %v", b, err)
	}
	if _, err := ReadBody(strings.NewReader("123456"), 5); !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
}

func TestReadResponse(t *testing.T) {
	resp := func(body string, n int64) *http.Response {
		return &http.Response{Body: io.NopCloser(strings.NewReader(body)), ContentLength: n}
	}
	for _, c := range []struct {
		body  string
		n     int64
		limit int64
		want  string
		err   error
	}{
		{`{"a":1}`, 7, 0, `{"a":1}`, nil},
		{`{"a":1}`, -1, 0, `{"a":1}`, nil},
		{``, 0, 0, ``, nil},
		{`{"a":1}`, 7, 6, ``, ErrResponseTooLarge},
		{`{"a":1}`, -1, 6, ``, ErrResponseTooLarge},
		{`{"a"`, 7, 0, ``, io.ErrUnexpectedEOF},
	} {
		got, err := ReadResponse(resp(c.body, c.n), c.limit)
		if !errors.Is(err, c.err) || (err == nil && string(got) != c.want) || (err == nil && got == nil) {
			t.Errorf("%q (Content-Length %d, limit %d): %q, %v; want %q, %v", c.body, c.n, c.limit, got, err, c.want, c.err)
		}
	}
}
