package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"reflect"
	"testing"
)

func FuzzSerialize(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.SerializationCases {
		f.Add(mustJSON(f, c.Input))
	}
	for _, c := range v.SignatureCases {
		f.Add(mustJSON(f, c.Data))
	}
	for _, s := range []string{
		`{"IP":"1","IntegrationModule":"2","ip":null,"å":{},"Ö":[]}`,
		`[1,-0,1e5,1.50,"\u00e5\ud83d\ude00",null,{"":""}]`,
		`{"a":true}`, `"x"`, `null`, `{"a":{"b":{"c":[[[]]]}}}`, `{"a":1,"a":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		dec := json.NewDecoder(bytes.NewReader(in))
		dec.UseNumber()
		var tree any
		if err := dec.Decode(&tree); err != nil {
			return
		}
		p1, err1 := Serialize("Method", "uuid", tree)
		p2, err2 := Serialize("Method", "uuid", tree)
		if !bytes.Equal(p1, p2) || (err1 == nil) != (err2 == nil) {
			t.Fatalf("not deterministic: %q/%v vs %q/%v", p1, err1, p2, err2)
		}
		if err1 != nil {
			// Decoded trees hold only strings, numbers, null, objects, arrays and
			// booleans; booleans are the only thing without a serialization.
			if !errors.Is(err1, ErrUnserializable) || !containsBool(tree) {
				t.Fatalf("unexpected error %v for %s", err1, in)
			}
			return
		}
		ref, ok := refSerialize(tree)
		if !ok || string(p1) != "Methoduuid"+ref {
			t.Fatalf("differs from the reference serializer:\n got %q\nwant %q", p1, "Methoduuid"+ref)
		}
		var streamed bytes.Buffer
		if err := WritePlaintext(&streamed, "Method", "uuid", tree); err != nil || !bytes.Equal(streamed.Bytes(), p1) {
			t.Fatalf("WritePlaintext differs: %v", err)
		}
		// Key order independence: the same tree written with shuffled members.
		h := fnv.New64a()
		h.Write(in)
		r := rand.New(rand.NewPCG(h.Sum64(), 1))
		shuffled := decodeJSON(t, shuffledJSON(tree, r))
		p3, err := Serialize("Method", "uuid", shuffled)
		if err != nil || !bytes.Equal(p1, p3) {
			t.Fatalf("shuffled member order changed the plaintext: %q vs %q (%v)", p1, p3, err)
		}
		// Normalize keeps a decoded tree as it is.
		n, err := Normalize(tree)
		if err != nil || !reflect.DeepEqual(n, tree) {
			t.Fatalf("Normalize changed a decoded tree: %v", err)
		}
	})
}

func FuzzDecodeNotification(f *testing.F) {
	v := loadVectors(f)
	priv := v.privateKey(f, "signaturetester_merchant_private")
	pub := v.publicKey(f, "signaturetester_merchant_public")
	for _, c := range v.SignatureCases {
		data, ok := c.Data.(map[string]any)
		if !ok {
			continue
		}
		body, err := EncodeNotification(priv, c.Method, c.UUID, data)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
		if c.Kind == "notification-verify" {
			f.Add(mustJSON(f, map[string]any{
				"method":  c.Method,
				"params":  map[string]any{"signature": c.Signature, "uuid": c.UUID, "data": data},
				"version": "1.1",
			}))
		}
	}
	f.Add([]byte(`{"method":"credit","params":{"signature":"","uuid":"","data":{}},"version":"1.1"}`))
	f.Add([]byte(`{"method":"credit","params":{"signature":"x","uuid":"u","data":{"a":true,"a":1}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := DecodeNotification(body, pub)
		if err != nil {
			if n != nil {
				t.Fatal("non-nil notification with an error")
			}
			return
		}
		if n.Method == "" || n.UUID == "" || n.Data == nil {
			t.Fatalf("incomplete notification accepted: %+v", n)
		}
		if !refVerify(pub, n.Method, n.UUID, n.Data, n.Signature) {
			t.Fatalf("accepted a notification without a valid signature: %s", body)
		}
		// The returned data is the tree in the body, as encoding/json sees it.
		var raw map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("accepted a body that encoding/json rejects: %v", err)
		}
		params, _ := raw["params"].(map[string]any)
		if raw["method"] != n.Method || params["uuid"] != n.UUID || params["signature"] != n.Signature ||
			!reflect.DeepEqual(params["data"], n.Data) {
			t.Fatalf("decoded notification differs from the body")
		}
	})
}
