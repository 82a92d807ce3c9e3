package provider

import "encoding/json"

// Patch is one field of a partial update: unchanged (the zero value), set to a value, or
// cleared. In JSON it is omitted when unchanged (with omitzero), the value when set, and
// null when cleared.
type Patch[T any] struct {
	set   bool
	clear bool
	v     T
}

// Set returns a Patch that sets the field to v.
func Set[T any](v T) Patch[T] { return Patch[T]{set: true, v: v} }

// Clear returns a Patch that removes the field's value.
func Clear[T any]() Patch[T] { return Patch[T]{clear: true} }

// IsZero reports whether the Patch leaves the field unchanged.
func (p Patch[T]) IsZero() bool { return !p.set && !p.clear }

// IsSet reports whether the Patch sets a value.
func (p Patch[T]) IsSet() bool { return p.set }

// IsClear reports whether the Patch clears the field.
func (p Patch[T]) IsClear() bool { return p.clear }

// Value returns the value set, or T's zero value.
func (p Patch[T]) Value() T { return p.v }

// Apply applies the patch to *dst.
func (p Patch[T]) Apply(dst *T) {
	switch {
	case p.set:
		*dst = p.v
	case p.clear:
		var zero T
		*dst = zero
	}
}

// MarshalJSON writes the value, or null when clearing.
func (p Patch[T]) MarshalJSON() ([]byte, error) {
	if !p.set {
		return []byte("null"), nil
	}
	return json.Marshal(p.v)
}

// UnmarshalJSON reads null as Clear and anything else as Set.
func (p *Patch[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*p = Clear[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = Set(v)
	return nil
}
