// Package pairs builds the name and value pairs a type describes itself with
// (secret.Describe): the members worth printing, and the personal ones redacted.
package pairs

import "github.com/paybridge/paybridge/secret"

// Set appends to d each pair of name and value, from pairs, whose value is set.
func Set(d []string, pairs ...string) []string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			d = append(d, pairs[i], pairs[i+1])
		}
	}
	return d
}

// Redacted appends to d the name and secret.Redacted for each pair of name and value,
// from pairs, whose value is set: it says the field was given without showing it.
func Redacted(d []string, pairs ...string) []string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			d = append(d, pairs[i], secret.Redacted)
		}
	}
	return d
}
