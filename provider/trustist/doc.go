// Package trustist is the paybridge adapter for the Trustist Ecommerce API: Hawk-signed
// REST at https://api-sandbox.trustistecommerce.com (sandbox) and
// https://api.trustistecommerce.com (production).
//
// # Keys
//
// Trustist issues two kinds of key, each a pair of Hawk id (the "public key", a GUID)
// and Hawk key (the "private key"):
//
//   - a merchant key, created in the TrustistTransfer app (Settings → API Keys), signs
//     payments, payment look-ups, standing orders and the merchant-info call;
//   - a tenant key, issued by Trustist support, signs customers, onboard sessions,
//     customer bank data and tenant webhook endpoints. Trustist answers 403 when a
//     merchant key calls these, or when the tenant key lacks the endpoint's permission.
//
// Config.Merchant is required and Config.Tenant optional. Each call is signed with the
// key its endpoint needs; without a tenant key, customers and account verification are
// left out of Capabilities (with a note saying why) and their methods return a
// PermissionDenied error naming the missing key before anything is sent.
//
// # Operations
//
//   - Pay: POST /v1/payments with the amount as a JSON number in pounds written from the
//     exact decimal (never a float), the merchant reference as Trustist's reference,
//     return and cancel URLs, description, payer e-mail and name, and what the request's
//     BeforeSend hook sets (see Per-request options and results). The create answer is
//     documented to carry id, payLink, payIdString and payerServicesUrl but no amount, so
//     Pay then reads the payment back (GET /v1/payments/{id}) for the amount Trustist
//     recorded. The result is requires_action with RedirectURL set to Trustist's payLink.
//   - GetPayment: GET /v1/payments/{id}. Every status spelling the sources show
//     (COMPLETE, COMPLETED, Completed, PENDING_ACTION, Failed, ...) maps through one
//     case-insensitive table; unknown statuses are pending, and the raw status is kept.
//     FAILED maps to declined, a final status. Trustist says a customer "can retry" a
//     failed payment; if a retry reuses the payment, it may later report succeeded, and
//     a payment.succeeded notification follows — act on it even after a decline.
//   - VerifyAccount (interactive only): an onboard session with AIS options asking for one
//     account, for the customer CustomerID names or else one created from the holder,
//     returning the onboarding URL and the session id as the verification's ID;
//     GetAccountVerification reads the session and the account the customer connected.
//   - Identity verification: (*Client).CreateOnboardSession and GetOnboardSession, reached
//     with Gateway.As (see Onboard sessions).
//   - Customers: /v1/customers create, get, partial update (cleared fields are sent as
//     null) and list by orgId, which carries the neutral Group. Trustist customers have no
//     external id or phone; those fields are refused, not dropped. Each needs its own
//     tenant-key permission (create_customer, read_customers, update_customer; listing is
//     taken to need read_customers), named in the PermissionDenied error of a 403.
//   - Refund and Payout are not offered: Trustist publishes no refund or payout endpoint.
//   - Standing orders and the merchant-info call (GET /v1/merchants, a cheap credentials
//     check) are methods of *Client, reached with Gateway.As.
//   - Bank data (account information, tenant key), also methods of *Client: see Bank
//     data below.
//   - RegisterWebhook (tenant key, permission manage_webhooks): POST /v1/webhooks with
//     url, name and events, as the tenant-webhooks page documents
//     (https://api.trustistecommerce.com/docs/webhooks; trustist.md §4.2). The URL must
//     be absolute https (plain http on a loopback host only, for tests); Events nil
//     leaves Trustist's default (onboard.session.completed), and an empty list is
//     refused before sending, as Trustist refuses it. Listing and deleting endpoints are
//     not offered: no source documents them [X] (the page shows registration only, and
//     its two revisions agree on nothing else), so they are not guessed at. Remove an
//     endpoint through Trustist support or the TrustistTransfer portal.
//
// # Request fields
//
// Capabilities.RequestFields names what a payment carries: Description (description) and
// CustomerID (customerId [I], documented for the server-to-server endpoint). The Gateway
// refuses the others by name, never dropping them: POST /v1/payments has no metadata, and
// no payer phone, date of birth, national id or address on a hosted payment
// (https://trustisttransfer.com/docs/create-payment-post; only the server-to-server card
// endpoint takes a billingAddress, trustist.md §3.5). Payer names and e-mail become
// customerDetails and payerEmail. Payer.ID, Country, Locale and IP are hints with no
// field either; the hosted page asks the payer what it needs, and they are not sent.
// VerifyAccount carries the holder's names, e-mail, date of birth and address into the
// Trustist customer and refuses a phone or national id. It also carries CustomerID
// (VerifyAccountRequest.CustomerID, the onboard session's customerId): the session is then
// for that customer, and the holder's details, which would have nowhere to go, are
// refused.
//
// # Per-request options and results
//
// Pay's BeforeSend hook reaches the request body as a **PaymentBody target (VerifyAccount
// runs its hook with no target; Trustist has no other write). It is where the page options
// of https://trustisttransfer.com/docs/create-payment-post are set: Workflow (mode
// Default, SkipIntro, RemoteOnly or MOTO), LogoURL, PartnerID (a GUID or ShortGuid) and
// PartnerReference. Pay checks what the page documents before sending and refuses a bad
// value with an InvalidRequest error naming it (PaymentBody.Workflow.Mode, ...); the hook
// may not change Amount or Reference, which the Gateway's journal recorded.
//
// orgId is not offered: it appears in webhook payloads and on customers
// (trustist.md §4.1, §5.1), but no source documents it as a create-payment field, and the
// adapter sends nothing Trustist does not document.
//
// Payments from Pay and GetPayment carry Trustist's answer as their Detail: Payment.As
// sets a **Payment target (status text, recorded amount, payIdString, payerServicesUrl,
// paymentMethod when the answer has it, and the raw JSON). Verifications from
// VerifyAccount and GetAccountVerification carry the **OnboardSession. A verified
// notification's Event.As sets the object the API confirmed it with: a **Payment for a
// payment event, a **StandingOrder for a standing-order event, a **OnboardSession for an
// identity or account event. A standing order's notifications are
// notify.StandingOrderPending, StandingOrderActive, StandingOrderCompleted,
// StandingOrderFailed or StandingOrderCanceled, by the status the API confirmed.
//
// # Onboard sessions
//
// An onboard session (https://api.trustistecommerce.com/docs/onboard-sessions;
// trustist.md §5.2) sends a customer to Trustist's onboarding portal for identity
// verification, AML screening and account information (AIS). CreateOnboardSession posts
// customerId, orgId, returnUrl and options; GetOnboardSession reads a session's status and
// its checks' results. Both need the tenant key. What the published pages do not say is
// inferred, and marked [I] where it is used:
//
//   - options.identity is documented as an object of members with defaults, whose names
//     are not published [X]: CheckOptions sends {} (Trustist's defaults) or the members
//     given in Fields. The AML options' member name is not published either [X]; it is
//     sent as options.aml [I], in the same form. options.ais (accounts, balances,
//     transactions, accountLimit) is documented on the customer-bank-accounts page.
//   - The session read is documented only by its permission, read_onboard_session, and the
//     page's "Query Results" step: it is GET /v1/onboard/sessions/{id} [I], read as the
//     create answer's members plus the options and a progress object shaped as the tenant
//     webhook's Session.Progress (Identity, Ais — and Aml [I] — each with Completed,
//     Confirmed and CompletedAt). The results endpoint the read_onboard_results permission
//     suggests is not published at all [X] and is not called.
//   - Statuses: only "Complete" is published. Failed, Abandoned, Expired, Cancelled and
//     Rejected are taken as final [I]; anything else as open. A session passes when it is
//     complete and every check it asked for is completed and confirmed.
//   - missing_person_data: a session with identity or AML checks for a customer without a
//     first name, last name or e-mail address is refused (the customers page requires them
//     for "KYC/AML-enabled" sessions). The code string is not published [X]. The error is
//     InvalidRequest for the CustomerID field with ProviderCode missing_person_data, whose
//     cause is a *MissingPersonDataError naming the missing fields (FirstName, LastName,
//     Email), read from the answer's errors object or a missingFields array [I], and, when
//     the answer names none, from the customer record.
//
// # Bank data
//
// A customer who connects bank accounts in an onboard session with options.ais lets the
// tenant read them (https://api.trustistecommerce.com/docs/customer-bank-accounts;
// trustist.md §5.3).
//
//   - BankAccounts (tenant key, permission read_customer_bank_accounts, named on the
//     Getting Started page, https://api.trustistecommerce.com/docs):
//     GET /api/customers/{customerId}/bank-accounts, the one path the page prints (with
//     /api/, not /v1/). Each BankAccount carries the details the page says the API
//     returns (account number, sort code, IBAN, holder name) and bank, currency,
//     connection time and the raw JSON. It prints and logs masked: id, bank, sort code,
//     currency and the last four digits only. A 403 is PermissionDenied naming the
//     permission in its message, with a *PermissionError as its Err.
//
// The page does not publish the members of the answer [X]. [I] The adapter reads the
// common names: id or accountId, bankName, providerName or institutionName, accountName,
// holderName or accountHolderName, sortCode, accountNumber or maskedAccountNumber, iban,
// currency, connected or created; an answer that is an array, or an object holding one
// under a common name. Check them against the sandbox before relying on them; TestSandbox
// reads nothing of this. The simulator answers with the same names.
//
// Not offered: balances and transaction history. Trustist documents that a connected
// account's balances and its paginated transactions can be read (the same page; the
// Getting Started page names the permissions read_customer_bank_account_balances,
// "Retrieve customer bank account balances", and
// read_customer_bank_account_transactions, "Access customer transaction history"), but
// no source publishes their paths, query parameters or answer members [X]. The adapter
// leaves them out rather than guess, and the simulator does not serve them. Likewise
// listing and deleting webhook endpoints (see RegisterWebhook above).
//
// # Not offered: capture, mandates, ledger
//
//   - Capture and Void: Trustist has no authorization hold. A payment is created and the
//     payer completes it (open banking or card); no capture, void or cancel endpoint is
//     published (trustist.md §3.1, §3.8), and server-to-server card payments end COMPLETE
//     or PENDING_ACTION for 3-D Secure, with no separate capture (§3.5). Pay refuses
//     Capture: CaptureManual with NotSupported.
//   - Mandates and charges: Trustist's standing orders (POST /v1/standingorders) are set
//     up by the payer at their own bank, with the amount, start date and frequency fixed
//     at creation; the bank sends each payment, and Trustist only monitors the merchant's
//     account for it (https://docs.trustist.com/docs/help-articles/creating-standing-orders;
//     trustist.md §3.6). No endpoint charges, cancels or lists them, and no webhook
//     reports an instalment. A neutral Mandate would promise a Charge the merchant cannot
//     make and a CancelMandate nothing can perform, so the adapter implements no
//     provider.MandateManager; standing orders stay reachable as they are, through
//     Gateway.As and (*Client).CreateStandingOrder and GetStandingOrder.
//   - Ledger: Trustist publishes no listing of payments or account movements, only
//     GET /v1/payments/{id} (trustist.md §3.2, §3.8), so the adapter implements no
//     provider.Ledgerer. Reconcile Trustist payments from the journal and GetPayment.
//
// Currency: Trustist's payment request has no currency field; the merchant account
// decides it. The adapter accepts Config.Currency (default GBP) only and refuses others
// before sending.
//
// # Hawk
//
// Requests carry a Hawk Authorization header (sha256, timestamp in seconds, random
// nonce, a payload hash over the exact body sent, no ext). A Server-Authorization header
// in an answer is verified. When Trustist refuses a timestamp with an authenticated
// WWW-Authenticate ts/tsm, the adapter adjusts its clock offset and retries once.
//
// Hawk lets a server leave Server-Authorization out, and by default an answer without it
// is accepted: so an intermediary could remove the header and edit the answer (a
// payLink). Config.RequireServerAuthorization (URL parameter
// require_server_authorization=true) closes that: every answer to an authenticated
// request (each status below 500 but 401 and 429) must then carry the header with a
// payload hash of its body, or it is unverified — UnknownOutcome for a write, an error
// for a read, a 503 for the notification it was to confirm. It is off by default because
// no Trustist source says the API always sends the header: the Transfer API's
// authentication page says the server "may also include" it
// (https://trustisttransfer.com/docs/authentication/), the Ecommerce API's page describes
// only the request header (https://api.trustistecommerce.com/docs/authentication), and
// the official WordPress plugin never reads it
// (github.com/trustist/trustist-ecommerce-wordpress-plugin,
// includes/payment-functions.php). Turn it on once the account's answers are seen to
// carry it; the simulator always sends it (StripServerAuthorization removes it).
//
// # Errors
//
// 400 → InvalidRequest with the body's message (ProblemDetails, message, error and errors
// shapes are read); 401 → Unauthenticated; 403 → PermissionDenied, saying when a tenant
// key is needed, or naming the permission the endpoint needs (*PermissionError); 404 →
// NotFound; 409 → Duplicate; 429 → RateLimited. Whether a request
// that failed may have taken effect is decided by one rule for every adapter
// (internal/transport), alike for reads and writes:
//
//   - 503 and 429 (RFC 9110 §15.6.4, RFC 6585 §4: refused before processing), or a
//     connection that failed before the request was written: ProviderUnavailable or
//     RateLimited — nothing was processed, and Pay with the same idempotency key sends
//     again;
//   - 500 (an application error can follow a written row), 501, 502, 504 and any other
//     5xx, an answer whose body breaks off or exceeds Config.MaxResponseBytes, or no
//     answer after the request was sent: UnknownOutcome — the request may have taken
//     effect;
//   - an answer whose Server-Authorization does not verify or, with
//     Config.RequireServerAuthorization, is missing, and a 2xx answer that cannot be used
//     (no id, no payLink): UnknownOutcome for a write, an error for a read.
//
// Apart from the Hawk resends below, the adapter repeats nothing itself, lookups
// included: the Gateway's retry policy does. A Pay whose payment was created but could not be read back is UnknownOutcome
// whatever the read's failure, names the payment, and carries the read's HTTP status and
// correlation id. The CorrelationId response header is kept on every error. A request
// that cannot be sent is ProviderUnavailable.
//
// No redirect is followed, whatever Config.HTTPClient's CheckRedirect says: net/http
// would send the Hawk Authorization header to wherever the redirect points. A redirect
// answer is InvalidRequest naming its Location (the base URL is wrong; nothing was
// processed there), except a 303 See Other, which can point at the result of a
// processed request and is UnknownOutcome.
//
// A stale-timestamp 401 is retried once after synchronising with the server time; a
// second one reports clock drift rather than a wrong key. A read whose copy net/http
// resent by itself is refused as a replayed nonce (401 Invalid nonce) is made once more
// with a fresh nonce.
//
// # Idempotency
//
// The Trustist API takes no idempotency key and has no search by reference, and the
// adapter keeps no idempotency state of its own: Pay sends its request once, and says
// whether a payment may exist (see Errors). Idempotency lives in the Gateway's operations
// journal (package journal), which records each Pay and VerifyAccount before it is sent,
// answers a repeat with the recorded result without sending, refuses a key reused for
// another request, sends concurrent calls with one key once, and keeps a call whose
// outcome is unknown as uncertain. An uncertain Pay is never sent again, however old:
// with no look-up by reference the adapter implements no provider.Resolver, so the call
// settles only when a notification about its payment, confirmed as described below,
// reaches the notification handler of a Gateway on the same journal and matches the
// call's reference and amount, or when an operator records its outcome
// (Gateway.Journal). A repeat then returns the payment.
//
// VerifyAccount is journalled alike. An onboard session carries no reference of the
// caller's and no listing of sessions is published, so a session whose creation answer
// was lost cannot be found: the call stays uncertain. An answer that names the session but
// cannot be used (no onboardUrl) is UnknownOutcome naming the session (provider.Error
// ObjectID), which the journal records, so that a repeat with the key reads the session
// (GetAccountVerification) and returns its onboarding URL instead of creating another.
//
// What survives a restart is what the journal keeps. The default in-memory journal is
// lost with the process: a Pay repeated after a restart is sent again, and may create a
// second payment with the same reference (Trustist documents the reference as unique but
// not whether it refuses a duplicate). Give every instance the same journal/pgjournal to
// keep the promises across restarts and instances. Client implements
// provider.Accounted with the merchant key's Hawk id, so Gateways for several merchants
// can share one journal.
//
// # Notifications
//
// Trustist does not sign its webhooks, which are configured per merchant in the
// TrustistTransfer portal (not per request). VerifyNotification treats the body as a
// hint: it takes the paymentId (or standingOrderId; member names in any case), fetches
// the object again with the merchant key and builds the event from the API's answer. A
// notification naming an object the API does not know is rejected.
//
// What the body claims — its status, else its event type — must be confirmed by that
// answer before anything reaches the application: a completion by a completed payment,
// a failure or cancellation by a final status, a standing order's new status by one no
// longer pending. A claim the API does not confirm yet (the read still says pending: a
// lagging replica, or a forged body) is ErrUnconfirmed wrapped with
// notify.ErrRetryLater, answered 503, so that Trustist delivers the webhook again and
// the completion is confirmed by a later read; no payment.pending event is made from the
// unconfirmed read. The notification ID is the object id plus the status the API
// confirmed, never the webhook's payment id alone, so redeliveries are deduplicated, a
// later status change is a new notification, and a completion is never deduplicated
// away by an earlier pending one. A payment event carries the payment's id, its
// reference (the MerchantReference Pay sent) and its amount, all from the API's answer,
// by which the Gateway's handler matches it to a Pay in its journal — and so settles a
// Pay whose answer was lost. When the payment cannot be fetched for a passing reason
// (Trustist unavailable or unreachable, rate limiting, a timeout, an answer whose
// Server-Authorization does not verify or, when required, is missing) the error wraps
// notify.ErrRetryLater too and the handler answers 503; an unknown payment or a
// malformed body is answered 400.
//
// Every confirmation is an authenticated read on the merchant's API quota, and anyone
// who knows the webhook URL can post a webhook. The reads are therefore bounded:
// notifications about one object arriving together share one read; a payment read in a
// final status (COMPLETE, FAILED, CANCELLED; a standing order COMPLETED, FAILED or
// CANCELLED) answers
// later notifications whose claim it confirms for ten minutes without a read (at most
// 4,096 such answers are kept, least recently used out; a claim the remembered status
// does not confirm, such as a completion after a failure, is read afresh); and every
// other read takes a token from a bucket of Config.ConfirmationBurst (default 50)
// refilled at Config.ConfirmationsPerSecond (default 10 a second). With no token left
// the notification is ErrConfirmationLimit wrapped with notify.ErrRetryLater: answered
// 503, delivered again, never dropped. A flood of webhooks naming unknown payments thus
// costs at most the burst plus the refill rate in reads. None of this is order or
// idempotency state: losing it costs reads, nothing else.
//
// Redelivery: Trustist's merchant-webhook page asks the endpoint to "return a 2xx status
// code to confirm receipt" (https://trustisttransfer.com/docs/merchant-webhooks; the
// same 2xx rule at https://api.trustistecommerce.com/docs/PaymentWebhooks), and its
// tenant-webhook registrations count deliveryAttempts
// (https://api.trustistecommerce.com/docs/webhooks); [I] it delivers again after another
// answer. How often and for how long is not published [X]. A 503 therefore relies on
// Trustist's redelivery: an application that must not miss an outcome should also read
// payments still pending after a while with GetPayment, as a reconciliation job would.
//
// Once verified, the reply is 200 when processed and 500 when the application failed, so
// Trustist delivers again.
//
// Tenant webhooks (onboard.session.completed and onboard.session.failed, registered with
// the tenant key; https://api.trustistecommerce.com/docs/webhooks) are unsigned too and
// are confirmed the same way: the session named by Session.Id (PascalCase in the
// documented payload, read in any case) is read with the tenant key, under the same
// bounds, and the event is built from that read. Both events claim the session ended; a
// session the read still shows open is ErrUnconfirmed (503, delivered again), a session
// the tenant key cannot read (another tenant's, or a forged id) is ErrUnknownObject (400),
// and without a tenant key the webhook is ErrUnverifiable (400). A session with identity
// or AML checks yields notify.IdentityVerified when it passed, else IdentityFailed; a
// session with account information only yields AccountVerified or AccountFailed when a
// VerifyAccount call in the Gateway's journal made it (or when the notification is verified
// outside a Gateway), and otherwise — a session made with CreateOnboardSession —
// notify.BankDataReady when it passed (BankAccounts reads the accounts) or notify.Other
// when it did not. A VerifyAccount whose answer was lost has no session id in the journal,
// so its session's webhook is read as one of the latter. VerificationID is the session id, the
// event ID the session id and status, and Detail the *OnboardSession read, which prints
// without its onboarding link. The event carries no AccountID: GetAccountVerification
// reads the account.
//
// Identity and bank-data events are the tenant's: the read that confirms them proves the
// session is the tenant key's, not which application created it (CreateOnboardSession
// goes through no journal). Gateways that share one tenant key receive each other's
// identity.* and bank_data.ready events; give each business its own tenant key, or match
// VerificationID against the sessions you created.
//
// # Opening by URL
//
// The scheme "trustist" is registered with paybridge.Open:
//
//	trustist://sandbox
//	trustist://production?currency=GBP
//	trustist://production?require_server_authorization=true
//	trustist://sandbox?base_url=http://127.0.0.1:8080
//
// Keys come from the environment: PAYBRIDGE_TRUSTIST_HAWK_ID and PAYBRIDGE_TRUSTIST_HAWK_KEY (merchant,
// required), PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID and PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY (tenant, optional);
// each key variable may instead name a file with the _FILE suffix. Unknown URL
// parameters are refused.
//
// # Testing
//
// Package trustistsim simulates the API, hosted pages and webhooks. The test TestSandbox
// runs against the real sandbox when PAYBRIDGE_TRUSTIST_HAWK_ID and
// PAYBRIDGE_TRUSTIST_HAWK_KEY are set (optionally PAYBRIDGE_TRUSTIST_TENANT_HAWK_ID,
// PAYBRIDGE_TRUSTIST_TENANT_HAWK_KEY and PAYBRIDGE_TRUSTIST_BASE_URL); it skips otherwise.
package trustist
