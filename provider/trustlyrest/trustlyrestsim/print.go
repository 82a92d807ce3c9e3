package trustlyrestsim

import (
	"fmt"
	"log/slog"

	"github.com/paybridge/paybridge/secret"
)

// describe is what a Server prints as: where it listens, never its credentials or keys.
func (s Server) describe() secret.Opaque {
	if s.server == nil || s.srv == nil {
		return secret.Describe("trustlyrestsim.Server")
	}
	return secret.Describe("trustlyrestsim.Server", "url", s.srv.URL, "accessId", s.opts.AccessID,
		"merchantId", s.opts.MerchantID)
}

// String describes the Server without its credentials and keys.
func (s Server) String() string { return s.describe().String() }

// GoString describes the Server without its credentials and keys.
func (s Server) GoString() string { return s.describe().GoString() }

// Format prints the Server without its credentials and keys, whatever the verb.
func (s Server) Format(f fmt.State, verb rune) { s.describe().Format(f, verb) }

// LogValue implements slog.LogValuer: the Server without its credentials and keys. A nil
// *Server logs as <nil>.
func (s *Server) LogValue() slog.Value {
	if s == nil {
		return slog.AnyValue(nil)
	}
	return s.describe().LogValue()
}
