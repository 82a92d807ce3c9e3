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
//   - Automatic capture: after the authorization of a payment not made with CaptureManual,
//     the adapter captures the full amount itself (POST /transactions/{id}/capture with
//     amount, merchantReference and the splitToken from the Authorize notification), when
//     the notification arrives or GetPayment finds it authorized. GetPayment reads the
//     capture once it exists, so the payment succeeds when the capture completes (status 4).
//     A capture Trustly refuses for good (split token expired or invalid, fraud,
//     insufficient funds: 326, 380, 397, 390, 331) fails the payment, in GetPayment and in
//     the Authorize notification's event alike. Should Trustly's transaction carry the
//     splitToken ([I] its API reference lists no splitToken in Transaction; the official
//     sample keeps the notification's token in its own database), Capture, Charge, the
//     automatic capture and Payout use it.
//   - Refund: POST /transactions/{captureId}/refund, partial and repeated; a full refund of a
//     capture that is not yet processed is a cancel (void) instead, reported as a Refund
//     whose ID is the capture's transactionId followed by "-void" (VoidRefundID), which
//     GetRefund reads: the capture's own id already names the Capture or Charge call that
//     made it, and one provider id names one call. The refund request names
//     no currency, so a refund in another currency than the payment's is refused before
//     anything is sent; payouts likewise must be in the account authorization's currency.
//   - VerifyAccount: interactively, a Disbursement authorization on Trustly's page; by bank
//     details, POST /accounts/verify, whose answer is final and which Trustly keeps nothing
//     to read back by, so GetAccountVerification answers NotFound for those ("av_…").
//   - Payout: POST /transactions/{AccountID}/deposit, where AccountID is the Disbursement
//     authorization's transactionId from an interactive VerifyAccount. [I] Trustly documents no
//     way to pay out to an account verified from its bank details alone, so such accounts
//     (AccountID "acct_…") are refused by Payout. Without AccountID and with ReturnURL the
//     payout is interactive: the payee chooses the account on Trustly's page (see
//     Interactive payouts).
//   - Customers: /customers create, get, update and list by externalId. Customer.Group and
//     the split of the name into first and last are kept in Trustly's customData.
//
// # Trustly's own records, bank data and account tokens
//
// Reached through Gateway.As (a *Client), beside the neutral operations:
//
//   - GetPaymentRecord and ListPayments read Trustly's Payment objects (GET /payments/{id},
//     GET /payments; https://amer.developers.trustly.com/openapi.json): what one establish
//     created, with Trustly's pending, paid, refunded, reversed and balance totals. A
//     payment's paymentId is not the transactionId Payment.ID holds. ListPayments pages
//     oldest first until a page comes back empty or short, as Ledger does. The wrapper of
//     GET /payments/{id}'s answer is not documented: {"payment": …} and the bare object
//     are both read.
//   - GetUser, GetUserAccounts and AccountBalance read the bank data of an authorization
//     (GET /transactions/{id}/payment/paymentProvider/user, …/accounts, …/account/balance):
//     the account holder's names, addresses, phones and e-mails, the accounts they chose,
//     and the account's balance. Read them after the DataReady notification
//     (notify.BankDataReady). They print masked. The balance is a restricted API Trustly's
//     Compliance team approves per merchant; Trustly's refusal is PermissionDenied.
//   - TokenizeAccount turns routing and account numbers, or an IBAN, into Trustly's account
//     token (POST /accounts/tokenize?verifyAccount=…), verified on request; the answer
//     carries the last four digits only.
//
// Not offered: the account summary (GET /transactions/{id}/accountSummary), the customer
// verification matches (GET /transactions/{id}/payment/customer/verify), Trustly ID's user
// endpoints, feedback, refresh and the dispute recovery endpoint.
//
// # Interactive payouts
//
// A Payout without AccountID and with ReturnURL (Capabilities.InteractivePayouts) is
// Trustly's payout flow in one call: establish with paymentType Disbursement and the
// payout's amount as the authorization's maximum (POST /establish?createTransaction=true;
// establish data's amount is the most deposits under the authorization may take), the
// payee as establish data's customer (name, e-mail, phone and country required), ReturnURL as
// returnUrl and cancelUrl, and "Payout" as the description Trustly requires. The result
// is pending, with RedirectURL the page where the payee chooses and authorizes the account
// at their bank. Its ID is the authorization's transactionId, and stays the payout's ID:
// GetPayout reads the authorization, then the deposit once it exists, and notifications
// about either name the payout by it (PayoutID; AccountID once authorized). The
// deposit's own transactionId is not a payout's ID (GetPayout answers NotFound for it):
// one provider id names one call.
//
// When the Authorize notification of such an authorization arrives (read back from
// Trustly; the merchantReference InteractivePayoutReference builds marks it), the adapter
// deposits exactly the authorized amount — POST /transactions/{id}/deposit with the
// notification's splitToken and the merchantReference "<payout's reference>.d" — before
// the notification is passed on as notify.Other with PayoutID. Under a Gateway the
// deposit is made only for an authorization a Payout call recorded in the Gateway's
// journal (provider.CallsFrom), for the amount recorded: an authorization no call of this
// Gateway made (another Gateway's with a journal of its own, or one made outside
// paybridge) is passed on as other without a PayoutID and nothing is deposited. A
// redelivered or concurrent Authorize does not deposit twice: the deposit is looked up by
// its merchantReference before it is sent and again after a refusal, Trustly refuses the
// reference once the deposit is processed (error 210), and the authorization's amount
// leaves no room for a second deposit. A deposit Trustly refuses for good voids the
// authorization (POST /transactions/{id}/cancel), so that GetPayout reads the payout
// canceled, and the notification becomes payout.failed; a failure a retry may cure rejects
// the notification, so that Trustly delivers it again. The deposit's own notifications are
// payout.succeeded (4 Completed) and payout.failed; a payee who declines at the bank, or
// an authorization that fails or expires, is payout.failed, and leaving the page (7
// Canceled) is payout.failed too (GetPayout: canceled). Once the deposit exists it alone
// decides: the authorization voided or expired afterwards is other, as GetPayout reads it.
//
// Not possible: the deposit is made on the Authorize notification only, so serve the
// notification handler. GetPayout reads but does not deposit. A payout whose Payout answer
// was lost and is settled by Resolve is found by its merchantReference without its
// RedirectURL (Trustly's transaction does not carry the page's URL): make a new payout,
// with a new idempotency key, for a payee who never reached the page. The description
// and the payee's address, date of birth and the merchant's Metadata have no place in the
// request, as for a deposit (Capabilities.RequestFields).
//
// # Authorize now, capture later
//
// PaymentRequest.Capture = CaptureManual (or Config.Capture = CaptureManual, which makes it
// the default of every payment) establishes the Deferred payment as usual and marks its
// merchantReference (ManualPaymentReference), so that no process captures it by itself.
// Capture posts POST /transactions/{id}/capture with the amount: partial and repeated
// captures are allowed up to the authorized amount, each at least 0.99 (Trustly's
// minimum), so Capabilities sets PartialCaptures and MultipleCaptures. GetCapture reads the
// capture transaction; Payment.Captured is the sum of the payment's live captures. Void
// posts POST /transactions/{id}/cancel: the authorization becomes 13 Voided (PaymentCanceled)
// and Trustly refuses later captures. Captures made before a Void go on: Trustly does not
// cancel pending children of a voided authorization. Capture notifications are
// capture.succeeded and capture.failed events with CaptureID and PaymentID (in-flight ones
// are notify.Other); payment.* events stay for the authorization itself. A refund of a
// manually captured payment names the capture it comes from by its ID (Refund's PaymentID
// may be a capture's ID); the payment's ID is accepted while it has one capture, and a
// payment with several is refused, so no refund takes more than its capture took.
//
// Not possible: Trustly's capture takes the authorization's splitToken, which it
// documents only in the Authorize notification. Capture and Charge use the token when
// Trustly's transaction carries it; otherwise the caller keeps it from the notification
// (SplitToken) and passes it in the request's BeforeSend hook (TransactionOptions). An
// Instant payment (transactionType 2) has no authorization and cannot be captured or
// voided. Trustly's pre-authorization (capture/preAuth) is not offered.
//
// # Mandates
//
// A mandate is a Recurring payment (https://amer.developers.trustly.com/payments/docs/reference-recurring-payments):
// CreateMandate establishes paymentType Recurring with a recurrence object
// (recurrence.startDate the time of the call; MaxAmount as recurringAmount, [I] the cap of
// each charge; amount "0.00", no cap on the total), and the payer approves it on Trustly's
// page, as a payment. Mandate.ID is the authorization's transactionId; GetMandate reads it
// (2 Authorized → active, 13 Voided → canceled, 5/6/7/8/10 → failed, 0/1 → requires action,
// 14 OnHold → pending). Charge is a capture of the authorization with interactionId
// consumerNotPresent ([I] the value is in Trustly's OpenAPI document; its recurring guide
// was not available) and the charge's merchantReference; the capture is the Payment it
// returns (MandateID set), followed by GetPayment and payment.* notifications that carry
// MandateID. CancelMandate cancels the authorization (13 Voided), after which Trustly
// refuses captures. Notifications of the authorization are mandate.* events with MandateID.
//
// Not possible: Trustly's automatic captures (recurrence.automaticCapture) are not used,
// since charges are the merchant's calls; a charge carries no description or metadata
// (Trustly's capture has none), so the Gateway refuses them. Trustly documents a same-day
// cut-off for canceling a recurring capture (8:30 PM GMT, [I] a secondary source) that the
// adapter does not enforce: Trustly answers.
//
// # Ledger
//
// Ledger lists GET /transactions between two createdAt times, ascending, page by page (see
// Ledger): captures, payments, refunds, deposits and the other money-moving types in a
// status that moved money, signed as they change the merchant's balance, with Trustly's
// fee where the transaction carries one. Not possible: Trustly's settlements to the
// merchant's bank account and its balances are only in the Merchant Portal; no API lists
// them.
//
// # Provider options and results
//
// Every write takes a BeforeSend hook. Its as function reaches, on Pay, a *EstablishOptions
// (metadata page options such as integrationContext, displayAmount, timeZone,
// allowedPaymentProviderTypes; the hook runs before the establish data is signed, so the
// signed ones are signed as the hook leaves them); on CreateMandate, a *EstablishOptions
// and a *Recurrence; on VerifyAccount, a *EstablishOptions; on Capture, Charge, Refund,
// Payout and Void, a *TransactionOptions (splitToken, interactionId, message, further
// documented parameters). Results (Payment, Capture, Refund, Payout, Mandate) reach the
// decoded transaction through As with a **Transaction.
//
// # Fields Trustly carries
//
// Capabilities.RequestFields lists them, and the Gateway refuses any other that is set,
// naming it: establish data carries Description, the payer's phone, date of birth, address
// and national id (customer.nationalId), or a stored customer (CustomerID). Trustly has no
// place for the merchant's key/value Metadata on a payment, refund, deposit or capture
// (establish data's metadata is a fixed set of page options), no reason on a refund, no
// description or payee details on a deposit (the payee is the account authorization), and
// no description on a capture: those are refused. A mandate carries Description, MaxAmount
// and the payer's date of birth and address.
//
// Every numeric transaction status is read through one table (see statuses in status.go);
// unknown statuses read as pending, never as success, and results keep the raw status as
// ProviderStatus ("4 Completed").
//
// # Which field carries what
//
// Trustly's merchantReference is its idempotency mechanism, so the adapter derives every
// merchantReference it sends from the call's idempotency key, keeping the caller's
// MerchantReference in front: "<MerchantReference>.pb<10 characters>" (with ".m" after it
// for a payment made with CaptureManual, ".p" for an interactive payout's authorization),
// "<payment's reference>.c" for the capture the adapter makes itself, and "<payout's
// reference>.d" for an interactive payout's deposit. Events and results report the caller's
// part. PaymentReference gives the full value, for VerifyRedirect. The payer becomes
// establish data's customer (name, e-mail, phone, address; externalId = Payer.ID);
// Description is establish data's description; Payer.Locale is metadata.lang.
//
// Trustly requires a customer of every payment type that moves money, and of a new
// customer its name, e-mail address, phone and address country (the establish data page;
// the Customer schema of https://amer.developers.trustly.com/openapi.json). So Pay,
// CreateMandate, an interactive Payout and an interactive VerifyAccount refuse a person
// without FirstName or LastName, Email, Phone, or Country (or Address.Country), naming the
// field (Payer.Phone, Payee.Phone, Holder.Phone, ...), before anything is sent. A Pay with
// CustomerID sends that customerId alone and needs none of them. A Payout to a verified
// AccountID and a VerifyAccount from bank details send no customer.
//
// # Idempotency
//
// Idempotency lives in the Gateway's operations journal, not here: the journal records
// every write (Pay, Refund, Payout, VerifyAccount, Capture, Void, CreateMandate, Charge,
// CancelMandate) before it is sent, returns the recorded result
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
// to neutral events, deduped on eventId by the notify.Handler. Because the signature covers
// the decoded body, a separator re-encoded ("&splitToken=" sent as "%26splitToken%3D")
// still verifies while merging a field into the one before it; a notification with a
// value holding "&name=" of a webhook field is refused as malformed (HTTP 400), so a
// merged splitToken never reaches a deposit or capture [I]. It replies 200 once the
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
// which carries the splitToken), then payment.pending and payment.succeeded from the capture
// the adapter makes itself. Captures made with Capture are capture.* events, mandates
// mandate.* events, and charges payment.* events with MandateID (see VerifyNotification).
//
// Every eventType Trustly documents has a kind. Trustly's API reference models ten
// webhooks (https://amer.developers.trustly.com/api-reference/api/event-notifications/*);
// its "Handle webhooks" page lists more, with spellings that differ from the reference
// (https://amer.developers.trustly.com/payments/docs/handle-event-notifications). Most
// report a transaction's new status, and their kind is read from the status and the
// transactionType (and payment type) through the status table, whatever the eventType
// says — the table below gives the kinds they take in the usual case. Five report news
// that is not in the status; those are read by their eventType together with the
// transaction's type, read back from Trustly where the notification lacks it:
//
//	eventType              kind (Payment of a Deferred payment unless said)
//	Establish              payment.pending (status 0 New / 1 Pending)
//	Authorize              payment.authorized (2); mandate.active for a Recurring
//	                       authorization; account.verified for a Disbursement one;
//	                       other (PayoutID, after the deposit) for an interactive
//	                       payout's authorization, payout.failed when it failed
//	Update, Reconcile      the kind of the status they report
//	Process                payment.pending (capture 3 Processed)
//	Complete, Completed    payment.succeeded (capture 4); capture.succeeded for a capture
//	                       made with Capture; payout.succeeded for a deposit
//	Refund                 refund.succeeded (refund 4) or refund.failed
//	Deny, Failed           payment.failed (8 Denied, 5 Failed); capture.failed, refund.failed
//	                       or payout.failed for those transactions; mandate.failed
//	Cancel, Cancelled      payment.canceled (7 Canceled, 13 Voided); mandate.canceled
//	Expire, Expired        payment.failed (6 Expired)
//	Reverse                payment.reversed (capture 10 Reversed)
//	Dispute                payment.disputed (a capture or Pay transaction, read back)
//	DataReady, Refresh     bank_data.ready (a bank authorization, read back); a Refresh
//	                       without success=true is other
//	VerifyCustomer         other: no documented field carries the check's outcome
//	CONSENT_REVOKED        mandate.canceled for a Recurring authorization [I]; other
//	                       otherwise ("in development" at Trustly)
//
// In-flight statuses of refunds, deposits and captures made with Capture are other. A
// Dispute leaves the payment's status as it was; its own fields (return type, amount
// returned) are in the Webhook detail (Event.As). A Reverse transaction of its own
// (transactionType 5) is other: [I] Trustly documents the reversal as the capture's status
// 10. See fillByEventType for why bank_data.ready events are read back before they are
// passed on.
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
