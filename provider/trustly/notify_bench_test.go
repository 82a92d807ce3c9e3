package trustly_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/notify"
)

// BenchmarkNotifications measures the Gateway's notification handler (read, verify the
// RSA signature, parse, dedupe, call the application, sign the reply) under concurrent
// load, as a rate beside the floor of its cryptography served the same way: a handler
// that reads the body, makes one RSA verify and one RSA sign, and answers fixed bytes.
// "x-floor-rate" is the handler's rate as a fraction of the floor's.
func BenchmarkNotifications(b *testing.B) {
	c, _ := notifyClient(b)
	gw := paybridge.New(c)
	round := make([]benchkit.Message, 64)
	for i := range round {
		data := credit(strconv.Itoa(700000+i), "bench-n-"+strconv.Itoa(i))
		delete(data, "attributes")
		// Within the Handler's maximum age, which it checks before the journal is asked.
		data["timestamp"] = time.Now().UTC().Format("2006-01-02 15:04:05.000000") + "+00"
		round[i] = benchkit.Message{Body: signed(b, "pending", data), Header: http.Header{"Content-Type": {"application/json"}}}
	}
	newHandler := func() http.Handler {
		h, err := gw.NotificationHandler(func(context.Context, notify.Event) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	mk := merchantKey(b)
	tk, _ := trustlySide(b)
	digest := sha1.Sum([]byte("a notification's serialized data"))
	sig, _ := rsa.SignPKCS1v15(nil, tk, crypto.SHA1, digest[:])
	reply := []byte(`{"result":{"status":"OK"}}`)
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if rsa.VerifyPKCS1v15(&tk.PublicKey, crypto.SHA1, digest[:], sig) != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		if _, err := rsa.SignPKCS1v15(nil, mk, crypto.SHA1, digest[:]); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(reply)
	})
	benchkit.NotificationRate(b, round, newHandler, floor, func(status int, body []byte) error {
		if status != http.StatusOK || !bytes.Contains(body, []byte(`"status":"OK"`)) {
			return fmt.Errorf("HTTP %d: %s", status, body)
		}
		return nil
	})
}
