package provider

// RequestFieldNames lists the optional request fields a provider may lack a place for,
// as Capabilities.RequestFields names them. The Gateway refuses a request that sets one
// the provider does not carry, naming it; the other fields are carried by every adapter or
// checked by the adapter itself.
var RequestFieldNames = []string{
	"PaymentRequest.Description",
	"PaymentRequest.Metadata",
	"PaymentRequest.CustomerID",
	"PaymentRequest.Payer.Phone",
	"PaymentRequest.Payer.DateOfBirth",
	"PaymentRequest.Payer.NationalID",
	"PaymentRequest.Payer.Address",
	"RefundRequest.Reason",
	"RefundRequest.Metadata",
	"PayoutRequest.Description",
	"PayoutRequest.Metadata",
	"PayoutRequest.Payee.DateOfBirth",
	"PayoutRequest.Payee.Address",
	"MandateRequest.Description",
	"MandateRequest.MaxAmount",
	"MandateRequest.Payer.DateOfBirth",
	"MandateRequest.Payer.Address",
	"ChargeRequest.Description",
	"ChargeRequest.Metadata",
	"ChargeRequest.NotificationURL",
	"VoidRequest.Reason",
	"VerifyAccountRequest.CustomerID",
}

// RequestFieldsSet returns the optional fields (as RequestFieldNames names them) that req,
// a pointer to one of the request types, sets.
func RequestFieldsSet(req any) []string {
	var set []string
	add := func(name string, isSet bool) {
		if isSet {
			set = append(set, name)
		}
	}
	switch r := req.(type) {
	case *PaymentRequest:
		add("PaymentRequest.Description", r.Description != "")
		add("PaymentRequest.Metadata", len(r.Metadata) > 0)
		add("PaymentRequest.CustomerID", r.CustomerID != "")
		add("PaymentRequest.Payer.Phone", r.Payer.Phone != "")
		add("PaymentRequest.Payer.DateOfBirth", r.Payer.DateOfBirth != "")
		add("PaymentRequest.Payer.NationalID", r.Payer.NationalID != "")
		add("PaymentRequest.Payer.Address", r.Payer.Address != nil)
	case *RefundRequest:
		add("RefundRequest.Reason", r.Reason != "")
		add("RefundRequest.Metadata", len(r.Metadata) > 0)
	case *PayoutRequest:
		add("PayoutRequest.Description", r.Description != "")
		add("PayoutRequest.Metadata", len(r.Metadata) > 0)
		add("PayoutRequest.Payee.DateOfBirth", r.Payee.DateOfBirth != "")
		add("PayoutRequest.Payee.Address", r.Payee.Address != nil)
	case *MandateRequest:
		add("MandateRequest.Description", r.Description != "")
		add("MandateRequest.MaxAmount", r.MaxAmount.IsValid())
		add("MandateRequest.Payer.DateOfBirth", r.Payer.DateOfBirth != "")
		add("MandateRequest.Payer.Address", r.Payer.Address != nil)
	case *ChargeRequest:
		add("ChargeRequest.Description", r.Description != "")
		add("ChargeRequest.Metadata", len(r.Metadata) > 0)
		add("ChargeRequest.NotificationURL", r.NotificationURL != "")
	case *VoidRequest:
		add("VoidRequest.Reason", r.Reason != "")
	case *VerifyAccountRequest:
		add("VerifyAccountRequest.CustomerID", r.CustomerID != "")
	}
	return set
}
