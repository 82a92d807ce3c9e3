package trustlyrestsim

import (
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
	"github.com/paybridge/paybridge/secret"
)

// merchant is one merchant's credentials. Trustly issues each merchant its own accessId,
// accessKey and merchantId (https://amer.developers.trustly.com/payments/docs/authentication);
// the accessKey both authenticates the merchant's API calls and signs its notifications.
type merchant struct {
	accessID   string
	key        []byte
	merchantID string
	notifyURL  string
}

// ErrMerchantExists is returned by NewMerchant for a merchantId already in use.
var ErrMerchantExists = errors.New("trustlyrestsim: a merchant with this merchantId exists")

// NewMerchant adds a merchant with fresh credentials and returns an adapter configuration
// for it. Every merchant sees its own transactions, payments, customers and bank data
// only: another merchant's transaction is answered as an unknown one (error 200, "Could
// not find a transaction using Id …"; [I] Trustly documents no other answer for an id the
// credentials do not own). Notifications of its transactions go to the notificationUrl of
// their establish data only.
func (s *Server) NewMerchant(merchantID string) (trustlyrest.Config, error) {
	if !isDigits(merchantID) || len(merchantID) > 15 {
		return trustlyrest.Config{}, fmt.Errorf("trustlyrestsim: merchantId %q is not a Trustly id", merchantID)
	}
	m := &merchant{accessID: "SimAccess" + simkit.RandomHex(6), key: []byte("SimKey" + simkit.RandomHex(16)), merchantID: merchantID}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.merchants {
		if o.merchantID == merchantID {
			return trustlyrest.Config{}, ErrMerchantExists
		}
	}
	s.merchants[m.accessID] = m
	return trustlyrest.Config{AccessID: m.accessID, AccessKey: secret.FromBytes(m.key), MerchantID: merchantID, BaseURL: s.APIURL()}, nil
}

// authenticate returns the merchant whose accessId and accessKey the Authorization header
// carries, or nil. Every merchant's pair is compared in constant time.
func (s *Server) authenticate(h string) *merchant {
	s.mu.Lock()
	ms := make([]*merchant, 0, len(s.merchants))
	for _, m := range s.merchants {
		ms = append(ms, m)
	}
	s.mu.Unlock()
	var found *merchant
	for _, m := range ms {
		if signing.CheckBasicAuthorization(h, m.accessID, m.key) {
			found = m
		}
	}
	return found
}

// txOfLocked returns merchant m's transaction id, or nil when there is none or it is
// another merchant's.
func (s *Server) txOfLocked(m *merchant, id string) *tx {
	t := s.txs[id]
	if t == nil || t.pay.m != m {
		return nil
	}
	return t
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
