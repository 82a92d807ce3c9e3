// Package simkit holds the machinery the provider simulators share: request fault knobs
// (fail the next requests, add latency, drop replies), seeded random faults for requests
// and notification deliveries (Chaos: fail before processing, lose or delay the answer
// after it, answer malformed, unsigned or wrongly signed; drop, duplicate, reorder or
// delay a delivery attempt), notification delivery with back-off retries that stops on
// Close, the look of the hosted pages (WritePage: a sandbox-marked payment page with the
// merchant, the amount, what is paid for, a bank list and the buttons, all text escaped),
// and an HTTP client that acts on hosted pages as a browser would. Each simulator
// keeps its own wire formats, status codes and records; simkit only runs the mechanics.
package simkit
