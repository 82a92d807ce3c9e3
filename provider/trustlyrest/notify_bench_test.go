package trustlyrest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/benchkit"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

// BenchmarkNotifications measures notification handling (read the form, verify the
// HMAC in the Authorization header, check the accessId, map status and type to an event,
// dedupe, call the application, answer 200) under concurrent load, as a rate beside the
// floor of its cryptography served the same way: a handler that reads the body and
// verifies its signature (parse the Basic header, URL-decode the body, one HMAC-SHA1,
// a constant-time compare). "x-floor-rate" is the
// handler's rate as a fraction of the floor's.
func BenchmarkNotifications(b *testing.B) {
	c := testClient(b)
	round := make([]benchkit.Message, 64)
	for i := range round {
		body := []byte(strings.Replace(string(captureDone), "eventId=1002593570", "eventId="+strconv.Itoa(1002600000+i), 1))
		r := signed(b, testID, body)
		round[i] = benchkit.Message{Body: body, Header: r.Header}
	}
	newHandler := func() http.Handler {
		return notify.NewHandler(c, func(context.Context, notify.Event) error { return nil }, notify.WithMaxAge(0)) // the fixtures are from 2019
	}
	key := []byte(testKey)
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := signing.VerifyNotification(testID, key, r.Header.Get("Authorization"), body); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	benchkit.NotificationRate(b, round, newHandler, floor, func(status int, body []byte) error {
		if status != http.StatusOK {
			return fmt.Errorf("HTTP %d: %s", status, body)
		}
		return nil
	})
}
