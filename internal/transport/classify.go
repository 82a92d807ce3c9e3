package transport

import "net/http"

// Outcome is what one HTTP exchange shows about whether the provider processed the
// request. It is decided by Classify alone; each adapter maps it to its error codes.
type Outcome uint8

const (
	// Answered: a complete, authentic answer whose status by itself says neither that the
	// request was refused unprocessed nor that it may have been processed (a 2xx or a
	// 4xx other than 429). The adapter reads the answer to tell what happened.
	Answered Outcome = iota
	// NotProcessed: the provider provably did not act on the request. Nothing was written
	// to a connection, or the status says the request was refused before processing
	// (429, 503). Repeating it cannot act twice.
	NotProcessed
	// MaybeProcessed: the request may have been processed, and nothing trustworthy says
	// how: no answer after it was written, a status that does not rule processing out
	// (a 5xx other than 503, a 303), a body cut short or unreadable, or an answer whose
	// authentication fails. A write is then of unknown outcome; a read may be repeated.
	MaybeProcessed
	// Redirected: a 3xx answer other than 303. The server did not process the request at
	// the URL it was sent to, and the API clients follow no redirect (see NoRedirects):
	// the configured base URL is wrong. A 303 See Other is MaybeProcessed: it is also
	// the answer to a POST that was processed, pointing at its result (RFC 9110
	// §15.4.4).
	Redirected
)

// String returns the outcome's name.
func (o Outcome) String() string {
	switch o {
	case Answered:
		return "answered"
	case NotProcessed:
		return "not processed"
	case MaybeProcessed:
		return "maybe processed"
	case Redirected:
		return "redirected"
	}
	return "Outcome(?)"
}

// Exchange is what an adapter knows of one request and its answer.
type Exchange struct {
	// Written is false only when the request provably did not reach the provider: the
	// connection failed before the request was written (Do's trace saw no headers written).
	Written bool
	// Status is the answer's HTTP status, or 0 when no answer arrived.
	Status int
	// BodyErr is the error reading the answer's body, if any (a body cut short of its
	// Content-Length, a connection reset, ErrResponseTooLarge).
	BodyErr error
	// Unauthentic marks an answer whose authentication (a signature, a response MAC) is
	// present or required and does not verify: nothing in it can be trusted, the status
	// included.
	Unauthentic bool
}

// Classify says what x shows about whether the provider processed the request. It is the
// rule by which Do, Refusal, Unverified and Unusable decide, for every adapter, whether a
// request that failed may have taken effect.
//
// Only two statuses say a request was not processed, and both hold whatever the body:
//
//   - 429 Too Many Requests: "the user has sent too many requests in a given amount of
//     time"; it is a refusal to handle the request (RFC 6585 §4).
//   - 503 Service Unavailable: the server "is currently unable to handle the request due
//     to a temporary overload or scheduled maintenance" (RFC 9110 §15.6.4). Trustly's REST
//     API documents its 503 in the same words
//     (https://amer.developers.trustly.com/payments/reference/errors), and the
//     simulators answer 503 to a request they fail before processing it.
//
// Every other 5xx may follow a request that was processed: RFC 9110 §15.6.1 gives 500
// for "an unexpected condition that prevented it from fulfilling the request", which can
// arise after a payment was stored, and a gateway's 502 or 504 (§15.6.3, §15.6.5) answers
// for an upstream that may have received the request. Trustly documents its 500 only as
// "Internal Trustly error" and its error code 100 as an internal error "when trying to
// process the request"; Trustist documents no error statuses. A proxy that answers 503
// for a request it already forwarded breaks RFC 9110's meaning, and is not allowed for.
//
// A body cut short or unreadable makes any other status untrustworthy (the answer was
// not received whole), and an answer whose authentication fails says nothing at all.
func Classify(x Exchange) Outcome {
	switch {
	case !x.Written:
		return NotProcessed
	case x.Status == 0, x.Unauthentic:
		return MaybeProcessed
	case x.Status == http.StatusTooManyRequests, x.Status == http.StatusServiceUnavailable:
		return NotProcessed
	case x.Status >= 300 && x.Status < 400 && x.Status != http.StatusSeeOther:
		return Redirected
	case x.BodyErr != nil:
		return MaybeProcessed
	case x.Status >= 200 && x.Status < 300, x.Status >= 400 && x.Status < 500:
		return Answered
	}
	return MaybeProcessed
}
