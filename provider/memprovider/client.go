package memprovider

import (
	"context"
	"maps"
	"net/url"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// Name is the adapter's name.
const Name = "mem"

// Config configures a Client.
type Config struct {
	// Backend is the provider side; required.
	Backend *Backend
	// APIKey authenticates calls; it must equal Backend.APIKey().
	APIKey secret.Value
	// WebhookKey verifies notifications; it defaults to Backend.WebhookKey().
	WebhookKey secret.Value
	// Currencies lists the currencies accepted (default: DefaultCurrencies).
	Currencies []money.Currency
}

// Client is the memprovider adapter. Reach it from a Gateway with
//
//	var p *memprovider.Client
//	gw.As(&p)
//
// A Client prints and logs without its keys.
type Client struct {
	*core          // the state, keys included
	secret.Printed // memprovider.Client{}
}

type core struct {
	b          *Backend
	apiKey     secret.Value
	webhookKey secret.Value
	currencies []money.Currency
}

var (
	_ provider.Provider        = (*Client)(nil)
	_ provider.Refunder        = (*Client)(nil)
	_ provider.Payouter        = (*Client)(nil)
	_ provider.AccountVerifier = (*Client)(nil)
	_ provider.CustomerManager = (*Client)(nil)
	_ provider.Capturer        = (*Client)(nil)
	_ provider.MandateManager  = (*Client)(nil)
	_ provider.Ledgerer        = (*Client)(nil)
	_ notify.Verifier          = (*Client)(nil)
)

// New returns a Client for cfg. It panics if cfg.Backend is nil.
func New(cfg Config) *Client {
	if cfg.Backend == nil {
		panic("memprovider: Config.Backend is required")
	}
	wk := cfg.WebhookKey
	if wk.IsZero() {
		wk = cfg.Backend.webhookKey
	}
	curs := cfg.Currencies
	if len(curs) == 0 {
		curs = DefaultCurrencies()
	}
	return &Client{&core{b: cfg.Backend, apiKey: cfg.APIKey, webhookKey: wk, currencies: curs},
		secret.PrintAs("memprovider.Client")}
}

// DefaultCurrencies returns the currencies a Client accepts unless configured
// otherwise: GBP, EUR, SEK and USD.
func DefaultCurrencies() []money.Currency {
	return []money.Currency{money.MustCurrency("GBP"), money.MustCurrency("EUR"), money.MustCurrency("SEK"), money.MustCurrency("USD")}
}

// Backend returns the provider side this Client talks to.
func (p *Client) Backend() *Backend { return p.b }

// Name implements provider.Provider.
func (p *Client) Name() string { return Name }

// Capabilities implements provider.Provider: everything is supported, refunds and
// captures may be partial and repeated, accounts may be verified and payouts made
// interactively, and every
// optional request field is carried (RequestFields names them all). Every write but
// VerifyAccount is idempotent at the Backend by its key, so the Gateway may resend it.
func (p *Client) Capabilities() provider.Capabilities {
	return provider.Capabilities{PartialRefunds: true, MultipleRefunds: true, InteractiveVerification: true,
		InteractivePayouts: true, PartialCaptures: true, MultipleCaptures: true,
		Currencies: p.currencies, RequestFields: provider.RequestFieldNames,
		RepeatableWrites: []provider.Operation{provider.OpPay, provider.OpRefund, provider.OpPayout,
			provider.OpCapture, provider.OpVoid, provider.OpCreateMandate, provider.OpCancelMandate, provider.OpCharge}}
}

// As implements provider.Provider; it sets **Client and **Backend targets.
func (p *Client) As(target any) bool {
	switch t := target.(type) {
	case **Client:
		*t = p
	case **Backend:
		*t = p.b
	default:
		return false
	}
	return true
}

// Close implements provider.Provider. It does not close the Backend, which may serve
// other Clients.
func (p *Client) Close() error { return nil }

// Pay implements provider.Provider.
func (p *Client) Pay(ctx context.Context, req *provider.PaymentRequest) (*provider.Payment, error) {
	v, err := p.pay(ctx, req)
	return answer(p.b, v, err)
}

func (p *Client) pay(ctx context.Context, req *provider.PaymentRequest) (*provider.Payment, error) {
	// The hook runs before anything reaches the Backend: a hook that refuses sends nothing.
	opts := &PaymentOptions{}
	if err := p.send(ctx, req.BeforeSend, opts); err != nil {
		return nil, err
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.newID("pay")
	fp := fingerprint(req.Amount.String(), req.MerchantReference, req.ReturnURL, string(req.Capture))
	if prior, err := b.rememberLocked("pay", req.IdempotencyKey, fp, id); err != nil {
		return nil, err
	} else if prior != "" {
		return b.payments[prior].result(), nil
	}
	now := b.now()
	pm := &payment{
		p: provider.Payment{
			ID: id, Provider: Name, Status: provider.PaymentRequiresAction, ProviderStatus: "awaiting_payer",
			RedirectURL: HostedBase + "/pay/" + id, Amount: req.Amount,
			Refunded: money.FromMinorCurrency(0, req.Amount.Currency()), MerchantReference: req.MerchantReference,
			IdempotencyKey: req.IdempotencyKey, CreatedAt: now, UpdatedAt: now,
		},
		notifyURL: req.NotificationURL,
		manual:    req.Capture == provider.CaptureManual,
		detail: PaymentDetail{Options: *opts, Capture: req.Capture, Description: req.Description,
			Metadata: maps.Clone(req.Metadata), CustomerID: req.CustomerID, Payer: req.Payer},
	}
	pm.detail.Payer.Address = cloneAddress(req.Payer.Address)
	if pm.manual {
		pm.p.Captured = money.FromMinorCurrency(0, req.Amount.Currency())
	}
	b.payments[id] = pm
	b.movements.Add(1)
	return pm.result(), nil
}

// GetPayment implements provider.Provider.
func (p *Client) GetPayment(ctx context.Context, id string) (*provider.Payment, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	return read(p.b, p.b.payments, "payment", id, (*payment).result)
}

// Refund implements provider.Refunder.
func (p *Client) Refund(ctx context.Context, req *provider.RefundRequest) (*provider.Refund, error) {
	v, err := p.refund(ctx, req)
	return answer(p.b, v, err)
}

func (p *Client) refund(ctx context.Context, req *provider.RefundRequest) (*provider.Refund, error) {
	if err := p.send(ctx, req.BeforeSend); err != nil {
		return nil, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	pm, ok := b.payments[req.PaymentID]
	if !ok {
		return nil, notFound("payment", req.PaymentID)
	}
	id := b.newID("re")
	fp := fingerprint(req.PaymentID, req.Amount.String())
	if prior, err := b.rememberLocked("refund", req.IdempotencyKey, fp, id); err != nil {
		return nil, err
	} else if prior != "" {
		return withDetail(b.refunds[prior], refundDetail), nil
	}
	fail := func(code provider.Code, pcode, msg string) error {
		delete(b.idem, "refund\x00"+req.IdempotencyKey)
		return &provider.Error{Code: code, ProviderCode: pcode, Message: msg, Field: "Amount", HTTPStatus: 400}
	}
	// A payment made with CaptureManual refunds what was captured, whatever its status
	// (a voided payment keeps what was captured before the void); any other refunds its
	// amount once it succeeded.
	paid := pm.p.Amount
	if pm.manual {
		paid = pm.p.Captured
		if paid.Sign() <= 0 {
			return nil, fail(provider.InvalidRequest, "payment_not_refundable", "nothing of this payment was captured; it is "+string(pm.p.Status))
		}
	} else if pm.p.Status != provider.PaymentSucceeded {
		return nil, fail(provider.InvalidRequest, "payment_not_refundable", "only succeeded payments can be refunded; this one is "+string(pm.p.Status))
	}
	if req.Amount.Currency() != pm.p.Amount.Currency() {
		return nil, fail(provider.InvalidRequest, "currency_mismatch", "the refund's currency differs from the payment's")
	}
	after, err := pm.p.Refunded.Add(req.Amount)
	if err != nil {
		return nil, fail(provider.InvalidRequest, "amount_invalid", err.Error())
	}
	if c, _ := after.Cmp(paid); c > 0 {
		left, _ := paid.Sub(pm.p.Refunded)
		return nil, fail(provider.InvalidRequest, "amount_exceeds_refundable", "refund of "+req.Amount.String()+" exceeds the "+left.String()+" left to refund")
	}
	pm.p.Refunded = after
	pm.p.UpdatedAt = b.now()
	bal, _ := b.balanceLocked(req.Amount.Currency()).Sub(req.Amount)
	b.balance[req.Amount.Currency()] = bal
	r := &provider.Refund{ID: id, Provider: Name, PaymentID: req.PaymentID, Status: provider.RefundSucceeded,
		ProviderStatus: "refunded", Amount: req.Amount, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: b.now(),
		Detailed: provider.Detailed{Detail: &RefundDetail{Reason: req.Reason, Metadata: maps.Clone(req.Metadata)}}}
	b.refunds[id] = r
	b.movements.Add(1)
	b.bookLocked(provider.LedgerRefund, "refund", negate(req.Amount), id, req.MerchantReference)
	b.notifyLocked(pm.notifyURL, notify.Event{Kind: notify.RefundSucceeded, PaymentID: pm.p.ID, RefundID: id,
		MerchantReference: req.MerchantReference, Amount: req.Amount, ProviderStatus: r.ProviderStatus})
	return withDetail(r, refundDetail), nil
}

func refundDetail(r *provider.Refund) *provider.Detailed { return &r.Detailed }

func payoutDetail(p *provider.Payout) *provider.Detailed { return &p.Detailed }

// GetRefund implements provider.Refunder.
func (p *Client) GetRefund(ctx context.Context, id string) (*provider.Refund, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	return read(p.b, p.b.refunds, "refund", id, func(r *provider.Refund) *provider.Refund { return withDetail(r, refundDetail) })
}

// Payout implements provider.Payouter.
func (p *Client) Payout(ctx context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
	v, err := p.payout(ctx, req)
	return answer(p.b, v, err)
}

func (p *Client) payout(ctx context.Context, req *provider.PayoutRequest) (*provider.Payout, error) {
	if err := p.send(ctx, req.BeforeSend); err != nil {
		return nil, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.newID("po")
	fp := fingerprint(req.AccountID, req.Amount.String(), req.MerchantReference, req.ReturnURL)
	if prior, err := b.rememberLocked("payout", req.IdempotencyKey, fp, id); err != nil {
		return nil, err
	} else if prior != "" {
		return withDetail(b.payouts[prior], payoutDetail), nil
	}
	fail := func(code provider.Code, field, pcode, msg string) error {
		delete(b.idem, "payout\x00"+req.IdempotencyKey)
		return &provider.Error{Code: code, ProviderCode: pcode, Message: msg, Field: field, HTTPStatus: 400}
	}
	if req.AccountID == "" {
		if req.ReturnURL == "" {
			return nil, fail(provider.InvalidRequest, "AccountID", "account_required", "an account id, or a ReturnURL for the payee to choose one")
		}
		return b.interactivePayoutLocked(id, req, fail)
	}
	var acct *verification
	for _, v := range b.verifs {
		if v.v.AccountID == req.AccountID && v.v.Status == provider.VerificationVerified {
			acct = v
		}
	}
	if acct == nil {
		return nil, fail(provider.InvalidRequest, "AccountID", "account_not_verified", "the account is unknown or not verified")
	}
	if acct.holderID != "" && req.Payee.ID != "" && acct.holderID != req.Payee.ID {
		return nil, fail(provider.InvalidRequest, "Payee.ID", "holder_mismatch", "the account was verified for another person")
	}
	bal := b.balanceLocked(req.Amount.Currency())
	after, err := bal.Sub(req.Amount)
	if err != nil || after.Sign() < 0 {
		return nil, fail(provider.InsufficientFunds, "Amount", "insufficient_balance", "the merchant balance is "+bal.String())
	}
	b.balance[req.Amount.Currency()] = after
	po := &provider.Payout{ID: id, Provider: Name, Status: provider.PayoutSucceeded, ProviderStatus: "paid",
		Amount: req.Amount, AccountID: req.AccountID, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: b.now(),
		Detailed: provider.Detailed{Detail: &PayoutDetail{Description: req.Description, Metadata: maps.Clone(req.Metadata),
			Payee: req.Payee}}}
	po.Detail.(*PayoutDetail).Payee.Address = cloneAddress(req.Payee.Address)
	b.payouts[id] = po
	b.movements.Add(1)
	b.bookLocked(provider.LedgerPayout, "payout", negate(req.Amount), id, req.MerchantReference)
	b.notifyLocked(req.NotificationURL, notify.Event{Kind: notify.PayoutSucceeded, PayoutID: id, AccountID: req.AccountID,
		MerchantReference: req.MerchantReference, Amount: req.Amount, ProviderStatus: po.ProviderStatus})
	return withDetail(po, payoutDetail), nil
}

// interactivePayoutLocked creates a payout whose payee chooses the account on the
// hosted page at its RedirectURL: pending until the EndUser acts there. The balance must
// cover it now, and again when the payee confirms.
func (b *Backend) interactivePayoutLocked(id string, req *provider.PayoutRequest,
	fail func(code provider.Code, field, pcode, msg string) error) (*provider.Payout, error) {
	bal := b.balanceLocked(req.Amount.Currency())
	if after, err := bal.Sub(req.Amount); err != nil || after.Sign() < 0 {
		return nil, fail(provider.InsufficientFunds, "Amount", "insufficient_balance", "the merchant balance is "+bal.String())
	}
	po := &provider.Payout{ID: id, Provider: Name, Status: provider.PayoutPending, ProviderStatus: "awaiting_payee",
		RedirectURL: HostedBase + "/payout/" + id, Amount: req.Amount, MerchantReference: req.MerchantReference,
		IdempotencyKey: req.IdempotencyKey, CreatedAt: b.now(),
		Detailed: provider.Detailed{Detail: &PayoutDetail{Description: req.Description, Metadata: maps.Clone(req.Metadata),
			Payee: req.Payee}}}
	po.Detail.(*PayoutDetail).Payee.Address = cloneAddress(req.Payee.Address)
	b.payouts[id] = po
	b.payoutPages[id] = req.NotificationURL
	return withDetail(po, payoutDetail), nil
}

// actOnPayoutLocked applies the payee's action on an interactive payout's page: approve
// pays the payout to the account the payee chose (payout.succeeded), or fails it when the
// balance no longer covers it; decline and abandon end it unpaid (payout.failed).
func (b *Backend) actOnPayoutLocked(po *provider.Payout, action string) {
	notifyURL := b.payoutPages[po.ID]
	delete(b.payoutPages, po.ID)
	po.RedirectURL = ""
	ev := notify.Event{PayoutID: po.ID, MerchantReference: po.MerchantReference, Amount: po.Amount}
	switch action {
	case "approve":
		cur := po.Amount.Currency()
		after, err := b.balanceLocked(cur).Sub(po.Amount)
		if err != nil || after.Sign() < 0 {
			po.Status, po.ProviderStatus, ev.Kind = provider.PayoutFailed, "insufficient_balance", notify.PayoutFailed
			break
		}
		b.balance[cur] = after
		po.AccountID = "acct_" + po.ID // the account the payee chose on the page
		po.Status, po.ProviderStatus, ev.Kind, ev.AccountID = provider.PayoutSucceeded, "paid", notify.PayoutSucceeded, po.AccountID
		b.movements.Add(1)
		b.bookLocked(provider.LedgerPayout, "payout", negate(po.Amount), po.ID, po.MerchantReference)
	case "decline":
		po.Status, po.ProviderStatus, ev.Kind = provider.PayoutFailed, "declined", notify.PayoutFailed
	default:
		po.Status, po.ProviderStatus, ev.Kind = provider.PayoutCanceled, "abandoned", notify.PayoutFailed
	}
	ev.ProviderStatus = po.ProviderStatus
	b.notifyLocked(notifyURL, ev)
}

// GetPayout implements provider.Payouter.
func (p *Client) GetPayout(ctx context.Context, id string) (*provider.Payout, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	return read(p.b, p.b.payouts, "payout", id, func(po *provider.Payout) *provider.Payout { return withDetail(po, payoutDetail) })
}

// VerifyAccount implements provider.AccountVerifier.
func (p *Client) VerifyAccount(ctx context.Context, req *provider.VerifyAccountRequest) (*provider.AccountVerification, error) {
	if err := p.send(ctx, req.BeforeSend); err != nil {
		return nil, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.newID("av")
	fp := fingerprint(req.Holder.ID, req.Account.IBAN, req.Account.AccountNumber, req.Account.RoutingNumber)
	if prior, err := b.rememberLocked("verify", req.IdempotencyKey, fp, id); err != nil {
		return nil, err
	} else if prior != "" {
		v := b.verifs[prior].v
		return &v, nil
	}
	v := &verification{v: provider.AccountVerification{ID: id, Provider: Name, CreatedAt: b.now()},
		holderID: req.Holder.ID, notifyURL: req.NotificationURL}
	if req.Account.IsZero() {
		v.v.Status = provider.VerificationRequiresAction
		v.v.ProviderStatus = "awaiting_holder"
		v.v.RedirectURL = HostedBase + "/verify/" + id
	} else {
		settleVerification(v, req.Account)
	}
	b.verifs[id] = v
	out := v.v
	return &out, nil
}

// settleVerification decides a verification from account details.
func settleVerification(v *verification, a provider.BankAccount) {
	v.v.RedirectURL = ""
	v.v.Last4 = a.Last4()
	v.v.BankName = "Memory Bank"
	if strings.HasSuffix(a.Last4(), "0000") || len(a.Last4()) < 4 {
		v.v.Status, v.v.ProviderStatus = provider.VerificationFailed, "rejected"
		return
	}
	v.v.Status, v.v.ProviderStatus = provider.VerificationVerified, "verified"
	v.v.AccountID = "acct_" + v.v.ID
}

// GetAccountVerification implements provider.AccountVerifier.
func (p *Client) GetAccountVerification(ctx context.Context, id string) (*provider.AccountVerification, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	v, err := lookup(p.b, p.b.verifs, "account verification", id)
	if err != nil {
		return nil, err
	}
	return &v.v, nil
}

// CreateCustomer implements provider.CustomerManager.
func (p *Client) CreateCustomer(ctx context.Context, c *provider.Customer) (*provider.Customer, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	nc := *c
	nc.ID = b.newID("cus")
	nc.CreatedAt = b.now()
	nc.Address = cloneAddress(c.Address)
	b.customers[nc.ID] = &nc
	b.custOrder = append(b.custOrder, nc.ID)
	out := nc
	out.Address = cloneAddress(nc.Address)
	return &out, nil
}

// GetCustomer implements provider.CustomerManager.
func (p *Client) GetCustomer(ctx context.Context, id string) (*provider.Customer, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	c, err := lookup(p.b, p.b.customers, "customer", id)
	if err != nil {
		return nil, err
	}
	c.Address = cloneAddress(c.Address)
	return c, nil
}

// UpdateCustomer implements provider.CustomerManager.
func (p *Client) UpdateCustomer(ctx context.Context, id string, u *provider.CustomerUpdate) (*provider.Customer, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	c, ok := p.b.customers[id]
	if !ok {
		return nil, notFound("customer", id)
	}
	u.ApplyTo(c)
	c.Address = cloneAddress(c.Address) // keep no pointer the caller holds
	out := *c
	out.Address = cloneAddress(c.Address)
	return &out, nil
}

// ListCustomers implements provider.CustomerManager. Page tokens are offsets into the
// creation order.
func (p *Client) ListCustomers(ctx context.Context, req *provider.ListCustomersRequest) (*provider.CustomerPage, error) {
	if err := p.call(ctx); err != nil {
		return nil, err
	}
	start := 0
	if req.PageToken != "" {
		n, err := strconv.Atoi(req.PageToken)
		if err != nil || n < 0 {
			return nil, provider.FieldError("PageToken", "is not a token this provider issued")
		}
		start = n
	}
	size := req.PageSize
	if size == 0 {
		size = 25
	}
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	var matched []*provider.Customer
	for _, id := range p.b.custOrder {
		c := p.b.customers[id]
		if (req.ExternalID == "" || c.ExternalID == req.ExternalID) && (req.Group == "" || c.Group == req.Group) {
			matched = append(matched, c)
		}
	}
	page := &provider.CustomerPage{}
	for i := start; i < len(matched) && i < start+size; i++ {
		out := *matched[i]
		out.Address = cloneAddress(matched[i].Address)
		page.Customers = append(page.Customers, &out)
	}
	if start+size < len(matched) {
		page.NextPageToken = strconv.Itoa(start + size)
	}
	return page, nil
}

// call checks the context and the API key.
func (p *Client) call(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.b.authenticate(p.apiKey)
}

// send runs a write's BeforeSend hook with what it may reach (mem has no wire request: a
// hook on most writes reaches nothing, but its error still refuses the call) and the
// checks every call makes, before the backend is touched.
func (p *Client) send(ctx context.Context, hook provider.BeforeSend, wire ...any) error {
	if err := hook.Run(wire...); err != nil {
		return err
	}
	return p.call(ctx)
}

// lookup returns a copy of m[id] taken under the backend's lock, or a NotFound error.
func lookup[T any](b *Backend, m map[string]*T, what, id string) (*T, error) {
	return read(b, m, what, id, func(v *T) *T { out := *v; return &out })
}

// read returns what result makes of m[id] under the backend's lock (a copy the caller
// may keep), or a NotFound error naming what.
func read[T, R any](b *Backend, m map[string]*T, what, id string, result func(*T) *R) (*R, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := m[id]
	if !ok {
		return nil, notFound(what, id)
	}
	return result(v), nil
}

func cloneAddress(a *provider.Address) *provider.Address {
	if a == nil {
		return nil
	}
	out := *a
	return &out
}

// hostedID extracts the object id from a hosted-page URL of the given kind ("pay",
// "verify").
func hostedID(raw, kind string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme+"://"+u.Host != HostedBase {
		return "", false
	}
	id, ok := strings.CutPrefix(u.Path, "/"+kind+"/")
	return id, ok && id != "" && !strings.Contains(id, "/")
}

// answer returns a write's answer, or loses it when the backend was told to.
func answer[T any](b *Backend, v *T, err error) (*T, error) {
	if err == nil && b.loseAnswer() {
		return nil, &provider.Error{Code: provider.UnknownOutcome, Message: "the answer was lost (Backend.LoseNextAnswers)"}
	}
	return v, err
}
