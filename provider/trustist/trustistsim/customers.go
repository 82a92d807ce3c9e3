package trustistsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/provider/simkit"
)

type address struct {
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2"`
	City         string `json:"city"`
	PostalCode   string `json:"postalCode"`
	Country      string `json:"country"`
}

type customer struct {
	id           string
	firstName    string
	lastName     string
	emailAddress string
	dateOfBirth  string
	address      *address
	orgID        string
	created      time.Time
	accounts     []bankAccount
}

type customerJSON struct {
	ID           string   `json:"id"`
	FirstName    *string  `json:"firstName"`
	LastName     *string  `json:"lastName"`
	EmailAddress *string  `json:"emailAddress"`
	DateOfBirth  *string  `json:"dateOfBirth"`
	Address      *address `json:"address"`
	OrgID        *string  `json:"orgId"`
	Created      string   `json:"created"`
}

func (c *customer) json() customerJSON {
	return customerJSON{ID: c.id, FirstName: nullable(c.firstName), LastName: nullable(c.lastName),
		EmailAddress: nullable(c.emailAddress), DateOfBirth: nullable(c.dateOfBirth), Address: c.address,
		OrgID: nullable(c.orgID), Created: c.created.UTC().Format(time.RFC3339)}
}

// applyCustomer reads customer members from f into c: members absent are left alone,
// null clears, a value sets.
func applyCustomer(f *fieldReader, c *customer) {
	set := func(name string, dst *string, v string) {
		if f.has(name) {
			*dst = v
		}
	}
	set("firstName", &c.firstName, f.str("firstName", 100))
	set("lastName", &c.lastName, f.str("lastName", 100))
	set("emailAddress", &c.emailAddress, f.email("emailAddress"))
	set("orgId", &c.orgID, f.str("orgId", 128))
	if dob := f.str("dateOfBirth", 10); dob != "" {
		if t, err := time.Parse("2006-01-02", dob); err != nil || !t.Before(time.Now()) {
			f.bad("dateOfBirth", "The dateOfBirth must be a past date in the form YYYY-MM-DD.")
		}
		c.dateOfBirth = dob
	} else if f.has("dateOfBirth") {
		c.dateOfBirth = ""
	}
	if f.isNull("address") {
		c.address = nil
	} else if raw, ok := f.m["address"]; ok {
		var a address
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&a); err != nil {
			f.bad("address", "The address must be an object.")
			return
		}
		if a.Country != "" && (len(a.Country) != 2 || a.Country[0] < 'A' || a.Country[0] > 'Z' || a.Country[1] < 'A' || a.Country[1] > 'Z') {
			f.bad("address.country", "The country must be an ISO 3166-1 alpha-2 code.")
		}
		if a == (address{}) {
			c.address = nil
		} else {
			c.address = &a
		}
	}
}

func (s *Server) createCustomer(body []byte) result {
	m, bad := object(body)
	if bad != nil {
		return *bad
	}
	f := &fieldReader{m: m}
	c := &customer{}
	applyCustomer(f, c)
	if f.errs != nil {
		return invalid(f.errs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.id = shortID()
	c.created = s.now()
	s.customers[c.id] = c
	s.custOrder = append(s.custOrder, c.id)
	return result{http.StatusCreated, c.json()}
}

func (s *Server) getCustomer(id string) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers[id]
	if c == nil {
		return notFound("Customer")
	}
	return result{http.StatusOK, c.json()}
}

func (s *Server) updateCustomer(id string, body []byte) result {
	m, bad := object(body)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers[id]
	if c == nil {
		return notFound("Customer")
	}
	f := &fieldReader{m: m}
	next := *c
	applyCustomer(f, &next)
	if f.errs != nil {
		return invalid(f.errs)
	}
	*c = next
	return result{http.StatusOK, c.json()}
}

func (s *Server) listCustomers(q url.Values) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, filter := q["orgId"]
	org := q.Get("orgId")
	out := []customerJSON{}
	for _, id := range s.custOrder {
		c := s.customers[id]
		if !filter || c.orgID == org {
			out = append(out, c.json())
		}
	}
	return result{http.StatusOK, out}
}

// Onboard session statuses.
const (
	SessionCreated   = "Created"
	SessionComplete  = "Complete"
	SessionFailed    = "Failed"
	SessionAbandoned = "Abandoned"
)

type session struct {
	id         string
	customerID string
	orgID      string
	status     string
	ais        bool
	identity   bool
	aml        bool
	returnURL  string
	pageToken  string
	created    time.Time
	ended      time.Time
}

func (s *Server) sessionJSON(se *session) map[string]any {
	return map[string]any{"id": se.id, "customerId": se.customerID, "status": se.status,
		"onboardUrl": s.URL() + "/onboard/" + se.id, "created": se.created.UTC().Format(time.RFC3339)}
}

func (s *Server) createSession(body []byte) result {
	m, bad := object(body)
	if bad != nil {
		return *bad
	}
	f := &fieldReader{m: m}
	se := &session{customerID: f.str("customerId", 64), returnURL: f.absURL("returnUrl", true), orgID: f.str("orgId", 128)}
	if se.customerID == "" && f.errs["customerId"] == nil {
		f.bad("customerId", "The customerId field is required.")
	}
	if raw, ok := m["options"]; ok && string(raw) != "null" {
		opts, bad := object(raw)
		if bad != nil {
			f.bad("options", "The options must be an object.")
		} else {
			if v, ok := opts["ais"]; ok && string(v) != "null" {
				var ais struct {
					Accounts     bool `json:"accounts"`
					Balances     bool `json:"balances"`
					Transactions bool `json:"transactions"`
					AccountLimit *int `json:"accountLimit"`
				}
				if err := json.Unmarshal(v, &ais); err != nil || (ais.AccountLimit != nil && *ais.AccountLimit < 1) {
					f.bad("options.ais", "The ais options are invalid.")
				}
				// Balances and transactions imply accounts.
				se.ais = ais.Accounts || ais.Balances || ais.Transactions
			}
			se.identity, se.aml = checkOption(opts, "identity", f), checkOption(opts, "aml", f)
		}
	}
	if f.errs != nil {
		return invalid(f.errs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers[se.customerID]
	if c == nil {
		return notFound("Customer")
	}
	if res := missingPersonData(c, se); res != nil {
		return *res
	}
	if !se.ais && !se.identity && !se.aml {
		return invalid(map[string][]string{"options": {"At least one of identity, aml or ais must be requested."}})
	}
	se.id = shortID()
	se.status = SessionCreated
	se.pageToken = simkit.RandomHex(16)
	se.created = s.now()
	s.sessions[se.id] = se
	return result{http.StatusOK, s.sessionJSON(se)}
}

func (s *Server) bankAccounts(customerID string) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers[customerID]
	if c == nil {
		return notFound("Customer")
	}
	out := append([]bankAccount{}, c.accounts...)
	return result{http.StatusOK, out}
}
