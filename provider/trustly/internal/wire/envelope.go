package wire

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Version is the JSON-RPC version string every envelope carries.
const Version = "1.1"

// MismatchError reports a correctly signed response or notification reply whose uuid or
// method is not the one the caller expected: an answer to a different request, or a replay.
type MismatchError struct {
	Field string // "uuid" or "method"
	Want  string // the expected value
	Got   string // the signed value received
}

// Error implements error.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("wire: signed %s is %q, want %q", e.Field, e.Got, e.Want)
}

// RPCError is a JSON-RPC error response from Trustly. [DecodeResponse] returns it as its
// error.
type RPCError struct {
	// Code is the Trustly error code (see [CodeName]); it may arrive as a JSON number or a
	// numeric string. For an unsigned error without an integer code it is 0.
	Code int
	// Message is the error message, normally the code's name.
	Message string
	// Name is the outer error.name, normally "JSONRPCError".
	Name string
	// Signed reports that Code and Message come from the inner error.error object whose
	// signature was verified. An unsigned error (no inner object, as for transport-level
	// failures) is not authenticated: treat it as "the request may or may not have been
	// processed".
	Signed bool
	// UUID and Method are the signed error.error.uuid and error.error.method. Trustly sends
	// them as null (reported as "") for failures that happen before the request is
	// understood, such as invalid JSON.
	UUID, Method string
}

// Error implements error.
func (e *RPCError) Error() string {
	s := "trustly: error " + strconv.Itoa(e.Code)
	if e.Message != "" {
		s += " " + e.Message
	}
	if !e.Signed {
		s += " (unsigned)"
	}
	return s
}

// Result is a verified success response.
type Result struct {
	Method string // result.method
	UUID   string // result.uuid
	// Data is the verified raw tree of result.data: usually map[string]any, sometimes []any
	// (Balance, AccountLedger, GetWithdrawals), with numbers as json.Number.
	Data any
	// Signature is result.signature as received.
	Signature string
}

// Request is a merchant request as seen by Trustly.
type Request struct {
	Method string // method
	UUID   string // params.UUID
	// Data is the raw tree of params.Data, including Username and Password.
	Data map[string]any
	// Signature is params.Signature as received.
	Signature string
	// Version is the text of the top-level version member ("1.1", sent as a string or a
	// number); "" when it is missing or of another type.
	Version string
}

// Notification is a verified notification from Trustly.
type Notification struct {
	Method string // method, for example "credit"
	UUID   string // params.uuid, to be echoed in the reply
	// Data is the verified raw tree of params.data, with numbers as json.Number.
	Data map[string]any
	// Signature is params.signature as received.
	Signature string
}

// signedBody is the lower-case signed object of results, signed errors and notification
// replies, in the member order Trustly documents. UUID and Method are nil for null.
type signedBody struct {
	Signature string `json:"signature"`
	UUID      any    `json:"uuid"`
	Method    any    `json:"method"`
	Data      any    `json:"data"`
}

type requestEnvelope struct {
	Method string `json:"method"`
	Params struct {
		Signature string `json:"Signature"`
		UUID      string `json:"UUID"`
		Data      any    `json:"Data"`
	} `json:"params"`
	Version string `json:"version"`
}

type resultEnvelope struct {
	Version string     `json:"version"`
	Result  signedBody `json:"result"`
}

type errorEnvelope struct {
	Version string `json:"version"`
	Error   struct {
		Name    string      `json:"name"`
		Code    int         `json:"code"`
		Message string      `json:"message"`
		Error   *signedBody `json:"error,omitempty"`
	} `json:"error"`
}

type notificationEnvelope struct {
	Method string `json:"method"`
	Params struct {
		Signature string `json:"signature"`
		UUID      string `json:"uuid"`
		Data      any    `json:"data"`
	} `json:"params"`
	Version string `json:"version"`
}

type replyEnvelope struct {
	Result  signedBody `json:"result"`
	Version string     `json:"version"`
}

// marshal encodes an envelope without HTML escaping and without a trailing newline. All
// maps in it are canonical trees, whose keys encoding/json writes sorted, so equal inputs
// give identical bytes.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("wire: encoding envelope: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func checkID(name, v string) error {
	if v == "" {
		return fmt.Errorf("wire: empty %s", name)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("wire: %s is not valid UTF-8", name)
	}
	return nil
}

// prepare checks method and uuid, normalizes data and signs it. The returned tree is the
// one to put in the body.
func prepare(key *rsa.PrivateKey, method, uuid string, data any) (string, any, error) {
	if err := checkID("method", method); err != nil {
		return "", nil, err
	}
	if err := checkID("uuid", uuid); err != nil {
		return "", nil, err
	}
	tree, err := Normalize(data)
	if err != nil {
		return "", nil, err
	}
	sig, err := Sign(key, method, uuid, tree)
	if err != nil {
		return "", nil, err
	}
	return sig, tree, nil
}

// objectData returns the data of a request or notification for prepare, turning a nil map
// into an empty object.
func objectData(data map[string]any) any {
	if data == nil {
		return map[string]any{}
	}
	return data
}

// EncodeRequest builds a signed merchant request:
//
//	{"method":M,"params":{"Signature":S,"UUID":U,"Data":D},"version":"1.1"}
//
// D is data converted by [Normalize] (a nil map gives {}), and the body carries exactly the
// tree that was signed. The output is deterministic, so a retry with the same UUID and data
// sends identical bytes.
func EncodeRequest(key *rsa.PrivateKey, method, uuid string, data map[string]any) ([]byte, error) {
	env, err := signedCall(key, method, uuid, data)
	if err != nil {
		return nil, err
	}
	return marshal(&env)
}

// signedCall checks, normalizes and signs a request or notification and fills the
// envelope. The two bodies differ only in the case of the params member names, so a
// notification converts the result to a notificationEnvelope.
func signedCall(key *rsa.PrivateKey, method, uuid string, data map[string]any) (requestEnvelope, error) {
	var env requestEnvelope
	sig, tree, err := prepare(key, method, uuid, objectData(data))
	if err != nil {
		return env, err
	}
	env.Method = method
	env.Params.Signature = sig
	env.Params.UUID = uuid
	env.Params.Data = tree
	env.Version = Version
	return env, nil
}

// ParseRequest decodes a merchant request without verifying it, so that the receiver can
// pick the merchant's key (for example by params.Data.Username) before calling
// [Request.Verify]. The returned Request is unauthenticated until Verify succeeds. Method,
// params.UUID and params.Signature must be non-empty strings and params.Data an object.
func ParseRequest(body []byte, opts ...DecodeOption) (*Request, error) {
	c, err := parseCall(body, opts, "request", "Signature", "UUID", "Data")
	if err != nil {
		return nil, err
	}
	version, _ := Scalar(c.obj["version"])
	return &Request{Method: c.method, UUID: c.uuid, Data: c.data, Signature: c.sig, Version: version}, nil
}

// call holds the members a request and a notification share: the top-level object,
// method, and the signature, uuid and data of params.
type call struct {
	obj       map[string]any
	method    string
	sig, uuid string
	data      map[string]any
}

// parseCall decodes a request or notification body (what names it in errors). method and
// the params members sigKey and uuidKey must be non-empty strings and dataKey an object.
func parseCall(body []byte, opts []DecodeOption, what, sigKey, uuidKey, dataKey string) (call, error) {
	var c call
	var err error
	if c.obj, err = parseBody(body, opts); err != nil {
		return c, err
	}
	if c.method, err = stringMember(c.obj, "method", what, true); err != nil {
		return c, err
	}
	params, err := objectMember(c.obj, "params", what)
	if err != nil {
		return c, err
	}
	if c.sig, err = stringMember(params, sigKey, "params", true); err != nil {
		return c, err
	}
	if c.uuid, err = stringMember(params, uuidKey, "params", true); err != nil {
		return c, err
	}
	c.data, err = objectMember(params, dataKey, "params")
	return c, err
}

// Verify checks the request signature over method + params.UUID + params.Data with the
// merchant's public key. Failures match [ErrBadSignature] (Trustly answers those with
// [CodeUnableToVerifyRSASignature]).
func (r *Request) Verify(merchantPub *rsa.PublicKey) error {
	return Verify(merchantPub, r.Method, r.UUID, r.Data, r.Signature)
}

// Get returns the text of the string or number member key of params.Data.
func (r *Request) Get(key string) (string, bool) { return Scalar(r.Data[key]) }

// DecodeRequest decodes and verifies a merchant request. Shape errors match
// [ErrMalformed]; signature failures match [ErrBadSignature].
func DecodeRequest(body []byte, merchantPub *rsa.PublicKey, opts ...DecodeOption) (*Request, error) {
	r, err := ParseRequest(body, opts...)
	if err != nil {
		return nil, err
	}
	if err := r.Verify(merchantPub); err != nil {
		return nil, err
	}
	return r, nil
}

// EncodeResult builds a signed success response:
//
//	{"version":"1.1","result":{"signature":S,"uuid":U,"method":M,"data":D}}
//
// data may be any value [Normalize] accepts (an object, or an array for list methods).
func EncodeResult(trustlyKey *rsa.PrivateKey, method, uuid string, data any) ([]byte, error) {
	sig, tree, err := prepare(trustlyKey, method, uuid, data)
	if err != nil {
		return nil, err
	}
	env := resultEnvelope{Version: Version, Result: signedBody{Signature: sig, UUID: uuid, Method: method, Data: tree}}
	return marshal(&env)
}

// EncodeError builds a signed error response:
//
//	{"version":"1.1","error":{"name":"JSONRPCError","code":C,"message":T,
//	 "error":{"signature":S,"uuid":U,"method":M,"data":{"code":C,"message":T}}}}
//
// where the signature covers method + uuid + "code" + C + "message" + T. An empty method or
// uuid is sent as null and signed as the empty string, as for failures that happen before
// the request is understood.
func EncodeError(trustlyKey *rsa.PrivateKey, method, uuid string, code int, message string) ([]byte, error) {
	if !utf8.ValidString(method) || !utf8.ValidString(uuid) {
		return nil, errors.New("wire: method or uuid is not valid UTF-8")
	}
	data, err := Normalize(map[string]any{"code": code, "message": message})
	if err != nil {
		return nil, err
	}
	sig, err := Sign(trustlyKey, method, uuid, data)
	if err != nil {
		return nil, err
	}
	inner := &signedBody{Signature: sig, Data: data}
	if uuid != "" {
		inner.UUID = uuid
	}
	if method != "" {
		inner.Method = method
	}
	var env errorEnvelope
	env.Version = Version
	env.Error.Name = "JSONRPCError"
	env.Error.Code = code
	env.Error.Message = message
	env.Error.Error = inner
	return marshal(&env)
}

// EncodeUnsignedError builds an error response without the signed inner object,
// {"version":"1.1","error":{"name":"JSONRPCError","code":C,"message":T}}, the form used for
// transport-level failures.
func EncodeUnsignedError(code int, message string) ([]byte, error) {
	if !utf8.ValidString(message) {
		return nil, errors.New("wire: message is not valid UTF-8")
	}
	var env errorEnvelope
	env.Version = Version
	env.Error.Name = "JSONRPCError"
	env.Error.Code = code
	env.Error.Message = message
	return marshal(&env)
}

// signedParts reads the signature, uuid, method and data members of a signed object. With
// nullIDs, uuid and method may be null (reported as "").
func signedParts(obj map[string]any, where string, nullIDs bool) (signedBody, error) {
	var sb signedBody
	var err error
	if sb.Signature, err = stringMember(obj, "signature", where, true); err != nil {
		return sb, err
	}
	uuid, err := stringMember(obj, "uuid", where, !nullIDs)
	if err != nil {
		return sb, err
	}
	method, err := stringMember(obj, "method", where, !nullIDs)
	if err != nil {
		return sb, err
	}
	data, ok := obj["data"]
	if !ok {
		return sb, malformed("missing %s.data", where)
	}
	sb.UUID, sb.Method, sb.Data = uuid, method, data
	return sb, nil
}

// DecodeResponse decodes a response to a request sent with method wantMethod and UUID
// wantUUID. Whatever the HTTP status, the body is parsed.
//
// For a result it verifies result.signature over result.method + result.uuid + result.data
// with trustlyPub, then requires uuid and method to equal the expected ones
// (*[MismatchError] otherwise), and returns the verified data.
//
// For an error it returns an *[RPCError] as the error: when error.error is present its
// signature is verified (failures match [ErrBadSignature]), its data supplies Code and
// Message, and a non-null uuid or method must match the expected ones; without it the
// RPCError has Signed false.
//
// A body with neither (or both) result and error, or with a malformed envelope, gives an
// error matching [ErrMalformed].
func DecodeResponse(body []byte, trustlyPub *rsa.PublicKey, wantMethod, wantUUID string, opts ...DecodeOption) (*Result, error) {
	obj, err := parseBody(body, opts)
	if err != nil {
		return nil, err
	}
	res, hasResult := member(obj, "result")
	rpcErr, hasError := member(obj, "error")
	switch {
	case hasResult && hasError:
		return nil, malformed("response has both result and error")
	case hasError:
		return nil, decodeError(rpcErr, trustlyPub, wantMethod, wantUUID)
	case !hasResult:
		return nil, malformed("response has neither result nor error")
	}
	ro, ok := res.(map[string]any)
	if !ok {
		return nil, malformed("result is %s, not an object", describe(res))
	}
	sb, err := signedParts(ro, "result", false)
	if err != nil {
		return nil, err
	}
	method, uuid := sb.Method.(string), sb.UUID.(string)
	if err := Verify(trustlyPub, method, uuid, sb.Data, sb.Signature); err != nil {
		return nil, err
	}
	if err := checkMatch(uuid, method, wantUUID, wantMethod, false); err != nil {
		return nil, err
	}
	return &Result{Method: method, UUID: uuid, Data: sb.Data, Signature: sb.Signature}, nil
}

func checkMatch(uuid, method, wantUUID, wantMethod string, skipEmpty bool) error {
	if uuid != wantUUID && !(skipEmpty && uuid == "") {
		return &MismatchError{Field: "uuid", Want: wantUUID, Got: uuid}
	}
	if method != wantMethod && !(skipEmpty && method == "") {
		return &MismatchError{Field: "method", Want: wantMethod, Got: method}
	}
	return nil
}

func decodeError(v any, pub *rsa.PublicKey, wantMethod, wantUUID string) error {
	eo, ok := v.(map[string]any)
	if !ok {
		return malformed("error is %s, not an object", describe(v))
	}
	name, _ := eo["name"].(string)
	inner, signed := member(eo, "error")
	if !signed {
		code, _ := parseCode(eo["code"])
		msg, _ := eo["message"].(string)
		return &RPCError{Code: code, Message: msg, Name: name}
	}
	innerObj, ok := inner.(map[string]any)
	if !ok {
		return malformed("error.error is %s, not an object", describe(inner))
	}
	sb, err := signedParts(innerObj, "error.error", true)
	if err != nil {
		return err
	}
	method, uuid := sb.Method.(string), sb.UUID.(string)
	if err := Verify(pub, method, uuid, sb.Data, sb.Signature); err != nil {
		return err
	}
	data, ok := sb.Data.(map[string]any)
	if !ok {
		return malformed("error.error.data is %s, not an object", describe(sb.Data))
	}
	code, ok := parseCode(data["code"])
	if !ok {
		return malformed("error.error.data.code is %s, not an integer", describe(data["code"]))
	}
	msg, err := stringMember(data, "message", "error.error.data", false)
	if err != nil {
		return err
	}
	if err := checkMatch(uuid, method, wantUUID, wantMethod, true); err != nil {
		return err
	}
	return &RPCError{Code: code, Message: msg, Name: name, Signed: true, UUID: uuid, Method: method}
}

// EncodeNotification builds a signed notification:
//
//	{"method":M,"params":{"signature":S,"uuid":U,"data":D},"version":"1.1"}
//
// D is data converted by [Normalize] (a nil map gives {}).
func EncodeNotification(trustlyKey *rsa.PrivateKey, method, uuid string, data map[string]any) ([]byte, error) {
	env, err := signedCall(trustlyKey, method, uuid, data)
	if err != nil {
		return nil, err
	}
	n := notificationEnvelope(env)
	return marshal(&n)
}

// DecodeNotification decodes a notification and verifies params.signature over method +
// params.uuid + params.data with trustlyPub. method, params.uuid and params.signature must
// be non-empty strings and params.data an object; otherwise the error matches
// [ErrMalformed]. Signature failures match [ErrBadSignature].
func DecodeNotification(body []byte, trustlyPub *rsa.PublicKey, opts ...DecodeOption) (*Notification, error) {
	c, err := parseCall(body, opts, "notification", "signature", "uuid", "data")
	if err != nil {
		return nil, err
	}
	if err := Verify(trustlyPub, c.method, c.uuid, c.data, c.sig); err != nil {
		return nil, err
	}
	return &Notification{Method: c.method, UUID: c.uuid, Data: c.data, Signature: c.sig}, nil
}

// Get returns the text of the string or number member key of the notification data.
func (n *Notification) Get(key string) (string, bool) { return Scalar(n.Data[key]) }

func (n *Notification) text(key string) string {
	s, _ := n.Get(key)
	return s
}

// NotificationID returns data.notificationid ("" when absent). A redelivered notification
// carries the same id.
func (n *Notification) NotificationID() string { return n.text("notificationid") }

// OrderID returns data.orderid ("" when absent).
func (n *Notification) OrderID() string { return n.text("orderid") }

// MessageID returns data.messageid ("" when absent).
func (n *Notification) MessageID() string { return n.text("messageid") }

// EndUserID returns data.enduserid ("" when absent).
func (n *Notification) EndUserID() string { return n.text("enduserid") }

// Amount returns data.amount as sent ("" when absent); it is a decimal that need not have
// two decimals.
func (n *Notification) Amount() string { return n.text("amount") }

// Currency returns data.currency ("" when absent).
func (n *Notification) Currency() string { return n.text("currency") }

// Timestamp returns data.timestamp as sent, for example "2010-01-20 14:42:04.675645+01"
// ("" when absent).
func (n *Notification) Timestamp() string { return n.text("timestamp") }

// Attributes returns data.attributes when it is an object, else nil.
func (n *Notification) Attributes() map[string]any {
	m, _ := n.Data["attributes"].(map[string]any)
	return m
}

// EncodeNotificationReply builds the merchant's signed reply to a notification:
//
//	{"result":{"signature":S,"uuid":U,"method":M,"data":{"status":T}},"version":"1.1"}
//
// method and uuid must be those of the notification; status is normally "OK" ("FAILED"
// declines a debit). Everything in data is covered by the signature.
func EncodeNotificationReply(key *rsa.PrivateKey, method, uuid, status string) ([]byte, error) {
	if err := checkID("status", status); err != nil {
		return nil, err
	}
	sig, tree, err := prepare(key, method, uuid, map[string]any{"status": status})
	if err != nil {
		return nil, err
	}
	env := replyEnvelope{Result: signedBody{Signature: sig, UUID: uuid, Method: method, Data: tree}, Version: Version}
	return marshal(&env)
}

// DecodeNotificationReply decodes and verifies a merchant's notification reply with
// merchantPub and returns data.status. The reply's uuid and method must equal those of the
// notification (*[MismatchError] otherwise) and data must be an object with a non-empty
// string status.
func DecodeNotificationReply(body []byte, merchantPub *rsa.PublicKey, wantMethod, wantUUID string, opts ...DecodeOption) (string, error) {
	obj, err := parseBody(body, opts)
	if err != nil {
		return "", err
	}
	if _, ok := member(obj, "error"); ok {
		return "", malformed("notification reply carries an error member")
	}
	ro, err := objectMember(obj, "result", "reply")
	if err != nil {
		return "", err
	}
	sb, err := signedParts(ro, "result", false)
	if err != nil {
		return "", err
	}
	data, ok := sb.Data.(map[string]any)
	if !ok {
		return "", malformed("result.data is %s, not an object", describe(sb.Data))
	}
	status, err := stringMember(data, "status", "result.data", true)
	if err != nil {
		return "", err
	}
	method, uuid := sb.Method.(string), sb.UUID.(string)
	if err := Verify(merchantPub, method, uuid, data, sb.Signature); err != nil {
		return "", err
	}
	if err := checkMatch(uuid, method, wantUUID, wantMethod, false); err != nil {
		return "", err
	}
	return status, nil
}
