package models

import (
	"slices"
	"time"
)

// AccessStatus is where an access request is.
type AccessStatus string

// Access request statuses.
const (
	AccessPending  AccessStatus = "PENDING"
	AccessApproved AccessStatus = "APPROVED"
	AccessDeclined AccessStatus = "DECLINED"
	AccessExpired  AccessStatus = "EXPIRED"
)

// MaxAccessVAs is how many virtual accounts one access request may name (CLC's limit).
const MaxAccessVAs = 25

// AccessRequest asks for a role on a Smart Account, or on some of its virtual accounts, for the
// requester and/or others (FEATURES AC1, AC2).
type AccessRequest struct {
	ID              string       `gorm:"primaryKey" json:"id"`
	SmartAccountID  string       `json:"smartAccountId"`
	WorkflowID      string       `json:"-"`
	RequestedBy     string       `json:"requestedBy"`
	ForEmails       []string     `gorm:"serializer:json;not null" json:"forEmails"`
	Role            Role         `json:"role"`
	VirtualAccounts []string     `gorm:"serializer:json;not null" json:"virtualAccounts"`
	Reason          string       `json:"reason"`
	Status          AccessStatus `json:"status"`
	Approvers       []string     `gorm:"serializer:json;not null" json:"approvers"`
	DelegatedTo     string       `json:"delegatedTo,omitempty"`
	// OutsideDomain lists the people of the request whose email is not of the account's TLD: approvers
	// are shown them.
	OutsideDomain           []string   `gorm:"serializer:json;not null" json:"outsideDomain"`
	RuleID                  string     `json:"ruleId,omitempty"`
	DecidedBy               string     `json:"decidedBy,omitempty"`
	DecidedAt               *time.Time `json:"decidedAt,omitempty"`
	DecisionReason          string     `json:"decisionReason,omitempty"`
	DeclinedVirtualAccounts []string   `gorm:"serializer:json;not null" json:"declinedVirtualAccounts,omitempty"`
	ExpiresAt               time.Time  `json:"expiresAt"`
	// PartnerDomain, on a partner's request (FEATURES AC8), is the registered partner whose people are to
	// hold the role: approved, the grant goes to the partner's domain, not to people by address.
	PartnerDomain string    `json:"partnerDomain,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// WaitingOn is whom a PENDING request waits for, since it was made until it expires.
func (a AccessRequest) WaitingOn() []Waiting {
	if a.Status != AccessPending {
		return []Waiting{}
	}
	return AccessWaiting(a.Approvers, a.DelegatedTo, a.CreatedAt, a.ExpiresAt)
}

// AccessWaiting is whom an access request waits for: its delegate once there is one, the approvers
// mailed otherwise.
func AccessWaiting(approvers []string, delegatedTo string, since, deadline time.Time) []Waiting {
	if delegatedTo != "" {
		approvers = []string{delegatedTo}
	}
	return WaitFor(approvers, ActApproveAccess, since, deadline)
}

// VARole reports whether a role is given on virtual accounts rather than on the whole account.
func (r Role) VARole() bool { return r == RoleVAAdmin || r == RoleVAUser || r == RoleVAViewer }

// Subjects are the people the request gives the role to.
func (a AccessRequest) Subjects() []string { return slices.Clone(a.ForEmails) }

// RuleAction is what an automation rule does with a request it matches.
type RuleAction string

// Automation rule actions.
const (
	RuleApprove       RuleAction = "APPROVE"
	RuleDecline       RuleAction = "DECLINE"
	RuleRouteVAAdmins RuleAction = "ROUTE_TO_VA_ADMINS"
)

// RequesterDomain is the condition of a rule on where the people of a request come from.
type RequesterDomain string

// Rule conditions: everyone of the account's own TLD, someone from outside it, or anyone.
const (
	DomainOwn   RequesterDomain = "OWN"
	DomainOther RequesterDomain = "OTHER"
	DomainAny   RequesterDomain = "ANY"
)

// AccessRule is one request automation setting of an account (FEATURES AC3).
type AccessRule struct {
	ID              string          `gorm:"primaryKey" json:"id"`
	SmartAccountID  string          `json:"smartAccountId"`
	Priority        int             `json:"priority"`
	Action          RuleAction      `json:"action"`
	Role            Role            `json:"role,omitempty"`
	RequesterDomain RequesterDomain `json:"requesterDomain"`
	CreatedBy       string          `json:"createdBy"`
	CreatedAt       time.Time       `json:"createdAt"`
}

// Matches reports whether the rule applies to a request for role whose people are all of the
// account's TLD (own) or not.
func (r AccessRule) Matches(role Role, own bool) bool {
	if r.Role != "" && r.Role != role {
		return false
	}
	if r.Action == RuleRouteVAAdmins && !role.VARole() {
		return false
	}
	switch r.RequesterDomain {
	case DomainOwn:
		return own
	case DomainOther:
		return !own
	}
	return true
}

// Describe says in words what the rule does, for event history and pages.
func (r AccessRule) Describe() string {
	role := "any role"
	if r.Role != "" {
		role = r.Role.Title()
	}
	who := map[RequesterDomain]string{DomainOwn: "people of the account's own domain",
		DomainOther: "anyone outside the account's domain", DomainAny: "anyone"}[r.RequesterDomain]
	switch r.Action {
	case RuleApprove:
		return "approve " + role + " for " + who
	case RuleDecline:
		return "decline " + role + " for " + who
	}
	return "route virtual account requests (" + role + ") of " + who + " to that virtual account's administrators"
}

// UpgradeStatus is where an SMB upgrade is.
type UpgradeStatus string

// Upgrade statuses: waiting as a creation request would, then decided.
const (
	UpgradePendingDomainApproval UpgradeStatus = "PENDING_DOMAIN_APPROVAL"
	UpgradePendingApproval       UpgradeStatus = "PENDING_APPROVAL"
	UpgradeApproved              UpgradeStatus = "APPROVED"
	UpgradeDeclined              UpgradeStatus = "DECLINED"
	UpgradeExpired               UpgradeStatus = "EXPIRED"
)

// Pending reports whether the upgrade still waits for a decision.
func (s UpgradeStatus) Pending() bool {
	return s == UpgradePendingDomainApproval || s == UpgradePendingApproval
}

// SAUpgrade is an SMB account's request to become a standard account (FEATURES SA8).
type SAUpgrade struct {
	ID             string        `gorm:"primaryKey" json:"id"`
	SmartAccountID string        `json:"smartAccountId"`
	WorkflowID     string        `json:"-"`
	RequestedBy    string        `json:"requestedBy"`
	Name           string        `json:"name"`
	Domain         string        `json:"domain"`
	TLD            string        `gorm:"column:tld" json:"tld"`
	Headquarters   Address       `gorm:"serializer:json" json:"headquarters"`
	Visibility     Visibility    `json:"visibility"`
	FromDomain     string        `json:"fromDomain"`
	Status         UpgradeStatus `json:"status"`
	DecidedBy      string        `json:"decidedBy,omitempty"`
	DecidedAt      *time.Time    `json:"decidedAt,omitempty"`
	DecisionReason string        `json:"decisionReason,omitempty"`
	// WaitingOn is whom the upgrade waits for, written with its status (see SmartAccount.WaitingOn).
	WaitingOn []Waiting `gorm:"serializer:json;not null" json:"waitingOn"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// TableName keeps the migration's table name.
func (SAUpgrade) TableName() string { return "sa_upgrades" }

// Event actions of the on-behalf, access, virtual account and upgrade processes.
const (
	EventSAAccepted         = "SA_ACCEPTED_BY_CUSTOMER"
	EventSADeclinedByCust   = "SA_DECLINED_BY_CUSTOMER"
	EventSAAddressGiven     = "SA_ADDRESS_GIVEN"
	EventCreatorsNominated  = "CREATORS_NOMINATED"
	EventSAWaitsDomain      = "SA_PENDING_DOMAIN_APPROVAL"
	EventAccessRequested    = "ACCESS_REQUESTED"
	EventAccessApproved     = "ACCESS_APPROVED"
	EventAccessDeclined     = "ACCESS_DECLINED"
	EventAccessExpired      = "ACCESS_EXPIRED"
	EventAccessDelegated    = "ACCESS_DELEGATED"
	EventAccessRulesChanged = "ACCESS_RULES_CHANGED"
	EventVARenamed          = "VA_UPDATED"
	EventVAMoved            = "VA_MOVED"
	EventVADefault          = "VA_DEFAULT_SET"
	EventUpgradeRequested   = "SA_UPGRADE_REQUESTED"
	EventUpgradeDomainOK    = "SA_UPGRADE_DOMAIN_APPROVED"
	EventUpgraded           = "SA_UPGRADED"
	EventUpgradeDeclined    = "SA_UPGRADE_DECLINED"
	EventUpgradeExpired     = "SA_UPGRADE_EXPIRED"
	TargetAccessRequest     = "ACCESS_REQUEST"
	TargetAccessRules       = "ACCESS_RULES"
	TargetUpgrade           = "SA_UPGRADE"
	ActorRulePrefix         = "rule:"
	PurposeSAAcceptance     = "SA_ACCEPTANCE"
	PurposeAccessApproval   = "ACCESS_APPROVAL"
	PurposeUpgradeApproval  = "UPGRADE_APPROVAL"
)

// MaxAccessRules is how many automation rules an account may have.
const MaxAccessRules = 50
