package wire

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

const ledgerMethod = "AccountLedger"

// order is how the members of result are arranged in a hand-built body.
type order struct {
	name     string
	sigFirst bool // signature before data
	idsFirst bool // uuid and method before data
}

var orders = []order{
	{"signature,ids,data", true, true},
	{"signature,data,ids", true, false},
	{"ids,data,signature", false, true},
	{"data,ids,signature", false, false},
}

// signedResponse builds a response whose result.data is dataJSON, written verbatim, with the
// members of result in the given order. The signature covers the tree encoding/json reads
// from dataJSON.
func signedResponse(t testing.TB, method, uuid string, dataJSON []byte, o order) []byte {
	t.Helper()
	priv, _ := testKeys(t)
	sig, err := Sign(priv, method, uuid, decodeJSON(t, dataJSON))
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return buildBody(method, uuid, sig, dataJSON, o)
}

func buildBody(method, uuid, sig string, dataJSON []byte, o order) []byte {
	ids := fmt.Sprintf(`"uuid":%q,"method":%q`, uuid, method)
	parts := []string{`"data":` + string(dataJSON)}
	if o.idsFirst {
		parts = append([]string{ids}, parts...)
	} else {
		parts = append(parts, ids)
	}
	if o.sigFirst {
		parts = append([]string{`"signature":"` + sig + `"`}, parts...)
	} else {
		parts = append(parts, `"signature":"`+sig+`"`)
	}
	return []byte(`{"version":"1.1","result":{` + strings.Join(parts, ",") + "}}")
}

// streamArray runs StreamArrayResult and returns, per element, the text Element reports
// for each member name of the matching element of want (plus one absent name); nil for
// an element that is not an object.
func streamArray(r io.Reader, pub *rsa.PublicKey, want []any, opts ...DecodeOption) ([]map[string]any, error) {
	var out []map[string]any
	err := StreamArrayResult(r, pub, ledgerMethod, testUUID, func(e *Element) error {
		// Scalars gives the same members as Text, in byte order of their names.
		seen := map[string]any{}
		var prev []byte
		for name, v := range e.Scalars() {
			if prev != nil && bytes.Compare(prev, name) >= 0 {
				return fmt.Errorf("Scalars: %q after %q", name, prev)
			}
			prev = bytes.Clone(name)
			seen[string(name)] = string(v)
		}
		if !e.IsObject() {
			if len(seen) != 0 {
				return fmt.Errorf("Scalars of a non-object: %v", seen)
			}
			out = append(out, nil)
			return nil
		}
		m := map[string]any{}
		var names []string
		if len(out) < len(want) {
			obj, _ := want[len(out)].(map[string]any)
			for k := range obj {
				names = append(names, k)
			}
		}
		for _, n := range append(names, "no such member") {
			if s, ok := e.Text(n); ok {
				m[n] = s
			}
		}
		if len(names) > 0 && !reflect.DeepEqual(m, seen) {
			return fmt.Errorf("Scalars gives %v, Text %v", seen, m)
		}
		out = append(out, m)
		return nil
	}, opts...)
	return out, err
}

// scalars returns, for each element of a tree, the text of its string and number members:
// what Element.Text must report; nil for elements that are not objects.
func scalars(tree []any) []map[string]any {
	var out []map[string]any
	for _, v := range tree {
		obj, ok := v.(map[string]any)
		if !ok {
			out = append(out, nil)
			continue
		}
		m := map[string]any{}
		for k, x := range obj {
			if s, ok := Scalar(x); ok {
				m[k] = s
			}
		}
		out = append(out, m)
	}
	return out
}

// ledgerRowsJSON is two AccountLedger rows in the shape of Trustly's documented example,
// with members in different orders.
const ledgerRowsJSON = `[{"userid":"3839426635","datestamp":"2014-01-30 13:28:45.652299+01","orderid":"3209647863",` +
	`"accountname":"SUSPENSE_ACCOUNT_CLIENT_FUNDS_SWEDEN_ESSE","messageid":"133921",` +
	`"transactiontype":"User deposit of client funds to CLIENT_FUNDS_SWEDEN_ESSE","currency":"EUR",` +
	`"amount":"5.00000000000000000000","gluepayid":"3209647863"},` +
	` {"accountname":"TRANSACTION_FEE_BANK_DEPOSIT","orderid":"3209647863","userid":"3839426635",` +
	`"datestamp":"2014-01-30 13:28:45.652299+01","messageid":"133921","transactiontype":"User deposit",` +
	`"currency":"SEK","amount":"-3.01","gluepayid":"3209647863"}]`

// streamCases are data arrays the streaming decoder must read exactly as the tree
// decoder does.
var streamCases = map[string]string{
	"ledger":         ledgerRowsJSON,
	"empty":          `[]`,
	"empty objects":  `[{},{"a":{}},{"":""}]`,
	"escapes":        `[{"a\"b":"x\\y\/z\n\t\u00e5\ud83d\ude00","\u0041":"lone \ud800 and \udc00 surrogates"}]`,
	"unicode":        `[{"å":"ö","Å":"ø","z":"日本"}]`,
	"numbers":        `[{"n":1,"m":-0.50,"e":1E+5,"z":0}, 7, -1.5e-3]`,
	"nulls":          `[{"a":null,"b":"","c":null}, null]`,
	"nested":         `[{"attributes":{"x":"1","y":[1,"2",{"z":null}]},"id":"9"},{"list":[]}]`,
	"scalar items":   `["a", "", 12, null]`,
	"arrays":         `[[1,2],[],[[{"a":"b"}]]]`,
	"byte order":     `[{"IP":"1","IntegrationModule":"2","ip":"3","_":"4","Z":"5"}]`,
	"spacing":        " [ {\n\t\"a\" : \"b\" ,\r\n \"c\":1 } , { } ] ",
	"long values":    `[{"v":"` + strings.Repeat("0123456789", 2000) + `"}]`,
	"numeric member": `[{"1":"one","10":"ten","2":"two"}]`,
	"mixed layouts":  `[{"b":"1","a":"2"},"x",{"b":"3","a":"4"},{"a":"5","b":"6"},[],{"b":"7","a":"8","c":null},{"b":"9","a":"0"}]`,
}

func TestStreamArrayMatchesTreeDecoding(t *testing.T) {
	_, pub := testKeys(t)
	for name, data := range streamCases {
		tree := decodeJSON(t, []byte(data)).([]any)
		for _, o := range orders {
			t.Run(name+"/"+o.name, func(t *testing.T) {
				body := signedResponse(t, ledgerMethod, testUUID, []byte(data), o)
				res, err := DecodeResponse(body, pub, ledgerMethod, testUUID)
				if err != nil {
					t.Fatalf("DecodeResponse: %v", err)
				}
				if !reflect.DeepEqual(res.Data, tree) {
					t.Fatal("DecodeResponse data differs from the tree")
				}
				got, err := streamArray(bytes.NewReader(body), pub, tree)
				if err != nil {
					t.Fatalf("StreamArrayResult: %v", err)
				}
				if want := scalars(tree); !reflect.DeepEqual(got, want) {
					t.Fatalf("elements\n got %v\nwant %v", got, want)
				}
				// The same body read one byte at a time, so that every token and every
				// multi-byte character is split between reads.
				got, err = streamArray(iotest.OneByteReader(bytes.NewReader(body)), pub, tree)
				if err != nil || !reflect.DeepEqual(got, scalars(tree)) {
					t.Fatalf("one byte at a time: %v", err)
				}
			})
		}
	}
}

// ledgerRow is the i-th row of a generated ledger.
func ledgerRow(i int) []Member {
	id := strconv.Itoa(3_000_000_000 + i)
	return []Member{{"userid", "1"}, {"datestamp", "2014-01-30 13:28:45.652299+01"}, {"orderid", id},
		{"accountname", "SUSPENSE_ACCOUNT_CLIENT_FUNDS"}, {"messageid", "order-" + strconv.Itoa(i)},
		{"transactiontype", "Deposit"}, {"currency", "EUR"},
		{"amount", strconv.Itoa(i%1000) + ".25000000000000000000"}, {"gluepayid", id}}
}

// ledgerBody writes a signed AccountLedger response of n generated rows with a
// ResultWriter, the signature first or last. alter, when set, changes the rows as
// written but not as signed.
func ledgerBody(t testing.TB, n int, sigFirst bool, alter func(i int, row []Member) []Member) []byte {
	t.Helper()
	return ledgerBodyOf(t, n, n, sigFirst, alter)
}

// ledgerBodyOf is ledgerBody with signed rows signed and written rows written.
func ledgerBodyOf(t testing.TB, signed, written int, sigFirst bool, alter func(i int, row []Member) []Member) []byte {
	t.Helper()
	priv, _ := testKeys(t)
	s := NewSigner(ledgerMethod, testUUID)
	for i := range signed {
		if err := s.WriteObject(ledgerRow(i)); err != nil {
			t.Fatal(err)
		}
	}
	sig, err := s.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	first := ""
	if sigFirst {
		first = sig
	}
	rw := NewArrayResultWriter(&b, ledgerMethod, testUUID, first)
	for i := range written {
		row := ledgerRow(i)
		if alter != nil {
			row = alter(i, row)
		}
		if err := rw.WriteObject(row); err != nil {
			t.Fatal(err)
		}
	}
	if sigFirst {
		sig = ""
	}
	if err := rw.Close(sig); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestResultWriterBodiesVerify(t *testing.T) {
	_, pub := testKeys(t)
	for _, sigFirst := range []bool{true, false} {
		body := ledgerBody(t, 50, sigFirst, nil)
		res, err := DecodeResponse(body, pub, ledgerMethod, testUUID)
		if err != nil {
			t.Fatalf("sigFirst %v: DecodeResponse: %v", sigFirst, err)
		}
		rows := res.Data.([]any)
		if len(rows) != 50 || rows[49].(map[string]any)["messageid"] != "order-49" {
			t.Fatalf("rows %v", rows)
		}
		got, err := streamArray(bytes.NewReader(body), pub, rows)
		if err != nil || !reflect.DeepEqual(got, scalars(rows)) {
			t.Fatalf("sigFirst %v: stream: %v", sigFirst, err)
		}
	}
}

// TestStreamArrayTamperedRows changes rows after signing: the callback sees every row,
// and only the end of the call, which is what verifies them, reports the change.
func TestStreamArrayTamperedRows(t *testing.T) {
	_, pub := testKeys(t)
	const n = 2000
	alters := map[string]func(i int, row []Member) []Member{
		"last amount": func(i int, row []Member) []Member {
			if i == n-1 {
				row[7].Value = "1.00000000000000000000"
			}
			return row
		},
		"last member name": func(i int, row []Member) []Member {
			if i == n-1 {
				row[0].Name = "userID"
			}
			return row
		},
		"extra member": func(i int, row []Member) []Member {
			if i == n-1 {
				row = append(row, Member{"note", ""})
			}
			return row
		},
		"swapped rows": func(i int, row []Member) []Member {
			switch i {
			case 10:
				return ledgerRow(11)
			case 11:
				return ledgerRow(10)
			}
			return row
		},
	}
	for name, alter := range alters {
		for _, sigFirst := range []bool{true, false} {
			body := ledgerBody(t, n, sigFirst, alter)
			seen := 0
			err := StreamArrayResult(bytes.NewReader(body), pub, ledgerMethod, testUUID, func(*Element) error {
				seen++
				return nil
			})
			if !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s, sigFirst %v: err %v, want a bad signature", name, sigFirst, err)
			}
			if seen != n {
				t.Errorf("%s: the callback saw %d rows before the failure, want all %d", name, seen, n)
			}
			if _, err := DecodeResponse(body, pub, ledgerMethod, testUUID); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: DecodeResponse accepted the body: %v", name, err)
			}
		}
	}
	// A missing or added last row.
	for name, body := range map[string][]byte{
		"dropped last row": ledgerBodyOf(t, n, n-1, true, nil),
		"added row":        ledgerBodyOf(t, n, n+1, false, nil),
	} {
		err := StreamArrayResult(bytes.NewReader(body), pub, ledgerMethod, testUUID, func(*Element) error { return nil })
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: err %v, want a bad signature", name, err)
		}
	}
}

// errReader returns its data, then an error.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestStreamArrayRejects(t *testing.T) {
	priv, pub := testKeys(t)
	sig := func(data string) string {
		s, err := Sign(priv, ledgerMethod, testUUID, decodeJSON(t, []byte(data)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := string(signedResponse(t, ledgerMethod, testUUID, []byte(ledgerRowsJSON), orders[0]))
	otherUUID := strings.Replace(testUUID, "6d3f", "0000", 1)
	signedErr, _ := EncodeError(priv, ledgerMethod, testUUID, CodeInvalidParameters, "ERROR_INVALID_PARAMETERS")
	unsignedErr, _ := EncodeUnsignedError(CodeUnknown, "ERROR_UNKNOWN")
	big := `[{"v":"` + strings.Repeat("x", MaxStreamValueSize) + `"}]`

	cases := []struct {
		name string
		body string
		opts []DecodeOption
		want error // matched with errors.Is, or checked by the case below
	}{
		{"not JSON", "<html>502</html>", nil, ErrMalformed},
		{"array body", "[1]", nil, ErrMalformed},
		{"empty", "", nil, ErrMalformed},
		{"trailing data", good + "{}", nil, ErrMalformed},
		{"truncated", good[:len(good)-10], nil, ErrMalformed},
		{"duplicate top member", strings.Replace(good, `{"version":"1.1",`, `{"version":"1.1","version":"1.1",`, 1), nil, ErrMalformed},
		{"duplicate result member", strings.Replace(good, `"uuid":`, `"uuid":"`+testUUID+`","uuid":`, 1), nil, ErrMalformed},
		{"duplicate row member", string(buildBody(ledgerMethod, testUUID, sig(`[{"a":"1","b":"2"}]`), []byte(`[{"a":"1","b":"2","a":"1"}]`), orders[0])), nil, ErrMalformed},
		{"duplicate nested member", string(buildBody(ledgerMethod, testUUID, sig(`[{"a":{"b":"1"}}]`), []byte(`[{"a":{"b":"1","b":"1"}}]`), orders[0])), nil, ErrMalformed},
		{"invalid UTF-8", strings.Replace(good, "SUSPENSE", "SUSP\xffENSE", 1), nil, ErrMalformed},
		{"cut UTF-8 at the end", good + "\xe2\x82", nil, ErrMalformed},
		{"version", strings.Replace(good, `"version":"1.1"`, `"version":"2.0"`, 1), nil, ErrMalformed},
		{"data object", string(signedResponse(t, ledgerMethod, testUUID, []byte(`{"a":"b"}`), orders[0])), nil, ErrMalformed},
		{"data null", string(buildBody(ledgerMethod, testUUID, sig(`null`), []byte(`null`), orders[0])), nil, ErrMalformed},
		{"no data", `{"version":"1.1","result":{"signature":"` + sig(`[]`) + `","uuid":"` + testUUID + `","method":"AccountLedger"}}`, nil, ErrMalformed},
		{"no signature", `{"version":"1.1","result":{"uuid":"` + testUUID + `","method":"AccountLedger","data":[]}}`, nil, ErrMalformed},
		{"signature not a string", `{"version":"1.1","result":{"signature":1,"uuid":"` + testUUID + `","method":"AccountLedger","data":[]}}`, nil, ErrMalformed},
		{"result not an object", `{"version":"1.1","result":[]}`, nil, ErrMalformed},
		{"neither", `{"version":"1.1"}`, nil, ErrMalformed},
		{"both", strings.TrimSuffix(good, "}") + `,"error":{"name":"JSONRPCError","code":620,"message":"ERROR_UNKNOWN"}}`, nil, ErrMalformed},
		{"wrong signature", string(buildBody(ledgerMethod, testUUID, sig(`[{"a":"b"}]`), []byte(`[{"a":"c"}]`), orders[2])), nil, ErrBadSignature},
		{"signature not Base64", string(buildBody(ledgerMethod, testUUID, "%%%", []byte(`[]`), orders[0])), nil, ErrBadSignature},
		{"boolean", string(buildBody(ledgerMethod, testUUID, sig(`[]`), []byte(`[{"a":true}]`), orders[0])), nil, ErrUnserializable},
		{"nesting", string(signedResponse(t, ledgerMethod, testUUID, []byte(`[{"a":{"b":"c"}}]`), orders[0])), []DecodeOption{WithMaxDepth(4)}, ErrMalformed},
		{"element too large", string(buildBody(ledgerMethod, testUUID, sig(`[]`), []byte(big), orders[0])), nil, ErrTooLarge},
		{"signature too large", string(buildBody(ledgerMethod, testUUID, strings.Repeat("A", MaxStreamValueSize+10), []byte(`[]`), orders[0])), nil, ErrTooLarge},
		{"body too large", good, []DecodeOption{WithMaxBodySize(200)}, ErrTooLarge},
	}
	for _, c := range cases {
		calls := 0
		err := StreamArrayResult(strings.NewReader(c.body), pub, ledgerMethod, testUUID, func(*Element) error { calls++; return nil }, c.opts...)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
		if c.name == "boolean" && !errors.Is(err, ErrBadSignature) {
			t.Errorf("boolean: %v does not match ErrBadSignature", err)
		}
		if c.want == ErrTooLarge && !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v does not match ErrMalformed", c.name, err)
		}
		// The tree decoder agrees, except on the streaming limits and on data that is
		// not an array, which only the streaming decoder requires.
		if c.opts == nil && c.want != ErrTooLarge && !strings.HasPrefix(c.name, "data ") {
			if _, derr := DecodeResponse([]byte(c.body), pub, ledgerMethod, testUUID); derr == nil {
				t.Errorf("%s: DecodeResponse accepts the body", c.name)
			}
		}
	}

	t.Run("error responses", func(t *testing.T) {
		err := StreamArrayResult(bytes.NewReader(signedErr), pub, ledgerMethod, testUUID, func(*Element) error { return nil })
		var re *RPCError
		if !errors.As(err, &re) || !re.Signed || re.Code != CodeInvalidParameters {
			t.Fatalf("signed error: %v", err)
		}
		err = StreamArrayResult(bytes.NewReader(unsignedErr), pub, ledgerMethod, testUUID, func(*Element) error { return nil })
		if !errors.As(err, &re) || re.Signed || re.Code != CodeUnknown {
			t.Fatalf("unsigned error: %v", err)
		}
		forged := bytes.Replace(signedErr, []byte(`"code":623`), []byte(`"code":620`), 2)
		err = StreamArrayResult(bytes.NewReader(forged), pub, ledgerMethod, testUUID, func(*Element) error { return nil })
		if !errors.Is(err, ErrBadSignature) {
			t.Fatalf("forged signed error: %v", err)
		}
	})

	t.Run("answer to another request", func(t *testing.T) {
		for _, o := range orders {
			body := signedResponse(t, ledgerMethod, otherUUID, []byte(ledgerRowsJSON), o)
			calls := 0
			err := StreamArrayResult(bytes.NewReader(body), pub, ledgerMethod, testUUID, func(*Element) error { calls++; return nil })
			var mm *MismatchError
			if !errors.As(err, &mm) || mm.Field != "uuid" || mm.Got != otherUUID {
				t.Fatalf("%s: err %v", o.name, err)
			}
			if o.idsFirst && calls != 0 {
				t.Fatalf("%s: %d rows of an answer to another request were decoded", o.name, calls)
			}
			body = signedResponse(t, "Balance", testUUID, []byte(ledgerRowsJSON), o)
			if err := StreamArrayResult(bytes.NewReader(body), pub, ledgerMethod, testUUID, func(*Element) error { return nil }); !errors.As(err, &mm) || mm.Field != "method" {
				t.Fatalf("%s: method: %v", o.name, err)
			}
		}
	})

	t.Run("read failure", func(t *testing.T) {
		cut := io.ErrUnexpectedEOF
		err := StreamArrayResult(&errReader{data: []byte(good[:200]), err: cut}, pub, ledgerMethod, testUUID, func(*Element) error { return nil })
		if !errors.Is(err, ErrBodyRead) || !errors.Is(err, cut) || errors.Is(err, ErrMalformed) {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("callback error", func(t *testing.T) {
		stop := errors.New("stop")
		err := StreamArrayResult(strings.NewReader(good), pub, ledgerMethod, testUUID, func(*Element) error { return stop })
		if err != stop {
			t.Fatalf("err %v", err)
		}
	})
}

// csvText is a settlement report with text that needs escaping in JSON.
const csvText = "datestamp,accountname,currency,amount,total,orderid,ordertype,messageid,username,fxpaymentamount,fxpaymentcurrency,settlementbankwithdrawalid,extraref\n" +
	"2014-03-31 11:50:06.46106+00,SUSPENSE_ACCOUNT_CLIENT_FUNDS,EUR,100.00,100.00,123,Deposit,\"m,1\",merchant,,,,\n" +
	"2014-03-31 11:51:00+00,SUSPENSE_ACCOUNT_CLIENT_FUNDS,SEK,-5.5,94.50,124,Refund,\"say \"\"hi\"\"\",merchant,,,,a\\b\r\n" +
	"tab\there,ctl\x01\x1f,åäö,😀,/,\n"

const csvMember = "view_automatic_settlement_details"

func TestStreamStringResult(t *testing.T) {
	_, pub := testKeys(t)
	quoted, _ := json.Marshal(csvText)
	dataCases := map[string]string{
		"plain":        `{"` + csvMember + `":` + string(quoted) + `}`,
		"escaped":      `{"` + csvMember + `":"a\/b\u00e5\ud83d\ude00 \ud800 \udc00x \"\\\b\f\n\r\t\u0000"}`,
		"empty":        `{"` + csvMember + `":""}`,
		"others":       `{"a":"1","b":[1,"2"],"` + csvMember + `":"text","zz":{"n":null}}`,
		"others first": `{"zz":"last","a":null,"` + csvMember + `":"text","zzz":"9"}`,
		"spacing":      "{ \"" + csvMember + "\"\n :\t\"text\" , \"z\" : 1 }",
	}
	for name, data := range dataCases {
		tree := decodeJSON(t, []byte(data)).(map[string]any)
		want := tree[csvMember].(string)
		for _, o := range orders {
			body := signedResponse(t, "ViewAutomaticSettlementDetailsCSV", testUUID, []byte(data), o)
			for rname, r := range map[string]func() io.Reader{
				"whole":    func() io.Reader { return bytes.NewReader(body) },
				"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) },
				"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(body)) },
			} {
				var got bytes.Buffer
				err := StreamStringResult(r(), pub, "ViewAutomaticSettlementDetailsCSV", testUUID, csvMember, &got)
				if err != nil || got.String() != want {
					t.Errorf("%s/%s/%s: %v\n got %q\nwant %q", name, o.name, rname, err, got.String(), want)
				}
			}
		}
	}

	bad := map[string]struct {
		signed, sent string
		want         error
	}{
		"tampered":                   {`{"` + csvMember + `":"a,b\n1,2\n"}`, `{"` + csvMember + `":"a,b\n1,3\n"}`, ErrBadSignature},
		"tampered member":            {`{"a":"1","` + csvMember + `":"x"}`, `{"a":"2","` + csvMember + `":"x"}`, ErrBadSignature},
		"late member sorting before": {`{"` + csvMember + `":"x","a":"1"}`, `{"` + csvMember + `":"x","a":"1"}`, ErrMalformed},
		"not a string":               {`{"` + csvMember + `":null}`, `{"` + csvMember + `":null}`, ErrMalformed},
		"number":                     {`{"` + csvMember + `":12}`, `{"` + csvMember + `":12}`, ErrMalformed},
		"missing":                    {`{"a":"x"}`, `{"a":"x"}`, ErrMalformed},
		"array data":                 {`["x"]`, `["x"]`, ErrMalformed},
		"duplicate":                  {`{"` + csvMember + `":"x"}`, `{"` + csvMember + `":"x","` + csvMember + `":"x"}`, ErrMalformed},
		"control character":          {`{"` + csvMember + `":"x"}`, "{\"" + csvMember + "\":\"a\x01\"}", ErrMalformed},
		"bad escape":                 {`{"` + csvMember + `":"x"}`, `{"` + csvMember + `":"a\x"}`, ErrMalformed},
		"short escape":               {`{"` + csvMember + `":"x"}`, `{"` + csvMember + `":"\u12"}`, ErrMalformed},
		"unterminated":               {`{"` + csvMember + `":"x"}`, `{"` + csvMember + `":"abc`, ErrMalformed},
		"boolean member":             {`{"` + csvMember + `":"x"}`, `{"a":true,"` + csvMember + `":"x"}`, ErrUnserializable},
	}
	priv, _ := testKeys(t)
	for name, c := range bad {
		for _, o := range orders {
			sig, err := Sign(priv, "ViewAutomaticSettlementDetailsCSV", testUUID, decodeJSON(t, []byte(c.signed)))
			if err != nil {
				t.Fatal(err)
			}
			body := buildBody("ViewAutomaticSettlementDetailsCSV", testUUID, sig, []byte(c.sent), o)
			err = StreamStringResult(bytes.NewReader(body), pub, "ViewAutomaticSettlementDetailsCSV", testUUID, csvMember, io.Discard)
			if !errors.Is(err, c.want) {
				t.Errorf("%s/%s: err %v, want %v", name, o.name, err, c.want)
			}
		}
	}
}

func TestStringResultWriter(t *testing.T) {
	priv, pub := testKeys(t)
	text := strings.Repeat(csvText, 200)
	for _, sigFirst := range []bool{true, false} {
		s := NewSigner("ViewAutomaticSettlementDetailsCSV", testUUID)
		s.WriteString(csvMember)
		s.WriteString(text)
		sig, err := s.Sign(priv)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Sign(priv, "ViewAutomaticSettlementDetailsCSV", testUUID, map[string]any{csvMember: text})
		if err != nil || sig != want {
			t.Fatalf("Signer gives %q, Sign %q (%v)", sig, want, err)
		}
		var b bytes.Buffer
		first, last := sig, ""
		if !sigFirst {
			first, last = "", sig
		}
		rw := NewStringResultWriter(&b, "ViewAutomaticSettlementDetailsCSV", testUUID, csvMember, first)
		for piece := range strings.SplitAfterSeq(text, "\n") {
			if _, err := rw.Write([]byte(piece)); err != nil {
				t.Fatal(err)
			}
		}
		if err := rw.Close(last); err != nil {
			t.Fatal(err)
		}
		res, err := DecodeResponse(b.Bytes(), pub, "ViewAutomaticSettlementDetailsCSV", testUUID)
		if err != nil || res.Data.(map[string]any)[csvMember] != text {
			t.Fatalf("sigFirst %v: DecodeResponse: %v", sigFirst, err)
		}
		var out bytes.Buffer
		err = StreamStringResult(bytes.NewReader(b.Bytes()), pub, "ViewAutomaticSettlementDetailsCSV", testUUID, csvMember, &out)
		if err != nil || out.String() != text {
			t.Fatalf("sigFirst %v: stream: %v", sigFirst, err)
		}
	}
}

func TestResultWriterMisuse(t *testing.T) {
	var b bytes.Buffer
	rw := NewArrayResultWriter(&b, "M", "u", "")
	if _, err := rw.Write([]byte("x")); err == nil {
		t.Error("Write on an array writer")
	}
	if err := rw.Close(""); err == nil {
		t.Error("Close without a signature")
	}
	if err := rw.Close("sig"); err == nil {
		t.Error("second Close")
	}
	s := NewSigner("M", "u")
	if err := s.WriteObject([]Member{{"a", "1"}, {"a", "2"}}); !errors.Is(err, ErrUnserializable) {
		t.Errorf("duplicate names: %v", err)
	}
	priv, _ := testKeys(t)
	if _, err := s.Sign(priv); err == nil {
		t.Error("Sign after a failed WriteObject")
	}
}

func TestGuardUTF8AcrossReads(t *testing.T) {
	texts := map[string]bool{
		"aåb😀c日本":      true,
		"\xe6\x97":     false, // cut at the end
		"a\xffb":       false,
		"\xed\xa0\x80": false, // an encoded surrogate
		"\xc0\xaf":     false, // overlong
		"😀😀😀😀😀":        true,
	}
	for text, valid := range texts {
		for chunk := 1; chunk <= 5; chunk++ {
			g := &guardReader{r: &chunkReader{data: []byte(text), n: chunk}, max: 1 << 20}
			_, err := io.ReadAll(g)
			if (err == nil) != valid {
				t.Errorf("%q in chunks of %d: err %v, valid %v", text, chunk, err, valid)
			}
		}
	}
}

// chunkReader returns its data n bytes at a time.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[k:]
	return k, nil
}
