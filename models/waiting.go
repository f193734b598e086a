package models

import (
	"slices"
	"strings"
	"time"
)

// Waiting says who a process waits for, to do what, since when and until when (FEATURES X1). Who is an
// email, or "role:<platform role>" when anyone holding the role may act, or "smart-account:<id>" when
// an account must become ACTIVE.
type Waiting struct {
	Who      string    `json:"who"`
	Action   string    `json:"action"`
	Since    time.Time `json:"since"`
	Deadline time.Time `json:"deadline,omitzero"`
}

// Actions a process waits for, as waitingOn names them.
const (
	ActApprove       = "approve"
	ActApproveDomain = "approve-domain"
	ActAccept        = "accept"
	ActGiveAddress   = "give-address"
	ActNominate      = "nominate-creators"
	ActApproveAccess = "approve-access"
	ActApproveUpgr   = "approve-upgrade"
	ActAssign        = "assign"
	ActActivate      = "activate"
)

// RolePrefix marks a Waiting whose Who is a platform role rather than a person.
const RolePrefix = "role:"

// WaitFor is the same wait for each of who: one action, one window.
func WaitFor(who []string, action string, since, deadline time.Time) []Waiting {
	out := make([]Waiting, 0, len(who))
	for _, w := range who {
		out = append(out, Waiting{Who: w, Action: action, Since: since, Deadline: deadline})
	}
	return out
}

// People are the addresses a waitingOn names, without the roles and accounts it may name as well.
func People(ws []Waiting) []string {
	out := []string{}
	for _, w := range ws {
		if !strings.Contains(w.Who, ":") && !slices.Contains(out, w.Who) {
			out = append(out, w.Who)
		}
	}
	return out
}

// WaitsFor reports whether one of ws waits for the person email.
func WaitsFor(ws []Waiting, email string) bool {
	email = NormalizeEmail(email)
	return email != "" && slices.ContainsFunc(ws, func(w Waiting) bool { return w.Who == email })
}
