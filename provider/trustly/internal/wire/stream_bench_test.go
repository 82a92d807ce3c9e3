package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// BenchmarkStreamArrayResult decodes and verifies signed AccountLedger answers of 10,000,
// 100,000 and 1,000,000 rows, and in the same iterations decodes the same bytes with a
// plain json.Decoder pass into a struct per row (no verification). It reports ns/row for
// both and "x-plain", the streaming time divided by the plain one.
func BenchmarkStreamArrayResult(b *testing.B) {
	_, pub := testKeys(b)
	type row struct {
		UserID, Datestamp, OrderID, AccountName, MessageID, TransactionType, Currency, Amount, GluepayID string
	}
	for _, rows := range []int{10_000, 100_000, 1_000_000} {
		b.Run("rows="+strconv.Itoa(rows), func(b *testing.B) {
			body := ledgerBody(b, rows, true, nil)
			var plain, streamed time.Duration
			for b.Loop() {
				start := time.Now()
				dec := json.NewDecoder(bytes.NewReader(body))
				for {
					t, err := dec.Token()
					if err != nil {
						b.Fatal(err)
					}
					if t == "data" {
						break
					}
				}
				if _, err := dec.Token(); err != nil {
					b.Fatal(err)
				}
				n := 0
				var r row
				for dec.More() {
					if err := dec.Decode(&r); err != nil {
						b.Fatal(err)
					}
					n++
				}
				mid := time.Now()
				m := 0
				err := StreamArrayResult(bytes.NewReader(body), pub, ledgerMethod, testUUID, func(e *Element) error {
					if _, ok := e.Bytes("orderid"); !ok {
						return fmt.Errorf("row %d has no orderid", m)
					}
					m++
					return nil
				})
				if err != nil || n != rows || m != rows {
					b.Fatalf("%d and %d rows: %v", n, m, err)
				}
				plain, streamed = plain+mid.Sub(start), streamed+time.Since(mid)
			}
			perRow := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) / float64(rows) }
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(perRow(plain), "plain-ns/row")
			b.ReportMetric(perRow(streamed), "ns/row")
			b.ReportMetric(float64(streamed)/float64(plain), "x-plain")
		})
	}
}
