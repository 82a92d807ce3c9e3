package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider"
)

//go:embed templates/*.html
var templateFS embed.FS

// Method is one way to pay that the shop offers: a Gateway and the currency the shop
// charges in through it.
type Method struct {
	// Name appears in URLs and forms ("trustly").
	Name string
	// Label is shown to the buyer ("Trustly").
	Label    string
	Gateway  *paybridge.Gateway
	Currency money.Currency
}

// canRefund reports whether the method's provider can refund, and why not when it cannot.
func (m *Method) canRefund() (bool, string) {
	caps := m.Gateway.Capabilities()
	if caps.Supports(paybridge.OpRefund) {
		return true, ""
	}
	why := m.Label + " does not offer refunds through its API"
	if note := caps.Notes[paybridge.OpRefund]; note != "" {
		why += " (" + note + ")"
	}
	return false, why + "; refund this order in the provider's portal."
}

// Shop is the web shop: product page, checkout, order pages, refunds and the
// notification endpoints of each payment method.
type Shop struct {
	base    string // public base URL without a trailing slash
	methods []*Method
	byName  map[string]*Method
	orders  *Orders
	log     *slog.Logger
	pages   map[string]*template.Template
	notify  map[string]http.Handler

	// attempts and backoff bound the shop's own repeats of a call whose outcome is
	// unknown, on top of the Gateway's retry policy.
	attempts int
	backoff  time.Duration
}

// NewShop returns a shop reachable at base (the URL buyers and providers use) offering
// methods. Each method's notifications are served at base + "/notifications/" + name and
// deduplicated with store (notify.NewMemoryStore for one process; a shared store such as
// notify/pgstore when several processes serve the shop).
func NewShop(base string, methods []*Method, store notify.Store, log *slog.Logger) (*Shop, error) {
	if len(methods) == 0 {
		return nil, errors.New("no payment methods")
	}
	s := &Shop{base: strings.TrimRight(base, "/"), methods: methods, byName: map[string]*Method{}, orders: NewOrders(),
		log: log, notify: map[string]http.Handler{}, attempts: 3, backoff: 200 * time.Millisecond}
	for _, m := range methods {
		if _, dup := s.byName[m.Name]; dup {
			return nil, fmt.Errorf("payment method %q configured twice", m.Name)
		}
		s.byName[m.Name] = m
		h, err := m.Gateway.NotificationHandler(s.onEvent(m), notify.WithStore(store), notify.WithLogger(log))
		if err != nil {
			return nil, fmt.Errorf("%s notifications: %w", m.Name, err)
		}
		s.notify[m.Name] = h
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	return s, nil
}

// parsePages parses each page together with the layout.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"statusText": statusText}
	pages := map[string]*template.Template{}
	for _, name := range []string{"product", "order", "problem"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// Handler returns the shop's HTTP handler. The buyer's pages are protected against
// cross-origin form posts; the notification endpoints, which providers call from their
// servers, are not browser pages and are exempt.
func (s *Shop) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.productPage)
	mux.HandleFunc("POST /checkout", s.checkout)
	mux.HandleFunc("GET /orders/{id}", s.orderPage)
	mux.HandleFunc("GET /orders/{id}/return", s.returned)
	mux.HandleFunc("POST /orders/{id}/pay", s.retryPay)
	mux.HandleFunc("POST /orders/{id}/refund", s.refund)
	cop := http.NewCrossOriginProtection()
	for name, h := range s.notify {
		pattern := "POST /notifications/" + name
		mux.Handle(pattern, h)
		cop.AddInsecureBypassPattern(pattern)
	}
	return cop.Handler(mux)
}

func (s *Shop) url(path string) string { return s.base + path }

// productView is the product page's data.
type productView struct {
	Product Product
	Methods []methodChoice
	Buyer   Buyer
	Errors  []string
}

type methodChoice struct {
	Name, Label, Price string
	Checked            bool
}

func (s *Shop) productView(b Buyer, chosen string, errs []string) productView {
	v := productView{Product: catalog[0], Buyer: b, Errors: errs}
	for i, m := range s.methods {
		price, err := v.Product.Price(m.Currency)
		if err != nil {
			continue // NewShop's caller checked the prices; keep the page up regardless
		}
		v.Methods = append(v.Methods, methodChoice{Name: m.Name, Label: m.Label,
			Price:   price.Fixed() + " " + price.Currency().String(),
			Checked: m.Name == chosen || (chosen == "" && i == 0)})
	}
	return v
}

func (s *Shop) productPage(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusOK, "product", s.productView(Buyer{FirstName: "Ada", LastName: "Lovelace",
		Email: "ada@example.com", Phone: "+441632960961", Country: "GB"}, "", nil))
}

// checkout creates the order, with its idempotency key, and starts the payment.
func (s *Shop) checkout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.problem(w, http.StatusBadRequest, "Bad form", "The checkout form could not be read.")
		return
	}
	f := r.PostForm
	b := Buyer{FirstName: strings.TrimSpace(f.Get("first_name")), LastName: strings.TrimSpace(f.Get("last_name")),
		Email: strings.TrimSpace(f.Get("email")), Phone: strings.TrimSpace(f.Get("phone")),
		Country: strings.ToUpper(strings.TrimSpace(f.Get("country")))}
	m := s.byName[f.Get("method")]
	p, ok := productByID(f.Get("product"))
	if m == nil || !ok {
		s.render(w, http.StatusUnprocessableEntity, "product", s.productView(b, "", []string{"Choose a product and a way to pay."}))
		return
	}
	amount, err := p.Price(m.Currency)
	if err != nil {
		s.render(w, http.StatusUnprocessableEntity, "product", s.productView(b, m.Name, []string{err.Error()}))
		return
	}
	o := s.orders.Create(p, amount, m.Name, b)
	s.log.Info("order created", "order", o.ID, "method", m.Name, "amount", amount.String())
	s.startPayment(w, r, o, m, true)
}

// retryPay starts the payment of an order again, with the order's idempotency key, after
// an earlier attempt ended without a definite answer.
func (s *Shop) retryPay(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders.Get(r.PathValue("id"))
	if !ok {
		s.problem(w, http.StatusNotFound, "No such order", "This order does not exist.")
		return
	}
	switch {
	case o.Status == StatusAwaitingPayment && o.RedirectURL != "":
		http.Redirect(w, r, o.RedirectURL, http.StatusSeeOther)
		return
	case o.Status != StatusNew && o.Status != StatusRetry:
		http.Redirect(w, r, s.url("/orders/"+o.ID), http.StatusSeeOther)
		return
	}
	s.startPayment(w, r, o, s.byName[o.Provider], false)
}

// startPayment calls Pay with the order's idempotency key and sends the buyer on: to the
// provider's page, back to the form with what was wrong, or to the order page.
func (s *Shop) startPayment(w http.ResponseWriter, r *http.Request, o Order, m *Method, fromForm bool) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	req := paybridge.PaymentRequest{
		Amount:            o.Amount,
		MerchantReference: o.ID,
		Description:       o.Product.Name,
		ReturnURL:         s.url("/orders/" + o.ID + "/return"),
		NotificationURL:   s.url("/notifications/" + m.Name),
		Payer: paybridge.Person{ID: "guest-" + o.ID, FirstName: o.Buyer.FirstName, LastName: o.Buyer.LastName,
			Email: o.Buyer.Email, Country: o.Buyer.Country, Locale: "en_" + o.Buyer.Country},
		IdempotencyKey: o.PayKey,
	}
	// The phone goes to a provider that takes one (Trustly REST requires it; Trustist has
	// no place for it, and its Gateway would refuse it rather than drop it).
	if m.Gateway.Capabilities().CarriesRequestField("PaymentRequest.Payer.Phone") {
		req.Payer.Phone = o.Buyer.Phone
	}
	var p *paybridge.Payment
	err := s.repeat(ctx, func() error {
		var err error
		p, err = m.Gateway.Pay(ctx, req)
		return err
	})
	if err == nil {
		o, _ = s.orders.Update(o.ID, func(o *Order) {
			o.PaymentID, o.RedirectURL, o.Note = p.ID, p.RedirectURL, ""
			if o.Status == StatusNew || o.Status == StatusRetry {
				o.Status = StatusAwaitingPayment
			}
		})
		s.log.Info("payment started", "order", o.ID, "payment", p.ID, "idempotency_key", o.PayKey)
		if o.Status == StatusAwaitingPayment && p.RedirectURL != "" {
			http.Redirect(w, r, p.RedirectURL, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, s.url("/orders/"+o.ID), http.StatusSeeOther)
		return
	}

	code := paybridge.CodeOf(err)
	s.log.Warn("payment not started", "order", o.ID, "code", code.String(), "error", err.Error())
	switch {
	case errors.Is(err, paybridge.ErrInvalidRequest) && fromForm:
		// Nothing reached a provider that took it: drop the order and show the form again.
		s.orders.Delete(o.ID)
		s.render(w, http.StatusUnprocessableEntity, "product", s.productView(o.Buyer, m.Name, formErrors(err)))
		return
	case code.Retryable() || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		note := m.Label + " did not answer in time. Your order is kept; trying again cannot charge you twice."
		if errors.Is(err, paybridge.ErrUnknownOutcome) {
			note = "We could not confirm with " + m.Label + " whether your payment was started. " +
				"Trying again is safe: it repeats the same request, which can never charge you twice."
		}
		s.orders.Update(o.ID, func(o *Order) {
			if o.Status == StatusNew {
				o.Status = StatusRetry
			}
			o.Note = note
		})
	case errors.Is(err, paybridge.ErrDeclined), errors.Is(err, paybridge.ErrInsufficientFunds):
		s.orders.Update(o.ID, func(o *Order) { o.Status, o.Note = StatusFailed, m.Label+" declined the payment." })
	default:
		// Misconfiguration or a provider fault the buyer cannot cure: say so plainly and keep
		// the details in the log.
		s.orders.Update(o.ID, func(o *Order) {
			o.Status = StatusFailed
			o.Note = "The payment could not be started. You have not been charged."
		})
	}
	http.Redirect(w, r, s.url("/orders/"+o.ID), http.StatusSeeOther)
}

// repeat runs call and, while its outcome is unknown, runs it again (with the same
// request, so the same idempotency key) up to s.attempts times in all. The Gateway
// already repeats what its retry policy covers (an unavailable provider, a rate limit);
// repeating those here too would multiply its attempts. What it hands back is an unknown
// outcome from an adapter whose writes are not repeatable by construction: repeating
// the call with its key makes the adapter look the earlier call up before sending.
func (s *Shop) repeat(ctx context.Context, call func() error) error {
	wait := s.backoff
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil || attempt >= s.attempts || !errors.Is(err, paybridge.ErrUnknownOutcome) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait *= 2
	}
}

// fieldLabels names request fields the way the checkout form does.
var fieldLabels = map[string]string{
	"Payer.FirstName": "First name", "Payer.LastName": "Last name", "Payer.Email": "E-mail",
	"Payer.Phone": "Phone", "Payer.Country": "Country", "Payer.Locale": "Country", "Amount": "Amount",
}

// formErrors turns an InvalidRequest error into lines for the buyer: the fields refused
// before sending (by the Gateway, or by the adapter: Trustly REST's Payer.Phone, say), or
// the one field the provider's answer named.
func formErrors(err error) []string {
	var pe *paybridge.Error
	var fields []paybridge.FieldError
	if errors.As(err, &pe) {
		fields = pe.Fields
	}
	var ae *provider.Error
	if len(fields) == 0 && errors.As(err, &ae) && ae.Field != "" {
		fields = []paybridge.FieldError{{Field: ae.Field, Problem: ae.Message}}
	}
	if len(fields) == 0 {
		return []string{"The payment details were refused: " + err.Error()}
	}
	var out []string
	for _, f := range fields {
		label, ok := fieldLabels[f.Field]
		if !ok {
			label = f.Field
		}
		out = append(out, label+": "+f.Problem)
	}
	return out
}

// returned is where the provider sends the buyer back. Nothing in this request is
// trusted — its query could say anything — so it changes nothing: the order page shows
// what the verified notifications have said.
func (s *Shop) returned(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := s.orders.Get(id); !ok {
		s.problem(w, http.StatusNotFound, "No such order", "This order does not exist.")
		return
	}
	http.Redirect(w, r, s.url("/orders/"+id+"?returned=1"), http.StatusSeeOther)
}

// orderView is the order page's data.
type orderView struct {
	Order       Order
	MethodLabel string
	Refresh     bool
	Returned    bool
	CanRetry    bool
	// CanRefund offers the refund button; NoRefund says why there is none for a paid
	// order.
	CanRefund bool
	NoRefund  string
}

func (s *Shop) orderPage(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders.Get(r.PathValue("id"))
	if !ok {
		s.problem(w, http.StatusNotFound, "No such order", "This order does not exist.")
		return
	}
	m := s.byName[o.Provider]
	v := orderView{Order: o, MethodLabel: m.Label, Refresh: o.Status.waiting(), Returned: r.URL.Query().Has("returned"),
		CanRetry: o.Status == StatusRetry}
	if o.Status == StatusPaid {
		v.CanRefund, v.NoRefund = m.canRefund()
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, http.StatusOK, "order", v)
}

// refund refunds a paid order in full. The refund's idempotency key is stored with the
// order before the first call, so a double click, a reload or a repeat after an unknown
// outcome asks for the same refund and can never refund twice.
func (s *Shop) refund(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o, ok := s.orders.Get(id)
	if !ok {
		s.problem(w, http.StatusNotFound, "No such order", "This order does not exist.")
		return
	}
	m := s.byName[o.Provider]
	if ok, why := m.canRefund(); !ok {
		s.problem(w, http.StatusConflict, "Refund not available", why)
		return
	}
	if o.Status != StatusPaid {
		http.Redirect(w, r, s.url("/orders/"+id), http.StatusSeeOther)
		return
	}
	o, _ = s.orders.Update(id, func(o *Order) {
		if o.RefundKey == "" {
			o.Refunds++
			o.RefundKey = fmt.Sprintf("refund-%s-%d", o.ID, o.Refunds)
		}
	})
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	req := paybridge.RefundRequest{PaymentID: o.PaymentID, Amount: o.Amount,
		MerchantReference: fmt.Sprintf("%s-r%d", o.ID, o.Refunds), IdempotencyKey: o.RefundKey}
	if m.Gateway.Capabilities().CarriesRequestField("RefundRequest.Reason") {
		// A provider without a place for it refuses the field rather than drop it.
		req.Reason = "Refund requested by the buyer"
	}
	var rf *paybridge.Refund
	err := s.repeat(ctx, func() error {
		var err error
		rf, err = m.Gateway.Refund(ctx, req)
		return err
	})
	if err != nil {
		code := paybridge.CodeOf(err)
		s.log.Warn("refund not made", "order", id, "idempotency_key", o.RefundKey, "code", code.String(), "error", err.Error())
		switch {
		case errors.Is(err, paybridge.ErrInvalidRequest):
			s.problem(w, http.StatusUnprocessableEntity, "Refund refused", strings.Join(formErrors(err), "\n"))
			return
		case code.Retryable() || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			s.orders.Update(id, func(o *Order) {
				o.Note = "We could not confirm the refund with " + m.Label + ". Pressing Refund again is safe: " +
					"it repeats the same request and cannot refund twice."
			})
		default:
			s.orders.Update(id, func(o *Order) { o.Note = "We could not make the refund. Please contact us." })
		}
		http.Redirect(w, r, s.url("/orders/"+id), http.StatusSeeOther)
		return
	}
	s.log.Info("refund accepted", "order", id, "refund", rf.ID, "status", string(rf.Status), "idempotency_key", o.RefundKey)
	s.orders.Update(id, func(o *Order) {
		o.RefundID, o.Note = rf.ID, ""
		switch {
		case o.Status != StatusPaid:
			// A notification got here first; it is the more recent news.
		case rf.Status == paybridge.RefundSucceeded:
			o.Status = StatusRefunded
		case rf.Status == paybridge.RefundPending:
			o.Status = StatusRefundRequested
		default:
			o.Note = "The refund did not go through. You can ask for it again."
			o.RefundKey = ""
		}
	})
	http.Redirect(w, r, s.url("/orders/"+id), http.StatusSeeOther)
}

// onEvent returns the notification callback of method m. It runs only for notifications
// the Gateway verified and the store has not seen processed; returning an error has the
// provider deliver the notification again.
func (s *Shop) onEvent(m *Method) notify.Func {
	return func(_ context.Context, e notify.Event) error {
		switch e.Kind {
		case notify.PaymentPending, notify.PaymentAuthorized, notify.PaymentSucceeded, notify.PaymentFailed,
			notify.PaymentCanceled, notify.RefundSucceeded, notify.RefundFailed:
		default:
			s.log.Info("notification ignored", "method", m.Name, "kind", string(e.Kind), "notification", e.ID)
			return nil
		}
		id, ok := s.orders.FindID(m.Name, e.PaymentID, e.MerchantReference)
		if !ok {
			// Possibly a notification that overtook the Pay answer: have it delivered again.
			return fmt.Errorf("no order for %s payment %q (reference %q)", m.Name, e.PaymentID, e.MerchantReference)
		}
		var before, after Status
		s.orders.Update(id, func(o *Order) {
			before = o.Status
			apply(o, e, s.log)
			after = o.Status
		})
		s.log.Info("notification applied", "order", id, "kind", string(e.Kind), "notification", e.ID,
			"from", string(before), "to", string(after))
		return nil
	}
}

// apply moves an order forward according to a verified event. Statuses only move
// forward: a late or repeated event never undoes a later one.
func apply(o *Order, e notify.Event, log *slog.Logger) {
	o.Events = append(o.Events, string(e.Kind))
	if o.PaymentID == "" && e.PaymentID != "" {
		o.PaymentID = e.PaymentID // resolves a Pay whose answer was lost
	}
	isPayment := strings.HasPrefix(string(e.Kind), "payment.")
	if isPayment && e.Amount.IsValid() && !e.Amount.Equal(o.Amount) {
		o.Note = "The amount paid does not match this order. We are looking into it and will be in touch."
		log.Error("notification amount differs from the order", "order", o.ID, "kind", string(e.Kind),
			"reported", e.Amount.String(), "ordered", o.Amount.String())
		return
	}
	switch e.Kind {
	case notify.PaymentPending:
		if o.Status == StatusNew || o.Status == StatusRetry || o.Status == StatusAwaitingPayment {
			o.Status = StatusPending
		}
	case notify.PaymentAuthorized:
		if o.Status.beforePayment() {
			o.Status = StatusAuthorized
		}
	case notify.PaymentSucceeded:
		if o.Status.beforePayment() {
			o.Status, o.Note = StatusPaid, ""
		}
	case notify.PaymentFailed:
		switch {
		case o.Status.beforePayment():
			o.Status, o.Note = StatusFailed, "The bank did not confirm the payment."
		case o.Status == StatusPaid:
			o.Status, o.Note = StatusFailed, "The bank reversed the payment after confirming it."
		}
	case notify.PaymentCanceled:
		if o.Status.beforePayment() {
			o.Status = StatusCanceled
		}
	case notify.RefundSucceeded:
		if o.Status == StatusPaid || o.Status == StatusRefundRequested {
			o.Status, o.Note = StatusRefunded, ""
		}
	case notify.RefundFailed:
		if o.Status == StatusRefundRequested {
			// The money went back to the merchant; a new refund needs a new key.
			o.Status, o.Note, o.RefundKey = StatusPaid, "The refund failed at the bank. You can ask for it again.", ""
		}
	}
}

func (s *Shop) render(w http.ResponseWriter, status int, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages[page].Execute(w, data); err != nil {
		s.log.Error("rendering page", "page", page, "error", err.Error())
	}
}

func (s *Shop) problem(w http.ResponseWriter, status int, title, message string) {
	s.render(w, status, "problem", struct{ Title, Message string }{title, message})
}

// statusText is the buyer's wording of a status.
func statusText(s Status) string {
	switch s {
	case StatusNew:
		return "Not paid yet"
	case StatusRetry:
		return "Payment not started"
	case StatusAwaitingPayment:
		return "Waiting for your payment"
	case StatusPending:
		return "Waiting for your bank to confirm"
	case StatusAuthorized:
		return "Approved by your bank"
	case StatusPaid:
		return "Paid"
	case StatusFailed:
		return "Payment failed"
	case StatusCanceled:
		return "Payment canceled"
	case StatusRefundRequested:
		return "Refund requested"
	case StatusRefunded:
		return "Refunded"
	}
	return string(s)
}
