// Package models owns the entities of License Central and the rules about them: the GORM models and
// their status types, the schema migrations (one set for PostgreSQL and SQLite), domain rules such as
// registrable-domain matching and the activation decision, the domain error type every layer returns,
// and the read queries the API and the activities share.
package models
