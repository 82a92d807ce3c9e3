package trustlyrestsim

import (
	"net/http"
	"strings"
)

// DemoBalance is the balance the simulator's bank reports for every authorized account, in
// the payment's currency.
const DemoBalance = "2500.00"

// demoHolder is the account holder the bank reports when the payment's establish data
// named no customer.
var demoHolder = map[string]any{
	"name": "John Smith", "email": "john.smith@example.com", "phone": "+14155550123",
	"address": map[string]any{"address1": "2 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US"},
}

// expandValues are the expand values GET …/paymentProvider/user takes
// (https://amer.developers.trustly.com/openapi.json).
var expandValues = map[string]bool{
	"customer.segmentedName": true, "names": true, "contact": true,
	"account.paymentProvider.routinginfo": true, "account.paymentProvider.address": true,
}

// bankData implements the account data endpoints of an authorization
// (https://amer.developers.trustly.com/openapi.json, tag accountData):
//
//	GET /transactions/{id}/payment/paymentProvider/user[?expand=customer.segmentedName]
//	GET /transactions/{id}/payment/paymentProvider/accounts
//	GET /transactions/{id}/payment/paymentProvider/account/balance
//
// Their transactionId is that of a bank authorization (an Authorize or Pay transaction).
// [I] Before the payer authorized, or for any other transaction, the simulator answers
// error 200: Trustly documents only that data read before the DataReady event may be
// partial. The data are deterministic: the holder the establish data's customer names
// (or a demo holder), the demo account at the bank the payer chose, DemoBalance. The
// balance is a restricted API (Trustly's Compliance team approves it per merchant); with
// Options.WithoutBalanceApproval it is refused ([I] HTTP 403, error 375).
func (s *Server) bankData(w http.ResponseWriter, r *http.Request, m *merchant, id, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txOfLocked(m, id)
	if t == nil {
		invalid(w, "Could not find a transaction using Id "+id)
		return
	}
	if what != "user" && what != "accounts" && what != "account/balance" {
		writeError(w, http.StatusNotFound, codeInvalidParameter, domainInvalidParameter, "Endpoint not supported")
		return
	}
	if what == "account/balance" && s.opts.WithoutBalanceApproval {
		writeError(w, http.StatusForbidden, codeAccessControl, domainAccessControl,
			"Access not authorized: the account balance API is restricted and must be approved by Trustly Compliance")
		return
	}
	if (t.typ != typeAuthorize && t.typ != typePay) || !t.reached || t.pay.accountLast4 == "" {
		invalid(w, "No bank data available for transaction "+id+": the payer has not authorized it")
		return
	}
	switch what {
	case "user":
		segmented := false
		for _, v := range r.URL.Query()["expand"] {
			for part := range strings.SplitSeq(v, ",") {
				if !expandValues[part] {
					invalid(w, "Invalid expand: "+part)
					return
				}
				segmented = segmented || part == "customer.segmentedName"
			}
		}
		writeJSON(w, http.StatusOK, t.pay.user(segmented, t.updatedAt.UnixMilli()))
	case "accounts":
		writeJSON(w, http.StatusOK, map[string]any{"accounts": []any{t.pay.account()}})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"accountBalance": map[string]any{
			"account": t.pay.account(), "currency": t.pay.currency, "amount": DemoBalance}})
	}
}

// holder returns the account holder the bank reports.
func (p *payment) holder() map[string]any {
	if name, _ := p.customer["name"].(string); name != "" {
		return p.customer
	}
	return demoHolder
}

// user returns the FIUser object (https://amer.developers.trustly.com/openapi.json):
// names, addresses, phones and e-mails as arrays, and segmentedName when expanded.
func (p *payment) user(segmented bool, at int64) map[string]any {
	h := p.holder()
	name, _ := h["name"].(string)
	u := map[string]any{
		"paymentProvider": p.provider(),
		"name":            []any{name},
		"createdAt":       at, "updatedAt": at,
	}
	if a, ok := h["address"].(map[string]any); ok {
		addr := map[string]any{}
		for _, k := range []string{"address1", "address2", "city", "state", "zip", "country"} {
			if v, ok := a[k].(string); ok && v != "" {
				addr[k] = v
			}
		}
		u["address"] = []any{addr}
	}
	if v, _ := h["phone"].(string); v != "" {
		u["phone"] = []any{v}
	}
	if v, _ := h["email"].(string); v != "" {
		u["email"] = []any{v}
	}
	if segmented {
		parts := strings.Fields(name)
		seg := map[string]any{"middleName": []any{}}
		if len(parts) > 0 {
			seg["firstName"] = parts[0]
		}
		if len(parts) > 1 {
			seg["lastName"] = parts[len(parts)-1]
			mid := []any{}
			for _, m := range parts[1 : len(parts)-1] {
				mid = append(mid, m)
			}
			seg["middleName"] = mid
		}
		u["segmentedName"] = seg
	}
	return u
}

// provider returns the paymentProvider object of the bank the payer chose.
func (p *payment) provider() map[string]any {
	return map[string]any{"paymentProviderId": "200005501", "type": 1, "name": p.bankName, "instantPayoutAvailable": false, "country": "US"}
}

// account returns the Account object of the account the payer authorized
// (https://amer.developers.trustly.com/openapi.json, schemas-Account): the account number
// in full, as the account data endpoints give it, with its last four digits beside it.
func (p *payment) account() map[string]any {
	h := p.holder()
	name, _ := h["name"].(string)
	return map[string]any{
		"providerId": "200005501", "paymentProvider": p.provider(), "nameOnAccount": name, "country": "US",
		"name": "Demo Checking", "type": 1, "profile": 1, "accountNumber": DemoAccountNumber,
		"accountNumberLastFour": p.accountLast4, "routingNumber": DemoRoutingNumber, "verified": true,
		"token": accountToken(DemoRoutingNumber, DemoAccountNumber), "virtualAccountRoutingPair": false,
	}
}
