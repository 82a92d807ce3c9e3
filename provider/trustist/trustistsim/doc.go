// Package trustistsim simulates the Trustist Ecommerce API for tests, on loopback.
//
// A Server checks Hawk exactly as a Hawk server does — the MAC, the payload hash against
// the body (a body without one is refused), a ±60 s timestamp skew answered with an
// authenticated WWW-Authenticate ts/tsm, and nonce replay — and gives merchant and
// tenant keys their permissions (403 otherwise). It keeps payments with a hosted pay page,
// standing orders with a set-up page, customers with partial updates, onboard sessions
// whose page connects a test bank account, and the merchant-info call. Answers are signed
// with Server-Authorization and carry a CorrelationId header; errors are RFC 7807
// ProblemDetails bodies.
//
// POST /v1/payments answers with the members the create-payment page documents — id,
// payLink, payIdString and payerServicesUrl, no status or amount — so a client must read
// the payment back; Options.FullCreateAnswer returns the whole payment instead. The
// page options the same page documents are checked and kept (PaymentOptions returns
// them): logoUrl an absolute URL, partnerId a GUID or ShortGuid, partnerReference, and
// workflow.mode one of Default, SkipIntro, RemoteOnly and MOTO, any other refused with a
// 400 as a .NET enum binding would [I].
//
// Pages are acted on over HTTP with EndUser (fetch the page, submit its form): Approve
// pays (status COMPLETE), sets up a standing order (ACTIVE) or connects the account;
// Decline fails (FAILED); Abandon cancels (CANCELLED).
//
// Merchant webhooks (payment.completed and payment.failed, optionally payment.created;
// StandingOrderCreated and standing_order.* for standing orders) are POSTed to the URL
// set with SetWebhookURL, with exponential back-off until a 2xx answer; Deliveries records
// them and Close stops them.
//
// Start a Server with Start; the simkit.Server it embeds gives its URL, Close, Requests,
// Deliveries and the fault knobs every simulator shares: FailNext (503 before
// processing), DropNext (process, then close the connection), SetLatency and SetChaos.
// Under SetChaos a Malformed answer keeps a Server-Authorization header that covers what
// was sent, an Unsigned one has no Server-Authorization header (which Hawk allows), and a
// BadSignature one carries a Server-Authorization whose MAC does not verify. Knobs of its
// own: SetClockSkew, ForgeTimestampReplies, CorruptServerAuthorization,
// StripServerAuthorization and LagReads (payment reads a status behind, as from a lagging
// replica). Movements lists the payments for reconciliation; CompletePayment acts on a
// pay page without HTTP.
//
// Onboard sessions (POST /v1/onboard/sessions, tenant key) take options.identity,
// options.aml [I] and options.ais; identity or AML checks of a customer without a first
// name, last name or e-mail address are refused with a 400 whose code is
// missing_person_data and whose errors object names the missing fields [I]. GET
// /v1/onboard/sessions/{id} [I] answers the session with its options and its checks'
// progress. On the onboarding page Approve passes every check (connecting the test bank's
// account for AIS), Decline fails them and Abandon abandons the session; a session that
// completed or failed raises onboard.session.completed or onboard.session.failed, a
// PascalCase tenant webhook (Event, Timestamp, Session{Id, Status, Progress}) delivered
// to Options.TenantWebhookURL (SetTenantWebhookURL changes it) like merchant webhooks.
//
// AddMerchant registers further merchants with keys of their own, as merchants that
// joined through a partner's invitation (see partnersim); each sees only its own payments
// and standing orders.
//
// A connected account carries full details (holder, sort code TestSortCode, account
// number TestAccountNumber, IBAN TestIBAN). Balances and transactions are not served:
// Trustist publishes neither their paths nor their fields. RevokeTenantPermission takes
// a permission from the tenant key, whose endpoints then answer 403 naming it.
//
// Tenant webhook endpoints are registered with POST /v1/webhooks (and the two older
// paths the page still accepts), validated as the page says (url required and absolute,
// events defaulting to onboard.session.completed, an empty array refused; [I] unknown
// event names refused too); TenantWebhooks lists them. No list or delete endpoint is
// simulated, since none is documented.
//
// Where the published documentation is silent the simulator follows marked inferences:
// the cancelled status (CANCELLED), the ProblemDetails error shape, 201 for a new
// customer, the bank-account members, and the customer-bank-accounts path under /api/.
package trustistsim
