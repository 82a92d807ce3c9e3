package conformance_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/memprovider"
)

// TestConformance is the adapter test the package documentation shows; it runs the suite
// against the in-memory provider. TestPackageDocShowsTestConformance keeps the two equal.
func TestConformance(t *testing.T) {
	b := memprovider.NewBackend()
	defer b.Close()
	conformance.RunConformanceTests(t, conformance.Harness{
		NewGateway: func(_ context.Context, _ conformance.T, opts ...paybridge.Option) *paybridge.Gateway {
			return paybridge.New(memprovider.New(memprovider.Config{Backend: b, APIKey: b.APIKey()}), opts...)
		},
		EndUser:               b.EndUser(), // approves, declines and abandons hosted pages
		Currency:              money.MustCurrency("GBP"),
		Payer:                 paybridge.Person{ID: "user-1", Email: "ada@example.com", Country: "GB"},
		Account:               paybridge.BankAccount{HolderName: "Ada Lovelace", IBAN: "GB29NWBK60161331926819"},
		Requests:              b.Requests, // proves invalid requests are refused before sending
		LoopbackNotifications: true,
		Secrets:               []string{b.APIKey().Reveal(), b.WebhookKey().Reveal()},
		As: conformance.AsTargets{
			Gateway: []any{new(*memprovider.Client), new(*memprovider.Backend)},
			Request: []any{new(*memprovider.PaymentOptions)}, // what a Pay's BeforeSend hook reaches
			Payment: []any{new(*memprovider.PaymentDetail)},  // what Payment.As reaches
		},
	})
}

// TestPackageDocShowsTestConformance checks that the example in the package documentation
// is, line for line, the TestConformance above, so the documented test compiles and passes.
func TestPackageDocShowsTestConformance(t *testing.T) {
	fset := token.NewFileSet()
	pkg, err := parser.ParseFile(fset, "harness.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if pkg.Doc == nil {
		t.Fatal("harness.go carries no package documentation")
	}
	var doc []string
	in := false
	for _, line := range strings.Split(pkg.Doc.Text(), "\n") {
		if line == "\tfunc TestConformance(t *testing.T) {" {
			in = true
		}
		if in {
			doc = append(doc, strings.TrimPrefix(line, "\t"))
			if line == "\t}" {
				break
			}
		}
	}
	if len(doc) == 0 || doc[len(doc)-1] != "}" {
		t.Fatal("the package documentation shows no complete func TestConformance(t *testing.T)")
	}

	src, err := os.ReadFile("doc_test.go")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(fset, "doc_test.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var code []string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "TestConformance" {
			code = strings.Split(string(src[fset.Position(fn.Pos()).Offset:fset.Position(fn.End()).Offset]), "\n")
		}
	}
	if code == nil {
		t.Fatal("doc_test.go has no TestConformance")
	}
	for i := range max(len(doc), len(code)) {
		var d, c string
		if i < len(doc) {
			d = doc[i]
		}
		if i < len(code) {
			c = code[i]
		}
		if d != c {
			t.Fatalf("package documentation and TestConformance differ at line %d:\ndoc:  %q\ncode: %q", i+1, d, c)
		}
	}
}
