// Package api owns the HTTP surface of License Central: the Gin router, authentication and
// authorization of every handler, the JSON conventions and the mapping of domain errors to statuses
// (errors.go, the only place), the one decoding layer of every input (decode.go), and the pages behind
// emailed links (links.go and one link_*.go file per purpose). Handlers read the database for lists and
// details and go through the processes (package process) for every state a process owns.
//
// A decision by emailed link, GET then POST, walks through 8 files, 8 calls after the route, and 2
// database round trips in the API:
//
//  1. server.go: the route /a/{token} runs webguard.Headers (the browser headers of every answer),
//     Server.limitBody and Server.checkRequest (decode.go: the body bound, no control characters in
//     the path) and the per-address rate limit, then Server.linkPage, or for a POST Server.sameOrigin
//     (links.go: no form another site made) and Server.linkDecide (links.go).
//  2. links.go: Server.openLink → Server.readLink reads the link and its recipient's roles
//     (round trip 1) → purpose.open reads the subject (link_approval.go → models.FindSmartAccountWithRequester
//     in models/queries.go: round trip 2) → the checks: unknown, used, expired, closed.
//  3. GET: subject.form renders the task (pages.go). POST: readForm (decode.go) → subject.decide
//     (link_approval.go) → process.Client.Decide (process/accounts.go) → Client.call
//     (process/client.go): the decide Update, carrying the link's token id.
//  4. The process validates and applies the decision in one store step, which also uses the link up;
//     the Update's answer comes back and Server.renderMessage (pages.go) says what it did. The API
//     writes nothing.
package api
