package models

import "time"

// Waiting says who a process waits for, to do what, since when and until when.
type Waiting struct {
	Who      string    `json:"who"`
	Action   string    `json:"action"`
	Since    time.Time `json:"since"`
	Deadline time.Time `json:"deadline,omitzero"`
}
