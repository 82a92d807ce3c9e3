// Package secrettest checks that configuration structs and the values that hold credentials
// never print them.
package secrettest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/secret"
)

var secretType = reflect.TypeFor[secret.Value]()

// AssertRedacted fills every secret.Value field of *cfg (at any depth of nested structs)
// with a distinct marker, then renders cfg with every common fmt verb, encoding/json and
// both slog handlers, and fails if any marker appears. It also fails when cfg has no secret
// fields, so a credential stored as a plain string is noticed. It returns the field names
// checked.
func AssertRedacted(t testing.TB, cfg any) []string {
	t.Helper()
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		t.Fatalf("secrettest: want a pointer to a struct, got %T", cfg)
	}
	var fields []string
	fill(v.Elem(), v.Elem().Type().Name(), &fields)
	if len(fields) == 0 {
		t.Fatalf("secrettest: %T has no secret.Value fields", cfg)
	}
	for _, render := range renderings(cfg) {
		for i := range fields {
			if strings.Contains(render, marker(i)) {
				t.Errorf("%s leaks into output: %s", fields[i], render)
			}
		}
	}
	return fields
}

func marker(i int) string { return fmt.Sprintf("SECRET-MARKER-%03d-x", i) }

func fill(v reflect.Value, path string, fields *[]string) {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		switch {
		case f.Type == secretType:
			fv.Set(reflect.ValueOf(secret.New(marker(len(*fields)))))
			*fields = append(*fields, path+"."+f.Name)
		case f.Type.Kind() == reflect.Struct:
			fill(fv, path+"."+f.Name, fields)
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct && f.Type.Elem() != reflect.TypeFor[struct{}]():
			if fv.IsNil() && fv.CanSet() && hasSecret(f.Type.Elem(), 0) {
				fv.Set(reflect.New(f.Type.Elem()))
			}
			if !fv.IsNil() {
				fill(fv.Elem(), path+"."+f.Name, fields)
			}
		}
	}
}

func hasSecret(t reflect.Type, depth int) bool {
	if depth > 5 {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == secretType || (f.Type.Kind() == reflect.Struct && hasSecret(f.Type, depth+1)) {
			return true
		}
	}
	return false
}

func renderings(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", v)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", v)
	return append(out, buf.String())
}

// AssertNoSecrets fails if any of values, or anything a caller can reach from them,
// prints one of secrets or a recognisable part of one (see Forms). Each value is rendered
// as given and, when it is a pointer, as the value it points to, under every fmt verb
// (%v %+v %#v %s %q %x %X), encoding/json, and the slog text and JSON handlers both as an
// attribute and through slog.Any. The walk follows exported struct fields, pointers,
// interfaces, slices, arrays and maps, since each of those can be printed on its own. It
// returns how many values it rendered.
func AssertNoSecrets(t testing.TB, secrets []string, values ...any) int {
	t.Helper()
	var forms []string
	for _, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("secrettest: secret %q is too short to look for", s)
		}
		forms = append(forms, Forms(s)...)
	}
	w := walker{t: t, forms: forms, seen: map[seenKey]bool{}}
	for _, v := range values {
		w.walk(reflect.ValueOf(v), fmt.Sprintf("%T", v), 0)
	}
	if w.rendered == 0 {
		t.Fatal("secrettest: nothing to render")
	}
	return w.rendered
}

// window is the length, in bytes, of the parts of a secret that are looked for.
const window = 12

// Forms returns the strings whose presence in output betrays s: every window-long run of
// its bytes as text, in hex (either case) and as Go prints a byte slice (75 51 ...), and
// every run of 16 characters of its base64 forms (standard and URL alphabets).
func Forms(s string) []string {
	var out []string
	n := min(window, len(s))
	for i := 0; i+n <= len(s); i++ {
		w := []byte(s[i : i+n])
		out = append(out, string(w), hex.EncodeToString(w), strings.ToUpper(hex.EncodeToString(w)),
			strings.Trim(fmt.Sprint(w), "[]"))
	}
	for _, b := range []string{base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))} {
		n := min(16, len(b))
		for i := 0; i+n <= len(b); i++ {
			out = append(out, b[i:i+n])
		}
	}
	return out
}

type walker struct {
	t        testing.TB
	forms    []string
	seen     map[seenKey]bool // pointers already rendered
	rendered int
}

// seenKey tells a pointer to a struct from a pointer to its first field.
type seenKey struct {
	t reflect.Type
	p uintptr
}

func (w *walker) walk(v reflect.Value, path string, depth int) {
	if !v.IsValid() || depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem(), path, depth)
		}
		return
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		k := seenKey{v.Type(), v.Pointer()}
		if w.seen[k] {
			return
		}
		w.seen[k] = true
		w.check(v.Interface(), path)
		w.walk(v.Elem(), path, depth+1)
		return
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return
	}
	if v.CanInterface() {
		w.check(v.Interface(), path)
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				w.walk(v.Field(i), path+"."+f.Name, depth+1)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range min(v.Len(), 16) {
			w.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			w.walk(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), depth+1)
		}
	}
}

// check renders v every way and reports each form of a secret found in the output.
func (w *walker) check(v any, path string) {
	w.t.Helper()
	w.rendered++
	for _, out := range allRenderings(v) {
		if f, ok := w.betrays(out.text); ok {
			w.t.Errorf("%s (a %T) under %s shows %q: %s", path, v, out.how, f, out.text)
		}
	}
}

func (w *walker) betrays(s string) (string, bool) {
	for _, f := range w.forms {
		if strings.Contains(s, f) {
			return f, true
		}
	}
	return "", false
}

type rendering struct{ how, text string }

func allRenderings(v any) []rendering {
	var out []rendering
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"} {
		out = append(out, rendering{verb, fmt.Sprintf(verb, v)})
	}
	out = append(out, rendering{"Sprint", fmt.Sprint(v)}, rendering{"Sprintln", fmt.Sprintln(v)})
	if b, err := json.Marshal(v); err == nil {
		out = append(out, rendering{"encoding/json", string(b)})
	}
	for _, h := range []struct {
		how string
		new func(*bytes.Buffer) slog.Handler
	}{
		{"slog text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
		{"slog JSON", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	} {
		var buf bytes.Buffer
		l := slog.New(h.new(&buf))
		l.Info("value", "v", v)
		l.Info("value", slog.Any("v", v))
		l.With("v", v).Info("value")
		l.WithGroup("g").Info("value", "v", v)
		out = append(out, rendering{h.how, buf.String()})
	}
	return out
}
