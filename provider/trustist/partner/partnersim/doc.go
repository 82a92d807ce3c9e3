// Package partnersim simulates the TrustistTransfer Partner API for tests, on loopback:
// the OAuth 2.0 token endpoint and the invitations with which a platform onboards
// merchants, and the page where an invited merchant accepts.
//
// What it does, from the Partner API guide
// (https://trustisttransfer.com/docs/partner-api/):
//
//   - POST /token takes client_id, client_secret and grant_type=client_credentials in a
//     form body and answers {"access_token", "token_type": "Bearer", "expires_in"}
//     (Options.TokenLifetime, default 3600 s as in the guide's example). Refusals follow
//     RFC 6749 §5.2: unknown or missing client credentials 401 invalid_client (credentials
//     only in an HTTP Basic header count as missing [I]: the guide puts them in the body),
//     a missing grant_type 400 invalid_request, another grant type 400
//     unsupported_grant_type.
//   - Every other call wants Authorization: Bearer with a token the server issued that has
//     not expired; otherwise 401 with WWW-Authenticate: Bearer (RFC 6750 §3).
//   - GET /invitations lists the calling partner's invitations (an array); GET
//     /invitations/{id} reads one; POST /invitations creates one from {"email", "name",
//     "paymentTypes"}. email and name are required, paymentTypes values are "cards" and
//     "openbanking" only; a missing "openbanking" is added, since the guide says removing
//     it has no effect. Anything else is refused with 400.
//   - GET /invitations/{id}/merchant/keys answers {"items": [{"apiKey": …, "privateKey":
//     …}]} once the invited merchant has accepted.
//   - An invitation of another partner answers 404, as an unknown one does.
//
// Where the guide is silent the simulator follows marked inferences: invitation ids are
// GUIDs; an invitation answers "pending" when created (the create example) and "sent"
// from then on (the list and get examples), "accepted" or "declined" once the merchant
// has answered; its members besides id and status echo the request (email, name,
// paymentTypes); errors other than the token endpoint's are RFC 7807 ProblemDetails, as
// ASP.NET writes them; a body that is not JSON is refused with 415 or 400; the merchant
// keys answer 404 until the invitation is accepted, and carry the private half under
// "privateKey" (Options.OmitPrivateKey leaves it out, as the guide's example elides
// every member but apiKey).
//
// The invited merchant accepts on a hosted page, the link of the invitation e-mail
// (InvitationURL, and Options.OnInvite for each invitation as it is sent): EndUser's
// Approve accepts, Decline declines; AcceptInvitation accepts without HTTP. On acceptance
// the merchant gets a key pair: with Options.Trustist set, the linked Trustist simulator
// registers the merchant (trustistsim.Server.AddMerchant), so a trustist adapter
// configured with the keys the Partner API returns can take payments there.
//
// Start a Server with Start; the simkit.Server it embeds gives its URL, Close, Requests
// and the fault knobs every simulator shares: FailNext (503 before processing), DropNext
// (process, then close the connection), SetLatency and SetChaos (the answers are not
// signed: the Unsigned and BadSignature rates are refused). The token endpoint counts as
// an API request. Knobs of its own: RevokeTokens (every issued token stops working) and
// Options.Now (the clock that judges token expiry). AddPartner registers another partner
// with credentials of its own.
package partnersim
