package api

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

// Users of an account in bulk (FEATURES AC4): JSON or a CSV upload, each row answered on its own.

// userView is a user of an account: the roles they hold on the account or on a virtual account
// (directly or through a group), the roles those reach on nested virtual accounts (inherited, with the
// virtual account they come from), and their groups.
type userView struct {
	Email     string            `json:"email"`
	Name      string            `json:"name,omitempty"`
	Roles     []userRoleView    `json:"roles"`
	Inherited []inheritedView   `json:"inherited"`
	Groups    []models.GroupRef `json:"groups"`
}

// inheritedView is a role a VA role given with its children reaches on a nested VA: which VA, from
// which VA, and through what (DIRECT, or the group).
type inheritedView struct {
	Role               models.Role `json:"role"`
	VirtualAccountID   string      `json:"virtualAccountId"`
	VirtualAccountName string      `json:"virtualAccountName,omitempty"`
	InheritedFrom      string      `json:"inheritedFrom"`
	InheritedFromName  string      `json:"inheritedFromName,omitempty"`
	Source             string      `json:"source"`
	GroupID            string      `json:"groupId,omitempty"`
	GroupName          string      `json:"groupName,omitempty"`
}

type userRoleView struct {
	models.AccountRole
	Title              string `json:"title"`
	Scope              string `json:"scope"`
	VirtualAccountName string `json:"virtualAccountName,omitempty"`
}

// accountUsers pages the account's users by email (limit, after), with their direct and inherited
// roles and where each comes from, for its members and Cisco staff; others who may see the account are
// not shown who works in it.
func (s *Server) accountUsers(c *gin.Context) error {
	sa, roles, err := s.loadVisible(c)
	if err != nil {
		return err
	}
	limit, err := pageLimit(c, 100, 500)
	if err != nil {
		return err
	}
	out, next, err := s.usersFor(c, sa, roles, models.NormalizeEmail(c.Query("after")), limit)
	if err != nil {
		return err
	}
	resp := gin.H{"users": out}
	if next != "" {
		resp["next"] = next
	}
	c.JSON(http.StatusOK, resp)
	return nil
}

// usersFor is a page of the account's users for a caller with roles on it (its members) or Cisco
// staff: the API's list and the portal's alike.
func (s *Server) usersFor(c *gin.Context, sa models.SmartAccount, roles []models.AccountRole, after string, limit int) (
	[]userView, string, error) {
	ctx := c.Request.Context()
	if len(roles) == 0 && !viewer(identity(c)).Internal() {
		return nil, "", models.Errorf(models.CodeForbidden, "only the users of %s see its user list", sa.Name)
	}
	users, next, err := models.AccountUsers(ctx, s.db, sa.ID, after, limit)
	if err != nil {
		return nil, "", err
	}
	vas, err := models.VirtualAccounts(ctx, s.db, sa.ID)
	if err != nil {
		return nil, "", err
	}
	vaNames := map[string]string{}
	for _, va := range vas {
		vaNames[va.ID] = va.Name
	}
	out := make([]userView, 0, len(users))
	for _, u := range users {
		v := userView{Email: u.Email, Name: u.Name, Roles: []userRoleView{}, Inherited: []inheritedView{}, Groups: u.Groups}
		for _, r := range u.Roles {
			if r.InheritedFrom != "" {
				v.Inherited = append(v.Inherited, inheritedView{Role: r.Role, VirtualAccountID: r.VirtualAccountID,
					VirtualAccountName: vaNames[r.VirtualAccountID], InheritedFrom: r.InheritedFrom,
					InheritedFromName: vaNames[r.InheritedFrom], Source: r.Source, GroupID: r.GroupID, GroupName: r.GroupName})
				continue
			}
			rv := userRoleView{AccountRole: r, Title: r.Role.Title(), Scope: "SMART_ACCOUNT"}
			if r.VirtualAccountID != "" {
				rv.Scope, rv.VirtualAccountName = "VIRTUAL_ACCOUNT", vaNames[r.VirtualAccountID]
			}
			v.Roles = append(v.Roles, rv)
		}
		out = append(out, v)
	}
	return out, next, nil
}

// usersBody is the JSON body of POST and DELETE …/users.
type usersBody struct {
	Users []models.UserRow `json:"users"`
}

// manager reads the account for a caller who may change some of its users: its administrators and
// internal support (with a reason) every user, a Virtual Account Administrator the users of their VAs.
func (s *Server) manager(c *gin.Context) (caller, models.ManageScope, string, error) {
	who, err := s.load(c)
	if err != nil {
		return who, models.ManageScope{}, "", err
	}
	support, err := s.adminWrite(c, who)
	scope := models.ManageScopeOf(who.roles, err == nil)
	if scope.Empty() {
		if err == nil {
			err = models.Errorf(models.CodeForbidden, "only the administrators of %s manage its users", who.sa.Name)
		}
		return who, scope, "", err
	}
	return who, scope, support, nil
}

// userRows reads the rows of a bulk change: a JSON body, or a CSV upload (text/csv) whose header names
// the same columns (email, role, virtualAccountId, includeChildren) in any order.
func userRows(c *gin.Context) ([]models.UserRow, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var rows []models.UserRow
	if mt == "text/csv" {
		var err error
		if rows, err = csvUserRows(c.Request.Body); err != nil {
			return nil, err
		}
	} else {
		var body usersBody
		if err := DecodeJSON(c.Request, &body); err != nil {
			return nil, err
		}
		rows = body.Users
	}
	switch {
	case len(rows) == 0:
		return nil, models.Invalid("users", "users lists 1 to %d rows", models.MaxBulkUsers)
	case len(rows) > models.MaxBulkUsers:
		return nil, models.Invalid("users", "at most %d rows in one call; %d were given", models.MaxBulkUsers, len(rows))
	}
	return rows, nil
}

// csvUserRows parses a CSV upload of users; a cell with control characters, an unknown column or a bad
// includeChildren is a 400 naming the row and column.
func csvUserRows(body io.Reader) ([]models.UserRow, error) {
	r := csv.NewReader(body)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, csvError(err, "the CSV needs a header row: email,role,virtualAccountId,includeChildren")
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		switch strings.ToLower(name) {
		case "email", "role", "virtualaccountid", "includechildren":
			cols[strings.ToLower(name)] = i
		default:
			return nil, models.Invalid("csv.header", "unknown column %q: the columns are email, role, virtualAccountId, includeChildren", name)
		}
	}
	if _, ok := cols["email"]; !ok {
		return nil, models.Invalid("csv.header", "the CSV has no email column")
	}
	rows := []models.UserRow{}
	for n := 1; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, csvError(err, "the CSV cannot be read")
		}
		if len(rows) == models.MaxBulkUsers {
			return nil, models.Invalid("users", "at most %d rows in one call", models.MaxBulkUsers)
		}
		cell := func(name string) (string, error) {
			i, ok := cols[name]
			if !ok || i >= len(rec) {
				return "", nil
			}
			v := strings.TrimSpace(rec[i])
			return v, models.CheckText(fmt.Sprintf("users[%d].%s", n-1, name), v, false)
		}
		var row models.UserRow
		var vals [4]string
		for i, name := range []string{"email", "role", "virtualaccountid", "includechildren"} {
			if vals[i], err = cell(name); err != nil {
				return nil, err
			}
		}
		row.Email, row.Role, row.VirtualAccountID = vals[0], models.Role(vals[1]), vals[2]
		if vals[3] != "" {
			if row.IncludeChildren, err = strconv.ParseBool(vals[3]); err != nil {
				return nil, models.Invalid(fmt.Sprintf("users[%d].includeChildren", n-1), "includeChildren is true or false, not %q", vals[3])
			}
		}
		rows = append(rows, row)
	}
}

func csvError(err error, msg string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &models.Error{Code: models.CodeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", mbe.Limit)}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return models.Invalid("csv", "%s: line %d: %v", msg, pe.Line, pe.Err)
	}
	return models.Invalid("csv", "%s", msg)
}

// addUsers gives the rows' people their roles: 200 with each row's outcome (ADDED, UPDATED, UNCHANGED,
// REFUSED with its error) and their counts.
func (s *Server) addUsers(c *gin.Context) error { return s.bulkUsers(c, models.AddUsers) }

// removeUsers takes the rows' roles away: 200 with each row's outcome (REMOVED, NOT_FOUND, REFUSED).
func (s *Server) removeUsers(c *gin.Context) error { return s.bulkUsers(c, models.RemoveUsers) }

type bulkFunc func(ctx context.Context, db *gorm.DB, actor, saID string, scope models.ManageScope, rows []models.UserRow,
	supportReason string) (models.BulkResult, error)

func (s *Server) bulkUsers(c *gin.Context, apply bulkFunc) error {
	ctx := c.Request.Context()
	who, scope, support, err := s.manager(c)
	if err != nil {
		return err
	}
	rows, err := userRows(c)
	if err != nil {
		return err
	}
	res, err := apply(ctx, s.db, who.id.Email, who.sa.ID, scope, rows, support)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "users changed", "smartAccountId", who.sa.ID, "by", who.id.Email, "rows", len(rows),
		"counts", res.Counts)
	c.JSON(http.StatusOK, res)
	return nil
}
