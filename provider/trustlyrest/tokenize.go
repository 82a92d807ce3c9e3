package trustlyrest

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/secret"
)

// TokenizeRequest asks Trustly for the token of a bank account given by its details. It
// prints and logs masked, under every fmt verb and in log/slog: the account and the
// holder as provider.BankAccount and provider.Person print (the last four digits of the
// number, [redacted] for the names), and Verify.
type TokenizeRequest struct {
	// Account is the account: an IBAN, or an account number with its routing number
	// (US ABA or Canadian). HolderName, when set, is sent as nameOnAccount.
	Account provider.BankAccount
	// Holder's first and last names are sent as nameOnAccount when Account.HolderName is
	// empty.
	Holder provider.Person
	// Verify asks Trustly to verify the account as well (verifyAccount=true); without it
	// Trustly only tokenizes it (its default).
	Verify bool
}

// describe is how a TokenizeRequest prints: its account and holder masked.
func (r TokenizeRequest) describe() secret.Opaque {
	return secret.Describe("trustlyrest.TokenizeRequest", "account", r.Account.String(), "holder", r.Holder.String(),
		"verify", strconv.FormatBool(r.Verify))
}

// String shows the request with its account and holder masked.
func (r TokenizeRequest) String() string { return r.describe().String() }

// GoString shows the request with its account and holder masked.
func (r TokenizeRequest) GoString() string { return r.describe().GoString() }

// Format prints the request with its account and holder masked, whatever the verb.
func (r TokenizeRequest) Format(f fmt.State, verb rune) { r.describe().Format(f, verb) }

// LogValue logs the request with its account and holder masked. It takes the value, so
// that a request logged by value is masked by every slog handler (a JSON handler would
// otherwise marshal its fields).
func (r TokenizeRequest) LogValue() slog.Value { return r.describe().LogValue() }

// TokenizedAccount is Trustly's answer to a tokenization.
type TokenizedAccount struct {
	// Token is Trustly's stable token of the account: the same account always gets the
	// same token, which can stand in for the account's numbers.
	Token string
	// Account is the account as Trustly answers: its number's last four digits only.
	Account *UserAccount
	// Verified says Trustly verified the account (only asked for with Verify); Score is
	// the verification score, 0 to 10 (6 or more is verified), or -1 when Trustly gave none.
	Verified bool
	Score    int
}

// LogValue logs the answer as it prints, its Account masked: logged as a plain struct, a
// JSON handler would marshal the account's holder.
func (t TokenizedAccount) LogValue() slog.Value { return slog.StringValue(fmt.Sprintf("%+v", t)) }

// TokenizeAccount turns bank details into Trustly's account token with POST
// /accounts/tokenize?verifyAccount=… (https://amer.developers.trustly.com/openapi.json:
// "Convert legacy ACH ABA routing and account numbers or an International Bank Account
// Number (IBAN) into a verified token"). The account is checked as VerifyAccount checks it
// (an IBAN, or an account number with its routing number) before anything is sent. The
// body's merchantId is a JSON string here, where /accounts/verify takes a number, as the
// specification types them.
//
// Trustly keeps no record of a tokenization to read back: keep the token. An account
// Trustly cannot read is error 330, an InvalidRequest naming Account. The answer carries
// the account number's last four digits only, never the number sent.
func (c *Client) TokenizeAccount(ctx context.Context, req *TokenizeRequest) (*TokenizedAccount, error) {
	acct, err := accountFields(req.Account, req.Holder)
	if err != nil {
		return nil, err
	}
	query := "verifyAccount=false"
	if req.Verify {
		query = "verifyAccount=true"
	}
	fa, err := c.postAccount(ctx, "/accounts/tokenize", query, c.merchantID, acct)
	if err != nil {
		return nil, err
	}
	if fa.Token == "" {
		return nil, &provider.Error{Code: provider.Internal, Message: "Trustly's tokenization answer carries no token"}
	}
	ua := &UserAccount{
		Name: fa.Name, NameOnAccount: fa.NameOnAccount, Type: -1, Profile: -1, Last4: fa.last4(),
		RoutingNumber: fa.RoutingNumber, Token: fa.Token, Verified: fa.isVerified(),
	}
	// Only the last four digits are kept, whatever Trustly echoes.
	ua.AccountNumber = ua.Last4
	if fa.PaymentProvider != nil {
		ua.BankName = fa.PaymentProvider.Name
	}
	t := &TokenizedAccount{Token: fa.Token, Account: ua, Verified: req.Verify && fa.isVerified(), Score: -1}
	if fa.Verification != nil && int(fa.Verification.Score) >= 0 && req.Verify {
		t.Score = int(fa.Verification.Score)
	}
	return t, nil
}
