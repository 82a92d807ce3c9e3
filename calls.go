package paybridge

import (
	"context"
	"errors"
	"strings"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

// markOp prefixes the journal operation of the marks adapters record through
// provider.Calls; no write's operation starts with it.
const markOp = "mark:"

// calls is the Gateway's provider.Calls: the journal's entries of the Gateway's scope.
type calls struct{ g *Gateway }

var _ provider.Calls = calls{}

func callOf(e journal.Entry) provider.Call {
	return provider.Call{Op: provider.Operation(e.Op), Key: e.Key, Reference: e.Reference, ProviderID: e.ProviderID,
		Parent: e.Parent, Amount: e.Amount, Settled: e.State == journal.Settled, CreatedAt: e.CreatedAt}
}

func isMark(e journal.Entry) bool { return strings.HasPrefix(e.Op, markOp) }

// ByProviderID implements provider.Calls.
func (c calls) ByProviderID(ctx context.Context, id string) (provider.Call, bool, error) {
	if id == "" {
		return provider.Call{}, false, nil
	}
	e, err := c.g.journal.FindByProviderID(ctx, c.g.scope, id)
	switch {
	case errors.Is(err, journal.ErrNotFound):
		return provider.Call{}, false, nil
	case err != nil:
		return provider.Call{}, false, err
	}
	return callOf(e), !isMark(e), nil
}

// ByReference implements provider.Calls.
func (c calls) ByReference(ctx context.Context, ref string) ([]provider.Call, error) {
	if ref == "" {
		return nil, nil
	}
	es, err := c.g.journal.FindByReference(ctx, c.g.scope, ref)
	return callsOf(es), err
}

// Children implements provider.Calls.
func (c calls) Children(ctx context.Context, id string, op provider.Operation) ([]provider.Call, error) {
	if id == "" {
		return nil, nil
	}
	es, err := c.g.journal.FindByParent(ctx, c.g.scope, id)
	if err != nil {
		return nil, err
	}
	var out []provider.Call
	for _, x := range callsOf(es) {
		if x.Op == op {
			out = append(out, x)
		}
	}
	return out, nil
}

// callsOf returns the calls among es, leaving out the marks and the calls the provider
// refused, which created nothing there.
func callsOf(es []journal.Entry) []provider.Call {
	var out []provider.Call
	for _, e := range es {
		if !isMark(e) && e.State != journal.Failed {
			out = append(out, callOf(e))
		}
	}
	return out
}

// Mark implements provider.Calls with a journal entry per mark, whose fingerprint is the
// value: the journal's claim makes the first value win on every instance.
func (c calls) Mark(ctx context.Context, name, key, value string) (string, error) {
	return c.mark(ctx, name, key, value, false)
}

// MarkKept implements provider.Calls: Mark with an entry the journal keeps
// (journal.Entry.Keep).
func (c calls) MarkKept(ctx context.Context, name, key, value string) (string, error) {
	return c.mark(ctx, name, key, value, true)
}

func (c calls) mark(ctx context.Context, name, key, value string, keep bool) (string, error) {
	if name == "" || key == "" || value == "" {
		return "", errors.New("paybridge: a mark needs a name, a key and a value")
	}
	id := journal.ID{Scope: c.g.scope, Op: markOp + name, Key: key}
	cl, err := c.g.journal.Claim(ctx, journal.Entry{ID: id, Fingerprint: value, Keep: keep}, c.g.lease)
	switch {
	case err == nil && cl.Held:
		if err := c.g.journal.Record(ctx, id, cl.Token, journal.Outcome{State: journal.Settled, Result: []byte(value)}); err != nil &&
			!errors.Is(err, journal.ErrClaimLost) {
			return "", err
		}
		return value, nil
	case err == nil:
		return cl.Entry.Fingerprint, nil
	case errors.Is(err, journal.ErrConflict), errors.Is(err, journal.ErrBusy):
		e, err := c.g.journal.Get(ctx, id)
		if err != nil {
			return "", err
		}
		return e.Fingerprint, nil
	}
	return "", err
}

// Marked implements provider.Calls.
func (c calls) Marked(ctx context.Context, name, key string) (string, error) {
	e, err := c.g.journal.Get(ctx, journal.ID{Scope: c.g.scope, Op: markOp + name, Key: key})
	if errors.Is(err, journal.ErrNotFound) {
		return "", nil
	}
	return e.Fingerprint, err
}

// journalVerifier verifies notifications with the adapter, offering it the Gateway's
// record of calls (provider.CallsFrom).
type journalVerifier struct {
	notify.Verifier
	calls provider.Calls
	name  string
}

// Name is the adapter's name, by which the Handler's telemetry names the provider of a
// notification that fails verification.
func (v journalVerifier) Name() string { return v.name }

func (v journalVerifier) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	return v.Verifier.VerifyNotification(provider.WithCalls(ctx, v.calls), r)
}
