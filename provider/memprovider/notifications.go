package memprovider

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/notify"
)

// SignatureHeader carries a notification's signature: "t=<unix seconds>,v1=<base64
// HMAC-SHA256 of t + "." + body>".
const SignatureHeader = "Mem-Signature"

// SignatureTolerance is how old a notification's signature may be.
const SignatureTolerance = 5 * time.Minute

// notifyLocked queues a notification for delivery; b.mu must be held.
func (b *Backend) notifyLocked(url string, ev notify.Event) {
	if url == "" {
		url = b.notifyURL
	}
	if url == "" {
		return
	}
	ev.ID = b.newID("evt")
	ev.Provider = Name
	ev.OccurredAt = b.now().UTC().Truncate(time.Millisecond)
	body, err := json.Marshal(ev)
	if err != nil {
		return
	}
	d := &Delivery{EventID: ev.ID, Kind: ev.Kind, URL: url}
	b.deliveries[ev.ID] = d
	b.wg.Add(1)
	go b.deliver(d, body)
}

func (b *Backend) deliver(d *Delivery, body []byte) {
	defer b.wg.Done()
	wait := b.retryBase
	for attempt := 1; attempt <= b.attempts; attempt++ {
		status := b.post(d.URL, body)
		b.mu.Lock()
		d.Attempts, d.LastStatus = attempt, status
		ok := status >= 200 && status < 300
		d.Acknowledged = ok
		b.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-b.ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, b.retryMax)
	}
}

func (b *Backend) post(url string, body []byte) int {
	req, err := http.NewRequestWithContext(b.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(b.webhookKey.Bytes(), b.now(), body))
	resp, err := b.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	return resp.StatusCode
}

// Sign returns the SignatureHeader value for body at time t.
func Sign(key []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(key, ts, body)
}

func mac(key []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Notification verification errors.
var (
	ErrMissingSignature = errors.New("memprovider: notification has no " + SignatureHeader + " header")
	ErrBadSignature     = errors.New("memprovider: notification signature does not verify")
	ErrStaleSignature   = errors.New("memprovider: notification signature is too old")
	ErrMalformed        = errors.New("memprovider: notification body is malformed")
)

// VerifyNotification implements notify.Verifier: it checks the HMAC over the raw body and
// its timestamp, then parses the event.
func (p *Client) VerifyNotification(ctx context.Context, r *notify.Request) (*notify.Notification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h := r.Header.Get(SignatureHeader)
	if h == "" {
		return nil, ErrMissingSignature
	}
	var ts, sig string
	for part := range strings.SplitSeq(h, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return nil, ErrMissingSignature
	}
	if !hmac.Equal([]byte(sig), []byte(mac(p.webhookKey.Bytes(), ts, r.Body))) {
		return nil, ErrBadSignature
	}
	if age := p.b.now().Sub(time.Unix(sec, 0)); age > SignatureTolerance || age < -SignatureTolerance {
		return nil, ErrStaleSignature
	}
	var ev notify.Event
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if ev.ID == "" || ev.Kind == "" || ev.Provider != Name {
		return nil, fmt.Errorf("%w: id, kind and provider are required", ErrMalformed)
	}
	ev.Raw = r.Body
	return &notify.Notification{ID: ev.ID, Event: ev}, nil
}

// NotificationReply implements notify.Verifier: 200 acknowledges, 500 asks for redelivery.
func (p *Client) NotificationReply(_ *notify.Notification, o notify.Outcome) (*notify.Reply, error) {
	h := http.Header{"Content-Type": {"application/json"}}
	if o == notify.Processed {
		return &notify.Reply{StatusCode: http.StatusOK, Header: h, Body: []byte(`{"status":"ok"}`)}, nil
	}
	return &notify.Reply{StatusCode: http.StatusInternalServerError, Header: h, Body: []byte(`{"status":"failed"}`)}, nil
}
