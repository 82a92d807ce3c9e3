package wire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SHA-256 fingerprints of the DER SPKI encodings of the public keys that ship with
// Trustly's Java client (https://github.com/trustly/trustly-client-java):
// src/main/resources/keys/trustly_{test,live}_public.pem, and the signature tester's
// merchant key src/test/resources/keys/merchant_public_key.pem.
const (
	trustlyTestSPKISHA256   = "3c45411e0532933c3c97215b375d238c08b6a06d40793999444f6459c917a935"
	trustlyLiveSPKISHA256   = "7e09f288f4ed5b6e31c4665efe9b364347083ad8d03427d2d1cfb963ce7551c5"
	sigTesterPublicSPKISHA2 = "95dfd03243d259fe5cd43c2e4ff32e36f79152480a54d87451b56ba235ec3813"
)

func spkiFingerprint(t *testing.T, pub *rsa.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

func TestEmbeddedTrustlyKeys(t *testing.T) {
	v := loadVectors(t)
	for _, c := range []struct {
		name, vectorKey, fingerprint string
		get                          func() *rsa.PublicKey
	}{
		{"test", "trustly_test_public", trustlyTestSPKISHA256, TrustlyTestPublicKey},
		{"live", "trustly_live_public", trustlyLiveSPKISHA256, TrustlyLivePublicKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := c.get()
			if got := spkiFingerprint(t, k); got != c.fingerprint {
				t.Fatalf("SPKI SHA-256 %s, want %s", got, c.fingerprint)
			}
			if !k.Equal(v.publicKey(t, c.vectorKey)) {
				t.Fatalf("embedded key differs from the vector file's %s", c.vectorKey)
			}
			if k.N.BitLen() != 2048 || k.E != 65537 {
				t.Fatalf("unexpected key shape: %d bits, e=%d", k.N.BitLen(), k.E)
			}
			// Each call returns an independent copy.
			k.N.SetInt64(1)
			if c.get().N.BitLen() != 2048 {
				t.Fatal("mutating a returned key changed the embedded key")
			}
		})
	}
	if TrustlyTestPublicKey().Equal(TrustlyLivePublicKey()) {
		t.Fatal("TEST and LIVE keys are equal")
	}
}

func TestSignatureTesterKeyFingerprint(t *testing.T) {
	priv, pub := testKeys(t)
	if got := spkiFingerprint(t, pub); got != sigTesterPublicSPKISHA2 {
		t.Fatalf("SPKI SHA-256 %s, want %s", got, sigTesterPublicSPKISHA2)
	}
	if !priv.PublicKey.Equal(pub) {
		t.Fatal("signature-tester private and public keys do not match")
	}
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParsePrivateKey(t *testing.T) {
	priv, _ := testKeys(t)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec8, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	encrypted := []byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END RSA PRIVATE KEY-----\n")

	good := map[string][]byte{
		"PKCS#1":                   pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(priv)),
		"PKCS#8":                   pemBlock("PRIVATE KEY", pkcs8),
		"after another block":      append(pemBlock("CERTIFICATE", []byte{1}), pemBlock("PRIVATE KEY", pkcs8)...),
		"with surrounding comment": []byte("my key\n" + string(pemBlock("PRIVATE KEY", pkcs8)) + "trailer\n"),
	}
	for name, p := range good {
		k, err := ParsePrivateKey(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !k.Equal(priv) {
			t.Errorf("%s: parsed a different key", name)
		}
	}
	bad := map[string]struct {
		pem  []byte
		want string
	}{
		"empty":          {nil, "no PEM block"},
		"not PEM":        {[]byte("hello"), "no PEM block"},
		"public key":     {pemBlock("PUBLIC KEY", []byte{1}), `found ["PUBLIC KEY"]`},
		"EC PKCS#8":      {pemBlock("PRIVATE KEY", ec8), "not RSA"},
		"garbage PKCS#1": {pemBlock("RSA PRIVATE KEY", []byte{1, 2, 3}), "PKCS#1"},
		"garbage PKCS#8": {pemBlock("PRIVATE KEY", []byte{1, 2, 3}), "PKCS#8"},
		"1024-bit":       {pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), "1024 bits"},
		"encrypted":      {encrypted, "encrypted"},
		"encrypted PKCS#8 type": {pemBlock("ENCRYPTED PRIVATE KEY", []byte{1}),
			`found ["ENCRYPTED PRIVATE KEY"]`},
	}
	for name, c := range bad {
		_, err := ParsePrivateKey(c.pem)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
}

func TestParsePublicKey(t *testing.T) {
	priv, pub := testKeys(t)
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "merchant"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1<<32, 0),
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecSPKI, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	good := map[string][]byte{
		"SPKI":        pemBlock("PUBLIC KEY", spki),
		"PKCS#1":      pemBlock("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(pub)),
		"certificate": pemBlock("CERTIFICATE", cert),
	}
	for name, p := range good {
		k, err := ParsePublicKey(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !k.Equal(pub) {
			t.Errorf("%s: parsed a different key", name)
		}
	}
	bad := map[string]struct {
		pem  []byte
		want string
	}{
		"empty":         {nil, "no PEM block"},
		"private key":   {pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(priv)), `found ["RSA PRIVATE KEY"]`},
		"EC SPKI":       {pemBlock("PUBLIC KEY", ecSPKI), "not an RSA key"},
		"garbage SPKI":  {pemBlock("PUBLIC KEY", []byte{1}), "SPKI"},
		"garbage PKCS1": {pemBlock("RSA PUBLIC KEY", []byte{1}), "PKCS#1"},
		"garbage cert":  {pemBlock("CERTIFICATE", []byte{1}), "certificate"},
	}
	for name, c := range bad {
		_, err := ParsePublicKey(c.pem)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
}

func TestCodeNames(t *testing.T) {
	if CodeName(CodeInvalidCredentials) != "ERROR_INVALID_CREDENTIALS" || CodeName(636) != "ERROR_UNABLE_TO_VERIFY_RSA_SIGNATURE" {
		t.Fatal("wrong names for 616/636")
	}
	if CodeName(999) != "" {
		t.Fatal("unknown code has a name")
	}
	seen := map[string]int{}
	codes := Codes()
	for i, c := range codes {
		if i > 0 && codes[i-1] >= c {
			t.Fatalf("Codes not ascending at %d", c)
		}
		n := CodeName(c)
		if !strings.HasPrefix(n, "ERROR_") {
			t.Errorf("code %d has name %q", c, n)
		}
		if prev, dup := seen[n]; dup {
			t.Errorf("codes %d and %d share the name %s", prev, c, n)
		}
		seen[n] = c
	}
}

// TestCodesMatchProtocolReference compares the code table with Trustly's published error
// table, kept as testdata/error-codes.tsv (its header names the source).
func TestCodesMatchProtocolReference(t *testing.T) {
	const doc = "testdata/error-codes.tsv"
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^(\d{3})\t(ERROR_[A-Z_]+)$`)
	rows := row.FindAllStringSubmatch(string(b), -1)
	if len(rows) == 0 {
		t.Fatalf("no error table rows found in %s", doc)
	}
	docCodes := map[int]bool{}
	for _, r := range rows {
		code, _ := strconv.Atoi(r[1])
		docCodes[code] = true
		if got := CodeName(code); got != r[2] {
			t.Errorf("code %d: CodeName %q, reference %q", code, got, r[2])
		}
	}
	for _, c := range Codes() {
		if !docCodes[c] {
			t.Errorf("code %d is not in the reference table", c)
		}
	}
}
