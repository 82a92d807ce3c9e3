package trustly

import (
	"context"
	"errors"
	"io"
	"iter"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
	"github.com/paybridge/paybridge/provider/trustly/report"
)

// AccountLedger and ViewAutomaticSettlementDetailsCSV can answer with millions of rows:
// this file sends their requests, and package report reads and verifies the answers as
// they stream in, handing out no row before the signature over the whole answer has
// verified.

// LedgerEntry is one row of AccountLedger.
type LedgerEntry = report.LedgerEntry

// SettlementRecord is one line of the settlement report of
// ViewAutomaticSettlementDetailsCSV (API version 1.2).
type SettlementRecord = report.SettlementRecord

// AccountLedger iterates over the ledger entries from from (inclusive) to to (exclusive),
// by date, in currency (empty for all currencies).
//
// Every entry it yields has been verified: the iterator reads Trustly's whole answer,
// checking the signature as the rows stream in, and yields the first entry only once the
// signature over all of them has verified. Until then the entries wait in a spool: in
// memory up to a few megabytes, beyond that in a temporary file (in os.TempDir) that is
// encrypted with a key held only in memory and deleted from its directory as soon as it is
// created. So a report of any size takes the same memory, the first entry arrives only
// after the last one has been downloaded, and an answer that fails verification (or that
// breaks off) yields no entry, only the error. A row Trustly signed but this package
// cannot read (an amount that is not a decimal) also fails the whole answer.
//
// The iterator stops at the first error, which it yields with a zero LedgerEntry. Each
// iteration sends a new request; the context bounds the download and the iteration. With
// the Client's own HTTP client (Config.HTTPClient nil) the 30-second timeout applies to
// each wait for data rather than to the whole download; a Config.HTTPClient's Timeout
// bounds the whole exchange.
func (c *Client) AccountLedger(ctx context.Context, from, to time.Time, currency string) iter.Seq2[LedgerEntry, error] {
	return func(yield func(LedgerEntry, error) bool) {
		if !to.After(from) {
			yield(LedgerEntry{}, provider.FieldError("to", "must be after from"))
			return
		}
		r := &rpc{method: report.LedgerMethod, uuid: uuid.NewString(), data: map[string]any{
			"FromDate": from.Format(dateLayout), "ToDate": to.Format(dateLayout), "Currency": nullable(currency)}}
		var l *report.Ledger
		err := c.report(ctx, r, func(body io.Reader) (err error) {
			l, err = report.ReadLedger(body, c.s.trustlyPub, r.uuid)
			return err
		})
		if err != nil {
			yield(LedgerEntry{}, err)
			return
		}
		defer l.Close()
		for e, err := range l.Entries(ctx) {
			if !yield(e, err) || err != nil {
				return
			}
		}
	}
}

// ViewAutomaticSettlementDetailsCSV iterates over the lines of the settlement report (API
// version 1.2) of one settlement date, in currency (empty for all).
//
// Trustly sends the report as CSV text inside one signed string. The iterator streams it
// like AccountLedger does its rows (see there for the spool, the context and the
// timeout): it yields the first line only once the signature over the whole report has
// verified, so every line it yields is verified, and a report that fails verification
// yields no line, only the error. The first line of the report names the columns [I];
// lines are then read by those names, case-insensitively, and columns this package does
// not know go to SettlementRecord.Other. A line that cannot be read (an amount that is not
// a decimal, broken quoting) ends the iteration with an error after the lines before it.
func (c *Client) ViewAutomaticSettlementDetailsCSV(ctx context.Context, settlementDate time.Time, currency string) iter.Seq2[SettlementRecord, error] {
	return func(yield func(SettlementRecord, error) bool) {
		r := &rpc{method: report.SettlementMethod, uuid: uuid.NewString(), data: map[string]any{
			"SettlementDate": settlementDate.Format(dateLayout), "Currency": nullable(currency),
			"Attributes": map[string]any{"APIVersion": "1.2"}}}
		var s *report.Settlement
		err := c.report(ctx, r, func(body io.Reader) (err error) {
			s, err = report.ReadSettlement(body, c.s.trustlyPub, r.uuid)
			return err
		})
		if err != nil {
			yield(SettlementRecord{}, err)
			return
		}
		defer s.Close()
		for rec, err := range s.Records(ctx) {
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// errStalled is the cause of a report download that Trustly stopped sending.
var errStalled = errors.New("trustly: no data for the idle timeout")

// report sends the request r and hands the answer's body to decode, which reads and
// verifies it. It maps the outcome as call does for other requests (reportFailure).
func (c *Client) report(ctx context.Context, r *rpc, decode func(body io.Reader) error) error {
	hc, idle := c.reportClient()
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := c.request(dctx, r)
	if err != nil {
		return err
	}
	var stall *time.Timer
	if idle > 0 {
		stall = time.AfterFunc(idle, func() { cancel(errStalled) })
		defer stall.Stop()
	}
	resp, err := transport.Open(hc, req, "Trustly")
	if err != nil {
		return c.reportFailure(ctx, dctx, r, nil, err)
	}
	defer resp.Body.Close()
	var in io.Reader = resp.Body
	if stall != nil {
		in = &stallReader{r: resp.Body, t: stall, d: idle}
	}
	if err := decode(in); err != nil {
		return c.reportFailure(ctx, dctx, r, resp, err)
	}
	return nil
}

// reportClient returns the HTTP client for a report and the idle timeout to apply. The
// Client's own HTTP client has an overall timeout, which a long download would exceed: a
// copy without it is used, and its timeout bounds each wait for data instead.
func (c *Client) reportClient() (*http.Client, time.Duration) {
	if !c.s.ownClient || c.s.httpClient.Timeout == 0 {
		return c.s.httpClient, 0
	}
	hc := *c.s.httpClient
	hc.Timeout = 0
	return &hc, c.s.httpClient.Timeout
}

// stallReader pushes the idle timer back whenever data arrives.
type stallReader struct {
	r io.Reader
	t *time.Timer
	d time.Duration
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.t.Reset(s.d)
	}
	return n, err
}

// reportFailure maps the failure of a report: resp is the answer, nil when none came.
// The transport's rule applies (transport.Open, BodyFailure), to an answer that breaks off
// midway or stops coming for the idle timeout as to one that never came; a failure of the
// spool is Internal; an answer read whole that is not a verified result is answerError's,
// as for every call.
func (c *Client) reportFailure(ctx, dctx context.Context, r *rpc, resp *http.Response, err error) error {
	var pe *provider.Error
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(context.Cause(dctx), errStalled):
		// The idle timer ended the download: Trustly stopped sending, after the request was
		// written (the timer runs from the start).
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return &provider.Error{Code: provider.UnknownOutcome, HTTPStatus: status, Err: errStalled,
			Message: "Trustly stopped sending the " + r.method + " answer; the request may have been processed"}
	case resp == nil:
		return err // transport.Open's classification
	case errors.Is(err, wire.ErrBodyRead):
		return transport.BodyFailure(ctx, "Trustly", resp, err)
	case errors.Is(err, report.ErrSpool):
		return &provider.Error{Code: provider.Internal, HTTPStatus: resp.StatusCode, Err: err, Message: "spooling the " + r.method + " answer"}
	case errors.As(err, &pe):
		return err
	}
	return c.answerError(ctx, r, transport.Exchange{Written: true, Status: resp.StatusCode}, err)
}
