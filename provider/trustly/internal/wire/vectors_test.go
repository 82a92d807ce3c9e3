package wire

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestSerializationVectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.SerializationCases {
		t.Run(c.Name, func(t *testing.T) {
			got, err := Serialize("", "", c.Input)
			if err != nil {
				t.Fatalf("Serialize: %v", err)
			}
			if string(got) != c.Expected {
				t.Fatalf("serialization\n got %q\nwant %q", got, c.Expected)
			}
			// The same tree received in a body, with members in another order, serializes
			// identically.
			again, err := Serialize("", "", decodeJSON(t, mustJSON(t, c.Input)))
			if err != nil || string(again) != c.Expected {
				t.Fatalf("after a JSON round trip: %q, %v", again, err)
			}
		})
	}
}

// TestSignatureVectors runs every signature case of the vector file, dispatched by kind.
func TestSignatureVectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.SignatureCases {
		t.Run(c.Name, func(t *testing.T) {
			check, ok := kindChecks[c.Kind]
			if !ok {
				t.Fatalf("unknown kind %q: add a check for it", c.Kind)
			}
			pub := v.publicKey(t, c.VerifyKey)
			var priv *rsa.PrivateKey
			if c.SignKey != "" {
				priv = v.privateKey(t, c.SignKey)
			}
			checkSignatureCase(t, c, pub, priv)
			check(t, c, pub, priv)
		})
	}
}

// checkSignatureCase runs the checks every signature case gets: plaintext, verification,
// byte-identical re-signing, and rejection of tampered copies.
func checkSignatureCase(t *testing.T, c signatureCase, pub *rsa.PublicKey, priv *rsa.PrivateKey) {
	t.Helper()
	plain, err := Serialize(c.Method, c.UUID, c.Data)
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	if string(plain) != c.Plaintext {
		t.Fatalf("plaintext\n got %q\nwant %q", plain, c.Plaintext)
	}
	if err := Verify(pub, c.Method, c.UUID, c.Data, c.Signature); err != nil {
		t.Fatalf("Verify with %s: %v", c.VerifyKey, err)
	}
	if priv != nil {
		sig, err := Sign(priv, c.Method, c.UUID, c.Data)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		if sig != c.Signature {
			t.Fatalf("re-signed signature differs\n got %s\nwant %s", sig, c.Signature)
		}
	}

	tampered, ok := tamper(t, c.Data)
	if !ok {
		t.Fatalf("data holds no string or number to tamper with")
	}
	if err := Verify(pub, c.Method, c.UUID, tampered, c.Signature); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered data: Verify = %v, want ErrBadSignature", err)
	}
	if err := Verify(pub, c.Method, changeLast(c.UUID), c.Data, c.Signature); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered uuid: Verify = %v, want ErrBadSignature", err)
	}
	if err := Verify(pub, changeLast(c.Method), c.UUID, c.Data, c.Signature); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered method: Verify = %v, want ErrBadSignature", err)
	}
	sig := []byte(c.Signature)
	sig[10] ^= 0x01 // still Base64, different bytes
	if err := Verify(pub, c.Method, c.UUID, c.Data, string(sig)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered signature: Verify = %v, want ErrBadSignature", err)
	}
}

type kindCheck func(t *testing.T, c signatureCase, pub *rsa.PublicKey, priv *rsa.PrivateKey)

// kindChecks exercise the envelope of each kind with the case's method, uuid, data and
// signature.
var kindChecks = map[string]kindCheck{
	"request-sign":               checkRequestCase,
	"response-verify":            checkResponseCase,
	"error-response-verify":      checkErrorResponseCase,
	"notification-verify":        checkNotificationCase,
	"notification-response-sign": checkNotificationReplyCase,
}

func dataObject(t *testing.T, c signatureCase) map[string]any {
	t.Helper()
	m, ok := c.Data.(map[string]any)
	if !ok {
		t.Fatalf("kind %s needs object data, got %T", c.Kind, c.Data)
	}
	return m
}

func checkRequestCase(t *testing.T, c signatureCase, pub *rsa.PublicKey, priv *rsa.PrivateKey) {
	data := dataObject(t, c)
	body := mustJSON(t, map[string]any{
		"method":  c.Method,
		"params":  map[string]any{"Signature": c.Signature, "UUID": c.UUID, "Data": data},
		"version": "1.1",
	})
	req, err := DecodeRequest(body, pub)
	if err != nil {
		t.Fatalf("DecodeRequest: %v", err)
	}
	if req.Method != c.Method || req.UUID != c.UUID || !reflect.DeepEqual(req.Data, data) {
		t.Fatalf("DecodeRequest = %+v", req)
	}
	if priv == nil {
		return
	}
	enc, err := EncodeRequest(priv, c.Method, c.UUID, data)
	if err != nil {
		t.Fatalf("EncodeRequest: %v", err)
	}
	got, err := ParseRequest(enc)
	if err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}
	if got.Signature != c.Signature {
		t.Fatalf("EncodeRequest signature %s, want %s", got.Signature, c.Signature)
	}
	if err := got.Verify(pub); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func checkResponseCase(t *testing.T, c signatureCase, pub *rsa.PublicKey, priv *rsa.PrivateKey) {
	body := mustJSON(t, map[string]any{
		"version": "1.1",
		"result":  map[string]any{"signature": c.Signature, "uuid": c.UUID, "method": c.Method, "data": c.Data},
	})
	res, err := DecodeResponse(body, pub, c.Method, c.UUID)
	if err != nil {
		t.Fatalf("DecodeResponse: %v", err)
	}
	if res.Method != c.Method || res.UUID != c.UUID || !reflect.DeepEqual(res.Data, c.Data) {
		t.Fatalf("DecodeResponse = %+v", res)
	}
	var mm *MismatchError
	if _, err := DecodeResponse(body, pub, c.Method, changeLast(c.UUID)); !errors.As(err, &mm) || mm.Field != "uuid" {
		t.Errorf("other expected uuid: err = %v, want uuid MismatchError", err)
	}
	if _, err := DecodeResponse(body, pub, changeLast(c.Method), c.UUID); !errors.As(err, &mm) || mm.Field != "method" {
		t.Errorf("other expected method: err = %v, want method MismatchError", err)
	}
	tampered, _ := tamper(t, c.Data)
	bad := mustJSON(t, map[string]any{
		"version": "1.1",
		"result":  map[string]any{"signature": c.Signature, "uuid": c.UUID, "method": c.Method, "data": tampered},
	})
	if _, err := DecodeResponse(bad, pub, c.Method, c.UUID); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered body: err = %v, want ErrBadSignature", err)
	}
	if priv != nil {
		enc, err := EncodeResult(priv, c.Method, c.UUID, c.Data)
		if err != nil {
			t.Fatalf("EncodeResult: %v", err)
		}
		res, err := DecodeResponse(enc, pub, c.Method, c.UUID)
		if err != nil || res.Signature != c.Signature {
			t.Fatalf("EncodeResult round trip: %+v, %v", res, err)
		}
	}
}

func checkErrorResponseCase(t *testing.T, c signatureCase, pub *rsa.PublicKey, priv *rsa.PrivateKey) {
	data := dataObject(t, c)
	code, ok := parseCode(data["code"])
	if !ok {
		t.Fatalf("error data has no integer code: %v", data)
	}
	msg, _ := data["message"].(string)
	body := mustJSON(t, map[string]any{
		"version": "1.1",
		"error": map[string]any{
			"name": "JSONRPCError", "code": data["code"], "message": msg,
			"error": map[string]any{"signature": c.Signature, "uuid": c.UUID, "method": c.Method, "data": data},
		},
	})
	_, err := DecodeResponse(body, pub, c.Method, c.UUID)
	var rpc *RPCError
	if !errors.As(err, &rpc) {
		t.Fatalf("DecodeResponse err = %v, want *RPCError", err)
	}
	want := RPCError{Code: code, Message: msg, Name: "JSONRPCError", Signed: true, UUID: c.UUID, Method: c.Method}
	if *rpc != want {
		t.Fatalf("RPCError = %+v, want %+v", *rpc, want)
	}
	var mm *MismatchError
	if _, err := DecodeResponse(body, pub, c.Method, changeLast(c.UUID)); !errors.As(err, &mm) {
		t.Errorf("other expected uuid: err = %v, want MismatchError", err)
	}
	tampered, _ := tamper(t, data)
	bad := mustJSON(t, map[string]any{
		"version": "1.1",
		"error": map[string]any{
			"name": "JSONRPCError", "code": data["code"], "message": msg,
			"error": map[string]any{"signature": c.Signature, "uuid": c.UUID, "method": c.Method, "data": tampered},
		},
	})
	if _, err := DecodeResponse(bad, pub, c.Method, c.UUID); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered body: err = %v, want ErrBadSignature", err)
	}
	if priv != nil && len(data) == 2 {
		enc, err := EncodeError(priv, c.Method, c.UUID, code, msg)
		if err != nil {
			t.Fatalf("EncodeError: %v", err)
		}
		v := decodeJSON(t, enc).(map[string]any)
		inner := v["error"].(map[string]any)["error"].(map[string]any)
		if inner["signature"] != c.Signature {
			t.Fatalf("EncodeError signature %v, want %s", inner["signature"], c.Signature)
		}
	}
}

func checkNotificationCase(t *testing.T, c signatureCase, pub *rsa.PublicKey, priv *rsa.PrivateKey) {
	data := dataObject(t, c)
	body := mustJSON(t, map[string]any{
		"method":  c.Method,
		"params":  map[string]any{"signature": c.Signature, "uuid": c.UUID, "data": data},
		"version": "1.1",
	})
	n, err := DecodeNotification(body, pub)
	if err != nil {
		t.Fatalf("DecodeNotification: %v", err)
	}
	if n.Method != c.Method || n.UUID != c.UUID || !reflect.DeepEqual(n.Data, data) {
		t.Fatalf("DecodeNotification = %+v", n)
	}
	getters := map[string]func() string{
		"notificationid": n.NotificationID, "orderid": n.OrderID, "messageid": n.MessageID,
		"enduserid": n.EndUserID, "amount": n.Amount, "currency": n.Currency, "timestamp": n.Timestamp,
	}
	for key, get := range getters {
		want, _ := Scalar(data[key])
		if got := get(); got != want {
			t.Errorf("getter for %s = %q, want %q", key, got, want)
		}
	}
	tampered, _ := tamper(t, data)
	bad := mustJSON(t, map[string]any{
		"method":  c.Method,
		"params":  map[string]any{"signature": c.Signature, "uuid": c.UUID, "data": tampered},
		"version": "1.1",
	})
	if _, err := DecodeNotification(bad, pub); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered notification: err = %v, want ErrBadSignature", err)
	}
	badUUID := mustJSON(t, map[string]any{
		"method":  c.Method,
		"params":  map[string]any{"signature": c.Signature, "uuid": changeLast(c.UUID), "data": data},
		"version": "1.1",
	})
	if _, err := DecodeNotification(badUUID, pub); !errors.Is(err, ErrBadSignature) {
		t.Errorf("notification with tampered uuid: err = %v, want ErrBadSignature", err)
	}
	if priv != nil {
		enc, err := EncodeNotification(priv, c.Method, c.UUID, data)
		if err != nil {
			t.Fatalf("EncodeNotification: %v", err)
		}
		n, err := DecodeNotification(enc, pub)
		if err != nil || n.Signature != c.Signature {
			t.Fatalf("EncodeNotification round trip: %+v, %v", n, err)
		}
	}
}

func checkNotificationReplyCase(t *testing.T, c signatureCase, pub *rsa.PublicKey, priv *rsa.PrivateKey) {
	data := dataObject(t, c)
	status, ok := data["status"].(string)
	if !ok || len(data) != 1 {
		t.Fatalf("reply data must be exactly {\"status\": string}, got %v", data)
	}
	body := mustJSON(t, map[string]any{
		"result":  map[string]any{"signature": c.Signature, "uuid": c.UUID, "method": c.Method, "data": data},
		"version": "1.1",
	})
	if priv != nil {
		var err error
		if body, err = EncodeNotificationReply(priv, c.Method, c.UUID, status); err != nil {
			t.Fatalf("EncodeNotificationReply: %v", err)
		}
		v := decodeJSON(t, body).(map[string]any)
		if got := v["result"].(map[string]any)["signature"]; got != c.Signature {
			t.Fatalf("EncodeNotificationReply signature %v, want %s", got, c.Signature)
		}
	}
	got, err := DecodeNotificationReply(body, pub, c.Method, c.UUID)
	if err != nil || got != status {
		t.Fatalf("DecodeNotificationReply = %q, %v; want %q", got, err, status)
	}
	var mm *MismatchError
	if _, err := DecodeNotificationReply(body, pub, c.Method, changeLast(c.UUID)); !errors.As(err, &mm) {
		t.Errorf("other expected uuid: err = %v, want MismatchError", err)
	}
	bad := mustJSON(t, map[string]any{
		"result":  map[string]any{"signature": c.Signature, "uuid": c.UUID, "method": c.Method, "data": map[string]any{"status": changeLast(status)}},
		"version": "1.1",
	})
	if _, err := DecodeNotificationReply(bad, pub, c.Method, c.UUID); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered reply: err = %v, want ErrBadSignature", err)
	}
}

// TestVectorNumbersStayText guards the premise of the vector tests: numbers in the vector
// data reach the serializer as json.Number, not float64.
func TestVectorNumbersStayText(t *testing.T) {
	v := loadVectors(t)
	var walk func(any)
	walk = func(x any) {
		switch y := x.(type) {
		case float64:
			t.Fatalf("vector data decoded a number as float64: %v", y)
		case map[string]any:
			for _, e := range y {
				walk(e)
			}
		case []any:
			for _, e := range y {
				walk(e)
			}
		case json.Number, string, nil:
		}
	}
	for _, c := range v.SignatureCases {
		walk(c.Data)
	}
	for _, c := range v.SerializationCases {
		walk(c.Input)
	}
}
