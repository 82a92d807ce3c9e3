// Package reconcile compares a provider's books with a Gateway's journal: the money the
// provider says moved between two times (Gateway.Ledger) against the money-moving calls
// the journal recorded in that period. It is what `paybridge reconcile` runs.
//
// It is a package of its own, not a Gateway method, because it is a job built on the
// Gateway's public API (Ledger, Journal, JournalScope and the lookups), as an operator's
// tool would be; the Gateway stays the portable type every call goes through.
//
// # What is compared
//
// The calls are the journal entries of the Gateway's scope created in [From, To) whose
// operation moves money: Pay, Refund, Payout, Capture and Charge (marks and calls that
// move nothing, such as Void or CancelMandate, are left out). A ledger entry is matched to
// a call by its ProviderID, else by its Reference, first among those calls and then in
// the whole journal (a payment created just before From may be booked just after it). A
// refund booked under its payment's id is matched to a refund of that payment, and a
// payment booked for a manually captured payment to one of its captures. Fee rows and
// other movements (settlements to the merchant's bank, adjustments) are counted but not
// compared: no call makes them.
//
// Amounts are signed as the ledger signs them: a pay-in, capture or charge is expected
// positive, a refund or payout negative; the ledger entries matched to one call are added
// up before they are compared with it.
//
// # Findings
//
//   - MissingCall: the ledger shows money moved that no call in the journal made.
//   - MissingEntry: a settled call whose money moved at the provider (its object reads
//     succeeded now) has no ledger entry in the period.
//   - AmountDiffers: the entries matched to a call add up to another amount or currency
//     than the call's, or the journal recorded the call as refused.
//   - Uncertain: a call whose outcome the journal does not know (UnknownOutcome, or a
//     call in flight or whose caller stopped): settle it before the books can agree.
//
// A settled call with no ledger entry whose object has not finished (a payment the payer
// has not yet approved, an authorization not yet captured, a pending refund) is counted as
// Pending, not a finding: its money has not moved. So is one the ledger books after the
// period (read up to seven days past To, never past now): a payment made at 23:50 and paid
// at 00:05 is the next day's, where it matches. One that ended without moving money
// (declined, cancelled, expired, failed) agrees with a ledger that does not show it.
package reconcile

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// Kind names a finding.
type Kind string

// The kinds of finding.
const (
	MissingCall   Kind = "missing_call"
	MissingEntry  Kind = "missing_entry"
	AmountDiffers Kind = "amount_differs"
	Uncertain     Kind = "uncertain"
)

// Finding is one way the books and the journal disagree.
type Finding struct {
	Kind Kind `json:"kind"`
	// Op and Key name the call (empty for MissingCall).
	Op  provider.Operation `json:"op,omitempty"`
	Key string             `json:"key,omitempty"`
	// ProviderID and Reference are the call's, or the ledger entry's for MissingCall.
	ProviderID string `json:"providerId,omitempty"`
	Reference  string `json:"reference,omitempty"`
	// Expected is the call's amount, signed as the ledger would book it (invalid for
	// MissingCall).
	Expected money.Amount `json:"expected,omitzero"`
	// Booked is the sum of the ledger entries matched to the call, or the unmatched
	// entry's amount (invalid when nothing was booked).
	Booked money.Amount `json:"booked,omitzero"`
	// Time is when the call was made, or when the unmatched entry was booked.
	Time time.Time `json:"time"`
	// Detail says more, in words.
	Detail string `json:"detail,omitempty"`
}

// Report is the outcome of Run.
type Report struct {
	Scope string    `json:"scope"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	// LedgerEntries counts the ledger entries read; NotCompared those of them that are
	// fees or other movements no call makes.
	LedgerEntries int `json:"ledgerEntries"`
	NotCompared   int `json:"notCompared"`
	// Calls counts the money-moving calls the journal recorded in the period. Matched
	// counts the calls the ledger agrees with: booked as made (calls made before the
	// period and booked in it included), or ended without moving money. Pending counts
	// the settled ones whose money has not moved yet, or was booked after the period (a
	// payment made at 23:50 and paid at 00:05 belongs to the next day's books).
	Calls    int       `json:"calls"`
	Matched  int       `json:"matched"`
	Pending  int       `json:"pending"`
	Findings []Finding `json:"findings"`
}

// Agree reports whether the books and the journal agree: no finding.
func (r *Report) Agree() bool { return len(r.Findings) == 0 }

// moneyOps are the operations whose calls move money, with the sign the ledger gives it.
var moneyOps = map[provider.Operation]int64{
	provider.OpPay: 1, provider.OpCapture: 1, provider.OpCharge: 1,
	provider.OpRefund: -1, provider.OpPayout: -1,
}

// call is one journal entry and the ledger entries matched to it.
type call struct {
	e       journal.Entry
	inRange bool
	rows    []*provider.LedgerEntry
}

// expected is the amount the call should add to the merchant's balance.
func (c *call) expected() money.Amount {
	a := c.e.Amount
	if moneyOps[provider.Operation(c.e.Op)] < 0 {
		return money.FromMinorCurrency(-a.Minor(), a.Currency())
	}
	return a
}

// run holds one reconciliation's state.
type run struct {
	gw    *paybridge.Gateway
	j     journal.Journal
	scope string
	to    time.Time
	calls map[journal.ID]*call
	order []*call
	byPID map[string]*call
	byRef map[string][]*call
	// after holds the keys (provider ids and references, by kind) of what the ledger
	// booked in the look-ahead after the period; nil until it is read.
	after map[afterKey]bool
}

// afterKey names a ledger entry booked after the period: its kind and its provider id or
// reference.
type afterKey struct {
	kind provider.LedgerKind
	id   string
}

// lookAhead is how far after the period the ledger is read for calls made in the period
// whose money the provider booked only after it.
const lookAhead = 7 * 24 * time.Hour

// Run compares gw's ledger between from (included) and to (excluded) with the calls its
// journal recorded in that period, and reports what disagrees. progress, when not nil, is
// called after each ledger entry with the number read so far. An error (the provider
// offers no ledger, a listing or a lookup failed) ends the run without a report.
func Run(ctx context.Context, gw *paybridge.Gateway, from, to time.Time, progress func(entries int)) (*Report, error) {
	if !to.After(from) {
		return nil, errors.New("reconcile: to must be after from")
	}
	r := &run{gw: gw, j: gw.Journal(), scope: gw.JournalScope(), to: to, calls: map[journal.ID]*call{},
		byPID: map[string]*call{}, byRef: map[string][]*call{}}
	rep := &Report{Scope: r.scope, From: from, To: to, Findings: []Finding{}}
	es, err := r.j.FindCreated(ctx, r.scope, from, to)
	if err != nil {
		return nil, fmt.Errorf("reconcile: reading the journal: %w", err)
	}
	for _, e := range es {
		if c := r.add(e); c != nil {
			c.inRange = true
			rep.Calls++
		}
	}
	for row, err := range gw.Ledger(ctx, paybridge.LedgerRequest{From: from, To: to}) {
		if err != nil {
			return nil, fmt.Errorf("reconcile: reading the ledger: %w", err)
		}
		rep.LedgerEntries++
		if progress != nil {
			progress(rep.LedgerEntries)
		}
		if row.Kind != provider.LedgerPayment && row.Kind != provider.LedgerRefund && row.Kind != provider.LedgerPayout {
			rep.NotCompared++
			continue
		}
		c, err := r.resolve(ctx, row)
		if err != nil {
			return nil, err
		}
		if c == nil {
			rep.Findings = append(rep.Findings, Finding{Kind: MissingCall, ProviderID: row.ProviderID, Reference: row.Reference,
				Booked: row.Amount, Time: row.Time,
				Detail: fmt.Sprintf("a %s booked at the provider that no call in the journal made", cmp.Or(row.ProviderKind, string(row.Kind)))})
			continue
		}
		c.rows = append(c.rows, row)
	}
	for _, c := range r.order {
		f, matched, pending, err := r.judge(ctx, c)
		switch {
		case err != nil:
			return nil, err
		case f != nil:
			rep.Findings = append(rep.Findings, *f)
		case matched:
			rep.Matched++
		case pending:
			rep.Pending++
		}
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return a.Time.Compare(b.Time) })
	return rep, nil
}

// add indexes a journal entry that moves money and returns its call (nil for any other
// entry). An entry indexed already returns its call.
func (r *run) add(e journal.Entry) *call {
	if _, moves := moneyOps[provider.Operation(e.Op)]; !moves || !e.Amount.IsValid() {
		return nil
	}
	if c := r.calls[e.ID]; c != nil {
		return c
	}
	c := &call{e: e}
	r.calls[e.ID] = c
	r.order = append(r.order, c)
	if e.ProviderID != "" {
		r.byPID[e.ProviderID] = c
	}
	if e.Reference != "" {
		r.byRef[e.Reference] = append(r.byRef[e.Reference], c)
	}
	return c
}

// resolve finds the call a ledger entry books, or nil.
func (r *run) resolve(ctx context.Context, row *provider.LedgerEntry) (*call, error) {
	c, err := r.lookup(ctx, row)
	if err != nil || c == nil {
		return c, err
	}
	op := provider.Operation(c.e.Op)
	switch {
	case row.Kind == provider.LedgerRefund && op != provider.OpRefund:
		// Booked under the payment's id: one of the payment's refunds.
		return r.child(ctx, c, provider.OpRefund, row)
	case row.Kind == provider.LedgerPayment && op == provider.OpPay:
		// A manually captured payment is booked by its captures.
		if ch, err := r.child(ctx, c, provider.OpCapture, row); err != nil || ch != nil {
			return ch, err
		}
	}
	return c, nil
}

// lookup finds a call by the entry's provider id, else by its reference: among the
// period's calls first, then in the whole journal.
func (r *run) lookup(ctx context.Context, row *provider.LedgerEntry) (*call, error) {
	if id := row.ProviderID; id != "" {
		if c := r.byPID[id]; c != nil {
			return c, nil
		}
		e, err := r.j.FindByProviderID(ctx, r.scope, id)
		switch {
		case err == nil:
			if c := r.add(e); c != nil {
				return c, nil
			}
		case !errors.Is(err, journal.ErrNotFound):
			return nil, fmt.Errorf("reconcile: reading the journal: %w", err)
		}
	}
	if ref := row.Reference; ref != "" {
		if c := pickByRef(r.byRef[ref], row); c != nil {
			return c, nil
		}
		es, err := r.j.FindByReference(ctx, r.scope, ref)
		if err != nil {
			return nil, fmt.Errorf("reconcile: reading the journal: %w", err)
		}
		var cs []*call
		for _, e := range es {
			if c := r.add(e); c != nil {
				cs = append(cs, c)
			}
		}
		return pickByRef(cs, row), nil
	}
	return nil, nil
}

// pickByRef chooses among the calls sharing a reference the one the entry books: one of
// its kind, not refused, preferring one with nothing matched yet and the same amount.
func pickByRef(cs []*call, row *provider.LedgerEntry) *call {
	var best *call
	score := -1
	for _, c := range cs {
		if c.e.State == journal.Failed || kindOf(provider.Operation(c.e.Op)) != row.Kind {
			continue
		}
		s := 0
		if len(c.rows) == 0 {
			s += 2
		}
		if c.expected().Equal(row.Amount) {
			s++
		}
		if s > score {
			best, score = c, s
		}
	}
	return best
}

// kindOf is the ledger kind an operation's money is booked as.
func kindOf(op provider.Operation) provider.LedgerKind {
	switch op {
	case provider.OpRefund:
		return provider.LedgerRefund
	case provider.OpPayout:
		return provider.LedgerPayout
	}
	return provider.LedgerPayment
}

// child returns the call of operation op made against parent's object that the entry
// books (the same amount, nothing matched yet, else any), or nil when there is none.
func (r *run) child(ctx context.Context, parent *call, op provider.Operation, row *provider.LedgerEntry) (*call, error) {
	if parent.e.ProviderID == "" {
		return nil, nil
	}
	es, err := r.j.FindByParent(ctx, r.scope, parent.e.ProviderID)
	if err != nil {
		return nil, fmt.Errorf("reconcile: reading the journal: %w", err)
	}
	var cs []*call
	for _, e := range es {
		if provider.Operation(e.Op) != op || e.State == journal.Failed {
			continue
		}
		if c := r.add(e); c != nil {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return nil, nil
	}
	for _, c := range cs {
		if len(c.rows) == 0 && c.expected().Equal(row.Amount) {
			return c, nil
		}
	}
	for _, c := range cs {
		if len(c.rows) == 0 {
			return c, nil
		}
	}
	return cs[0], nil
}

// judge compares one call with its ledger entries: a finding, or whether it matched or
// its money has not moved yet.
func (r *run) judge(ctx context.Context, c *call) (f *Finding, matched, pending bool, err error) {
	e := c.e
	finding := func(k Kind, detail string) *Finding {
		f := &Finding{Kind: k, Op: provider.Operation(e.Op), Key: e.Key, ProviderID: e.ProviderID, Reference: e.Reference,
			Expected: c.expected(), Time: e.CreatedAt, Detail: detail}
		if len(c.rows) > 0 {
			f.Booked = booked(c.rows)
		}
		return f
	}
	switch e.State {
	case journal.Pending, journal.Uncertain:
		detail := "the call's outcome is unknown; settle the journal entry"
		if e.State == journal.Pending {
			detail = "the call is in flight, or its caller stopped before recording the outcome"
		}
		if len(c.rows) > 0 {
			detail += " (the ledger shows it booked)"
		}
		return finding(Uncertain, detail), false, false, nil
	case journal.Failed:
		if len(c.rows) > 0 {
			return finding(AmountDiffers, "the journal recorded the call as refused, but the ledger shows it booked"), false, false, nil
		}
		return nil, false, false, nil
	}
	if len(c.rows) > 0 {
		if b := booked(c.rows); !b.IsValid() || !b.Equal(c.expected()) {
			detail := "the ledger booked another amount"
			if len(c.rows) > 1 {
				detail = fmt.Sprintf("the %d ledger entries booked for it add up to another amount", len(c.rows))
			}
			return finding(AmountDiffers, detail), false, false, nil
		}
		return nil, true, false, nil
	}
	if !c.inRange {
		return nil, false, false, nil
	}
	st, err := r.state(ctx, c)
	switch {
	case err != nil:
		return nil, false, false, err
	case st == moved || st == unknownStatus:
		later, err := r.bookedAfter(ctx, c)
		switch {
		case err != nil:
			return nil, false, false, err
		case later:
			return nil, false, true, nil // booked in a later period's books
		case st == moved:
			return finding(MissingEntry, "the provider reports it succeeded, but the ledger has no entry for it in the period"), false, false, nil
		}
		return finding(MissingEntry, "the ledger has no entry for it, and nothing tells whether its money moved"), false, false, nil
	case st == unknownToProvider:
		return finding(MissingEntry, "the provider does not know the object the journal says the call created"), false, false, nil
	case st == notYet:
		return nil, false, true, nil
	}
	return nil, true, false, nil // ended without moving money: nothing to book
}

// bookedAfter reports whether the ledger booked c's money after the period (up to
// lookAhead later, and not after now): providers book money when it moves, which may be
// after the call that moved it. The look-ahead is read once, when the first call needs it.
func (r *run) bookedAfter(ctx context.Context, c *call) (bool, error) {
	if r.after == nil {
		r.after = map[afterKey]bool{}
		end := r.to.Add(lookAhead)
		if now := time.Now().Add(time.Minute); now.Before(end) {
			end = now
		}
		if end.After(r.to) {
			for row, err := range r.gw.Ledger(ctx, paybridge.LedgerRequest{From: r.to, To: end}) {
				if err != nil {
					return false, fmt.Errorf("reconcile: reading the ledger after the period: %w", err)
				}
				for _, id := range []string{row.ProviderID, row.Reference} {
					if id != "" {
						r.after[afterKey{row.Kind, id}] = true
					}
				}
			}
		}
	}
	kind := kindOf(provider.Operation(c.e.Op))
	for _, id := range []string{c.e.ProviderID, c.e.Reference} {
		if id != "" && r.after[afterKey{kind, id}] {
			return true, nil
		}
	}
	// A refund booked under its payment's id, as providers whose refunds have no id of
	// their own book it.
	return kind == provider.LedgerRefund && c.e.Parent != "" && r.after[afterKey{kind, c.e.Parent}], nil
}

// booked adds up the entries' amounts; invalid when their currencies differ.
func booked(rows []*provider.LedgerEntry) money.Amount {
	sum := rows[0].Amount
	for _, row := range rows[1:] {
		s, err := sum.Add(row.Amount)
		if err != nil {
			return money.Amount{}
		}
		sum = s
	}
	return sum
}

// outcome is where a settled call's object stands at the provider.
type outcome int

const (
	moved             outcome = iota // the money moved
	notYet                           // not finished: the money has not moved yet
	none                             // ended without moving money
	unknownToProvider                // the provider does not know the object
	unknownStatus                    // no lookup and no recorded status tell
)

// state reads the object a settled call created from the provider, or falls back on the
// status its result recorded when the provider offers no lookup.
func (r *run) state(ctx context.Context, c *call) (outcome, error) {
	op, id := provider.Operation(c.e.Op), c.e.ProviderID
	if op == provider.OpPay {
		// A payment captured or voided later is booked by its captures, or not at all.
		if id != "" {
			es, err := r.j.FindByParent(ctx, r.scope, id)
			if err != nil {
				return 0, fmt.Errorf("reconcile: reading the journal: %w", err)
			}
			for _, e := range es {
				if o := provider.Operation(e.Op); (o == provider.OpCapture || o == provider.OpVoid) && e.State != journal.Failed {
					return none, nil
				}
			}
		}
	}
	caps := r.gw.Capabilities()
	var status string
	var err error
	switch lookup := getterOf(op); {
	case id == "" || !caps.Supports(lookup):
		var res struct {
			Status string `json:"status"`
		}
		_ = json.Unmarshal(c.e.Result, &res)
		status = res.Status
	case lookup == provider.OpGetPayment:
		var p *paybridge.Payment
		if p, err = r.gw.GetPayment(ctx, id); err == nil {
			status = string(p.Status)
		}
	case lookup == provider.OpGetRefund:
		var x *paybridge.Refund
		if x, err = r.gw.GetRefund(ctx, id); err == nil {
			status = string(x.Status)
		}
	case lookup == provider.OpGetPayout:
		var x *paybridge.Payout
		if x, err = r.gw.GetPayout(ctx, id); err == nil {
			status = string(x.Status)
		}
	case lookup == provider.OpGetCapture:
		var x *paybridge.Capture
		if x, err = r.gw.GetCapture(ctx, id); err == nil {
			status = string(x.Status)
		}
	}
	switch {
	case errors.Is(err, paybridge.ErrNotFound):
		return unknownToProvider, nil
	case err != nil:
		return 0, fmt.Errorf("reconcile: reading %s %s: %w", op, id, err)
	}
	switch status {
	case "succeeded":
		return moved, nil
	case "pending", "requires_action", "authorized":
		return notYet, nil
	case "":
		return unknownStatus, nil
	}
	return none, nil // declined, failed, canceled, expired
}

// getterOf is the lookup that reads the object a call of op created.
func getterOf(op provider.Operation) provider.Operation {
	switch op {
	case provider.OpRefund:
		return provider.OpGetRefund
	case provider.OpPayout:
		return provider.OpGetPayout
	case provider.OpCapture:
		return provider.OpGetCapture
	}
	return provider.OpGetPayment
}
