package signing

import "strings"

// signedKeys is the fixed order of the establish-data keys covered by the request signature,
// nested keys in dotted form. It is protocol data: Trustly's server rebuilds the same string
// from the same list, so the order must never change.
//
// Trustly's documentation hints at a further key, onlinePPSubtype, after transactionId. It is
// not in the list published with the official sample and is deliberately left out here.
var signedKeys = [...]string{
	"accessId",
	"merchantId",
	"description",
	"currency",
	"amount",
	"displayAmount",
	"minimumBalance",
	"merchantReference",
	"paymentType",
	"timeZone",
	"recurrence.startDate",
	"recurrence.endDate",
	"recurrence.frequency",
	"recurrence.frequencyUnit",
	"recurrence.frequencyUnitType",
	"recurrence.recurringAmount",
	"recurrence.automaticCapture",
	"verification.status",
	"verification.verifyCustomer",
	"customer.customerId",
	"customer.externalId",
	"customer.name",
	"customer.vip",
	"customer.taxId",
	"customer.driverLicense.number",
	"customer.driverLicense.state",
	"customer.address.address1",
	"customer.address.address2",
	"customer.address.city",
	"customer.address.state",
	"customer.address.zip",
	"customer.address.country",
	"customer.phone",
	"customer.email",
	"customer.balance",
	"customer.currency",
	"customer.enrollDate",
	"customer.externalTier",
	"customer.dateOfBirth",
	"account.nameOnAccount",
	"account.name",
	"account.type",
	"account.profile",
	"account.accountNumber",
	"account.routingNumber",
	"transactionId",
}

// signedParents lists, in a fixed order, every proper dotted prefix of a signed key
// ("customer", "customer.address", ...). Those positions must hold objects.
var signedParents = func() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range signedKeys {
		for i := range len(k) {
			if k[i] == '.' && !seen[k[:i]] {
				seen[k[:i]] = true
				out = append(out, k[:i])
			}
		}
	}
	return out
}()

// SignedKeys returns the establish-data keys covered by the request signature, in signing
// order, nested keys in dotted form (for example "customer.address.zip"). The result is a copy.
func SignedKeys() []string {
	return append([]string(nil), signedKeys[:]...)
}

// dottedParents calls fn for every proper dotted prefix of k, shortest first.
func dottedParents(k string, fn func(string)) {
	for i := 0; ; {
		j := strings.IndexByte(k[i:], '.')
		if j < 0 {
			return
		}
		i += j
		fn(k[:i])
		i++
	}
}
