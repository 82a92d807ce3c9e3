package trustlyrest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// row is an item of a scripted listing: its key, and whether keep keeps it.
type row struct {
	id   string
	kept bool
}

func rows(ids ...string) []row {
	out := make([]row, len(ids))
	for i, id := range ids {
		out[i] = row{id: id, kept: true}
	}
	return out
}

// script serves its pages in turn, each with its "more", and records the startIndex of
// every page asked for. Past its last page it serves an empty last page, so that a listing
// that would not stop on its own still ends and its test fails on what it yielded.
type script struct {
	pages  [][]row
	more   []bool
	fail   map[int]error // the error of the n-th fetch, counted from 0
	starts []int
}

func (s *script) fetch(_ context.Context, start int) ([]row, bool, error) {
	n := len(s.starts)
	s.starts = append(s.starts, start)
	if err := s.fail[n]; err != nil {
		return nil, false, err
	}
	if n >= len(s.pages) {
		return nil, false, nil
	}
	return s.pages[n], s.more[n], nil
}

func (s *script) list(ctx context.Context) iter.Seq2[string, error] {
	keep := func(r row) (string, bool, error) {
		if strings.HasPrefix(r.id, "bad") {
			return "", false, fmt.Errorf("unreadable %s", r.id)
		}
		return r.id, r.kept, nil
	}
	return pageList(ctx, "rows", s.fetch, func(r row) string { return r.id }, keep)
}

// drain reads seq to its end: what it yielded, and its errors.
func drain(seq iter.Seq2[string, error]) (ids []string, errs []error) {
	for id, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, id)
	}
	return ids, errs
}

// A server that ignores startIndex answers the first page again and again, each time
// saying more follows: the listing must be refused once a page brings nothing new, not
// read for ever.
func TestPageListRefusesAPageThatRepeatsThePreviousOne(t *testing.T) {
	page := rows("a", "b")
	s := &script{pages: [][]row{page, page, page, page, page}, more: []bool{true, true, true, true, true}}
	ids, errs := drain(s.list(context.Background()))
	if !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("yielded %v, want [a b]", ids)
	}
	if len(errs) != 1 || provider.CodeOf(errs[0]) != provider.Internal || !strings.Contains(errs[0].Error(), "rows list") {
		t.Fatalf("errors %v, want one Internal error naming the rows list", errs)
	}
	if !slices.Equal(s.starts, []int{0, 2}) {
		t.Errorf("asked for startIndex %v, want [0 2]", s.starts)
	}
}

// An empty page that says more follows would be asked for again at the same startIndex:
// it is refused.
func TestPageListRefusesAnEmptyPageWithMore(t *testing.T) {
	s := &script{pages: [][]row{rows("a"), nil, rows("b")}, more: []bool{true, true, false}}
	ids, errs := drain(s.list(context.Background()))
	if !slices.Equal(ids, []string{"a"}) {
		t.Errorf("yielded %v, want [a]", ids)
	}
	if len(errs) != 1 || provider.CodeOf(errs[0]) != provider.Internal {
		t.Fatalf("errors %v, want one Internal error", errs)
	}
	if !slices.Equal(s.starts, []int{0, 1}) {
		t.Errorf("asked for startIndex %v, want [0 1]", s.starts)
	}
}

// A context cancelled while a page is read ends the listing before the next page is asked
// for, with the context's error (the script's fetch does not look at the context).
func TestPageListHonoursTheContextBetweenPages(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &script{pages: [][]row{rows("a", "b"), rows("c")}, more: []bool{true, false}}
	var ids []string
	var errs []error
	for id, err := range s.list(ctx) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, id)
		if id == "a" {
			cancel()
		}
	}
	if !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("yielded %v, want the first page's [a b]", ids)
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("errors %v, want context.Canceled", errs)
	}
	if !slices.Equal(s.starts, []int{0}) {
		t.Errorf("asked for startIndex %v after the cancel, want only [0]", s.starts)
	}
}

// A row that a page shares with the one before (pushed along by a row the listing gained)
// is yielded once, and the page is not refused, since it brings a new row as well. Each
// page starts where the last one ended.
func TestPageListYieldsARepeatAcrossPagesOnce(t *testing.T) {
	s := &script{pages: [][]row{rows("a", "b"), rows("b", "c"), rows("c", "d")}, more: []bool{true, true, false}}
	ids, errs := drain(s.list(context.Background()))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if !slices.Equal(ids, []string{"a", "b", "c", "d"}) {
		t.Errorf("yielded %v, want [a b c d]", ids)
	}
	if !slices.Equal(s.starts, []int{0, 2, 4}) {
		t.Errorf("asked for startIndex %v, want [0 2 4]", s.starts)
	}
}

// A row left out (a ledger's pending capture) is read again when it comes again, since it
// may have changed: it is yielded then, once.
func TestPageListReadsALeftOutRowAgain(t *testing.T) {
	s := &script{pages: [][]row{{{id: "a"}, {id: "b", kept: true}}, rows("a", "b", "c"), rows("a")}, more: []bool{true, true, false}}
	ids, errs := drain(s.list(context.Background()))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if !slices.Equal(ids, []string{"b", "a", "c"}) {
		t.Errorf("yielded %v, want [b a c]", ids)
	}
}

// fetch's and keep's errors end the listing as they are, and so does a caller that stops.
func TestPageListStopsAtTheFirstErrorAndWhenTheCallerStops(t *testing.T) {
	boom := errors.New("boom")
	s := &script{pages: [][]row{rows("a"), rows("b")}, more: []bool{true, true}, fail: map[int]error{1: boom}}
	ids, errs := drain(s.list(context.Background()))
	if !slices.Equal(ids, []string{"a"}) || len(errs) != 1 || errs[0] != boom || len(s.starts) != 2 {
		t.Errorf("fetch error: yielded %v, errors %v, starts %v", ids, errs, s.starts)
	}

	s = &script{pages: [][]row{rows("a", "bad1", "c"), rows("d")}, more: []bool{true, false}}
	ids, errs = drain(s.list(context.Background()))
	if !slices.Equal(ids, []string{"a"}) || len(errs) != 1 || errs[0].Error() != "unreadable bad1" || len(s.starts) != 1 {
		t.Errorf("keep error: yielded %v, errors %v, starts %v", ids, errs, s.starts)
	}

	s = &script{pages: [][]row{rows("a", "b"), rows("c")}, more: []bool{true, false}}
	for id, err := range s.list(context.Background()) {
		if err != nil || id != "a" {
			t.Fatalf("first row %q, %v", id, err)
		}
		break
	}
	if len(s.starts) != 1 {
		t.Errorf("asked for startIndex %v after the caller stopped", s.starts)
	}
}

func TestFollowed(t *testing.T) {
	for _, c := range []struct {
		n, per int
		want   bool
	}{{0, 0, false}, {0, 25, false}, {3, 0, true}, {3, 25, false}, {25, 25, true}, {30, 25, true}} {
		if got := followed(c.n, c.per); got != c.want {
			t.Errorf("followed(%d, %d) = %v, want %v", c.n, c.per, got, c.want)
		}
	}
}

func TestPageSize(t *testing.T) {
	for _, c := range []struct{ asked, most, want int }{{0, 100, 25}, {-3, 25, 25}, {10, 25, 10}, {100, 25, 25}, {100, 100, 100}, {500, 100, 100}} {
		if got := pageSize(c.asked, c.most); got != c.want {
			t.Errorf("pageSize(%d, %d) = %d, want %d", c.asked, c.most, got, c.want)
		}
	}
}

// createdRange reads its bounds at Trustly's millisecond: From's millisecond is in, and so
// is To's when To falls inside it; a zero bound neither bounds nor is sent.
func TestCreatedRange(t *testing.T) {
	ms := func(n int64) time.Time { return time.UnixMilli(n) }
	r := newCreatedRange(ms(1000).Add(500*time.Microsecond), ms(2000).Add(time.Microsecond))
	q := url.Values{}
	r.ascending(q)
	if q.Get("createdAt.start") != "1000" || q.Get("createdAt.end") != "2000" || q.Get("orderBy") != "createdAt" || q.Get("sortOrder") != "asc" {
		t.Errorf("query %v", q)
	}
	for n, want := range map[int64]bool{999: false, 1000: true, 2000: true, 2001: false} {
		if r.holds(ms(n)) != want {
			t.Errorf("holds(%d ms) = %v, want %v", n, !want, want)
		}
	}
	r = newCreatedRange(ms(1000), ms(2000))
	if !r.holds(ms(1999)) || r.holds(ms(2000)) {
		t.Errorf("a whole-millisecond To must be excluded and the one before it included")
	}
	q = url.Values{}
	open := newCreatedRange(time.Time{}, time.Time{})
	open.ascending(q)
	if q.Has("createdAt.start") || q.Has("createdAt.end") || !open.holds(ms(-5)) || !open.holds(ms(1<<50)) {
		t.Errorf("zero bounds: query %v", q)
	}
}

// Each of the three listings, against a server that ignores startIndex and answers the same
// full page every time, reports an Internal error after the second page instead of asking
// for ever. The server answers an empty page after a few requests, so that a listing that
// would not stop on its own still ends, and fails on the count of requests.
func TestListingsRefuseAServerThatIgnoresStartIndex(t *testing.T) {
	created := time.Now().Add(-time.Hour).UnixMilli()
	tx := `{"transactionId":"1002600011","transactionType":3,"currency":"USD","amount":"10.00","status":4,"createdAt":` +
		strconv.FormatInt(created, 10) + `}`
	payment := `{"paymentId":"1002600001","paymentType":2,"currency":"USD","amount":"10.00","createdAt":` +
		strconv.FormatInt(created, 10) + `}`
	for name, c := range map[string]struct {
		page string
		list func(*Client) iter.Seq2[string, error]
	}{
		"ListPayments": {`{"payments":[` + payment + `],"startIndex":0,"itemsPerPage":1}`, func(c *Client) iter.Seq2[string, error] {
			return ids(c.ListPayments(context.Background(), PaymentFilter{}), func(p *PaymentRecord) string { return p.ID })
		}},
		"Transactions": {`{"transactions":[` + tx + `]}`, func(c *Client) iter.Seq2[string, error] {
			return ids(c.Transactions(context.Background(), TransactionFilter{PageSize: 1}), func(t *Transaction) string { return t.ID })
		}},
		"Ledger": {`{"transactions":[` + tx + `],"startIndex":0,"itemsPerPage":1}`, func(c *Client) iter.Seq2[string, error] {
			req := &provider.LedgerRequest{From: time.Now().Add(-2 * time.Hour), To: time.Now()}
			return ids(c.Ledger(context.Background(), req), func(e *provider.LedgerEntry) string { return e.ProviderID })
		}},
	} {
		t.Run(name, func(t *testing.T) {
			var requests atomic.Int32
			cl := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
				if requests.Add(1) > 5 {
					_, _ = w.Write([]byte(`{"payments":[],"transactions":[]}`))
					return
				}
				_, _ = w.Write([]byte(c.page))
			})
			got, errs := drain(c.list(cl))
			if len(got) != 1 {
				t.Errorf("yielded %v, want the one row once", got)
			}
			if len(errs) != 1 || provider.CodeOf(errs[0]) != provider.Internal {
				t.Errorf("errors %v, want one Internal error", errs)
			}
			if n := requests.Load(); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
	}
}

// ids maps a listing to the ids of what it yields.
func ids[T any](seq iter.Seq2[T, error], id func(T) string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for v, err := range seq {
			if err != nil {
				if !yield("", err) {
					return
				}
				continue
			}
			if !yield(id(v), nil) {
				return
			}
		}
	}
}
