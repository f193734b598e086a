package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// authenticate requires a valid bearer token, records the user, and puts the identity on the
// request's context.
func (s *Server) authenticate(c *gin.Context) {
	raw, ok := auth.FromBearer(c.GetHeader("Authorization"))
	if !ok {
		c.Header("WWW-Authenticate", `Bearer realm="clc"`)
		s.writeError(c, &models.Error{Code: models.CodeUnauthenticated, Message: "sign in: an Authorization: Bearer token is required"})
		return
	}
	id, err := s.verifier.Verify(c.Request.Context(), raw)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="clc", error="invalid_token"`)
		msg := "the bearer token is not valid"
		if !errors.Is(err, auth.ErrInvalidToken) {
			msg = "the bearer token could not be checked"
		}
		s.writeError(c, &models.Error{Code: models.CodeUnauthenticated, Message: msg})
		return
	}
	if err := s.recordUser(c, id); err != nil {
		s.writeError(c, err)
		return
	}
	c.Request = c.Request.WithContext(auth.WithIdentity(c.Request.Context(), id))
	c.Next()
}

func (s *Server) recordUser(c *gin.Context, id auth.Identity) error {
	fp := fmt.Sprintf("%s|%s|%s|%s", id.Name, id.CCOID, id.Company, strings.Join(id.Roles, ","))
	if prev, ok := s.users.Load(id.Email); ok && prev == fp {
		return nil
	}
	_, err := models.UpsertUser(c.Request.Context(), s.db, models.User{Email: id.Email, Name: id.Name, CCOID: id.CCOID,
		Company: id.Company, PlatformRoles: id.Roles})
	if err != nil {
		return err
	}
	s.users.Store(id.Email, fp)
	return nil
}

// identity is the caller of an authenticated route.
func identity(c *gin.Context) auth.Identity {
	id, _ := auth.FromContext(c.Request.Context())
	return id
}

func viewer(id auth.Identity) models.Viewer { return models.Viewer{Email: id.Email, Roles: id.Roles} }

func (s *Server) me(c *gin.Context) error {
	id := identity(c)
	var u models.User
	if err := s.db.WithContext(c.Request.Context()).Where("email = ?", id.Email).Take(&u).Error; err != nil {
		return err
	}
	// smbAccounts tells the owner of SMB accounts whether each can be upgraded (FEATURES SA8).
	smb, err := s.smbAccounts(c, id)
	if err != nil {
		return err
	}
	// partners are the partner organizations whose rows give me roles; company is the identity's claim,
	// shown as it came and giving no right.
	partners, err := models.PartnersOf(c.Request.Context(), s.db, id.Email)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"email": u.Email, "name": u.Name, "ccoId": u.CCOID, "company": u.Company,
		"platformRoles": u.PlatformRoles, "address": u.Address, "smbAccounts": smb, "upgradeEligible": upgradeEligible(smb),
		"partners": partners})
	return nil
}
