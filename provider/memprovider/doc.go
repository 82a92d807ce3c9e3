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
// The [Backend] plays the provider: it keeps payments, refunds, payouts, verified accounts
// and customers; checks the API key on every call; refuses what a real provider refuses
// (refunds above what was paid, payouts to unverified accounts or beyond the balance, an
// idempotency key reused for a different request); and delivers notifications by HTTP POST
// to the NotificationURL given with each request (or the backend's default), signed with
// HMAC-SHA256, retrying with back-off until a 2xx reply. The [EndUser] approves, declines or
// abandons hosted pages and interactive account verifications.
//
// Test data: a BankAccount whose account number or IBAN ends in "0000" fails verification;
// any other verifies.
//
// The scheme "mem" is registered with paybridge.Open: "mem://" opens a Client over a new
// Backend with a generated API key.
package memprovider
