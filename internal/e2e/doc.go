// Package e2e holds the end-to-end tests: the whole program (API and worker) against a real Temporal
// server embedded with temporaltest, a fresh PostgreSQL database and a real SMTP server, driven through
// HTTP the way users drive it, following the links of the mail that arrived.
package e2e
