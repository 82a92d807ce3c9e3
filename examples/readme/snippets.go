// Package readme holds the Go snippets of the README beyond its quick start (which is
// examples/quickstart), each between a "readme:begin" and a "readme:end" comment, so that
// they compile with the module; its test checks that the README shows them as they are
// here.
package readme

import (
	"context"
	"os"
	"testing"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
)

func beforeSend() paybridge.PaymentRequest {
	// readme:begin
	req := paybridge.PaymentRequest{ /* ... */
		BeforeSend: func(as func(any) bool) error {
			var body **trustist.PaymentBody
			if as(&body) {
				(*body).Workflow = &trustist.Workflow{Mode: trustist.WorkflowRemoteOnly}
			}
			return nil
		}}
	// readme:end
	return req
}

func sharedJournal(ctx context.Context, providerURL string) error {
	// readme:begin
	j, err := pgjournal.Open(ctx, os.Getenv("DATABASE_URL")) // one table; Migrate creates it
	if err != nil {
		return err
	}
	defer j.Close() // the pool Open made
	if err := j.Migrate(ctx); err != nil {
		return err
	}
	gw, err := paybridge.Open(ctx, providerURL, paybridge.WithJournal(j))
	// readme:end
	if err == nil {
		_ = gw.Close()
	}
	return err
}

// TestConformance is not a test of this package (the file is not a _test.go file): it is
// the README's shortest adapter test, compiled.
//
// readme:begin
func TestConformance(t *testing.T) {
	h, cleanup, err := trustlysim.ConformanceHarness() // the simulator and a harness for it
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	conformance.RunConformanceTests(t, h)
}

// readme:end

var _, _ = beforeSend, sharedJournal
