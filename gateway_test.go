package paybridge_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/testwait"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// fake is a Provider whose answers the test controls.
type fake struct {
	pay   func(*provider.PaymentRequest) (*provider.Payment, error)
	get   func(id string) (*provider.Payment, error)
	calls atomic.Int64
	caps  provider.Capabilities
}

func (f *fake) Name() string { return "fake" }
func (f *fake) Capabilities() provider.Capabilities {
	c := f.caps
	if c.RequestFields == nil {
		c.RequestFields = provider.RequestFieldNames // unless a test says otherwise, the fake sends every field
	}
	return c
}
func (f *fake) As(any) bool  { return false }
func (f *fake) Close() error { return nil }
func (f *fake) GetPayment(_ context.Context, id string) (*provider.Payment, error) {
	f.calls.Add(1)
	if f.get != nil {
		return f.get(id)
	}
	return nil, &provider.Error{Code: provider.NotFound, ProviderCode: "404", Message: "no such payment"}
}
func (f *fake) Pay(_ context.Context, r *provider.PaymentRequest) (*provider.Payment, error) {
	f.calls.Add(1)
	return f.pay(r)
}

func okPayment(r *provider.PaymentRequest) (*provider.Payment, error) {
	return &provider.Payment{ID: "p1", Status: provider.PaymentRequiresAction, Amount: r.Amount}, nil
}

func validRequest() paybridge.PaymentRequest {
	return paybridge.PaymentRequest{
		Amount:            money.MustNew("10.00", "GBP"),
		MerchantReference: "order-1",
		ReturnURL:         "https://shop.example.com/done",
	}
}

func newFake(pay func(*provider.PaymentRequest) (*provider.Payment, error)) (*fake, *paybridge.Gateway) {
	f := &fake{pay: pay, caps: provider.Capabilities{Currencies: []money.Currency{money.MustCurrency("GBP")}}}
	return f, paybridge.New(f)
}

func TestPayFillsKeyAndCancelURL(t *testing.T) {
	var seen *provider.PaymentRequest
	_, gw := newFake(func(r *provider.PaymentRequest) (*provider.Payment, error) { seen = r; return okPayment(r) })
	p, err := gw.Pay(context.Background(), validRequest())
	if err != nil {
		t.Fatal(err)
	}
	if seen.IdempotencyKey == "" || p.IdempotencyKey != seen.IdempotencyKey {
		t.Fatalf("idempotency key not generated and echoed: request %q result %q", seen.IdempotencyKey, p.IdempotencyKey)
	}
	if seen.CancelURL != seen.ReturnURL {
		t.Fatalf("CancelURL = %q, want it to default to ReturnURL", seen.CancelURL)
	}
	if p.Provider != "fake" {
		t.Fatalf("Provider = %q", p.Provider)
	}
}

func TestValidationNamesEveryFieldAndSendsNothing(t *testing.T) {
	f, gw := newFake(okPayment)
	req := validRequest()
	req.Amount = money.MustNew("0", "GBP")
	req.ReturnURL = "ftp://x"
	req.Payer = paybridge.Person{Email: "nope", Country: "United Kingdom", Locale: "english", DateOfBirth: "10/12/1990"}
	req.Metadata = map[string]string{"": "x"}
	_, err := gw.Pay(context.Background(), req)
	var pe *paybridge.Error
	if !errors.As(err, &pe) || !errors.Is(err, paybridge.ErrInvalidRequest) {
		t.Fatalf("err = %v, want an InvalidRequest *paybridge.Error", err)
	}
	var got []string
	for _, fe := range pe.Fields {
		got = append(got, fe.Field)
	}
	for _, want := range []string{"Amount", "ReturnURL", "Payer.Email", "Payer.Country", "Payer.Locale", "Payer.DateOfBirth", "Metadata"} {
		if !strings.Contains(strings.Join(got, ","), want) || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if f.calls.Load() != 0 {
		t.Fatalf("the adapter was called %d times for an invalid request", f.calls.Load())
	}
}

func TestUnsupportedCurrencyAndOperation(t *testing.T) {
	f, gw := newFake(okPayment)
	req := validRequest()
	req.Amount = money.MustNew("10.00", "EUR")
	if _, err := gw.Pay(context.Background(), req); !errors.Is(err, paybridge.ErrNotSupported) {
		t.Fatalf("EUR: %v, want ErrNotSupported", err)
	}
	_, err := gw.Refund(context.Background(), paybridge.RefundRequest{PaymentID: "p1", Amount: money.MustNew("1.00", "GBP")})
	if !errors.Is(err, paybridge.ErrNotSupported) {
		t.Fatalf("Refund: %v, want ErrNotSupported", err)
	}
	if _, err := gw.CreateCustomer(context.Background(), paybridge.Customer{}); !errors.Is(err, paybridge.ErrNotSupported) {
		t.Fatalf("CreateCustomer: %v, want ErrNotSupported", err)
	}
	if f.calls.Load() != 0 {
		t.Fatal("adapter called")
	}
}

func TestEchoedAmountMustMatch(t *testing.T) {
	_, gw := newFake(func(r *provider.PaymentRequest) (*provider.Payment, error) {
		return &provider.Payment{ID: "p1", Amount: money.MustNew("10.01", "GBP")}, nil
	})
	_, err := gw.Pay(context.Background(), validRequest())
	if !errors.Is(err, paybridge.ErrInternal) || !strings.Contains(err.Error(), "10.01 GBP") {
		t.Fatalf("err = %v, want an Internal error naming the echoed amount", err)
	}
	_, gw = newFake(func(r *provider.PaymentRequest) (*provider.Payment, error) {
		return &provider.Payment{ID: "p1"}, nil
	})
	if _, err := gw.Pay(context.Background(), validRequest()); !errors.Is(err, paybridge.ErrInternal) {
		t.Fatalf("missing amount: %v, want ErrInternal", err)
	}
	_, gw = newFake(func(r *provider.PaymentRequest) (*provider.Payment, error) {
		return &provider.Payment{Amount: r.Amount}, nil
	})
	if _, err := gw.Pay(context.Background(), validRequest()); !errors.Is(err, paybridge.ErrInternal) {
		t.Fatalf("missing id: %v, want ErrInternal", err)
	}
}

func TestErrorsWrappedOnce(t *testing.T) {
	perr := &provider.Error{Code: provider.Declined, ProviderCode: "390", Message: "bank declined", CorrelationID: "c-9"}
	_, gw := newFake(func(*provider.PaymentRequest) (*provider.Payment, error) { return nil, fmt.Errorf("adapter: %w", perr) })
	req := validRequest()
	req.IdempotencyKey = "key-1"
	_, err := gw.Pay(context.Background(), req)
	if !errors.Is(err, paybridge.ErrDeclined) || errors.Is(err, paybridge.ErrInternal) {
		t.Fatalf("err = %v, want ErrDeclined only", err)
	}
	var pe *paybridge.Error
	if !errors.As(err, &pe) || pe.IdempotencyKey != "key-1" || pe.Op != "Pay" || pe.Provider != "fake" {
		t.Fatalf("paybridge.Error = %+v", pe)
	}
	var raw *provider.Error
	if !errors.As(err, &raw) || raw.ProviderCode != "390" || raw.CorrelationID != "c-9" {
		t.Fatalf("provider error not reachable: %v", err)
	}
	if strings.Count(err.Error(), "paybridge:") != 1 {
		t.Fatalf("wrapped more than once: %q", err)
	}
	if paybridge.CodeOf(err) != paybridge.CodeDeclined || !paybridge.CodeDeclined.Retryable() == false {
		t.Fatalf("CodeOf = %v", paybridge.CodeOf(err))
	}
	_, err = gw.GetPayment(context.Background(), "nope")
	if !errors.Is(err, paybridge.ErrNotFound) {
		t.Fatalf("GetPayment: %v", err)
	}
	// An error without a code is Internal.
	_, gw = newFake(func(*provider.PaymentRequest) (*provider.Payment, error) { return nil, errors.New("boom") })
	if _, err := gw.Pay(context.Background(), validRequest()); !errors.Is(err, paybridge.ErrInternal) {
		t.Fatalf("uncoded error: %v", err)
	}
}

func TestContextErrorsPassThrough(t *testing.T) {
	_, gw := newFake(func(*provider.PaymentRequest) (*provider.Payment, error) { return nil, context.DeadlineExceeded })
	_, err := gw.Pay(context.Background(), validRequest())
	if err != context.DeadlineExceeded {
		t.Fatalf("err = %#v, want context.DeadlineExceeded unwrapped", err)
	}
}

func TestClosedGateway(t *testing.T) {
	f, gw := newFake(okPayment)
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gw.Close(); err != nil {
		t.Fatal("second Close should be a no-op")
	}
	if _, err := gw.Pay(context.Background(), validRequest()); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Pay after Close: %v", err)
	}
	if f.calls.Load() != 0 {
		t.Fatal("adapter called after Close")
	}
}

func TestLoggingHasNoBodies(t *testing.T) {
	var buf bytes.Buffer
	f := &fake{pay: okPayment, caps: provider.Capabilities{Unavailable: []provider.Operation{provider.OpGetPayment}}}
	gw := paybridge.New(f, paybridge.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		paybridge.WithIdempotencyKeys(func() string { return "fixed-key" }))
	req := validRequest()
	req.Payer = paybridge.Person{ID: "u1", Email: "secret.person@example.com", NationalID: "19900101-1234"}
	if _, err := gw.Pay(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "op=Pay") || !strings.Contains(out, "idempotency_key=fixed-key") {
		t.Fatalf("log lacks the call: %s", out)
	}
	for _, pii := range []string{"secret.person", "19900101", "shop.example.com"} {
		if strings.Contains(out, pii) {
			t.Fatalf("log contains request data %q: %s", pii, out)
		}
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	gw, err := paybridge.Open(ctx, "mem://?currencies=GBP,SEK")
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	if gw.Provider() != memprovider.Name || !gw.Capabilities().SupportsCurrency(money.MustCurrency("SEK")) ||
		gw.Capabilities().SupportsCurrency(money.MustCurrency("EUR")) {
		t.Fatalf("opened %s with %v", gw.Provider(), gw.Capabilities().Currencies)
	}
	var b *memprovider.Backend
	if !gw.As(&b) || b == nil {
		t.Fatal("As did not reach the backend")
	}
	var wrong *strings.Builder
	if gw.As(&wrong) {
		t.Fatal("As accepted an unrelated type")
	}
	for _, bad := range []string{"mem://?curency=GBP", "nosuch://x", "mem://user:hunter2@host", "mem://?currencies=ZZZ", "%zz"} {
		_, err := paybridge.Open(ctx, bad)
		if !errors.Is(err, paybridge.ErrInvalidRequest) {
			t.Errorf("Open(%q) = %v, want ErrInvalidRequest", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open error reveals the password: %v", err)
		}
	}
	if !strings.Contains(strings.Join(paybridge.Schemes(), ","), "mem") {
		t.Fatal("mem scheme not registered")
	}
}

func TestListCustomersIterates(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	gw := paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}))
	ctx := context.Background()
	for i := range 7 {
		if _, err := gw.CreateCustomer(ctx, paybridge.Customer{ExternalID: fmt.Sprint("c", i), Group: "g"}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for c, err := range gw.ListCustomers(ctx, paybridge.ListCustomersRequest{Group: "g", PageSize: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		if c.ExternalID != fmt.Sprint("c", n) {
			t.Fatalf("customer %d is %s", n, c.ExternalID)
		}
		n++
		if n == 5 {
			break // stopping early must not panic
		}
	}
	if n != 5 {
		t.Fatalf("iterated %d", n)
	}
	count := 0
	for _, err := range gw.ListCustomers(ctx, paybridge.ListCustomersRequest{Group: "g", PageSize: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != 7 {
		t.Fatalf("listed %d customers across pages, want 7", count)
	}
	for _, err := range gw.ListCustomers(ctx, paybridge.ListCustomersRequest{PageSize: 5000}) {
		if !errors.Is(err, paybridge.ErrInvalidRequest) {
			t.Fatalf("oversized page: %v", err)
		}
	}
}

// Concurrent calls with one key send once; the others wait and return the same payment.
func TestSameKeyCallsSendOnce(t *testing.T) {
	var mu sync.Mutex
	inside, most, calls := 0, 0, 0
	_, gw := newFake(func(r *provider.PaymentRequest) (*provider.Payment, error) {
		mu.Lock()
		inside++
		calls++
		most = max(most, inside)
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		inside--
		mu.Unlock()
		return okPayment(r)
	})
	req := validRequest()
	req.IdempotencyKey = "same-key"
	var wg sync.WaitGroup
	ids := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			p, err := gw.Pay(context.Background(), req)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- p.ID
		})
	}
	wg.Wait()
	close(ids)
	if most != 1 || calls != 1 {
		t.Fatalf("%d provider calls, at most %d at once; want one", calls, most)
	}
	first := ""
	for id := range ids {
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatalf("calls with one key returned payments %s and %s", first, id)
		}
	}
	// Different keys are not serialised.
	most = 0
	for i := range 4 {
		wg.Go(func() {
			r := validRequest()
			r.IdempotencyKey = fmt.Sprint("k", i)
			_, _ = gw.Pay(context.Background(), r)
		})
	}
	wg.Wait()
	if most < 2 {
		t.Logf("different keys ran at most %d at once (scheduling may serialise them)", most)
	}
}

func TestSameKeyWaitHonoursContext(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	_, gw := newFake(func(r *provider.PaymentRequest) (*provider.Payment, error) {
		once.Do(func() { close(entered) })
		<-release
		return okPayment(r)
	})
	req := validRequest()
	req.IdempotencyKey = "held"
	done := make(chan struct{})
	go func() { defer close(done); _, _ = gw.Pay(context.Background(), req) }()
	testwait.Recv(t, "the first call to hold the key", entered)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var err error
	testwait.Returns(t, "a call waiting for a held key past its context's deadline", func() { _, err = gw.Pay(ctx, req) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting for a held key: %v, want the context's deadline", err)
	}
	close(release)
	<-done
}

// TestOpenRefusesMalformedQueries: a query parameter that cannot be read exactly —
// a malformed escape, a ';' separator, a control character, a name given twice — is a
// configuration error naming the parameter, never silently dropped (which would open
// the adapter with its default, e.g. the real sandbox for a mistyped base URL) and
// never echoing the value.
func TestOpenRefusesMalformedQueries(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ url, name string }{
		{"mem://?currencies=GBP&base_url=http://127.0.0.1:8080/api/v1/%zz", "base_url"},
		{"mem://?currencies=GBP;x", "currencies"},
		{"mem://?currencies=GBP&username=bad%00user", "username"},
		{"mem://?currencies=GBP&username=bad%0Aname", "username"},
		{"mem://?currencies=GBP&currencies=SEK", "currencies"},
		{"mem://?currencies=GBP&%zz=1", "%zz"},
	} {
		_, err := paybridge.Open(ctx, c.url)
		if !errors.Is(err, paybridge.ErrInvalidRequest) || !strings.Contains(err.Error(), strconv.Quote(c.name)) {
			t.Errorf("Open(%q) = %v; want ErrInvalidRequest naming parameter %q", c.url, err, c.name)
			continue
		}
		for _, value := range []string{"127.0.0.1", "bad", "SEK"} {
			if strings.Contains(err.Error(), value) {
				t.Errorf("Open(%q) error echoes the value %q: %v", c.url, value, err)
			}
		}
	}
}

// TestCodeOfAWrappedError: callers wrap the Gateway's errors with their own context; the
// code is still the Gateway's, as CodeOf promises for an error in the chain.
func TestCodeOfAWrappedError(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	gw := paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}))
	_, err := gw.Pay(context.Background(), paybridge.PaymentRequest{})
	if got := paybridge.CodeOf(fmt.Errorf("checkout order 7: %w", err)); got != paybridge.CodeInvalidRequest {
		t.Fatalf("CodeOf(wrapped %v) = %v; want %v", err, got, paybridge.CodeInvalidRequest)
	}
}
