package trustist

import (
	"fmt"
	"strconv"
)

// errorf returns a plain error for a cause wrapped in a *provider.Error.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// quote quotes s for messages.
func quote(s string) string { return strconv.Quote(s) }
