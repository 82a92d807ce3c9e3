package hawk

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// refMAC is a deliberately plain second implementation of the request MAC, used to check
// the package's results independently.
func refMAC(key, typ string, ts, nonce, method, resource, host string, port int, hash, ext string) string {
	ext = strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(ext)
	s := fmt.Sprintf("hawk.1.%s\n%s\n%s\n%s\n%s\n%s\n%d\n%s\n%s\n",
		typ, ts, nonce, strings.ToUpper(method), resource, strings.ToLower(host), port, hash, ext)
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// newRequest builds a server-side request for rawURL carrying body, an optional
// Content-Type and an optional Authorization header.
func newRequest(method, rawURL, contentType string, body []byte, authorization string) *http.Request {
	r := httptest.NewRequest(method, rawURL, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return r
}

func fixedClock(ts int64) func() time.Time {
	return func() time.Time { return time.Unix(ts, 0) }
}

func newServer(id string, key []byte, now func() time.Time) *Server {
	return &Server{
		Credentials: func(got string) ([]byte, bool) {
			if got == id {
				return key, true
			}
			return nil, false
		},
		Now: now,
	}
}

// wantKind fails the test unless err is an *AuthError of the given kind.
func wantKind(t *testing.T, err error, kind ErrorKind) *AuthError {
	t.Helper()
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want *AuthError of kind %v", err, kind)
	}
	if ae.Kind != kind {
		t.Fatalf("error kind = %v (%v), want %v", ae.Kind, ae, kind)
	}
	return ae
}
