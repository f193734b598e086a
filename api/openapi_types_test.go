package api

import (
	"reflect"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// schemaType is a component schema generated from a Go type. A request body lists the members its
// handler requires; an answer requires every member encoding/json always writes.
type schemaType struct {
	name        string
	value       any
	description string
	request     bool
	required    []string
	// echo: the answer repeats the caller's input as given (a refused row), so its text is any string.
	echo bool
}

// schemaTypes are the Go types the handlers decode and answer. A handler that answers a new type adds
// it here and refers to it from openapi.yaml as #/components/schemas/<name>.
var schemaTypes = []schemaType{
	// Smart Accounts, their users and virtual accounts.
	{name: "Address", value: models.Address{}, description: "A postal address."},
	{name: "Waiting", value: models.Waiting{}, description: "Whom a process waits for, to do what, since when and until when."},
	{name: "SmartAccount", value: models.SmartAccount{}, description: "A Smart Account as stored."},
	{name: "SmartAccountView", value: accountView{},
		description: "A Smart Account with whom it waits for, the caller's roles and what its owner may do."},
	{name: "SmartAccountSummary", value: accountSummary{}, description: "A Smart Account in a list."},
	{name: "DirectoryEntry", value: directoryEntry{}, description: "An account the caller has roles on or requests for."},
	{name: "RoleOn", value: roleOn{}},
	{name: "MyAccessRequest", value: myAccessBrief{}},
	{name: "UpgradeInfo", value: upgradeInfo{}, description: "Whether an SMB account can be upgraded, with the form's defaults."},
	{name: "UpgradeDefaults", value: upgradeDefaults{}},
	{name: "Upgrade", value: models.SAUpgrade{}, description: "A request to upgrade an SMB account to a company account."},
	{name: "User", value: models.User{}},
	{name: "AccountUser", value: userView{}, description: "A user of an account with their roles."},
	{name: "AccountRoleView", value: userRoleView{}},
	{name: "Notice", value: models.NoticeState{}, description: "An account notice and who acknowledged it."},
	{name: "NoticeAck", value: models.NoticeAck{}},
	{name: "PartnerGrant", value: models.PartnerGrant{}, description: "A role on the account or a VA granted to a partner."},
	{name: "Notifications", value: notificationsView{}, description: "My notification preferences."},
	{name: "MyRequest", value: myRequest{}, description: "A request I made: an account, access or an upgrade."},
	{name: "UserGroup", value: models.UserGroup{}},
	{name: "GroupSummary", value: models.GroupSummary{}, description: "A user group with its member count and roles."},
	{name: "GroupDetails", value: models.GroupDetails{}, description: "A user group with its members and roles."},
	{name: "GroupRole", value: models.GroupRole{}},
	{name: "GroupRef", value: models.GroupRef{}},
	// A row is what a client sends: a removal without a role takes every role, and an addition
	// without one is refused on its row, not as a bad body.
	{name: "UserRow", value: models.UserRow{}, request: true, required: []string{"email"},
		description: "One row of a bulk change of users."},
	{name: "UserRowResult", value: models.RowResult{}, echo: true,
		description: "One row of a bulk change as it was given, with what became of it."},
	{name: "BulkUsersResult", value: models.BulkResult{}, description: "What became of each row, and counts by outcome."},
	{name: "VirtualAccount", value: models.VirtualAccount{}},
	{name: "VirtualAccountNode", value: models.VANode{}, description: "A virtual account with its children."},
	{name: "Event", value: models.Event{}, description: "One entry of a history: who did what, when, with its details."},
	{name: "PartnerMembership", value: models.PartnerMembership{}},
	{name: "Decision", value: process.DecideResult{}, description: "The outcome of a decision."},
	{name: "NominateResult", value: process.NominateResult{}},
	// Access requests and their automation.
	{name: "AccessRequest", value: accessRequestView{}},
	{name: "AccessRule", value: ruleView{}},
	// Orders, their provisioning and licenses.
	{name: "Party", value: models.Party{}},
	{name: "Order", value: orderView{}, description: "An order with its lines, whom it waits for and what the caller may do."},
	{name: "OrderLine", value: lineView{}},
	{name: "LineAssignment", value: assignmentView{}},
	{name: "LineProvisioning", value: provisioningView{}},
	{name: "OrderAccess", value: accessView{}},
	{name: "OrderRow", value: orderRow{}, description: "An order in the inventory's table."},
	{name: "OrderSummary", value: models.OrderSummary{}},
	{name: "OrderDelegation", value: models.OrderDelegation{}},
	{name: "AssignResult", value: assignResult{}, description: "What became of one order of a bulk assignment."},
	{name: "AccountSelector", value: models.AccountSelector{}, description: "Names a Smart Account by one of its keys."},
	{name: "PendingPage", value: pendingPage{}, description: "A page of the ops list: pending lines, oldest first, and the counts."},
	{name: "PendingLine", value: pendingView{}},
	{name: "PendingCounts", value: models.PendingCounts{}},
	{name: "LineTrail", value: models.LineTrail{}, description: "Where a line's licenses went, step by step."},
	{name: "TrailStep", value: models.TrailStep{}},
	{name: "TrailPlace", value: models.TrailPlace{}},
	{name: "AssignedTo", value: models.AssignTarget{}, description: "The Smart Account and virtual account lines went to."},
	{name: "License", value: models.License{}},
	{name: "LicenseTotal", value: models.LicenseTotal{}},
	{name: "Partner", value: models.PartnerDetails{}},
	{name: "OFMChange", value: models.OFMChange{}},
	{name: "Error", value: models.Error{}, description: "What went wrong: a code, a message for people, the field at fault, details."},

	// Request bodies.
	{name: "CreateSmartAccountRequest", value: createSARequest{}, request: true, required: []string{"name"}},
	{name: "PropertiesRequest", value: propertiesBody{}, request: true},
	{name: "PartnerGrantRequest", value: partnerGrantBody{}, request: true, required: []string{"partnerDomain", "role"}},
	{name: "TrainingRequestBody", value: trainingBody{}, request: true, required: []string{"topic"}},
	{name: "DecisionRequest", value: decisionRequest{}, request: true, required: []string{"decision"}},
	{name: "NominateRequest", value: nominateRequest{}, request: true, required: []string{"emails"}},
	{name: "AcceptanceRequest", value: acceptanceRequest{}, request: true, required: []string{"decision"}},
	{name: "VirtualAccountRequest", value: vaRequest{}, request: true, required: []string{"name"}},
	{name: "VirtualAccountPatch", value: vaPatchRequest{}, request: true},
	{name: "AccessRequestBody", value: accessRequestBody{}, request: true, required: []string{"role", "reason"}},
	{name: "AccessDecisionRequest", value: accessDecisionBody{}, request: true, required: []string{"decision"}},
	// A rule without requesterDomain applies to requesters of any domain (ANY).
	{name: "AccessRuleBody", value: ruleBody{}, request: true, required: []string{"action"}},
	{name: "UpgradeRequest", value: upgradeRequest{}, request: true},
	{name: "IngestOrderRequest", value: ingestRequest{}, request: true,
		required: []string{"id", "type", "endCustomer", "bookedAt", "lines"}},
	{name: "IngestLine", value: ingestLine{}, request: true, required: []string{"id", "sku", "quantity"}},
	{name: "AssignRequest", value: assignBody{}, request: true, required: []string{"productsTo"}},
	{name: "AssignTarget", value: targetBody{}, request: true},
	{name: "TransferRequest", value: transferBody{}, request: true, required: []string{"to"}},
	{name: "DelegationRequest", value: delegationBody{}, request: true, required: []string{"email"}},
	{name: "ShipmentRequest", value: shipRequest{}, request: true, required: []string{"lines"}},
	{name: "OpsRequest", value: opsRequest{}, request: true, required: []string{"reason"}},
	{name: "LicenseTransferRequest", value: models.LicenseTransfer{}, request: true,
		required: []string{"sku", "quantity", "from", "to"}},
	{name: "PartnerRequest", value: partnerBody{}, request: true, required: []string{"domain", "name"}},
	{name: "PartnerUpdateRequest", value: partnerUpdateBody{}, request: true, required: []string{"name"}},
	{name: "OFMsRequest", value: ofmsBody{}, request: true, required: []string{"emails"}},
}

func enumOf[T ~string](values ...T) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, string(v))
	}
	return out
}

// schemaEnums are the values of the string types the API writes and reads.
var schemaEnums = map[reflect.Type][]string{
	reflect.TypeFor[models.SAStatus](): enumOf(models.SAPendingApproval, models.SAPendingDomainApproval,
		models.SAPendingCustomerAcceptance, models.SAPendingCustomerAddress, models.SADeclinedByCustomer, models.SADeclined,
		models.SAExpired, models.SAActive),
	reflect.TypeFor[models.SAType]():     enumOf(models.SATypeCustomer, models.SATypeHolding),
	reflect.TypeFor[models.Visibility](): enumOf(models.VisibilityUnrestricted, models.VisibilityRestricted),
	// A bulk removal row without a role removes every role of the user.
	reflect.TypeFor[models.Role](): append(enumOf(models.RoleSAAdmin, models.RoleSAUser, models.RoleSAViewer, models.RoleSAApprover,
		models.RoleVAAdmin, models.RoleVAUser, models.RoleVAViewer), ""),
	reflect.TypeFor[models.AccessStatus](): enumOf(models.AccessPending, models.AccessApproved, models.AccessDeclined,
		models.AccessExpired),
	reflect.TypeFor[models.RuleAction]():      enumOf(models.RuleApprove, models.RuleDecline, models.RuleRouteVAAdmins),
	reflect.TypeFor[models.RequesterDomain](): enumOf(models.DomainOwn, models.DomainOther, models.DomainAny),
	reflect.TypeFor[models.UpgradeStatus](): enumOf(models.UpgradePendingDomainApproval, models.UpgradePendingApproval,
		models.UpgradeApproved, models.UpgradeDeclined, models.UpgradeExpired),
	reflect.TypeFor[models.OrderType](): enumOf(models.OrderStandard, models.OrderStocking, models.OrderEA),
	reflect.TypeFor[models.LineKind]():  enumOf(models.LineProduct, models.LineCiscoService, models.LinePartnerService),
	reflect.TypeFor[models.AssignmentStatus](): enumOf(models.AssignUnassigned, models.AssignRequested, models.AssignAssigned,
		models.AssignInHolding, models.AssignPartial),
	reflect.TypeFor[models.ProvisioningStatus](): enumOf(models.ProvisionNotStarted, models.ProvisionPending,
		models.ProvisionProvisioned, models.ProvisionFailed),
	// A line that waits for nothing has no delay reason.
	reflect.TypeFor[models.DelayReason](): append(enumOf(models.DelayReasons...), ""),
	reflect.TypeFor[models.DelegationStatus](): enumOf(models.DelegationPending, models.DelegationUsed,
		models.DelegationRevoked, models.DelegationExpired),
	reflect.TypeFor[models.LicenseStatus](): enumOf(models.LicenseActive, models.LicenseHeld, models.LicenseExpired),
	reflect.TypeFor[models.NoticeKind]():    enumOf(models.Notices...),
	reflect.TypeFor[models.Category]():      enumOf(models.Categories...),
	reflect.TypeFor[models.Delivery]():      enumOf(models.Deliveries...),
	reflect.TypeFor[models.PartnerRole]():   enumOf(models.PartnerAdministrator, models.PartnerOFM),
	reflect.TypeFor[process.Decision](): enumOf(process.Approve, process.Decline, process.Accept, process.Submit,
		process.Delegate),
}
