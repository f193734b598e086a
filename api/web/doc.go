// Package web owns the signed-in browser pages' session: sign-in, sign-out, the session cookie and
// cross-site request protection.
//
// The JSON API authenticates every request with a bearer token; a browser cannot, so the pages keep
// the identity in a signed and encrypted cookie instead. Production signs people in through the
// identity provider (the OIDC authorization-code flow with PKCE), the dev stack through a form that
// signs anyone in as anyone. Because a cookie is sent with every request, including ones another site
// makes the browser send, every state-changing form the session authorizes must go through
// (*Sessions).CrossOrigin.
//
// Sessions are stateless: the cookie is the whole session, so any copy of the server with the same
// key accepts it and nothing is stored per session. The price is that signing out removes the cookie
// from the browser only; the identity and roles it holds are those of the sign-in, and a copy taken
// before stays valid until it expires, which is why the TTL is short.
//
// Its pages set what they need of their own (no-store, no-referrer); the headers of every answer
// (no framing, no script, nosniff) are internal/webguard's middleware, which the router mounting these
// routes runs (api's does, on every route), and CrossOrigin's check is webguard.Origins, which the
// emailed-link pages use too.
//
// The package must not import package api: api mounts it.
package web
