package trustly

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"testing"

	"github.com/paybridge/paybridge/secret"
)

// TestEnvironmentsSelectEndpointAndKey checks each environment against Trustly's Java
// client (https://github.com/trustly/trustly-client-java): the endpoints of
// TrustlyApiClientSettings.java, and the keys of
// src/main/resources/keys/trustly_{test,live}_public.pem by the SHA-256 of their DER
// SubjectPublicKeyInfo.
func TestEnvironmentsSelectEndpointAndKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := secret.FromBytes(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	want := map[Environment]struct{ url, spki string }{
		Test: {"https://test.trustly.com/api/1", "3c45411e0532933c3c97215b375d238c08b6a06d40793999444f6459c917a935"},
		Live: {"https://api.trustly.com/1", "7e09f288f4ed5b6e31c4665efe9b364347083ad8d03427d2d1cfb963ce7551c5"},
	}
	for env, w := range want {
		c, err := New(Config{Username: "u", Password: secret.New("p"), PrivateKey: keyPEM, Environment: env})
		if err != nil {
			t.Fatal(err)
		}
		if c.s.endpoint != w.url {
			t.Errorf("%s: endpoint %s, want %s", env, c.s.endpoint, w.url)
		}
		der, err := x509.MarshalPKIXPublicKey(c.s.trustlyPub)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(der); hex.EncodeToString(sum[:]) != w.spki {
			t.Errorf("%s: Trustly key SPKI SHA-256 %x, want %s", env, sum, w.spki)
		}
		if c.Environment() != env {
			t.Errorf("Environment() = %s, want %s", c.Environment(), env)
		}
	}
	// The default is Test.
	c, err := New(Config{Username: "u", Password: secret.New("p"), PrivateKey: keyPEM})
	if err != nil {
		t.Fatal(err)
	}
	if c.s.endpoint != want[Test].url {
		t.Errorf("default endpoint %s", c.s.endpoint)
	}
}
