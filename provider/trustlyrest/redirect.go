package trustlyrest

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// Redirect errors, for errors.Is.
var (
	// ErrMalformedRedirect: the URL is not an absolute redirect URL Trustly could have made.
	ErrMalformedRedirect = signing.ErrMalformedRedirect
	// ErrMissingSignature: the redirect has no requestSignature.
	ErrMissingSignature = signing.ErrMissingSignature
	// ErrReferenceMismatch: the redirect's merchantReference is not the expected one.
	ErrReferenceMismatch = signing.ErrReferenceMismatch
)

// Redirect is a verified browser redirect from Trustly to returnUrl or cancelUrl.
type Redirect struct {
	// TransactionID is the transaction the payer acted on: Payment.ID for a payment.
	TransactionID string
	// TransactionType and Status are Trustly's numeric codes.
	TransactionType int
	Status          int
	// PaymentStatus reads Status through the adapter's status table for an authorization.
	// Treat it as a hint for the page shown to the payer: the notification or GetPayment is
	// the authority on the outcome.
	PaymentStatus provider.PaymentStatus
	// MerchantReference is the reference carried by the redirect.
	MerchantReference string
	// Params holds every signed parameter, decoded.
	Params url.Values
}

// VerifyRedirect authenticates the redirect a payer's browser brings to your returnUrl or
// cancelUrl. fullURL is the URL exactly as requested — your external base URL followed by
// r.URL.RequestURI() — and merchantReference the one the adapter sent for the payment
// (PaymentReference(p.MerchantReference, p.IdempotencyKey)).
//
// The requestSignature parameter must be the HMAC of the URL without it
// (https://amer.developers.trustly.com/payments/docs/redirect-urls),
// compared in constant time, and merchantReference must match. Parameters after
// requestSignature that the signature may not cover are dropped.
func (c *Client) VerifyRedirect(fullURL, merchantReference string) (*Redirect, error) {
	params, err := signing.VerifyRedirect(c.accessKey.Bytes(), fullURL)
	if err != nil {
		return nil, fmt.Errorf("trustlyrest: redirect rejected: %w", err)
	}
	if err := signing.CheckMerchantReference(params, merchantReference); err != nil {
		return nil, fmt.Errorf("trustlyrest: redirect rejected: %w", err)
	}
	r := &Redirect{
		TransactionID: params.Get("transactionId"), MerchantReference: params.Get("merchantReference"),
		Params: params.Values(),
	}
	if !validID(r.TransactionID) {
		return nil, fmt.Errorf("trustlyrest: redirect rejected: %w: no transactionId", ErrMalformedRedirect)
	}
	var e1, e2 error
	r.TransactionType, e1 = strconv.Atoi(params.Get("transactionType"))
	r.Status, e2 = strconv.Atoi(params.Get("status"))
	if err := errors.Join(e1, e2); err != nil {
		return nil, fmt.Errorf("trustlyrest: redirect rejected: %w: transactionType and status must be numeric", ErrMalformedRedirect)
	}
	r.PaymentStatus = statusOf(r.Status).auth
	return r, nil
}
