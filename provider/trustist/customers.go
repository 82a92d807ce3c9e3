package trustist

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/paybridge/paybridge/provider"
)

// addressWire is a customer address on the wire.
type addressWire struct {
	AddressLine1 string `json:"addressLine1,omitempty"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	City         string `json:"city,omitempty"`
	PostalCode   string `json:"postalCode,omitempty"`
	// Country is ISO 3166-1 alpha-2.
	Country string `json:"country,omitempty"`
}

// customerWire is a customer on the wire. Note emailAddress, not email.
type customerWire struct {
	ID           string       `json:"id,omitempty"`
	FirstName    string       `json:"firstName,omitempty"`
	LastName     string       `json:"lastName,omitempty"`
	EmailAddress string       `json:"emailAddress,omitempty"`
	DateOfBirth  string       `json:"dateOfBirth,omitempty"`
	Address      *addressWire `json:"address,omitempty"`
	// OrgID is the merchant's own organisation or branch id, used to filter listings; it
	// carries the neutral Customer.Group.
	OrgID   string `json:"orgId,omitempty"`
	Created string `json:"created,omitempty"`
}

// Trustist customer records have first and last name, e-mail address, date of birth,
// address and orgId; nothing else is documented. Fields without a place are refused
// rather than dropped.
const (
	noExternalID = "has no place in a Trustist customer (its fields are names, emailAddress, dateOfBirth, address and orgId)"
	noPhone      = "has no place in a Trustist customer (no phone field is documented)"
	noRegion     = "has no place in a Trustist address (addressLine1, addressLine2, city, postalCode, country)"
)

func toAddressWire(a *provider.Address) (*addressWire, error) {
	if a == nil {
		return nil, nil
	}
	if a.Region != "" {
		return nil, provider.FieldError("Address.Region", noRegion)
	}
	return &addressWire{AddressLine1: a.Line1, AddressLine2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}, nil
}

func (w *addressWire) neutral() *provider.Address {
	if w == nil || *w == (addressWire{}) {
		return nil
	}
	return &provider.Address{Line1: w.AddressLine1, Line2: w.AddressLine2, City: w.City, PostalCode: w.PostalCode, Country: w.Country}
}

func (w *customerWire) neutral() *provider.Customer {
	dob := w.DateOfBirth
	if len(dob) > 10 && dob[10] == 'T' {
		dob = dob[:10] // [I] a .NET DateTime serialises as 1990-12-10T00:00:00
	}
	return &provider.Customer{ID: w.ID, FirstName: w.FirstName, LastName: w.LastName, Email: w.EmailAddress,
		DateOfBirth: dob, Address: w.Address.neutral(), Group: w.OrgID, CreatedAt: parseTime(w.Created)}
}

// CreateCustomer implements provider.CustomerManager: POST /v1/customers with the tenant
// key. ExternalID and Phone have no Trustist field and are refused (InvalidRequest naming
// the field), as is Address.Region; Group is sent as orgId.
func (p *Client) CreateCustomer(ctx context.Context, c *provider.Customer) (*provider.Customer, error) {
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	body, err := customerBody(c)
	if err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodPost, path: "/v1/customers", body: body, write: true, what: "customer",
		permission: PermissionCreateCustomer})
	if err != nil {
		return nil, err
	}
	w, err := decodeCustomer(r)
	if err != nil {
		return nil, uncertainAnswer(r, err)
	}
	return w.neutral(), nil
}

func customerBody(c *provider.Customer) ([]byte, error) {
	if c.ExternalID != "" {
		return nil, provider.FieldError("ExternalID", noExternalID)
	}
	if c.Phone != "" {
		return nil, provider.FieldError("Phone", noPhone)
	}
	addr, err := toAddressWire(c.Address)
	if err != nil {
		return nil, err
	}
	return marshal(customerWire{FirstName: c.FirstName, LastName: c.LastName, EmailAddress: c.Email,
		DateOfBirth: c.DateOfBirth, Address: addr, OrgID: c.Group})
}

// GetCustomer implements provider.CustomerManager: GET /v1/customers/{id} with the
// tenant key.
func (p *Client) GetCustomer(ctx context.Context, id string) (*provider.Customer, error) {
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodGet, path: "/v1/customers/" + url.PathEscape(id), what: "customer",
		permission: PermissionReadCustomers})
	if err != nil {
		return nil, err
	}
	w, err := decodeCustomer(r)
	if err != nil {
		return nil, badAnswer(r, err)
	}
	return w.neutral(), nil
}

// UpdateCustomer implements provider.CustomerManager: PUT /v1/customers/{id} with the
// tenant key and a partial body — members set are sent with their value, members cleared
// are sent as null, members left alone are absent. [I] The customer page describes
// updates only by example ("add missing email"); the partial semantics follow the
// published description of this integration. Trustist customers hold no external id
// or phone, so Capabilities leave ExternalID and Phone out of CustomerFields and the
// Gateway refuses any update that touches them, set or cleared. Called directly, the
// adapter refuses setting them (InvalidRequest naming the field) and sends nothing for a
// clear.
func (p *Client) UpdateCustomer(ctx context.Context, id string, u *provider.CustomerUpdate) (*provider.Customer, error) {
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if u.ExternalID.IsSet() && u.ExternalID.Value() != "" {
		return nil, provider.FieldError("ExternalID", noExternalID)
	}
	if u.Phone.IsSet() && u.Phone.Value() != "" {
		return nil, provider.FieldError("Phone", noPhone)
	}
	m := map[string]any{}
	str := func(name string, pt provider.Patch[string]) {
		switch {
		case pt.IsSet() && pt.Value() != "":
			m[name] = pt.Value()
		case pt.IsSet() || pt.IsClear():
			m[name] = nil
		}
	}
	str("firstName", u.FirstName)
	str("lastName", u.LastName)
	str("emailAddress", u.Email)
	str("dateOfBirth", u.DateOfBirth)
	str("orgId", u.Group)
	switch {
	case u.Address.IsSet() && u.Address.Value() != nil:
		a, err := toAddressWire(u.Address.Value())
		if err != nil {
			return nil, err
		}
		m["address"] = a
	case u.Address.IsSet() || u.Address.IsClear():
		m["address"] = nil
	}
	if len(m) == 0 {
		return p.GetCustomer(ctx, id)
	}
	body, err := marshal(m)
	if err != nil {
		return nil, err
	}
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodPut, path: "/v1/customers/" + url.PathEscape(id), body: body, write: true,
		what: "customer", permission: PermissionUpdateCustomer})
	if err != nil {
		return nil, err
	}
	var w customerWire
	if len(strings.TrimSpace(string(r.body))) > 0 && decode(r, &w) == nil && w.ID != "" {
		return w.neutral(), nil
	}
	// [I] The update answer's shape is not published; read the customer back.
	return p.GetCustomer(ctx, id)
}

// ListCustomers implements provider.CustomerManager: GET /v1/customers?orgId={Group}
// with the tenant key. Trustist filters by orgId only and documents no paging, so the
// whole listing is one page: PageSize is not applied, a PageToken is refused, and so is
// an ExternalID filter.
func (p *Client) ListCustomers(ctx context.Context, req *provider.ListCustomersRequest) (*provider.CustomerPage, error) {
	if !p.hasTenant {
		return nil, errNoTenant()
	}
	if req.ExternalID != "" {
		return nil, provider.FieldError("ExternalID", "cannot filter Trustist customers, which have no external id; filter by Group (orgId)")
	}
	if req.PageToken != "" {
		return nil, provider.FieldError("PageToken", "is not a token this provider issued (Trustist customer listings are one page)")
	}
	var q url.Values
	if req.Group != "" {
		q = url.Values{"orgId": {req.Group}}
	}
	r, err := p.send(ctx, call{scope: tenantKey, method: http.MethodGet, path: "/v1/customers", query: q, what: "customer",
		permission: PermissionReadCustomers})
	if err != nil {
		return nil, err
	}
	list, err := customerList(r)
	if err != nil {
		return nil, badAnswer(r, err)
	}
	page := &provider.CustomerPage{Customers: make([]*provider.Customer, 0, len(list))}
	for i := range list {
		c := list[i].neutral()
		if req.Group != "" && c.Group != "" && c.Group != req.Group {
			continue
		}
		page.Customers = append(page.Customers, c)
	}
	return page, nil
}

// customerList reads a listing: a JSON array, or [I] an object holding the array under
// a common member name (customers, items, data, results, value).
func customerList(r *reply) ([]customerWire, error) {
	return listAnswer[customerWire](r, "the listing holds no array of customers",
		"customers", "items", "data", "results", "value")
}

// listAnswer reads an answer that is a JSON array of T, or an object holding that array
// under one of names (compared case-insensitively); missing is the error text when
// neither is found.
func listAnswer[T any](r *reply, missing string, names ...string) ([]T, error) {
	var list []T
	if err := decode(r, &list); err == nil {
		return list, nil
	}
	var obj map[string]json.RawMessage
	if err := decode(r, &obj); err != nil {
		return nil, err
	}
	for k, v := range obj {
		if slices.Contains(names, strings.ToLower(k)) {
			if err := json.Unmarshal(v, &list); err == nil {
				return list, nil
			}
		}
	}
	return nil, errorf("%s", missing)
}

// decodeCustomer reads a customer answer, which must carry the customer's id.
func decodeCustomer(r *reply) (*customerWire, error) {
	var w customerWire
	if err := decode(r, &w); err != nil {
		return nil, err
	}
	if w.ID == "" {
		return nil, errorf("the answer carries no customer id")
	}
	return &w, nil
}
