package api

import (
	"context"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// AccountProcesses is what the features of requests on a customer's behalf, access requests and SMB
// upgrades ask of the workflows.
type AccountProcesses interface {
	StartAccessRequest(ctx context.Context, in process.AccessRequestInput) (process.AccessCreated, error)
	StartUpgrade(ctx context.Context, in process.UpgradeInput) (process.UpgradeCreated, error)
	Nominate(ctx context.Context, workflowID string, in process.NominateInput) (process.NominateResult, error)
}

// caller is the signed-in person with their roles on the account the route names.
type caller struct {
	id    auth.Identity
	sa    models.SmartAccount
	roles []models.AccountRole
}

func (c caller) saAdmin() bool {
	return slices.ContainsFunc(c.roles, func(r models.AccountRole) bool {
		return r.VirtualAccountID == "" && r.Role == models.RoleSAAdmin
	})
}

// approver reports whether the caller decides the account's access requests.
func (c caller) approver() bool {
	return slices.ContainsFunc(c.roles, func(r models.AccountRole) bool {
		return r.VirtualAccountID == "" && (r.Role == models.RoleSAAdmin || r.Role == models.RoleSAApprover)
	})
}

func (c caller) member() bool { return len(c.roles) > 0 }

// support reports whether the caller is internal staff who may act on any account with a reason (X3).
func (c caller) support() bool {
	return c.id.HasRole(models.RoleCiscoSupport) || c.id.HasRole(models.RoleLicensingOps)
}

// vaAdmin reports whether the caller administers the virtual account: by a role on it, or by one given
// with its children on an ancestor (the effective roles hold both).
func (c caller) vaAdmin(vaID string) bool {
	return slices.ContainsFunc(c.roles, func(r models.AccountRole) bool {
		return r.VirtualAccountID == vaID && r.Role == models.RoleVAAdmin
	})
}

// load reads the account of the route for a caller who may see it (404 otherwise, as for an unknown id).
func (s *Server) load(c *gin.Context) (caller, error) {
	sa, roles, err := s.loadVisible(c)
	return caller{id: identity(c), sa: sa, roles: roles}, err
}

// loadFindable reads the account for a caller who may see it or could find it: unrestricted accounts
// are listed in searches and in the 409 of a create, so anyone may ask for access or nominate creators.
func (s *Server) loadFindable(c *gin.Context) (caller, error) {
	ctx := c.Request.Context()
	id := identity(c)
	sa, err := models.FindSmartAccount(ctx, s.db, c.Param("id"))
	if err != nil {
		return caller{}, err
	}
	roles, err := models.RolesOn(ctx, s.db, id.Email, sa.ID)
	if err != nil {
		return caller{}, err
	}
	if sa.Visibility != models.VisibilityUnrestricted && !models.CanSee(viewer(id), sa, roles) {
		return caller{}, models.Errorf(models.CodeNotFound, "no Smart Account %s", sa.ID)
	}
	return caller{id: id, sa: sa, roles: roles}, nil
}

// adminWrite allows a change by an administrator of the account, or by internal support with a reason
// in the X-Support-Reason header, which the change's event records (FEATURES X3).
func (s *Server) adminWrite(c *gin.Context, who caller) (supportReason string, err error) {
	if who.saAdmin() {
		return "", nil
	}
	if who.support() {
		r := strings.TrimSpace(c.GetHeader("X-Support-Reason"))
		if r == "" {
			return "", models.Invalid("X-Support-Reason", "internal support changes need a reason in the X-Support-Reason header")
		}
		if len(r) > 500 {
			return "", models.Invalid("X-Support-Reason", "X-Support-Reason is longer than 500 characters")
		}
		return r, nil
	}
	return "", models.Errorf(models.CodeForbidden, "only a Smart Account Administrator of %s may do this", who.sa.Name)
}
