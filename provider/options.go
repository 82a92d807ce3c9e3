package provider

import "reflect"

// BeforeSend is a per-request hook for what the neutral request cannot say, in the style
// of go-cloud's BeforeWrite: the adapter calls it once per request it is about to send,
// after building its wire request and before signing it, with an as function that sets a
// target to that wire request. Each adapter documents its targets (for example
// **trustist.PaymentBody, *trustly.Attributes). A hook that returns an error stops the
// call before anything is sent; the error is returned with Code InvalidRequest.
//
// The hook is not part of the request's idempotency fingerprint: a repeat with the same
// idempotency key returns the recorded result whatever its hook does, and an adapter that
// resends an uncertain write runs the hook again. Keep it deterministic.
type BeforeSend func(as func(target any) bool) error

// Run calls the hook, when there is one, with an as function that sets a target to one of
// wire (each a pointer to the adapter's wire request or a part of it). Adapters call it;
// its error is an InvalidRequest *Error wrapping the hook's.
func (b BeforeSend) Run(wire ...any) error {
	if b == nil {
		return nil
	}
	if err := b(func(target any) bool { return SetAs(target, wire...) }); err != nil {
		return &Error{Code: InvalidRequest, Message: "the request's BeforeSend hook refused it", Err: err}
	}
	return nil
}

// Detailed gives a result the adapter's own decoded answer, reached through As. Results
// read back from the Gateway's journal (a repeated call) have none.
type Detailed struct {
	// Detail is the adapter's decoded answer (each adapter documents its type), or nil.
	Detail any
}

// As sets target, a non-nil pointer, to Detail when Detail's type is target's element
// type, and reports whether it did.
func (d Detailed) As(target any) bool { return d.Detail != nil && SetAs(target, d.Detail) }

// SetAs sets target, a non-nil pointer, to the first of values whose type is target's
// element type, and reports whether one was. It is the body of an adapter's As method.
func SetAs(target any, values ...any) bool {
	t := reflect.ValueOf(target)
	if t.Kind() != reflect.Pointer || t.IsNil() {
		return false
	}
	elem := t.Elem()
	for _, v := range values {
		if v == nil {
			continue
		}
		rv := reflect.ValueOf(v)
		if rv.Type() == elem.Type() {
			elem.Set(rv)
			return true
		}
	}
	return false
}
