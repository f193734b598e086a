package devstack

import (
	"bytes"
	"log/slog"
	"net/http"
	"text/template"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/api/web"
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

// Routes adds the dev-only endpoints: POST /dev/token, GET /dev/mail, GET /dev/mail.json, GET /dev (the
// help page, with the calls to try against this very stack), and / sending a browser to /dev.
func Routes(baseURL string, signer auth.Signer, db *gorm.DB, mail *mailcatch.Server, log *slog.Logger) func(*gin.Engine) {
	var help bytes.Buffer
	if err := helpPage.Execute(&help, map[string]string{"B": baseURL}); err != nil {
		panic(err) // the template is a constant: a failure is a bug found by the first test
	}
	return func(r *gin.Engine) {
		r.POST("/dev/token", func(c *gin.Context) {
			var req tokenRequest
			if err := api.DecodeJSON(c.Request, &req); err != nil {
				api.WriteError(c, log, err)
				return
			}
			// The same user the dev sign-in page would sign in: one place records both.
			u, err := web.RecordDevUser(c.Request.Context(), db, web.DevUser{Email: req.Email, Name: req.Name,
				Company: req.Company, Roles: req.Roles})
			if err != nil {
				api.WriteError(c, log, err)
				return
			}
			tok, err := signer.Sign(auth.Identity{Email: u.Email, Name: u.Name, CCOID: u.CCOID, Roles: u.PlatformRoles,
				Company: u.Company})
			if err != nil {
				api.WriteError(c, log, err)
				return
			}
			c.JSON(http.StatusOK, gin.H{"token": tok})
		})
		inbox := mail.Handler("/dev/mail")
		r.GET("/dev/mail", gin.WrapH(inbox))
		r.GET("/dev/mail.json", gin.WrapH(inbox))
		r.GET("/dev", func(c *gin.Context) { c.Data(http.StatusOK, "text/plain; charset=utf-8", help.Bytes()) })
		r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/dev") })
	}
}

// helpPage repeats the README's walk-through with this stack's own address.
var helpPage = template.Must(template.New("help").Parse(`License Central dev stack at {{.B}}

Demo users (get a token with POST /dev/token):
  alice@acme.com      Smart Account Administrator of the ACTIVE account "Acme Corporation" (acme.com)
  bob@acme.com        works at Acme; his requests under acme.com wait for Alice
  carol@globex.com    works at Globex, which has no account yet: hers activate at once
  approver@cisco.com  Cisco licensing approver (role cisco-approver): decides domain approvals
  pat@gmail.com       personal mail address: gets an SMB account
  olivia@partnerx.com administrator and Order Fulfillment Manager of the partner Partner X (partnerx.com),
                      which resold the demo orders: she may assign them (rights come from the partner's
                      rows, never from a token's company claim)
  tac@cisco.com       any address with role cisco-support or licensing-ops registers partners

In a browser, sign in as anyone (any platform roles) at {{.B}}/dev/login; the pages send you there.

Set up a shell (jq reads the JSON answers; every JSON body is sent as JSON, or answered 415):
  B={{.B}}; J='Content-Type: application/json'
  T=$(curl -s -X POST $B/dev/token -H "$J" -d '{"email":"bob@acme.com","name":"Bob"}' | jq -r .token)
  ACME=$(curl -s "$B/api/v1/smart-accounts?domain=acme.com" -H "Authorization: Bearer $T" | jq -r '.smartAccounts[0].id')

Request an account that waits for Alice, then open her task in the inbox ({{.B}}/dev/mail) in a browser:
  curl -s -X POST $B/api/v1/smart-accounts -H "Authorization: Bearer $T" -H "$J" \
    -d '{"name":"Acme Labs","domain":"labs.acme.com","headquarters":{"company":"Acme","line1":"1 Main St","city":"San Jose","country":"US"}}'

Demo orders WO-1001..WO-1003 wait for Bob (their fulfillment contact) to assign them:
  curl -s "$B/api/v1/orders?assignmentStatus=UNASSIGNED" -H "Authorization: Bearer $T"
  curl -s -X POST $B/api/v1/orders/assignments -H "Authorization: Bearer $T" -H "$J" \
    -d '{"orders":["WO-1001"],"productsTo":{"smartAccount":{"domain":"acme.com"},"virtualAccount":"DEFAULT"}}'
  curl -s -X POST $B/api/v1/orders/WO-1002/delegations -H "Authorization: Bearer $T" -H "$J" \
    -d '{"email":"carol@globex.com","note":"please assign"}'

Notification preferences and digests: put Bob's access request mails into a daily summary, then run it now:
  curl -s -X PUT $B/api/v1/me/notifications -H "Authorization: Bearer $T" -H "$J" \
    -d '{"categories":{"ACCESS_REQUESTS":"DAILY"}}'
  curl -s -X POST $B/dev/digests -H "$J" -d '{"period":"DAILY"}'

Provisioning: commerce ships WO-1001's lines once it is assigned; its licenses appear in Acme's DEFAULT VA.
Make the simulated fulfillment service fail, or refuse a SKU, and watch the line's provisioning:
  C=$(curl -s -X POST $B/dev/token -H "$J" -d '{"email":"orders@commerce.cisco.com","roles":["commerce"]}' | jq -r .token)
  curl -s -X POST $B/api/v1/orders/WO-1001/shipments -H "Authorization: Bearer $C" -H "$J" \
    -d '{"lines":["1","2"],"shippedAt":"2026-11-20T09:00:00Z"}'
  A=$(curl -s -X POST $B/dev/token -H "$J" -d '{"email":"alice@acme.com"}' | jq -r .token)
  curl -s $B/api/v1/smart-accounts/$ACME/licenses -H "Authorization: Bearer $A"
  curl -s -X PUT $B/dev/fulfillment -H "$J" -d '{"down":true}'     # then {"down":false}
  curl -s "$B/api/v1/orders?provisioningStatus=PENDING&delayReason=FULFILLMENT_ERROR" -H "Authorization: Bearer $T"

Partners: Olivia reads Partner X and designates its Order Fulfillment Managers (addresses of partnerx.com);
one she removes loses the right on the next request. Cisco staff register partners (2-tier: distributorOf):
  O=$(curl -s -X POST $B/dev/token -H "$J" -d '{"email":"olivia@partnerx.com"}' | jq -r .token)
  curl -s $B/api/v1/partners/partnerx.com -H "Authorization: Bearer $O"
  curl -s -X PUT $B/api/v1/partners/partnerx.com/ofms -H "Authorization: Bearer $O" -H "$J" \
    -d '{"emails":["olivia@partnerx.com","sam@partnerx.com"]}'
  S=$(curl -s -X POST $B/dev/token -H "$J" -d '{"email":"tac@cisco.com","roles":["cisco-support"]}' | jq -r .token)
  curl -s -X POST $B/api/v1/partners -H "Authorization: Bearer $S" -H "$J" \
    -d '{"domain":"distri.com","name":"Distri","administrators":["ana@distri.com"],"distributorOf":["partnerx.com"]}'

Requests on a customer's behalf, access requests, the Access Directory:
  curl -s -X POST $B/api/v1/smart-accounts -H "Authorization: Bearer $T" -H "$J" \
    -d '{"name":"Initech","domain":"initech.com","onBehalf":true,"customerContacts":["cto@initech.com"]}'
  curl -s -X POST $B/api/v1/smart-accounts/$ACME/access-requests -H "Authorization: Bearer $T" -H "$J" \
    -d '{"role":"SMART_ACCOUNT_VIEWER","reason":"read the licenses"}'
  curl -s $B/api/v1/smart-accounts/directory -H "Authorization: Bearer $T"

Mail: {{.B}}/dev/mail (a page) and {{.B}}/dev/mail.json. Logs go to stderr.
`))

// runDigest answers POST /dev/digests {"period":"DAILY"|"WEEKLY"}: that period's digest runs now, as its
// schedule would run it, and the answer says whom it mailed.
func (s *Stack) runDigest(c *gin.Context) {
	var req struct {
		Period models.Delivery `json:"period"`
	}
	if err := api.DecodeJSON(c.Request, &req); err != nil {
		api.WriteError(c, s.log(), err)
		return
	}
	res, err := s.App.Processes().RunDigest(c.Request.Context(), req.Period, s.App.Config.Digests.WithDefaults().Every(req.Period))
	if err != nil {
		api.WriteError(c, s.log(), err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Stack) log() *slog.Logger {
	if s.App != nil && s.App.Log != nil {
		return s.App.Log
	}
	return slog.Default()
}
