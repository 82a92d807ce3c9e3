package transport

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
)

// Sent tells whether the transport has begun writing a request to a connection: until it
// has, the provider cannot have acted on the request, and a failure is safe to repeat.
type Sent struct {
	written atomic.Bool
	trace   httptrace.ClientTrace
}

// TraceSent returns ctx with a trace that records in the returned Sent when the transport
// has written the request's headers, which it does before anything of the request can
// reach the provider.
//
// A body reader of the adapter's own would tell the same, but net/http flushes the
// headers of a body it does not know as a separate write, which costs every request a
// round of syscalls on both ends.
func TraceSent(ctx context.Context) (context.Context, *Sent) {
	s := &Sent{}
	s.trace.WroteHeaders = func() { s.written.Store(true) }
	return httptrace.WithClientTrace(ctx, &s.trace), s
}

// Load reports whether the request was written, in part or whole.
func (s *Sent) Load() bool { return s.written.Load() }
