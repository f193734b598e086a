package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// directoryEntry is one account of the Access Directory.
type directoryEntry struct {
	accountSummary
	MyRoles      []roleOn        `json:"myRoles"`
	Why          string          `json:"why"`
	PendingCount *int64          `json:"pendingAccessRequests,omitempty"`
	MyRequests   []myAccessBrief `json:"myAccessRequests"`
}

type roleOn struct {
	Role             models.Role `json:"role"`
	VirtualAccountID string      `json:"virtualAccountId,omitempty"`
}

type myAccessBrief struct {
	ID     string              `json:"id"`
	Role   models.Role         `json:"role"`
	Status models.AccessStatus `json:"status"`
}

// directory is the Access Directory (FEATURES SA9): the accounts of my email's TLD and the accounts I
// belong to, each with its status, my roles, every administrator's email, and my access requests.
func (s *Server) directory(c *gin.Context) error {
	out, err := s.directoryOf(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"smartAccounts": out})
	return nil
}

// directoryOf is the caller's Access Directory, for the API and the portal's page alike.
func (s *Server) directoryOf(c *gin.Context) ([]directoryEntry, error) {
	ctx := c.Request.Context()
	id := identity(c)
	entries, err := models.Directory(ctx, s.db, id.Email)
	if err != nil {
		return nil, err
	}
	// Two queries for the whole list, not two per account: pending counts and my requests.
	administered := []string{}
	for _, e := range entries {
		for _, r := range e.MyRoles {
			if r.VirtualAccountID == "" && (r.Role == models.RoleSAAdmin || r.Role == models.RoleSAApprover) {
				administered = append(administered, e.Account.ID)
				break
			}
		}
	}
	pending, err := models.PendingAccessCounts(ctx, s.db, administered)
	if err != nil {
		return nil, err
	}
	mine, err := models.AccessRequestsBy(ctx, s.db, id.Email, 500)
	if err != nil {
		return nil, err
	}
	out := make([]directoryEntry, 0, len(entries))
	for _, e := range entries {
		d := directoryEntry{accountSummary: summary(e.Account), Why: e.Why, MyRoles: []roleOn{},
			MyRequests: []myAccessBrief{}}
		d.Admins, d.Actions = e.Admins, actionsFor(e.Account)
		for _, r := range e.MyRoles {
			d.MyRoles = append(d.MyRoles, roleOn{Role: r.Role, VirtualAccountID: r.VirtualAccountID})
		}
		if contains(administered, e.Account.ID) {
			n := pending[e.Account.ID]
			d.PendingCount = &n
		}
		for _, ar := range mine[e.Account.ID] {
			d.MyRequests = append(d.MyRequests, myAccessBrief{ID: ar.ID, Role: ar.Role, Status: ar.Status})
		}
		out = append(out, d)
	}
	return out, nil
}

// decorate adds to an account's view what its viewer may act on: the upgrade of an SMB account they
// own, and the pending access requests of an account they administer.
func (s *Server) decorate(c *gin.Context, v *accountView, roles []models.AccountRole) {
	ctx := c.Request.Context()
	id := identity(c)
	if v.SMB {
		if infos, err := s.smbAccounts(c, id); err == nil {
			for i := range infos {
				if infos[i].SmartAccountID == v.ID {
					v.Upgrade = &infos[i]
				}
			}
		}
	}
	who := caller{id: id, roles: roles}
	if who.approver() {
		if n, err := models.PendingAccessCount(ctx, s.db, v.ID); err == nil {
			v.PendingAccessRequests = &n
		}
	}
}
