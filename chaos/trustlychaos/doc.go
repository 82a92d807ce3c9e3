// Package trustlychaos holds the Trustly JSON-RPC adapter's chaos tests: thousands of
// deposits, refunds and payouts sent through a Gateway while trustlysim injects seeded
// faults, then reconciled with the simulator's ledger (see docs/reliability.md). They
// live in a package of their own so that each package's test run stays short on a busy
// machine. The package has no API.
package trustlychaos
