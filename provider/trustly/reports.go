package trustly

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// AccountLedger and ViewAutomaticSettlementDetailsCSV can answer with millions of rows.
// Both stream the answer: the body is decoded as it arrives and its rows are fed into the
// SHA-1 digest the response signature covers, so memory use does not depend on the size
// of the report. No row is delivered before the signature over the whole answer has been
// verified: until then the decoded rows wait in a spool (see spool), and an answer that
// fails verification delivers no row at all, only the error.

// LedgerEntry is one row of AccountLedger.
type LedgerEntry struct {
	UserID          string
	Datestamp       string // as Trustly sends it, e.g. "2014-03-31 11:50:06.46106+00"
	OrderID         string
	AccountName     string
	MessageID       string
	TransactionType string
	Currency        string
	// Amount is exact; Trustly sends up to 20 decimals.
	Amount    decimal.Decimal
	GluepayID string
}

// SettlementRecord is one line of the settlement report of
// ViewAutomaticSettlementDetailsCSV (API version 1.2), read by the names in the report's
// header line.
type SettlementRecord struct {
	Datestamp   string // as Trustly sends it
	AccountName string
	Currency    string
	// Amount is the line's amount, exact.
	Amount decimal.Decimal
	// Total is the running total Trustly reports, when the line has one.
	Total      decimal.NullDecimal
	OrderID    string
	OrderType  string
	MessageID  string
	Username   string
	FXAmount   decimal.NullDecimal // column fxpaymentamount
	FXCurrency string              // column fxpaymentcurrency
	// SettlementBankWithdrawalID is the settlementbankwithdrawalid column.
	SettlementBankWithdrawalID string
	// ExternalReference is the extraref column (externalreference in some reports).
	ExternalReference string
	// Other holds the columns this package does not name, by their header name; nil when
	// there are none.
	Other map[string]string
}

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
		r := &rpc{method: "AccountLedger", uuid: uuid.NewString(), data: map[string]any{
			"FromDate": from.Format(dateLayout), "ToDate": to.Format(dateLayout), "Currency": nullable(currency)}}
		sp := &spool{}
		defer sp.Close()
		err := c.report(ctx, r, func(body io.Reader) error { return spoolLedger(body, c.s.trustlyPub, r, sp) })
		if err != nil {
			yield(LedgerEntry{}, err)
			return
		}
		for e, err := range ledgerEntries(ctx, sp) {
			if !yield(e, err) || err != nil {
				return
			}
		}
	}
}

// ledgerFields are the members of a ledger row, in the order a spooled record holds them.
var ledgerFields = [...]string{"userid", "datestamp", "orderid", "accountname", "messageid", "transactiontype",
	"currency", "amount", "gluepayid"}

const ledgerAmount = 7 // the index of amount in ledgerFields

// spoolLedger reads an AccountLedger answer from body into sp, one record per row: the
// lengths of the row's fields (uvarint) followed by their text. It returns nil only when
// the answer verified and every row could be read.
func spoolLedger(body io.Reader, pub *rsa.PublicKey, r *rpc, sp *spool) error {
	var (
		rowErr error
		rec    []byte
		fields [len(ledgerFields)][]byte
	)
	err := wire.StreamArrayResult(body, pub, r.method, r.uuid, func(e *wire.Element) error {
		fields = [len(ledgerFields)][]byte{}
		for name, v := range e.Scalars() {
			switch string(name) {
			case "userid":
				fields[0] = v
			case "datestamp":
				fields[1] = v
			case "orderid":
				fields[2] = v
			case "accountname":
				fields[3] = v
			case "messageid":
				fields[4] = v
			case "transactiontype":
				fields[5] = v
			case "currency":
				fields[6] = v
			case "amount":
				fields[7] = v
			case "gluepayid":
				fields[8] = v
			}
		}
		if rowErr == nil && !e.IsObject() {
			rowErr = badAnswer(r.method, "object rows")
		}
		if rowErr == nil && !plainDecimal(fields[ledgerAmount]) {
			rowErr = notDecimal("amount", fields[ledgerAmount])
		}
		rec = rec[:0]
		for _, f := range fields {
			rec = binary.AppendUvarint(rec, uint64(len(f)))
		}
		for _, f := range fields {
			rec = append(rec, f...)
		}
		_, err := sp.Write(rec)
		return err
	})
	if err != nil {
		return err
	}
	if rowErr != nil {
		return rowErr
	}
	return sp.Finish()
}

// ledgerEntries yields the entries of a spooled, verified AccountLedger answer.
func ledgerEntries(ctx context.Context, sp *spool) iter.Seq2[LedgerEntry, error] {
	return func(yield func(LedgerEntry, error) bool) {
		cur, err := sp.cursor()
		if err != nil {
			yield(LedgerEntry{}, err)
			return
		}
		for {
			chunk, err := cur.next()
			if err == nil {
				err = ctx.Err()
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(LedgerEntry{}, err)
				return
			}
			for len(chunk) > 0 {
				var lens [len(ledgerFields)]int
				total := 0
				for i := range lens {
					n, k := binary.Uvarint(chunk)
					chunk = chunk[k:]
					lens[i] = int(n)
					total += int(n)
				}
				// One string holds the whole row; the fields are slices of it.
				text := string(chunk[:total])
				chunk = chunk[total:]
				var f [len(ledgerFields)]string
				off := 0
				for i, n := range lens {
					f[i] = text[off : off+n]
					off += n
				}
				amount, err := decimal.NewFromString(f[ledgerAmount])
				if err != nil {
					yield(LedgerEntry{}, notDecimal("amount", []byte(f[ledgerAmount])))
					return
				}
				if !yield(LedgerEntry{UserID: f[0], Datestamp: f[1], OrderID: f[2], AccountName: f[3], MessageID: f[4],
					TransactionType: f[5], Currency: f[6], Amount: amount, GluepayID: f[8]}, nil) {
					return
				}
			}
		}
	}
}

// plainDecimal reports whether b is a decimal as Trustly writes amounts: an optional
// minus sign, digits, and optionally a point followed by digits.
func plainDecimal(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	digits, point := 0, false
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i < len(b)-1:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

func notDecimal(field string, text []byte) error {
	return &provider.Error{Code: provider.Internal, Message: fmt.Sprintf("Trustly sent %s %q, not a decimal", field, text)}
}

// settlementMember is the member of the ViewAutomaticSettlementDetailsCSV answer that
// holds the report.
const settlementMember = "view_automatic_settlement_details"

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
		r := &rpc{method: "ViewAutomaticSettlementDetailsCSV", uuid: uuid.NewString(), data: map[string]any{
			"SettlementDate": settlementDate.Format(dateLayout), "Currency": nullable(currency),
			"Attributes": map[string]any{"APIVersion": "1.2"}}}
		sp := &spool{}
		defer sp.Close()
		err := c.report(ctx, r, func(body io.Reader) error {
			if err := wire.StreamStringResult(body, c.s.trustlyPub, r.method, r.uuid, settlementMember, sp); err != nil {
				return err
			}
			return sp.Finish()
		})
		if err != nil {
			yield(SettlementRecord{}, err)
			return
		}
		for rec, err := range settlementRecords(ctx, sp) {
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// settlementRecords parses a spooled, verified settlement report.
func settlementRecords(ctx context.Context, sp *spool) iter.Seq2[SettlementRecord, error] {
	return func(yield func(SettlementRecord, error) bool) {
		cur, err := sp.cursor()
		if err != nil {
			yield(SettlementRecord{}, err)
			return
		}
		cr := csv.NewReader(&ctxReader{ctx: ctx, r: &spoolReader{c: cur}})
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err == io.EOF {
			return // an empty report
		}
		if err != nil {
			yield(SettlementRecord{}, settlementError(err))
			return
		}
		cols := make([]string, len(header))
		known := false
		for i, h := range header {
			cols[i] = strings.ToLower(strings.TrimSpace(h))
			known = known || cols[i] == "amount"
		}
		if !known {
			yield(SettlementRecord{}, &provider.Error{Code: provider.Internal,
				Message: "Trustly's settlement report has no header line naming an amount column"})
			return
		}
		for {
			fields, err := cr.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(SettlementRecord{}, settlementError(err))
				return
			}
			rec, err := settlementRecord(cols, fields)
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// settlementRecord builds a record from one line; cols are the lower-case column names.
func settlementRecord(cols, fields []string) (SettlementRecord, error) {
	var rec SettlementRecord
	var amount string
	for i, v := range fields {
		if i >= len(cols) {
			return SettlementRecord{}, &provider.Error{Code: provider.Internal,
				Message: fmt.Sprintf("a line of Trustly's settlement report has %d fields, its header %d", len(fields), len(cols))}
		}
		var err error
		switch cols[i] {
		case "datestamp":
			rec.Datestamp = v
		case "accountname":
			rec.AccountName = v
		case "currency":
			rec.Currency = v
		case "amount":
			amount = v
		case "total":
			rec.Total, err = optionalDecimal("total", v)
		case "orderid":
			rec.OrderID = v
		case "ordertype":
			rec.OrderType = v
		case "messageid":
			rec.MessageID = v
		case "username":
			rec.Username = v
		case "fxpaymentamount":
			rec.FXAmount, err = optionalDecimal("fxpaymentamount", v)
		case "fxpaymentcurrency":
			rec.FXCurrency = v
		case "settlementbankwithdrawalid":
			rec.SettlementBankWithdrawalID = v
		case "extraref", "externalreference":
			rec.ExternalReference = v
		default:
			if rec.Other == nil {
				rec.Other = map[string]string{}
			}
			rec.Other[cols[i]] = v
		}
		if err != nil {
			return SettlementRecord{}, err
		}
	}
	d, err := decimal.NewFromString(amount)
	if err != nil || !plainDecimal([]byte(amount)) {
		return SettlementRecord{}, notDecimal("amount", []byte(amount))
	}
	rec.Amount = d
	return rec, nil
}

func optionalDecimal(field, v string) (decimal.NullDecimal, error) {
	if v == "" {
		return decimal.NullDecimal{}, nil
	}
	d, err := decimal.NewFromString(v)
	if err != nil || !plainDecimal([]byte(v)) {
		return decimal.NullDecimal{}, notDecimal(field, []byte(v))
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}, nil
}

func settlementError(err error) error {
	var pe *provider.Error
	if errors.As(err, &pe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, errSpool) {
		return &provider.Error{Code: provider.Internal, Message: "reading the spooled settlement report", Err: err}
	}
	return &provider.Error{Code: provider.Internal, Message: "Trustly's settlement report cannot be read as CSV", Err: err}
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// errStalled is the cause of a report download that Trustly stopped sending.
var errStalled = errors.New("trustly: no data for the idle timeout")

// report sends the request r and hands the answer's body to decode, which reads and
// verifies it. It maps the outcome as exchange does for other reads.
func (c *Client) report(ctx context.Context, r *rpc, decode func(body io.Reader) error) error {
	if c.closed.Load() {
		return &provider.Error{Code: provider.InvalidRequest, Message: errClosed.Error()}
	}
	body, err := wire.EncodeRequest(c.s.key, r.method, r.uuid, c.fullData(r))
	if err != nil {
		return &provider.Error{Code: provider.Internal, Message: "encoding the " + r.method + " request", Err: err}
	}
	hc, idle := c.reportClient()
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(dctx, http.MethodPost, c.s.endpoint, bytes.NewReader(body))
	if err != nil {
		return &provider.Error{Code: provider.Internal, Message: "building the " + r.method + " request", Err: err}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	var stall *time.Timer
	if idle > 0 {
		stall = time.AfterFunc(idle, func() { cancel(errStalled) })
		defer stall.Stop()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return c.reportFailure(ctx, dctx, r, 0, scrubURLError(err))
	}
	defer resp.Body.Close()
	if transport.Classify(transport.Exchange{Written: true, Status: resp.StatusCode}) == transport.Redirected {
		return redirectError(resp)
	}
	var in io.Reader = resp.Body
	if stall != nil {
		in = &stallReader{r: resp.Body, t: stall, d: idle}
	}
	if err := decode(in); err != nil {
		return c.reportFailure(ctx, dctx, r, resp.StatusCode, err)
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

// reportFailure maps the failure of a report: answerError, as for every call, plus
// answers that break off midway and failures of the spool.
func (c *Client) reportFailure(ctx, dctx context.Context, r *rpc, status int, err error) error {
	var pe *provider.Error
	switch {
	case ctx.Err() != nil:
		return c.giveUp(ctx, r, false, status, ctx.Err())
	case errors.Is(context.Cause(dctx), errStalled):
		return &provider.Error{Code: provider.ProviderUnavailable, HTTPStatus: status, Err: errStalled,
			Message: "Trustly stopped sending the " + r.method + " answer"}
	case errors.Is(err, wire.ErrBodyRead):
		return &provider.Error{Code: provider.ProviderUnavailable, HTTPStatus: status, Err: err,
			Message: "the " + r.method + " answer broke off"}
	case errors.Is(err, errSpool):
		return &provider.Error{Code: provider.Internal, HTTPStatus: status, Err: err, Message: "spooling the " + r.method + " answer"}
	case errors.As(err, &pe):
		return err
	case status == 0:
		return c.giveUp(ctx, r, false, 0, err)
	}
	return c.answerError(ctx, r, transport.Exchange{Written: true, Status: status}, err)
}
