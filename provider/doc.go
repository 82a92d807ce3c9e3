// Package provider is the contract between the portable [paybridge.Gateway] and the adapters
// that speak each payment provider's wire protocol.
//
// Application code rarely imports this package: it uses *paybridge.Gateway, whose request and
// result types are aliases of the types defined here. Adapter authors implement [Provider]
// and whichever optional interfaces ([Refunder], [Payouter], [AccountVerifier],
// [CustomerManager], [NotificationVerifier]) their provider supports, and run the shared
// conformance suite (package conformance) against them.
//
// The Gateway does everything that is the same for all providers before an adapter is
// called: it validates every request (fields and money rules), fills in an idempotency key,
// checks the operation against the interfaces the adapter implements ([OperationsOf]) and
// the currency against [Capabilities], and wraps errors exactly once. It refuses, when it
// is made, an adapter whose Capabilities disagree with its interfaces
// ([CheckCapabilities]).
// An adapter therefore receives only valid requests, and only translates them to and from
// its provider's wire format.
//
// # What adapters must guarantee
//
//   - Errors describing a provider's answer are returned as *[Error] (or wrap one), with the
//     [Code] that tells a caller what to do: retry, give up, or reconcile. A context error
//     is returned as it is when the context ended before the request was sent; after that
//     the request may have been processed, and the error is UnknownOutcome wrapping it.
//   - Results echo what the provider reported (amounts, currency, references); the Gateway
//     compares amounts with the request and refuses a mismatch.
//   - Every money-moving call uses the request's IdempotencyKey to derive the provider's own
//     idempotency mechanism, so that the same call repeated after a crash cannot move money
//     twice.
//   - Provider statuses are mapped by one table per object to the neutral statuses; anything
//     unknown maps to a pending-like status, never to success. The raw status is kept in
//     ProviderStatus.
package provider
