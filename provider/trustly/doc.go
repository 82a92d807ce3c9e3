// Package trustly is the paybridge adapter for Trustly's signed JSON-RPC 1.1 API ("api/1",
// https://test.trustly.com/api/1 and https://api.trustly.com/1).
//
// # Configuration
//
// A [Client] is built from a [Config]: the API Username and Password, the merchant's RSA
// private key (PKCS#1 or PKCS#8 PEM, given as bytes or as a file path) whose public half
// is registered with Trustly, and the [Environment]. Test selects Trustly's TEST endpoint
// and TEST public key, Live the live ones; both public keys are embedded. BaseURL and
// TrustlyPublicKey override them (for a simulator such as package trustlysim).
//
//	c, err := trustly.New(trustly.Config{
//		Username:    "merchant",
//		Password:    secret.New(os.Getenv("PAYBRIDGE_TRUSTLY_PASSWORD")),
//		PrivateKey:  secret.FromBytes(pemBytes),
//		Environment: trustly.Test,
//	})
//	gw := paybridge.New(c)
//
// The package also registers the scheme "trustly" with paybridge.Open:
//
//	gw, err := paybridge.Open(ctx, "trustly://test?username=merchant")
//
// Host "test" or "live" picks the environment. Query parameters: username (or the
// PAYBRIDGE_TRUSTLY_USERNAME variable), base_url, currencies (comma-separated) and
// shopper_statement and notification_url. Secrets never go in the URL: the password comes from
// PAYBRIDGE_TRUSTLY_PASSWORD and the private key PEM from PAYBRIDGE_TRUSTLY_PRIVATE_KEY
// (each may instead name a file with the _FILE suffix, see secret.FromEnv). For an
// endpoint that is not Trustly's own (a simulator given as base_url),
// PAYBRIDGE_TRUSTLY_PUBLIC_KEY holds the PEM public key that verifies its signatures.
//
// # Mapping onto the neutral API
//
//   - Pay is Deposit. Payer.ID is the EndUserID and is required, as are the payer's
//     first and last name, country and locale (Trustly requires them), and
//     NotificationURL (or Config.NotificationURL). MerchantReference is the MessageID, ReturnURL the SuccessURL and
//     CancelURL the FailURL. The amount is sent as the fixed Attributes.Amount. Payment.ID
//     is Trustly's orderid; Payment.As reaches the answer as an *[OrderResult].
//     Description is sent as Attributes.ExternalReference (see Request fields).
//   - Refund is Refund of the deposit's orderid. Trustly answers result "1" when it
//     accepts the refund, which is not the same as the money having left: refunds are
//     queued until the deposit has settled and need funds on the merchant account, so an
//     accepted refund is reported as RefundPending. Trustly's Refund answer carries the
//     original orderid, not an id of its own, so Refund.ID is the request UUID (derived
//     from the idempotency key, see below). A deposit that is pending (not settled yet)
//     can be refunded too; Trustly queues the refund.
//   - Payout is AccountPayout to an AccountID, with Payee.ID as the EndUserID and
//     Description (or Config.ShopperStatement) as the ShopperStatement Trustly requires;
//     without either, Payout fails with a Description field error before sending. An
//     accepted payout is PayoutPending; a payoutconfirmation notification (a Trustly
//     option) reports success, a credit or cancel notification on the payout's order
//     reports failure. Without an AccountID, and with a ReturnURL, Payout is Withdraw:
//     the payee chooses the account on Trustly's page (see Interactive payouts).
//   - VerifyAccount with bank details is RegisterAccount. Trustly checks the format of the
//     details and returns an accountid usable with AccountPayout; it does not prove who
//     owns the account. "Verified" therefore means: Trustly accepted and registered the
//     details, and the returned AccountID can receive payouts. AccountVerification.ID is
//     the accountid. Without bank details, VerifyAccount is SelectAccount: the holder
//     picks and confirms an account at their bank on Trustly's page and an account
//     notification reports the result. Its MessageID is MerchantReference, or, without
//     one, derived from the idempotency key; the Gateway journals it before sending
//     (provider.Referencer), so the account notification finds the call even when its
//     answer was lost.
//   - Trustly has no API to read a deposit, refund, payout or account selection back, so
//     GetPayment, GetRefund, GetPayout and GetAccountVerification are not offered;
//     outcomes arrive as notifications. Trustly has no customer records either.
//   - CreateMandate, GetMandate and Charge are Trustly Direct Debit; CancelMandate is not
//     offered (see Mandates). Ledger is AccountLedger (see Reconciliation).
//   - There is no Capture or Void: Trustly's current API has no authorization to capture
//     later. A Deposit is a single payment the end user approves, paid once the bank
//     confirms it (pending, then credit); the pay-in methods are Deposit and Charge
//     (https://docs.trustly.com/api/deposit). The P2P method with AuthorizeOnly and the
//     Capture and Void methods survive only in Trustly's old Python and PHP clients, with no
//     current documentation, and this adapter does not use them. A Charge with a later
//     PaymentDate, cancellable with CancelCharge, is a scheduled direct debit, not an
//     authorization.
//
// Capabilities lists these limits with Notes.
//
// # Mandates
//
// Mandates are Trustly Direct Debit (TDD), which Trustly's official clients implement.
// Trustly no longer offers TDD to new merchants and points them to Merchant Direct Debit
// (MDD: DirectDebitMandate, DirectDebit, CancelDirectDebitMandate,
// https://docs.trustly.com/api/mdd), which none of its official clients implements, and
// neither does this adapter; TDD must be enabled for the merchant (otherwise Trustly
// refuses with ERROR_DIRECT_DEBIT_NOT_ALLOWED).
//
//   - CreateMandate is SelectAccount with Attributes.RequestDirectDebitMandate "1": the
//     payer chooses an account at their bank on Trustly's page and approves the mandate.
//     Payer.Email is required with it, besides what every SelectAccount needs (names,
//     country, locale, Payer.ID as the EndUserID); Payer.DateOfBirth is sent. The result
//     is MandateRequiresAction with the page's URL; Mandate.ID is the SelectAccount's
//     orderid, MerchantReference its MessageID, and Mandate.As reaches an *OrderResult.
//   - The account notification of that order names the account (accountid) and says
//     whether its mandate is registered (attributes.directdebitmandate): 0 is
//     mandate.pending (approved, the bank registers it usually the next bank day, when a
//     second account notification says 1), 1 is mandate.active
//     (https://developers.trustly.com/emea/docs/introduction-tdd). A cancel of the order
//     (the payer declined or left) is mandate.failed. Event.MandateID is the orderid.
//   - Charge is Trustly's Charge of that account. Trustly needs the accountid, which only
//     the account notification carries, and the payer's EndUserID and Email again, which
//     the neutral ChargeRequest lacks: CreateMandate records the payer in the Gateway's
//     journal (provider.Calls.Mark) before it sends, and the verified account
//     notification records the accountid. Charge reads them back, so any instance sharing
//     the journal, or a restarted process with a durable journal, can charge; used on
//     the Client without a Gateway, Charge refuses. A mandate the journal does not show
//     active (no account notification with directdebitmandate 1 yet, or failed) is
//     refused with InvalidRequest before anything is sent; one Trustly does not know any
//     more (ended by the payer at the bank, which TDD reports by no notification) is
//     rejected by Trustly with ERROR_MANDATE_NOT_FOUND, also InvalidRequest, ProviderCode
//     holding the reason. MerchantReference is the MessageID; Description, else
//     Config.ShopperStatement, is the ShopperStatement Trustly requires (A–Z, a–z, 0–9,
//     '.', '-', '_', space; its first 7 characters reach the bank statement); the amount
//     must be in the mandate's currency. BeforeSend reaches the Charge's Attributes for
//     PaymentDate (YYYY-MM-DD, a later collection date) and ExternalReference. An
//     accepted charge is PaymentPending with MandateID set, and Payment.As reaches the
//     *[ChargeResult]. Its order's notifications are payment events of that payment
//     (Event.MandateID set): pending is payment.pending, credit (the following bank day
//     at Trustly) payment.succeeded, cancel after pending payment.failed — Trustly's
//     cancel does not say whether the bank refused the collection or the merchant
//     canceled it.
//   - GetMandate answers from the journal: what the verified notifications of the
//     mandate's order said (requires_action, pending, active, failed). Trustly has no
//     call that reads a mandate.
//   - CancelMandate is not offered: TDD documents no cancellation of a mandate, only
//     CancelCharge of one charge with a later PaymentDate (until 18:00 the day before it,
//     https://docs.trustly.com/api/cancelcharge), which stays on the Client (Gateway.As).
//
// Charge and CreateMandate are repeatable writes: a repeat with the same idempotency key
// is the byte-identical signed request (what Charge reads from the journal is recorded
// once and never changes), which Trustly answers with its first result, as long as the
// BeforeSend hook and Config (ShopperStatement) decide alike. When they do not, the
// repeat cannot act twice either: Trustly refuses the changed request under its used
// UUID (688), and the call stays UnknownOutcome (see Idempotency).
//
// # Per-request options
//
// Every write's BeforeSend hook (provider.BeforeSend) reaches the request's Attributes as
// a *[Attributes] target — Deposit (Pay), Refund, AccountPayout (Payout), RegisterAccount
// and SelectAccount (VerifyAccount, CreateMandate) and Charge — before the request is
// signed. Set there what the neutral request cannot say: ShopperStatement, URLTarget,
// TemplateURL, Method "deposit.bank.netherlands.ideal" (iDEAL, https://docs.trustly.com/api/ideal;
// the ready-made hook [IDEAL] sets it, and the adapter refuses any other Method and an
// iDEAL deposit in a currency other than EUR),
// ShippingAddress*, ExternalReference, RecipientInformation, PaymentDate on a Charge, and
// so on. Before sending, the adapter refuses with InvalidRequest (Field "BeforeSend"): a
// URLTarget other than _top, _self and _parent; SuggestedMinAmount or SuggestedMaxAmount,
// which cannot go with Amount, which a Deposit always sends; a value that is not text
// (or an object of text); a malformed PaymentDate; and a change to what the adapter
// derived from the neutral request (amount, currency, URLs, the person's names, country,
// locale, email, phone and national id, the mandate flag, a Refund's ExternalReference),
// so that the result still describes what was sent. The hook runs again when the Gateway
// repeats the request, and must decide alike (no time.Now, no counter): only the
// byte-identical request learns the first attempt's result.
//
// # Request fields
//
// Capabilities.RequestFields lists what the requests carry; the Gateway refuses the other
// optional fields, naming them, rather than let them be dropped (Trustly's Java client,
// DepositRequestDataAttributes.java and the attributes of the other methods):
//
//   - Pay: Description is sent as Attributes.ExternalReference, Deposit's one free-text
//     attribute that reaches the merchant (it need not be unique and appears in the
//     settlement report, column extraref): a Deposit has no description. Payer.Phone
//     (MobilePhone) and Payer.NationalID are carried. Refused: Metadata (Attributes are
//     a closed set), CustomerID (Trustly keeps no customers), Payer.DateOfBirth (Deposit
//     has none for the payer) and Payer.Address (Deposit has only a shipping address; set
//     ShippingAddress* through BeforeSend).
//   - Refund: Reason and Metadata are refused; MerchantReference is the ExternalReference.
//   - Payout: Description is the ShopperStatement (optional on a Withdraw). Refused:
//     Metadata, Payee.DateOfBirth and Payee.Address (AccountPayout describes only the
//     sender, SenderInformation; Withdraw has DateOfBirth and Address* attributes, which
//     BeforeSend can set on an interactive payout).
//   - CreateMandate: Payer.DateOfBirth is carried. Refused: Description (SelectAccount
//     has none), MaxAmount (TDD records no cap) and Payer.Address.
//   - Charge: Description is the ShopperStatement. Refused: Metadata.
//
// # Reconciliation
//
// Ledger lists AccountLedger's rows between two times: it asks for whole dates (ToDate is
// excluded, and the dates' time zone is not documented [I], so one day more on each side)
// and keeps the rows whose datestamp is From <= Time < To. Only settled transactions
// are listed. ProviderID is the orderid, Reference the messageid; a refund's row carries
// its deposit's orderid and messageid (a Refund has no order of its own). Kind: an
// accountname starting TRANSACTION_FEE_ is a fee, on its own row with the orderid it
// was charged for; otherwise the transactiontype (free text [I]) decides: one naming a
// refund is a refund, a payout or withdrawal a payout, a deposit or charge a payment,
// anything else other. Amounts are signed as Trustly reports them. The rows are streamed
// as AccountLedger streams them (see Reports).
//
// # Idempotency
//
// The request UUID is derived (name-based UUID, version 5) from the username, the method
// and the idempotency key, and every request is serialized deterministically; PKCS#1 v1.5
// signatures are deterministic too. A retry with the same idempotency key therefore sends
// the byte-identical signed request, which Trustly answers with the first result instead
// of acting twice. This is what makes Refund, which has no MessageID, safe to repeat. The
// Client makes one attempt per call; the Gateway's retry policy repeats the calls whose
// outcome is unknown (network failures, 5xx answers, unsigned transport errors), and
// Capabilities.RepeatableWrites tells it that Pay, Refund, Payout, VerifyAccount,
// CreateMandate and Charge may be repeated.
//
// A call fails with Code UnknownOutcome whenever Trustly may have acted without this
// Client being able to tell, by one rule for every adapter (internal/transport), alike for
// reads and writes: no answer (network failure, timeout, cancelled context after the
// request was written), an answer that is not Trustly's under a status that does not say
// the request was refused unprocessed (an HTTP 500 or 502 page; 503 and 429 do say so),
// an answer that breaks off, and an unsigned error. So does a write (Pay, Refund, Payout,
// VerifyAccount, CreateMandate, Charge, CancelCharge, Approve/Deny Withdrawal) whose answer arrived but
// cannot be trusted: its signature does not verify (most often a TEST/live key mix-up;
// the message says so), it answers another request, or it cannot be parsed; a read
// reports such an answer as Internal. Repeat an uncertain write only with the same
// idempotency key; with a new key Trustly could act twice. An unsigned error keeps
// Trustly's code and message in ProviderCode and Message, unauthenticated.
//
// A repeat whose content changed under the same idempotency key (a BeforeSend hook or a
// Config that decides otherwise than the first time, or a Gateway whose journal does not
// hold the key's first request) reaches Trustly with a UUID it has seen and is refused
// with ERROR_DUPLICATE_UUID (688). That proves the earlier request reached Trustly, not
// that it was refused, so it is reported with Code UnknownOutcome, never as a refusal: a
// write whose first attempt was applied is never recorded as failed. Only the
// byte-identical request learns its result.
//
// A repeated Pay or Payout with a new idempotency key but the same MerchantReference
// reaches Trustly with a MessageID it has seen: ERROR_DUPLICATE_MESSAGE_ID (637), reported
// with Code Duplicate. When the Gateway's journal holds the earlier call that sent that
// MessageID, the error names its idempotency key: repeating that call with its own key
// returns its order (Trustly answers the identical request with its first result).
//
// # Errors
//
// Every Trustly error code the adapter knows (Trustly lists them at
// https://eu.developers.trustly.com/doc/reference/error-messages) maps to a provider.Code
// (see [ErrorCode]). The *provider.Error carries the code in ProviderCode and Trustly's message;
// errors.As reaches it through the Gateway's error.
//
// # Notifications
//
// Client implements notify.Verifier: notifications are verified with the Trustly public
// key on the raw decoded tree and answered with the signed {"status":"OK"} echoing the
// notification's uuid and method, with HTTP 200 (kyc is answered with the application's
// decision: see Identity checks below). When the application's callback fails the
// answer is HTTP 500 with no Trustly reply, so that Trustly delivers the notification again.
// A signed "FAILED", which Trustly acts on (it aborts a withdrawal), is sent only as the
// answer to a debit: see Interactive payouts. A correctly signed notification of a method
// this package does not know is delivered as Kind other (ProviderEvent is the method, Raw
// the body) and answered OK, so that Trustly stops redelivering it.
//
// The signature covers a serialization that runs names and values together, so the
// boundaries between them can be moved under a genuine signature, and Trustly signs every
// merchant's notifications with one key while their messageid and enduserid are the texts
// the merchant sent. A notification that may have been so regrouped is refused (HTTP 400):
// one in which a member other than messageid, enduserid and attributes holds, in its value
// or in its name, the name of an id, the timestamp, amount, currency, attributes or
// verified; and a kyc or account notification whose attributes are not among those
// Trustly documents for it (kyc: personid, firstname, lastname, dob, street, zipcode,
// city, country; account: clearinghouse, bank, descriptor, lastdigits, directdebitmandate,
// and Lean KYC's personid, name, address, zipcode, city), or one of whose attribute values
// holds, in lower case, the name of an attribute that is missing or sorts after its own.
//
// Trustly's notifications do not say what kind of order they concern, and the same
// methods mean different things per kind (a credit confirms a deposit, but reports a failed
// refund on the deposit's order or a failed payout on the payout's order). Through a
// Gateway's NotificationHandler the Client reads them against the Gateway's operations
// journal (provider.Calls): the call that created the order (found by the orderid its
// answer gave), the refunds made of a deposit, and what earlier notifications of the order
// established (its pending, its credit, which refund each outcome reported on). The
// journal is shared by every instance and survives restarts when it is PostgreSQL
// (journal/pgjournal), so every instance reads a notification alike.
//
//   - Deposit: pending is payment.pending; credit is payment.succeeded; cancel is
//     payment.canceled, or payment.failed after a pending (the end user finished but the
//     bank never confirmed); debit is payment.failed.
//   - Refund of a deposit, on the deposit's order: payoutconfirmation is refund.succeeded;
//     a credit or cancel after the deposit's own credit (Trustly executes refunds only
//     once the deposit has settled), or a credit of another amount than the deposit's, is
//     refund.failed. A cancel that arrives before the deposit's credit was read, on a
//     deposit that has refunds, may be either's (a cancel names no amount): it is
//     answered so that Trustly delivers it again, by when the credit has been read (a
//     deposit refunded while pending and then never confirmed has no credit: its cancel
//     is never delivered, and Trustly's deliveries of it run out). The event's RefundID names the refund: the oldest refund of the deposit with the
//     notification's amount that no other notification reported on. A refund outcome
//     that no refund in the journal can be — none has its amount, or, for a cancel, the
//     deposit has none (a refund made in Trustly's back office, say) — is acknowledged
//     and never delivered. Notifications carrying "refund":"1" (a refund of a
//     direct-debit Charge: pending, then debit when paid out or cancel when it failed, on
//     the charge's order; https://docs.trustly.com/api/mdd-notifications-for-refunds) are
//     refund events too, their RefundID chosen the same way; one that no refund in the
//     journal can be (made in the back office) names the payment alone.
//   - Payout: payoutconfirmation is payout.succeeded; credit or cancel is payout.failed;
//     debit, which only a Withdraw's order gets, is payout.requested (see Interactive
//     payouts).
//   - Account selection: account is account.verified or account.failed (verified "0"),
//     cancel is account.failed.
//   - Mandate (a CreateMandate's SelectAccount): account is mandate.pending or
//     mandate.active by its directdebitmandate, cancel is mandate.failed (see Mandates).
//   - Charge: as a deposit's (see Mandates), with Event.MandateID set.
//   - kyc, on a deposit's order, is payment.identified (see Identity checks below); on
//     any other order it is other, and answered FINISH.
//   - An order no call in the journal created (another merchant's genuinely signed
//     notification posted to your URL, an order made outside paybridge, or one made before
//     a restart with the in-memory journal): acknowledged and never delivered, whatever
//     the method (notify.WithUnmatched reports it).
//
// A notification whose order only the MessageID ties to a call whose answer is missing (in
// flight, or lost: UnknownOutcome) is answered so that Trustly delivers it again (HTTP 503,
// no reply), never delivered on that basis: MessageIDs are unique per merchant only, and
// another merchant's order with the same MessageID and amount, posted to your URL, is
// signed alike. Repeat the call with its idempotency key: Trustly answers the identical
// request with the original order, the journal records its orderid, and the redelivered
// notification is read by it, or acknowledged as not yours.
//
// Used without a Gateway (notify.NewHandler with the Client), nothing says what an order
// is: credit, cancel, debit and payoutconfirmation are Kind other, never a success, with
// ProviderEvent holding the method and Raw the body with the orderid; pending is
// payment.pending, and kyc payment.identified (Trustly sends it only for deposits). A
// debit is then answered FAILED: it may be a Withdraw's, which OK would let go on. A
// redelivered notification (same notificationid) is read as the first time.
//
// # Identity checks
//
// With Config.RequestKYC every Deposit carries RequestKYC "1" (Trustly must have enabled
// it for the merchant). Once the end user has logged in to the bank, and before the
// transfer starts, Trustly sends a kyc notification with who the bank says the end user is,
// and waits for the merchant's answer
// (https://eu.developers.trustly.com/doc/reference/kyc-notification). It reaches the
// notification callback as a notify.PaymentIdentified event: PaymentID is the deposit's
// order, Identity holds kycentityid (ProviderID, which Trustly may change), personid
// (NationalID, only in Sweden, Finland and Estonia), firstname, lastname, dob, street,
// zipcode, city and country (a name, "Sweden"). The callback answers with Event.Decide:
//
//	func(ctx context.Context, e notify.Event) error {
//		if e.Kind == notify.PaymentIdentified {
//			if allowed(e.Identity) { // age, self-exclusion, limits, sanctions ...
//				return e.Decide(notify.Continue)
//			}
//			return e.Decide(notify.Abort)
//		}
//		...
//	}
//
// notify.Continue is answered CONTINUE (Trustly has the end user sign the transfer);
// notify.Abort is answered FINISH (Trustly ends the deposit; no money moves). A callback
// that returns nil without deciding is answered FINISH too, as is a kyc notification of
// an order that is not the merchant's: CONTINUE tells Trustly that the merchant has made
// every check it needs, which nobody did, and a deposit wrongly let through cannot be
// called back, where a denied one moves no money and the end user can start again. A
// callback that fails gets HTTP 500 and no signed answer, whatever it decided: Trustly
// delivers the notification again and the callback is asked again. Trustly's "CONTINUE
// with limit" answer, which lets a deposit go on up to an amount, is not sent.
//
// A kyc notification is remembered as processed with the decision sent, as Trustly asks of
// every notification ("return the same result.data.status as the first time",
// https://eu.developers.trustly.com/doc/reference/notifications-overview): a redelivery,
// or a captured kyc posted again — it carries no timestamp, so the maximum age never
// stops it — gets the first answer and does not reach the callback again. This needs a
// Store that records decisions (notify.DecisionRecorder: MemoryStore, pgstore); with
// another, each delivery asks the callback, so decide the same way for the same event ID.
// A kyc of a deposit the journal shows pending or credited — past the identification
// Trustly waited on, so a replay posted after the store forgot it — is answered FINISH
// without asking the callback.
//
// A merchant that uses Trustly's Lean KYC service also gets the account holder in account
// notifications: personid, name, address, zipcode and city beside the bank, clearing
// house, descriptor and last digits
// (https://eu.developers.trustly.com/doc/reference/account-notification). The account.*
// event carries the holder as Identity (NationalID, Name, Street, PostalCode, City), and
// its Detail, a *[NotificationData], has the account's fields and the holder typed.
//
// # Interactive payouts
//
// A Payout without an AccountID and with a ReturnURL is Withdraw
// (https://eu.developers.trustly.com/doc/reference/withdraw): Trustly marks it as "not
// offered to new merchants", so it works only for a merchant Trustly enabled it for. The
// Payout comes back PayoutPending with RedirectURL, Trustly's page where the payee
// chooses their bank account (ReturnURL is its SuccessURL and FailURL); Payout.As reaches
// the answer as an *[OrderResult]. Payee needs what a Deposit's payer needs (ID as the
// EndUserID, names, country, locale); MerchantReference is the MessageID, and is required. Withdraw has no fixed amount: the adapter sends
// SuggestedMinAmount and SuggestedMaxAmount both as the amount, so that it is the one the
// payee can choose [I].
//
// Once the payee has chosen the account Trustly sends a debit notification, and waits for
// the merchant to say whether the amount may be taken from what it owes the payee. It
// reaches the callback as a notify.PayoutRequested event (PayoutID the Withdraw's order,
// Amount what the payee asks for) that asks for a decision:
//
//	if e.Kind == notify.PayoutRequested {
//		if owes(e.PayoutID, e.Amount) { // debit the payee's balance in your books
//			return e.Decide(notify.Continue)
//		}
//		return e.Decide(notify.Abort)
//	}
//
// notify.Continue is answered OK: the withdrawal goes on. Anything else is answered
// FAILED, which aborts it (Trustly then sends a cancel, payout.failed): notify.Abort, a
// callback that returns nil without deciding, a debit of an order that is not the
// merchant's (another merchant's order posted to your URL, an order made outside
// paybridge), a debit of another amount than the Payout asked for, and a second debit of
// the order under another notificationid than the first (a Withdraw is debited once) —
// the last three never reach the callback. A callback that fails gets HTTP 500 and no signed answer, and
// Trustly delivers the debit again. As with kyc, the debit is remembered with the decision
// sent, and a redelivery gets the first answer without reaching the callback again.
//
// A debit is read as a Withdraw's by the call that made its order, in the journal: a
// Payout's order gets a debit only as a Withdraw (an AccountPayout reports by
// payoutconfirmation, credit or cancel), while a deposit's debit (a reversal after its
// credit, payment.failed) comes on an order a Pay or Charge made, and is answered OK, as
// is a direct-debit refund's debit ("refund":"1") on such an order. A debit of an order
// the journal does not place is answered FAILED, whatever it carries.
//
// Unless Trustly approves withdrawals automatically for the merchant, an accepted
// withdrawal then waits for ApproveWithdrawal or DenyWithdrawal on the Client, reached
// with Gateway.As:
//
//	var c *trustly.Client
//	if gw.As(&c) { ok, err := c.ApproveWithdrawal(ctx, payout.ID) } // or DenyWithdrawal
//
// Calls made on the Client are not journaled; each is sent with a request UUID derived
// from the order, so repeating it is harmless. A denied withdrawal, or one that fails
// later, is reported by a credit (payout.failed); a paid one by payoutconfirmation
// (payout.succeeded), where Trustly sends it for the merchant. GetWithdrawals on the
// Client reports the order's transfer (TransferState, AccountID, ETA); Trustly allows it
// once per 15 minutes per order.
//
// # Provider-specific calls
//
// Reach the Client from a Gateway with
//
//	var c *trustly.Client
//	if gw.As(&c) { bal, err := c.Balance(ctx) }
//
// for Balance, AccountLedger, ViewAutomaticSettlementDetailsCSV, GetWithdrawals,
// CancelCharge, ApproveWithdrawal and DenyWithdrawal.
//
// # Reports
//
// AccountLedger and ViewAutomaticSettlementDetailsCSV return iterators
// (iter.Seq2[LedgerEntry, error] and iter.Seq2[SettlementRecord, error]), because their
// answers can hold millions of rows. The answer is decoded as it arrives, its rows are
// hashed into the digest of the response signature as they are decoded, and memory use
// does not grow with the report: 1,000,000 ledger rows (a 250 MB answer) are read with
// under 64 MiB of heap in use.
//
// No row is ever yielded before the signature over the whole answer has verified. The
// decoded rows wait in a spool (package report) until then: in memory up to 4 MiB, beyond that in a
// temporary file in os.TempDir, deleted from its directory as soon as it is created and
// encrypted (AES-GCM) under a key that exists only in memory, so what is read back is
// exactly what was verified. An answer that fails verification, breaks off or holds a row
// that cannot be read yields no row at all, only the error: range over the iterator and
// act on each row as it comes. The cost is latency (the first row arrives after the last
// has been downloaded) and temporary disk space for large reports (about half the size
// of the answer).
//
// No redirect is followed, whatever Config.HTTPClient's CheckRedirect says: net/http
// would send the signed request, with the API password in it, to wherever the redirect
// points. A redirect answer is InvalidRequest naming its Location (the base URL is wrong;
// nothing was processed there), except a 303 See Other, which can point at the
// result of a processed request and is UnknownOutcome.
//
// Close makes later calls fail and closes the idle connections of the HTTP client the
// Client built itself; a Config.HTTPClient belongs to the caller and is left open.
//
// # Sandbox tests
//
// The package's tests run against the simulator in package trustlysim. The conformance
// suite also runs against Trustly's real TEST environment when these variables are set:
// PAYBRIDGE_TRUSTLY_USERNAME, PAYBRIDGE_TRUSTLY_PASSWORD, PAYBRIDGE_TRUSTLY_PRIVATE_KEY (or
// PAYBRIDGE_TRUSTLY_PRIVATE_KEY_FILE), PAYBRIDGE_TRUSTLY_CURRENCY (default EUR) and
// PAYBRIDGE_TRUSTLY_NOTIFICATION_URL (where Trustly may send the orders' notifications;
// default an example.com URL, since nothing there is checked); PAYBRIDGE_TRUSTLY_BASE_URL
// and PAYBRIDGE_TRUSTLY_PUBLIC_KEY point it at another endpoint. It skips otherwise.
// `paybridge conformance --sandbox` runs the same suite from the command line.
package trustly
