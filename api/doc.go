// Package api owns the HTTP surface of License Central: the Gin router, authentication and
// authorization of every handler, the JSON conventions and the mapping of domain errors to statuses
// (in one place), and the server-rendered pages behind emailed links. Handlers read the database for
// lists and details and go through the workflows for every state a process owns.
package api
