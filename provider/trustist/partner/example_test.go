package partner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/secret"
)

// sandboxStandIn is a loopback stand-in for the Partner API sandbox: a client-credentials
// token endpoint and the endpoint that creates invitations, which wants the token.
func sandboxStandIn() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("client_id") != "platform-1" || r.PostFormValue("client_secret") != "cs_test_1" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at-1","token_type":"Bearer","expires_in":3600}`))
	})
	mux.HandleFunc("POST /invitations", func(w http.ResponseWriter, r *http.Request) {
		var inv map[string]any
		if r.Header.Get("Authorization") != "Bearer at-1" || json.NewDecoder(r.Body).Decode(&inv) != nil {
			http.Error(w, `{"title":"Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		inv["id"], inv["status"] = "inv_1", "sent"
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(inv)
	})
	return mux
}

// Start (here a stand-in for the sandbox), configure the client with the platform's
// OAuth credentials, invite a merchant, and close.
func Example() {
	api := httptest.NewServer(sandboxStandIn())
	defer api.Close()
	c, err := partner.New(partner.Config{BaseURL: api.URL, ClientID: "platform-1", ClientSecret: secret.New("cs_test_1")})
	if err != nil {
		fmt.Println(err)
		return
	}
	inv, err := c.CreateInvitation(context.Background(), partner.CreateInvitationRequest{
		Email: "shop@example.com", Name: "Example Shop", PaymentTypes: []partner.PaymentType{partner.Cards}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.ID, inv.Status, inv.PaymentTypes, c.TokenFetches())
	// Output: inv_1 sent [openbanking cards] 1
}
