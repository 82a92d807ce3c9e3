package trustlyrest

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/provider"
)

// pageSize is the count asked for per page: asked, or defaultPageSize when asked is not
// positive, and never more than most.
func pageSize(asked, most int) int {
	if asked <= 0 {
		asked = defaultPageSize
	}
	return min(asked, most)
}

// followed reports whether a page of n items may be followed by another, for a listing
// that Trustly pages without a total or a next cursor
// (https://amer.developers.trustly.com/payments/reference/intro): not when the page is
// empty, nor when it is shorter than the itemsPerPage the answer reports (per, 0 when it
// reports none).
func followed(n, per int) bool { return n > 0 && (per <= 0 || n >= per) }

// pageList reads one of Trustly's listings page by page, as the caller iterates, from
// startIndex 0, each page starting where the last one ended. fetch reads the page at
// start and says whether another may follow it; keep reads an item as what is yielded,
// false leaving it out. An item whose key was yielded before is not yielded again (the
// same row on two pages, pushed along by rows the listing gained while it was read); an
// item left out is read again if it comes again, since it may have changed. The
// iteration stops at the first error, which it yields:
//   - the context's, checked before each page is asked for;
//   - fetch's and keep's, as they return them;
//   - an Internal error naming the listing (what) when a page said to be followed by
//     another brings no item not listed before (an empty page, or a page that repeats
//     earlier ones, as from a server that ignores startIndex), which would be read again
//     and again.
func pageList[W, T any](ctx context.Context, what string,
	fetch func(ctx context.Context, start int) (items []W, more bool, err error),
	key func(W) string, keep func(W) (T, bool, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		// yielded holds the key of every item listed: true once the item was yielded.
		yielded := make(map[string]bool)
		for start := 0; ; {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, more, err := fetch(ctx, start)
			if err != nil {
				yield(zero, err)
				return
			}
			fresh := false
			for _, w := range items {
				k := key(w)
				done, listed := yielded[k]
				fresh = fresh || !listed
				if done {
					continue
				}
				v, ok, err := keep(w)
				if err != nil {
					yield(zero, err)
					return
				}
				yielded[k] = ok
				if ok && !yield(v, nil) {
					return
				}
			}
			if !more {
				return
			}
			if !fresh {
				yield(zero, &provider.Error{Code: provider.Internal,
					Message: "Trustly's " + what + " list brought nothing new at startIndex " + strconv.Itoa(start) + " and said more follows"})
				return
			}
			start += len(items)
		}
	}
}

// getPage asks for the page of a listing (path, with the query q) at startIndex start.
func (c *Client) getPage(ctx context.Context, path string, q url.Values, start int) ([]byte, error) {
	q.Set("startIndex", strconv.Itoa(start))
	return c.call(ctx, http.MethodGet, path, q.Encode(), nil, isAction)
}

// createdRange is a createdAt range read at Trustly's precision, whole epoch milliseconds
// ([I], as every Trustly time): From's millisecond included, up to the first whole
// millisecond at or after To excluded. A zero bound does not bound.
type createdRange struct {
	from, to       int64
	hasFrom, hasTo bool
}

func newCreatedRange(from, to time.Time) createdRange {
	r := createdRange{from: from.UnixMilli(), to: to.UnixMilli(), hasFrom: !from.IsZero(), hasTo: !to.IsZero()}
	if time.UnixMilli(r.to).Before(to) {
		r.to++
	}
	return r
}

// ascending asks in q for the range, oldest first (orderBy createdAt, sortOrder asc, so
// that rows created while the listing is read do not shift its pages). The end is sent as
// the last millisecond wanted, since Trustly does not say whether createdAt.end is
// inclusive; rows are checked against the range again with holds.
func (r createdRange) ascending(q url.Values) {
	if r.hasFrom {
		q.Set("createdAt.start", strconv.FormatInt(r.from, 10))
	}
	if r.hasTo {
		q.Set("createdAt.end", strconv.FormatInt(r.to-1, 10))
	}
	q.Set("orderBy", "createdAt")
	q.Set("sortOrder", "asc")
}

// holds reports whether t is in the range.
func (r createdRange) holds(t time.Time) bool {
	ms := t.UnixMilli()
	return (!r.hasFrom || ms >= r.from) && (!r.hasTo || ms < r.to)
}
