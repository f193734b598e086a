package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// jsonRoute is a route of the JSON API and the handler that answers it.
type jsonRoute struct {
	method, path string
	answer       func(*gin.Context) error
}

// apiRoutes adds every route of /api/v1, the operations of openapi.yaml, from one table: each handler
// answers its errors through handle, the one error map. The CSV export streams its rows and answers its
// errors itself (the portal's inventory serves it too).
func (s *Server) apiRoutes(v1 *gin.RouterGroup) {
	for _, r := range s.jsonRoutes() {
		v1.Handle(r.method, r.path, s.handle(r.answer))
	}
	v1.GET("/orders/export.csv", s.exportOrders)
}

// jsonRoutes lists the JSON API's routes by feature.
func (s *Server) jsonRoutes() []jsonRoute {
	return []jsonRoute{
		// The signed-in person; Smart Accounts requested, found, read and decided (FEATURES SA1–SA6).
		{http.MethodGet, "/me", s.me},
		{http.MethodPost, "/smart-accounts", s.createSmartAccount},
		{http.MethodGet, "/smart-accounts", s.searchSmartAccounts},
		{http.MethodGet, "/smart-accounts/:id", s.getSmartAccount},
		{http.MethodGet, "/smart-accounts/:id/events", s.smartAccountEvents},
		{http.MethodGet, "/smart-accounts/:id/virtual-accounts", s.virtualAccounts},
		{http.MethodPost, "/smart-accounts/:id/decision", s.decideSmartAccount},
		// Orders (FEATURES OR1–OR10).
		{http.MethodPost, "/orders", s.ingestOrder},
		{http.MethodGet, "/orders", s.listOrders},
		{http.MethodGet, "/orders/summary", s.orderSummary},
		{http.MethodPost, "/orders/assignments", s.assignOrders},
		{http.MethodGet, "/orders/assignments/:batch", s.assignmentBatch},
		{http.MethodGet, "/orders/:id", s.getOrder},
		{http.MethodGet, "/orders/:id/events", s.orderEvents},
		{http.MethodGet, "/orders/:id/trail", s.orderTrail},
		{http.MethodGet, "/orders/:id/delegations", s.listDelegations},
		{http.MethodPost, "/orders/:id/delegations", s.createDelegation},
		{http.MethodDelete, "/orders/:id/delegations/:delegation", s.revokeDelegation},
		{http.MethodPost, "/orders/:id/transfer", s.transferOrder},
		// Shipments and the provisioning ops console (FEATURES PR2, PR3).
		{http.MethodPost, "/orders/:id/shipments", s.shipOrder},
		{http.MethodGet, "/ops/provisioning", s.listPending},
		{http.MethodPost, "/ops/provisioning/:order/retry", s.opsAction(models.OpsRetry)},
		{http.MethodPost, "/ops/provisioning/:order/manual-review", s.opsAction(models.OpsManualReview)},
		{http.MethodPost, "/ops/provisioning/:order/resolve", s.opsAction(models.OpsResolve)},
		// The licenses of an account (FEATURES PR2): what its provisioned lines put in its virtual accounts.
		{http.MethodGet, "/smart-accounts/:id/licenses", s.listLicenses},
		{http.MethodGet, "/smart-accounts/:id/licenses/export.csv", s.exportLicenses},
		{http.MethodPost, "/smart-accounts/:id/licenses/transfers", s.transferLicenses},
		// Partner organizations (FEATURES OR9, seed 002): Cisco staff register them, their administrators
		// designate the Order Fulfillment Managers. Every partner right on orders comes from these rows.
		{http.MethodPost, "/partners", s.registerPartner},
		{http.MethodGet, "/partners/:domain", s.getPartner},
		{http.MethodPut, "/partners/:domain", s.updatePartner},
		{http.MethodGet, "/partners/:domain/events", s.partnerEvents},
		{http.MethodGet, "/partners/:domain/ofms", s.getOFMs},
		{http.MethodPut, "/partners/:domain/ofms", s.putOFMs},
		// On behalf of customers, access requests and rules, virtual accounts, upgrades.
		{http.MethodGet, "/smart-accounts/directory", s.directory},
		{http.MethodGet, "/me/requests", s.myRequests},
		{http.MethodPost, "/smart-accounts/:id/creators", s.nominateCreators},
		{http.MethodPost, "/smart-accounts/:id/acceptance", s.acceptSmartAccount},
		{http.MethodPost, "/smart-accounts/:id/headquarters", s.giveHeadquarters},
		{http.MethodPost, "/smart-accounts/:id/virtual-accounts", s.createVirtualAccount},
		{http.MethodGet, "/smart-accounts/:id/virtual-accounts/tree", s.virtualAccountTree},
		{http.MethodPatch, "/smart-accounts/:id/virtual-accounts/:vaId", s.updateVirtualAccount},
		{http.MethodPost, "/smart-accounts/:id/access-requests", s.requestAccess},
		{http.MethodGet, "/smart-accounts/:id/access-requests", s.listAccessRequests},
		{http.MethodGet, "/smart-accounts/:id/access-requests/:requestId", s.getAccessRequest},
		{http.MethodPost, "/smart-accounts/:id/access-requests/:requestId/decision", s.decideAccessRequest},
		{http.MethodGet, "/smart-accounts/:id/access-rules", s.getAccessRules},
		{http.MethodPut, "/smart-accounts/:id/access-rules", s.putAccessRules},
		{http.MethodPost, "/smart-accounts/:id/upgrade", s.upgradeSmartAccount},
		{http.MethodPost, "/smart-accounts/:id/upgrade/decision", s.decideUpgrade},
		// Users of an account in bulk (FEATURES AC4).
		{http.MethodGet, "/smart-accounts/:id/users", s.accountUsers},
		{http.MethodPost, "/smart-accounts/:id/users", s.addUsers},
		{http.MethodDelete, "/smart-accounts/:id/users", s.removeUsers},
		// User groups (FEATURES AC5).
		{http.MethodGet, "/smart-accounts/:id/groups", s.listGroups},
		{http.MethodPost, "/smart-accounts/:id/groups", s.createGroup},
		{http.MethodGet, "/smart-accounts/:id/groups/:groupId", s.getGroup},
		{http.MethodDelete, "/smart-accounts/:id/groups/:groupId", s.deleteGroup},
		{http.MethodPost, "/smart-accounts/:id/groups/:groupId/members", s.addGroupMembers},
		{http.MethodDelete, "/smart-accounts/:id/groups/:groupId/members", s.removeGroupMembers},
		{http.MethodPut, "/smart-accounts/:id/groups/:groupId/roles", s.setGroupRoles},
		// Account properties, notices and the location export (FEATURES SA11).
		{http.MethodPatch, "/smart-accounts/:id", s.updateProperties},
		{http.MethodGet, "/smart-accounts/:id/notices", s.listNotices},
		{http.MethodPost, "/smart-accounts/:id/notices/:kind/acknowledgement", s.acknowledgeNotice},
		{http.MethodGet, "/smart-accounts/:id/locations/export.csv", s.exportLocations},
		// Partner access with the customer's consent (FEATURES AC8).
		{http.MethodGet, "/smart-accounts/:id/partner-grants", s.listPartnerGrants},
		{http.MethodPost, "/smart-accounts/:id/partner-grants", s.grantPartner},
		{http.MethodDelete, "/smart-accounts/:id/partner-grants/:grantId", s.revokePartnerGrant},
		// Notification preferences of the signed-in person (FEATURES NO1).
		{http.MethodGet, "/me/notifications", s.myNotifications},
		{http.MethodPut, "/me/notifications", s.setMyNotifications},
		// Training and demo requests (FEATURES TR1).
		{http.MethodPost, "/training-requests", s.requestTraining},
		{http.MethodGet, "/training-requests", s.listTraining},
		{http.MethodGet, "/training-requests/:trainingId", s.getTraining},
		{http.MethodPost, "/training-requests/:trainingId/schedule", s.scheduleTraining},
		{http.MethodPost, "/training-requests/:trainingId/close", s.closeTraining},
	}
}
