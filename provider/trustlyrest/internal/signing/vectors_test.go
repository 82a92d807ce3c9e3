package signing

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/testvectors"
)

// vectorFile is the shape of trustly-rest.json. Cases stay generic maps so that every field a
// case carries can be checked, and a field this test does not know fails the test instead of
// being ignored.
type vectorFile struct {
	Description           string           `json:"description"`
	KeyOrder              []string         `json:"keyOrder"`
	KeyOrderSource        string           `json:"keyOrderSource"`
	RequestSignatureCases []map[string]any `json:"requestSignatureCases"`
	NotificationCases     []map[string]any `json:"notificationCases"`
	RedirectCases         []map[string]any `json:"redirectCases"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	var v vectorFile
	testvectors.Load(t, "trustly-rest.json", &v)
	if len(v.RequestSignatureCases) == 0 || len(v.NotificationCases) == 0 || len(v.RedirectCases) == 0 {
		t.Fatal("trustly-rest.json: a case list is empty")
	}
	return v
}

// vcase gives typed, checked access to one vector case.
type vcase struct {
	t     *testing.T
	m     map[string]any
	known []string
}

func newCase(t *testing.T, m map[string]any, known ...string) vcase {
	t.Helper()
	known = append(known, "name", "note", "source", "reason")
	for k := range m {
		if !slices.Contains(known, k) {
			t.Fatalf("case has field %q that this test does not check; extend the test", k)
		}
	}
	return vcase{t: t, m: m, known: known}
}

func (c vcase) has(k string) bool { _, ok := c.m[k]; return ok }

func (c vcase) str(k string) string {
	c.t.Helper()
	v, ok := c.m[k].(string)
	if !ok {
		c.t.Fatalf("case field %q: want a string, have %T", k, c.m[k])
	}
	return v
}

func (c vcase) boolean(k string) bool {
	c.t.Helper()
	v, ok := c.m[k].(bool)
	if !ok {
		c.t.Fatalf("case field %q: want a boolean, have %T", k, c.m[k])
	}
	return v
}

func (c vcase) object(k string) map[string]any {
	c.t.Helper()
	v, ok := c.m[k].(map[string]any)
	if !ok {
		c.t.Fatalf("case field %q: want an object, have %T", k, c.m[k])
	}
	return v
}

func caseName(t *testing.T, m map[string]any) string {
	t.Helper()
	n, ok := m["name"].(string)
	if !ok || n == "" {
		t.Fatalf("a case has no name: %v", m)
	}
	return n
}

// refMAC is an independent reference HMAC for the tests.
func refMAC(alg Algorithm, key, msg string) string {
	h := sha1.New
	if alg == HMACSHA512 {
		h = sha512.New
	}
	m := hmac.New(h, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// assertNoSecret fails if err's text contains any of the secrets.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q reveals a secret or received signature", err)
		}
	}
}

func TestVectorKeyOrder(t *testing.T) {
	v := loadVectors(t)
	if got := SignedKeys(); !slices.Equal(got, v.KeyOrder) {
		t.Fatalf("SignedKeys() differs from keyOrder in trustly-rest.json\n got: %q\nwant: %q", got, v.KeyOrder)
	}
	// SignedKeys returns a copy.
	k := SignedKeys()
	k[0] = "changed"
	if SignedKeys()[0] != v.KeyOrder[0] {
		t.Fatal("SignedKeys exposes the package table")
	}
}

func TestVectorRequestSignatures(t *testing.T) {
	v := loadVectors(t)
	for _, m := range v.RequestSignatureCases {
		t.Run(caseName(t, m), func(t *testing.T) {
			c := newCase(t, m, "accessKey", "establishData", "canonical", "signature")
			if c.has("kind") || c.has("variant") {
				t.Fatal("request signature cases have no kinds this test knows")
			}
			key := []byte(c.str("accessKey"))
			est := c.object("establishData")
			wantCanon := c.str("canonical")
			wantSig := c.str("signature")

			canon, err := Canonical(est)
			if err != nil {
				t.Fatalf("Canonical: %v", err)
			}
			if canon != wantCanon {
				t.Errorf("Canonical:\n got %q\nwant %q", canon, wantCanon)
			}
			sig, err := RequestSignature(key, est, HMACSHA1)
			if err != nil {
				t.Fatalf("RequestSignature: %v", err)
			}
			if sig != wantSig {
				t.Errorf("RequestSignature = %q, want %q", sig, wantSig)
			}
			if err := VerifyRequestSignature(key, est, wantSig); err != nil {
				t.Errorf("VerifyRequestSignature(valid) = %v", err)
			}
			if err := VerifyRequestSignature(key, est, sha1Prefix+wantSig); err != nil {
				t.Errorf("VerifyRequestSignature(HmacSHA1: label) = %v", err)
			}

			// HMAC-SHA512: same canonical string, value labelled with the prefix.
			sig512, err := RequestSignature(key, est, HMACSHA512)
			if err != nil {
				t.Fatalf("RequestSignature(SHA512): %v", err)
			}
			if want := SHA512Prefix + refMAC(HMACSHA512, string(key), wantCanon); sig512 != want {
				t.Errorf("RequestSignature(SHA512) = %q, want %q", sig512, want)
			}
			if err := VerifyRequestSignature(key, est, sig512); err != nil {
				t.Errorf("VerifyRequestSignature(SHA512) = %v", err)
			}

			// Tampering: a signed value changed, a wrong key, a damaged signature, a
			// SHA-1 value wrongly labelled as SHA-512.
			tampered := cloneMap(est)
			tampered["merchantReference"] = "tampered-" + strings.Repeat("x", 3)
			if err := VerifyRequestSignature(key, tampered, wantSig); !errors.Is(err, ErrBadSignature) {
				t.Errorf("tampered merchantReference: err = %v, want ErrBadSignature", err)
			}
			if err := VerifyRequestSignature(append(key, 'x'), est, wantSig); !errors.Is(err, ErrBadSignature) {
				t.Errorf("wrong key: err = %v, want ErrBadSignature", err)
			}
			if err := VerifyRequestSignature(key, est, flipBase64Char(wantSig)); !errors.Is(err, ErrBadSignature) {
				t.Errorf("damaged signature: err = %v, want ErrBadSignature", err)
			}
			if err := VerifyRequestSignature(key, est, SHA512Prefix+wantSig); !errors.Is(err, ErrBadSignature) {
				t.Errorf("SHA-1 value labelled SHA-512: err = %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestVectorNotifications(t *testing.T) {
	v := loadVectors(t)
	for _, m := range v.NotificationCases {
		t.Run(caseName(t, m), func(t *testing.T) {
			c := newCase(t, m, "accessId", "accessKey", "rawBody", "decodedBody",
				"expectedSignature", "authorizationHeader", "valid")
			if c.has("kind") || c.has("variant") {
				t.Fatal("notification cases have no kinds this test knows")
			}
			id := c.str("accessId")
			keyStr := c.str("accessKey")
			key := []byte(keyStr)
			body := []byte(c.str("rawBody"))
			wantDecoded := c.str("decodedBody")
			wantSig := c.str("expectedSignature")
			header := c.str("authorizationHeader")
			valid := c.boolean("valid")

			decoded, err := decodeNotificationBody(body)
			if err != nil {
				t.Fatalf("decoding body: %v", err)
			}
			if string(decoded) != wantDecoded {
				t.Errorf("decoded body:\n got %q\nwant %q", decoded, wantDecoded)
			}
			if got := macBase64(HMACSHA1, key, decoded); got != wantSig {
				t.Errorf("signature of decoded body = %q, want %q", got, wantSig)
			}
			signed, err := SignNotification(id, key, body, HMACSHA1)
			if err != nil {
				t.Fatalf("SignNotification: %v", err)
			}
			if want := "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+wantSig)); signed != want {
				t.Errorf("SignNotification = %q, want %q", signed, want)
			}
			if valid && signed != header {
				t.Errorf("SignNotification = %q, want the case's header %q", signed, header)
			}

			// The header's own accessId and signature, read independently.
			rawCred, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(header, "Basic "))
			if err != nil {
				t.Fatalf("case header is not Base64: %v", err)
			}
			hdrID, hdrSig, _ := strings.Cut(string(rawCred), ":")

			form, err := VerifyNotification(id, key, header, body)
			assertNoSecret(t, err, keyStr, hdrSig)
			if valid {
				if err != nil {
					t.Fatalf("VerifyNotification(valid case) = %v", err)
				}
				checkNotificationForm(t, form, string(body), wantDecoded)
			} else {
				want := ErrBadSignature
				if hdrID != id {
					want = ErrWrongAccessID
				}
				if !errors.Is(err, want) {
					t.Fatalf("VerifyNotification(invalid case) = %v, want %v", err, want)
				}
				if form != nil {
					t.Error("a rejected notification returned parameters")
				}
				return
			}

			// Tampering with a valid case.
			for _, i := range tamperPositions(body) {
				bad := slices.Clone(body)
				bad[i] = otherAlnum(bad[i])
				// A change can also create a repeated key, which is rejected as malformed.
				_, err := VerifyNotification(id, key, header, bad)
				if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrMalformedBody) {
					t.Errorf("body byte %d changed: err = %v, want ErrBadSignature", i, err)
				}
				assertNoSecret(t, err, keyStr, hdrSig)
			}
			wrongID := basicHeader(id+"X", wantSig)
			if _, err := VerifyNotification(id, key, wrongID, body); !errors.Is(err, ErrWrongAccessID) {
				t.Errorf("wrong accessId: err = %v, want ErrWrongAccessID", err)
			}
			if _, err := VerifyNotification(id+"X", key, header, body); !errors.Is(err, ErrWrongAccessID) {
				t.Errorf("configured for another accessId: err = %v, want ErrWrongAccessID", err)
			}
			if _, err := VerifyNotification(id, append(slices.Clone(key), 'x'), header, body); !errors.Is(err, ErrBadSignature) {
				t.Errorf("wrong key: err = %v, want ErrBadSignature", err)
			}
			damaged := basicHeader(id, flipBase64Char(wantSig))
			if _, err := VerifyNotification(id, key, damaged, body); !errors.Is(err, ErrBadSignature) {
				t.Errorf("damaged signature: err = %v, want ErrBadSignature", err)
			}
			if _, err := VerifyNotification(id, key, "", body); !errors.Is(err, ErrMissingAuthorization) {
				t.Errorf("no header: err = %v, want ErrMissingAuthorization", err)
			}

			// The same body signed with HMAC-SHA512 verifies; the label is required.
			h512, err := SignNotification(id, key, body, HMACSHA512)
			if err != nil {
				t.Fatalf("SignNotification(SHA512): %v", err)
			}
			if want := basicHeader(id, SHA512Prefix+refMAC(HMACSHA512, keyStr, wantDecoded)); h512 != want {
				t.Errorf("SignNotification(SHA512) = %q, want %q", h512, want)
			}
			if _, err := VerifyNotification(id, key, h512, body); err != nil {
				t.Errorf("VerifyNotification(SHA512) = %v", err)
			}
			unlabelled := basicHeader(id, refMAC(HMACSHA512, keyStr, wantDecoded))
			if _, err := VerifyNotification(id, key, unlabelled, body); !errors.Is(err, ErrBadSignature) {
				t.Errorf("SHA-512 MAC without label: err = %v, want ErrBadSignature", err)
			}
		})
	}
}

// checkNotificationForm checks the parameters returned for a valid notification against an
// independent decoding with net/url, and that they rebuild the signed string.
func checkNotificationForm(t *testing.T, form Form, rawBody, decodedBody string) {
	t.Helper()
	var rebuilt []string
	segs := strings.Split(rawBody, "&")
	if len(form) != len(segs) {
		t.Fatalf("form has %d parameters, body has %d", len(form), len(segs))
	}
	for i, seg := range segs {
		rk, rv, _ := strings.Cut(seg, "=")
		k, err1 := url.QueryUnescape(rk)
		v, err2 := url.QueryUnescape(rv)
		if err1 != nil || err2 != nil {
			t.Fatalf("net/url cannot decode parameter %d", i)
		}
		if form[i].Key != k || form[i].Value != v {
			t.Errorf("parameter %d = %q=%q, want %q=%q", i, form[i].Key, form[i].Value, k, v)
		}
		if form.Get(k) != v {
			t.Errorf("Get(%q) = %q, want %q", k, form.Get(k), v)
		}
		rebuilt = append(rebuilt, form[i].Key+"="+form[i].Value)
	}
	if got := strings.Join(rebuilt, "&"); got != decodedBody {
		t.Errorf("parameters rebuild %q, want the signed string %q", got, decodedBody)
	}
}

func TestVectorRedirects(t *testing.T) {
	v := loadVectors(t)
	for _, m := range v.RedirectCases {
		t.Run(caseName(t, m), func(t *testing.T) {
			c := newCase(t, m, "variant", "accessKey", "url", "signedString",
				"expectedSignature", "receivedSignature", "valid")
			switch variant := c.str("variant"); variant {
			case "full-url":
				checkFullURLRedirect(t, c)
			default:
				t.Fatalf("unknown redirect variant %q", variant)
			}
		})
	}
}

func checkFullURLRedirect(t *testing.T, c vcase) {
	keyStr := c.str("accessKey")
	key := []byte(keyStr)
	u := c.str("url")
	wantSigned := c.str("signedString")
	wantSig := c.str("expectedSignature")
	received := c.str("receivedSignature")
	valid := c.boolean("valid")

	r, err := splitRedirect(u)
	if err != nil {
		t.Fatalf("splitRedirect: %v", err)
	}
	if r.whole != wantSigned {
		t.Errorf("signed string:\n got %q\nwant %q", r.whole, wantSigned)
	}
	if r.signature != received {
		t.Errorf("received signature = %q, want %q", r.signature, received)
	}
	if got := macBase64(HMACSHA1, key, wantSigned); got != wantSig {
		t.Errorf("signature of signed string = %q, want %q", got, wantSig)
	}
	signedURL, err := SignRedirect(key, wantSigned, HMACSHA1)
	if err != nil {
		t.Fatalf("SignRedirect: %v", err)
	}
	if valid && signedURL != u {
		t.Errorf("SignRedirect:\n got %q\nwant %q", signedURL, u)
	}

	form, err := VerifyRedirect(key, u)
	assertNoSecret(t, err, keyStr, received)
	if !valid {
		if !errors.Is(err, ErrBadSignature) {
			t.Fatalf("VerifyRedirect(invalid case) = %v, want ErrBadSignature", err)
		}
		if form != nil {
			t.Error("a rejected redirect returned parameters")
		}
		return
	}
	if err != nil {
		t.Fatalf("VerifyRedirect(valid case) = %v", err)
	}
	parsed, err := url.Parse(wantSigned)
	if err != nil {
		t.Fatal(err)
	}
	want, err := url.ParseQuery(parsed.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	if got := form.Values(); !mapsEqual(got, want) {
		t.Errorf("parameters = %v, want %v", got, want)
	}
	ref := form.Get("merchantReference")
	if err := CheckMerchantReference(form, ref); err != nil {
		t.Errorf("CheckMerchantReference(own reference) = %v", err)
	}
	if err := CheckMerchantReference(form, ref+"-other"); !errors.Is(err, ErrReferenceMismatch) {
		t.Errorf("CheckMerchantReference(other) = %v, want ErrReferenceMismatch", err)
	}

	// Tampering with a valid case: one byte of the signed part, the key, the signature.
	q := strings.IndexByte(u, '?')
	for _, i := range tamperPositions([]byte(wantSigned[q+1:])) {
		bad := []byte(u)
		bad[q+1+i] = otherAlnum(bad[q+1+i])
		_, err := VerifyRedirect(key, string(bad))
		if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrMalformedRedirect) {
			t.Errorf("URL byte %d changed: err = %v, want ErrBadSignature", q+1+i, err)
		}
		assertNoSecret(t, err, keyStr, received)
	}
	hostByte := []byte(u)
	hostByte[strings.Index(u, "://")+3] = otherAlnum(hostByte[strings.Index(u, "://")+3])
	if _, err := VerifyRedirect(key, string(hostByte)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("host changed: err = %v, want ErrBadSignature", err)
	}
	if _, err := VerifyRedirect(append(slices.Clone(key), 'x'), u); !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong key: err = %v, want ErrBadSignature", err)
	}
	damaged := wantSigned + "&requestSignature=" + url.QueryEscape(flipBase64Char(wantSig))
	if _, err := VerifyRedirect(key, damaged); !errors.Is(err, ErrBadSignature) {
		t.Errorf("damaged signature: err = %v, want ErrBadSignature", err)
	}

	// A parameter appended after the signature is not authenticated and is not returned.
	appended, err := VerifyRedirect(key, u+"&merchantReference2=injected")
	if err != nil {
		t.Fatalf("VerifyRedirect(appended parameter) = %v", err)
	}
	if _, ok := appended.Lookup("merchantReference2"); ok || len(appended) != len(form) {
		t.Errorf("an unsigned trailing parameter was returned: %v", appended)
	}
	// An appended duplicate of a signed parameter is rejected outright.
	if _, err := VerifyRedirect(key, u+"&merchantReference=injected"); !errors.Is(err, ErrMalformedRedirect) {
		t.Errorf("appended duplicate: err = %v, want ErrMalformedRedirect", err)
	}
	// The signature moved before the last parameter still verifies with every parameter.
	last := strings.LastIndexByte(wantSigned, '&')
	moved := wantSigned[:last] + "&requestSignature=" + encodeURIComponent(wantSig) + wantSigned[last:]
	got, err := VerifyRedirect(key, moved)
	if err != nil {
		t.Fatalf("VerifyRedirect(signature not last) = %v", err)
	}
	if !slices.Equal(got, form) {
		t.Errorf("signature not last: parameters = %v, want %v", got, form)
	}

	// HMAC-SHA512 redirects verify too.
	u512, err := SignRedirect(key, wantSigned, HMACSHA512)
	if err != nil {
		t.Fatalf("SignRedirect(SHA512): %v", err)
	}
	if want := wantSigned + "&requestSignature=" + encodeURIComponent(SHA512Prefix+refMAC(HMACSHA512, keyStr, wantSigned)); u512 != want {
		t.Errorf("SignRedirect(SHA512) = %q, want %q", u512, want)
	}
	if _, err := VerifyRedirect(key, u512); err != nil {
		t.Errorf("VerifyRedirect(SHA512) = %v", err)
	}
}

// tamperPositions returns a few positions of alphanumeric bytes spread over b.
func tamperPositions(b []byte) []int {
	var all []int
	for i, c := range b {
		if isAlnum(c) {
			all = append(all, i)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return []int{all[0], all[len(all)/3], all[len(all)/2], all[2*len(all)/3], all[len(all)-1]}
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// otherAlnum returns a different alphanumeric byte of the same class, so that a changed hex
// digit stays a valid escape.
func otherAlnum(c byte) byte {
	switch {
	case c == '9':
		return '0'
	case c == 'z':
		return 'a'
	case c == 'Z':
		return 'A'
	case c == 'f':
		return 'a'
	case c == 'F':
		return 'A'
	}
	return c + 1
}

// flipBase64Char changes the first character of a Base64 string to another Base64 character.
func flipBase64Char(s string) string {
	c := s[0]
	if c == 'A' {
		c = 'B'
	} else {
		c = 'A'
	}
	return string(c) + s[1:]
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = cloneMap(sub)
		}
		out[k] = v
	}
	return out
}

func mapsEqual(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		if !slices.Equal(va, b[k]) {
			return false
		}
	}
	return true
}
