package journal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultRetention is how long Memory keeps Settled and Failed entries unless
// WithRetention says otherwise. Pending and Uncertain entries are never dropped, nor are
// entries claimed with Keep.
const DefaultRetention = 30 * 24 * time.Hour

// Memory is a Journal in this process's memory: the Gateway's default. It serialises the
// calls of one process, and survives neither a restart nor a second instance; use package
// pgjournal for those. Create it with NewMemory; it is safe for concurrent use.
type Memory struct {
	mu        sync.Mutex
	now       func() time.Time
	retention time.Duration
	entries   map[ID]*memEntry
	byRef     map[[2]string][]ID // scope, reference
	byPID     map[[2]string]ID   // scope, provider id
	byParent  map[[2]string][]ID // scope, parent
	sweptAt   time.Time
}

type memEntry struct {
	Entry
	token string
	lease time.Time // the claim's end; zero when no claim is held
}

// MemoryOption configures a Memory journal.
type MemoryOption func(*Memory)

// WithRetention sets how long Settled and Failed entries are kept (default
// DefaultRetention). A key repeated after its entry was dropped runs as a new call, and
// the Gateway no longer matches a notification about it as the merchant's.
func WithRetention(d time.Duration) MemoryOption {
	return func(m *Memory) {
		if d > 0 {
			m.retention = d
		}
	}
}

// WithClock sets the clock (for tests).
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) {
		if now != nil {
			m.now = now
		}
	}
}

// NewMemory returns an empty in-memory journal.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{now: time.Now, retention: DefaultRetention, entries: map[ID]*memEntry{},
		byRef: map[[2]string][]ID{}, byPID: map[[2]string]ID{}, byParent: map[[2]string][]ID{}}
	for _, o := range opts {
		o(m)
	}
	return m
}

var _ Journal = (*Memory)(nil)

// Claim implements Journal.
func (m *Memory) Claim(_ context.Context, e Entry, lease time.Duration) (Claim, error) {
	if err := e.Check(); err != nil {
		return Claim{}, err
	}
	if lease <= 0 {
		return Claim{}, errLease
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	cur := m.entries[e.ID]
	if cur == nil {
		cur = &memEntry{Entry: Entry{ID: e.ID, Fingerprint: e.Fingerprint, Reference: e.Reference, Parent: e.Parent, Keep: e.Keep,
			Amount: e.Amount, State: Pending, Attempts: 1, SentAt: now, CreatedAt: now, UpdatedAt: now}}
		if e.Reference != "" {
			ref := [2]string{e.Scope, e.Reference}
			m.byRef[ref] = append(m.byRef[ref], e.ID)
		}
		if e.Parent != "" {
			parent := [2]string{e.Scope, e.Parent}
			m.byParent[parent] = append(m.byParent[parent], e.ID)
		}
		m.entries[e.ID] = cur
		return m.hold(cur, now, lease), nil
	}
	if cur.Fingerprint != e.Fingerprint {
		return Claim{}, ErrConflict
	}
	switch cur.State {
	case Settled, Failed:
		return Claim{Entry: cur.copy()}, nil
	}
	if !cur.lease.IsZero() && now.Before(cur.lease) {
		return Claim{}, ErrBusy
	}
	if cur.State == Pending {
		cur.State = Uncertain // its holder stopped after it may have sent the request
	}
	cur.UpdatedAt = now // the claim's start: the new holder has sent nothing yet (see sending)
	if cur.lease.After(cur.SentAt) {
		// A claim that lapsed: its holder may have been sending until the lease ended.
		cur.SentAt = cur.lease
	}
	return m.hold(cur, now, lease), nil
}

func (m *Memory) hold(cur *memEntry, now time.Time, lease time.Duration) Claim {
	cur.token = newToken()
	cur.lease = now.Add(lease)
	return Claim{Entry: cur.copy(), Held: true, Token: cur.token}
}

// Sent implements Journal.
func (m *Memory) Sent(_ context.Context, id ID, token string, lease time.Duration) error {
	if lease <= 0 {
		return errLease
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, err := m.held(id, token)
	if err != nil {
		return err
	}
	now := m.now()
	cur.Attempts++
	cur.SentAt, cur.UpdatedAt, cur.lease = now, now, now.Add(lease)
	return nil
}

// Record implements Journal.
func (m *Memory) Record(_ context.Context, id ID, token string, o Outcome) error {
	if err := o.Valid(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, err := m.held(id, token)
	if err != nil {
		if err != ErrClaimLost || o.State != Settled || cur == nil || cur.State == Settled || cur.State == Failed {
			return err
		}
	}
	return m.write(cur, o)
}

// Settle implements Journal.
func (m *Memory) Settle(_ context.Context, id ID, o Outcome) error {
	if err := o.Valid(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, err := m.open(id)
	if err != nil {
		return err
	}
	if o.State != Settled && m.sending(cur) {
		return ErrBusy
	}
	return m.write(cur, o)
}

// Forget implements Journal.
func (m *Memory) Forget(_ context.Context, id ID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, err := m.open(id)
	if err != nil {
		return err
	}
	if m.sending(cur) {
		return ErrBusy
	}
	if cur.ProviderID != "" {
		return ErrConflict // the provider holds the call's object
	}
	m.drop(cur)
	return nil
}

// open returns the entry id names while its outcome is open: ErrNotFound when there is
// none, ErrConflict when it is settled or failed. m.mu must be held.
func (m *Memory) open(id ID) (*memEntry, error) {
	cur := m.entries[id]
	switch {
	case cur == nil:
		return nil, ErrNotFound
	case cur.State == Settled || cur.State == Failed:
		return nil, ErrConflict
	}
	return cur, nil
}

// sending reports whether a caller holds cur under an unexpired claim and may be sending
// its request: the first attempt of a new entry, or a repeat journaled with Sent — both
// leave SentAt at or after UpdatedAt, which a claim of an existing entry moves past it.
// A holder that has not sent yet cannot start once the entry is gone or closed: its Sent
// fails. m.mu must be held.
func (m *Memory) sending(cur *memEntry) bool {
	return !cur.lease.IsZero() && m.now().Before(cur.lease) && !cur.SentAt.Before(cur.UpdatedAt)
}

func (m *Memory) write(cur *memEntry, o Outcome) error {
	if o.ProviderID != "" {
		if err := m.attach(cur, o.ProviderID); err != nil {
			return err
		}
	}
	cur.State = o.State
	if o.State == Uncertain {
		cur.SentAt = m.now() // the attempt that ends uncertain may have been sending until now
	}
	if o.State == Settled {
		cur.Result = slices.Clone(o.Result)
	}
	if o.State == Failed {
		e := *o.Error
		cur.Error = &e
	}
	cur.UpdatedAt = m.now()
	cur.token, cur.lease = "", time.Time{}
	return nil
}

// Release implements Journal.
func (m *Memory) Release(_ context.Context, id ID, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, err := m.held(id, token)
	if err != nil {
		return nil // nothing of ours to release
	}
	if cur.State == Pending {
		m.drop(cur)
		return nil
	}
	cur.token, cur.lease = "", time.Time{}
	return nil
}

// Get implements Journal.
func (m *Memory) Get(_ context.Context, id ID) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur := m.entries[id]; cur != nil {
		return cur.copy(), nil
	}
	return Entry{}, ErrNotFound
}

// FindByReference implements Journal.
func (m *Memory) FindByReference(_ context.Context, scope, ref string) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var found []Entry
	for _, id := range m.byRef[[2]string{scope, ref}] {
		found = append(found, m.entries[id].copy())
	}
	slices.SortFunc(found, func(a, b Entry) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return found, nil
}

// FindByProviderID implements Journal.
func (m *Memory) FindByProviderID(ctx context.Context, scope, pid string) (Entry, error) {
	m.mu.Lock()
	id, ok := m.byPID[[2]string{scope, pid}]
	m.mu.Unlock()
	if !ok || pid == "" {
		return Entry{}, ErrNotFound
	}
	return m.Get(ctx, id)
}

// FindByParent implements Journal.
func (m *Memory) FindByParent(_ context.Context, scope, parent string) ([]Entry, error) {
	if parent == "" {
		return nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var found []Entry
	for _, id := range m.byParent[[2]string{scope, parent}] {
		found = append(found, m.entries[id].copy())
	}
	slices.SortFunc(found, oldestFirst)
	return found, nil
}

// oldestFirst orders entries by CreatedAt, then key, then operation.
func oldestFirst(a, b Entry) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	return strings.Compare(a.Op, b.Op)
}

// FindCreated implements Journal. It reads every entry the journal holds: the memory
// journal is for one process and tests, not for years of calls.
func (m *Memory) FindCreated(_ context.Context, scope string, from, to time.Time) ([]Entry, error) {
	if !to.After(from) {
		return nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var found []Entry
	for id, e := range m.entries {
		if id.Scope == scope && !e.CreatedAt.Before(from) && e.CreatedAt.Before(to) {
			found = append(found, e.copy())
		}
	}
	slices.SortFunc(found, oldestFirst)
	return found, nil
}

// Attach implements Journal.
func (m *Memory) Attach(_ context.Context, id ID, providerID string) error {
	if providerID == "" {
		return errEmptyProviderID
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.entries[id]
	if cur == nil {
		return ErrNotFound
	}
	return m.attach(cur, providerID)
}

func (m *Memory) attach(cur *memEntry, pid string) error {
	if cur.ProviderID == pid {
		return nil
	}
	if cur.ProviderID != "" {
		return ErrConflict
	}
	key := [2]string{cur.Scope, pid}
	if other, taken := m.byPID[key]; taken && other != cur.ID {
		return ErrConflict
	}
	cur.ProviderID = pid
	m.byPID[key] = cur.ID
	return nil
}

// held returns the entry under id if token holds it; otherwise the entry (or nil) and
// ErrClaimLost.
func (m *Memory) held(id ID, token string) (*memEntry, error) {
	cur := m.entries[id]
	if cur == nil || token == "" || cur.token != token {
		return cur, ErrClaimLost
	}
	return cur, nil
}

func (m *Memory) drop(cur *memEntry) {
	delete(m.entries, cur.ID)
	if cur.Reference != "" {
		unlist(m.byRef, [2]string{cur.Scope, cur.Reference}, cur.ID)
	}
	if cur.Parent != "" {
		unlist(m.byParent, [2]string{cur.Scope, cur.Parent}, cur.ID)
	}
	if cur.ProviderID != "" {
		delete(m.byPID, [2]string{cur.Scope, cur.ProviderID})
	}
}

// unlist removes id from the index's list under k, and the list once empty.
func unlist(index map[[2]string][]ID, k [2]string, id ID) {
	index[k] = slices.DeleteFunc(index[k], func(other ID) bool { return other == id })
	if len(index[k]) == 0 {
		delete(index, k)
	}
}

// sweep drops Settled and Failed entries older than the retention, but those claimed with
// Keep, at most once a minute.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.sweptAt) < time.Minute {
		return
	}
	m.sweptAt = now
	for _, e := range m.entries {
		if (e.State == Settled || e.State == Failed) && !e.Keep && now.Sub(e.UpdatedAt) > m.retention {
			m.drop(e)
		}
	}
}

func (e *memEntry) copy() Entry {
	c := e.Entry
	c.Result = slices.Clone(e.Result)
	if e.Error != nil {
		err := *e.Error
		c.Error = &err
	}
	return c
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read panics instead)
	return hex.EncodeToString(b[:])
}
