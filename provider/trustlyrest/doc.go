// Package trustlyrest is the paybridge adapter for Trustly's North American REST API (the
// former PayWithMyBank API, https://sandbox.trustly.one/api/v1), and trustlyrestsim is its
// simulator.
//
// Open it by URL or build it from a Config:
//
//	import _ "github.com/paybridge/paybridge/provider/trustlyrest"
//	gw, err := paybridge.Open(ctx, "trustlyrest://sandbox?merchant_id=1002463580&access_id=M8RaHgEjBE54zuFYMRQq")
//
// The accessKey is read from PAYBRIDGE_TRUSTLYREST_ACCESS_KEY (or the file PAYBRIDGE_TRUSTLYREST_ACCESS_KEY_FILE
// names). Production needs a base_url parameter: Trustly's pages name two hosts.
//
// # Operations
//
//   - Pay: POST /establish?createTransaction=true with paymentType Deferred and a signed
//     requestSignature; the payer authorizes on the returned URL. Payment.ID is that
//     authorization's transactionId, in results and in notifications.
//   - Capture: after the authorization, the adapter captures the full amount (POST
//     /transactions/{id}/capture with amount, merchantReference and the splitToken from the
//     Authorize notification) — automatically by default, when the notification arrives, or
//     when the caller calls (*Client).Capture with CaptureManual. GetPayment reads the capture
//     once it exists, so the payment succeeds when the capture completes (status 4). A
//     capture Trustly refuses for good (split token expired or invalid, fraud, insufficient
//     funds: 326, 380, 397, 390, 331) fails the payment, in GetPayment and in the Authorize
//     notification's event alike. Trustly documents the splitToken only in the Authorize
//     notification, and the adapter keeps nothing between calls: in manual mode keep the
//     token with the payment (SplitToken reads it from notify.Event.Raw) and pass it to
//     Capture. Should Trustly's transaction carry the token after all ([I] its API reference
//     lists no splitToken in Transaction; the official sample keeps the notification's token
//     in its own database), Capture, GetPayment's automatic capture and Payout use it.
//   - Refund: POST /transactions/{captureId}/refund, partial and repeated; a full refund of a
//     capture that is not yet processed is a cancel (void) instead. The refund request names
//     no currency, so a refund in another currency than the payment's is refused before
//     anything is sent; payouts likewise must be in the account authorization's currency.
//   - VerifyAccount: interactively, a Disbursement authorization on Trustly's page; by bank
//     details, POST /accounts/verify, whose answer is final and which Trustly keeps nothing
//     to read back by, so GetAccountVerification answers NotFound for those ("av_…").
//   - Payout: POST /transactions/{AccountID}/deposit, where AccountID is the Disbursement
//     authorization's transactionId from an interactive VerifyAccount. [I] Trustly documents no
//     way to pay out to an account verified from its bank details alone, so such accounts
//     (AccountID "acct_…") are refused by Payout.
//   - Customers: /customers create, get, update and list by externalId. Customer.Group and
//     the split of the name into first and last are kept in Trustly's customData.
//
// Every numeric transaction status is read through one table (see statuses in status.go);
// unknown statuses read as pending, never as success, and results keep the raw status as
// ProviderStatus ("4 Completed").
//
// # Which field carries what
//
// Trustly's merchantReference is its idempotency mechanism, so the adapter derives every
// merchantReference it sends from the call's idempotency key, keeping the caller's
// MerchantReference in front: "<MerchantReference>.pb<10 characters>", and
// "<payment's reference>.c" for the payment's capture. Events and results report the caller's
// part. PaymentReference gives the full value, for VerifyRedirect. The payer becomes
// establish data's customer (name, e-mail, phone, address; externalId = Payer.ID);
// Description is establish data's description; Payer.Locale is metadata.lang.
//
// # Idempotency
//
// Idempotency lives in the Gateway's operations journal, not here: the journal records
// every Pay, Refund, Payout and VerifyAccount before it is sent, returns the recorded result
// to a repeat, refuses a key reused with another request, serialises concurrent calls with
// one key, and keeps a call whose answer was lost as uncertain. The Client keeps no state
// about calls or orders — no results, no locks, no tokens — so every process reads the same
// facts from Trustly; used without a Gateway it does not recognise a repeated call.
//
// What the adapter adds is Trustly's own mechanism, which holds across processes: every
// merchantReference it sends is derived from the call's idempotency key. Trustly refuses a
// merchantReference used by a transaction that was authorized, processed or completed with
// error 210; the adapter then looks the transaction up and returns it. Trustly dedupes
// neither refunds nor transactions still pending, so before a refund, a deposit or a capture
// is sent, the adapter looks for one with its merchantReference among the parent's
// children. A write sent without an answer returns UnknownOutcome and is not looked up again
// by the call: the Gateway settles it with Resolve, which looks the reference up and counts
// "not found" as "never applied" only once Config.SettlePeriod has passed since the attempt
// was sent. A capture, which the adapter makes itself and no journal records, is looked up
// again after an answer it did not get. An answer the adapter cannot read — a list without its "transactions", an error
// body of unexpected shape — is an error, never "nothing found", so the look-ups fail
// closed.
//
// Across processes, give every instance one journal (package journal/pgjournal). Processes
// with journals of their own are protected only by the look-ups above: one repeating a
// refund or payout after another's has been made finds it, but two sending the same call at
// the same moment can both miss the other's and both refund or pay out, since Trustly does
// not dedupe refunds or pending deposits. Captures cannot be doubled that way: the adapter
// captures the full authorized amount and Trustly refuses captures beyond it.
//
// # Errors
//
// Trustly's {"errors":[{domain,code,message}]} body is read whatever the HTTP status (a 200
// can carry errors; any non-empty "errors" makes the answer an error, codes being read as
// numbers or numeric strings) and mapped to provider codes: 375/300 Unauthenticated, 200 InvalidRequest
// (NotFound on a lookup by id), 210 Duplicate (resolved as above), 326/380/397 Declined (the
// split token cannot be used), 330 InvalidRequest, 331 InsufficientFunds, 390 Declined,
// 100/150/378 and 5xx ProviderUnavailable. The raw code is kept as ProviderCode, and the
// whole body as an *APIError beneath it; an error answer carrying only {"message": …}, as
// Trustly models some of /accounts/verify's, keeps that message. A request that never
// reached Trustly is ProviderUnavailable. A request, read or write, is UnknownOutcome
// whenever Trustly may have processed it, by one rule for every adapter
// (internal/transport): no whole answer after it was sent, a 5xx other than 503 whatever
// its body, or an error Trustly reports as a failure while processing (100, 150, 378)
// under a status other than 503 or 429, which say the request was refused unprocessed.
// The adapter sends each request once; the Gateway's retry policy repeats lookups, and
// writes only when they provably were not processed.
//
// No redirect is followed, whatever Config.HTTPClient's CheckRedirect says: net/http
// would send the Basic credentials to wherever the redirect points. A redirect answer is
// InvalidRequest naming its Location (the base URL is wrong; nothing was processed
// there), except a 303 See Other, which can point at the result of a processed request
// and is UnknownOutcome.
//
// # Notifications
//
// Trustly POSTs form-encoded notifications with "Authorization: Basic
// base64(accessId:signature)", the signature being the HMAC of the URL-decoded body. The
// adapter verifies it in constant time, checks the accessId (and the body's merchantId), and
// maps transactionType + status — not eventType, spelt differently across Trustly's sources —
// to neutral events, deduped on eventId by the notify.Handler. It replies 200 once the
// application's callback succeeded and 500 when it failed, so Trustly delivers the
// notification again. Trustly wants its 200 within 3 seconds (it retries every 5 minutes for
// 12 hours otherwise): keep the callback short and queue slow work. Acknowledging before the
// callback would be faster but could lose an event if the process stopped in between; the
// adapter never does that. The API calls verification needs (reading the payment, the
// automatic capture) are bounded to 2 seconds; when they run out or Trustly's API fails, the
// error wraps notify.ErrRetryLater and the handler answers 503, so Trustly delivers the
// notification again.
//
// Payment notifications come in sequence: payment.authorized (the Authorize notification,
// which carries the splitToken), then payment.pending and payment.succeeded from the capture.
//
// # Real sandbox
//
// TestSandboxConformance runs the conformance suite against Trustly's sandbox when these are
// set, and skips otherwise: PAYBRIDGE_TRUSTLYREST_ACCESS_ID, PAYBRIDGE_TRUSTLYREST_ACCESS_KEY,
// PAYBRIDGE_TRUSTLYREST_MERCHANT_ID, and optionally PAYBRIDGE_TRUSTLYREST_BASE_URL. Scenarios
// that need a person at the bank page skip there.
//
// Protocol facts come from Trustly's API reference
// (https://amer.developers.trustly.com/api-reference) and its OpenAPI document
// (https://amer.developers.trustly.com/openapi.json), and from Trustly's official sample
// integration (https://github.com/TrustlyInc/trustly-nestjs-example); [I] marks inferences
// where Trustly's documentation is silent or contradicts itself.
package trustlyrest
