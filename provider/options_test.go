package provider_test

import (
	"errors"
	"testing"

	"github.com/paybridge/paybridge/provider"
)

type wireBody struct{ Statement string }
type wireAttrs map[string]string

func TestBeforeSendReachesTheWireRequest(t *testing.T) {
	body, attrs := &wireBody{}, wireAttrs{}
	hook := provider.BeforeSend(func(as func(any) bool) error {
		var b *wireBody
		var a wireAttrs
		var other *provider.PaymentRequest
		if !as(&b) || !as(&a) || as(&other) || as(nil) || as(b) {
			return errors.New("the as function set the wrong targets")
		}
		b.Statement = "SHOP"
		a["URLTarget"] = "_top"
		return nil
	})
	if err := hook.Run(body, attrs); err != nil {
		t.Fatal(err)
	}
	if body.Statement != "SHOP" || attrs["URLTarget"] != "_top" {
		t.Fatalf("the hook did not change the wire request: %+v %v", body, attrs)
	}
	if err := provider.BeforeSend(nil).Run(body); err != nil {
		t.Fatalf("no hook: %v", err)
	}
	refused := errors.New("no such option")
	err := provider.BeforeSend(func(func(any) bool) error { return refused }).Run(body)
	if provider.CodeOf(err) != provider.InvalidRequest || !errors.Is(err, refused) {
		t.Fatalf("a refusing hook gave %v; want InvalidRequest wrapping its error", err)
	}
}

func TestDetailedAs(t *testing.T) {
	p := provider.Payment{Detailed: provider.Detailed{Detail: &wireBody{Statement: "x"}}}
	var b *wireBody
	if !p.As(&b) || b.Statement != "x" {
		t.Fatalf("As did not reach the detail: %v", b)
	}
	var a wireAttrs
	if p.As(&a) || (provider.Payment{}).As(&b) {
		t.Fatal("As set a target of another type, or from no detail")
	}
}
