package trustlyrestsim

import (
	"net/http"
)

// summary returns the Payment object as a transaction carries it.
func (p *payment) summary() map[string]any {
	pm := map[string]any{
		"paymentId": p.id, "paymentType": p.paymentType, "merchantReference": p.merchantRef,
		"currency": p.currency, "amount": formatCents(p.amount), "description": p.description,
	}
	if p.accountLast4 != "" {
		pm["account"] = map[string]any{"name": p.bankName, "accountNumber": p.accountLast4, "verified": true}
		pm["paymentProvider"] = map[string]any{"name": p.bankName, "type": 1}
	}
	if p.recurrence != nil {
		rec := map[string]any{"recurrenceId": p.id}
		for k, v := range p.recurrence {
			rec[k] = v
		}
		pm["recurrence"] = rec
	}
	return pm
}

// render returns the Payment object GET /payments and GET /payments/{id} answer with (the
// Payment schema of https://amer.developers.trustly.com/openapi.json): the summary, the
// merchant, the bank authorization's status, and the totals read from the payment's
// transactions — pending (captures and Pay transactions in 1 Pending or 3 Processed), paid
// (those in 4 Completed, 10 Reversed, 11 PartiallyRefunded or 12 Refunded), refunded
// (completed refunds), reversed (reversed captures) and balance = paid − reversed −
// refunded, as the schema defines it.
func (p *payment) render() map[string]any {
	pm := p.summary()
	auth := p.txs[0]
	var pending, paid, refunded, reversed int64
	updated := auth.updatedAt
	for _, t := range p.txs {
		if t.updatedAt.After(updated) {
			updated = t.updatedAt
		}
		switch t.typ {
		case typeCapture, typePay:
			switch t.status {
			case stPending, stProcessed:
				pending += t.amount
			case stCompleted, stReversed, stPartRefund, stRefunded:
				paid += t.amount
			}
			if t.status == stReversed {
				reversed += t.amount
			}
		case typeRefund:
			if t.status == stCompleted {
				refunded += t.amount
			}
		}
	}
	pm["merchant"] = map[string]any{"merchantId": p.m.merchantID, "name": DemoMerchantName}
	pm["merchantId"] = p.m.merchantID
	pm["verification"] = map[string]any{"status": 1}
	pm["authorizationStatus"] = auth.status
	pm["authorizationStatusMessage"] = statusNames[auth.status]
	pm["pending"], pm["paid"] = formatCents(pending), formatCents(paid)
	pm["refunded"], pm["reversed"] = formatCents(refunded), formatCents(reversed)
	pm["balance"] = formatCents(paid - reversed - refunded)
	pm["createdAt"], pm["updatedAt"] = p.createdAt.UnixMilli(), updated.UnixMilli()
	if id, ok := p.customer["customerId"].(string); ok {
		pm["customer"] = map[string]any{"customerId": id}
	} else if ext, ok := p.customer["externalId"].(string); ok {
		pm["customer"] = map[string]any{"externalId": ext}
	}
	return pm
}

// getPayment implements GET /payments/{paymentId}. [I] The answer is wrapped as
// {"payment": …}, as transactions are wrapped; the specification shows the bare object.
func (s *Server) getPayment(w http.ResponseWriter, m *merchant, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.payments {
		if p.id == id && p.m == m {
			writeJSON(w, http.StatusOK, map[string]any{"payment": p.render()})
			return
		}
	}
	invalid(w, "Could not find a payment using Id "+id)
}

// listPayments implements GET /payments with the filters paymentType (repeatable),
// merchantReference, paymentId, createdAt.start and createdAt.end (epoch milliseconds),
// orderBy, sortOrder, count (default 25, at most 100) and startIndex
// (https://amer.developers.trustly.com/openapi.json; paging as in
// https://amer.developers.trustly.com/payments/reference/intro), answering {"payments":
// […], "startIndex": n, "itemsPerPage": n}. Malformed filters are error 200.
func (s *Server) listPayments(w http.ResponseWriter, r *http.Request, m *merchant) {
	q := r.URL.Query()
	l, ok := readListing(w, q)
	if !ok {
		return
	}
	types, err := intSet(q["paymentType"])
	if err != nil {
		invalid(w, "Invalid paymentType")
		return
	}
	for pt := range types {
		if pt < 1 || pt > 6 {
			invalid(w, "Invalid paymentType")
			return
		}
	}
	ref, pid := q.Get("merchantReference"), q.Get("paymentId")
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []map[string]any
	for n := range s.payments {
		p := s.payments[l.index(n, len(s.payments))]
		if p.m != m || (len(types) > 0 && !types[p.paymentType]) || (ref != "" && p.merchantRef != ref) ||
			(pid != "" && p.id != pid) || !l.covers(p.createdAt) {
			continue
		}
		matched = append(matched, p.render())
	}
	l.write(w, "payments", matched)
}
