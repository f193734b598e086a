// Package process is the contract between License Central's processes and whoever drives them: the
// workflow ids built from business keys, the workflow, update, signal and query names, the typed inputs
// and results, the search attributes, the one codec of domain errors across the Temporal boundary, and
// the Client that starts processes and sends them decisions. The workflows themselves live in package
// workflows; the API depends on this package only, so it links none of their code or activities.
package process
