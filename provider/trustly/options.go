package trustly

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/paybridge/paybridge/provider"
)

// Attributes are the Attributes of a Trustly request (Deposit, Refund, AccountPayout,
// SelectAccount, Charge), as the adapter built them from the neutral request. A request's
// BeforeSend hook reaches them as a *Attributes target, before the request is signed (the
// signature covers them), and may set what the neutral request cannot say, for example:
//
//	req.BeforeSend = func(as func(any) bool) error {
//		var a *trustly.Attributes
//		if !as(&a) {
//			return errors.New("not a Trustly request")
//		}
//		(*a)["URLTarget"] = "_top"
//		(*a)["Method"] = "deposit.bank.netherlands.ideal"
//		return nil
//	}
//
// Values are strings (Trustly's attributes are text, "1" for a flag), or nested
// Attributes-like objects (map[string]any, for RecipientInformation); a hook that sets
// another type is refused before anything is sent. The adapter then checks what Trustly's
// documentation constrains (see checkHooked): URLTarget is _top, _self or _parent
// (https://docs.trustly.com/api/deposit, error 703 ERROR_MALFORMED_URLTARGET);
// SuggestedMinAmount and SuggestedMaxAmount are never combined with Amount (Trustly's
// Java client, DepositRequestDataAttributes.java), so on a Deposit, which always sends the
// neutral request's Amount, they are refused; and the attributes the adapter derives from
// the neutral request's own fields (the amount, the currency, the URLs, the payer's names,
// the mandate flag) cannot be changed, so that the result still describes what was sent.
// Trustly refuses attributes it does not know (717 ERROR_INVALID_ORDER_ATTRIBUTE [I]).
type Attributes map[string]any

// MethodIDEAL is the value of a Deposit's Method attribute that makes the deposit an iDEAL
// payment: the end user chooses a Dutch bank in Trustly's iDEAL page; notifications and
// refunds are those of every deposit (https://docs.trustly.com/api/ideal). Trustly enables
// iDEAL per merchant on request. See IDEAL.
const MethodIDEAL = "deposit.bank.netherlands.ideal"

// IDEAL is a BeforeSend hook that makes a Pay an iDEAL deposit (Method MethodIDEAL):
//
//	req := paybridge.PaymentRequest{Amount: money.MustNew("10.00", "EUR"), ..., BeforeSend: trustly.IDEAL}
//
// iDEAL pays in euro only: a Pay in another currency is refused before it is sent, as is
// the hook on any request other than a Pay (it fails on another provider's request too).
func IDEAL(as func(any) bool) error {
	var a *Attributes
	if !as(&a) {
		return errors.New("trustly.IDEAL applies to a Trustly request")
	}
	(*a)["Method"] = MethodIDEAL
	return nil
}

// urlTargets are the values Trustly allows for URLTarget.
var urlTargets = []string{"_top", "_self", "_parent"}

// runHook runs the request's BeforeSend hook on attrs and checks what it left: fixed
// lists the attributes the adapter derived from the neutral request, which the hook must
// leave as they are. It returns the attributes to send.
func runHook(hook provider.BeforeSend, method string, attrs map[string]any, fixed []string) (map[string]any, error) {
	if hook == nil {
		return attrs, nil
	}
	if attrs == nil {
		attrs = map[string]any{}
	}
	before := make(map[string]any, len(fixed))
	for _, k := range fixed {
		if v, ok := attrs[k]; ok {
			before[k] = v
		}
	}
	a := Attributes(attrs)
	if err := hook.Run(&a); err != nil {
		return nil, err
	}
	if a == nil {
		a = Attributes{}
	}
	for _, k := range fixed {
		v, had := before[k]
		now, has := a[k]
		if had != has || (had && fmt.Sprint(v) != fmt.Sprint(now)) {
			return nil, hookRefused("Attributes.%s of a %s comes from the neutral request; the BeforeSend hook must not change it", k, method)
		}
	}
	for k, v := range a {
		if err := checkAttrValue(k, v, 0); err != nil {
			return nil, err
		}
		if x, ok := v.(Attributes); ok {
			a[k] = map[string]any(x) // the form the request encoder knows
		}
	}
	if t, ok := a["URLTarget"]; ok && !slices.Contains(urlTargets, fmt.Sprint(t)) {
		return nil, hookRefused("Attributes.URLTarget must be _top, _self or _parent (Trustly error 703 ERROR_MALFORMED_URLTARGET)")
	}
	if m, ok := a["Method"]; ok {
		if method != "Deposit" || fmt.Sprint(m) != MethodIDEAL {
			return nil, hookRefused("Attributes.Method: Trustly documents one, %q, on a Deposit (https://docs.trustly.com/api/ideal)", MethodIDEAL)
		}
		if fmt.Sprint(a["Currency"]) != "EUR" {
			return nil, hookRefused("Attributes.Method %q: iDEAL pays in EUR only, not %v", MethodIDEAL, a["Currency"])
		}
	}
	_, amount := a["Amount"]
	_, minAmount := a["SuggestedMinAmount"]
	_, maxAmount := a["SuggestedMaxAmount"]
	if amount && (minAmount || maxAmount) {
		return nil, hookRefused("Attributes.SuggestedMinAmount and SuggestedMaxAmount cannot be combined with Amount, which a %s always sends", method)
	}
	return map[string]any(a), nil
}

// checkAttrValue refuses a value Trustly's attributes cannot hold: only text, null and
// objects of them.
func checkAttrValue(k string, v any, depth int) error {
	switch x := v.(type) {
	case nil, string:
		return nil
	case map[string]any:
		if depth > 0 {
			break
		}
		for kk, vv := range x {
			if err := checkAttrValue(k+"."+kk, vv, depth+1); err != nil {
				return err
			}
		}
		return nil
	case Attributes:
		return checkAttrValue(k, map[string]any(x), depth)
	}
	return hookRefused("Attributes.%s is %T; Trustly's attributes are text (\"1\" for a flag)", k, v)
}

func hookRefused(format string, args ...any) error {
	return &provider.Error{Code: provider.InvalidRequest, Field: "BeforeSend", Message: fmt.Sprintf(format, args...)}
}

// OrderResult is Trustly's answer to a Deposit or SelectAccount: the order and the URL of
// its page. It is the Detail of the Payment Pay returns and of the Mandate CreateMandate
// returns (reach it with Payment.As or Mandate.As and a **OrderResult target).
type OrderResult struct {
	OrderID string
	URL     string
}

// openOrder sends r, a request that opens an order the end user completes on Trustly's
// page (Deposit, SelectAccount, Withdraw), and returns the order and the page's URL,
// both of which Trustly's answer must carry.
func (c *Client) openOrder(ctx context.Context, r *rpc) (*OrderResult, error) {
	res, err := c.call(ctx, r)
	if err != nil {
		return nil, err
	}
	o := &OrderResult{OrderID: resultText(res, "orderid"), URL: resultText(res, "url")}
	if o.OrderID == "" || o.URL == "" {
		return nil, badAnswer(r.method, "orderid and url")
	}
	return o, nil
}
