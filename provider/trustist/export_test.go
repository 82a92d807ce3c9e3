package trustist

// PaymentConfirmationWaiters returns how many notifications wait for the confirmation
// read of payment id in flight.
func PaymentConfirmationWaiters(p *Client, id string) int {
	return p.confirm.waiters(objectKey{paymentObject, id})
}
