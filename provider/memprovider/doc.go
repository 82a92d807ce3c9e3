// Package memprovider is an in-memory payment provider: a complete, faithful stand-in for a
// real provider that needs no network and no credentials from anyone.
//
// It passes the whole paybridge conformance suite, so code written against it behaves the
// same against the real adapters. Use it in the tests of your checkout and payout code:
//
//	backend := memprovider.NewBackend()
//	defer backend.Close()
//	gw := paybridge.New(memprovider.New(memprovider.Config{Backend: backend, APIKey: backend.APIKey()}))
//	p, _ := gw.Pay(ctx, req)                         // p.Status == requires_action
//	_ = backend.EndUser().Approve(ctx, p.RedirectURL) // the buyer approves on the hosted page
//
// The [Backend] plays the provider: it keeps payments, captures, refunds, payouts,
// mandates, verified accounts, customers and a ledger; checks the API key on every call; refuses what a real provider refuses
// (refunds above what was paid, payouts to unverified accounts or beyond the balance, an
// idempotency key reused for a different request); and delivers notifications by HTTP POST
// to the NotificationURL given with each request (or the backend's default), signed with
// HMAC-SHA256, retrying with back-off until a 2xx reply. The [EndUser] approves, declines or
// abandons hosted pages, interactive account verifications and interactive payouts.
//
// A Payout without AccountID but with a ReturnURL is interactive: it is PayoutPending with
// a RedirectURL, where the EndUser chooses the account (Approve: the payout is paid,
// payout.succeeded) or does not (Decline, Abandon: payout.failed). The balance must cover
// it both when it is made and when the payee confirms.
//
// Test data: a BankAccount whose account number or IBAN ends in "0000" fails verification;
// any other verifies.
//
// # Capture, mandates and the ledger
//
// A Pay with Capture set to CaptureManual is authorized when the payer approves
// (PaymentAuthorized, a payment.authorized notification) and moves no money until
// Capture: partial and repeated captures are allowed up to the authorized amount. A
// partly captured payment stays PaymentAuthorized (ProviderStatus "partially_captured")
// with Payment.Captured the sum so far; the capture that completes it makes it
// PaymentSucceeded ("captured"). Each capture sends capture.succeeded (Event.CaptureID),
// the last one payment.succeeded too. Void makes an authorized payment PaymentCanceled
// ("voided", payment.canceled); a partly captured one keeps what was captured. Refunds of
// such a payment return captured money only.
//
// CreateMandate sends the payer to a hosted page the EndUser approves (MandateActive,
// mandate.active), declines (MandateFailed) or abandons (MandateCanceled). Charge under an
// active mandate (within its MaxAmount) creates a payment with Payment.MandateID set,
// PaymentPending until the payer's bank pays it shortly after (WithChargeDelay); both
// its payment.pending and payment.succeeded notifications carry Event.MandateID.
//
// Ledger lists every movement when it happens: payments when they succeed (a manual one
// by its captures, ProviderID the capture's id), charges when they succeed, refunds and
// payouts negative. For reconciliation tests, Backend.BookExternal books an entry no call
// made, and Backend.DropBooked and Backend.AlterBooked lose or change one booked entry.
//
// # Provider-specific options and results
//
// mem has no wire request. The BeforeSend hook of a Pay or a Charge reaches a
// **[PaymentOptions] (a statement text, and the hosted page's title for a Pay) that the
// payment keeps; the hooks of the other writes are run, so that one returning an error
// refuses the call before anything is sent, but their as function reaches nothing. Results
// carry mem's records beyond the neutral types as their Detail, reached with As: a
// *[PaymentDetail] on every Payment, *[RefundDetail], *[PayoutDetail] and *[MandateDetail]
// on refunds, payouts and mandates. mem carries every optional request field
// (Capabilities.RequestFields names them all): each is kept in these details.
//
// The scheme "mem" is registered with paybridge.Open: "mem://" opens a Client over a new
// Backend with a generated API key.
package memprovider
