// Package paybridge is one provider-neutral payments API over Trustly (JSON-RPC and REST)
// and Trustist, every adapter held to one conformance suite.
//
// Application code holds a *Gateway for the program's life:
//
//	gw, err := paybridge.Open(ctx, "trustly://test?username=merchant") // or New(adapter)
//	p, err := gw.Pay(ctx, paybridge.PaymentRequest{...})                // redirect to p.RedirectURL
//	r, err := gw.Refund(ctx, paybridge.RefundRequest{...})
//	h, err := gw.NotificationHandler(onEvent)                          // an http.Handler
//
// The same methods, request and result types, statuses and error codes work for every
// provider; a checkout switches provider by changing the URL it opens.
//
// # Beyond a payment
//
// Where the provider offers them (Capabilities says; the others return ErrNotSupported):
//
//   - authorize now, capture later: Pay with Capture set to CaptureManual, then Capture
//     (whole, partial, repeated) and Void;
//   - mandates: CreateMandate (the payer approves once at the provider), Charge without
//     the payer, GetMandate, CancelMandate;
//   - the provider's books: Ledger, which package reconcile and `paybridge reconcile`
//     compare with the journal;
//   - interactive payouts: Payout without an AccountID but with a ReturnURL sends the
//     payee to the result's RedirectURL to choose the account (OpPayoutInteractive).
//     Where the provider then asks whether to pay (a notify.PayoutRequested event), the
//     notification callback answers with Event.Decide; without Continue no money moves.
//
// What the neutral request cannot say goes through its BeforeSend hook, which reaches the
// adapter's own wire request; results and events reach the adapter's own answer through
// As. An optional request field the provider has no place for is refused by name, never
// dropped (Capabilities.RequestFields).
//
// # Validation
//
// Every request is validated before any adapter sees it. An invalid request returns an
// *Error with Code CodeInvalidRequest whose Fields name each bad field ("Amount",
// "Payer.Email"); nothing is sent. Every text field, nested ones and Metadata included,
// must be valid UTF-8 without control characters (free text such as Description may hold
// tabs and line breaks), so that what reaches the provider is what the caller wrote.
// Metadata (on PaymentRequest, RefundRequest, PayoutRequest and ChargeRequest) holds at
// most 20 entries, each key 1 to 40 bytes and each value at most 500 bytes.
// Amounts are money.Amount values, which cannot hold more decimals than their currency
// allows. Operations and currencies outside Capabilities
// return ErrNotSupported, also before anything is sent.
//
// # Idempotency
//
// Every money-moving request carries an IdempotencyKey; the Gateway makes one when the
// caller gave none and returns it on the result. Idempotency lives in the Gateway's
// operations journal (WithJournal, package journal): every write is recorded there before
// it is sent and its outcome after. A repeat with the same key returns the recorded result
// without sending, the same key with another request is refused with ErrDuplicate, and
// concurrent calls with one key send once. A call whose answer was lost is never sent again
// blindly: a repeat returns ErrUnknownOutcome until the outcome is proved, by the
// provider's own mechanism where it has one, by a verified notification, or by an operator
// (Journal().Settle or Journal().Forget, which refuse while a call may be sending it).
//
// The promise holds as far as the journal reaches. The default journal is in memory and
// this Gateway's own, so it holds only for the calls of this Gateway in this process: a
// repeat after a restart, or on another instance, may send again. Give every instance the
// same persistent journal — WithJournal with package journal/pgjournal, on PostgreSQL — to
// keep it across restarts and instances. Store the key with the job before the first
// attempt.
//
// # Errors
//
// Errors are wrapped exactly once, as *Error. Test them with errors.Is against the Err*
// sentinels, or read CodeOf(err); the sentinels match the errors of the adapters' own
// methods reached through Gateway.As as well:
//
//   - retry with the same key: CodeProviderUnavailable, CodeRateLimited, CodeUnknownOutcome
//     (Code.Retryable reports these);
//   - do not retry unchanged: CodeInvalidRequest, CodeUnauthenticated, CodePermissionDenied,
//     CodeNotFound, CodeNotSupported, CodeDeclined, CodeInsufficientFunds, CodeDuplicate.
//
// The Gateway repeats such calls itself (DefaultRetryPolicy, changed with WithRetry), with
// the same idempotency key, waiting with exponential back-off and jitter that ends with the
// context; a write whose outcome is unknown is repeated only where the adapter makes the
// repeat harmless by construction (Capabilities.RepeatableWrites). Adapters make one
// attempt per call, so this policy is the only place retries happen. An error that comes
// back after the policy gave up is the last attempt's, and still says what to do.
//
// errors.As reaches the adapter's error beneath (*provider.Error with the provider's code,
// message and correlation id). Context cancellation and deadlines are returned as they are.
//
// # Secrets and logs
//
// Credentials are secret.Value fields in each adapter's Config and print as "[redacted]".
// The Gateway's logger (WithLogger) receives one debug line per call — operation, provider,
// idempotency key, duration, error code — and never request bodies.
package paybridge
