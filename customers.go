package paybridge

import (
	"context"
	"iter"

	"github.com/paybridge/paybridge/provider"
)

func (g *Gateway) customers(op string) (provider.CustomerManager, error) {
	if err := g.begin(op, provider.OpCustomers, ""); err != nil {
		return nil, err
	}
	return g.p.(provider.CustomerManager), nil
}

// CreateCustomer stores a customer at the provider and returns it with its ID.
func (g *Gateway) CreateCustomer(ctx context.Context, c Customer) (out *Customer, err error) {
	const op = "CreateCustomer"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	cm, err := g.customers(op)
	if err != nil {
		return nil, err
	}
	c.ID = ""
	fields := g.checkStruct(&c)
	fields = append(fields, g.unstoredCustomerFields(map[string]bool{
		"ExternalID": c.ExternalID != "", "FirstName": c.FirstName != "", "LastName": c.LastName != "",
		"Email": c.Email != "", "Phone": c.Phone != "", "DateOfBirth": c.DateOfBirth != "",
		"Address": c.Address != nil, "Group": c.Group != "",
	})...)
	if len(fields) > 0 {
		return nil, g.invalid(op, "", fields...)
	}
	out, err = cm.CreateCustomer(ctx, &c)
	if err != nil {
		return nil, err
	}
	return out, g.checkID(op, "", out.ID)
}

// unstoredCustomerFields names the fields in use that the provider does not store.
func (g *Gateway) unstoredCustomerFields(used map[string]bool) []FieldError {
	var out []FieldError
	for _, name := range customerFieldOrder {
		if used[name] && !g.caps.StoresCustomerField(name) {
			out = append(out, FieldError{Field: name, Problem: "is not stored by " + g.name})
		}
	}
	return out
}

var customerFieldOrder = []string{"ExternalID", "FirstName", "LastName", "Email", "Phone", "DateOfBirth", "Address", "Group"}

// GetCustomer returns a customer; ErrNotFound when unknown.
func (g *Gateway) GetCustomer(ctx context.Context, id string) (out *Customer, err error) {
	const op = "GetCustomer"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	return fetch(ctx, g, start, op, provider.OpCustomers, id,
		func() (*Customer, error) { return g.p.(provider.CustomerManager).GetCustomer(ctx, id) }, nil)
}

// UpdateCustomer changes the fields u sets or clears and returns the customer as stored.
func (g *Gateway) UpdateCustomer(ctx context.Context, id string, u CustomerUpdate) (out *Customer, err error) {
	const op = "UpdateCustomer"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	cm, err := g.customers(op)
	if err != nil {
		return nil, err
	}
	if err := g.checkIDArg(op, "id", id); err != nil {
		return nil, err
	}
	// Validate the values being set with the same rules as a new customer.
	var probe Customer
	u.ApplyTo(&probe)
	fields := g.checkStruct(&probe)
	fields = append(fields, g.unstoredCustomerFields(map[string]bool{
		"ExternalID": !u.ExternalID.IsZero(), "FirstName": !u.FirstName.IsZero(), "LastName": !u.LastName.IsZero(),
		"Email": !u.Email.IsZero(), "Phone": !u.Phone.IsZero(), "DateOfBirth": !u.DateOfBirth.IsZero(),
		"Address": !u.Address.IsZero(), "Group": !u.Group.IsZero(),
	})...)
	if len(fields) > 0 {
		return nil, g.invalid(op, "", fields...)
	}
	return cm.UpdateCustomer(ctx, id, &u)
}

// ListCustomersPage returns one page of customers; pass the page's NextPageToken as
// req.PageToken for the next.
func (g *Gateway) ListCustomersPage(ctx context.Context, req ListCustomersRequest) (page *CustomerPage, err error) {
	const op = "ListCustomers"
	ctx, start := g.open(ctx, op)
	defer func() { err = g.finish(ctx, op, "", start, err) }()
	cm, err := g.customers(op)
	if err != nil {
		return nil, err
	}
	fields := g.checkStruct(&req)
	fields = append(fields, g.unstoredCustomerFields(map[string]bool{"ExternalID": req.ExternalID != "", "Group": req.Group != ""})...)
	if len(fields) > 0 {
		return nil, g.invalid(op, "", fields...)
	}
	return cm.ListCustomers(ctx, &req)
}

// ListCustomers iterates over every customer matching req, fetching pages as needed. The
// iteration stops at the first error, which it yields.
//
//	for c, err := range gw.ListCustomers(ctx, paybridge.ListCustomersRequest{}) {
//		if err != nil { return err }
//		fmt.Println(c.ID)
//	}
func (g *Gateway) ListCustomers(ctx context.Context, req ListCustomersRequest) iter.Seq2[*Customer, error] {
	return pageSeq(ctx, func(ctx context.Context, token string) ([]*Customer, string, error) {
		r := req
		if token != "" {
			r.PageToken = token
		}
		page, err := g.ListCustomersPage(ctx, r)
		if err != nil {
			return nil, "", err
		}
		return page.Customers, page.NextPageToken, nil
	})
}
