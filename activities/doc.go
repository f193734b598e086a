// Package activities owns every side effect of the processes: the store writes that move accounts
// through their states (each one transaction, idempotent under retry, with its event rows), the
// emailed tasks and notifications (deduplicated by a mail key), and their embedded templates.
package activities
