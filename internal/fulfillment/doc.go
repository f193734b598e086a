// Package fulfillment is License Central's boundary to the outside entitlement (fulfillment) service
// that deposits the licenses of shipped order lines: the JSON contract (docs/fulfillment.md), a Client
// whose errors tell a permanent refusal from a transient outage, and a Simulator of the service served
// over real HTTP for the dev stack and the tests, which can be told to go down, refuse SKUs or answer
// slowly, and counts deposits so a test can prove a line was deposited exactly once.
package fulfillment
