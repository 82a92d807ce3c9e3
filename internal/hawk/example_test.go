package hawk_test

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/paybridge/paybridge/internal/hawk"
)

func ExampleRequestHeader() {
	cred := hawk.Credentials{ID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", Key: hawk.Key("sk_test_secret")}
	body := []byte(`{"amount":12.34,"reference":"ORDER-1"}`)
	url := "https://api-sandbox.trustistecommerce.com/v1/payments"

	var clock hawk.Clock // shared by all requests; adjusted after a stale-timestamp reply
	auth, artifacts, err := hawk.RequestHeader(cred, http.MethodPost, url, hawk.RequestOptions{
		Clock:       &clock,
		ContentType: "application/json",
		Payload:     body,
	})
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	// Send req; on 401 with a WWW-Authenticate header call clock.Sync(cred, value) and
	// retry; on success check the reply with hawk.VerifyResponse(cred, artifacts, …).
	_ = artifacts

	fmt.Println(cred)
	// Output:
	// Credentials{ID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", Key: [redacted]}
}

func ExampleServer_Authenticate() {
	srv := &hawk.Server{
		Credentials: func(id string) ([]byte, bool) {
			if id == "merchant-1" {
				return []byte("sk_test_secret"), true
			}
			return nil, false
		},
	}
	handler := func(w http.ResponseWriter, r *http.Request, body []byte) {
		res, err := srv.Authenticate(r, body)
		if err != nil {
			ae := err.(*hawk.AuthError)
			if ae.WWWAuthenticate != "" {
				w.Header().Set("WWW-Authenticate", ae.WWWAuthenticate)
			}
			http.Error(w, ae.Message, ae.Status())
			return
		}
		out := []byte(`{"status":"ok"}`)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Server-Authorization", hawk.ResponseHeader(res.Credentials.Key, res.Artifacts, "application/json", out))
		_, _ = w.Write(out)
	}
	_ = handler
}
