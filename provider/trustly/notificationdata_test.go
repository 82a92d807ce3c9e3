package trustly_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/provider/trustly"
)

// An account notification's data carries the holder's name, address and person id; no
// fmt verb and no slog handler may show them, only the method and the ids.
func TestNotificationDataHidesPersonalData(t *testing.T) {
	d := trustly.NotificationData{Method: "account", NotificationID: "n-4711", OrderID: "o-1234", MessageID: "m-5678",
		EndUserID: "user-secret", Amount: "12.34", Currency: "SEK", AccountID: "acct-998877", Verified: "1",
		Attributes: map[string]string{"name": "Ada Lovelace", "address": "Storgatan 1", "zipcode": "11122",
			"city": "Stockholm", "personid": "191212121212", "lastdigits": "998877"}}
	private := []string{"user-secret", "Ada Lovelace", "Ada", "Lovelace", "Storgatan", "11122", "Stockholm", "191212121212",
		"998877", "12.34", "personid", "address"}
	shown := []string{"account", "n-4711", "o-1234", "m-5678"}
	check := func(what, out string) {
		t.Helper()
		for _, p := range private {
			if strings.Contains(out, p) {
				t.Errorf("%s shows %q: %s", what, p, out)
			}
		}
		for _, s := range shown {
			if !strings.Contains(out, s) {
				t.Errorf("%s lacks %q: %s", what, s, out)
			}
		}
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%-v"} {
		check("value "+verb, fmt.Sprintf(verb, d))
		check("pointer "+verb, fmt.Sprintf(verb, &d))
		check("in a slice "+verb, fmt.Sprintf(verb, []any{d, &d}))
		check("in a struct "+verb, fmt.Sprintf(verb, struct{ Detail any }{&d}))
	}
	check("String", d.String())
	check("GoString", d.GoString())
	check("Sprint", fmt.Sprint(d, &d))
	check("Sprintln", fmt.Sprintln(&d))
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("notification", "detail", &d, "value", d, slog.Any("any", &d))
		check("slog "+name, buf.String())
	}
}
