package partnersim

import (
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/partner"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/secret"
)

// DefaultTokenLifetime is how long an access token lasts unless Options.TokenLifetime
// says otherwise: the expires_in of the guide's example.
const DefaultTokenLifetime = 3600 * time.Second

// Options configure a Server. The zero Options are usable.
type Options struct {
	// Options are the settings every simulator takes: the address to listen on, Chaos
	// (without the Unsigned and BadSignature rates: the answers are not signed). The
	// Partner API sends no notifications, so the delivery settings go unused.
	simkit.Options
	// ClientID and ClientSecret are the first partner's OAuth client credentials
	// (default: random ones). AddPartner registers more.
	ClientID     string
	ClientSecret secret.Value
	// TokenLifetime is how long an access token is accepted (default
	// DefaultTokenLifetime); it is the token answer's expires_in.
	TokenLifetime time.Duration
	// Trustist, when set, is the Trustist simulator an invited merchant joins on
	// accepting: it registers the merchant (AddMerchant) and the merchant keys the Partner
	// API returns are that merchant's keys there. Unset, accepted merchants get keys that
	// no Trustist simulator knows.
	Trustist *trustistsim.Server
	// OmitPrivateKey makes the merchant keys answer carry only apiKey, as the guide's
	// example shows it, so the private half has to come from the merchant.
	OmitPrivateKey bool
	// OnInvite, when set, is called with each invitation as its e-mail would be sent,
	// before the create answer is written: the link in it is where the merchant accepts.
	// It must not block; it runs with no lock held.
	OnInvite func(Invite)
	// Now is the server's clock, which judges token expiry (default time.Now).
	Now func() time.Time
}

// Invite is the invitation e-mail a merchant receives.
type Invite struct {
	// ID is the invitation's id.
	ID string `json:"id"`
	// Partner is the client id of the partner that sent it.
	Partner string `json:"partner"`
	// Email and Name are the invited merchant's address and name.
	Email string `json:"email"`
	Name  string `json:"name"`
	// URL is the link to the page where the merchant accepts or declines.
	URL string `json:"url"`
}

// Server simulates the TrustistTransfer Partner API (see the package documentation).
// Create one with Start. The embedded simkit.Server gives its URL, Close and the fault
// knobs, and prints it without its credentials. It is safe for concurrent use.
type Server struct {
	simkit.Server
	// The simulator's own state sits behind one pointer, which never prints.
	*server
}

// server is a Server's state. It holds credentials and keys, and is never printed.
type server struct {
	kit      *simkit.Kit
	opts     Options
	first    string // the first partner's client id
	lifetime time.Duration

	mu          sync.Mutex
	partners    map[string]secret.Value // client id → client secret
	tokens      map[string]issued       // access token → who and until when
	invitations map[string]*invitation
	order       []string // invitation ids, oldest first
}

// issued is an access token the server handed out.
type issued struct {
	partner string
	expires time.Time
}

// invitation is one invitation of a partner.
type invitation struct {
	id, partner  string
	email, name  string
	status       string
	paymentTypes []string
	pageToken    string
	// key is the merchant's key pair once it accepted.
	key trustist.Key
}

// Invitation statuses. [I] The guide shows "pending" (the create answer) and "sent" (the
// list and get answers); what follows acceptance is not published.
const (
	StatusPending  = "pending"
	StatusSent     = "sent"
	StatusAccepted = "accepted"
	StatusDeclined = "declined"
)

// Start starts a Server listening on Options.Addr (default: a free port of 127.0.0.1).
// Close it when done.
func Start(opts Options) (*Server, error) {
	st := &server{opts: opts, lifetime: opts.TokenLifetime, partners: map[string]secret.Value{},
		tokens: map[string]issued{}, invitations: map[string]*invitation{}}
	if st.lifetime <= 0 {
		st.lifetime = DefaultTokenLifetime
	}
	st.first = opts.ClientID
	if st.first == "" {
		st.first = "partner-" + simkit.RandomHex(8)
	}
	sec := opts.ClientSecret
	if sec.IsZero() {
		sec = secret.New("cs_test_" + simkit.RandomHex(20))
	}
	st.partners[st.first] = sec
	base, kit, err := simkit.Listen(opts.Options, simkit.Config{Name: "partnersim", Details: []string{"partner", st.first}})
	if err != nil {
		return nil, err
	}
	st.kit = kit
	s := &Server{Server: base, server: st}
	kit.Serve(s)
	return s, nil
}

// ClientID returns the first partner's client id.
func (s *Server) ClientID() string { return s.first }

// ClientSecret returns the first partner's client secret.
func (s *Server) ClientSecret() secret.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.partners[s.first]
}

// Config returns a partner client configuration for the first partner.
func (s *Server) Config() partner.Config {
	return partner.Config{BaseURL: s.URL(), ClientID: s.first, ClientSecret: s.ClientSecret()}
}

// AddPartner registers another partner with new client credentials and returns a client
// configuration for it. Each partner sees only its own invitations.
func (s *Server) AddPartner() partner.Config {
	id, sec := "partner-"+simkit.RandomHex(8), secret.New("cs_test_"+simkit.RandomHex(20))
	s.mu.Lock()
	s.partners[id] = sec
	s.mu.Unlock()
	return partner.Config{BaseURL: s.URL(), ClientID: id, ClientSecret: sec}
}

// RevokeTokens makes every access token issued so far stop working, as when the
// provider revokes them before they expire; a new token request gets a working one.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// InvitationURL returns the link of an invitation's e-mail: the page where the invited
// merchant accepts or declines.
func (s *Server) InvitationURL(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.invitations[id]
	if inv == nil {
		return "", false
	}
	return s.pageURL(inv), true
}

func (s *Server) pageURL(inv *invitation) string {
	return s.URL() + "/join/" + url.PathEscape(inv.id) + "?t=" + url.QueryEscape(inv.pageToken)
}

// InvitationStatus returns an invitation's status.
func (s *Server) InvitationStatus(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.invitations[id]
	if inv == nil {
		return "", false
	}
	return inv.status, true
}

// ErrNotWaiting is returned for an invitation that was already accepted or declined.
var ErrNotWaiting = errors.New("partnersim: the invitation was already answered")

// AcceptInvitation accepts an invitation as the invited merchant does on its page,
// without HTTP, and returns the merchant's new keys. It fails for an unknown invitation
// and, with ErrNotWaiting, for one already answered.
func (s *Server) AcceptInvitation(id string) (trustist.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.invitations[id]
	if inv == nil {
		return trustist.Key{}, fmt.Errorf("partnersim: no invitation %s", id)
	}
	if err := s.answerLocked(inv, true); err != nil {
		return trustist.Key{}, err
	}
	return inv.key, nil
}

// answerLocked accepts or declines a waiting invitation; s.mu must be held. Accepting
// creates the merchant: in the linked Trustist simulator when there is one.
func (s *Server) answerLocked(inv *invitation, accept bool) error {
	if inv.status != StatusPending && inv.status != StatusSent {
		return ErrNotWaiting
	}
	if !accept {
		inv.status = StatusDeclined
		return nil
	}
	if s.opts.Trustist != nil {
		inv.key = s.opts.Trustist.AddMerchant(inv.name)
	} else {
		inv.key = trustist.Key{HawkID: uuid.NewString(), HawkKey: secret.New("sk_test_" + simkit.RandomHex(20))}
	}
	inv.status = StatusAccepted
	return nil
}

// now returns the server time.
func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// EndUser returns an EndUser for the invitation pages: Approve accepts the invitation,
// Decline declines it.
func (s *Server) EndUser() *simkit.EndUser {
	return simkit.NewEndUser(simkit.EndUserConfig{Name: "partnersim", Timeout: 10 * time.Second})
}
