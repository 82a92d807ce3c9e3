package report

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/provider/trustly/internal/wire"
)

// The AccountLedger benchmark reads the same signed answer of 10,000, 100,000 and
// 1,000,000 rows two ways in every iteration, one after the other:
//
//   - plain: a json.Decoder pass that decodes each row into a struct of strings, with no
//     verification and nothing kept (the least any client must do);
//   - verified: what AccountLedger does once the body arrives: decode it as a token stream,
//     hash each row into the signature's digest, spool it, verify the signature, then
//     read the rows back from the spool as LedgerEntry values (exact decimals included).
//
// It reports ns/row for each and "x-plain", the verified time divided by the plain one.

var benchKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// benchLedgerBody is a signed AccountLedger answer of n rows shaped like Trustly's, the
// signature first.
func benchLedgerBody(b *testing.B, key *rsa.PrivateKey, id string, n int) []byte {
	b.Helper()
	row := func(i int) []wire.Member {
		order := strconv.Itoa(3_200_000_000 + i)
		amount := strconv.Itoa(i%5000) + "." + strconv.Itoa(10+i%90) + "000000000000000000"
		if i%3 == 2 {
			amount = "-" + amount
		}
		return []wire.Member{{Name: "userid", Value: "3839426635"}, {Name: "datestamp", Value: "2014-01-30 13:28:45.652299+01"},
			{Name: "orderid", Value: order}, {Name: "accountname", Value: "SUSPENSE_ACCOUNT_CLIENT_FUNDS_SWEDEN_ESSE"},
			{Name: "messageid", Value: "order-" + strconv.Itoa(i)}, {Name: "transactiontype", Value: "User deposit of client funds"},
			{Name: "currency", Value: "EUR"}, {Name: "amount", Value: amount}, {Name: "gluepayid", Value: order}}
	}
	s := wire.NewSigner("AccountLedger", id)
	for i := range n {
		if err := s.WriteObject(row(i)); err != nil {
			b.Fatal(err)
		}
	}
	sig, err := s.Sign(key)
	if err != nil {
		b.Fatal(err)
	}
	var body bytes.Buffer
	w := wire.NewArrayResultWriter(&body, "AccountLedger", id, sig)
	for i := range n {
		if err := w.WriteObject(row(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(""); err != nil {
		b.Fatal(err)
	}
	return body.Bytes()
}

// plainRow is a ledger row as a plain decode reads it.
type plainRow struct {
	UserID          string `json:"userid"`
	Datestamp       string `json:"datestamp"`
	OrderID         string `json:"orderid"`
	AccountName     string `json:"accountname"`
	MessageID       string `json:"messageid"`
	TransactionType string `json:"transactiontype"`
	Currency        string `json:"currency"`
	Amount          string `json:"amount"`
	GluepayID       string `json:"gluepayid"`
}

// plainLedger decodes the rows of body with a json.Decoder and nothing else.
func plainLedger(body []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	depth, n := 0, 0
	for {
		t, err := dec.Token()
		if err != nil {
			return n, err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		case "data":
			if depth != 2 {
				continue
			}
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return n, fmt.Errorf("data is %v: %v", t, err)
			}
			var row plainRow
			for dec.More() {
				if err := dec.Decode(&row); err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		}
	}
}

// verifiedLedger reads body as AccountLedger does.
func verifiedLedger(body []byte, pub *rsa.PublicKey, id string) (int, error) {
	l, err := ReadLedger(bytes.NewReader(body), pub, id)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	n := 0
	for e, err := range l.Entries(context.Background()) {
		if err != nil {
			return n, err
		}
		if e.OrderID == "" {
			return n, io.ErrUnexpectedEOF
		}
		n++
	}
	return n, nil
}

func BenchmarkAccountLedger(b *testing.B) {
	key, err := benchKey()
	if err != nil {
		b.Fatal(err)
	}
	id := uuid.NewString()
	for _, rows := range []int{10_000, 100_000, 1_000_000} {
		b.Run("rows="+strconv.Itoa(rows), func(b *testing.B) {
			body := benchLedgerBody(b, key, id, rows)
			var plain, verified time.Duration
			for b.Loop() {
				start := time.Now()
				if n, err := plainLedger(body); err != nil || n != rows {
					b.Fatalf("plain: %d rows, %v", n, err)
				}
				mid := time.Now()
				if n, err := verifiedLedger(body, &key.PublicKey, id); err != nil || n != rows {
					b.Fatalf("verified: %d rows, %v", n, err)
				}
				plain, verified = plain+mid.Sub(start), verified+time.Since(mid)
			}
			perRow := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) / float64(rows) }
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(perRow(plain), "plain-ns/row")
			b.ReportMetric(perRow(verified), "ns/row")
			b.ReportMetric(float64(verified)/float64(plain), "x-plain")
			b.ReportMetric(float64(len(body))/float64(rows), "B/row")
		})
	}
}
