package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// signedIn is the middleware of the browser pages (the ops console, the portal): the person signed
// in with the session cookie, as their user row says, is on the context where the API's authenticate
// puts a bearer token's, so identity(c) and viewer(identity(c)) work the same in a page handler. A
// browser without a session is sent to sign in and brought back; every POST must carry the session's
// CSRF token (web.CSRFField, web.CSRFToken(c) for the template) and come from this site.
func (s *Server) signedIn(c *gin.Context) {
	if s.signIn == nil {
		// Said as it is (WriteError hides a 5xx's message): it is the operator's setting, not a secret.
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, gin.H{"error": &models.Error{Code: models.CodeUnavailable,
			Message: "browser sign-in is not configured: set CLC_OIDC_CLIENT_ID and CLC_SESSION_KEY (see the README)"}})
		return
	}
	s.signIn.Sessions().Require(c)
}
