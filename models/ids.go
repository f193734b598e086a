package models

import "github.com/google/uuid"

// NewID returns a new entity id: a UUIDv7, so ids sort by creation time and keyset pages are stable.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }
