package main

import (
	"fmt"

	"github.com/paybridge/paybridge/money"
)

// Product is something the shop sells, priced in each currency it accepts.
type Product struct {
	ID          string
	Name        string
	Description string
	// Prices holds the price per ISO 4217 code as exact decimal text.
	Prices map[string]string
}

// Price returns the product's price in c.
func (p Product) Price(c money.Currency) (money.Amount, error) {
	v, ok := p.Prices[c.String()]
	if !ok {
		return money.Amount{}, fmt.Errorf("%s has no price in %s", p.Name, c)
	}
	return money.New(v, c.String())
}

// catalog is the shop's one product.
var catalog = []Product{{
	ID:          "notebook",
	Name:        "Field notebook",
	Description: "A5, 96 dotted pages, lies flat.",
	Prices:      map[string]string{"EUR": "12.00", "GBP": "10.50", "USD": "13.50", "SEK": "139.00", "CAD": "18.00"},
}}

func productByID(id string) (Product, bool) {
	for _, p := range catalog {
		if p.ID == id {
			return p, true
		}
	}
	return Product{}, false
}
