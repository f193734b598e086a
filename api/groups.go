package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

// User groups (FEATURES AC5): named sets of an account's users whose roles their members hold.

// member reads the account for one of its users or Cisco staff: who may see its groups.
func (s *Server) member(c *gin.Context) (caller, error) {
	who, err := s.load(c)
	if err == nil && !who.member() && !viewer(who.id).Internal() {
		err = models.Errorf(models.CodeForbidden, "only the users of %s see its groups", who.sa.Name)
	}
	return who, err
}

// loadAdmin reads the account for its administrators (and internal support, with a reason): who
// change its groups and partner grants; then the JSON body into body unless it is nil, so a stranger
// is a 404 whatever they sent.
func (s *Server) loadAdmin(c *gin.Context, body any) (caller, string, error) {
	who, err := s.load(c)
	if err != nil {
		return who, "", err
	}
	reason, err := s.adminWrite(c, who)
	if err == nil && body != nil {
		err = DecodeJSON(c.Request, body)
	}
	return who, reason, err
}

func (s *Server) listGroups(c *gin.Context) error { return memberList(s, c, "groups", models.Groups) }

// memberList answers {key: the account's list}, read by list for one of its users or Cisco staff: the
// account's groups and its partner grants.
func memberList[T any](s *Server, c *gin.Context, key string,
	list func(ctx context.Context, db *gorm.DB, saID string) ([]T, error)) error {
	who, err := s.member(c)
	if err != nil {
		return err
	}
	items, err := list(c.Request.Context(), s.db, who.sa.ID)
	return jsonOr(c, http.StatusOK, gin.H{key: items}, err)
}

func (s *Server) getGroup(c *gin.Context) error {
	who, err := s.member(c)
	if err != nil {
		return err
	}
	g, err := models.FindGroup(c.Request.Context(), s.db, who.sa.ID, c.Param("groupId"))
	return jsonOr(c, http.StatusOK, g, err)
}

// createGroup answers 201 with the group; a name the account uses already is a 409 naming the field.
func (s *Server) createGroup(c *gin.Context) error {
	var body struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	who, reason, err := s.loadAdmin(c, &body)
	if err != nil {
		return err
	}
	name, err := models.ValidGroupName(body.Name)
	if err != nil {
		return err
	}
	desc, err := validDescription(body.Description)
	if err != nil {
		return err
	}
	g, err := models.CreateGroup(c.Request.Context(), s.db, who.id.Email, who.sa.ID, name, desc, reason)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/smart-accounts/"+who.sa.ID+"/groups/"+g.ID)
	c.JSON(http.StatusCreated, g)
	return nil
}

func (s *Server) deleteGroup(c *gin.Context) error {
	who, reason, err := s.loadAdmin(c, nil)
	if err != nil {
		return err
	}
	if err := models.DeleteGroup(c.Request.Context(), s.db, who.id.Email, who.sa.ID, c.Param("groupId"), reason); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// memberEmails reads {"emails":[…]}: 1 to MaxGroupMembersPerCall addresses, lowercased, each once.
func memberEmails(c *gin.Context) ([]string, error) {
	var body struct {
		Emails []string `json:"emails"`
	}
	if err := DecodeJSON(c.Request, &body); err != nil {
		return nil, err
	}
	if len(body.Emails) == 0 || len(body.Emails) > models.MaxGroupMembersPerCall {
		return nil, models.Invalid("emails", "emails lists 1 to %d addresses", models.MaxGroupMembersPerCall)
	}
	out := []string{}
	for i, raw := range body.Emails {
		e := models.NormalizeEmail(raw)
		if !models.ValidEmail(e) {
			return nil, models.Invalid(fmt.Sprintf("emails[%d]", i), "%q is not an email address", raw)
		}
		if !contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *Server) addGroupMembers(c *gin.Context) error {
	return s.changeMembers(c, models.AddGroupMembers, "added")
}

func (s *Server) removeGroupMembers(c *gin.Context) error {
	return s.changeMembers(c, models.RemoveGroupMembers, "removed")
}

type membersFunc = func(ctx context.Context, db *gorm.DB, actor, saID, groupID string, emails []string, reason string) ([]string, error)

// changeMembers adds or removes members and answers who changed with the group as it is now.
func (s *Server) changeMembers(c *gin.Context, apply membersFunc, what string) error {
	ctx := c.Request.Context()
	who, reason, err := s.loadAdmin(c, nil)
	if err != nil {
		return err
	}
	emails, err := memberEmails(c)
	if err != nil {
		return err
	}
	changed, err := apply(ctx, s.db, who.id.Email, who.sa.ID, c.Param("groupId"), emails, reason)
	if err != nil {
		return err
	}
	g, err := models.FindGroup(ctx, s.db, who.sa.ID, c.Param("groupId"))
	s.log.InfoContext(ctx, "group members "+what, "smartAccountId", who.sa.ID, "groupId", g.ID, "by", who.id.Email, "n", len(changed))
	return jsonOr(c, http.StatusOK, gin.H{what: changed, "group": g}, err)
}

// setGroupRoles replaces the group's roles: {"roles":[{"role","virtualAccountId"?,"includeChildren"?}]}.
func (s *Server) setGroupRoles(c *gin.Context) error {
	ctx := c.Request.Context()
	var body struct {
		Roles []struct {
			Role             models.Role `json:"role"`
			VirtualAccountID string      `json:"virtualAccountId"`
			IncludeChildren  bool        `json:"includeChildren"`
		} `json:"roles"`
	}
	who, reason, err := s.loadAdmin(c, &body)
	if err != nil {
		return err
	}
	in := make([]models.GroupRoleInput, 0, len(body.Roles))
	for _, r := range body.Roles {
		in = append(in, models.GroupRoleInput{Role: models.Role(strings.TrimSpace(string(r.Role))),
			VirtualAccountID: r.VirtualAccountID, IncludeChildren: r.IncludeChildren})
	}
	if in, err = models.ValidGroupRoles(ctx, s.db, who.sa.ID, in); err != nil {
		return err
	}
	roles, err := models.SetGroupRoles(ctx, s.db, who.id.Email, who.sa.ID, c.Param("groupId"), in, reason)
	return jsonOr(c, http.StatusOK, gin.H{"roles": roles}, err)
}
