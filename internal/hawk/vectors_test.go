package hawk

import (
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/testvectors"
)

type vectorFile struct {
	Generator string `json:"generator"`
	Cases     []struct {
		Name        string  `json:"name"`
		ID          string  `json:"id"`
		Key         string  `json:"key"`
		Algorithm   string  `json:"algorithm"`
		Method      string  `json:"method"`
		URL         string  `json:"url"`
		TS          int64   `json:"ts"`
		Nonce       string  `json:"nonce"`
		ContentType *string `json:"contentType"`
		Payload     *string `json:"payload"`
		Ext         *string `json:"ext"`
		Expected    struct {
			Hash   *string `json:"hash"`
			MAC    string  `json:"mac"`
			Header string  `json:"header"`
		} `json:"expected"`
	} `json:"cases"`
	TimestampSync []struct {
		Name      string `json:"name"`
		Key       string `json:"key"`
		Algorithm string `json:"algorithm"`
		TS        int64  `json:"ts"`
		Expected  struct {
			TSM string `json:"tsm"`
		} `json:"expected"`
	} `json:"timestampSync"`
}

func loadVectors(t *testing.T) vectorFile {
	t.Helper()
	var v vectorFile
	testvectors.Load(t, "hawk.json", &v)
	if len(v.Cases) == 0 || len(v.TimestampSync) == 0 {
		t.Fatalf("hawk.json has %d cases and %d timestampSync cases; want some of each", len(v.Cases), len(v.TimestampSync))
	}
	return v
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// tamperPayload returns payload with one byte changed (or one byte added when empty).
func tamperPayload(p []byte) []byte {
	if len(p) == 0 {
		return []byte("x")
	}
	q := append([]byte(nil), p...)
	q[len(q)/2] ^= 0x01
	return q
}

func TestVectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Algorithm != "sha256" {
				t.Fatalf("algorithm %q not supported", c.Algorithm)
			}
			cred := Credentials{ID: c.ID, Key: Key(c.Key)}
			var payload []byte
			if c.Payload != nil {
				payload = []byte(*c.Payload)
			}
			opts := RequestOptions{
				Timestamp:   c.TS,
				Nonce:       c.Nonce,
				ContentType: deref(c.ContentType),
				Payload:     payload,
				HasPayload:  c.Payload != nil,
				Ext:         deref(c.Ext),
			}
			header, a, err := RequestHeader(cred, c.Method, c.URL, opts)
			if err != nil {
				t.Fatalf("RequestHeader: %v", err)
			}

			// Client side: hash, mac and the whole header match the reference.
			if c.Expected.Hash == nil {
				if a.Hash != "" {
					t.Errorf("hash = %q, want none", a.Hash)
				}
			} else {
				if a.Hash != *c.Expected.Hash {
					t.Errorf("hash = %q, want %q", a.Hash, *c.Expected.Hash)
				}
				if h := PayloadHash(deref(c.ContentType), payload); h != *c.Expected.Hash {
					t.Errorf("PayloadHash = %q, want %q", h, *c.Expected.Hash)
				}
			}
			if mac := MAC(cred.Key, TypeHeader, a); mac != c.Expected.MAC {
				t.Errorf("mac = %q, want %q", mac, c.Expected.MAC)
			}
			if header != c.Expected.Header {
				t.Errorf("header =\n  %s\nwant\n  %s", header, c.Expected.Header)
			}
			// Prepared credentials, reusing keyed HMAC states, write the same header twice.
			prepared := cred.Prepared()
			for range 2 {
				if ph, _, err := RequestHeader(prepared, c.Method, c.URL, opts); err != nil || ph != c.Expected.Header {
					t.Errorf("prepared credentials: header =\n  %s (%v)\nwant\n  %s", ph, err, c.Expected.Header)
				}
			}

			// Tampered copies must not produce the reference MAC.
			later := opts
			later.Timestamp++
			if _, la, err := RequestHeader(cred, c.Method, c.URL, later); err != nil {
				t.Fatal(err)
			} else if MAC(cred.Key, TypeHeader, la) == c.Expected.MAC {
				t.Errorf("ts+1 still gives the reference mac")
			}
			if c.Payload != nil {
				changed := opts
				changed.Payload = tamperPayload(payload)
				_, ca, err := RequestHeader(cred, c.Method, c.URL, changed)
				if err != nil {
					t.Fatal(err)
				}
				if ca.Hash == deref(c.Expected.Hash) {
					t.Errorf("changed payload still gives the reference hash")
				}
				if MAC(cred.Key, TypeHeader, ca) == c.Expected.MAC {
					t.Errorf("changed payload still gives the reference mac")
				}
			}

			// Server side: the reference header is accepted at its own time ...
			ct := deref(c.ContentType)
			srv := newServer(c.ID, []byte(c.Key), fixedClock(c.TS))
			res, err := srv.Authenticate(newRequest(c.Method, c.URL, ct, payload, c.Expected.Header), payload)
			if err != nil {
				t.Fatalf("server rejected the reference header: %v", err)
			}
			if res.Artifacts != a {
				t.Errorf("server artifacts = %+v, want %+v", res.Artifacts, a)
			}
			if res.Credentials.ID != c.ID {
				t.Errorf("server id = %q, want %q", res.Credentials.ID, c.ID)
			}

			// ... and refused with its ts moved by one second ...
			tsAttr := `ts="` + strconv.FormatInt(c.TS, 10) + `"`
			moved := strings.Replace(c.Expected.Header, tsAttr, `ts="`+strconv.FormatInt(c.TS+1, 10)+`"`, 1)
			if moved == c.Expected.Header {
				t.Fatalf("reference header has no %s", tsAttr)
			}
			srv = newServer(c.ID, []byte(c.Key), fixedClock(c.TS))
			_, err = srv.Authenticate(newRequest(c.Method, c.URL, ct, payload, moved), payload)
			wantKind(t, err, BadMAC)

			// ... or with a changed body.
			body := tamperPayload(payload)
			srv = newServer(c.ID, []byte(c.Key), fixedClock(c.TS))
			_, err = srv.Authenticate(newRequest(c.Method, c.URL, ct, body, c.Expected.Header), body)
			if c.Expected.Hash != nil {
				wantKind(t, err, BadHash)
			} else {
				wantKind(t, err, MissingHash)
			}
		})
	}
}

func TestTimestampVectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.TimestampSync {
		t.Run(c.Name, func(t *testing.T) {
			if c.Algorithm != "sha256" {
				t.Fatalf("algorithm %q not supported", c.Algorithm)
			}
			if got := TimestampMAC([]byte(c.Key), c.TS); got != c.Expected.TSM {
				t.Errorf("tsm = %q, want %q", got, c.Expected.TSM)
			}
			cred := Credentials{ID: "any", Key: Key(c.Key)}
			h := `Hawk ts="` + strconv.FormatInt(c.TS, 10) + `", tsm="` + c.Expected.TSM + `", error="Stale timestamp"`
			ts, err := VerifyStaleTimestamp(cred, h)
			if err != nil || ts != c.TS {
				t.Errorf("VerifyStaleTimestamp = %d, %v; want %d, nil", ts, err, c.TS)
			}
			if ts, err := VerifyStaleTimestamp(cred.Prepared(), h); err != nil || ts != c.TS {
				t.Errorf("prepared credentials: VerifyStaleTimestamp = %d, %v; want %d, nil", ts, err, c.TS)
			}
			later := `Hawk ts="` + strconv.FormatInt(c.TS+1, 10) + `", tsm="` + c.Expected.TSM + `", error="Stale timestamp"`
			if _, err := VerifyStaleTimestamp(cred, later); err != ErrBadTimestampMAC {
				t.Errorf("ts+1 with the reference tsm: err = %v, want ErrBadTimestampMAC", err)
			}
		})
	}
}
