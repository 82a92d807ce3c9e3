package signing

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// flattenPairs turns a vector's nested establish data into dotted pairs with each value's
// signed text, as a signer building its own establish data would send them.
func flattenPairs(t *testing.T, prefix string, m map[string]any, out *[]Pair) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flattenPairs(t, prefix+k+".", sub, out)
			continue
		}
		text, skip, err := valueText(v)
		if err != nil {
			if _, signed := keyIndex[prefix+k]; signed {
				t.Fatalf("%s%s: %v", prefix, k, err)
			}
			continue
		}
		if !skip {
			*out = append(*out, Pair{Key: prefix + k, Value: text})
		}
	}
}

// TestCanonicalFieldsAgreesWithVectors checks CanonicalFields and RequestSignatureFields
// against every request-signature vector, with the pairs in random orders.
func TestCanonicalFieldsAgreesWithVectors(t *testing.T) {
	v := loadVectors(t)
	for _, m := range v.RequestSignatureCases {
		t.Run(caseName(t, m), func(t *testing.T) {
			c := newCase(t, m, "accessKey", "establishData", "canonical", "signature")
			var pairs []Pair
			flattenPairs(t, "", c.object("establishData"), &pairs)
			for round := range 6 {
				if round == 0 {
					inSignedOrder(pairs) // the order appendInOrder reads without lookups
				} else {
					rand.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
				}
				got, err := CanonicalFields(pairs)
				if err != nil || got != c.str("canonical") {
					t.Fatalf("CanonicalFields = %q, %v\nwant %q", got, err, c.str("canonical"))
				}
				sig, err := RequestSignatureFields([]byte(c.str("accessKey")), pairs, HMACSHA1)
				if err != nil || sig != c.str("signature") {
					t.Fatalf("RequestSignatureFields = %q, %v; want %q", sig, err, c.str("signature"))
				}
				// A FieldSigner, used twice so that the second call reuses its HMAC state,
				// agrees with the vector too, and for SHA-512 with RequestSignatureFields.
				fs, err := NewFieldSigner([]byte(c.str("accessKey")), HMACSHA1)
				if err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if sig, err := fs.Sign(pairs); err != nil || sig != c.str("signature") {
						t.Fatalf("FieldSigner.Sign = %q, %v; want %q", sig, err, c.str("signature"))
					}
				}
				fs512, _ := NewFieldSigner([]byte(c.str("accessKey")), HMACSHA512)
				want512, _ := RequestSignatureFields([]byte(c.str("accessKey")), pairs, HMACSHA512)
				for range 2 {
					if sig, err := fs512.Sign(pairs); err != nil || sig != want512 {
						t.Fatalf("FieldSigner.Sign (SHA-512) = %q, %v; want %q", sig, err, want512)
					}
				}
			}
		})
	}
}

func TestCanonicalFieldsErrors(t *testing.T) {
	if _, err := CanonicalFields([]Pair{{"amount", "1.00"}, {"amount", "2.00"}}); !errors.Is(err, ErrInvalidEstablishData) {
		t.Errorf("repeated key: %v", err)
	}
	if s, err := CanonicalFields([]Pair{{"returnUrl", "x"}, {"amount", ""}, {"accessId", "a"}}); err != nil || s != "accessId=a" {
		t.Errorf("= %q, %v", s, err)
	}
	if _, err := RequestSignatureFields(nil, nil, HMACSHA1); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("no key: %v", err)
	}
	if _, err := RequestSignatureFields([]byte("k"), nil, Algorithm(9)); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("bad algorithm: %v", err)
	}
}

// FuzzCanonicalFields builds establish data from fuzz input both as dotted pairs and as the
// nested object, and checks that CanonicalFields and Canonical agree.
func FuzzCanonicalFields(f *testing.F) {
	f.Add([]byte{0, 'a', 1, 'b', 20, ' ', 45, '&'}, "v=1&x")
	f.Add([]byte{3, 3}, "")
	f.Fuzz(func(t *testing.T, picks []byte, value string) {
		var pairs []Pair
		nested := map[string]any{}
		seen := map[int]bool{}
		for i := 0; i+1 < len(picks) && len(pairs) < 20; i += 2 {
			k := int(picks[i]) % len(signedKeys)
			if seen[k] {
				continue
			}
			seen[k] = true
			v := value + string(rune(picks[i+1]))
			pairs = append(pairs, Pair{Key: signedKeys[k], Value: v})
			m := nested
			parts := strings.Split(signedKeys[k], ".")
			for _, p := range parts[:len(parts)-1] {
				sub, ok := m[p].(map[string]any)
				if !ok {
					sub = map[string]any{}
					m[p] = sub
				}
				m = sub
			}
			m[parts[len(parts)-1]] = v
		}
		want, err := Canonical(nested)
		if err != nil {
			t.Fatalf("Canonical: %v", err)
		}
		got, err := CanonicalFields(pairs)
		if err != nil || got != want {
			t.Fatalf("CanonicalFields = %q, %v; Canonical = %q", got, err, want)
		}
		inSignedOrder(pairs)
		if _, ok := appendInOrder(nil, pairs); !ok {
			t.Fatalf("appendInOrder refused pairs in the signed order: %q", pairs)
		}
		got, err = CanonicalFields(pairs)
		if err != nil || got != want {
			t.Fatalf("CanonicalFields (in the signed order) = %q, %v; Canonical = %q", got, err, want)
		}
	})
}

// inSignedOrder sorts pairs of signed keys into the signed keys' order.
func inSignedOrder(pairs []Pair) {
	slices.SortFunc(pairs, func(a, b Pair) int { return keyIndex[a.Key] - keyIndex[b.Key] })
}

func TestAppendInOrderRefusesOtherOrders(t *testing.T) {
	for _, pairs := range [][]Pair{
		{{"amount", "1.00"}, {"accessId", "a"}},  // out of order
		{{"amount", "1.00"}, {"amount", "2.00"}}, // repeated
		{{"accessId", "a"}, {"returnUrl", "x"}},  // not signed
	} {
		if out, ok := appendInOrder([]byte("x"), pairs); ok || string(out) != "x" {
			t.Errorf("%q: appendInOrder = %q, %v", pairs, out, ok)
		}
	}
	if out, ok := appendInOrder(nil, []Pair{{"accessId", "a"}, {"description", ""}, {"amount", "1.00"}}); !ok || string(out) != "accessId=a&amount=1.00" {
		t.Errorf("appendInOrder = %q, %v", out, ok)
	}
}
