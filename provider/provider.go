package provider

import (
	"context"

	"github.com/paybridge/paybridge/notify"
)

// Provider is what every adapter implements; each further operation is an optional
// interface of its own (Refunder, Payouter, AccountVerifier, CustomerManager,
// NotificationVerifier), and the interfaces an adapter implements decide which operations
// a Gateway over it offers (OperationsOf). The Gateway calls it only with requests it has
// validated, with an IdempotencyKey always set, and only for operations and currencies that
// those interfaces and Capabilities allow. Implementations must be safe for concurrent use.
type Provider interface {
	// Name is the adapter's short name, e.g. "trustly"; it appears in results, events and
	// errors.
	Name() string

	// Capabilities reports what this provider, as configured, supports beyond what the
	// interfaces it implements say. It must agree with them (CheckCapabilities) and must
	// not change during the Provider's life.
	Capabilities() Capabilities

	// Pay creates a pay-in. The result normally has Status PaymentRequiresAction and a
	// RedirectURL. Calling Pay again with the same IdempotencyKey and the same request must
	// return the same payment rather than create another.
	Pay(ctx context.Context, req *PaymentRequest) (*Payment, error)

	// GetPayment returns the payment's current state. An unknown id returns an error with
	// Code NotFound.
	GetPayment(ctx context.Context, id string) (*Payment, error)

	// As lets callers reach the adapter's own client for provider-specific calls. It
	// reports whether target (a pointer to a provider-specific type) was set.
	As(target any) bool

	// Close releases resources (background deliveries, idle connections).
	Close() error
}

// Refunder is implemented by providers that can refund.
type Refunder interface {
	// Refund returns money from a succeeded payment. An amount above what remains
	// refundable returns an InvalidRequest error. The same IdempotencyKey must never refund
	// twice, including after the first call's outcome was lost.
	Refund(ctx context.Context, req *RefundRequest) (*Refund, error)
	// GetRefund returns a refund by the ID its Refund call returned; NotFound when unknown.
	GetRefund(ctx context.Context, id string) (*Refund, error)
}

// Payouter is implemented by providers that can pay out to verified accounts.
type Payouter interface {
	// Payout sends money to a verified account, or, with req.AccountID empty (only when
	// Capabilities sets InteractivePayouts), returns a pending payout whose payee chooses
	// the account at its RedirectURL. The same IdempotencyKey must never pay out twice.
	Payout(ctx context.Context, req *PayoutRequest) (*Payout, error)
	// GetPayout returns a payout by ID; NotFound when unknown.
	GetPayout(ctx context.Context, id string) (*Payout, error)
}

// AccountVerifier is implemented by providers that can verify bank accounts.
type AccountVerifier interface {
	// VerifyAccount verifies req.Account, or starts an interactive verification when
	// req.Account is empty (only when Capabilities sets InteractiveVerification).
	VerifyAccount(ctx context.Context, req *VerifyAccountRequest) (*AccountVerification, error)
	// GetAccountVerification returns a verification by ID; NotFound when unknown.
	GetAccountVerification(ctx context.Context, id string) (*AccountVerification, error)
}

// CustomerManager is implemented by providers that keep customer records.
type CustomerManager interface {
	// CreateCustomer stores c (its ID is ignored) and returns it with its new ID.
	CreateCustomer(ctx context.Context, c *Customer) (*Customer, error)
	// GetCustomer returns a customer; NotFound when unknown.
	GetCustomer(ctx context.Context, id string) (*Customer, error)
	// UpdateCustomer applies u and returns the customer as stored afterwards.
	UpdateCustomer(ctx context.Context, id string, u *CustomerUpdate) (*Customer, error)
	// ListCustomers returns one page of customers matching req.
	ListCustomers(ctx context.Context, req *ListCustomersRequest) (*CustomerPage, error)
}

// NotificationVerifier is implemented by providers that send notifications; see package
// notify.
type NotificationVerifier = notify.Verifier
