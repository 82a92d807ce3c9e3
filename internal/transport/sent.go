package transport

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
)

// sent tells whether a request may have reached the provider, for telling a failure that is
// safe to repeat from one whose outcome is unknown.
type sent struct {
	started atomic.Bool // the transport asked for a connection, so it reports to the trace
	written atomic.Bool // the transport wrote the request's headers
	trace   httptrace.ClientTrace
}

// traceOn returns ctx with a trace that records in s what the transport did with the
// request.
//
// net/http's transport writes a request's headers before its body, so no complete request
// with a body reaches the server before the headers hook fires. (Part of the headers can:
// a header block larger than the write buffer, or an HTTP/2 HEADERS frame, goes out before
// the hook runs; without its body the server has no request to act on. Every write the
// adapters send has a body.)
//
// A transport other than net/http's may report nothing to the trace; then nothing can be
// ruled out, and Load reports the request as sent.
//
// A body reader of the adapter's own would tell the same, but net/http flushes the
// headers of a body it does not know as a separate write, which costs every request a
// round of syscalls on both ends.
func (s *sent) traceOn(ctx context.Context) context.Context {
	s.trace.GetConn = func(string) { s.started.Store(true) }
	s.trace.WroteHeaders = func() { s.written.Store(true) }
	return httptrace.WithClientTrace(ctx, &s.trace)
}

// Load reports whether the request may have reached the provider: its headers were
// written, or the transport reported nothing to the trace.
func (s *sent) Load() bool { return s.written.Load() || !s.started.Load() }
