// Package secrettest checks that configuration structs never print their credentials.
package secrettest

import (
	"bytes"
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
