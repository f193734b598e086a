package models

import (
	"time"
)

// SAStatus is where a Smart Account is in its life.
type SAStatus string

// Smart Account statuses, as DESIGN.md names them.
const (
	SAPendingApproval           SAStatus = "PENDING_APPROVAL"
	SAPendingDomainApproval     SAStatus = "PENDING_DOMAIN_APPROVAL"
	SAPendingCustomerAcceptance SAStatus = "PENDING_CUSTOMER_ACCEPTANCE"
	SAPendingCustomerAddress    SAStatus = "PENDING_CUSTOMER_ADDRESS"
	SADeclinedByCustomer        SAStatus = "DECLINED_BY_CUSTOMER"
	SADeclined                  SAStatus = "DECLINED"
	SAExpired                   SAStatus = "EXPIRED"
	SAActive                    SAStatus = "ACTIVE"
)

// Live reports whether an account with this status still holds its domain.
func (s SAStatus) Live() bool { return s != SADeclined && s != SAExpired }

// Pending reports whether the account waits for somebody.
func (s SAStatus) Pending() bool {
	switch s {
	case SAPendingApproval, SAPendingDomainApproval, SAPendingCustomerAcceptance, SAPendingCustomerAddress:
		return true
	}
	return false
}

// SAType tells customer accounts from Partner Holding Accounts.
type SAType string

// Account types.
const (
	SATypeCustomer SAType = "CUSTOMER"
	SATypeHolding  SAType = "HOLDING"
)

// Visibility decides whether partial searches and selectors may show an account.
type Visibility string

// Visibility values.
const (
	VisibilityUnrestricted Visibility = "UNRESTRICTED"
	VisibilityRestricted   Visibility = "RESTRICTED"
)

// SmartAccount is a customer's or partner's account.
type SmartAccount struct {
	ID              string     `gorm:"primaryKey" json:"id"`
	RequestID       string     `json:"-"`
	WorkflowID      string     `json:"-"`
	Name            string     `json:"name"`
	Domain          string     `json:"domain"`
	TLD             string     `gorm:"column:tld" json:"tld"`
	Type            SAType     `json:"type"`
	SMB             bool       `gorm:"column:smb" json:"smb"`
	Visibility      Visibility `json:"visibility"`
	Status          SAStatus   `json:"status"`
	Headquarters    Address    `gorm:"serializer:json" json:"headquarters"`
	NoteToApprover  string     `json:"noteToApprover,omitempty"`
	RequestedBy     string     `json:"requestedBy"`
	NominatedAdmins []string   `gorm:"serializer:json" json:"nominatedAdmins"`
	DecidedBy       string     `json:"decidedBy,omitempty"`
	DecidedAt       *time.Time `json:"decidedAt,omitempty"`
	DecisionReason  string     `json:"decisionReason,omitempty"`
	ActivatedAt     *time.Time `json:"activationDate,omitempty"`
	// OnBehalf marks a request made for a customer ("someone else will authorize"): one of the
	// CustomerContacts accepts it, and that contact (AcceptedBy) becomes its administrator.
	OnBehalf         bool       `json:"onBehalf"`
	CustomerContacts []string   `gorm:"serializer:json;not null" json:"customerContacts,omitempty"`
	NoteToCustomer   string     `json:"noteToCustomer,omitempty"`
	AcceptedBy       string     `json:"acceptedBy,omitempty"`
	AcceptedAt       *time.Time `json:"acceptedAt,omitempty"`
	// WaitingOn is whom the account waits for in its status, written with the status by the store step
	// that moved it there: the API, authorization and the process all read this one answer.
	WaitingOn []Waiting `gorm:"serializer:json;not null" json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// VirtualAccount is a folder inside a Smart Account.
type VirtualAccount struct {
	ID             string  `gorm:"primaryKey" json:"id"`
	SmartAccountID string  `json:"smartAccountId"`
	ParentID       *string `json:"parentId"`
	Name           string  `json:"name"`
	Description    string  `json:"description"`
	IsDefault      bool    `json:"isDefault"`
	// Address is where the virtual account's assets are, for the account's location export.
	Address   Address   `gorm:"serializer:json" json:"address"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// DefaultVAName is the name of the virtual account every Smart Account is made with.
const DefaultVAName = "DEFAULT"

// Role is an account role, named as CLC names it; JSON carries the UPPER_SNAKE form.
type Role string

// Account roles.
const (
	RoleSAAdmin    Role = "SMART_ACCOUNT_ADMINISTRATOR"
	RoleSAUser     Role = "SMART_ACCOUNT_USER"
	RoleSAViewer   Role = "SMART_ACCOUNT_VIEWER"
	RoleSAApprover Role = "SMART_ACCOUNT_APPROVER"
	RoleVAAdmin    Role = "VIRTUAL_ACCOUNT_ADMINISTRATOR"
	RoleVAUser     Role = "VIRTUAL_ACCOUNT_USER"
	RoleVAViewer   Role = "VIRTUAL_ACCOUNT_VIEWER"
)

// roleTitles are the names people see in CLC.
var roleTitles = map[Role]string{
	RoleSAAdmin:    "Smart Account Administrator",
	RoleSAUser:     "Smart Account User",
	RoleSAViewer:   "Smart Account Viewer",
	RoleSAApprover: "Smart Account Approver",
	RoleVAAdmin:    "Virtual Account Administrator",
	RoleVAUser:     "Virtual Account User",
	RoleVAViewer:   "Virtual Account Viewer",
}

// Title is the role's name as CLC shows it.
func (r Role) Title() string { return roleTitles[r] }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleTitles[r]; return ok }

// AccountRole grants a role on a Smart Account, or on one of its virtual accounts.
type AccountRole struct {
	ID               string `gorm:"primaryKey" json:"id"`
	UserEmail        string `json:"email"`
	SmartAccountID   string `json:"smartAccountId"`
	VirtualAccountID string `json:"virtualAccountId,omitempty"`
	Role             Role   `json:"role"`
	// IncludeChildren gives a virtual account role on every virtual account nested under this one too.
	IncludeChildren bool      `json:"includeChildren"`
	GrantedBy       string    `json:"grantedBy"`
	CreatedAt       time.Time `json:"createdAt"`
	// The fields below are read on effective roles (EffectiveRoles, RolesOn): where the role comes from
	// (DIRECT, GROUP, PARTNER), the group or partner it comes through, and, for a role that reached a
	// nested virtual account, the virtual account it was given on.
	Source        string `gorm:"->" json:"source,omitempty"`
	GroupID       string `gorm:"->" json:"groupId,omitempty"`
	GroupName     string `gorm:"->" json:"groupName,omitempty"`
	PartnerDomain string `gorm:"->" json:"partnerDomain,omitempty"`
	InheritedFrom string `gorm:"->" json:"inheritedFrom,omitempty"`
}

// Event is one row of an account's history, written in the transaction of the change it records.
type Event struct {
	ID             string         `gorm:"primaryKey" json:"id"`
	SmartAccountID string         `json:"smartAccountId,omitempty"`
	TargetType     string         `json:"targetType"`
	TargetID       string         `json:"targetId"`
	Actor          string         `json:"actor"`
	Action         string         `json:"action"`
	Details        map[string]any `gorm:"serializer:json" json:"details"`
	CreatedAt      time.Time      `json:"at"`
}

// Event actions written by the Smart Account processes.
const (
	EventSARequested     = "SA_REQUESTED"
	EventSAActivated     = "SA_ACTIVATED"
	EventSADeclined      = "SA_DECLINED"
	EventSAExpired       = "SA_EXPIRED"
	EventSAApproved      = "SA_APPROVED"
	EventDomainApproved  = "DOMAIN_APPROVED"
	EventDomainDeclined  = "DOMAIN_DECLINED"
	EventSAWaitsApproval = "SA_PENDING_APPROVAL"
	EventVACreated       = "VA_CREATED"
	EventRoleGranted     = "ROLE_GRANTED"
	ActorSystem          = "system"
	TargetSmartAccount   = "SMART_ACCOUNT"
	TargetVirtualAccount = "VIRTUAL_ACCOUNT"
	TargetAccountRole    = "ACCOUNT_ROLE"
)

// ActionToken is an emailed link's server side: only its hash, what it is for, and whom.
type ActionToken struct {
	ID         string `gorm:"primaryKey"`
	Hash       string
	Purpose    string
	WorkflowID string
	SubjectID  string
	Recipient  string
	MailKey    string
	ExpiresAt  time.Time
	UsedAt     *time.Time
	Outcome    string
	CreatedAt  time.Time
}

// Token purposes.
const (
	PurposeSAApproval     = "SA_APPROVAL"
	PurposeDomainApproval = "DOMAIN_APPROVAL"
)

// MailLog records a sent mail by its deterministic key so a retried activity does not send twice.
type MailLog struct {
	Key        string `gorm:"primaryKey"`
	Recipients string
	Subject    string
	SentAt     time.Time
}

// TableName keeps the singular table name of the migration.
func (MailLog) TableName() string { return "mail_log" }
