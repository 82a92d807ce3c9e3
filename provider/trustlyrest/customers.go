package trustlyrest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/provider"
)

// Customer data kept in Trustly's free-form customData object ([I] customData is documented
// as an object of the merchant's own keys). Trustly's customer has one name field, so the
// first and last names are kept there too, to be read back exactly.
const (
	customDataGroup     = "paybridgeGroup"
	customDataFirstName = "paybridgeFirstName"
	customDataLastName  = "paybridgeLastName"
)

// wireCustomer is Trustly's Customer object (the Customer schema of
// https://amer.developers.trustly.com/openapi.json).
type wireCustomer struct {
	CustomerID  flexString     `json:"customerId,omitempty"`
	ExternalID  string         `json:"externalId,omitempty"`
	Name        string         `json:"name,omitempty"`
	Email       string         `json:"email,omitempty"`
	Phone       string         `json:"phone,omitempty"`
	DateOfBirth string         `json:"dateOfBirth,omitempty"`
	Address     *wireAddress   `json:"address,omitempty"`
	CustomData  map[string]any `json:"customData,omitempty"`
	CreatedAt   millis         `json:"createdAt,omitempty"`
}

type wireAddress struct {
	Address1 string `json:"address1,omitempty"`
	Address2 string `json:"address2,omitempty"`
	City     string `json:"city,omitempty"`
	State    string `json:"state,omitempty"`
	Zip      string `json:"zip,omitempty"`
	Country  string `json:"country,omitempty"`
}

// customerBody is the JSON sent for a customer: every neutral field, null when empty so that
// an update removes it (Trustly: "setting a property to null removes it").
func customerBody(c *provider.Customer) map[string]any {
	m := map[string]any{
		"name":        nullIfEmpty(strings.TrimSpace(c.FirstName + " " + c.LastName)),
		"email":       nullIfEmpty(c.Email),
		"phone":       nullIfEmpty(c.Phone),
		"dateOfBirth": nullIfEmpty(c.DateOfBirth),
		"externalId":  nullIfEmpty(c.ExternalID),
		"address":     nil,
	}
	if a := c.Address; a != nil {
		m["address"] = map[string]any{
			"address1": nullIfEmpty(a.Line1), "address2": nullIfEmpty(a.Line2), "city": nullIfEmpty(a.City),
			"state": nullIfEmpty(a.Region), "zip": nullIfEmpty(a.PostalCode), "country": nullIfEmpty(a.Country),
		}
	}
	cd := map[string]any{customDataFirstName: nullIfEmpty(c.FirstName), customDataLastName: nullIfEmpty(c.LastName),
		customDataGroup: nullIfEmpty(c.Group)}
	m["customData"] = cd
	return m
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// neutral converts a Trustly customer.
func (w *wireCustomer) neutral() *provider.Customer {
	c := &provider.Customer{
		ID: string(w.CustomerID), ExternalID: w.ExternalID, Email: w.Email, Phone: w.Phone,
		DateOfBirth: w.DateOfBirth, CreatedAt: w.CreatedAt.Time(),
	}
	first, okF := w.CustomData[customDataFirstName].(string)
	last, okL := w.CustomData[customDataLastName].(string)
	if okF || okL {
		c.FirstName, c.LastName = first, last
	} else if i := strings.LastIndexByte(w.Name, ' '); i > 0 {
		c.FirstName, c.LastName = w.Name[:i], w.Name[i+1:]
	} else {
		c.FirstName = w.Name
	}
	c.Group, _ = w.CustomData[customDataGroup].(string)
	if a := w.Address; a != nil && *a != (wireAddress{}) {
		c.Address = &provider.Address{Line1: a.Address1, Line2: a.Address2, City: a.City, Region: a.State,
			PostalCode: a.Zip, Country: a.Country}
	}
	return c
}

func decodeCustomer(raw []byte) (*provider.Customer, error) {
	var wrapped struct {
		Customer *wireCustomer `json:"customer"`
	}
	if err := json.Unmarshal(raw, &wrapped); err != nil || wrapped.Customer == nil || wrapped.Customer.CustomerID == "" {
		return nil, &provider.Error{Code: provider.Internal, Message: "decoding the customer", Err: err}
	}
	return wrapped.Customer.neutral(), nil
}

// CreateCustomer implements provider.CustomerManager with POST /customers. Trustly requires
// a name, address, phone and e-mail address (the Customer schema of
// https://amer.developers.trustly.com/openapi.json). Group is kept in customData.
// Trustly updates, rather than creates, a customer whose externalId it already has.
func (c *Client) CreateCustomer(ctx context.Context, cu *provider.Customer) (*provider.Customer, error) {
	switch {
	case cu.FirstName == "" && cu.LastName == "":
		return nil, provider.FieldError("FirstName", "or LastName is required by Trustly")
	case cu.Email == "":
		return nil, provider.FieldError("Email", "is required by Trustly")
	case cu.Phone == "":
		return nil, provider.FieldError("Phone", "is required by Trustly")
	case cu.Address == nil || cu.Address.Country == "":
		return nil, provider.FieldError("Address.Country", "is required by Trustly")
	}
	var q url.Values
	if cu.ExternalID != "" {
		q = url.Values{"externalId": {cu.ExternalID}}
	}
	raw, err := c.call(ctx, http.MethodPost, "/customers", q.Encode(), jsonBody(customerBody(cu)), isAction)
	if err != nil {
		return nil, err
	}
	return decodeCustomer(raw)
}

// GetCustomer implements provider.CustomerManager with GET /customers/{id}.
func (c *Client) GetCustomer(ctx context.Context, id string) (*provider.Customer, error) {
	if !validID(id) {
		return nil, &provider.Error{Code: provider.NotFound, Message: "no Trustly customer has this id (ids are numeric)"}
	}
	raw, err := c.call(ctx, http.MethodGet, "/customers/"+id, "", nil, isLookup)
	if err != nil {
		return nil, err
	}
	return decodeCustomer(raw)
}

// UpdateCustomer implements provider.CustomerManager: it reads the customer, applies u, and
// sends the whole customer with POST /customers/{id}, cleared fields as null.
func (c *Client) UpdateCustomer(ctx context.Context, id string, u *provider.CustomerUpdate) (*provider.Customer, error) {
	cur, err := c.GetCustomer(ctx, id)
	if err != nil {
		return nil, err
	}
	u.ApplyTo(cur)
	if cur.FirstName == "" && cur.LastName == "" {
		return nil, provider.FieldError("FirstName", "cannot be cleared with LastName: Trustly requires a name")
	}
	if cur.Email == "" {
		return nil, provider.FieldError("Email", "cannot be cleared: Trustly requires an e-mail address")
	}
	raw, err := c.call(ctx, http.MethodPost, "/customers/"+id, "", jsonBody(customerBody(cur)), isAction)
	if err != nil {
		return nil, err
	}
	return decodeCustomer(raw)
}

// ListCustomers implements provider.CustomerManager with GET /customers, filtered by
// externalId at Trustly and by Group (kept in customData) here. Page tokens are Trustly
// startIndex offsets; a page filtered by Group may hold fewer customers than PageSize, or
// none, while more follow.
func (c *Client) ListCustomers(ctx context.Context, req *provider.ListCustomersRequest) (*provider.CustomerPage, error) {
	start := 0
	if req.PageToken != "" {
		n, err := strconv.Atoi(req.PageToken)
		if err != nil || n < 0 {
			return nil, provider.FieldError("PageToken", "is not a token this adapter issued")
		}
		start = n
	}
	size := req.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	size = min(size, maxPageSize)
	q := url.Values{"count": {strconv.Itoa(size)}, "startIndex": {strconv.Itoa(start)}}
	if req.ExternalID != "" {
		q.Set("externalId", req.ExternalID)
	}
	raw, err := c.call(ctx, http.MethodGet, "/customers", q.Encode(), nil, isAction)
	if err != nil {
		return nil, err
	}
	items, err := decodeList[wireCustomer](raw, "customers", "customer")
	if err != nil {
		return nil, &provider.Error{Code: provider.Internal, Message: "decoding the customers", Err: err}
	}
	page := &provider.CustomerPage{Customers: []*provider.Customer{}}
	for _, w := range items {
		cu := w.neutral()
		if req.ExternalID != "" && cu.ExternalID != req.ExternalID {
			continue
		}
		if req.Group != "" && cu.Group != req.Group {
			continue
		}
		page.Customers = append(page.Customers, cu)
	}
	if len(items) == size {
		page.NextPageToken = strconv.Itoa(start + size)
	}
	return page, nil
}
