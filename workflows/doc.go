// Package workflows owns the long-running processes of License Central as Temporal workflows: one file
// per process, the ids built from business keys, the update, signal and query names, the typed inputs
// and results, and the client side that starts and drives them. Workflow code is deterministic; every
// side effect is an activity.
package workflows
