// Package report reads Trustly JSON-RPC's large signed reports, AccountLedger and the
// settlement report of ViewAutomaticSettlementDetailsCSV, whose answers can hold millions
// of rows.
//
// Both are read as they arrive: the body is decoded as a token stream and its rows are fed
// into the SHA-1 digest the answer's signature covers, so memory use does not depend on
// the size of the report. No row is handed out before the signature over the whole answer
// has verified: until then the rows wait in a spool (in memory up to a few megabytes,
// beyond that in an encrypted temporary file deleted from its directory as soon as it is
// created), and an answer that fails verification hands out no row at all, only the
// error. The trustly package's Client sends the requests; this package reads the answers,
// whoever fetched them.
package report

import (
	"context"
	"crypto/rsa"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/provider"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// The JSON-RPC methods whose answers this package reads.
const (
	LedgerMethod     = "AccountLedger"
	SettlementMethod = "ViewAutomaticSettlementDetailsCSV"
)

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

// Ledger is a verified AccountLedger answer, held until its entries have been read.
type Ledger struct{ sp spool }

// ReadLedger reads the AccountLedger answer to the request with the given uuid from body,
// verifying its signature with Trustly's public key pub. It returns only once the whole
// answer has been read: nil and the error when the answer does not verify, breaks off, or
// holds a row that cannot be read (an amount that is not a decimal). The caller closes
// the Ledger.
func ReadLedger(body io.Reader, pub *rsa.PublicKey, uuid string) (*Ledger, error) {
	l := &Ledger{}
	if err := spoolLedger(body, pub, uuid, &l.sp); err != nil {
		l.sp.Close()
		return nil, err
	}
	return l, nil
}

// Entries yields the ledger's entries in the order Trustly sent them, stopping at the
// first error (yielded with a zero LedgerEntry) or when ctx ends.
func (l *Ledger) Entries(ctx context.Context) iter.Seq2[LedgerEntry, error] {
	return ledgerEntries(ctx, &l.sp)
}

// Close releases the memory and the temporary file that hold the ledger.
func (l *Ledger) Close() { l.sp.Close() }

// settlementMember is the member of the ViewAutomaticSettlementDetailsCSV answer that
// holds the report.
const settlementMember = "view_automatic_settlement_details"

// Settlement is a verified settlement report, held until its lines have been read.
type Settlement struct{ sp spool }

// ReadSettlement reads the ViewAutomaticSettlementDetailsCSV answer to the request with
// the given uuid from body, verifying its signature with Trustly's public key pub. Trustly
// sends the report as CSV text inside one signed string. It returns only once the whole
// answer has been read: nil and the error when it does not verify or breaks off. The
// caller closes the Settlement.
func ReadSettlement(body io.Reader, pub *rsa.PublicKey, uuid string) (*Settlement, error) {
	s := &Settlement{}
	err := wire.StreamStringResult(body, pub, SettlementMethod, uuid, settlementMember, &s.sp)
	if err == nil {
		err = s.sp.Finish()
	}
	if err != nil {
		s.sp.Close()
		return nil, err
	}
	return s, nil
}

// Records yields the report's lines. The first line of the report names the columns [I];
// lines are read by those names, case-insensitively, and columns this package does not
// know go to SettlementRecord.Other. A line that cannot be read (an amount that is not a
// decimal, broken quoting) ends the iteration with an error after the lines before it; so
// does the end of ctx.
func (s *Settlement) Records(ctx context.Context) iter.Seq2[SettlementRecord, error] {
	return settlementRecords(ctx, &s.sp)
}

// Close releases the memory and the temporary file that hold the report.
func (s *Settlement) Close() { s.sp.Close() }

// ledgerFields are the members of a ledger row, in the order a spooled record holds them.
var ledgerFields = [...]string{"userid", "datestamp", "orderid", "accountname", "messageid", "transactiontype",
	"currency", "amount", "gluepayid"}

const ledgerAmount = 7 // the index of amount in ledgerFields

// spoolLedger reads an AccountLedger answer from body into sp, one record per row: the
// lengths of the row's fields (uvarint) followed by their text. It returns nil only when
// the answer verified and every row could be read.
func spoolLedger(body io.Reader, pub *rsa.PublicKey, uuid string, sp *spool) error {
	var (
		rowErr error
		rec    []byte
		fields [len(ledgerFields)][]byte
	)
	err := wire.StreamArrayResult(body, pub, LedgerMethod, uuid, func(e *wire.Element) error {
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
			rowErr = &provider.Error{Code: provider.Internal, Message: "Trustly's " + LedgerMethod + " answer has no object rows"}
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
	if errors.Is(err, ErrSpool) {
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
