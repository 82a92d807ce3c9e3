package trustlysim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// SyntheticLedger adds generated entries to a merchant's AccountLedger and
// ViewAutomaticSettlementDetailsCSV answers, so that reports of any size can be tested.
// While a merchant has one, the simulator writes those two answers as a stream (hashing
// the rows for the signature as it generates them), so even a report of millions of rows
// takes constant memory on the simulator's side.
//
// Entry i (from 0) is dated Day, i·(24h/Rows) after midnight UTC, and has orderid and
// gluepayid 9000000000+i, messageid "ledger-i", accountname
// SUSPENSE_ACCOUNT_CLIENT_FUNDS and userid "1". Its kind cycles through Deposit, Deposit,
// Refund, AccountPayout; its amount is (i mod 99991)+1 minor units of Currency, negative
// for refunds and payouts, sent with 20 decimals in the ledger (as Trustly does) and 2 in
// the settlement report. Entry returns the same facts. The settlement report carries each
// entry as a line after the recorded ones, with the running total of its currency.
type SyntheticLedger struct {
	// Rows is the number of generated entries.
	Rows int
	// Day is the date (UTC) of the generated entries; the zero Day is today.
	Day time.Time
	// Currency of the generated entries (default EUR).
	Currency string
	// SignatureLast writes result.signature after result.data instead of before it. The
	// order of the members of result is not fixed (Trustly's own examples differ), so a
	// client must accept both.
	SignatureLast bool
	// CorruptLastRow changes the amount of the last entry (a ledger row, or a settlement
	// line) after the answer has been signed, as a corrupting intermediary would: the
	// answer then fails verification.
	CorruptLastRow bool
}

// SyntheticEntry is one generated entry of a SyntheticLedger.
type SyntheticEntry struct {
	// Datestamp is the entry's time as Trustly writes it, e.g. "2024-05-01 00:00:00.086400+00".
	Datestamp string
	OrderID   string
	MessageID string
	// Kind is Deposit, Refund or AccountPayout.
	Kind string
	// Amount is signed: negative for refunds and payouts.
	Amount money.Amount
}

// syntheticLedgers are the merchants' synthetic ledgers, by username.
type syntheticLedgers struct {
	sync.Mutex
	m map[string]SyntheticLedger
}

// SetSyntheticLedger gives a registered merchant a synthetic ledger, replacing any
// earlier one; the zero SyntheticLedger removes it. Answers that a SetChaos fault hits are
// written without the synthetic entries.
func (s *Server) SetSyntheticLedger(username string, l SyntheticLedger) error {
	if l == (SyntheticLedger{}) {
		s.synthetic.Lock()
		delete(s.synthetic.m, username)
		s.synthetic.Unlock()
		return nil
	}
	if l.Rows < 0 {
		return errors.New("trustlysim: SyntheticLedger.Rows is negative")
	}
	if l.Currency == "" {
		l.Currency = "EUR"
	}
	if checkCurrency(l.Currency) != nil {
		return fmt.Errorf("trustlysim: SyntheticLedger.Currency %q is not a currency the simulator accepts", l.Currency)
	}
	if l.Day.IsZero() {
		l.Day = time.Now()
	}
	l.Day = l.Day.UTC().Truncate(24 * time.Hour)
	s.mu.Lock()
	_, known := s.merchants[username]
	s.mu.Unlock()
	if !known {
		return fmt.Errorf("trustlysim: no merchant %q", username)
	}
	s.synthetic.Lock()
	defer s.synthetic.Unlock()
	if s.synthetic.m == nil {
		s.synthetic.m = map[string]SyntheticLedger{}
	}
	s.synthetic.m[username] = l
	return nil
}

func (s *Server) syntheticLedger(username string) (SyntheticLedger, bool) {
	s.synthetic.Lock()
	defer s.synthetic.Unlock()
	l, ok := s.synthetic.m[username]
	return l, ok
}

// Entry returns the i-th generated entry (from 0). Day and Currency are read as
// SetSyntheticLedger reads them: the zero Day is today (UTC), "" is EUR.
func (l SyntheticLedger) Entry(i int) SyntheticEntry {
	cur, err := money.ParseCurrency(l.Currency)
	if err != nil {
		cur = money.MustCurrency("EUR")
	}
	e := l.entry(i)
	return SyntheticEntry{Datestamp: e.datestamp, OrderID: e.orderID, MessageID: e.messageID, Kind: e.kind,
		Amount: money.FromMinorCurrency(e.minor, cur)}
}

// syntheticEntry is one generated entry, as text.
type syntheticEntry struct {
	datestamp, orderID, messageID, kind string
	minor                               int64
}

var syntheticKinds = [...]string{"Deposit", "Deposit", "Refund", "AccountPayout"}

func (l SyntheticLedger) entry(i int) syntheticEntry {
	day := l.Day
	if day.IsZero() {
		day = time.Now()
	}
	day = day.UTC().Truncate(24 * time.Hour)
	step := 24 * time.Hour / time.Duration(max(l.Rows, 1))
	minor := int64(i%99991) + 1
	kind := syntheticKinds[i%len(syntheticKinds)]
	if kind != "Deposit" {
		minor = -minor
	}
	return syntheticEntry{datestamp: timestamp(day.Add(time.Duration(i) * step)), orderID: strconv.Itoa(9_000_000_000 + i),
		messageID: "ledger-" + strconv.Itoa(i), kind: kind, minor: minor}
}

// decimalText writes minor units as a decimal with decimals digits after the point.
func decimalText(minor int64, decimals int) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	frac := strconv.FormatInt(minor%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(minor/100, 10) + "." + frac + strings.Repeat("0", decimals-2)
}

// streamReport writes the answer to an AccountLedger or ViewAutomaticSettlementDetailsCSV
// request of a merchant with a synthetic ledger, and reports whether it did. resp is the
// simulator's own answer to the request, which holds the recorded entries; error answers
// and faulted answers are left to the caller.
func (s *Server) streamReport(w http.ResponseWriter, fault simkit.Fault, body, resp []byte) bool {
	if fault != simkit.NoFault {
		return false
	}
	s.synthetic.Lock()
	none := len(s.synthetic.m) == 0
	s.synthetic.Unlock()
	if none {
		return false
	}
	req, err := wire.ParseRequest(body, wire.WithMaxBodySize(maxRequestBytes))
	if err != nil || (req.Method != "AccountLedger" && req.Method != "ViewAutomaticSettlementDetailsCSV") {
		return false
	}
	user, _ := req.Get("Username")
	l, ok := s.syntheticLedger(user)
	if !ok {
		return false
	}
	// A verified result for the request's method and UUID means the request passed every
	// check; its data is what the simulator recorded.
	res, err := wire.DecodeResponse(resp, s.PublicKey(), req.Method, req.UUID)
	if err != nil {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	if req.Method == "AccountLedger" {
		err = s.writeLedger(w, req, res, l)
	} else {
		err = s.writeSettlement(w, req, res, l)
	}
	if err != nil {
		// The answer is cut short; the client sees a broken body.
		panic(http.ErrAbortHandler)
	}
	return true
}

// writeLedger streams an AccountLedger answer: the recorded rows, then the generated ones.
func (s *Server) writeLedger(w io.Writer, req *wire.Request, res *wire.Result, l SyntheticLedger) error {
	recorded, _ := res.Data.([]any)
	from, _ := parseDate(str(req, "FromDate"))
	to, _ := parseDate(str(req, "ToDate"))
	n := 0
	if cur := str(req, "Currency"); !l.Day.Before(from) && l.Day.Before(to) && (cur == "" || cur == l.Currency) {
		n = l.Rows
	}
	rows := func(corrupt bool, out func(row []wire.Member) error) error {
		row := make([]wire.Member, 0, 9)
		for _, r := range recorded {
			obj, _ := r.(map[string]any)
			row = row[:0]
			for k, v := range obj {
				text, _ := wire.Scalar(v)
				row = append(row, wire.Member{Name: k, Value: text})
			}
			sort.Slice(row, func(i, j int) bool { return row[i].Name < row[j].Name })
			if err := out(row); err != nil {
				return err
			}
		}
		for i := range n {
			e := l.entry(i)
			amount := decimalText(e.minor, 20)
			if corrupt && i == n-1 {
				amount += "1"
			}
			row = append(row[:0], wire.Member{Name: "userid", Value: "1"}, wire.Member{Name: "datestamp", Value: e.datestamp},
				wire.Member{Name: "orderid", Value: e.orderID}, wire.Member{Name: "accountname", Value: "SUSPENSE_ACCOUNT_CLIENT_FUNDS"},
				wire.Member{Name: "messageid", Value: e.messageID}, wire.Member{Name: "transactiontype", Value: e.kind},
				wire.Member{Name: "currency", Value: l.Currency}, wire.Member{Name: "amount", Value: amount},
				wire.Member{Name: "gluepayid", Value: e.orderID})
			if err := out(row); err != nil {
				return err
			}
		}
		return nil
	}
	return s.writeSigned(w, req, l, func(sig string) *wire.ResultWriter {
		return wire.NewArrayResultWriter(w, req.Method, req.UUID, sig)
	}, func(sg *wire.Signer, rw *wire.ResultWriter, corrupt bool) error {
		return rows(corrupt, func(row []wire.Member) error {
			if sg != nil {
				if err := sg.WriteObject(row); err != nil {
					return err
				}
			}
			if rw != nil {
				return rw.WriteObject(row)
			}
			return nil
		})
	})
}

// writeSettlement streams a ViewAutomaticSettlementDetailsCSV answer: the recorded
// report, then a line per generated entry.
func (s *Server) writeSettlement(w io.Writer, req *wire.Request, res *wire.Result, l SyntheticLedger) error {
	const member = "view_automatic_settlement_details"
	data, _ := res.Data.(map[string]any)
	recorded, _ := data[member].(string)
	day, _ := parseDate(str(req, "SettlementDate"))
	n := 0
	if cur := str(req, "Currency"); day.Equal(l.Day) && (cur == "" || cur == l.Currency) {
		n = l.Rows
	}
	total := lastTotal(recorded, l.Currency)
	user := str(req, "Username")
	text := func(corrupt bool, out io.Writer) error {
		if _, err := io.WriteString(out, recorded); err != nil {
			return err
		}
		t := total
		var line []byte
		for i := range n {
			e := l.entry(i)
			t += e.minor
			amount := decimalText(e.minor, 2)
			if corrupt && i == n-1 {
				amount += "1"
			}
			line = append(line[:0], e.datestamp...)
			line = append(line, ",SUSPENSE_ACCOUNT_CLIENT_FUNDS,"...)
			line = append(append(line, l.Currency...), ',')
			line = append(append(line, amount...), ',')
			line = append(append(line, decimalText(t, 2)...), ',')
			line = append(append(line, e.orderID...), ',')
			line = append(append(line, e.kind...), ',')
			line = append(append(line, e.messageID...), ',')
			line = append(append(line, user...), ",,,,\n"...)
			if _, err := out.Write(line); err != nil {
				return err
			}
		}
		return nil
	}
	return s.writeSigned(w, req, l, func(sig string) *wire.ResultWriter {
		return wire.NewStringResultWriter(w, req.Method, req.UUID, member, sig)
	}, func(sg *wire.Signer, rw *wire.ResultWriter, corrupt bool) error {
		var outs []io.Writer
		if sg != nil {
			sg.WriteString(member)
			outs = append(outs, sg)
		}
		if rw != nil {
			outs = append(outs, rw)
		}
		return text(corrupt, io.MultiWriter(outs...))
	})
}

// writeSigned writes an answer whose data body produces, with the signature first or
// last. With the signature last and nothing to corrupt, one pass signs and writes;
// otherwise a first pass signs and a second writes.
func (s *Server) writeSigned(w io.Writer, req *wire.Request, l SyntheticLedger, open func(sig string) *wire.ResultWriter,
	body func(sg *wire.Signer, rw *wire.ResultWriter, corrupt bool) error) error {
	sg := wire.NewSigner(req.Method, req.UUID)
	if l.SignatureLast && !l.CorruptLastRow {
		rw := open("")
		if err := body(sg, rw, false); err != nil {
			return err
		}
		sig, err := sg.Sign(s.key)
		if err != nil {
			return err
		}
		return rw.Close(sig)
	}
	if err := body(sg, nil, false); err != nil {
		return err
	}
	sig, err := sg.Sign(s.key)
	if err != nil {
		return err
	}
	first, last := sig, ""
	if l.SignatureLast {
		first, last = "", sig
	}
	rw := open(first)
	if err := body(nil, rw, l.CorruptLastRow); err != nil {
		return err
	}
	return rw.Close(last)
}

// lastTotal returns, in minor units, the total of the last line in currency of a
// recorded settlement report (0 when there is none).
func lastTotal(report, currency string) int64 {
	r := csv.NewReader(strings.NewReader(report))
	r.FieldsPerRecord = -1
	var total int64
	for {
		rec, err := r.Read()
		if err != nil {
			return total
		}
		if len(rec) > 4 && rec[2] == currency {
			if a, err := money.New(rec[4], currency); err == nil {
				total = a.Minor()
			}
		}
	}
}

// str returns a string or number member of a request's Data.
func str(req *wire.Request, k string) string {
	v, _ := req.Get(k)
	return v
}

// LedgerRow is an entry PlantLedgerRow books on a merchant's ledger.
type LedgerRow struct {
	// OrderID and MessageID name the order the row belongs to; they need not name an
	// order the simulator knows.
	OrderID, MessageID string
	// AccountName is Trustly's accountname (e.g. TRANSACTION_FEE_BANK_DEPOSIT); ""
	// is SUSPENSE_ACCOUNT_CLIENT_FUNDS.
	AccountName string
	// TransactionType is the row's transactiontype (e.g. Deposit, Refund).
	TransactionType string
	// Amount is signed as it changes the merchant's balance.
	Amount money.Amount
	// At is when the row is booked; zero is now.
	At time.Time
}

// PlantLedgerRow books a row on a registered merchant's ledger (and balance) that no API
// call made: a fee, a back-office adjustment, or a planted discrepancy for a
// reconciliation test. AccountLedger and the settlement report carry it like any other.
func (s *Server) PlantLedgerRow(username string, r LedgerRow) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.merchants[username]
	if m == nil {
		return fmt.Errorf("trustlysim: unknown merchant %q", username)
	}
	if !r.Amount.IsValid() {
		return errors.New("trustlysim: a planted ledger row needs an amount")
	}
	at := r.At
	if at.IsZero() {
		at = time.Now()
	}
	cur := r.Amount.Currency().String()
	m.balance[cur] += r.Amount.Minor()
	m.ledger = append(m.ledger, ledgerEntry{at: at.UTC(), orderID: r.OrderID, messageID: r.MessageID, kind: r.TransactionType,
		account: r.AccountName, currency: cur, amount: r.Amount})
	sort.SliceStable(m.ledger, func(i, j int) bool { return m.ledger[i].at.Before(m.ledger[j].at) })
	return nil
}
