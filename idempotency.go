package paybridge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// DefaultLease is how long a Gateway holds the journal entry of a call it is making before
// another caller with the same idempotency key may take it over (as uncertain). Calls are
// bounded by their context and the retry policy's MaxElapsed, which should stay well below it.
const DefaultLease = 5 * time.Minute

// WithJournal sets the operations journal: where the Gateway records every write (Pay,
// Refund, Payout, VerifyAccount, Capture, Void, CreateMandate, Charge, CancelMandate)
// before it is sent, and its outcome after. The default is an in-memory journal of this
// Gateway's own, which serialises the calls of one process and is lost on restart; give
// every instance of an application the same persistent journal (package
// journal/pgjournal) to keep the idempotency promises across restarts and instances.
func WithJournal(j journal.Journal) Option {
	return func(g *Gateway) {
		if j != nil {
			g.journal = j
		}
	}
}

// WithLease sets how long the Gateway holds a call's journal entry (default DefaultLease).
// A caller that crashes keeps others with the same key waiting this long, after which the
// call is treated as uncertain. The requests of each attempt at the provider end by nine
// tenths of the lease after the Gateway asked the journal for the claim (or its renewal)
// the attempt is made under, however the adapter's HTTP client is configured, so that no
// attempt outlives that claim; an attempt whose claim the journal answered too late for
// that sends nothing.
func WithLease(d time.Duration) Option {
	return func(g *Gateway) {
		if d > 0 {
			g.lease = d
		}
	}
}

// attemptLimit is how long one attempt of a journaled call may take: nine tenths of the
// lease, which leaves the rest to record the outcome before the claim lapses.
func (g *Gateway) attemptLimit() time.Duration { return g.lease - g.lease/10 }

// Journal returns the Gateway's operations journal, for operators who settle uncertain
// calls (journal.Journal.Settle) and for reconciliation. Its entries are scoped by
// JournalScope.
func (g *Gateway) Journal() journal.Journal { return g.journal }

// JournalScope returns the scope of this Gateway's journal entries: the provider's name
// and, where the adapter acts for one merchant account, that account.
func (g *Gateway) JournalScope() string { return g.scope }

// writeCall is one money-moving or order-creating call, as the Gateway journals it.
type writeCall[T any] struct {
	op     string
	need   provider.Operation
	key    string
	amount money.Amount // zero for VerifyAccount
	req    any          // pointer to the validated request
	// send makes one attempt at the provider, bounded by ctx.
	send func(ctx context.Context) (*T, error)
	// facts reports what the Gateway checks in an answer.
	facts func(*T) written
	// get reads the object by the provider's id, to settle an uncertain call whose
	// provider id became known; nil when the adapter cannot.
	get func(ctx context.Context, id string) (*T, error)
	// onParent says the answer is the object the call acted on (Void's payment,
	// CancelMandate's mandate), named by the request's parent: the answer must name it,
	// and the journal keeps its id with the call that created it.
	onParent bool
}

// write runs a call through the journal: claim, send (or settle an earlier uncertain
// attempt), record. The request has been validated.
func write[T any](ctx context.Context, g *Gateway, start time.Time, c writeCall[T]) (*T, error) {
	id := journal.ID{Scope: g.scope, Op: string(c.need), Key: c.key}
	fp, err := fingerprint(c.req)
	if err != nil {
		return nil, &Error{Code: CodeInternal, Op: c.op, Provider: g.name, IdempotencyKey: c.key, err: err}
	}
	// A mandate's record is read by its charges for as long as it lasts (Trustly has no
	// call that reads a mandate): the journal keeps it past its retention.
	claim, leased, err := g.claim(ctx, start, c.op, journal.Entry{ID: id, Fingerprint: fp, Reference: g.reference(c.req),
		Parent: parentOf(c.req), Amount: c.amount, Keep: c.need == provider.OpCreateMandate})
	if err != nil {
		return nil, err
	}
	if !claim.Held {
		return recorded[T](g, c, claim.Entry)
	}
	var (
		v     *T
		maybe error // the first attempt that may have been applied
		tries int
	)
	if claim.Entry.State == journal.Uncertain {
		earlier, resend, err := settleEarlier(ctx, g, c, claim.Entry)
		if earlier != nil {
			return conclude(ctx, g, c, id, claim.Token, earlier, nil)
		}
		if !resend {
			g.release(ctx, id, claim.Token)
			return nil, err
		}
		maybe = err // the earlier attempt, unless it was proved absent
		leased = time.Now()
		if err := g.journal.Sent(ctx, id, claim.Token, g.lease); err != nil {
			g.release(ctx, id, claim.Token)
			if maybe != nil {
				return nil, maybe // nothing more was sent; the earlier attempt is still unknown
			}
			return nil, g.journalError(c.op, c.key, "recording a new attempt", err)
		}
	}
	err = g.withRetries(ctx, start, c.op, c.need, func() error {
		if tries++; tries > 1 {
			// A repeat may land like the first attempt: the journal records when it goes
			// out, since a look-up proves a request absent only well after that, and
			// renews the lease — unless another caller took the entry over while this one
			// waited, and may have sent the request itself.
			leased = time.Now()
			if err := g.journal.Sent(ctx, id, claim.Token, g.lease); err != nil {
				return g.journalError(c.op, c.key, "recording a repeated attempt", err)
			}
		}
		// An attempt ends before the claim it was sent under can lapse: however the HTTP
		// client is configured, no request is still awaiting its answer when another
		// caller may take the entry over, and the call is recorded (uncertain if the
		// request was written) while the claim is still this caller's. The lease runs
		// from when the journal made the claim or renewed it, which was no earlier than
		// when it was asked to: the attempt's end is measured from then, not from when
		// the journal's answer arrived, which a slow database or a paused process can
		// delay past the lease's end.
		end := leased.Add(g.attemptLimit())
		if !time.Now().Before(end) {
			return &Error{Code: CodeProviderUnavailable, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
				err: errors.New("the journal answered too late to send under its claim, which another call with this " +
					"idempotency key may take over, so nothing was sent; call again")}
		}
		var err error
		v, err = c.send(transport.WithAttemptEnd(ctx, end))
		if err != nil && maybe == nil && outcomeOf(err) == journal.Uncertain {
			maybe = err
		}
		return err
	})
	if provider.CodeOf(err) == provider.Duplicate {
		err = g.sentBefore(ctx, id, claim.Entry.Reference, err)
	}
	if err != nil && maybe != nil && (outcomeOf(err) == "" || provider.CodeOf(err) == provider.Duplicate) {
		// A later attempt was refused unprocessed (503, rate limit, the context ended),
		// or refused for a reference already used — perhaps by the earlier attempt, which
		// sent the same one — but an earlier one may have been applied: the call is
		// uncertain, not free to send afresh nor refused, and its notifications are
		// still ours.
		err = maybe
	}
	return conclude(ctx, g, c, id, claim.Token, v, err)
}

// sentBefore adds to a provider's duplicate refusal the call that sent the same reference
// under another idempotency key: a caller that lost its key learns which to repeat.
func (g *Gateway) sentBefore(ctx context.Context, id journal.ID, ref string, err error) error {
	var pe *provider.Error
	if ref == "" || !errors.As(err, &pe) {
		return err
	}
	earlier, ferr := g.journal.FindByReference(ctx, id.Scope, ref)
	if ferr != nil {
		return err
	}
	for _, e := range slices.Backward(earlier) { // oldest first: the call that sent it first
		if e.Op == id.Op && e.Key != id.Key && e.State != journal.Failed {
			hinted := *pe
			hinted.Message += "; the reference " + strconv.Quote(ref) + " was sent by an earlier call with idempotency key " +
				strconv.Quote(e.Key) + " (" + string(e.State) + "): repeat that call with its key"
			return &hinted
		}
	}
	return err
}

// claim claims the call's entry, waiting while another caller holds it — as long as the
// context and the retry policy's MaxElapsed allow. It returns when the claim that
// succeeded was asked for, from which its lease runs at the earliest.
func (g *Gateway) claim(ctx context.Context, start time.Time, op string, e journal.Entry) (journal.Claim, time.Time, error) {
	wait := 10 * time.Millisecond
	for {
		asked := time.Now()
		c, err := g.journal.Claim(ctx, e, g.lease)
		switch {
		case err == nil:
			switch {
			case !c.Held:
				g.journaled(ctx, op, "recorded")
			case c.Entry.State == journal.Uncertain:
				g.journaled(ctx, op, "resumed")
			default:
				g.journaled(ctx, op, "held")
			}
			return c, asked, nil
		case errors.Is(err, journal.ErrConflict):
			g.journaled(ctx, op, "conflict")
			return c, asked, &Error{Code: CodeDuplicate, Op: op, Provider: g.name, IdempotencyKey: e.Key,
				err: &provider.Error{Code: provider.Duplicate, Field: "IdempotencyKey",
					Message: "the idempotency key was used before with a different request"}}
		case !errors.Is(err, journal.ErrBusy):
			return c, asked, g.journalError(op, e.Key, "claiming the idempotency key", err)
		}
		if g.retry.MaxElapsed > 0 && time.Since(start)+wait > g.retry.MaxElapsed {
			return c, asked, &Error{Code: CodeProviderUnavailable, Op: op, Provider: g.name, IdempotencyKey: e.Key,
				err: errors.New("another call with this idempotency key is still in progress; nothing was sent, call again later")}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return c, asked, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}

// recorded answers a repeat of a call the journal holds as settled or failed.
func recorded[T any](g *Gateway, c writeCall[T], e journal.Entry) (*T, error) {
	if e.State == journal.Failed {
		code := codeNamed(e.Error.Code)
		return nil, &Error{Code: code, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
			err: &provider.Error{Code: code, Message: "an earlier call with this idempotency key was refused: " + e.Error.Message}}
	}
	v := new(T)
	if err := json.Unmarshal(e.Result, v); err != nil {
		return nil, &Error{Code: CodeInternal, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
			err: errors.New("reading the recorded result of an earlier call with this idempotency key: " + err.Error())}
	}
	return v, nil
}

// settleEarlier learns what became of an earlier attempt whose outcome is unknown. It
// returns the attempt's result, or whether the request may be sent again, or the error to
// return with the call left uncertain. When the request may be sent again only because the
// provider recognises the repeat, the error is the earlier attempt's uncertainty, which the
// call returns if the repeat is not sent or is refused unprocessed: nothing proved that
// attempt absent.
func settleEarlier[T any](ctx context.Context, g *Gateway, c writeCall[T], e journal.Entry) (*T, bool, error) {
	if e.ProviderID != "" && c.get != nil {
		v, err := c.get(ctx, e.ProviderID)
		if err == nil {
			return v, false, nil
		}
		g.log.WarnContext(ctx, "paybridge: reading an uncertain call's object failed", "op", c.op, "provider", g.name,
			"idempotency_key", c.key, "code", CodeOf(err).String())
	}
	if slices.Contains(g.caps.RepeatableWrites, c.need) {
		// The provider recognises the repeat: it cannot act twice.
		return nil, true, &Error{Code: CodeUnknownOutcome, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
			err: &provider.Error{Code: provider.UnknownOutcome, Message: "an earlier attempt with this idempotency key " +
				"may have been applied, and no repeat of it has been answered yet; call again with the key"}}
	}
	if r, ok := g.p.(provider.Resolver); ok {
		got, err := r.Resolve(ctx, provider.Attempt{Op: c.need, Key: c.key, Reference: e.Reference,
			ProviderID: e.ProviderID, SentAt: e.SentAt, Attempts: e.Attempts}, c.req)
		if err == nil {
			if v, ok := got.(*T); ok && v != nil {
				return v, false, nil
			}
			return nil, false, &Error{Code: CodeInternal, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
				err: errors.New("the adapter settled an uncertain call with a result of the wrong type")}
		}
		if errors.Is(err, provider.ErrNotApplied) && e.ProviderID == "" {
			return nil, true, nil
		}
		if errors.Is(err, provider.ErrNotApplied) {
			// The provider holds the call's object (a notification or a look-up named it):
			// the call was applied, whatever a look-up by reference found.
			return nil, false, &Error{Code: CodeUnknownOutcome, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
				err: &provider.Error{Code: provider.UnknownOutcome, ObjectID: e.ProviderID, Message: "an earlier attempt " +
					"with this idempotency key created " + strconv.Quote(e.ProviderID) + ", which could not be read, so " +
					"nothing was sent; call again with the key"}}
		}
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		if provider.CodeOf(err) != provider.UnknownOutcome {
			// The look-up failed: the earlier attempt's outcome is still unknown.
			return nil, false, &Error{Code: CodeUnknownOutcome, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
				err: &provider.Error{Code: provider.UnknownOutcome, Err: err, Message: "an earlier attempt with this " +
					"idempotency key may have been applied, and looking it up at the provider failed, so nothing was sent; " +
					"call again with the key"}}
		}
		return nil, false, g.wrap(c.op, c.key, err)
	}
	return nil, false, &Error{Code: CodeUnknownOutcome, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
		err: &provider.Error{Code: provider.UnknownOutcome, Message: "an earlier attempt with this idempotency key " +
			"may have been applied and its outcome is not known yet, so nothing was sent; it settles when the " +
			"provider's notification for it arrives or an operator records it (Gateway.Journal), and a later call " +
			"with this key then returns it"}}
}

// conclude checks an attempt's answer, records the call's outcome in the journal, and
// returns what the call returns.
func conclude[T any](ctx context.Context, g *Gateway, c writeCall[T], id journal.ID, token string, v *T, err error) (*T, error) {
	if err != nil {
		switch outcomeOf(err) {
		case journal.Uncertain:
			var pe *provider.Error
			o := journal.Outcome{State: journal.Uncertain}
			if errors.As(err, &pe) {
				o.ProviderID = pe.ObjectID // a repeat then settles by reading the object
			}
			g.record(ctx, c.op, id, token, o)
		case journal.Failed:
			g.record(ctx, c.op, id, token, journal.Outcome{State: journal.Failed,
				Error: &journal.RecordedError{Code: CodeOf(err).String(), Message: refusalText(err)}})
		default:
			g.release(ctx, id, token)
		}
		return nil, err
	}
	if v == nil {
		// An adapter that breaks its contract: it may have sent the request, so the call
		// stays uncertain for a repeat to settle or an operator to decide.
		g.record(ctx, c.op, id, token, journal.Outcome{State: journal.Uncertain})
		return nil, &Error{Code: CodeUnknownOutcome, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
			err: &provider.Error{Code: provider.UnknownOutcome, Message: "the adapter returned neither a result nor an error"}}
	}
	w := c.facts(v)
	err = g.checkAnswer(c.op, c.key, c.amount, w)
	if err == nil && c.onParent {
		if parent := parentOf(c.req); w.id != parent {
			err = &Error{Code: CodeInternal, Op: c.op, Provider: g.name, IdempotencyKey: c.key,
				err: errors.New("the provider answered about " + strconv.Quote(w.id) + ", not " + strconv.Quote(parent))}
		}
		w.id = ""
	}
	if err != nil {
		// The provider answered, but not with what was asked: it may have applied
		// something, so the call stays uncertain for an operator to settle.
		g.record(ctx, c.op, id, token, journal.Outcome{State: journal.Uncertain})
		return nil, err
	}
	g.stamp(w.provider, w.key, c.key)
	result, err := json.Marshal(v)
	if err != nil {
		g.record(ctx, c.op, id, token, journal.Outcome{State: journal.Uncertain})
		return nil, &Error{Code: CodeInternal, Op: c.op, Provider: g.name, IdempotencyKey: c.key, err: err}
	}
	// When this fails the entry stays pending until its lease ends, and a repeat then
	// settles it as an uncertain call; the provider applied this one, so say so.
	g.record(ctx, c.op, id, token, journal.Outcome{State: journal.Settled, Result: result, ProviderID: w.id})
	return v, nil
}

// checkAnswer checks that an answer names the object and echoes the amount asked for.
func (g *Gateway) checkAnswer(op, key string, amount money.Amount, w written) error {
	if err := g.checkID(op, key, w.id); err != nil {
		return err
	}
	if amount.IsValid() {
		return g.echoed(op, key, amount, w.amount)
	}
	return nil
}

// outcomeOf says what a failed attempt means for the journal: Uncertain when it may have
// been applied, Failed when the provider refused it for good, and "" when it provably was
// not applied and the key may be used afresh.
func outcomeOf(err error) journal.State {
	code := provider.CodeOf(err)
	switch code {
	case provider.Declined, provider.InsufficientFunds:
		return journal.Failed
	case provider.UnknownOutcome, provider.Internal, provider.Duplicate:
		if errors.Is(err, provider.ErrNotApplied) {
			return journal.Failed // the provider refused it for good: nothing was created
		}
		return journal.Uncertain
	case provider.Unknown:
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return "" // adapters return a bare context error only when nothing was sent
		}
		return journal.Uncertain
	}
	return ""
}

// refusalText is the provider's message of a refusal, for the journal: never the whole
// error chain, which may name request details.
func refusalText(err error) string {
	var pe *provider.Error
	if errors.As(err, &pe) && pe.Message != "" {
		return pe.Message
	}
	return CodeOf(err).String()
}

// record writes an outcome of the Gateway method op; a failure is logged, since the call's
// own answer matters more. An uncertain outcome is counted.
func (g *Gateway) record(ctx context.Context, op string, id journal.ID, token string, o journal.Outcome) {
	if o.State == journal.Uncertain {
		g.uncertainRecorded(ctx, op)
	}
	if err := g.journal.Record(context.WithoutCancel(ctx), id, token, o); err != nil {
		g.log.ErrorContext(ctx, "paybridge: recording a call's outcome in the journal failed", "op", id.Op,
			"provider", g.name, "idempotency_key", id.Key, "state", string(o.State), "error", err.Error())
	}
}

func (g *Gateway) release(ctx context.Context, id journal.ID, token string) {
	if err := g.journal.Release(context.WithoutCancel(ctx), id, token); err != nil {
		g.log.ErrorContext(ctx, "paybridge: releasing a journal entry failed", "op", id.Op,
			"provider", g.name, "idempotency_key", id.Key, "error", err.Error())
	}
}

func (g *Gateway) journalError(op, key, doing string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, journal.ErrClaimLost) {
		// Another caller holds the call now; it decides whether to send. Repeating this
		// one cannot help (see Gateway.repeatable).
		return &Error{Code: CodeProviderUnavailable, Op: op, Provider: g.name, IdempotencyKey: key,
			err: fmt.Errorf("another call with this idempotency key took it over (%s), so nothing more was sent; "+
				"call again later: %w", doing, err)}
	}
	return &Error{Code: CodeProviderUnavailable, Op: op, Provider: g.name, IdempotencyKey: key,
		err: errors.New("the operations journal is unavailable (" + doing + "), so nothing was sent: " + err.Error())}
}

// reference is what the adapter sends the provider to name the call: its own reference
// (provider.Referencer), else the request's MerchantReference. Notifications report it as
// the event's reference, by which the journal matches events to calls.
func (g *Gateway) reference(req any) string {
	if r, ok := g.p.(provider.Referencer); ok {
		if ref := r.ProviderReference(req); ref != "" {
			return ref
		}
	}
	switch r := req.(type) {
	case *PaymentRequest:
		return r.MerchantReference
	case *RefundRequest:
		return r.MerchantReference
	case *PayoutRequest:
		return r.MerchantReference
	case *VerifyAccountRequest:
		return r.MerchantReference
	case *CaptureRequest:
		return r.MerchantReference
	case *MandateRequest:
		return r.MerchantReference
	case *ChargeRequest:
		return r.MerchantReference
	}
	return ""
}

// parentOf is the provider's id of the object a request acts on: a refund's, capture's
// or void's payment, a charge's or cancellation's mandate.
func parentOf(req any) string {
	switch r := req.(type) {
	case *RefundRequest:
		return r.PaymentID
	case *CaptureRequest:
		return r.PaymentID
	case *VoidRequest:
		return r.PaymentID
	case *ChargeRequest:
		return r.MandateID
	case *CancelMandateRequest:
		return r.MandateID
	}
	return ""
}

// fingerprint identifies a request: a SHA-256 of its JSON encoding, which holds every
// field (map keys sorted). The idempotency key is part of the request and of the entry's
// name alike, so it changes nothing. A field a release adds to a request type must be
// left out of the JSON when unset (omitempty, omitzero), so that a repeat made by another
// release during a rolling upgrade fingerprints as the first attempt did
// (TestFingerprintedRequestsKeepTheirJSON holds the JSON of each empty request).
func fingerprint(req any) (string, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return "", errors.New("fingerprinting the request: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// codeNamed returns the Code whose String is name.
func codeNamed(name string) Code {
	for c := provider.Unknown; c <= provider.Internal; c++ {
		if c.String() == name {
			return c
		}
	}
	return CodeInternal
}
