// Package workflows owns the long-running processes of License Central as Temporal workflows: one file
// per process on a shared base (history, mails, search attributes, decisions by people), each with the
// typed inputs and results of package process. Workflow code is deterministic; every side effect is an
// activity.
package workflows
