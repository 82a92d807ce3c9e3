package trustistsim

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/secret"
)

// addedMerchants are the merchants AddMerchant registered beside the server's own, and
// which of them made each payment and standing order. s.mu guards them.
type addedMerchants struct {
	byID map[string]*addedMerchant
	// owner maps a payment or standing-order id to the Hawk id of the added merchant that
	// created it; objects of the server's own merchant (and its tenant) are not listed.
	owner map[string]string
}

type addedMerchant struct {
	key        trustist.Key
	name       string
	webhookURL string
}

// AddMerchant registers another merchant with the server and returns its new key pair,
// as TrustistTransfer issues keys to a merchant that has just joined (through a partner's
// invitation, say). The key signs payment and standing-order requests like the server's
// own merchant key; each merchant reads only the payments and standing orders it created
// (another's answer 404, as an unknown id does), GET /v1/merchants describes the caller,
// Movements name the merchant of each payment, and its webhooks carry its own merchantId
// and go to the URL SetMerchantWebhookURL gives it (none until then); a payment.created
// webhook (Options.SendCreatedEvents) included. An added merchant has no tenant key. name is the merchant's
// trading name ("" reads as MerchantName).
func (s *Server) AddMerchant(name string) trustist.Key {
	if name == "" {
		name = MerchantName
	}
	k := trustist.Key{HawkID: uuid.NewString(), HawkKey: secret.New("sk_test_" + simkit.RandomHex(20))}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.added.byID == nil {
		s.added.byID, s.added.owner = map[string]*addedMerchant{}, map[string]string{}
	}
	s.added.byID[k.HawkID] = &addedMerchant{key: k, name: name}
	return k
}

// SetMerchantWebhookURL sets the webhook URL of a merchant AddMerchant registered. It
// reports false for a Hawk id it did not register; the server's own merchant takes its
// URL from SetWebhookURL.
func (s *Server) SetMerchantWebhookURL(hawkID, u string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.added.byID[hawkID]
	if m != nil {
		m.webhookURL = u
	}
	return m != nil
}

// addedKey returns the Hawk key of an added merchant.
func (s *Server) addedKey(id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.added.byID[id]; m != nil {
		return m.key.HawkKey.Bytes(), true
	}
	return nil, false
}

// ownLocked records that an added merchant, caller, created the object id, before
// anything about it (its answer, a payment.created webhook) leaves the server; s.mu must
// be held. Objects of the server's own merchant need no record.
func (s *Server) ownLocked(id, caller string) {
	if s.added.byID[caller] != nil {
		s.added.owner[id] = caller
	}
}

// merchantOfLocked returns the Hawk id of the merchant an object belongs to; s.mu must
// be held.
func (s *Server) merchantOfLocked(objectID string) string {
	if id := s.added.owner[objectID]; id != "" {
		return id
	}
	return s.merchant.HawkID
}

// webhookURLLocked returns where the webhooks about an object go; s.mu must be held.
func (s *Server) webhookURLLocked(objectID string) string {
	if id := s.added.owner[objectID]; id != "" {
		return s.added.byID[id].webhookURL
	}
	return s.webhookURL
}

// routeAs dispatches an authenticated request from the key caller: route, keeping each
// merchant to its own payments and standing orders.
func (s *Server) routeAs(r *http.Request, caller string, who role, body []byte) result {
	s.mu.Lock()
	added, several := s.added.byID[caller], len(s.added.byID) > 0
	s.mu.Unlock()
	if !several {
		return s.route(r, caller, who, body) // no merchant was added: nothing to tell apart
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	objects := len(segs) >= 2 && strings.EqualFold(segs[0], "v1") &&
		(strings.EqualFold(segs[1], "payments") || strings.EqualFold(segs[1], "standingorders"))
	if objects && len(segs) == 3 && r.Method == http.MethodGet {
		s.mu.Lock()
		owner := s.added.owner[segs[2]]
		s.mu.Unlock()
		if added != nil && owner != caller || added == nil && owner != "" {
			if strings.EqualFold(segs[1], "payments") {
				return notFound("Payment")
			}
			return notFound("Standing order")
		}
	}
	if added == nil {
		return s.route(r, caller, who, body)
	}
	out := s.route(r, caller, who, body)
	if len(segs) == 2 && strings.EqualFold(segs[0], "v1") && strings.EqualFold(segs[1], "merchants") && out.status == http.StatusOK {
		if info, ok := out.body.(map[string]any); ok {
			info["id"], info["name"] = added.key.HawkID, added.name
		}
	}
	return out
}
