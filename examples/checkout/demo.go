package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/paybridge/paybridge"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/provider/simkit"
	"github.com/paybridge/paybridge/provider/trustist"
	"github.com/paybridge/paybridge/provider/trustist/trustistsim"
	"github.com/paybridge/paybridge/provider/trustly"
	"github.com/paybridge/paybridge/provider/trustly/trustlysim"
	"github.com/paybridge/paybridge/provider/trustlyrest"
	"github.com/paybridge/paybridge/provider/trustlyrest/trustlyrestsim"
)

// simulators are the three providers' simulators, running in this process on loopback,
// for running the shop with no account anywhere.
type simulators struct {
	trustly     *trustlysim.Server
	trustlyREST *trustlyrestsim.Server
	trustist    *trustistsim.Server
	methods     []*Method
}

// startSimulators starts the Trustly, Trustly REST and Trustist simulators and returns a
// payment method for each, its Gateway built with opts. Each simulator posts its
// notifications to notifyBase + the method's name.
func startSimulators(notifyBase string, opts ...paybridge.Option) (_ *simulators, err error) {
	sims := &simulators{}
	defer func() {
		if err != nil {
			sims.Close()
		}
	}()

	// Trustly JSON-RPC: notification URLs travel with each request; Trustly wants https,
	// which the simulator relaxes for loopback.
	if sims.trustly, err = trustlysim.Start(trustlysim.Options{AllowLoopbackHTTP: true,
		Options: simkit.Options{RetryBase: 200 * time.Millisecond, RetryMax: 5 * time.Second}}); err != nil {
		return nil, fmt.Errorf("starting the Trustly simulator: %w", err)
	}
	creds, err := sims.trustly.NewMerchant("notebook-shop")
	if err != nil {
		return nil, fmt.Errorf("registering with the Trustly simulator: %w", err)
	}
	tc, err := trustly.New(trustly.Config{Username: creds.Username, Password: creds.Password, PrivateKey: creds.PrivateKey,
		BaseURL: sims.trustly.APIURL(), TrustlyPublicKey: sims.trustly.PublicKeyPEM()})
	if err != nil {
		return nil, err
	}
	// The simulator executes an accepted refund by itself, as Trustly does, and confirms
	// it with a payoutconfirmation notification.
	sims.methods = append(sims.methods, &Method{Name: "trustly", Label: "Trustly (simulated)",
		Gateway: paybridge.New(tc, opts...), Currency: money.MustCurrency("EUR")})

	// Trustly REST: the simulator is told the notification URL, as the merchant portal
	// would be; the shop sends it with each payment too.
	if sims.trustlyREST, err = trustlyrestsim.Start(trustlyrestsim.Options{NotificationURL: notifyBase + "trustlyrest",
		SettleDelay: 100 * time.Millisecond, Options: simkit.Options{RetryBase: 200 * time.Millisecond, RetryMax: 5 * time.Second}}); err != nil {
		return nil, fmt.Errorf("starting the Trustly REST simulator: %w", err)
	}
	rc, err := trustlyrest.New(sims.trustlyREST.Config())
	if err != nil {
		return nil, err
	}
	sims.methods = append(sims.methods, &Method{Name: "trustlyrest", Label: "Trustly Pay (simulated)",
		Gateway: paybridge.New(rc, opts...), Currency: money.MustCurrency("USD")})

	// Trustist: webhooks go to the one URL configured for the merchant.
	if sims.trustist, err = trustistsim.Start(trustistsim.Options{Options: simkit.Options{RetryBase: 200 * time.Millisecond, RetryMax: 5 * time.Second}}); err != nil {
		return nil, fmt.Errorf("starting the Trustist simulator: %w", err)
	}
	sims.trustist.SetWebhookURL(notifyBase + "trustist")
	pc, err := trustist.New(sims.trustist.Config())
	if err != nil {
		return nil, err
	}
	sims.methods = append(sims.methods, &Method{Name: "trustist", Label: "Trustist (simulated)",
		Gateway: paybridge.New(pc, opts...), Currency: money.MustCurrency("GBP")})
	return sims, nil
}

// Close closes the Gateways and stops the simulators.
func (s *simulators) Close() error {
	var errs []error
	for _, m := range s.methods {
		errs = append(errs, m.Gateway.Close())
	}
	if s.trustly != nil {
		s.trustly.Close()
	}
	if s.trustlyREST != nil {
		s.trustlyREST.Close()
	}
	if s.trustist != nil {
		s.trustist.Close()
	}
	return errors.Join(errs...)
}
