package secrettest

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// AssertMasked renders v with every common fmt verb (%v %+v %#v %s %q %x %d) and through
// slog's text and JSON handlers, and fails if any of hidden appears in any rendering, in
// clear or hex, or if any of shown is missing from %v, %#v or either slog rendering: a
// type that holds personal data must print what is harmless and useful, and nothing of
// the person.
func AssertMasked(t testing.TB, v any, hidden, shown []string) {
	t.Helper()
	r := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		r[verb] = fmt.Sprintf(verb, v)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", v)
	r["slog text"], r["slog JSON"] = text.String(), js.String()
	for how, s := range r {
		for _, h := range hidden {
			if strings.Contains(s, h) || strings.Contains(s, fmt.Sprintf("%x", h)) {
				t.Errorf("%s shows %q: %s", how, h, s)
			}
		}
	}
	for _, how := range []string{"%v", "%#v", "slog text", "slog JSON"} {
		for _, w := range shown {
			if !strings.Contains(r[how], w) {
				t.Errorf("%s does not show %q: %s", how, w, r[how])
			}
		}
	}
}
