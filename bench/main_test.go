package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReportTakesMediansAndJudgesTargets(t *testing.T) {
	in := `goos: linux
pkg: github.com/paybridge/paybridge/provider/trustly
BenchmarkPay-2   	 200	 3742404 ns/op	 1734735 floor-ns	 1.30 x-floor	 41824 B/op	 421 allocs/op
BenchmarkPay-2   	 200	 3742404 ns/op	 1734735 floor-ns	 1.05 x-floor	 41824 B/op	 421 allocs/op
BenchmarkPay-2   	 200	 3742404 ns/op	 1734735 floor-ns	 1.01 x-floor	 41824 B/op	 421 allocs/op
BenchmarkNotifications-2	 20	 98432510 ns/op	 1362 floor-notifications/s	 1244 notifications/s	 0.80 x-floor-rate
pkg: github.com/paybridge/paybridge
BenchmarkGatewayPayOverhead-2	 500000	 2500 ns/op	 744 B/op	 8 allocs/op
`
	samples, extra, err := read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	status := report(&out, samples, extra, false)
	got := out.String()
	for _, want := range []string{"Trustly JSON-RPC Pay ÷ floor", "1.050", "3       yes", "0.800", "NO", "not run", "BenchmarkGatewayPayOverhead: 2500 ns/op, 8 allocs/op"} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	if status != 2 {
		t.Errorf("status %d, want 2 (benchmarks missing)", status)
	}
}
