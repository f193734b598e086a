package devstack

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/mailcatch"
	"github.com/licensecentral/clc/models"
)

// tokenRequest is the body of POST /dev/token.
type tokenRequest struct {
	Email   string   `json:"email"`
	Name    string   `json:"name"`
	Roles   []string `json:"roles"`
	Company string   `json:"company"`
}

// Routes adds the dev-only endpoints: POST /dev/token, GET /dev/mail, GET /dev/mail.json, GET /dev.
func Routes(signer auth.Signer, db *gorm.DB, mail *mailcatch.Server) func(*gin.Engine) {
	return func(r *gin.Engine) {
		r.POST("/dev/token", func(c *gin.Context) {
			var req tokenRequest
			if err := c.ShouldBindJSON(&req); err != nil {
				c.JSON(http.StatusBadRequest, gin.H{"error": gin.H{"code": models.CodeInvalid, "message": "body must be {email, name, roles, company}: " + err.Error()}})
				return
			}
			email := models.NormalizeEmail(req.Email)
			if !models.ValidEmail(email) {
				c.JSON(http.StatusBadRequest, gin.H{"error": gin.H{"code": models.CodeInvalid, "field": "email", "message": "email is not an email address"}})
				return
			}
			if req.Roles == nil {
				req.Roles = []string{}
			}
			if _, err := models.UpsertUser(c.Request.Context(), db, models.User{Email: email, Name: req.Name,
				Company: req.Company, PlatformRoles: req.Roles}); err != nil {
				c.JSON(http.StatusInternalServerError, gin.H{"error": gin.H{"code": models.CodeInternal, "message": err.Error()}})
				return
			}
			tok, err := signer.Sign(auth.Identity{Email: email, Name: req.Name, Roles: req.Roles, Company: req.Company})
			if err != nil {
				c.JSON(http.StatusInternalServerError, gin.H{"error": gin.H{"code": models.CodeInternal, "message": err.Error()}})
				return
			}
			c.JSON(http.StatusOK, gin.H{"token": tok})
		})
		inbox := mail.Handler("/dev/mail")
		r.GET("/dev/mail", gin.WrapH(inbox))
		r.GET("/dev/mail.json", gin.WrapH(inbox))
		r.GET("/dev", func(c *gin.Context) {
			c.Header("Content-Type", "text/plain; charset=utf-8")
			c.String(http.StatusOK, strings.TrimSpace(help)+"\n")
		})
	}
}

const help = `
License Central dev stack

Demo users (get a token with POST /dev/token):
  alice@acme.com      Smart Account Administrator of the ACTIVE account "Acme Corporation" (acme.com)
  bob@acme.com        works at Acme; his requests under acme.com wait for Alice
  carol@globex.com    works at Globex, which has no account yet: hers activate at once
  approver@cisco.com  Cisco licensing approver (role cisco-approver): decides domain approvals
  pat@gmail.com       personal mail address: gets an SMB account
  olivia@partnerx.com Order Fulfillment Manager of Partner X (roles ["ofm"], company partnerx.com)

Demo orders WO-1001..WO-1003 wait for Bob (their fulfillment contact) to assign them:
  curl -s localhost:8080/api/v1/orders?assignmentStatus=UNASSIGNED -H "Authorization: Bearer $TOKEN"
  curl -s -X POST localhost:8080/api/v1/orders/assignments -H "Authorization: Bearer $TOKEN" \
    -d '{"orders":["WO-1001"],"productsTo":{"smartAccount":{"domain":"acme.com"},"virtualAccount":"DEFAULT"}}'
  curl -s -X POST localhost:8080/api/v1/orders/WO-1002/delegations -H "Authorization: Bearer $TOKEN" \
    -d '{"email":"carol@globex.com","note":"please assign"}'

  curl -s -X POST localhost:8080/dev/token -d '{"email":"bob@acme.com","name":"Bob"}'
  curl -s -X POST localhost:8080/api/v1/smart-accounts -H "Authorization: Bearer $TOKEN" \
    -d '{"name":"Acme Labs","domain":"labs.acme.com","headquarters":{"company":"Acme","line1":"1 Main St","city":"San Jose","country":"US"}}'

Requests on a customer's behalf, access requests, the Access Directory (as olivia, bob, alice):
  curl -s -X POST localhost:8080/api/v1/smart-accounts -H "Authorization: Bearer $TOKEN" \
    -d '{"name":"Initech","domain":"initech.com","onBehalf":true,"customerContacts":["cto@initech.com"]}'
  curl -s -X POST localhost:8080/api/v1/smart-accounts/$ACME/access-requests -H "Authorization: Bearer $TOKEN" \
    -d '{"role":"SMART_ACCOUNT_VIEWER","reason":"read the licenses"}'
  curl -s localhost:8080/api/v1/smart-accounts/directory -H "Authorization: Bearer $TOKEN"

Mail: GET /dev/mail (page) and GET /dev/mail.json
`
