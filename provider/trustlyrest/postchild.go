package trustlyrest

import (
	"context"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// recovery says which failed posts of a child transaction are settled by looking the child
// up among its parent's children (findChild).
type recovery int

const (
	// recoverNone returns every failure as it is. Trustly does not refuse a repeated refund,
	// and an answer that was lost is the Gateway's journal's to settle (Resolve).
	recoverNone recovery = iota
	// recoverDuplicate looks the child up only when Trustly refuses its merchantReference as
	// used (error 210, provider.Duplicate): the child an earlier attempt with the same
	// idempotency key made is the call's. Any other failure is the journal's to settle.
	recoverDuplicate
	// recoverAnyFailure looks the child up after any failure while ctx lasts: a post the
	// adapter makes on its own, which no journal records, is settled by Trustly's list —
	// the answer that was lost, the race that was lost.
	recoverAnyFailure
)

// childPost describes a child transaction (a capture, deposit or refund under parent) to
// post, and how a failed post is recovered.
type childPost struct {
	parent string
	typ    int    // typeCapture, typeDeposit or typeRefund; it also names the action posted
	ref    string // the child's merchantReference
	// anyRef is findChild's: a live child with another merchantReference is the one found.
	anyRef  bool
	recover recovery
	// lookUpErrWins returns the look-up's own error, rather than the post's, when the
	// look-up fails: for a post whose refusal the caller treats as final, which must not be
	// concluded while the child may exist. A look-up that finds nothing always returns the
	// post's error.
	lookUpErrWins bool
}

// postChild posts f to /transactions/{parent}/{capture,deposit,refund} and returns the child
// made. After a failure that p.recover names, the child is looked up by p.ref: when found,
// it is returned with found set and a nil error.
func (c *Client) postChild(ctx context.Context, p childPost, f signing.Form) (child *wireTransaction, found bool, err error) {
	action, ok := childActions[p.typ]
	if !ok {
		return nil, false, &provider.Error{Code: provider.Internal, Message: "no action makes a child of type " + itoa(p.typ)}
	}
	child, err = c.postTransaction(ctx, "/transactions/"+p.parent+"/"+action, f)
	switch {
	case err == nil, p.recover == recoverNone:
		return child, false, err
	case p.recover == recoverDuplicate && !isCode(err, provider.Duplicate):
		return child, false, err
	case p.recover == recoverAnyFailure && ctx.Err() != nil:
		return child, false, err
	}
	existing, lerr := c.findChild(ctx, p.parent, p.typ, p.ref, p.anyRef)
	switch {
	case lerr != nil && p.lookUpErrWins:
		return nil, false, lerr
	case lerr == nil && existing != nil:
		return existing, true, nil
	}
	return child, false, err
}

// childActions names the action that makes a child of each type.
var childActions = map[int]string{typeCapture: "capture", typeDeposit: "deposit", typeRefund: "refund"}
