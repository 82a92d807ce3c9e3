package trustlyrest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider"
)

// ledgerPageSize is the count asked for per ledger page: the current reference allows 100
// (https://amer.developers.trustly.com/payments/reference/intro). A server that caps it
// lower (an older page says 25) cannot make the ledger miss rows: pages are read until one
// comes back empty, or shorter than the itemsPerPage the answer reports.
const ledgerPageSize = 100

// Ledger implements provider.Ledgerer with GET /transactions
// (https://amer.developers.trustly.com/api-reference/api/transactions/list-transactions),
// filtered by createdAt.start and createdAt.end (epoch milliseconds, [I] as every Trustly
// time; the range is read at Trustly's precision, From's millisecond included and To's
// excluded, the end is sent as the last millisecond wanted, and every row is checked
// against the range again, since Trustly does not say whether its end is inclusive), ordered by
// createdAt ascending so that transactions created while the listing is read do not shift
// the pages, narrowed with the transactionType filter to the types listed here (and
// checked again), and read page by page (count, startIndex) as the caller iterates. The
// status is not filtered by Trustly but here: a status filter would let a transaction
// whose status changes during the read (a capture becoming Processed, one becoming
// Failed) enter or leave the list ahead of the offset, so that a row is listed twice or
// skipped; without it, the list of a range's transactions does not change but by new
// ones, and a transaction listed twice all the same (one created in the range while it
// is read) is yielded once per Ledger call; a full page that brings no transaction not
// listed before (from a server that ignores startIndex) is an Internal error, never read
// again and again. Both documented shapes of the answer are
// read: {"transactions": [...]} and an object keyed "0", "1", … whose values are
// {"transaction": {...}}.
//
// Entries are the transactions that moved money: status 3 Processed, 4 Completed, 10
// Reversed, 11 PartiallyRefunded or 12 Refunded. Authorizations move none and are left
// out, and so are transactions still pending or that failed, were denied, canceled or
// voided. Kinds and signs by transactionType: Capture and Pay are payments (+), Refund a
// refund (−), Deposit a payout (−); Reverse (−), Reclaim (+), Representment (+) and any
// other type are LedgerOther [I]. ProviderID is the id the Gateway's call returned: the
// payment's (the authorization's) for the capture the adapter made of a payment it
// captures itself, the transaction's own otherwise (a capture made with Capture, a
// charge, a refund, a deposit). Fee is the transaction's fee when it carries one. Trustly's
// settlements to the merchant's bank account are not in its API (only in the Merchant
// Portal), so they are not listed.
func (c *Client) Ledger(ctx context.Context, req *provider.LedgerRequest) iter.Seq2[*provider.LedgerEntry, error] {
	return func(yield func(*provider.LedgerEntry, error) bool) {
		q := url.Values{}
		r := newCreatedRange(req.From, req.To)
		r.ascending(q)
		q.Set("count", strconv.Itoa(ledgerPageSize))
		for _, typ := range ledgerTypes {
			q.Add("transactionType", strconv.Itoa(typ))
		}
		fetch := func(ctx context.Context, start int) ([]*wireTransaction, bool, error) {
			raw, err := c.getPage(ctx, "/transactions", q, start)
			if err != nil {
				return nil, false, err
			}
			page, per, err := decodeLedgerPage(raw)
			if err != nil {
				return nil, false, &provider.Error{Code: provider.Internal, Message: "reading Trustly's transactions list", Err: err}
			}
			return page, followed(len(page), per), nil
		}
		keep := func(t *wireTransaction) (*provider.LedgerEntry, bool, error) {
			e, ok, err := ledgerEntry(t)
			if err != nil {
				return nil, false, &provider.Error{Code: provider.Internal, Message: "reading transaction " + quoteShort(t.id()), Err: err}
			}
			return e, ok && r.holds(e.Time) && (req.Currency.IsZero() || e.Amount.Currency() == req.Currency), nil
		}
		pageList(ctx, "transactions", fetch, (*wireTransaction).id, keep)(yield)
	}
}

// booked lists the statuses of a transaction that moved money.
var booked = []int{statusProcessed, statusCompleted, 10, 11, 12}

// ledgerTypes are the transaction types that move money: those of ledgerKinds.
var ledgerTypes = []int{0, typePay, typeCapture, typeRefund, 5, typeDeposit, 7, 8}

// ledgerKinds maps a transactionType to its kind, sign and Trustly's name for it.
var ledgerKinds = map[int]struct {
	kind provider.LedgerKind
	sign int64
	name string
}{
	0:           {provider.LedgerOther, 1, "External"},
	typePay:     {provider.LedgerPayment, 1, "Pay"},
	typeCapture: {provider.LedgerPayment, 1, "Capture"},
	typeRefund:  {provider.LedgerRefund, -1, "Refund"},
	5:           {provider.LedgerOther, -1, "Reverse"},
	typeDeposit: {provider.LedgerPayout, -1, "Deposit"},
	7:           {provider.LedgerOther, 1, "Reclaim"},
	8:           {provider.LedgerOther, 1, "Representment"},
}

// ledgerEntry reads one transaction as a ledger entry; ok is false for a transaction that
// moved no money.
func ledgerEntry(t *wireTransaction) (e *provider.LedgerEntry, ok bool, err error) {
	k, known := ledgerKinds[int(t.TransactionType)]
	if !known || !slices.Contains(booked, int(t.Status)) {
		return nil, false, nil
	}
	amount, err := t.amount(money.Currency{})
	if err != nil {
		return nil, false, err
	}
	e = &provider.LedgerEntry{
		Kind: k.kind, ProviderKind: k.name, Amount: money.FromMinorCurrency(k.sign*amount.Minor(), amount.Currency()),
		ProviderID: t.id(), Reference: callerReference(t.reference()), Time: t.CreatedAt.Time(),
	}
	if int(t.TransactionType) == typeCapture && strings.HasSuffix(t.MerchantReference, ".c") && validID(string(t.OriginalTransactionID)) {
		e.ProviderID = string(t.OriginalTransactionID)
	}
	if t.Fee != "" {
		if e.Fee, err = parseAmount(string(t.Fee), t.currency(), amount.Currency()); err != nil {
			return nil, false, fmt.Errorf("fee: %w", err)
		}
	}
	return e, true, nil
}

// decodeLedgerPage reads a page of GET /transactions in either documented shape: the
// OpenAPI document's {"transactions": [...], "itemsPerPage": n} (items bare or wrapped as
// {"transaction": {...}}), or the rendered example's object keyed "0", "1", … of
// {"transaction": {...}}. per is itemsPerPage when the answer reports it, else 0. An
// empty object is an empty page [I]; any other object is an error, never an empty page.
func decodeLedgerPage(body []byte) (page []*wireTransaction, per int, err error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, 0, err
	}
	if raw, ok := top["itemsPerPage"]; ok {
		var n flexInt
		if json.Unmarshal(raw, &n) == nil && n > 0 {
			per = int(n)
		}
	}
	if _, ok := top["transactions"]; ok {
		page, err = decodeList[wireTransaction](body, "transactions", "transaction")
		return page, per, err
	}
	keys := make([]int, 0, len(top))
	for k := range top {
		n, err := strconv.Atoi(k)
		if err != nil || n < 0 || strconv.Itoa(n) != k {
			return nil, 0, errors.New("trustlyrest: the answer has no \"transactions\" list")
		}
		keys = append(keys, n)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var item struct {
			Transaction *wireTransaction `json:"transaction"`
		}
		if err := json.Unmarshal(top[strconv.Itoa(k)], &item); err != nil {
			return nil, 0, err
		}
		if item.Transaction == nil {
			return nil, 0, fmt.Errorf("trustlyrest: item %d has no transaction", k)
		}
		page = append(page, item.Transaction)
	}
	return page, per, nil
}
