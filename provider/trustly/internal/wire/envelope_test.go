package wire

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const testUUID = "6d3fca5c-8b33-4b5c-9a5e-3f6a7d1e2b40"

func depositData() map[string]any {
	return map[string]any{
		"Username":        "merchant_username",
		"Password":        "merchant_password",
		"NotificationURL": "https://merchant.example/notify/7f3a9c",
		"EndUserID":       "user-12345",
		"MessageID":       "order-0001",
		"Attributes": map[string]any{
			"Locale":                       "sv_SE",
			"Country":                      "SE",
			"Currency":                     "SEK",
			"Amount":                       "100.00",
			"Firstname":                    "Åsa",
			"Lastname":                     "Öberg",
			"Email":                        "asa@example.com",
			"MobilePhone":                  "+46709876543",
			"IP":                           "123.123.123.123",
			"NationalIdentificationNumber": "790131-1234",
			"SuccessURL":                   "https://merchant.example/ok?order=1&x=<y>",
			"FailURL":                      "https://merchant.example/fail?order=1",
			"ShopperStatement":             "Example Shop",
			"URLTarget":                    "_top",
			"ExternalReference":            nil,
			"HoldNotifications":            1,
		},
	}
}

func TestRequestRoundTrip(t *testing.T) {
	priv, pub := testKeys(t)
	data := depositData()
	body, err := EncodeRequest(priv, "Deposit", testUUID, data)
	if err != nil {
		t.Fatalf("EncodeRequest: %v", err)
	}
	again, err := EncodeRequest(priv, "Deposit", testUUID, depositData())
	if err != nil || !bytes.Equal(body, again) {
		t.Fatalf("EncodeRequest is not deterministic:\n%s\n%s", body, again)
	}
	if !bytes.HasPrefix(body, []byte(`{"method":"Deposit","params":{"Signature":"`)) ||
		!bytes.HasSuffix(body, []byte(`},"version":"1.1"}`)) {
		t.Fatalf("unexpected envelope: %s", body)
	}
	if !bytes.Contains(body, []byte(`order=1&x=<y>`)) || bytes.HasSuffix(body, []byte("\n")) {
		t.Fatalf("body is HTML-escaped or has a trailing newline: %s", body)
	}
	if !bytes.Contains(body, []byte(`"ExternalReference":null`)) || !bytes.Contains(body, []byte(`"HoldNotifications":1`)) {
		t.Fatalf("null or integer member not sent as given: %s", body)
	}

	req, err := DecodeRequest(body, pub)
	if err != nil {
		t.Fatalf("DecodeRequest: %v", err)
	}
	want, _ := Normalize(data)
	if req.Method != "Deposit" || req.UUID != testUUID || !reflect.DeepEqual(req.Data, want) {
		t.Fatalf("DecodeRequest = %+v", req)
	}
	if u, _ := req.Get("Username"); u != "merchant_username" {
		t.Fatalf("Get(Username) = %q", u)
	}
	// The body carries exactly the signed tree.
	sent, _ := Serialize("Deposit", testUUID, decodeJSON(t, body).(map[string]any)["params"].(map[string]any)["Data"])
	signed, _ := Serialize("Deposit", testUUID, data)
	if !bytes.Equal(sent, signed) {
		t.Fatalf("body data serializes to\n%s\nbut signed\n%s", sent, signed)
	}

	tampered := bytes.Replace(body, []byte(`"100.00"`), []byte(`"900.00"`), 1)
	if _, err := DecodeRequest(tampered, pub); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered request: err = %v", err)
	}
	if _, err := DecodeRequest(body, TrustlyTestPublicKey()); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong key: err = %v", err)
	}
	// ParseRequest lets a receiver read the merchant before choosing a key.
	unverified, err := ParseRequest(tampered)
	if err != nil || unverified.Verify(pub) == nil {
		t.Fatalf("ParseRequest/Verify on tampered body: %v", err)
	}
}

func TestEncodeRejectsBadInput(t *testing.T) {
	priv, _ := testKeys(t)
	if _, err := EncodeRequest(priv, "Deposit", testUUID, map[string]any{"Flag": true}); !errors.Is(err, ErrUnserializable) {
		t.Errorf("boolean: err = %v", err)
	}
	if _, err := EncodeRequest(priv, "Deposit", testUUID, map[string]any{"Amount": 1.5}); !errors.Is(err, ErrUnserializable) {
		t.Errorf("float: err = %v", err)
	}
	if _, err := EncodeRequest(priv, "", testUUID, nil); err == nil {
		t.Error("empty method accepted")
	}
	if _, err := EncodeRequest(priv, "Deposit", "", nil); err == nil {
		t.Error("empty uuid accepted")
	}
	if _, err := EncodeRequest(nil, "Deposit", testUUID, nil); err == nil {
		t.Error("nil key accepted")
	}
	if _, err := EncodeNotificationReply(priv, "credit", testUUID, ""); err == nil {
		t.Error("empty status accepted")
	}
	body, err := EncodeRequest(priv, "Balance", testUUID, nil)
	if err != nil || !bytes.Contains(body, []byte(`"Data":{}`)) {
		t.Errorf("nil data: %s, %v", body, err)
	}
}

func TestResponseRoundTrip(t *testing.T) {
	priv, pub := testKeys(t)
	data := map[string]any{"orderid": "2153587137", "url": "https://test.trustly.com/_/orderclient.php?SessionID=1&OrderID=2153587137&Locale="}
	body, err := EncodeResult(priv, "Deposit", testUUID, data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := DecodeResponse(body, pub, "Deposit", testUUID)
	if err != nil {
		t.Fatalf("DecodeResponse: %v", err)
	}
	if !reflect.DeepEqual(res.Data, map[string]any{"orderid": "2153587137", "url": data["url"]}) {
		t.Fatalf("Data = %v", res.Data)
	}
	var mm *MismatchError
	if _, err := DecodeResponse(body, pub, "Deposit", "00000000-0000-0000-0000-000000000000"); !errors.As(err, &mm) || mm.Field != "uuid" {
		t.Fatalf("uuid mismatch: err = %v", err)
	}
	if _, err := DecodeResponse(body, pub, "Refund", testUUID); !errors.As(err, &mm) || mm.Field != "method" {
		t.Fatalf("method mismatch: err = %v", err)
	}
	if _, err := DecodeResponse(body, TrustlyLivePublicKey(), "Deposit", testUUID); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong key: err = %v", err)
	}

	// Array data (Balance) and numbers that must keep their text.
	list := []any{
		map[string]any{"currency": "EUR", "balance": json.Number("5.00000000000000000000")},
		map[string]any{"currency": "SEK", "balance": json.Number("3298150342")},
	}
	body, err = EncodeResult(priv, "Balance", testUUID, list)
	if err != nil {
		t.Fatal(err)
	}
	res, err = DecodeResponse(body, pub, "Balance", testUUID)
	if err != nil || !reflect.DeepEqual(res.Data, list) {
		t.Fatalf("array result: %+v, %v", res, err)
	}
}

func TestSignedErrorResponse(t *testing.T) {
	priv, pub := testKeys(t)
	body, err := EncodeError(priv, "Deposit", testUUID, CodeInvalidCredentials, CodeName(CodeInvalidCredentials))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte(`"data":{"code":616,"message":"ERROR_INVALID_CREDENTIALS"}`)) {
		t.Fatalf("unexpected error body: %s", body)
	}
	_, err = DecodeResponse(body, pub, "Deposit", testUUID)
	var rpc *RPCError
	if !errors.As(err, &rpc) {
		t.Fatalf("err = %v, want *RPCError", err)
	}
	want := RPCError{Code: 616, Message: "ERROR_INVALID_CREDENTIALS", Name: "JSONRPCError", Signed: true, UUID: testUUID, Method: "Deposit"}
	if *rpc != want {
		t.Fatalf("RPCError = %+v", *rpc)
	}
	var mm *MismatchError
	if _, err := DecodeResponse(body, pub, "Deposit", "other"); !errors.As(err, &mm) {
		t.Fatalf("uuid mismatch: err = %v", err)
	}
	tampered := bytes.Replace(body, []byte(`"data":{"code":616`), []byte(`"data":{"code":617`), 1)
	if _, err := DecodeResponse(tampered, pub, "Deposit", testUUID); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered error: err = %v", err)
	}

	// Null uuid and method (request not understood): signed over "" and accepted.
	body, err = EncodeError(priv, "", "", CodeUnknown, "ERROR_UNKNOWN")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte(`"uuid":null,"method":null`)) {
		t.Fatalf("expected null uuid and method: %s", body)
	}
	_, err = DecodeResponse(body, pub, "Deposit", testUUID)
	if !errors.As(err, &rpc) || !rpc.Signed || rpc.Code != CodeUnknown || rpc.UUID != "" {
		t.Fatalf("null-id error: %v", err)
	}

	// A code sent as a string.
	data := map[string]any{"code": "623", "message": "ERROR_INVALID_PARAMETERS"}
	sig, err := Sign(priv, "Refund", testUUID, data)
	if err != nil {
		t.Fatal(err)
	}
	body = mustJSON(t, map[string]any{"version": "1.1", "error": map[string]any{
		"name": "JSONRPCError", "code": "623", "message": "ERROR_INVALID_PARAMETERS",
		"error": map[string]any{"signature": sig, "uuid": testUUID, "method": "Refund", "data": data},
	}})
	_, err = DecodeResponse(body, pub, "Refund", testUUID)
	if !errors.As(err, &rpc) || rpc.Code != 623 || !rpc.Signed {
		t.Fatalf("string code: %v", err)
	}
}

func TestUnsignedErrorResponse(t *testing.T) {
	_, pub := testKeys(t)
	body, err := EncodeUnsignedError(CodeUnknown, "ERROR_UNKNOWN")
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"version":"1.1","error":{"name":"JSONRPCError","code":620,"message":"ERROR_UNKNOWN"}}` {
		t.Fatalf("unexpected body %s", body)
	}
	for _, b := range [][]byte{
		body,
		[]byte(`{"version":"1.1","error":{"name":"JSONRPCError","code":"620","message":"ERROR_UNKNOWN","error":null}}`),
	} {
		_, err := DecodeResponse(b, pub, "Deposit", testUUID)
		var rpc *RPCError
		if !errors.As(err, &rpc) {
			t.Fatalf("%s: err = %v", b, err)
		}
		if rpc.Signed || rpc.Code != 620 || rpc.Message != "ERROR_UNKNOWN" || !strings.Contains(rpc.Error(), "unsigned") {
			t.Fatalf("%s: %+v", b, *rpc)
		}
	}
}

func TestNotificationRoundTrip(t *testing.T) {
	priv, pub := testKeys(t)
	data := map[string]any{
		"amount": "902.50", "currency": "EUR", "messageid": "order-0001", "orderid": json.Number("1436036017"),
		"enduserid": "user-12345", "notificationid": "2425010523", "timestamp": "2010-01-20 14:42:04.675645+01",
		"attributes": map[string]any{"ref": "x"},
	}
	body, err := EncodeNotification(priv, "credit", testUUID, data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(body, []byte(`{"method":"credit","params":{"signature":"`)) {
		t.Fatalf("unexpected envelope: %s", body)
	}
	n, err := DecodeNotification(body, pub)
	if err != nil {
		t.Fatalf("DecodeNotification: %v", err)
	}
	if n.Method != "credit" || n.UUID != testUUID || n.OrderID() != "1436036017" || n.Amount() != "902.50" ||
		n.Currency() != "EUR" || n.NotificationID() != "2425010523" || n.MessageID() != "order-0001" ||
		n.EndUserID() != "user-12345" || n.Timestamp() != "2010-01-20 14:42:04.675645+01" || n.Attributes()["ref"] != "x" {
		t.Fatalf("notification = %+v", n)
	}
	if _, ok := n.Get("missing"); ok {
		t.Fatal("Get of a missing member reported ok")
	}

	reply, err := EncodeNotificationReply(priv, n.Method, n.UUID, "OK")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(reply, []byte(`{"result":{"signature":"`)) ||
		!bytes.HasSuffix(reply, []byte(`"uuid":"`+testUUID+`","method":"credit","data":{"status":"OK"}},"version":"1.1"}`)) {
		t.Fatalf("unexpected reply: %s", reply)
	}
	status, err := DecodeNotificationReply(reply, pub, "credit", testUUID)
	if err != nil || status != "OK" {
		t.Fatalf("DecodeNotificationReply = %q, %v", status, err)
	}
	var mm *MismatchError
	if _, err := DecodeNotificationReply(reply, pub, "debit", testUUID); !errors.As(err, &mm) || mm.Field != "method" {
		t.Fatalf("method mismatch: %v", err)
	}
	// Anything added to data after signing breaks the reply.
	extra := bytes.Replace(reply, []byte(`{"status":"OK"}`), []byte(`{"status":"OK","message":"x"}`), 1)
	if _, err := DecodeNotificationReply(extra, pub, "credit", testUUID); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("unsigned member in reply data: %v", err)
	}

	for name, b := range map[string][]byte{
		"amount":  bytes.Replace(body, []byte(`"902.50"`), []byte(`"902.51"`), 1),
		"uuid":    bytes.Replace(body, []byte(testUUID), []byte(changeLast(testUUID)), 1),
		"method":  bytes.Replace(body, []byte(`"credit"`), []byte(`"debit"`), 1),
		"number":  bytes.Replace(body, []byte(`1436036017`), []byte(`"1436036017"`), 1), // same text, still verifies
		"dropped": bytes.Replace(body, []byte(`"attributes":{"ref":"x"},`), nil, 1),
	} {
		_, err := DecodeNotification(b, pub)
		if name == "number" {
			if err != nil {
				t.Errorf("number sent as string: %v", err)
			}
			continue
		}
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("tampered %s: err = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestNotificationWithBooleanFailsClosed(t *testing.T) {
	_, pub := testKeys(t)
	body := []byte(`{"method":"account","params":{"signature":"` + strings.Repeat("A", 342) + `==","uuid":"u","data":{"verified":true}},"version":"1.1"}`)
	_, err := DecodeNotification(body, pub)
	if !errors.Is(err, ErrBadSignature) || !errors.Is(err, ErrUnserializable) {
		t.Fatalf("err = %v", err)
	}
}

func TestBodyLimits(t *testing.T) {
	priv, pub := testKeys(t)
	body, err := EncodeNotification(priv, "credit", testUUID, map[string]any{"pad": strings.Repeat("x", 1000)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeNotification(body, pub, WithMaxBodySize(int64(len(body)))); err != nil {
		t.Fatalf("body at the limit: %v", err)
	}
	if _, err := DecodeNotification(body, pub, WithMaxBodySize(int64(len(body)-1))); !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrMalformed) {
		t.Fatalf("body over a custom limit: %v", err)
	}
	huge := make([]byte, DefaultMaxBodySize+1)
	for i := range huge {
		huge[i] = ' '
	}
	for name, decode := range decoders(pub) {
		if err := decode(huge); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: huge body: err = %v", name, err)
		}
	}

	got, err := ReadBody(bytes.NewReader(body), int64(len(body)))
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("ReadBody at the limit: %v", err)
	}
	if _, err := ReadBody(bytes.NewReader(body), int64(len(body)-1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadBody over the limit: %v", err)
	}

	deep := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	deepBody := []byte(`{"method":"credit","params":{"signature":"x","uuid":"u","data":{"a":` + deep + `}},"version":"1.1"}`)
	if _, err := DecodeNotification(deepBody, pub); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("deep body: %v", err)
	}
	if _, err := DecodeNotification(deepBody, pub, WithMaxDepth(300)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("deep body with a higher limit should reach verification: %v", err)
	}
}

// decoders wraps every decoder to a common shape for table tests.
func decoders(pub *rsa.PublicKey) map[string]func([]byte) error {
	return map[string]func([]byte) error{
		"DecodeRequest":           func(b []byte) error { _, err := DecodeRequest(b, pub); return err },
		"ParseRequest":            func(b []byte) error { _, err := ParseRequest(b); return err },
		"DecodeResponse":          func(b []byte) error { _, err := DecodeResponse(b, pub, "Deposit", testUUID); return err },
		"DecodeNotification":      func(b []byte) error { _, err := DecodeNotification(b, pub); return err },
		"DecodeNotificationReply": func(b []byte) error { _, err := DecodeNotificationReply(b, pub, "credit", testUUID); return err },
	}
}

func TestMalformedBodies(t *testing.T) {
	_, pub := testKeys(t)
	common := []string{
		``, ` `, `{`, `[]`, `null`, `"x"`, `1`, `{"a":1}{}`, `{"a":1} x`, `{"a" 1}`, `{"a":1,}`, `{'a':1}`,
		`{"a":1,"a":2}`, `{"version":"2.0"}`, `{"version":1.2}`, `{"version":true}`, "{\"a\":\"\xff\"}",
		`{"result":{"data":{"x":1,"x":1}}}`,
	}
	for name, decode := range decoders(pub) {
		for _, b := range common {
			if err := decode([]byte(b)); !errors.Is(err, ErrMalformed) {
				t.Errorf("%s(%q): err = %v, want ErrMalformed", name, b, err)
			}
		}
	}
	sig := strings.Repeat("A", 342) + "=="
	perDecoder := map[string][]string{
		"DecodeResponse": {
			`{"version":"1.1"}`,
			`{"version":"1.1","result":null,"error":null}`,
			`{"version":"1.1","result":{},"error":{}}`,
			`{"version":"1.1","result":"x"}`,
			`{"version":"1.1","result":{"uuid":"u","method":"m","data":{}}}`,
			`{"version":"1.1","result":{"signature":"` + sig + `","method":"m","data":{}}}`,
			`{"version":"1.1","result":{"signature":"` + sig + `","uuid":"u","data":{}}}`,
			`{"version":"1.1","result":{"signature":"` + sig + `","uuid":"u","method":"m"}}`,
			`{"version":"1.1","result":{"signature":"` + sig + `","uuid":1,"method":"m","data":{}}}`,
			`{"version":"1.1","error":"boom"}`,
			`{"version":"1.1","error":{"code":620,"error":"x"}}`,
			`{"version":"1.1","error":{"code":620,"error":{"uuid":null,"method":null,"data":{}}}}`,
		},
		"DecodeNotification": {
			`{"params":{"signature":"` + sig + `","uuid":"u","data":{}},"version":"1.1"}`,
			`{"method":"","params":{"signature":"` + sig + `","uuid":"u","data":{}},"version":"1.1"}`,
			`{"method":"credit","version":"1.1"}`,
			`{"method":"credit","params":[],"version":"1.1"}`,
			`{"method":"credit","params":{"uuid":"u","data":{}},"version":"1.1"}`,
			`{"method":"credit","params":{"signature":"` + sig + `","data":{}},"version":"1.1"}`,
			`{"method":"credit","params":{"signature":"` + sig + `","uuid":"u"},"version":"1.1"}`,
			`{"method":"credit","params":{"signature":"` + sig + `","uuid":"u","data":[]},"version":"1.1"}`,
			`{"method":"credit","params":{"signature":"` + sig + `","uuid":"u","data":"x"},"version":"1.1"}`,
			`{"method":"credit","params":{"Signature":"` + sig + `","UUID":"u","Data":{}},"version":"1.1"}`,
		},
		"DecodeRequest": {
			`{"method":"Deposit","params":{"signature":"` + sig + `","uuid":"u","data":{}},"version":"1.1"}`,
			`{"method":"Deposit","params":{"Signature":"` + sig + `","UUID":"u","Data":null},"version":"1.1"}`,
		},
		"DecodeNotificationReply": {
			`{"result":{"signature":"` + sig + `","uuid":"u","method":"credit","data":{}},"version":"1.1"}`,
			`{"result":{"signature":"` + sig + `","uuid":"u","method":"credit","data":{"status":""}},"version":"1.1"}`,
			`{"result":{"signature":"` + sig + `","uuid":"u","method":"credit","data":"OK"},"version":"1.1"}`,
			`{"error":{"code":620},"version":"1.1"}`,
		},
	}
	all := decoders(pub)
	for name, bodies := range perDecoder {
		for _, b := range bodies {
			if err := all[name]([]byte(b)); !errors.Is(err, ErrMalformed) {
				t.Errorf("%s(%s): err = %v, want ErrMalformed", name, b, err)
			}
		}
	}
}
