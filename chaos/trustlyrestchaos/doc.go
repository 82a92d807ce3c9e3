// Package trustlyrestchaos holds the Trustly REST adapter's chaos tests: thousands of
// payments, refunds and payouts sent through a Gateway while trustlyrestsim injects seeded
// faults, then reconciled with the simulator's ledger (see docs/reliability.md). They
// live in a package of their own so that each package's test run stays short on a busy
// machine. The package has no API.
package trustlyrestchaos
