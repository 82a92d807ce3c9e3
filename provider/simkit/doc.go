// Package simkit is what paybridge's provider simulators (trustistsim, trustlysim,
// trustlyrestsim) are built on, and what a simulator of another provider can be built on.
//
// Every simulator's Server embeds a Server of this package, so they all offer the same
// base: URL, Close, Requests, Deliveries, and one set of fault knobs — FailNext (fail the
// next requests before they are processed), DropNext (process them, then lose the answer),
// SetLatency, SetChaos (seeded random request and notification delivery faults) and
// ChaosCounts — and they print as their name, URL and a few safe details, never their
// keys (see secret.Printed). Each simulator's Options embeds Options: the address to listen
// on, a handler to put in front of the simulator's own, the Chaos plan and the
// notification back-off. Deliveries returns a Delivery per notification, and each
// simulator's Movements a Movement per money movement, for reconciliation.
//
// A simulator starts with Listen, which returns its Server and the Kit its handlers run
// on: Arrive applies the fault knobs to an arriving API request, TakeDrop, Drop and
// Answer to its answer, and Raise, Notify and Deliver record and deliver notifications
// with back-off, until Close. The hosted pages look alike (WritePage: a sandbox-marked
// payment page with the merchant, the amount, what is paid for, a list of banks and the
// buttons of PageButtons, all text escaped), and an EndUser presses their buttons over
// HTTP as a person with a browser would. Each simulator keeps its own wire formats,
// status codes and records; simkit only runs the mechanics.
package simkit
